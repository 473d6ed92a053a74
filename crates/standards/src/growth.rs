//! Growth screening by sex and exact age: WS/T 586—2018 overweight and obesity (README 2) and
//! WS/T 456—2014 stunting and thinness (消瘦, the glossary's `wasting`; README 3).
//!
//! These are separate from the fitness standard's BMI bands (by grade, in [`crate::bmi`]): the
//! same child can be 超重 by one and normal by the other, and both are reported.
//!
//! Age groups are half-open half-years: the row "6.0~" is 6.0 ≤ age < 6.5 (README 2). The age
//! is the exact age at the test date, [`exact_age`]. BMI is the value rounded half-up to 0.1
//! ([`Bmi`]), as README 1.4 and 3 say; the WS/T 586 cut-offs are written to 0.1 as well, so the
//! BMI printed on a report is always classified the way a reader of the table would.
use serde::{Deserialize, Serialize};
use time::{Date, Month};
use wuyu_domain::Sex;

use crate::bmi::Bmi;
use crate::error::{AgeError, ScreeningError};
use crate::fitness::sex_index;
use crate::tables::{WST456_GROUPS, WST586_GROUPS, tables};

/// Exact age in years at `test`, for the half-year groups of WS/T 586 and WS/T 456.
///
/// Counted in calendar months, as ages are: a month is complete on the same day of the month as
/// the birthday, or, when that day does not exist (born on the 31st, 29 February), on the first
/// day of the next month. The result is (completed months + the elapsed fraction of the current
/// month) / 12, so `floor(age × 2) / 2` is always the half-year the calendar says: a child born
/// 2010-03-15 is exactly 6.5 on 2016-09-15 and 6.49… the day before.
pub fn exact_age(birth: Date, test: Date) -> Result<f64, AgeError> {
    if test < birth {
        return Err(AgeError::TestBeforeBirth { birth, test });
    }
    let months_diff = (test.year() - birth.year()) * 12 + i32::from(test.month() as u8)
        - i32::from(birth.month() as u8);
    let months = if test.day() < birth.day() {
        months_diff - 1
    } else {
        months_diff
    };
    let start = add_months(birth, months);
    let end = add_months(birth, months + 1);
    let elapsed = (test - start).whole_days() as f64;
    let span = (end - start).whole_days() as f64;
    Ok((f64::from(months) + elapsed / span) / 12.0)
}

/// The day `months` calendar months after `birth`; when that day of the month does not exist,
/// the first of the following month.
fn add_months(birth: Date, months: i32) -> Date {
    let total = birth.year() * 12 + i32::from(birth.month() as u8) - 1 + months;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = Month::try_from(month0 as u8 + 1).unwrap_or(Month::January);
    Date::from_calendar_date(year, month, birth.day()).unwrap_or_else(|_| {
        // The day does not exist in that month: the next month's first day.
        let (y, m) = if month == Month::December {
            (year + 1, Month::January)
        } else {
            (year, month.next())
        };
        Date::from_calendar_date(y, m, 1).unwrap_or(birth)
    })
}

/// Half-year group index from 6.0 (0 = "6.0~"), or `None` below 6.0.
fn half_year_index(age: f64) -> Result<Option<usize>, ScreeningError> {
    if !age.is_finite() || age < 0.0 {
        return Err(ScreeningError::InvalidAge(age));
    }
    let halves = (age * 2.0).floor();
    Ok((halves >= 12.0).then(|| (halves - 12.0).min(1000.0) as usize))
}

/// WS/T 586—2018 weight status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightStatus {
    /// Below the overweight cut-off (this standard does not screen thinness).
    Normal,
    Overweight,
    Obese,
}

impl WeightStatus {
    pub fn code(self) -> &'static str {
        match self {
            WeightStatus::Normal => "normal",
            WeightStatus::Overweight => "overweight",
            WeightStatus::Obese => "obese",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            WeightStatus::Normal => "非超重肥胖",
            WeightStatus::Overweight => "超重",
            WeightStatus::Obese => "肥胖",
        }
    }
}

/// WS/T 586—2018: 超重 if `overweight_bmi_min` ≤ BMI < `obesity_bmi_min`, 肥胖 if BMI ≥
/// `obesity_bmi_min`, for the sex and the half-year age group (README 2).
///
/// Ages from 6.0. The last row, "18.0~", holds the adult cut-offs 24.0 / 28.0 (README 2) and is
/// used for every age from 18.0 on. Below 6.0 is outside the standard: an error.
pub fn weight_status(sex: Sex, age_years: f64, bmi: Bmi) -> Result<WeightStatus, ScreeningError> {
    let group = half_year_index(age_years)?.ok_or(ScreeningError::AgeOutOfRange {
        age: age_years,
        standard: "WS/T 586—2018",
        range_zh: "6 岁及以上",
    })?;
    let (overweight, obese) = tables().wst586[sex_index(sex)][group.min(WST586_GROUPS - 1)];
    let b = bmi.tenths();
    Ok(if b >= obese {
        WeightStatus::Obese
    } else if b >= overweight {
        WeightStatus::Overweight
    } else {
        WeightStatus::Normal
    })
}

