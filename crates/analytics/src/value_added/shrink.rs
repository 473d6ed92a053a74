//! M6 two-step empirical-Bayes shrinkage of given unit estimates (§4.2).
//!
//! DerSimonian–Laird: `τ̂² = max(0, (Q − (J−1)) / (Σw − Σw²/Σw))`, `λ_j = τ̂²/(τ̂² + V_j)`,
//! `v_j^EB = m + λ_j (v_j − m)`. Optionally τ² by REML (fixed-point iteration). James–Stein
//! (equal variances): `v̄ + c (v_j − v̄)`, `c = max(0, 1 − (J−3)V/Σ(v_j − v̄)²)`.
//! When τ̂² = 0 every unit collapses to the target and the result says: do not rank.
use serde::{Deserialize, Serialize};

use crate::error::{AnalyticsError, check_finite};
use crate::special::chi2_sf;

/// The statement required when the between-unit variance is 0 (§4.2 M6 step 4).
pub const NO_VARIATION_MESSAGE: &str =
    "no detectable between-unit variation — do not rank (单位间差异不显著，不宜排名)";

/// A raw unit estimate with its standard error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitEstimate {
    pub group: String,
    pub estimate: f64,
    pub se: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShrinkMethod {
    /// DerSimonian–Laird method-of-moments τ² (the default).
    #[default]
    Dl,
    /// τ² by REML fixed-point iteration, starting from DL.
    Reml,
    /// James–Stein with equal sampling variances (Efron & Morris 1977).
    Js,
}

