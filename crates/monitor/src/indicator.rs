//! The plan's vocabulary (DESIGN "How data flows" 5): an indicator's value for a unit and a
//! period is `{num, den, n}`; a target compares that value, as shown, with a yearly goal and
//! gives a verdict. Each capability answers for its own indicators (its service's indicator
//! source); the plan judges every target with this module alone, with no per-capability code.
use serde::{Deserialize, Serialize};
use wuyu_domain::{ClassId, ExamId, Location, SchoolId, Stage, Term};

use crate::display::{Precision, shown};

/// An indicator's key: `capability.name`, names from the glossary (`fitness.excellent_rate`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct IndicatorKey(pub String);

impl IndicatorKey {
    pub fn new(key: &str) -> Self {
        Self(key.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The capability that answers for this indicator (the part before the first dot).
    pub fn capability(&self) -> &str {
        self.0.split('.').next().unwrap_or_default()
    }
}

/// The indicators the fitness capability answers for.
pub mod fitness_keys {
    pub const EXCELLENT_RATE: &str = "fitness.excellent_rate";
    pub const PASS_RATE: &str = "fitness.pass_rate";
    pub const TEST_RATE: &str = "fitness.test_rate";
    pub const MYOPIA_RATE: &str = "fitness.myopia_rate";
    pub const OVERWEIGHT_RATE: &str = "fitness.overweight_rate";
    pub const OBESE_RATE: &str = "fitness.obese_rate";
}

/// The indicators the exam capability answers for (per exam and unit, with the exam's lines).
pub mod exam_keys {
    pub const EXCELLENT_RATE: &str = "exam.excellent_rate";
    pub const PASS_RATE: &str = "exam.pass_rate";
    pub const MEAN: &str = "exam.mean";
}

/// The indicators the roster answers for (per school year, from today's roster).
pub mod roster_keys {
    /// Schools with no student who dropped out within the school year / schools.
    pub const NO_DROPOUT_SCHOOL_SHARE: &str = "roster.no_dropout_school_share";
    /// 在读 students per 专任 PE teacher.
    pub const STUDENTS_PER_PE_TEACHER: &str = "roster.students_per_pe_teacher";
    /// 在读 students per 专任 music or art teacher.
    pub const STUDENTS_PER_ART_TEACHER: &str = "roster.students_per_art_teacher";
    /// Music and art teachers marked 专职 / those with 专兼职 recorded.
    pub const ART_FULL_TIME_SHARE: &str = "roster.art_full_time_share";
}

/// The indicators the psych capability answers for (per school year).
pub mod psych_keys {
    /// Students screened in the school year's campaigns / enrolled students.
    pub const SCREENING_COVERAGE: &str = "psych.screening_coverage";
    /// Crisis cases opened in the school year whose every step was done by its deadline (none
    /// late, none overdue) / cases opened.
    pub const CRISIS_IN_TIME: &str = "psych.crisis_in_time";
    /// Students of the campaigns' grades with the guardian's consent and their own assent for
    /// one of the school year's campaigns / students of those grades.
    pub const CONSENT_RATE: &str = "psych.consent_rate";
    /// Students with a psychological file (from their first screening result or counselling
    /// record on) by the end of the school year / enrolled students: 心理档案覆盖.
    pub const FILE_COVERAGE: &str = "psych.file_coverage";
    /// Schools with at least one teacher of 心理健康 in the roster (专职 or 兼职) / schools:
    /// 心理健康教育教师配齐.
    pub const TEACHER_SCHOOL_SHARE: &str = "psych.teacher_school_share";
}

/// The indicators the archive capability answers for (per term; a school year is judged on
/// its latest term with records).
pub mod archive_keys {
    /// Students with ≥ 1 approved 艺术活动 record / enrolled students.
    pub const ART_COVERAGE: &str = "archive.art_coverage";
    /// Students with ≥ 1 approved 校外实践 record / enrolled students.
    pub const OFF_CAMPUS_RATE: &str = "archive.off_campus_rate";
    /// Approved 校外实践 records per enrolled student.
    pub const OFF_CAMPUS_PER_STUDENT: &str = "archive.off_campus_per_student";
    /// Students meeting the weekly out-of-class labor hours / enrolled students.
    pub const LABOR_MET_RATE: &str = "archive.labor_met_rate";
    /// Approved volunteer service hours (travel excluded) per enrolled student.
    pub const VOLUNTEER_HOURS: &str = "archive.volunteer_hours_per_student";
    /// 艺术素质测评 优秀 / assessed.
    pub const ART_EXCELLENT_RATE: &str = "archive.art_excellent_rate";
    /// 艺术素质测评 合格 or better / assessed.
    pub const ART_PASS_RATE: &str = "archive.art_pass_rate";
    /// Students with ≥ 1 approved 家访 record / enrolled students (家访覆盖).
    pub const HOME_VISIT_COVERAGE: &str = "archive.home_visit_coverage";
    /// Schools that held a 劳动周 (≥ 1 approved 劳动周 record) / schools: 1 or 0 for a school,
    /// the share of schools for a larger unit.
    pub const LABOR_WEEK_HELD: &str = "archive.labor_week_held";
}

pub mod survey_keys {
    /// Parents answering 满意 or 非常满意 to the overall question of the year's parents' round /
    /// parents with a valid answer (不了解 excluded): 家长及社会满意度.
    pub const PARENT_SATISFACTION: &str = "survey.parent_satisfaction";
    /// Parents whose 课后服务 dimension score is ≥ 3.5 / parents with a score: 课后服务满意率.
    pub const AFTER_SCHOOL_SATISFACTION: &str = "survey.after_school_satisfaction";
}

/// The indicators the staff capability answers for (per school year; counts of persons and
/// person-times have `den` = 1).
pub mod staff_keys {
    /// Teachers holding a 骨干教师, 学科带头人 or 名师 title × 100 / enrolled students.
    pub const KEY_TEACHERS_PER_100: &str = "staff.key_teachers_per_100";
    /// 666 programme person-times up to the end of the school year, by level.
    pub const TRAINING_GENERAL: &str = "staff.training_general";
    pub const TRAINING_KEY: &str = "staff.training_key";
    pub const TRAINING_ADVANCED: &str = "staff.training_advanced";
    /// Teachers given a title of the level in the plan year (名优教师 培养), by level.
    pub const HONOURS_PROVINCE: &str = "staff.honours_province";
    pub const HONOURS_CITY: &str = "staff.honours_city";
    pub const HONOURS_DISTRICT: &str = "staff.honours_district";
    /// Roster teachers whose training hours in the five-year cycle holding the plan year, up
    /// to the end of the school year, reach the district's requirement / roster teachers.
    pub const TRAINING_COMPLETION: &str = "staff.training_completion";
}

/// What an indicator's value is counted over.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum UnitRef {
    District,
    /// 城区 or 农村 schools.
    Location(Location),
    /// A 学段 (primary, junior, …).
    Stage(Stage),
    /// A school set the district names, e.g. "城区四所初中".
    SchoolSet(String),
    School(SchoolId),
    Class(SchoolId, ClassId),
}

/// When an indicator's value was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Period {
    Term(Term),
    Exam(ExamId),
    /// A school year (2024 = 2024–2025), as the plan's yearly targets are.
    SchoolYear(i32),
}

