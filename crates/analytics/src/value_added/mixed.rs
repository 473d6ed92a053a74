//! M5 random-intercept model `y_ij = x_ijᵀβ + u_j + e_ij`, u_j ~ N(0, τ²), e_ij ~ N(0, σ²),
//! fitted by ML or REML with the profiled likelihood of §4.2 M5, and EB unit effects.
//!
//! Everything the likelihood needs is in per-unit sufficient statistics (n_j, X_jᵀ1, 1ᵀy_j,
//! X_jᵀX_j, X_jᵀy_j, y_jᵀy_j), collected in one pass; each evaluation of ℓ(θ) is then
//! O(J·p² + p³), so the 1-D search over θ = τ²/σ² costs nothing next to reading the data.
//! Columns are centred first (the intercept absorbs it) to keep the cross-products well
//! conditioned; β0 and its SE are transformed back at the end.
use serde::{Deserialize, Serialize};

use super::{Coefficient, GroupIndex, VaClass, VaModel, VaOptions, VaResult, suppressed};
use crate::error::{AnalyticsError, check_finite, check_len};
use crate::linalg::{chol_inverse, chol_logdet, chol_solve, cholesky};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Estimation {
    Ml,
    /// The default (§4.2 M5).
    #[default]
    Reml,
}

struct Suff {
    p: usize,
    n: usize,
    /// Per unit: size, s_j = X_jᵀ1, t_j = 1ᵀy_j.
    nj: Vec<f64>,
    s: Vec<Vec<f64>>,
    t: Vec<f64>,
    xtx: Vec<f64>,
    xty: Vec<f64>,
    yty: f64,
}

struct Eval {
    loglik: f64,
    beta: Vec<f64>,
    sigma2: f64,
    a_chol: Vec<f64>,
}

impl Suff {
    fn eval(&self, theta: f64, method: Estimation) -> Option<Eval> {
        let p = self.p;
        let mut a = self.xtx.clone();
        let mut b = self.xty.clone();
        let mut ytmy = self.yty;
        let mut logdet_v = 0.0;
        for j in 0..self.nj.len() {
            let c = theta / (1.0 + self.nj[j] * theta);
            let s = &self.s[j];
            for r in 0..p {
                for q in 0..p {
                    a[r * p + q] -= c * s[r] * s[q];
                }
                b[r] -= c * s[r] * self.t[j];
            }
            ytmy -= c * self.t[j] * self.t[j];
            logdet_v += (1.0 + self.nj[j] * theta).ln();
        }
        let l = cholesky(&a, p)?;
        let beta = chol_solve(&l, p, &b);
        // RSS(θ) = yᵀMy − bᵀβ (M = I − Σ c_j 11ᵀ blockwise), equal to Σ(r'r − c(1'r)²).
        let rss = (ytmy - b.iter().zip(&beta).map(|(b, x)| b * x).sum::<f64>()).max(0.0);
        let nf = self.n as f64;
        let two_pi = 2.0 * std::f64::consts::PI;
        let (sigma2, loglik) = match method {
            Estimation::Ml => {
                let s2 = rss / nf;
                (s2, -0.5 * (nf * ((two_pi * s2).ln() + 1.0) + logdet_v))
            }
            Estimation::Reml => {
                let df = nf - p as f64;
                let s2 = rss / df;
                (
                    s2,
                    -0.5 * (df * ((two_pi * s2).ln() + 1.0) + logdet_v + chol_logdet(&l, p)),
                )
            }
        };
        Some(Eval {
            loglik,
            beta,
            sigma2,
            a_chol: l,
        })
    }
}

/// Golden-section maximisation of `f` on [lo, hi].
fn golden_max(f: &dyn Fn(f64) -> f64, mut lo: f64, mut hi: f64) -> f64 {
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let mut x1 = hi - g * (hi - lo);
    let mut x2 = lo + g * (hi - lo);
    let (mut f1, mut f2) = (f(x1), f(x2));
    for _ in 0..200 {
        if (hi - lo).abs() < 1e-10 {
            break;
        }
        if f1 < f2 {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + g * (hi - lo);
            f2 = f(x2);
        } else {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - g * (hi - lo);
            f1 = f(x1);
        }
    }
    0.5 * (lo + hi)
}

