//! Scores written to one decimal (标准分, 学年总分, 毕业成绩), held exactly as tenths.
//!
//! Why integers: the weighted sum is a multiple of 0.05 (85 × 15 % = 12.75), and README 1.6 rounds
//! it half-up to 0.1 *before* the 等级 is read, so 59.95 must become 60.0 (及格). Binary floating
//! point cannot hold 59.95 exactly; integer tenths make the rounding and the band edges exact.
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A score in points, exactly to 0.1 (e.g. 标准分 `59.9`, 学年总分 `107.0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Points(u16);

impl Points {
    pub const ZERO: Points = Points(0);

    pub const fn from_tenths(tenths: u16) -> Self {
        Self(tenths)
    }

    /// Whole points, e.g. `Points::from_whole(90)` is 90.0.
    pub const fn from_whole(points: u8) -> Self {
        Self(points as u16 * 10)
    }

    pub const fn tenths(self) -> u16 {
        self.0
    }

    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 10.0
    }

    /// A value as written (e.g. `59.95` read from a file), rounded half-up to 0.1. `None` if it
    /// is negative, not finite, or above 6,553.5.
    pub fn from_f64(value: f64) -> Option<Self> {
        let tenths = round_half_up_tenths(value)?;
        u16::try_from(tenths).ok().map(Self)
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

/// Serialised as a plain number (`59.9`), as in the exports and the JSON API.
impl Serialize for Points {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_f64())
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        Points::from_f64(v).ok_or_else(|| serde::de::Error::custom(format!("无效的分数 {v}")))
    }
}

/// Rounds a decimal *as written* half-up to tenths: `18.15` → 182, although the nearest binary
/// double of 18.15 is 18.1499999…. The value is first snapped to millionths, which undoes the
/// binary representation error of any number written with up to 6 decimals.
/// `None` for non-finite values or magnitudes above 10⁹.
pub(crate) fn round_half_up_tenths(value: f64) -> Option<i64> {
    if !value.is_finite() || value.abs() > 1e9 {
        return None;
    }
    // Cannot overflow: |value| ≤ 1e9, so |micro| ≤ 1e15 < 2^63.
    let micro = (value * 1e6).round() as i64;
    Some((micro + 50_000).div_euclid(100_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_written_decimals_half_up() {
        assert_eq!(round_half_up_tenths(18.15), Some(182));
        assert_eq!(round_half_up_tenths(18.149), Some(181));
        assert_eq!(round_half_up_tenths(59.95), Some(600));
        assert_eq!(round_half_up_tenths(59.9499), Some(599));
        assert_eq!(round_half_up_tenths(0.0), Some(0));
        assert_eq!(round_half_up_tenths(f64::NAN), None);
        assert_eq!(Points::from_f64(59.95).unwrap().to_string(), "60.0");
        assert_eq!(Points::from_tenths(1200).to_string(), "120.0");
        assert_eq!(Points::from_f64(-0.1), None);
    }
}