/// The value m the estimates shrink toward.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShrinkTarget {
    /// The precision-weighted mean Σw*v/Σw* with w* = 1/(V + τ²) (the default for arbitrary
    /// estimates; James–Stein always uses the plain mean v̄).
    #[default]
    PooledMean,
    /// 0, for residual-based VA that is centred by construction.
    Zero,
    Value(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ShrinkOptions {
    pub method: ShrinkMethod,
    pub target: ShrinkTarget,
    /// Interval multiplier (1.96 for 95 %; 1.39 for pairwise visual comparison).
    pub z: f64,
}

impl Default for ShrinkOptions {
    fn default() -> Self {
        ShrinkOptions {
            method: ShrinkMethod::Dl,
            target: ShrinkTarget::PooledMean,
            z: 1.96,
        }
    }
}

/// One unit after shrinkage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShrunkUnit {
    pub group: String,
    pub estimate: f64,
    pub se: f64,
    pub shrunken: f64,
    pub lambda: f64,
    /// √(λ_j V_j).
    pub posterior_sd: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShrinkResult {
    pub method: ShrinkMethod,
    /// Number of units J.
    pub j: usize,
    /// Precision-weighted mean (random-effects weights) — for JS the plain mean.
    pub pooled_mean: f64,
    pub pooled_se: f64,
    /// The value shrunk toward.
    pub target: f64,
    /// Cochran's Q (fixed-effect weights) and its χ²_{J−1} p-value.
    pub q: f64,
    pub q_p_value: f64,
    pub tau2: f64,
    /// False when τ² = 0.
    pub rankable: bool,
    pub message: Option<String>,
    pub groups: Vec<ShrunkUnit>,
}

/// Shrinks unit estimates toward a common value.
pub fn shrink(units: &[UnitEstimate], opts: &ShrinkOptions) -> crate::Result<ShrinkResult> {
    let j = units.len();
    let needed = if opts.method == ShrinkMethod::Js {
        4
    } else {
        2
    };
    if j < needed {
        return Err(AnalyticsError::TooFew {
            what: "units to shrink",
            needed,
            got: j,
        });
    }
    let v: Vec<f64> = units.iter().map(|u| u.estimate).collect();
    let var: Vec<f64> = units.iter().map(|u| u.se * u.se).collect();
    check_finite("unit estimate", &v)?;
    if let Some(u) = units.iter().find(|u| !(u.se.is_finite() && u.se > 0.0)) {
        return Err(AnalyticsError::InvalidValue {
            what: "unit standard error",
            value: u.se,
        });
    }
    let jf = j as f64;
    // Cochran's Q with fixed-effect weights.
    let w: Vec<f64> = var.iter().map(|v| 1.0 / v).collect();
    let sw: f64 = w.iter().sum();
    let vbar_w = w.iter().zip(&v).map(|(w, v)| w * v).sum::<f64>() / sw;
    let q: f64 = w
        .iter()
        .zip(&v)
        .map(|(w, v)| w * (v - vbar_w).powi(2))
        .sum();
    let q_p_value = chi2_sf(q, jf - 1.0);

    let (tau2, pooled_mean, pooled_se, target, lambdas): (f64, f64, f64, f64, Vec<f64>) =
        match opts.method {
            ShrinkMethod::Js => {
                let v0 = var[0];
                if var.iter().any(|x| (x - v0).abs() > 1e-9 * v0) {
                    return Err(AnalyticsError::Inconsistent {
                        what: "James–Stein needs equal standard errors",
                    });
                }
                let vbar = v.iter().sum::<f64>() / jf;
                let s: f64 = v.iter().map(|x| (x - vbar).powi(2)).sum();
                let c = if s > 0.0 {
                    (1.0 - (jf - 3.0) * v0 / s).max(0.0)
                } else {
                    0.0
                };
                // c = τ²/(τ² + V) ⇒ implied τ² = V·c/(1 − c).
                let tau2 = if c < 1.0 {
                    v0 * c / (1.0 - c)
                } else {
                    f64::INFINITY
                };
                (tau2, vbar, (v0 / jf).sqrt(), vbar, vec![c; j])
            }
            ShrinkMethod::Dl | ShrinkMethod::Reml => {
                let sw2: f64 = w.iter().map(|w| w * w).sum();
                let mut tau2 = ((q - (jf - 1.0)) / (sw - sw2 / sw)).max(0.0);
                if opts.method == ShrinkMethod::Reml {
                    tau2 = reml_tau2(&v, &var, tau2);
                }
                let ws: Vec<f64> = var.iter().map(|v| 1.0 / (v + tau2)).collect();
                let sws: f64 = ws.iter().sum();
                let mu = ws.iter().zip(&v).map(|(w, v)| w * v).sum::<f64>() / sws;
                let target = match opts.target {
                    ShrinkTarget::PooledMean => mu,
                    ShrinkTarget::Zero => 0.0,
                    ShrinkTarget::Value(m) => m,
                };
                let lambdas = var.iter().map(|v| tau2 / (tau2 + v)).collect();
                (tau2, mu, (1.0 / sws).sqrt(), target, lambdas)
            }
        };
    let rankable = tau2 > 0.0;
    let mut message = (!rankable).then(|| NO_VARIATION_MESSAGE.to_string());
    if rankable && j < 20 && opts.method != ShrinkMethod::Js {
        message = Some(super::few_units_message(j));
    }
    let groups = units
        .iter()
        .zip(&lambdas)
        .zip(&var)
        .map(|((u, &l), &vj)| {
            let shrunken = target + l * (u.estimate - target);
            let psd = (l * vj).sqrt();
            ShrunkUnit {
                group: u.group.clone(),
                estimate: u.estimate,
                se: u.se,
                shrunken,
                lambda: l,
                posterior_sd: psd,
                ci_low: shrunken - opts.z * psd,
                ci_high: shrunken + opts.z * psd,
            }
        })
        .collect();
    Ok(ShrinkResult {
        method: opts.method,
        j,
        pooled_mean,
        pooled_se,
        target,
        q,
        q_p_value,
        tau2,
        rankable,
        message,
        groups,
    })
}

/// REML τ² by the fixed-point iteration of §4.2 M6, truncated at 0.
fn reml_tau2(v: &[f64], var: &[f64], start: f64) -> f64 {
    let mut tau2 = start;
    for _ in 0..1000 {
        let w: Vec<f64> = var.iter().map(|x| 1.0 / (x + tau2)).collect();
        let sw: f64 = w.iter().sum();
        let mu = w.iter().zip(v).map(|(w, v)| w * v).sum::<f64>() / sw;
        let sw2: f64 = w.iter().map(|w| w * w).sum();
        let num: f64 = w
            .iter()
            .zip(v)
            .zip(var)
            .map(|((w, v), s)| w * w * ((v - mu).powi(2) - s))
            .sum();
        let next = (num / sw2 + 1.0 / sw).max(0.0);
        if (next - tau2).abs() <= 1e-14 * next.max(1e-300) || next == tau2 {
            return next;
        }
        tau2 = next;
    }
    tau2
}
