//! Typed errors for invalid input. Undefined *statistics* (n = 0, σ = 0 for one unit among
//! many) are reported as `None` in outputs instead, because a report must still show the other
//! units; errors are for input a caller should not have passed.
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum AnalyticsError {
    /// No observations where at least one is required.
    #[error("empty input: {what}")]
    Empty { what: &'static str },
    /// Too few observations for the statistic (e.g. α needs k ≥ 2 items).
    #[error("{what}: need at least {needed}, got {got}")]
    TooFew {
        what: &'static str,
        needed: usize,
        got: usize,
    },
    /// Parallel inputs of different lengths.
    #[error("length mismatch in {what}: expected {expected}, got {got}")]
    LengthMismatch {
        what: &'static str,
        expected: usize,
        got: usize,
    },
    /// A variance that must be positive is zero (e.g. all totals equal).
    #[error("zero variance: {what}")]
    ZeroVariance { what: &'static str },
    /// A value that is NaN, infinite or outside its allowed range.
    #[error("invalid value for {what}: {value}")]
    InvalidValue { what: &'static str, value: f64 },
    /// A group label with no members where members are required.
    #[error("empty group: {group}")]
    EmptyGroup { group: String },
    /// The design matrix is rank deficient (collinear priors, or p ≥ n).
    #[error("singular design matrix: {what}")]
    Singular { what: &'static str },
    /// Inputs that must share a value do not (e.g. James–Stein needs equal variances).
    #[error("inconsistent input: {what}")]
    Inconsistent { what: &'static str },
}

/// Rejects NaN and infinities so later arithmetic cannot silently propagate them.
pub(crate) fn check_finite(what: &'static str, xs: &[f64]) -> crate::Result<()> {
    match xs.iter().find(|x| !x.is_finite()) {
        Some(&value) => Err(AnalyticsError::InvalidValue { what, value }),
        None => Ok(()),
    }
}

pub(crate) fn check_len(what: &'static str, expected: usize, got: usize) -> crate::Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(AnalyticsError::LengthMismatch {
            what,
            expected,
            got,
        })
    }
}
