//! M1 raw gain (进步分) and M2 standard-score gain (标准分增值), §4.2.
use super::{GroupIndex, VaModel, VaOptions, VaResult, finish_group};
use crate::error::{AnalyticsError, check_finite, check_len};

fn gain_result(
    model: VaModel,
    gains: &[f64],
    groups: &[String],
    opts: &VaOptions,
    classify: bool,
) -> VaResult {
    let gi = GroupIndex::new(groups);
    let sums = gi.sums(gains);
    let sds = gi.sds(gains);
    let out = (0..gi.labels.len())
        .map(|g| {
            let n = gi.sizes[g];
            let m = sums[g] / n as f64;
            // SE ≈ sd(g in j)/√n_j; a single student gives no SE, so the unit is suppressed anyway.
            let se = sds[g].unwrap_or(f64::NAN) / (n as f64).sqrt();
            finish_group(gi.labels[g].clone(), n, m, m, se, opts, classify)
        })
        .collect();
    VaResult {
        model,
        label: model.label(),
        n: gains.len(),
        coefficients: None,
        sigma2: None,
        tau2: None,
        icc: None,
        loglik: None,
        rankable: None,
        message: None,
        groups: out,
    }
}

fn validate(outcome: &[f64], prior: &[f64], groups: &[String]) -> crate::Result<()> {
    if outcome.is_empty() {
        return Err(AnalyticsError::Empty {
            what: "matched students",
        });
    }
    check_len("prior scores", outcome.len(), prior.len())?;
    check_len("groups", outcome.len(), groups.len())?;
    check_finite("outcome", outcome)?;
    check_finite("prior", prior)
}

/// M1: mean raw gain per unit. It is not centred, so units are not classified.
pub fn raw_gain(
    outcome: &[f64],
    prior: &[f64],
    groups: &[String],
    opts: &VaOptions,
) -> crate::Result<VaResult> {
    validate(outcome, prior, groups)?;
    let gains: Vec<f64> = outcome.iter().zip(prior).map(|(y, x)| y - x).collect();
    Ok(gain_result(VaModel::Gain, &gains, groups, opts, false))
}

/// M2: mean of z(y) − z(x), both standardised within the input cohort (population σ, §2.2).
/// The district mean of the gain is 0, so units are classified against 0.
pub fn standard_gain(
    outcome: &[f64],
    prior: &[f64],
    groups: &[String],
    opts: &VaOptions,
) -> crate::Result<VaResult> {
    validate(outcome, prior, groups)?;
    let z = |xs: &[f64], what| -> crate::Result<Vec<f64>> {
        let m = crate::descriptive::mean(xs).unwrap_or(0.0);
        let sd = crate::descriptive::sd_population(xs).unwrap_or(0.0);
        if sd <= 0.0 {
            return Err(AnalyticsError::ZeroVariance { what });
        }
        Ok(xs.iter().map(|x| (x - m) / sd).collect())
    };
    let zy = z(outcome, "outcome")?;
    let zx = z(prior, "prior")?;
    let gains: Vec<f64> = zy.iter().zip(&zx).map(|(a, b)| a - b).collect();
    Ok(gain_result(VaModel::Standard, &gains, groups, opts, true))
}
