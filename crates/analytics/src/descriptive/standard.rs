//! Standard scores (§2.2) and 百分等级 (§2.3).
//!
//! Z uses the reference population's σ with the n denominator (descriptive standardisation);
//! T = a + b·z with (50, 10) by default. PR uses the midpoint rule
//! `PR(x) = 100·(B + 0.5·E)/N` (B below x, E equal to x).
use serde::{Deserialize, Serialize};

use crate::error::{AnalyticsError, check_finite};
use crate::special::normal_quantile;

/// `z = (x − μ)/σ`; `None` when σ = 0 ("无区分").
pub fn z_score(x: f64, mean: f64, sd_population: f64) -> Option<f64> {
    (sd_population > 0.0).then(|| (x - mean) / sd_population)
}

/// The linear scale `a + b·z` of a T score: (50, 10) by default, (500, 100) for the legacy
/// 高考 standard score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TScale {
    pub a: f64,
    pub b: f64,
}

impl Default for TScale {
    fn default() -> Self {
        TScale { a: 50.0, b: 10.0 }
    }
}

/// Z and T scores of a set of scores against an explicit reference population.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StandardScores {
    pub reference_n: usize,
    pub reference_mean: f64,
    /// σ with the n denominator.
    pub reference_sd: f64,
    pub scale: TScale,
    pub z: Vec<f64>,
    pub t: Vec<f64>,
}

/// Standardises `scores` against `reference` (usually the district cohort of the exam and
/// subject). Errors when the reference is empty or has σ = 0.
pub fn standard_scores(
    scores: &[f64],
    reference: &[f64],
    scale: TScale,
) -> crate::Result<StandardScores> {
    check_finite("score", scores)?;
    check_finite("reference score", reference)?;
    let m = super::mean(reference).ok_or(AnalyticsError::Empty { what: "reference" })?;
    let sd = super::sd_population(reference).unwrap_or(0.0);
    if sd <= 0.0 {
        return Err(AnalyticsError::ZeroVariance {
            what: "reference scores",
        });
    }
    let z: Vec<f64> = scores.iter().map(|x| (x - m) / sd).collect();
    let t = z.iter().map(|z| scale.a + scale.b * z).collect();
    Ok(StandardScores {
        reference_n: reference.len(),
        reference_mean: m,
        reference_sd: sd,
        scale,
        z,
        t,
    })
}

/// 百分等级 of `x` in a **sorted** reference (midpoint rule), in [0, 100]; `None` if empty.
pub fn percentile_rank(x: f64, sorted_reference: &[f64]) -> Option<f64> {
    if sorted_reference.is_empty() {
        return None;
    }
    let below = sorted_reference.partition_point(|&r| r < x);
    let upto = sorted_reference.partition_point(|&r| r <= x);
    let equal = upto - below;
    Some(100.0 * (below as f64 + 0.5 * equal as f64) / sorted_reference.len() as f64)
}

/// 百分等级 of every score within its own cohort (the cohort is the reference).
pub fn percentile_ranks(scores: &[f64]) -> crate::Result<Vec<f64>> {
    check_finite("score", scores)?;
    let mut sorted = scores.to_vec();
    sorted.sort_by(f64::total_cmp);
    Ok(scores
        .iter()
        .map(|&x| percentile_rank(x, &sorted).unwrap_or(f64::NAN))
        .collect())
}

/// Normalised (area-transformed) Z `z* = Φ⁻¹(PR/100)`, with PR clamped to
/// [50/N, 100 − 50/N] so the extremes stay finite.
pub fn normalised_z(pr: f64, n: usize) -> Option<f64> {
    if n == 0 || !pr.is_finite() {
        return None;
    }
    let lo = 50.0 / n as f64;
    let p = pr.clamp(lo, 100.0 - lo) / 100.0;
    Some(normal_quantile(p))
}
