//! Fitness read models: grouped summaries, item statistics, stored records, class lists,
//! import summaries and the plan's fitness targets. See [`super`] for who may read what and
//! every rate's denominator.

use serde::Serialize;
use time::Date;
use wuyu_domain::{
    ClassId, FitnessMeasures, Grade, Location, SchoolId, Sex, Student, StudentId, Term,
};
use wuyu_standards::{
    BmiCategory, FitnessItem, Level, MalnutritionStatus, VisionStatus, WeightStatus,
};

/// How a fitness summary is grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FitnessGroupBy {
    District,
    School,
    Grade,
    Class,
    Sex,
    Location,
}

impl FitnessGroupBy {
    pub const ALL: [FitnessGroupBy; 6] = [
        FitnessGroupBy::District,
        FitnessGroupBy::School,
        FitnessGroupBy::Grade,
        FitnessGroupBy::Class,
        FitnessGroupBy::Sex,
        FitnessGroupBy::Location,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FitnessGroupBy::District => "district",
            FitnessGroupBy::School => "school",
            FitnessGroupBy::Grade => "grade",
            FitnessGroupBy::Class => "class",
            FitnessGroupBy::Sex => "sex",
            FitnessGroupBy::Location => "location",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.code() == s.trim())
    }
}

/// The group a summary row is about; only the fields of the grouping are set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FitnessGroupKey {
    pub school_id: Option<SchoolId>,
    pub school_code: Option<String>,
    pub school_name: Option<String>,
    pub class_id: Option<ClassId>,
    pub class_name: Option<String>,
    pub grade: Option<Grade>,
    pub sex: Option<Sex>,
    pub location: Option<Location>,
}

/// One row of [`Store::fitness_summary`]: counts and rates of one group and term. See
/// the module documentation for every denominator.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FitnessSummaryRow {
    pub key: FitnessGroupKey,
    /// 应测: students of the group in the roster.
    pub enrolled: i64,
    /// 实测: students of the group with a record for the term.
    pub tested: i64,
    pub test_rate: Option<f64>,
    /// Complete records (status OK): the denominator of the level rates.
    pub ok_count: i64,
    pub incomplete_count: i64,
    pub excellent_count: i64,
    pub good_count: i64,
    pub pass_level_count: i64,
    pub fail_count: i64,
    /// 合格率: level pass, good or excellent, among complete records.
    pub pass_rate: Option<f64>,
    /// 优良率: good or excellent among complete records.
    pub good_or_better_rate: Option<f64>,
    /// 优秀率.
    pub excellent_rate: Option<f64>,
    /// 不及格率.
    pub fail_rate: Option<f64>,
    /// Mean 学年总分 of complete records.
    pub mean_year_total: Option<f64>,
    /// Records with a fitness-standard BMI category, and the count of each.
    pub bmi_measured: i64,
    pub bmi_underweight: i64,
    pub bmi_normal: i64,
    pub bmi_overweight: i64,
    pub bmi_obese: i64,
    /// WS/T 586: records with a weight status, overweight and obese among them.
    pub weight_measured: i64,
    pub overweight_count: i64,
    pub obese_count: i64,
    pub overweight_rate: Option<f64>,
    pub obese_rate: Option<f64>,
    /// WS/T 456: records with a malnutrition status, stunting and wasting among them.
    pub growth_measured: i64,
    pub stunting_count: i64,
    pub wasting_count: i64,
    pub stunting_rate: Option<f64>,
    pub wasting_rate: Option<f64>,
    /// Screened for vision (myopia, reduced vision or normal), and the findings.
    pub vision_screened: i64,
    pub myopia_count: i64,
    pub reduced_vision_count: i64,
    pub myopia_rate: Option<f64>,
}