/// An indicator's value: `num / den` over `n` students (or schools, for counts of schools).
/// A rate has `den` = its denominator; a mean has `num` = the sum and `den` = `n`; a count
/// has `den` = 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IndicatorValue {
    pub num: f64,
    pub den: f64,
    pub n: u64,
}

impl IndicatorValue {
    pub fn rate(num: u64, den: u64) -> Self {
        Self {
            num: num as f64,
            den: den as f64,
            n: den,
        }
    }

    pub fn mean(sum: f64, n: u64) -> Self {
        Self {
            num: sum,
            den: n as f64,
            n,
        }
    }

    /// The value, `None` without a denominator (never NaN).
    pub fn value(&self) -> Option<f64> {
        (self.den > 0.0).then(|| self.num / self.den)
    }

    /// Something counted over nothing: students with no teacher of the subject. Not "no data":
    /// the ratio is unbounded, so it fails an "at most" target and meets an "at least" one.
    pub fn is_unbounded(&self) -> bool {
        self.den == 0.0 && self.num > 0.0
    }
}

/// A value as it may be published: cells under the minimum n are suppressed (DESIGN: published
/// aggregates of psychological data suppress cells under 10 students).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Published {
    Value(IndicatorValue),
    Suppressed { n: u64 },
}

pub fn suppress(v: IndicatorValue, min_n: u64) -> Published {
    if v.n < min_n {
        Published::Suppressed { n: v.n }
    } else {
        Published::Value(v)
    }
}

/// How a target compares: ≥, ≤, = or ≈ (the seeds' "10所左右").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    AtLeast,
    AtMost,
    Equal,
    /// 左右: reached at [`ABOUT_SHARE`] of the target or more (more is never a miss for the
    /// seeds' counts of schools, classes and students).
    About,
}

/// The share of an "about" (≈, 左右) target that counts as reaching it.
pub const ABOUT_SHARE: f64 = 0.9;

impl Comparator {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            ">=" | "≥" => Some(Self::AtLeast),
            "<=" | "≤" => Some(Self::AtMost),
            "=" | "==" => Some(Self::Equal),
            "≈" | "~" | "约" | "左右" => Some(Self::About),
            _ => None,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Self::AtLeast => "≥",
            Self::AtMost => "≤",
            Self::Equal => "=",
            Self::About => "≈",
        }
    }

    /// The comparator as a plan file writes it (`>=`, `<=`, `=`, `≈`).
    pub fn code(self) -> &'static str {
        match self {
            Self::AtLeast => ">=",
            Self::AtMost => "<=",
            Self::Equal => "=",
            Self::About => "≈",
        }
    }
}

/// A yearly target: `indicator` for `unit` in `school_year` must be `comparator` `value`
/// (rates as fractions in 0..=1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub indicator: IndicatorKey,
    pub unit: UnitRef,
    pub school_year: i32,
    pub comparator: Comparator,
    pub value: f64,
}

