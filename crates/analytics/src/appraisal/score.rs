//! The multi-source score (§6.2): S = Σ ω_s·S_s over the sources present, the weights
//! re-normalised over them and the gap flagged — a missing source is never imputed as 0.
use serde::Serialize;

use crate::AnalyticsError;

/// Raters needed after trimming for the peer source to count.
pub const MIN_PEER_RATERS: usize = 3;
/// From this many raters the highest and the lowest rating are dropped.
pub const TRIM_FROM: usize = 5;

/// The peer source: the trimmed mean and how many ratings it rests on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PeerMean {
    pub mean: f64,
    /// Ratings averaged (after trimming).
    pub used: usize,
    pub trimmed: bool,
}

/// The peer mean of §6.2: with ≥ 5 raters drop one highest and one lowest, then average; fewer
/// than 3 ratings left → `None` (the source is missing). Ratings must lie in 0–100.
pub fn peer_mean(ratings: &[f64]) -> crate::Result<Option<PeerMean>> {
    check_scores("peer rating", ratings)?;
    let mut sorted = ratings.to_vec();
    sorted.sort_by(f64::total_cmp);
    let trimmed = sorted.len() >= TRIM_FROM;
    let kept = if trimmed {
        &sorted[1..sorted.len() - 1]
    } else {
        &sorted[..]
    };
    if kept.len() < MIN_PEER_RATERS {
        return Ok(None);
    }
    Ok(Some(PeerMean {
        mean: kept.iter().sum::<f64>() / kept.len() as f64,
        used: kept.len(),
        trimmed,
    }))
}

/// One source of the score: its configured weight and its value, if present (0–100).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Source {
    pub weight: f64,
    pub value: Option<f64>,
}

/// The weighted score and what it rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightedScore {
    pub score: f64,
    /// The weights used, in the order of the sources (0 for a missing one).
    pub weights: Vec<f64>,
    /// Indices of the missing sources; non-empty means the weights were re-normalised.
    pub missing: Vec<usize>,
}

impl WeightedScore {
    pub fn renormalised(&self) -> bool {
        !self.missing.is_empty()
    }
}

/// S = Σ ω'_s·S_s with ω'_s = ω_s / Σ_present ω. `None` when no source with a positive weight
/// is present. Weights must be ≥ 0 and values in 0–100.
pub fn weighted_score(sources: &[Source]) -> crate::Result<Option<WeightedScore>> {
    for s in sources {
        if !s.weight.is_finite() || s.weight < 0.0 {
            return Err(AnalyticsError::InvalidValue {
                what: "source weight",
                value: s.weight,
            });
        }
        if let Some(v) = s.value {
            check_scores("source score", &[v])?;
        }
    }
    let present: f64 = sources
        .iter()
        .filter(|s| s.value.is_some())
        .map(|s| s.weight)
        .sum();
    if present <= 0.0 {
        return Ok(None);
    }
    let weights: Vec<f64> = sources
        .iter()
        .map(|s| {
            if s.value.is_some() {
                s.weight / present
            } else {
                0.0
            }
        })
        .collect();
    let score = sources
        .iter()
        .zip(&weights)
        .filter_map(|(s, w)| s.value.map(|v| v * w))
        .sum();
    let missing = sources
        .iter()
        .enumerate()
        .filter(|(_, s)| s.value.is_none() && s.weight > 0.0)
        .map(|(i, _)| i)
        .collect();
    Ok(Some(WeightedScore {
        score,
        weights,
        missing,
    }))
}

pub(crate) fn check_scores(what: &'static str, xs: &[f64]) -> crate::Result<()> {
    match xs
        .iter()
        .find(|x| !x.is_finite() || !(0.0..=100.0).contains(*x))
    {
        Some(&value) => Err(AnalyticsError::InvalidValue { what, value }),
        None => Ok(()),
    }
}