/// One item's statistics in a group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitnessItemStat {
    pub item: FitnessItem,
    /// Records with a score for the item.
    pub tested: i64,
    /// Mean raw result (unit of the item; for BMI kg/m²) over those records.
    pub mean_value: Option<f64>,
    /// Mean 单项得分.
    pub mean_score: Option<f64>,
    /// Records scoring ≥ 60 (the item's 及格).
    pub pass_count: i64,
    /// pass_count / tested.
    pub pass_rate: Option<f64>,
}

/// One row of [`Store::fitness_item_summary`]: every item of [`FitnessItem::ALL`], in
/// that order (items no one in the group takes have `tested` 0).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitnessItemRow {
    pub key: FitnessGroupKey,
    pub items: Vec<FitnessItemStat>,
}

/// One item of a stored record: the raw result and what it scored.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FitnessItemResult {
    pub item: FitnessItem,
    /// The raw result; for BMI the rounded BMI.
    pub value: f64,
    pub score: u8,
    /// 附加分 (bonus items only; 0 otherwise).
    pub bonus: u8,
}

/// A stored fitness and health record: raw values and everything scored at import.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitnessRecord {
    pub school_id: SchoolId,
    pub student_id: StudentId,
    pub term: Term,
    pub test_date: Date,
    /// The grade and sex the record was scored for.
    pub grade: Grade,
    pub sex: Sex,
    pub age_years: f64,
    /// The raw values as imported (vision included).
    pub measures: FitnessMeasures,
    pub bmi: Option<f64>,
    pub bmi_category: Option<BmiCategory>,
    /// Scored items (BMI first), in the order of [`FitnessItem::ALL`].
    pub items: Vec<FitnessItemResult>,
    pub bonus_total: u8,
    pub standard_score: Option<f64>,
    pub year_total: Option<f64>,
    pub level: Option<Level>,
    /// True for OK, false for INCOMPLETE.
    pub complete: bool,
    /// The required items missing from an INCOMPLETE record.
    pub missing: Vec<FitnessItem>,
    pub weight_status: Option<WeightStatus>,
    pub malnutrition: Option<MalnutritionStatus>,
    pub vision_status: Option<VisionStatus>,
}

impl FitnessRecord {
    pub fn item(&self, item: FitnessItem) -> Option<FitnessItemResult> {
        self.items.iter().copied().find(|i| i.item == item)
    }

    /// Items scoring below 60 (a PE teacher's "failed which item").
    pub fn failed_items(&self) -> impl Iterator<Item = FitnessItem> + '_ {
        self.items.iter().filter(|i| i.score < 60).map(|i| i.item)
    }
}

/// One student of a class and their record for the term (`None`: missing a test).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassFitnessRow {
    pub student: Student,
    pub record: Option<FitnessRecord>,
    /// 免测: the reason the student is excused from the term's test (then no record).
    pub exemption: Option<String>,
}

/// What a fitness import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FitnessImportSummary {
    pub import_id: i64,
    /// Records written (new or replacing the same student's record of the same term).
    pub records_written: u64,
    pub complete: u64,
    pub incomplete: u64,
    /// Distinct schools and terms the batch touched.
    pub schools: u64,
    pub terms: Vec<String>,
}

/// The plan's fitness targets, a district setting ([`FitnessTargets::KEY`], JSON such as
/// `{"excellent_rate": 0.30, "myopia_rate_max": 0.50}`); the defaults are the plan's (任务分解表:
/// 体质健康优秀率达到 30 %，总体近视率降至 50 %).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FitnessTargets {
    pub excellent_rate: f64,
    pub myopia_rate_max: f64,
}

impl Default for FitnessTargets {
    fn default() -> Self {
        FitnessTargets {
            excellent_rate: 0.30,
            myopia_rate_max: 0.50,
        }
    }
}

impl FitnessTargets {
    pub const KEY: &'static str = "fitness_targets";

    /// Both targets must be rates in 0..=1.
    pub fn is_valid(&self) -> bool {
        [self.excellent_rate, self.myopia_rate_max]
            .iter()
            .all(|r| r.is_finite() && (0.0..=1.0).contains(r))
    }
}
