//! Distribution summary per unit × subject (§2.1).
//!
//! The reported 标准差 is the **sample** SD s (n − 1); σ (n) is used only inside standard
//! scores (§2.2). Quantiles are Hyndman–Fan type 7 (R's default, Excel PERCENTILE.INC).
use serde::Serialize;

use crate::error::{AnalyticsError, check_finite};

/// Arithmetic mean; `None` for an empty slice (a report shows "无数据", never 0).
pub fn mean(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    // Two-pass: a shifted sum keeps precision on large scores.
    let first = xs[0];
    let s: f64 = xs.iter().map(|x| x - first).sum();
    Some(first + s / xs.len() as f64)
}

fn sum_sq_dev(xs: &[f64]) -> Option<f64> {
    let m = mean(xs)?;
    Some(xs.iter().map(|x| (x - m) * (x - m)).sum())
}

/// σ² = Σ(x − x̄)²/n.
pub fn variance_population(xs: &[f64]) -> Option<f64> {
    sum_sq_dev(xs).map(|s| s / xs.len() as f64)
}

/// s² = Σ(x − x̄)²/(n − 1); `None` for n < 2.
pub fn variance_sample(xs: &[f64]) -> Option<f64> {
    if xs.len() < 2 {
        return None;
    }
    sum_sq_dev(xs).map(|s| s / (xs.len() - 1) as f64)
}

/// σ (n denominator).
pub fn sd_population(xs: &[f64]) -> Option<f64> {
    variance_population(xs).map(f64::sqrt)
}

/// s (n − 1 denominator), the SD reported as 标准差.
pub fn sd_sample(xs: &[f64]) -> Option<f64> {
    variance_sample(xs).map(f64::sqrt)
}

/// Type-7 quantile of already **sorted** values: h = (n−1)p, linear interpolation.
pub fn quantile_type7(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// Distribution summary of one unit's scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub n: usize,
    pub min: f64,
    pub max: f64,
    /// 全距 max − min.
    pub range: f64,
    pub mean: f64,
    /// Sample SD s (n − 1), the reported 标准差; `None` for n < 2.
    pub sd: Option<f64>,
    /// Population SD σ (n), used by standard scores.
    pub sd_population: f64,
    /// 差异系数 s / x̄; `None` if x̄ = 0 or n < 2.
    pub cv: Option<f64>,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    /// Moment skewness g1 = m3 / m2^{3/2}; `None` if n < 3 or σ = 0.
    pub skewness_g1: Option<f64>,
    /// Adjusted skewness G1 (SAS/SPSS/Excel SKEW), the default; `None` if n < 3 or σ = 0.
    pub skewness: Option<f64>,
    /// Excess kurtosis G2; `None` if n < 4 or σ = 0.
    pub kurtosis: Option<f64>,
}

/// Summarises one unit's scores. Errors on empty or non-finite input.
pub fn summarise(xs: &[f64]) -> crate::Result<Summary> {
    if xs.is_empty() {
        return Err(AnalyticsError::Empty { what: "scores" });
    }
    check_finite("score", xs)?;
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = xs.len();
    let nf = n as f64;
    let m = mean(xs).unwrap_or(0.0);
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for x in xs {
        let d = x - m;
        let d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    m2 /= nf;
    m3 /= nf;
    m4 /= nf;
    let sd = sd_sample(xs);
    let g1 = (n >= 3 && m2 > 0.0).then(|| m3 / m2.powf(1.5));
    let big_g1 = g1.map(|g| g * (nf * (nf - 1.0)).sqrt() / (nf - 2.0));
    let kurt = (n >= 4 && m2 > 0.0).then(|| {
        let g2 = m4 / (m2 * m2) - 3.0;
        ((nf + 1.0) * g2 + 6.0) * (nf - 1.0) / ((nf - 2.0) * (nf - 3.0))
    });
    let q = |p| quantile_type7(&sorted, p).unwrap_or(f64::NAN);
    Ok(Summary {
        n,
        min: sorted[0],
        max: sorted[n - 1],
        range: sorted[n - 1] - sorted[0],
        mean: m,
        sd,
        sd_population: m2.sqrt(),
        cv: sd.and_then(|s| (m != 0.0).then(|| s / m)),
        q1: q(0.25),
        median: q(0.5),
        q3: q(0.75),
        skewness_g1: g1,
        skewness: big_g1,
        kurtosis: kurt,
    })
}