/// The WS/T 456 row for an age: 6.0 ≤ age < 19.0, the last group "17.5~" open up to the end of
/// the standard's scope "6 to 18 years" (18 完整周岁, i.e. before the 19th birthday).
fn wst456_group(age_years: f64) -> Result<usize, ScreeningError> {
    let out = ScreeningError::AgeOutOfRange {
        age: age_years,
        standard: "WS/T 456—2014",
        range_zh: "6–18 岁",
    };
    match half_year_index(age_years)? {
        Some(g) if age_years < 19.0 => Ok(g.min(WST456_GROUPS - 1)),
        _ => Err(out),
    }
}

/// WS/T 456—2014 生长迟缓 (stunting): height ≤ the cut-off for the sex and age group (README 3).
/// Height is compared as recorded.
pub fn is_stunted(sex: Sex, age_years: f64, height_cm: f64) -> Result<bool, ScreeningError> {
    if !(height_cm > 0.0 && height_cm.is_finite()) {
        return Err(ScreeningError::InvalidHeight(height_cm));
    }
    let group = wst456_group(age_years)?;
    Ok(height_cm <= tables().stunting[sex_index(sex)][group])
}

/// WS/T 456—2014 消瘦 (thinness, the glossary's `wasting`) by BMI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Thinness {
    None,
    Mild,
    ModerateSevere,
}

/// WS/T 456—2014: BMI ≤ `moderate_severe_thinness_bmi_max` is 中重度消瘦; BMI in
/// `mild_thinness_bmi_min..=mild_thinness_bmi_max` is 轻度消瘦 (README 3), BMI rounded to 0.1.
pub fn thinness(sex: Sex, age_years: f64, bmi: Bmi) -> Result<Thinness, ScreeningError> {
    let group = wst456_group(age_years)?;
    let t = tables().thinness[sex_index(sex)][group];
    let b = bmi.tenths();
    Ok(if b <= t.moderate_severe_max {
        Thinness::ModerateSevere
    } else if (t.mild_min..=t.mild_max).contains(&b) {
        Thinness::Mild
    } else {
        Thinness::None
    })
}

/// WS/T 456—2014 营养不良 (malnutrition) screening result of one child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MalnutritionStatus {
    /// 生长迟缓.
    Stunting,
    /// 中重度消瘦.
    ModerateSevereThinness,
    /// 轻度消瘦.
    MildThinness,
    /// 无营养不良.
    None,
}

impl MalnutritionStatus {
    pub fn code(self) -> &'static str {
        match self {
            MalnutritionStatus::Stunting => "stunting",
            MalnutritionStatus::ModerateSevereThinness => "moderate_severe_thinness",
            MalnutritionStatus::MildThinness => "mild_thinness",
            MalnutritionStatus::None => "none",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            MalnutritionStatus::Stunting => "生长迟缓",
            MalnutritionStatus::ModerateSevereThinness => "中重度消瘦",
            MalnutritionStatus::MildThinness => "轻度消瘦",
            MalnutritionStatus::None => "正常",
        }
    }

    /// 消瘦 of either degree (the glossary's `wasting`).
    pub fn is_wasting(self) -> bool {
        matches!(
            self,
            MalnutritionStatus::ModerateSevereThinness | MalnutritionStatus::MildThinness
        )
    }
}

/// One WS/T 456 category per child: stunting first, then thinness by BMI.
///
/// The README lists the two screenings without an order; stunting is checked first because a
/// stunted child's BMI is read against peers of normal height, so a stunted child is reported as
/// 生长迟缓 even if thin. Use [`is_stunted`] and [`thinness`] to count the two independently.
pub fn malnutrition_status(
    sex: Sex,
    age_years: f64,
    height_cm: f64,
    bmi: Bmi,
) -> Result<MalnutritionStatus, ScreeningError> {
    if is_stunted(sex, age_years, height_cm)? {
        return Ok(MalnutritionStatus::Stunting);
    }
    Ok(match thinness(sex, age_years, bmi)? {
        Thinness::ModerateSevere => MalnutritionStatus::ModerateSevereThinness,
        Thinness::Mild => MalnutritionStatus::MildThinness,
        Thinness::None => MalnutritionStatus::None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn exact_age_counts_calendar_months() {
        assert_eq!(
            exact_age(date!(2010 - 03 - 15), date!(2016 - 09 - 15)),
            Ok(6.5)
        );
        let before = exact_age(date!(2010 - 03 - 15), date!(2016 - 09 - 14)).unwrap();
        assert!(before < 6.5 && before > 6.49, "{before}");
        assert_eq!(
            exact_age(date!(2010 - 03 - 15), date!(2010 - 03 - 15)),
            Ok(0.0)
        );
        // Born on the 31st: the first month completes on 1 March in a 28-day February.
        let feb28 = exact_age(date!(2015 - 01 - 31), date!(2015 - 02 - 28)).unwrap();
        assert!(feb28 < 1.0 / 12.0);
        assert_eq!(
            exact_age(date!(2015 - 01 - 31), date!(2015 - 03 - 01)),
            Ok(1.0 / 12.0)
        );
        // 29 February: 6 years on 1 March of a common year.
        assert_eq!(
            exact_age(date!(2012 - 02 - 29), date!(2018 - 03 - 01)),
            Ok(6.0)
        );
        assert!(exact_age(date!(2012 - 02 - 29), date!(2018 - 02 - 28)).unwrap() < 6.0);
        assert!(exact_age(date!(2012 - 02 - 29), date!(2011 - 02 - 28)).is_err());
    }
}