/// Fits the random-intercept model and returns EB unit effects.
///
/// `priors` are the covariate columns (the intercept is added). For each unit:
/// `estimate` = raw mean residual r̄_j, `shrunken` = û_j = λ_j r̄_j with
/// `λ_j = τ²/(τ² + σ²/n_j)`, `se` = √(τ²(1 − λ_j)) (comparative SD) and the interval
/// û_j ± z·se.
pub fn random_intercept(
    outcome: &[f64],
    priors: &[(String, Vec<f64>)],
    groups: &[String],
    method: Estimation,
    opts: &VaOptions,
) -> crate::Result<VaResult> {
    let n = outcome.len();
    if n == 0 {
        return Err(AnalyticsError::Empty {
            what: "matched students",
        });
    }
    check_len("groups", n, groups.len())?;
    check_finite("outcome", outcome)?;
    for (_, v) in priors {
        check_len("prior column", n, v.len())?;
        check_finite("prior", v)?;
    }
    let p = priors.len() + 1;
    if n <= p + 1 {
        return Err(AnalyticsError::TooFew {
            what: "students for the model",
            needed: p + 2,
            got: n,
        });
    }
    let gi = GroupIndex::new(groups);
    let jn = gi.labels.len();
    if jn < 2 {
        return Err(AnalyticsError::TooFew {
            what: "units for a random intercept",
            needed: 2,
            got: jn,
        });
    }
    // Centre everything (the intercept absorbs the shift).
    let ybar = outcome.iter().sum::<f64>() / n as f64;
    let xbar: Vec<f64> = priors
        .iter()
        .map(|(_, v)| v.iter().sum::<f64>() / n as f64)
        .collect();
    let mut suff = Suff {
        p,
        n,
        nj: gi.sizes.iter().map(|&s| s as f64).collect(),
        s: vec![vec![0.0; p]; jn],
        t: vec![0.0; jn],
        xtx: vec![0.0; p * p],
        xty: vec![0.0; p],
        yty: 0.0,
    };
    let mut row = vec![0.0; p];
    row[0] = 1.0;
    for i in 0..n {
        for (k, (_, v)) in priors.iter().enumerate() {
            row[k + 1] = v[i] - xbar[k];
        }
        let y = outcome[i] - ybar;
        let g = gi.of_row[i];
        for r in 0..p {
            suff.s[g][r] += row[r];
            suff.xty[r] += row[r] * y;
            for q in r..p {
                suff.xtx[r * p + q] += row[r] * row[q];
            }
        }
        suff.t[g] += y;
        suff.yty += y * y;
    }
    for r in 0..p {
        for q in 0..r {
            suff.xtx[r * p + q] = suff.xtx[q * p + r];
        }
    }
    let singular = AnalyticsError::Singular {
        what: "prior scores are collinear or constant",
    };
    let at0 = suff.eval(0.0, method).ok_or(singular.clone())?;
    // Profile over φ = ln θ: a coarse grid finds the right basin, golden section refines it,
    // and θ = 0 (no between-unit variance) is checked explicitly.
    let f = |phi: f64| {
        suff.eval(phi.exp(), method)
            .map_or(f64::NEG_INFINITY, |e| e.loglik)
    };
    let (lo, hi, steps) = (-18.0f64, 9.0f64, 54);
    let grid: Vec<f64> = (0..=steps)
        .map(|i| lo + (hi - lo) * i as f64 / steps as f64)
        .collect();
    let vals: Vec<f64> = grid.iter().map(|&x| f(x)).collect();
    let best = (0..vals.len())
        .max_by(|&a, &b| vals[a].total_cmp(&vals[b]))
        .unwrap_or(0);
    let phi = golden_max(
        &f,
        grid[best.saturating_sub(1)],
        grid[(best + 1).min(steps)],
    );
    let theta = if f(phi) > at0.loglik { phi.exp() } else { 0.0 };
    let fit = suff.eval(theta, method).ok_or(singular)?;
    let sigma2 = fit.sigma2;
    let tau2 = theta * sigma2;

    // Fixed effects back on the original scale: β0 = ȳ + β0c − Σ β_k x̄_k.
    let cov: Vec<f64> = chol_inverse(&fit.a_chol, p)
        .iter()
        .map(|c| c * sigma2)
        .collect();
    let mut a_vec = vec![1.0; p];
    for k in 1..p {
        a_vec[k] = -xbar[k - 1];
    }
    let b0 = ybar + fit.beta[0] - (1..p).map(|k| fit.beta[k] * xbar[k - 1]).sum::<f64>();
    let var_b0: f64 = (0..p)
        .map(|r| {
            (0..p)
                .map(|q| a_vec[r] * cov[r * p + q] * a_vec[q])
                .sum::<f64>()
        })
        .sum();
    let mut coefficients = vec![Coefficient {
        name: "intercept".into(),
        estimate: b0,
        se: var_b0.sqrt(),
    }];
    for (k, (name, _)) in priors.iter().enumerate() {
        coefficients.push(Coefficient {
            name: name.clone(),
            estimate: fit.beta[k + 1],
            se: cov[(k + 1) * p + k + 1].sqrt(),
        });
    }

    let out = (0..jn)
        .map(|j| {
            let nj = gi.sizes[j];
            if nj < opts.min_compute {
                return suppressed(gi.labels[j].clone(), nj);
            }
            let rbar = (suff.t[j]
                - suff.s[j]
                    .iter()
                    .zip(&fit.beta)
                    .map(|(s, b)| s * b)
                    .sum::<f64>())
                / nj as f64;
            let lambda = if tau2 > 0.0 {
                tau2 / (tau2 + sigma2 / nj as f64)
            } else {
                0.0
            };
            let u = lambda * rbar;
            let se = (tau2 * (1.0 - lambda)).sqrt();
            let (lo, hi) = (u - opts.z * se, u + opts.z * se);
            super::GroupVa {
                group: gi.labels[j].clone(),
                n: nj,
                estimate: Some(rbar),
                se: Some(se),
                ci_low: Some(lo),
                ci_high: Some(hi),
                shrunken: Some(u),
                lambda: Some(lambda),
                class: (nj >= opts.min_classify).then(|| VaClass::from_interval(lo, hi)),
                suppressed: false,
            }
        })
        .collect();
    let model = match method {
        Estimation::Ml => VaModel::Ml,
        Estimation::Reml => VaModel::Reml,
    };
    let rankable = tau2 > 0.0;
    let message = if !rankable {
        Some(super::NO_VARIATION_MESSAGE.to_string())
    } else if jn < 20 {
        Some(super::few_units_message(jn))
    } else {
        None
    };
    Ok(VaResult {
        model,
        label: model.label(),
        n,
        coefficients: Some(coefficients),
        sigma2: Some(sigma2),
        tau2: Some(tau2),
        icc: Some(tau2 / (tau2 + sigma2)),
        loglik: Some(fit.loglik),
        rankable: Some(rankable),
        message,
        groups: out,
    })
}
