//! M4 OLS residual value-added (§4.2), and M4 + M6 (DerSimonian–Laird shrinkage toward 0).
//!
//! The regression is fitted on all matched students of the reference population (every row
//! passed in, including units too small to report); unit VA is the mean residual, relative to
//! the district's average student with the same prior score.
use serde::Serialize;

use super::{
    Coefficient, GroupIndex, SeMode, ShrinkMethod, ShrinkOptions, ShrinkTarget, UnitEstimate,
    VaClass, VaModel, VaOptions, VaResult, finish_group, shrink,
};
use crate::error::{AnalyticsError, check_finite, check_len};
use crate::linalg::qr_least_squares;

/// A fitted OLS regression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OlsFit {
    pub coefficients: Vec<Coefficient>,
    /// σ̂² = Σe²/(N − p).
    pub sigma2: f64,
    /// Gaussian log-likelihood at the ML variance RSS/N.
    pub loglik: f64,
    pub residuals: Vec<f64>,
}

/// Fits `y = β0 + Σ β_k x_k + e` by Householder QR. `priors` are (name, values) columns.
pub fn ols_fit(outcome: &[f64], priors: &[(String, Vec<f64>)]) -> crate::Result<OlsFit> {
    let n = outcome.len();
    if n == 0 {
        return Err(AnalyticsError::Empty {
            what: "matched students",
        });
    }
    check_finite("outcome", outcome)?;
    let mut cols = vec![vec![1.0; n]];
    let mut names = vec!["intercept".to_string()];
    for (name, v) in priors {
        check_len("prior column", n, v.len())?;
        check_finite("prior", v)?;
        cols.push(v.clone());
        names.push(name.clone());
    }
    let p = cols.len();
    if n <= p {
        return Err(AnalyticsError::TooFew {
            what: "students for the regression",
            needed: p + 1,
            got: n,
        });
    }
    let (beta, xtx_inv, residuals) =
        qr_least_squares(&cols, outcome).ok_or(AnalyticsError::Singular {
            what: "prior scores are collinear or constant",
        })?;
    let rss: f64 = residuals.iter().map(|e| e * e).sum();
    let sigma2 = rss / (n - p) as f64;
    let nf = n as f64;
    let loglik = -0.5 * nf * ((2.0 * std::f64::consts::PI * rss / nf).ln() + 1.0);
    let coefficients = names
        .into_iter()
        .zip(&beta)
        .enumerate()
        .map(|(i, (name, &b))| Coefficient {
            name,
            estimate: b,
            se: (sigma2 * xtx_inv[i * p + i]).sqrt(),
        })
        .collect();
    Ok(OlsFit {
        coefficients,
        sigma2,
        loglik,
        residuals,
    })
}

/// M4: mean OLS residual per unit with SE (pooled σ̂/√n_j by default) and CI.
pub fn ols_residual(
    outcome: &[f64],
    priors: &[(String, Vec<f64>)],
    groups: &[String],
    opts: &VaOptions,
) -> crate::Result<VaResult> {
    check_len("groups", outcome.len(), groups.len())?;
    let fit = ols_fit(outcome, priors)?;
    let gi = GroupIndex::new(groups);
    let sums = gi.sums(&fit.residuals);
    let sds = gi.sds(&fit.residuals);
    let sigma = fit.sigma2.sqrt();
    let out = (0..gi.labels.len())
        .map(|g| {
            let n = gi.sizes[g];
            let m = sums[g] / n as f64;
            let s = match opts.se_mode {
                SeMode::Pooled => sigma,
                SeMode::UnitSpecific => sds[g].unwrap_or(f64::NAN),
            };
            finish_group(
                gi.labels[g].clone(),
                n,
                m,
                m,
                s / (n as f64).sqrt(),
                opts,
                true,
            )
        })
        .collect();
    Ok(VaResult {
        model: VaModel::Ols,
        label: VaModel::Ols.label(),
        n: outcome.len(),
        coefficients: Some(fit.coefficients),
        sigma2: Some(fit.sigma2),
        tau2: None,
        icc: None,
        loglik: Some(fit.loglik),
        rankable: None,
        message: None,
        groups: out,
    })
}

/// M4 followed by M6: the OLS unit residuals shrunk toward 0 by DerSimonian–Laird (the
/// display default, §11.3). `estimate` stays the raw mean residual; `shrunken`, `lambda`, the
/// posterior SD and the EB interval come from the shrinkage.
pub fn ols_dl(
    outcome: &[f64],
    priors: &[(String, Vec<f64>)],
    groups: &[String],
    opts: &VaOptions,
) -> crate::Result<VaResult> {
    let mut r = ols_residual(outcome, priors, groups, opts)?;
    let inputs: Vec<UnitEstimate> = r
        .groups
        .iter()
        .filter(|g| !g.suppressed)
        .map(|g| UnitEstimate {
            group: g.group.clone(),
            estimate: g.estimate.unwrap_or(0.0),
            se: g.se.unwrap_or(f64::NAN),
        })
        .collect();
    let s = shrink(
        &inputs,
        &ShrinkOptions {
            method: ShrinkMethod::Dl,
            target: ShrinkTarget::Zero,
            z: opts.z,
        },
    )?;
    let mut it = s.groups.iter();
    for g in r.groups.iter_mut().filter(|g| !g.suppressed) {
        let u = it.next().ok_or(AnalyticsError::Inconsistent {
            what: "shrinkage output",
        })?;
        g.shrunken = Some(u.shrunken);
        g.lambda = Some(u.lambda);
        g.se = Some(u.posterior_sd);
        g.ci_low = Some(u.ci_low);
        g.ci_high = Some(u.ci_high);
        if g.class.is_some() {
            g.class = Some(VaClass::from_interval(u.ci_low, u.ci_high));
        }
    }
    r.model = VaModel::Dl;
    r.label = VaModel::Dl.label();
    r.tau2 = Some(s.tau2);
    r.rankable = Some(s.rankable);
    r.message = s.message;
    Ok(r)
}
