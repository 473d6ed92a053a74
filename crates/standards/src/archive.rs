//! The archive's official rules (modules.md §2): the 艺术素质测评 total and level, volunteer
//! star levels from service hours, and the weekly out-of-class labor hours by grade. Points
//! and hours are [`Tenths`], compared exactly as recorded.
use serde::{Deserialize, Serialize};
use thiserror::Error;
use wuyu_domain::{ArtLevel, Grade, Tenths};

/// 基础指标 at most 40 points.
pub const ART_BASIC_MAX: Tenths = Tenths(400);
/// 学业指标 at most 50 points.
pub const ART_ACADEMIC_MAX: Tenths = Tenths(500);
/// 发展指标 at most 20 points (10 of them 加分, so the total may reach 110).
pub const ART_DEVELOPMENT_MAX: Tenths = Tenths(200);

/// An art assessment part outside its range.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ArtError {
    #[error("{part}“{value}”无效：应在 0 至 {max} 分之间")]
    OutOfRange {
        part: &'static str,
        value: Tenths,
        max: Tenths,
    },
}

/// The three parts of one student's art assessment in one school year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtParts {
    pub basic: Tenths,
    pub academic: Tenths,
    pub development: Tenths,
}

impl ArtParts {
    /// Checks each part against its range; the total and level of a valid assessment.
    pub fn score(self) -> Result<(Tenths, ArtLevel), ArtError> {
        for (part, value, max) in [
            ("基础指标", self.basic, ART_BASIC_MAX),
            ("学业指标", self.academic, ART_ACADEMIC_MAX),
            ("发展指标", self.development, ART_DEVELOPMENT_MAX),
        ] {
            if value < Tenths(0) || value > max {
                return Err(ArtError::OutOfRange { part, value, max });
            }
        }
        let total = Tenths(self.basic.0 + self.academic.0 + self.development.0);
        Ok((total, art_level(total)))
    }
}

/// 优秀 ≥ 90, 良好 75–89.x, 合格 60–74.x, 不合格 < 60.
pub fn art_level(total: Tenths) -> ArtLevel {
    match total.0 {
        t if t >= 900 => ArtLevel::Excellent,
        t if t >= 750 => ArtLevel::Good,
        t if t >= 600 => ArtLevel::Pass,
        _ => ArtLevel::Fail,
    }
}

/// Volunteer service hours for 一 to 五星, ascending (a district setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StarThresholds(pub [Tenths; 5]);

impl Default for StarThresholds {
    /// 100 / 300 / 600 / 1000 / 1500 h (民函〔2012〕340号), modules.md §2 [DEFAULT].
    fn default() -> Self {
        Self([100, 300, 600, 1000, 1500].map(Tenths::whole))
    }
}

impl StarThresholds {
    /// Thresholds must be positive and strictly ascending; the Chinese reason otherwise.
    pub fn new(hours: [Tenths; 5]) -> Result<Self, String> {
        if hours[0] <= Tenths(0) {
            return Err(format!("一星的时长“{}”应大于 0", hours[0]));
        }
        for (i, w) in hours.windows(2).enumerate() {
            if w[1] <= w[0] {
                return Err(format!(
                    "星级时长应逐级递增：{}星 {} 小时不大于{}星 {} 小时",
                    STAR_NAMES[i + 1],
                    w[1],
                    STAR_NAMES[i],
                    w[0]
                ));
            }
        }
        Ok(Self(hours))
    }

    /// 0 (no star) to 5 from accumulated service hours (travel already excluded): a
    /// threshold reached exactly counts.
    pub fn stars(&self, service_hours: Tenths) -> u8 {
        self.0.iter().filter(|t| service_hours >= **t).count() as u8
    }
}

const STAR_NAMES: [&str; 5] = ["一", "二", "三", "四", "五"];

/// "三星" for 3; "未评星" for 0.
pub fn stars_label_zh(stars: u8) -> String {
    match stars {
        0 => "未评星".into(),
        n => format!("{}星", STAR_NAMES[usize::from(n.min(5)) - 1]),
    }
}

