//! Multi-item scales (§7.1–§7.2): a respondent's scale score is the mean of the items they
//! answered on a scale point, reverse-keyed items turned round first, and exists only when at
//! least half of the scale's items were answered; reliability is Cronbach's α.
//!
//! Answers come as one flat row-major slice, `k` answers per respondent, so a million
//! responses are one allocation.
use serde::{Deserialize, Serialize};

use super::{Answer, MinRespondents, POINTS, Z_95};
use crate::compare::wilson_interval;
use crate::error::{AnalyticsError, check_len};

/// A scale's results for one unit. Numbers are `None` when the unit is suppressed or has no
/// scale score at all.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScaleResult {
    /// Items in the scale.
    pub items: usize,
    /// Respondents with a scale score (≥ 50 % of the items answered on a scale point).
    pub n: usize,
    /// Share of scored respondents whose scale score is ≥ 3.5, i.e. nearer 满意 than 基本满意.
    pub top2_rate: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Share with a scale score ≥ 2.5 (the top-3 variant).
    pub top3_rate: Option<f64>,
    pub mean: Option<f64>,
    pub index: Option<f64>,
    /// Cronbach's α over respondents who answered every item on a scale point.
    pub alpha: Option<f64>,
    /// Respondents α was computed from.
    pub alpha_n: usize,
}

impl ScaleResult {
    pub fn suppressed(&self) -> bool {
        self.mean.is_none()
    }
}

fn check_shape(answers: &[Answer], k: usize, reverse: &[bool]) -> crate::Result<()> {
    if k == 0 {
        return Err(AnalyticsError::TooFew {
            what: "items in a scale",
            needed: 1,
            got: 0,
        });
    }
    check_len("reverse keys of a scale", k, reverse.len())?;
    check_len(
        "answers of a scale (a multiple of its items)",
        answers.len().div_ceil(k) * k,
        answers.len(),
    )
}

/// The point of an answer after reverse keying, if it is a scale point.
fn keyed(a: Answer, reverse: bool) -> Option<u8> {
    match if reverse { a.reversed() } else { a } {
        Answer::Point(p) => Some(p),
        _ => None,
    }
}

/// Writes a respondent's keyed points into `out`; false when an item is not on a scale point.
fn fill_keyed(row: &[Answer], reverse: &[bool], out: &mut [f64]) -> bool {
    for ((x, &a), &r) in out.iter_mut().zip(row).zip(reverse) {
        match keyed(a, r) {
            Some(p) => *x = f64::from(p),
            None => return false,
        }
    }
    true
}

/// Sum of points and number of items answered on a scale point, per respondent.
fn row_sums<'a>(
    answers: &'a [Answer],
    k: usize,
    reverse: &'a [bool],
) -> impl Iterator<Item = (u32, u32)> + 'a {
    answers.chunks_exact(k).map(move |row| {
        row.iter()
            .zip(reverse)
            .filter_map(|(&a, &r)| keyed(a, r))
            .fold((0u32, 0u32), |(s, m), p| (s + u32::from(p), m + 1))
    })
}

/// Each respondent's scale score, `None` when fewer than half of the items were answered on a
/// scale point (不了解 counts as not answered).
pub fn scale_scores(
    answers: &[Answer],
    k: usize,
    reverse: &[bool],
) -> crate::Result<Vec<Option<f64>>> {
    check_shape(answers, k, reverse)?;
    Ok(row_sums(answers, k, reverse)
        .map(|(s, m)| (2 * m as usize >= k && m > 0).then(|| f64::from(s) / f64::from(m)))
        .collect())
}

/// Cronbach's α = k/(k−1)·(1 − Σσ²ᵢ/σ²_T) over the respondents who answered all `k` items on
/// a scale point (listwise), after reverse keying. Returns (respondents used, α); α is `None`
/// with fewer than 2 such respondents or when their totals do not vary.
pub fn cronbach_alpha(
    answers: &[Answer],
    k: usize,
    reverse: &[bool],
) -> crate::Result<(usize, Option<f64>)> {
    check_shape(answers, k, reverse)?;
    if k < 2 {
        return Err(AnalyticsError::TooFew {
            what: "items for Cronbach's alpha",
            needed: 2,
            got: k,
        });
    }
    // One buffer for the keyed row, refilled per respondent: no allocation per row.
    let mut keyed_row = vec![0.0f64; k];
    // Two passes (means, then squared deviations) keep the variances accurate for large n.
    let mut n = 0usize;
    let mut item_sum = vec![0.0f64; k];
    for row in answers.chunks_exact(k) {
        if fill_keyed(row, reverse, &mut keyed_row) {
            n += 1;
            for (s, x) in item_sum.iter_mut().zip(&keyed_row) {
                *s += x;
            }
        }
    }
    if n < 2 {
        return Ok((n, None));
    }
    let nf = n as f64;
    let item_mean: Vec<f64> = item_sum.iter().map(|s| s / nf).collect();
    let total_mean: f64 = item_mean.iter().sum();
    let mut item_ss = vec![0.0f64; k];
    let mut total_ss = 0.0f64;
    for row in answers.chunks_exact(k) {
        if !fill_keyed(row, reverse, &mut keyed_row) {
            continue;
        }
        let mut total = 0.0;
        for ((ss, x), m) in item_ss.iter_mut().zip(&keyed_row).zip(&item_mean) {
            *ss += (x - m) * (x - m);
            total += x;
        }
        total_ss += (total - total_mean) * (total - total_mean);
    }
    if total_ss <= 1e-12 * nf {
        return Ok((n, None));
    }
    let kf = k as f64;
    let alpha = kf / (kf - 1.0) * (1.0 - item_ss.iter().sum::<f64>() / total_ss);
    Ok((n, Some(alpha)))
}

/// The scale's results for one unit, suppressed when fewer than `min` respondents have a
/// scale score.
pub fn scale_result(
    answers: &[Answer],
    k: usize,
    reverse: &[bool],
    min: MinRespondents,
) -> crate::Result<ScaleResult> {
    check_shape(answers, k, reverse)?;
    let (mut n, mut sum, mut top2, mut top3) = (0usize, 0.0f64, 0usize, 0usize);
    for (s, m) in row_sums(answers, k, reverse) {
        if m == 0 || 2 * (m as usize) < k {
            continue;
        }
        n += 1;
        sum += f64::from(s) / f64::from(m);
        // s/m ≥ 3.5 and s/m ≥ 2.5, compared exactly in integers.
        top2 += usize::from(2 * s >= 7 * m);
        top3 += usize::from(2 * s >= 5 * m);
    }
    let (alpha_n, alpha) = if k >= 2 {
        cronbach_alpha(answers, k, reverse)?
    } else {
        (0, None)
    };
    let mut r = ScaleResult {
        items: k,
        n,
        top2_rate: None,
        ci_low: None,
        ci_high: None,
        top3_rate: None,
        mean: None,
        index: None,
        alpha: None,
        alpha_n,
    };
    if n == 0 || min.suppresses(n) {
        return Ok(r);
    }
    let nf = n as f64;
    let rate = top2 as f64 / nf;
    let (lo, hi) = wilson_interval(top2, n, Z_95).unwrap_or((rate, rate));
    let mean = sum / nf;
    r.top2_rate = Some(rate);
    r.ci_low = Some(lo.clamp(0.0, rate));
    r.ci_high = Some(hi.clamp(rate, 1.0));
    r.top3_rate = Some(top3 as f64 / nf);
    r.mean = Some(mean);
    r.index = Some(100.0 * (mean - 1.0) / f64::from(POINTS - 1));
    r.alpha = alpha;
    Ok(r)
}
