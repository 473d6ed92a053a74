//! Plausibility: the impossible and the unusual range of every measured field, and how a value
//! is shown in a message.
use std::fmt;

use wuyu_standards::FitnessItem;

use super::fields::FitnessField;

/// The ranges a field's values are checked against, in the field's unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Below this (or above `max`) the value cannot be a real result: an error.
    pub min: f64,
    pub max: f64,
    /// Outside `usual_min..=usual_max` (but possible): a warning.
    pub usual_min: f64,
    pub usual_max: f64,
    /// `秒`, `厘米`, …
    pub unit_zh: &'static str,
}

const fn b(min: f64, usual_min: f64, usual_max: f64, max: f64, unit_zh: &'static str) -> Bounds {
    Bounds {
        min,
        max,
        usual_min,
        usual_max,
        unit_zh,
    }
}

/// Plausibility bounds of a measured field, `None` for grade and sex. Why these numbers: the
/// impossible limits are beyond any student (world records, the smallest and largest school
/// children); the usual limits are wide enough that a real class rarely trips them.
pub fn bounds(field: FitnessField) -> Option<Bounds> {
    use FitnessItem as I;
    Some(match field {
        FitnessField::HeightCm => b(50.0, 90.0, 210.0, 250.0, "厘米"),
        FitnessField::WeightKg => b(8.0, 12.0, 150.0, 300.0, "千克"),
        FitnessField::Item(I::VitalCapacity) => b(100.0, 400.0, 7000.0, 10000.0, "毫升"),
        // 50 m world-class is about 5.5 s.
        FitnessField::Item(I::Run50m) => b(5.0, 6.0, 20.0, 60.0, "秒"),
        FitnessField::Item(I::SitAndReach) => b(-50.0, -25.0, 35.0, 60.0, "厘米"),
        FitnessField::Item(I::RopeSkip1min) => b(0.0, 0.0, 250.0, 400.0, "次"),
        FitnessField::Item(I::SitUp1min) => b(0.0, 0.0, 80.0, 120.0, "次"),
        FitnessField::Item(I::PullUp) => b(0.0, 0.0, 40.0, 100.0, "次"),
        FitnessField::Item(I::StandingLongJump) => b(20.0, 60.0, 330.0, 400.0, "厘米"),
        // 400 m with seven turns; 400 m flat is 43 s at world-record pace.
        FitnessField::Item(I::Shuttle50x8) => b(60.0, 75.0, 240.0, 600.0, "秒"),
        // World records: 800 m 1'40", 1000 m 2'12".
        FitnessField::Item(I::Run800m) => b(100.0, 130.0, 480.0, 1200.0, "秒"),
        FitnessField::Item(I::Run1000m) => b(130.0, 160.0, 480.0, 1200.0, "秒"),
        FitnessField::Acuity(_) => b(3.0, 3.0, 5.3, 5.3, ""),
        FitnessField::Sphere(_) | FitnessField::SphericalEquivalent(_) => {
            b(-30.0, -15.0, 10.0, 30.0, "D")
        }
        FitnessField::Cylinder(_) => b(-30.0, -8.0, 8.0, 30.0, "D"),
        FitnessField::Item(I::Bmi)
        | FitnessField::Grade
        | FitnessField::GradeCode
        | FitnessField::Sex => return None,
    })
}

/// The outcome of a plausibility check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Ok,
    /// Possible but unusual: the teacher confirms or fixes it.
    Warning(String),
    /// Not a possible result.
    Error(String),
}

/// Checks a parsed value against [`bounds`].
pub fn check(field: FitnessField, v: f64) -> Check {
    let Some(bd) = bounds(field) else {
        return Check::Ok;
    };
    let name = field.header_zh();
    let shown = Shown(field, v);
    if v < bd.min || v > bd.max {
        let hint = match field {
            FitnessField::HeightCm | FitnessField::Item(FitnessItem::StandingLongJump)
                if v < 4.0 =>
            {
                "；看起来是以米为单位，本列应填厘米"
            }
            FitnessField::Item(FitnessItem::VitalCapacity) if v < 10.0 => {
                "；看起来是以升为单位，本列应填毫升"
            }
            FitnessField::Item(FitnessItem::Run50m) if v >= 60.0 => "；是否漏了小数点？",
            FitnessField::Acuity(_) if v > 0.0 && v <= 2.0 => {
                "；看起来是小数记录，请换算为五分记录（如 1.0 → 5.0）"
            }
            _ => "",
        };
        let range = if v < 0.0 && bd.min == 0.0 {
            "不能为负".to_string()
        } else {
            format!("应在 {}–{}{} 之间", bd.min, bd.max, spaced(bd.unit_zh))
        };
        return Check::Error(format!("{name} {shown} 不可能：{range}{hint}，请核对"));
    }
    if v < bd.usual_min || v > bd.usual_max {
        return Check::Warning(format!(
            "{name} {shown} 超出常见范围（{}–{}{}），请核对是否录入有误",
            bd.usual_min,
            bd.usual_max,
            spaced(bd.unit_zh)
        ));
    }
    Check::Ok
}

/// A unit with a leading space, or nothing.
fn spaced(unit: &str) -> String {
    if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    }
}

/// A value with its unit, long times also as minutes and seconds: `220 秒（3'40"）`.
pub(super) struct Shown(FitnessField, f64);

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Shown(field, v) = *self;
        let unit = bounds(field).map_or("", |b| b.unit_zh);
        write!(f, "{v}{}", spaced(unit))?;
        if let FitnessField::Item(
            FitnessItem::Run800m | FitnessItem::Run1000m | FitnessItem::Shuttle50x8,
        ) = field
            && v >= 0.0
        {
            let m = (v / 60.0).floor();
            write!(f, "（{}'{:02}\"）", m, v - m * 60.0)?;
        }
        Ok(())
    }
}
