//! Target-line analysis (§1.4): the total line L_T for a quota, the subject 有效分 L_s, 上线
//! counts per unit, and 临界生 (borderline students) around L_T.
use serde::{Deserialize, Serialize};

use crate::error::{AnalyticsError, check_finite, check_len};

/// The total line and how it was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TotalLine {
    /// L_T: the total of the student at rank K (competition ranking).
    pub line: f64,
    /// The target count K used.
    pub target_count: usize,
    /// Students with total ≥ L_T (ties at the line all count, so this can exceed K).
    pub count_over: usize,
}

/// L_T for a target count K. K larger than the cohort puts everyone over the line.
pub fn total_line_by_count(totals: &[f64], k: usize) -> crate::Result<TotalLine> {
    check_finite("total", totals)?;
    if totals.is_empty() {
        return Err(AnalyticsError::Empty { what: "totals" });
    }
    if k == 0 {
        return Err(AnalyticsError::TooFew {
            what: "target count",
            needed: 1,
            got: 0,
        });
    }
    let mut sorted = totals.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let line = sorted[k.min(sorted.len()) - 1];
    let count_over = sorted.iter().filter(|&&t| t >= line).count();
    Ok(TotalLine {
        line,
        target_count: k,
        count_over,
    })
}

/// L_T for a target share r of the reference population: K = ⌈r·N⌉.
pub fn total_line_by_share(totals: &[f64], r: f64) -> crate::Result<TotalLine> {
    if !(r > 0.0 && r <= 1.0) {
        return Err(AnalyticsError::InvalidValue {
            what: "target share",
            value: r,
        });
    }
    let k = ((r * totals.len() as f64) - 1e-9).ceil().max(1.0) as usize;
    total_line_by_count(totals, k)
}

/// Subject 有效分 L_s: the mean subject score of the reference students whose total ≥ L_T.
/// `None` when nobody is over the line ("无上线").
pub fn subject_effective_score(
    subject: &[f64],
    totals: &[f64],
    total_line: f64,
) -> crate::Result<Option<f64>> {
    check_len("subject scores vs totals", totals.len(), subject.len())?;
    let over: Vec<f64> = subject
        .iter()
        .zip(totals)
        .filter(|(_, t)| **t >= total_line)
        .map(|(s, _)| *s)
        .collect();
    Ok(super::mean(&over))
}

/// 上线 statistics of one unit for one subject. Ratios with a zero denominator are `None` ("—").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectiveScoreStats {
    pub n: usize,
    /// 单上线 A_s = #{x_s ≥ L_s}.
    pub single_count: usize,
    /// 总分上线 B = #{T ≥ L_T}.
    pub total_count: usize,
    /// 双上线 D_s = #{x_s ≥ L_s and T ≥ L_T}.
    pub double_count: usize,
    /// 瘸腿生: over the total line but below L_s.
    pub weak_subject_count: usize,
    /// 上线率 B / n.
    pub line_rate: Option<f64>,
    /// 单科上线率 A_s / n.
    pub single_rate: Option<f64>,
    /// 命中率 D_s / A_s.
    pub hit_rate: Option<f64>,
    /// 贡献率 D_s / B.
    pub contribution_rate: Option<f64>,
}

/// 上线 counts and rates of one unit's students.
pub fn effective_score_stats(
    subject: &[f64],
    totals: &[f64],
    subject_line: f64,
    total_line: f64,
) -> crate::Result<EffectiveScoreStats> {
    check_len("subject scores vs totals", totals.len(), subject.len())?;
    let (mut a, mut b, mut d, mut weak) = (0, 0, 0, 0);
    for (&x, &t) in subject.iter().zip(totals) {
        let s_ok = x >= subject_line;
        let t_ok = t >= total_line;
        a += s_ok as usize;
        b += t_ok as usize;
        d += (s_ok && t_ok) as usize;
        weak += (t_ok && !s_ok) as usize;
    }
    let n = subject.len();
    let ratio = |num: usize, den: usize| (den > 0).then(|| num as f64 / den as f64);
    Ok(EffectiveScoreStats {
        n,
        single_count: a,
        total_count: b,
        double_count: d,
        weak_subject_count: weak,
        line_rate: ratio(b, n),
        single_rate: ratio(a, n),
        hit_rate: ratio(d, a),
        contribution_rate: ratio(d, b),
    })
}

/// The window δ around L_T that defines 临界生.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BorderlineWindow {
    /// δ in points: `L_T − δ ≤ T < L_T + δ`.
    Points(f64),
    /// δ as a share of the line (e.g. 0.05 for ±5 %).
    ShareOfLine(f64),
}

/// 临界生, reported separately below (临界下) and above (临界上) the line. Indices refer to the
/// input slice, sorted by total descending.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BorderlineStudents {
    pub line: f64,
    pub delta: f64,
    /// `L_T − δ ≤ T < L_T`.
    pub below: Vec<usize>,
    /// `L_T ≤ T < L_T + δ`.
    pub above: Vec<usize>,
}

/// Students within δ of the target line.
pub fn borderline_students(
    totals: &[f64],
    line: f64,
    window: BorderlineWindow,
) -> crate::Result<BorderlineStudents> {
    check_finite("total", totals)?;
    let delta = match window {
        BorderlineWindow::Points(d) => d,
        BorderlineWindow::ShareOfLine(f) => f * line.abs(),
    };
    if !(delta.is_finite() && delta >= 0.0) {
        return Err(AnalyticsError::InvalidValue {
            what: "borderline window",
            value: delta,
        });
    }
    let mut order: Vec<usize> = (0..totals.len()).collect();
    order.sort_by(|&a, &b| totals[b].total_cmp(&totals[a]).then(a.cmp(&b)));
    let below = order
        .iter()
        .copied()
        .filter(|&i| totals[i] < line && totals[i] >= line - delta)
        .collect();
    let above = order
        .iter()
        .copied()
        .filter(|&i| totals[i] >= line && totals[i] < line + delta)
        .collect();
    Ok(BorderlineStudents {
        line,
        delta,
        below,
        above,
    })
}
