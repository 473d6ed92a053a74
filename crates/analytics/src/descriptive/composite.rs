//! Composite scores for ranking units (§1.2). There is no national formula, so the weights are
//! configuration; the presets are labelled as presets, not official.
use serde::{Deserialize, Serialize};

use super::RateSummary;
use crate::error::AnalyticsError;

/// The four (five with 良好) indicators of one unit, as fractions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UnitIndicators {
    /// 得分率 x̄ / F.
    pub score_rate: f64,
    pub excellent_rate: f64,
    /// 0 when the 良好 line is not used.
    pub good_rate: f64,
    pub pass_rate: f64,
    pub low_rate: f64,
}

impl UnitIndicators {
    /// The indicators of a [`RateSummary`]; `None` when the unit has no data (n = 0).
    pub fn from_summary(s: &RateSummary) -> Option<Self> {
        Some(UnitIndicators {
            score_rate: s.score_rate?,
            excellent_rate: s.excellent_rate?,
            good_rate: s.good_rate.unwrap_or(0.0),
            pass_rate: s.pass_rate?,
            low_rate: s.low_rate?,
        })
    }

    /// In the order mean, excellent, good, pass, (1 − low): every component "higher is better".
    fn components(&self) -> [f64; 5] {
        [
            self.score_rate,
            self.excellent_rate,
            self.good_rate,
            self.pass_rate,
            1.0 - self.low_rate,
        ]
    }
}

/// Weights of the composite; they must sum to 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AbsoluteWeights {
    pub mean: f64,
    pub excellent: f64,
    pub good: f64,
    pub pass: f64,
    pub low: f64,
}

impl AbsoluteWeights {
    /// Preset "两率一分": mean 0.4, 优秀 0.3, 及格 0.3.
    pub const TWO_RATES_ONE_SCORE: AbsoluteWeights = AbsoluteWeights {
        mean: 0.4,
        excellent: 0.3,
        good: 0.0,
        pass: 0.3,
        low: 0.0,
    };
    /// Preset "三率一分": mean, 优秀, 及格 0.3 each and 低分 0.1 (entering reversed).
    pub const THREE_RATES_ONE_SCORE: AbsoluteWeights = AbsoluteWeights {
        mean: 0.3,
        excellent: 0.3,
        good: 0.0,
        pass: 0.3,
        low: 0.1,
    };

    fn as_array(&self) -> [f64; 5] {
        [self.mean, self.excellent, self.good, self.pass, self.low]
    }

    fn validate(&self) -> crate::Result<()> {
        let w = self.as_array();
        if let Some(&bad) = w.iter().find(|x| !x.is_finite() || **x < 0.0) {
            return Err(AnalyticsError::InvalidValue {
                what: "composite weight",
                value: bad,
            });
        }
        let sum: f64 = w.iter().sum();
        if (sum - 1.0).abs() > 1e-9 {
            return Err(AnalyticsError::InvalidValue {
                what: "sum of composite weights",
                value: sum,
            });
        }
        Ok(())
    }
}

/// (a) Absolute composite `C = 100·(w_a·x̄/F + w_e·R_e + w_g·R_g + w_p·R_p + w_l·(1 − R_l))`.
pub fn absolute_composite(ind: &UnitIndicators, w: &AbsoluteWeights) -> crate::Result<f64> {
    w.validate()?;
    let c: f64 = ind
        .components()
        .iter()
        .zip(w.as_array())
        .map(|(i, w)| i * w)
        .sum();
    Ok(100.0 * c)
}

/// How the low rate is scored against the best unit in the relative composite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelativeLowRule {
    /// `W_l · min(R_l) / R_l` (a unit with R_l = 0 gets the full weight).
    MinOverValue,
    /// `W_l · (1 − R_l) / max(1 − R_l)`.
    #[default]
    ComplementOverMax,
}

fn max_of(units: &[UnitIndicators], k: usize) -> f64 {
    units
        .iter()
        .map(|u| u.components()[k])
        .fold(f64::NEG_INFINITY, f64::max)
}

/// (b) Relative-to-leader composite on a 0–100 scale: `100·Σ w_k · I_k / max_units(I_k)`.
/// A component whose maximum is 0 scores 0 for every unit (§1.2 edge case).
pub fn relative_composite(
    units: &[UnitIndicators],
    w: &AbsoluteWeights,
    low_rule: RelativeLowRule,
) -> crate::Result<Vec<f64>> {
    w.validate()?;
    let weights = w.as_array();
    let maxes: Vec<f64> = (0..5).map(|k| max_of(units, k)).collect();
    let min_low = units
        .iter()
        .map(|u| u.low_rate)
        .fold(f64::INFINITY, f64::min);
    Ok(units
        .iter()
        .map(|u| {
            let comps = u.components();
            let mut c = 0.0;
            for k in 0..5 {
                let part = if k == 4 && low_rule == RelativeLowRule::MinOverValue {
                    if u.low_rate == 0.0 {
                        1.0
                    } else {
                        min_low / u.low_rate
                    }
                } else if maxes[k] > 0.0 {
                    comps[k] / maxes[k]
                } else {
                    0.0
                };
                c += weights[k] * part;
            }
            100.0 * c
        })
        .collect())
}

/// (b') The harsh local variant "第一名得满分，每落后一个百分点减1分":
/// `score_k = max(0, 100·w_k − 100·(I_k,max − I_k))`, summed over components.
pub fn relative_composite_deduct(
    units: &[UnitIndicators],
    w: &AbsoluteWeights,
) -> crate::Result<Vec<f64>> {
    w.validate()?;
    let weights = w.as_array();
    let maxes: Vec<f64> = (0..5).map(|k| max_of(units, k)).collect();
    Ok(units
        .iter()
        .map(|u| {
            let comps = u.components();
            (0..5)
                .filter(|&k| weights[k] > 0.0)
                .map(|k| (100.0 * weights[k] - 100.0 * (maxes[k] - comps[k])).max(0.0))
                .sum()
        })
        .collect())
}

/// (c) Standardised composite `C = Σ w_k z_k` with z across the units (population SD), the low
/// rate entering with a negative sign. A component with SD 0 contributes z = 0 for every unit.
pub fn standardised_composite(
    units: &[UnitIndicators],
    w: &AbsoluteWeights,
) -> crate::Result<Vec<f64>> {
    w.validate()?;
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let weights = w.as_array();
    let mut out = vec![0.0; units.len()];
    for (k, wk) in weights.iter().enumerate() {
        if *wk == 0.0 {
            continue;
        }
        // Component 4 is (1 − R_l), so z of it is exactly −z of R_l.
        let col: Vec<f64> = units.iter().map(|u| u.components()[k]).collect();
        let m = super::mean(&col).unwrap_or(0.0);
        let sd = super::sd_population(&col).unwrap_or(0.0);
        if sd > 0.0 {
            for (o, x) in out.iter_mut().zip(&col) {
                *o += wk * (x - m) / sd;
            }
        }
    }
    Ok(out)
}
