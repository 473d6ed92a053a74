//! 四舍五入 (round half away from zero) at a display precision, and exact threshold tests.
//!
//! §0.2: labels (below average, tied, pass) are decided on the rounded displayed value, and
//! thresholds are never compared in binary floating point. Scores are multiples of 0.5 or 0.1,
//! so we compare them as integers in units of 0.01 (exact for up to two decimals).

/// Rounds half away from zero to `digits` decimals, the way Chinese reports round.
///
/// A relative nudge of 1e-9 absorbs binary representation error, so 2.675 (stored as
/// 2.67499999…) rounds to 2.68 as a person expects.
pub fn round_half_away(x: f64, digits: u32) -> f64 {
    let scale = 10f64.powi(digits as i32);
    let s = x * scale;
    let nudged = s.abs() * (1.0 + 1e-12) + 1e-9;
    let r = (nudged + 0.5).floor();
    r.copysign(x) / scale
}

/// The rounded value as an integer count of 10^-digits units (for exact comparisons).
pub(crate) fn to_units(x: f64, digits: u32) -> i64 {
    (round_half_away(x, digits) * 10f64.powi(digits as i32)).round() as i64
}

/// Score in hundredths of a point. Scores carry at most two decimals (§0.2).
pub(crate) fn hundredths(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

/// A fraction with up to four decimals as an integer in 1/10000.
pub(crate) fn per_ten_thousand(f: f64) -> i64 {
    (f * 10_000.0).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round_half_away(2.675, 2), 2.68);
        assert_eq!(round_half_away(-2.675, 2), -2.68);
        assert_eq!(round_half_away(0.125, 2), 0.13);
        assert_eq!(round_half_away(74.999_991_666, 2), 75.0);
        assert_eq!(round_half_away(1.004_9, 2), 1.0);
        assert_eq!(to_units(79.358_333, 2), 7936);
    }
}
