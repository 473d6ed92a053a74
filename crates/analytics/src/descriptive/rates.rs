//! 三率一分 (§1.1) and 参考率 (§0.3).
//!
//! Lines are inclusive (≥) for 优秀/良好/及格 and strict (<) for 低分. Threshold tests are exact:
//! scores are compared in hundredths of a point and fractional lines in 1/10000 of full marks,
//! so 71.5 is never a pass at 72 because of binary rounding (§0.2).
use serde::{Deserialize, Serialize};

use crate::error::AnalyticsError;
use crate::round::{hundredths, per_ten_thousand};

/// One student's result in one subject.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "score")]
pub enum Mark {
    /// Sat the exam; 0 points is a real score.
    Score(f64),
    /// 缺考: enrolled but did not sit. Not a 0 (unless the district counts it as 0).
    Absent,
    /// Sat, but excluded from statistics by a configured rule (随班就读, long sick leave, …).
    Excluded,
}

/// A score line as a fraction of full marks (the default) or an absolute score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Line {
    Fraction(f64),
    Absolute(f64),
}

impl Line {
    /// The line in points for a paper with `full_marks`.
    pub fn points(self, full_marks: f64) -> f64 {
        match self {
            Line::Fraction(f) => f * full_marks,
            Line::Absolute(a) => a,
        }
    }

    /// Exact `x ≥ line`.
    fn reached(self, x: f64, full_marks: f64) -> bool {
        match self {
            Line::Fraction(f) => {
                hundredths(x) as i128 * 10_000
                    >= hundredths(full_marks) as i128 * per_ten_thousand(f) as i128
            }
            Line::Absolute(a) => hundredths(x) >= hundredths(a),
        }
    }
}

/// The configurable lines; [`RateLines::default`] is the usual 80/70/60/40 % (§1.1 [PRACTICE]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RateLines {
    pub excellent: Line,
    /// 良好 line for the 四率 variant; `None` to leave it out.
    pub good: Option<Line>,
    pub pass: Line,
    /// 低分: strictly below this line.
    pub low: Line,
}

impl Default for RateLines {
    fn default() -> Self {
        RateLines {
            excellent: Line::Fraction(0.80),
            good: Some(Line::Fraction(0.70)),
            pass: Line::Fraction(0.60),
            low: Line::Fraction(0.40),
        }
    }
}

/// What to do with 缺考 students (§0.3, §11.1). Default: exclude and report 参考率.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AbsentPolicy {
    #[default]
    Exclude,
    /// Some districts count 缺考 as 0 so schools gain nothing by keeping weak students home.
    CountAsZero,
}

/// 三率一分 of one unit and subject. Rates are fractions in [0, 1]; `None` means "无数据" (n = 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateSummary {
    pub full_marks: f64,
    /// 应考人数.
    pub enrolled: usize,
    /// 实考人数 (with a score, including 0 points and excluded students).
    pub sat: usize,
    pub absent: usize,
    pub excluded: usize,
    /// 统计人数: the denominator of every rate and the mean.
    pub n: usize,
    /// 参考率 = 实考 / 应考.
    pub participation_rate: Option<f64>,
    pub absent_policy: AbsentPolicy,
    pub mean: Option<f64>,
    /// 得分率 = mean / full marks.
    pub score_rate: Option<f64>,
    pub excellent_line: f64,
    pub good_line: Option<f64>,
    pub pass_line: f64,
    pub low_line: f64,
    pub excellent_count: usize,
    pub good_count: Option<usize>,
    pub pass_count: usize,
    pub low_count: usize,
    pub excellent_rate: Option<f64>,
    pub good_rate: Option<f64>,
    pub pass_rate: Option<f64>,
    pub low_rate: Option<f64>,
}

/// Computes 三率一分 and 参考率 for one unit (class, school, district) and one subject.
pub fn rate_summary(
    marks: &[Mark],
    full_marks: f64,
    lines: &RateLines,
    policy: AbsentPolicy,
) -> crate::Result<RateSummary> {
    if !(full_marks.is_finite() && full_marks > 0.0) {
        return Err(AnalyticsError::InvalidValue {
            what: "full_marks",
            value: full_marks,
        });
    }
    let mut stats: Vec<f64> = Vec::with_capacity(marks.len());
    let (mut absent, mut excluded) = (0, 0);
    for m in marks {
        match *m {
            Mark::Score(x) => {
                if !(x.is_finite() && (0.0..=full_marks).contains(&x)) {
                    return Err(AnalyticsError::InvalidValue {
                        what: "score",
                        value: x,
                    });
                }
                stats.push(x);
            }
            Mark::Absent => {
                absent += 1;
                if policy == AbsentPolicy::CountAsZero {
                    stats.push(0.0);
                }
            }
            Mark::Excluded => excluded += 1,
        }
    }
    let enrolled = marks.len();
    let sat = enrolled - absent;
    let n = stats.len();
    let count = |pred: &dyn Fn(f64) -> bool| stats.iter().filter(|&&x| pred(x)).count();
    let excellent_count = count(&|x| lines.excellent.reached(x, full_marks));
    let good_count = lines.good.map(|g| count(&|x| g.reached(x, full_marks)));
    let pass_count = count(&|x| lines.pass.reached(x, full_marks));
    let low_count = count(&|x| !lines.low.reached(x, full_marks));
    let rate = |c: usize| (n > 0).then(|| c as f64 / n as f64);
    let mean = super::mean(&stats);
    Ok(RateSummary {
        full_marks,
        enrolled,
        sat,
        absent,
        excluded,
        n,
        participation_rate: (enrolled > 0).then(|| sat as f64 / enrolled as f64),
        absent_policy: policy,
        mean,
        score_rate: mean.map(|m| m / full_marks),
        excellent_line: lines.excellent.points(full_marks),
        good_line: lines.good.map(|g| g.points(full_marks)),
        pass_line: lines.pass.points(full_marks),
        low_line: lines.low.points(full_marks),
        excellent_count,
        good_count,
        pass_count,
        low_count,
        excellent_rate: rate(excellent_count),
        good_rate: good_count.and_then(rate),
        pass_rate: rate(pass_count),
        low_rate: rate(low_count),
    })
}

/// 全科及格率: the share of students passing every subject of the set.
///
/// `rows[i][s]` is student i's mark in subject s with full marks `full_marks[s]`. Students with
/// any absent or excluded subject are left out of the denominator (they did not sit the full
/// set). Returns (n, rate); rate is `None` when n = 0.
pub fn all_subjects_pass_rate(
    rows: &[Vec<Mark>],
    full_marks: &[f64],
    pass: Line,
) -> crate::Result<(usize, Option<f64>)> {
    let mut n = 0;
    let mut passed = 0;
    for row in rows {
        crate::error::check_len("subjects per student", full_marks.len(), row.len())?;
        let scores: Option<Vec<f64>> = row
            .iter()
            .map(|m| match m {
                Mark::Score(x) => Some(*x),
                _ => None,
            })
            .collect();
        let Some(scores) = scores else { continue };
        n += 1;
        if scores
            .iter()
            .zip(full_marks)
            .all(|(&x, &f)| pass.reached(x, f))
        {
            passed += 1;
        }
    }
    Ok((n, (n > 0).then(|| passed as f64 / n as f64)))
}