/// Out-of-class labor per week (《大中小学劳动教育指导纲要（试行）》2020): ≥ 2 h in grades 1–2,
/// ≥ 3 h in every other grade.
pub fn weekly_labor_hours(grade: Grade) -> Tenths {
    if grade.get() <= 2 {
        Tenths::whole(2)
    } else {
        Tenths::whole(3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(b: i32, a: i32, d: i32) -> ArtParts {
        ArtParts {
            basic: Tenths(b),
            academic: Tenths(a),
            development: Tenths(d),
        }
    }

    #[test]
    fn art_levels_at_each_boundary() {
        // Each total split by hand into the three parts (tenths).
        for (p, total, level) in [
            (parts(300, 299, 0), 599, ArtLevel::Fail), // 30 + 29.9 = 59.9
            (parts(300, 300, 0), 600, ArtLevel::Pass), // 30 + 30 = 60
            (parts(350, 399, 0), 749, ArtLevel::Pass), // 35 + 39.9 = 74.9
            (parts(350, 400, 0), 750, ArtLevel::Good), // 35 + 40 = 75
            (parts(400, 450, 49), 899, ArtLevel::Good), // 40 + 45 + 4.9 = 89.9
            (parts(400, 450, 50), 900, ArtLevel::Excellent), // 40 + 45 + 5 = 90
            (parts(400, 500, 200), 1100, ArtLevel::Excellent), // the 110 maximum
            (parts(0, 0, 0), 0, ArtLevel::Fail),
        ] {
            assert_eq!(p.score(), Ok((Tenths(total), level)), "{p:?}");
        }
    }

    #[test]
    fn parts_outside_their_ranges_are_refused_with_the_part_named() {
        let e = parts(401, 0, 0).score().unwrap_err();
        assert_eq!(e.to_string(), "基础指标“40.1”无效：应在 0 至 40 分之间");
        let e = parts(0, 501, 0).score().unwrap_err();
        assert!(e.to_string().starts_with("学业指标“50.1”"), "{e}");
        let e = parts(0, 0, 201).score().unwrap_err();
        assert!(e.to_string().starts_with("发展指标“20.1”"), "{e}");
        let e = parts(0, -1, 0).score().unwrap_err();
        assert!(e.to_string().starts_with("学业指标“-0.1”"), "{e}");
    }

    #[test]
    fn stars_at_exactly_the_default_thresholds() {
        let t = StarThresholds::default();
        for (hours, stars) in [
            (Tenths(0), 0),
            (Tenths(999), 0),   // 99.9 h
            (Tenths(1000), 1),  // 100 h
            (Tenths(2999), 1),  // 299.9 h
            (Tenths(3000), 2),  // 300 h
            (Tenths(6000), 3),  // 600 h
            (Tenths(9999), 3),  // 999.9 h
            (Tenths(10000), 4), // 1000 h
            (Tenths(14999), 4), // 1499.9 h
            (Tenths(15000), 5), // 1500 h
            (Tenths(99999), 5),
        ] {
            assert_eq!(t.stars(hours), stars, "{hours} h");
        }
        assert_eq!(stars_label_zh(0), "未评星");
        assert_eq!(stars_label_zh(3), "三星");
    }

    #[test]
    fn a_district_may_set_its_own_thresholds_but_only_ascending() {
        // Beijing's 100/200/500/800/1000.
        let t = StarThresholds::new([100, 200, 500, 800, 1000].map(Tenths::whole)).unwrap();
        assert_eq!(t.stars(Tenths::whole(200)), 2);
        assert_eq!(t.stars(Tenths::whole(1000)), 5);
        let e = StarThresholds::new([100, 300, 300, 1000, 1500].map(Tenths::whole)).unwrap_err();
        assert_eq!(e, "星级时长应逐级递增：三星 300 小时不大于二星 300 小时");
        assert!(StarThresholds::new([0, 300, 600, 1000, 1500].map(Tenths::whole)).is_err());
    }

    #[test]
    fn weekly_labor_hours_by_grade() {
        let g = |n| Grade::new(n).unwrap();
        assert_eq!(weekly_labor_hours(g(1)), Tenths(20));
        assert_eq!(weekly_labor_hours(g(2)), Tenths(20));
        assert_eq!(weekly_labor_hours(g(3)), Tenths(30));
        assert_eq!(weekly_labor_hours(g(12)), Tenths(30));
    }
}