/// The verdict on a target for a unit and period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Met,
    NotMet,
    /// Reported indicator, nothing submitted yet.
    AwaitingReport,
    /// Reported indicator, submitted and not yet approved.
    AwaitingReview,
    /// Computed indicator without data for the period.
    NoData,
    /// Fewer students than the indicator's minimum: not judged.
    TooFew,
}

impl Verdict {
    pub fn label_zh(self) -> &'static str {
        match self {
            Verdict::Met => "已达标",
            Verdict::NotMet => "未达标",
            Verdict::AwaitingReport => "待填报",
            Verdict::AwaitingReview => "待审核",
            Verdict::NoData => "无数据",
            Verdict::TooFew => "样本不足",
        }
    }
}

/// Judges a computed value against a target. The comparison is made on the value as shown
/// (`shown_at`; rates compared as fractions at that many decimals of a percent), so a page
/// that shows 30.0 % never says 未达标 against a target of 30 %.
pub fn judge(
    target: &Target,
    value: Option<IndicatorValue>,
    min_n: u64,
    shown_at: Precision,
    is_rate: bool,
) -> Verdict {
    let Some(v) = value else {
        return Verdict::NoData;
    };
    if v.is_unbounded() {
        if v.n < min_n {
            return Verdict::TooFew;
        }
        return match target.comparator {
            Comparator::AtLeast | Comparator::About => Verdict::Met,
            Comparator::AtMost | Comparator::Equal => Verdict::NotMet,
        };
    }
    let Some(x) = v.value() else {
        return Verdict::NoData;
    };
    if v.n < min_n {
        return Verdict::TooFew;
    }
    let scale = if is_rate { 100.0 } else { 1.0 };
    let a = shown(x * scale, shown_at);
    let t = shown(target.value * scale, shown_at);
    let met = match target.comparator {
        Comparator::AtLeast => a >= t,
        Comparator::AtMost => a <= t,
        Comparator::Equal => a == t,
        Comparator::About => a >= shown(target.value * scale * ABOUT_SHARE, shown_at),
    };
    if met { Verdict::Met } else { Verdict::NotMet }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(cmp: Comparator, value: f64) -> Target {
        Target {
            indicator: IndicatorKey::new(fitness_keys::EXCELLENT_RATE),
            unit: UnitRef::District,
            school_year: 2025,
            comparator: cmp,
            value,
        }
    }

    #[test]
    fn verdicts_compare_what_is_shown() {
        let t = target(Comparator::AtLeast, 0.30);
        // 29.96 % shows as 30.0 %: met.
        let v = IndicatorValue::rate(2996, 10000);
        assert_eq!(judge(&t, Some(v), 10, Precision::One, true), Verdict::Met);
        let v = IndicatorValue::rate(2994, 10000);
        assert_eq!(
            judge(&t, Some(v), 10, Precision::One, true),
            Verdict::NotMet
        );
        let myopia = target(Comparator::AtMost, 0.5);
        let v = IndicatorValue::rate(40, 100);
        assert_eq!(
            judge(&myopia, Some(v), 10, Precision::One, true),
            Verdict::Met
        );
    }

    #[test]
    fn no_denominator_is_no_data_and_small_cells_are_not_judged() {
        let t = target(Comparator::AtLeast, 0.30);
        assert_eq!(judge(&t, None, 10, Precision::One, true), Verdict::NoData);
        let empty = IndicatorValue::rate(0, 0);
        assert_eq!(
            judge(&t, Some(empty), 0, Precision::One, true),
            Verdict::NoData
        );
        let small = IndicatorValue::rate(9, 9);
        assert_eq!(
            judge(&t, Some(small), 10, Precision::One, true),
            Verdict::TooFew
        );
        assert_eq!(suppress(small, 10), Published::Suppressed { n: 9 });
        assert_eq!(IndicatorKey::new("exam.mean").capability(), "exam");
        assert_eq!(Comparator::parse("≤"), Some(Comparator::AtMost));
    }

    #[test]
    fn students_with_no_teacher_fail_an_at_most_ratio() {
        // 1:220 students per PE teacher; a school of 300 students has none.
        let none = IndicatorValue {
            num: 300.0,
            den: 0.0,
            n: 300,
        };
        assert!(none.is_unbounded() && none.value().is_none());
        let at_most = target(Comparator::AtMost, 220.0);
        assert_eq!(
            judge(&at_most, Some(none), 0, Precision::Two, false),
            Verdict::NotMet
        );
        let at_least = target(Comparator::AtLeast, 1.0);
        assert_eq!(
            judge(&at_least, Some(none), 0, Precision::Two, false),
            Verdict::Met
        );
        // Under the indicator's minimum it is still not judged.
        assert_eq!(
            judge(&at_most, Some(none), 500, Precision::Two, false),
            Verdict::TooFew
        );
        // Nothing over nothing stays "no data".
        assert!(!IndicatorValue::rate(0, 0).is_unbounded());
    }
}
