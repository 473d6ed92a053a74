//! BMI, computed and rounded as README 1.4 says, and the fitness standard's own BMI bands.
//!
//! These bands (正常 / 低体重 / 超重 / 肥胖 by *grade*) score the BMI item of
//! 国家学生体质健康标准. They are not the WS/T 586 weight status (by *age*), which is in
//! [`crate::growth`]; the two can disagree for the same child and both are reported.
use std::fmt;

use serde::{Deserialize, Serialize, Serializer};
use wuyu_domain::Sex;

use crate::error::ScoreError;
use crate::fitness::FitnessGrade;
use crate::points::round_half_up_tenths;
use crate::tables::tables;

/// Body-mass index in kg/m², rounded half-up to 0.1 and held exactly as tenths.
///
/// README 1.4: "round BMI half-up to one decimal before the lookup … Rounding first gives every
/// value exactly one band." The same rounded value is used for WS/T 586 and WS/T 456.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bmi(u32);

/// Largest accepted height or weight. Beyond any human; it only bounds the integer arithmetic.
const MAX_MEASURE: f64 = 1000.0;

impl Bmi {
    pub const fn from_tenths(tenths: u32) -> Self {
        Self(tenths)
    }

    pub const fn tenths(self) -> u32 {
        self.0
    }

    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 10.0
    }

    /// weight (kg) / height (m)², rounded half-up to 0.1.
    ///
    /// Computed exactly in integers from the values as recorded (to 0.001 cm / 0.001 kg), so a
    /// BMI that is exactly x.x5 always rounds up: 18.15 kg at 100 cm is 18.2, never 18.1 by a
    /// binary rounding error.
    pub fn from_height_weight(height_cm: f64, weight_kg: f64) -> Result<Self, ScoreError> {
        let h = milli(height_cm).ok_or(ScoreError::InvalidHeight(height_cm))?;
        let w = milli(weight_kg).ok_or(ScoreError::InvalidWeight(weight_kg))?;
        // BMI = (w/1000) / ((h/1000)/100)² = w·10⁷ / h², so BMI·10 = w·10⁸ / h².
        // w ≤ 10⁶ and h ≤ 10⁶ keep every term below 2⁶⁴.
        let num = w * 100_000_000;
        let den = h * h;
        // floor(num/den + 1/2): half-up.
        let tenths = (2 * num + den) / (2 * den);
        u32::try_from(tenths)
            .map(Self)
            .map_err(|_| ScoreError::InvalidHeight(height_cm))
    }

    /// A BMI value as written (e.g. read from a file), rounded half-up to 0.1: `18.15` → 18.2.
    pub fn from_f64(bmi: f64) -> Result<Self, ScoreError> {
        if bmi.is_nan() || bmi <= 0.0 {
            return Err(ScoreError::InvalidBmi(bmi));
        }
        round_half_up_tenths(bmi)
            .and_then(|t| u32::try_from(t).ok())
            .map(Self)
            .ok_or(ScoreError::InvalidBmi(bmi))
    }
}

/// A positive measurement to 0.001 as an integer, or `None` if not in (0, 1000].
fn milli(x: f64) -> Option<u64> {
    if !(x > 0.0 && x <= MAX_MEASURE) {
        return None;
    }
    // Round half-up to thousandths: x > 0, so adding 0.5 and truncating is rounding (and,
    // unlike `f64::round`, no libm call on the hot path).
    let m = (x * 1000.0 + 0.5) as u64;
    (m > 0).then_some(m)
}

/// Whether a height (cm) or weight (kg) is a possible value for [`Bmi::from_height_weight`].
pub(crate) fn valid_measure(x: f64) -> bool {
    milli(x).is_some()
}

impl fmt::Display for Bmi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

impl fmt::Debug for Bmi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bmi({self})")
    }
}

/// Serialised as a plain number (`18.2`).
impl Serialize for Bmi {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_f64())
    }
}

impl<'de> Deserialize<'de> for Bmi {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        Bmi::from_f64(v).map_err(serde::de::Error::custom)
    }
}

/// The fitness standard's BMI category (README 1.4), with its item score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BmiCategory {
    Underweight,
    Normal,
    Overweight,
    Obese,
}

impl BmiCategory {
    /// The glossary's code names: `normal` / `underweight` / `overweight` / `obese`.
    pub fn code(self) -> &'static str {
        match self {
            BmiCategory::Underweight => "underweight",
            BmiCategory::Normal => "normal",
            BmiCategory::Overweight => "overweight",
            BmiCategory::Obese => "obese",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            BmiCategory::Underweight => "低体重",
            BmiCategory::Normal => "正常",
            BmiCategory::Overweight => "超重",
            BmiCategory::Obese => "肥胖",
        }
    }

    /// The BMI item score: 正常 100, 低体重 80, 超重 80, 肥胖 60.
    pub fn score(self) -> u8 {
        match self {
            BmiCategory::Normal => 100,
            BmiCategory::Underweight | BmiCategory::Overweight => 80,
            BmiCategory::Obese => 60,
        }
    }

    pub(crate) fn from_label_zh(s: &str) -> Option<Self> {
        [
            BmiCategory::Underweight,
            BmiCategory::Normal,
            BmiCategory::Overweight,
            BmiCategory::Obese,
        ]
        .into_iter()
        .find(|c| c.label_zh() == s)
    }
}

/// The band of `fitness_bmi.csv` for this grade and sex that holds `bmi` (both ends inclusive;
/// the bands meet at 0.1, so there is always exactly one).
pub fn bmi_category(grade: FitnessGrade, sex: Sex, bmi: Bmi) -> BmiCategory {
    let bands = tables().bmi_bands(grade, sex);
    // Bands are lowest first; the first whose upper end is not below the BMI holds it.
    for b in &bands[..3] {
        if b.max.is_some_and(|m| bmi.0 <= m) {
            return b.category;
        }
    }
    bands[3].category
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bmi_is_exact_and_half_up() {
        // 20 kg at 100 cm is exactly 20.0.
        assert_eq!(Bmi::from_height_weight(100.0, 20.0).unwrap().tenths(), 200);
        // 18.15 exactly: 18.15 kg at 100 cm → 18.2 (half-up), not 18.1.
        assert_eq!(Bmi::from_height_weight(100.0, 18.15).unwrap().tenths(), 182);
        // 18.149 → 18.1.
        assert_eq!(
            Bmi::from_height_weight(100.0, 18.149).unwrap().tenths(),
            181
        );
        assert_eq!(Bmi::from_f64(18.15).unwrap().tenths(), 182);
        assert!(Bmi::from_height_weight(0.0, 20.0).is_err());
        assert!(Bmi::from_height_weight(120.0, f64::NAN).is_err());
        assert!(Bmi::from_height_weight(-120.0, 20.0).is_err());
        assert!(Bmi::from_f64(0.0).is_err());
    }
}
