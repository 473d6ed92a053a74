//! The plan (任务分解表) as data: each indicator's definition (key, 名称, unit, direction, the
//! units it applies to, computed or reported) and its yearly targets, in the layout of the
//! seeds' `targets-2023-2025.csv`. Pure: the reader (ingest) builds a [`Plan`], the store keeps
//! it, the service judges its targets through the indicator sources.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use wuyu_domain::{Location, Stage};

use crate::indicator::{
    Comparator, IndicatorKey, archive_keys, exam_keys, fitness_keys, psych_keys, roster_keys,
    staff_keys, survey_keys,
};

/// What an indicator's number is, read from the plan's 单位 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// A percentage: targets written as 0–100 (`30` = 30 %).
    Rate,
    Count,
    /// Per so many (teachers per 100 students, students per PE teacher, tests per student).
    Ratio,
    Hours,
    /// A place in a ranking (1 is best).
    Rank,
    /// Points (score gaps).
    Points,
}

impl UnitKind {
    /// The kind the plan's unit text states (`% of schools`, `teachers per 100 students`, …).
    pub fn of_unit(unit: &str) -> UnitKind {
        let u = unit.trim().to_lowercase();
        if u.starts_with('%') || u.starts_with("百分") {
            UnitKind::Rate
        } else if u.starts_with("rank") || u.contains("名次") {
            UnitKind::Rank
        } else if u.starts_with("points") || u == "分" {
            UnitKind::Points
        } else if u.starts_with("hours") || u.contains("小时") {
            UnitKind::Hours
        } else if u.contains(" per ") || u.starts_with("per ") || u.contains("每") {
            UnitKind::Ratio
        } else {
            UnitKind::Count
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            UnitKind::Rate => "rate",
            UnitKind::Count => "count",
            UnitKind::Ratio => "ratio",
            UnitKind::Hours => "hours",
            UnitKind::Rank => "rank",
            UnitKind::Points => "points",
        }
    }

    pub fn from_code(s: &str) -> Option<UnitKind> {
        [
            UnitKind::Rate,
            UnitKind::Count,
            UnitKind::Ratio,
            UnitKind::Hours,
            UnitKind::Rank,
            UnitKind::Points,
        ]
        .into_iter()
        .find(|k| k.code() == s)
    }
}

/// Which of 五育 an indicator belongs to (`General`: the plan's work on teachers, schools and
/// ICT that serves all five).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    Moral,
    Academic,
    Physical,
    Aesthetic,
    Labor,
    General,
}

impl Domain {
    pub const ALL: [Domain; 6] = [
        Domain::Moral,
        Domain::Academic,
        Domain::Physical,
        Domain::Aesthetic,
        Domain::Labor,
        Domain::General,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Domain::Moral => "moral",
            Domain::Academic => "academic",
            Domain::Physical => "physical",
            Domain::Aesthetic => "aesthetic",
            Domain::Labor => "labor",
            Domain::General => "general",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Domain::Moral => "德育",
            Domain::Academic => "智育",
            Domain::Physical => "体育",
            Domain::Aesthetic => "美育",
            Domain::Labor => "劳育",
            Domain::General => "综合",
        }
    }

    /// A code (`physical`) or a Chinese name (`体育`, `体`).
    pub fn parse(s: &str) -> Option<Domain> {
        let t = s.trim();
        Domain::ALL.into_iter().find(|d| {
            t == d.code()
                || t == d.label_zh()
                || (t.chars().count() == 1 && t.chars().next() == d.label_zh().chars().next())
        })
    }

    /// The 育 a plan's indicator belongs to, from the words of its name (the seeds' plan has
    /// no such column): the first rule whose word the name contains.
    pub fn of_name(name: &str) -> Domain {
        const RULES: [(&str, Domain); 27] = [
            ("劳动", Domain::Labor),
            ("艺术", Domain::Aesthetic),
            ("美育", Domain::Aesthetic),
            ("音乐美术", Domain::Aesthetic),
            ("体质", Domain::Physical),
            ("体育", Domain::Physical),
            ("体检", Domain::Physical),
            ("近视", Domain::Physical),
            ("运动", Domain::Physical),
            ("足球", Domain::Physical),
            ("健康教育课", Domain::Physical),
            ("德育", Domain::Moral),
            ("思政", Domain::Moral),
            ("心理", Domain::Moral),
            ("家长", Domain::Moral),
            ("家访", Domain::Moral),
            ("文明校园", Domain::Moral),
            ("立德", Domain::Moral),
            ("育人", Domain::Moral),
            ("校外实践", Domain::Moral),
            ("绿色学校", Domain::Moral),
            ("中考", Domain::Academic),
            ("质量监测", Domain::Academic),
            ("毕业考试", Domain::Academic),
            ("教学目标", Domain::Academic),
            ("综合素质", Domain::Academic),
            ("分班", Domain::Academic),
        ];
        RULES
            .iter()
            .find(|(word, _)| name.contains(word))
            .map_or(Domain::General, |(_, d)| *d)
    }
}

/// Where an indicator's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorSource {
    /// From stored data, by the capability that owns the key.
    Computed,
    /// A school or the district fills in a value each period; the district approves.
    Reported,
}

impl IndicatorSource {
    pub fn code(self) -> &'static str {
        match self {
            IndicatorSource::Computed => "computed",
            IndicatorSource::Reported => "reported",
        }
    }

    pub fn parse(s: &str) -> Option<IndicatorSource> {
        match s.trim() {
            "computed" | "计算" | "系统计算" => Some(IndicatorSource::Computed),
            "reported" | "填报" | "学校填报" => Some(IndicatorSource::Reported),
            _ => None,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            IndicatorSource::Computed => "系统计算",
            IndicatorSource::Reported => "填报",
        }
    }
}

/// A unit an indicator is judged for. "Each school" kinds expand to every matching school.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AppliesTo {
    /// The district as a whole.
    District,
    /// The district's schools of one 学段, pooled.
    Stage { stage: Stage },
    /// Every school, or every school of a location and/or 学段, each judged on its own.
    EachSchool {
        location: Option<Location>,
        stage: Option<Stage>,
    },
    /// Each school of a set the district names ("城区初中": the named urban junior schools).
    SchoolSet { name: String },
    /// Each 教育集团.
    EachGroup,
}

impl AppliesTo {
    /// A short Chinese label for pages.
    pub fn label_zh(&self) -> String {
        match self {
            AppliesTo::District => "全区".into(),
            AppliesTo::Stage { stage } => format!("全区{}", stage.label_zh()),
            AppliesTo::EachSchool { location, stage } => format!(
                "每所{}{}学校",
                location.map_or("", |l| l.label_zh()),
                stage.map_or("", |s| s.label_zh())
            ),
            AppliesTo::SchoolSet { name } => format!("学校组“{name}”各校"),
            AppliesTo::EachGroup => "每个教育集团".into(),
        }
    }
}

/// The units a plan's 范围 (scope) text names, or why it names none wuyu knows. The seeds'
/// English phrases and their Chinese forms are understood; anything else is an unknown unit.
pub fn parse_scope(text: &str) -> Result<Vec<AppliesTo>, String> {
    // A set the district names itself: 学校组:城区四所初中 (its members are stored).
    for prefix in ["学校组:", "学校组：", "school set:"] {
        if let Some(name) = text.trim().strip_prefix(prefix) {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 30 {
                return Err("学校组名称不能为空，也不能超过 30 字".into());
            }
            return Ok(vec![AppliesTo::SchoolSet { name: name.into() }]);
        }
    }
    let t = text.trim().to_lowercase();
    let each = |location, stage| AppliesTo::EachSchool { location, stage };
    let set = |name: &str| AppliesTo::SchoolSet { name: name.into() };
    let units = match t.as_str() {
        "district" | "全区" | "district × subject" | "全区各学科" => {
            vec![AppliesTo::District]
        }
        "district (primary)" | "全区小学" => vec![AppliesTo::Stage {
            stage: Stage::Primary,
        }],
        "district (junior)" | "全区初中" => vec![AppliesTo::Stage {
            stage: Stage::Junior,
        }],
        "per school" | "每校" | "各学校" | "per school visited" | "per lesson" | "per student" =>
        {
            vec![each(None, None)]
        }
        "district and per school"
        | "per school and district"
        | "per school/district"
        | "全区和各学校" => vec![AppliesTo::District, each(None, None)],
        "urban primary schools" | "城区小学" => {
            vec![each(Some(Location::Urban), Some(Stage::Primary))]
        }
        "rural primary schools" | "农村小学" => {
            vec![each(Some(Location::Rural), Some(Stage::Primary))]
        }
        "each named urban junior school" | "城区初中" => vec![set("城区初中")],
        "each other junior school" | "其余初中" => vec![set("其余初中")],
        "per group" | "每个教育集团" => vec![AppliesTo::EachGroup],
        _ => {
            return Err(format!(
                "未知的适用范围“{}”：可写 district、per school、district and per school、\
                 urban/rural primary schools、district (primary)、district (junior)、per group，\
                 或 全区、每校、城区小学、农村小学、城区初中、其余初中、学校组:组名",
                text.trim()
            ));
        }
    };
    Ok(units)
}

/// One yearly target cell as the plan writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum TargetCell {
    /// Stated only in words in the seed: the district fills it in.
    Empty,
    /// A number in the indicator's unit (a rate in percent).
    Number(f64),
    /// A target written in words or several numbers at once ("20+20", "12/4/1", "all junior
    /// schools"): kept as written and judged by the district, never by wuyu.
    Words(String),
}

impl TargetCell {
    /// The cell as the plan file writes it (numbers in their shortest form: `1.5`, `30`).
    pub fn text(&self) -> String {
        match self {
            TargetCell::Empty => String::new(),
            TargetCell::Number(x) => format!("{x}"),
            TargetCell::Words(w) => w.clone(),
        }
    }

    pub fn number(&self) -> Option<f64> {
        match self {
            TargetCell::Number(x) => Some(*x),
            _ => None,
        }
    }
}

/// Reads a target cell for an indicator of `kind`; `computed` indicators need numbers (or
/// nothing). A rate outside 0–100 or a negative number is refused, in Chinese.
pub fn parse_target(text: &str, kind: UnitKind, computed: bool) -> Result<TargetCell, String> {
    let t = text.trim().trim_end_matches('%').trim();
    if t.is_empty() {
        return Ok(TargetCell::Empty);
    }
    match t.parse::<f64>() {
        Ok(x) if !x.is_finite() || x < 0.0 => Err("目标应为不小于 0 的数".into()),
        Ok(x) if kind == UnitKind::Rate && x > 100.0 => {
            Err("百分比目标应在 0 到 100 之间（如 30 表示 30%）".into())
        }
        Ok(x) => Ok(TargetCell::Number(x)),
        Err(_) if kind == UnitKind::Rate || computed => Err(format!(
            "目标应为数字{}",
            if computed {
                "（系统计算的指标按数字判定）"
            } else {
                "（百分比指标写 0 到 100 的数）"
            }
        )),
        Err(_) => Ok(TargetCell::Words(text.trim().to_string())),
    }
}

/// One indicator of the plan with its yearly targets. The text fields are kept as the file
/// writes them, so a plan exports back as it was imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanIndicator {
    /// The plan's own key for this row (unique in the plan; reported values hang off it).
    pub key: String,
    /// For computed indicators, the indicator source's key (`fitness.myopia_rate`,
    /// `exam.pass_rate:中考`); `None` for reported ones.
    pub measure: Option<IndicatorKey>,
    /// 名称, as the plan writes it.
    pub name: String,
    pub domain: Domain,
    /// The unit as written (`% of schools`, `teachers per 100 students`).
    pub unit: String,
    pub kind: UnitKind,
    pub comparator: Comparator,
    /// The 范围 text as written, and the units it names.
    pub scope: String,
    pub applies_to: Vec<AppliesTo>,
    /// School year → target (every year column of the plan, empty cells included).
    pub targets: BTreeMap<i32, TargetCell>,
    pub data_to_compute: String,
    pub seed_file: String,
    pub seed_phrase: String,
    pub note: String,
    /// The smallest n a rate of this indicator is judged on: below it the verdict is 样本不足
    /// and the value is not shown (`min_n` column; `None`: judged whatever n).
    #[serde(default)]
    pub min_n: Option<u32>,
}

/// The whole plan: its year columns and its indicators in file order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub years: Vec<i32>,
    pub indicators: Vec<PlanIndicator>,
}

impl PlanIndicator {
    pub fn source(&self) -> IndicatorSource {
        if self.measure.is_some() {
            IndicatorSource::Computed
        } else {
            IndicatorSource::Reported
        }
    }
}

impl Plan {
    pub fn indicator(&self, key: &str) -> Option<&PlanIndicator> {
        self.indicators.iter().find(|i| i.key == key)
    }
}

/// The keys wuyu computes today: a capability's key, optionally with the kind of exam after a
/// colon (`exam.pass_rate:中考`).
pub const COMPUTED_KEYS: [&str; 37] = [
    fitness_keys::EXCELLENT_RATE,
    fitness_keys::PASS_RATE,
    fitness_keys::TEST_RATE,
    fitness_keys::MYOPIA_RATE,
    fitness_keys::OVERWEIGHT_RATE,
    fitness_keys::OBESE_RATE,
    exam_keys::EXCELLENT_RATE,
    exam_keys::PASS_RATE,
    exam_keys::MEAN,
    archive_keys::ART_COVERAGE,
    archive_keys::OFF_CAMPUS_RATE,
    archive_keys::OFF_CAMPUS_PER_STUDENT,
    archive_keys::LABOR_MET_RATE,
    archive_keys::VOLUNTEER_HOURS,
    archive_keys::ART_EXCELLENT_RATE,
    archive_keys::ART_PASS_RATE,
    archive_keys::HOME_VISIT_COVERAGE,
    archive_keys::LABOR_WEEK_HELD,
    survey_keys::PARENT_SATISFACTION,
    survey_keys::AFTER_SCHOOL_SATISFACTION,
    psych_keys::SCREENING_COVERAGE,
    psych_keys::CRISIS_IN_TIME,
    psych_keys::CONSENT_RATE,
    psych_keys::FILE_COVERAGE,
    psych_keys::TEACHER_SCHOOL_SHARE,
    staff_keys::KEY_TEACHERS_PER_100,
    staff_keys::TRAINING_GENERAL,
    staff_keys::TRAINING_KEY,
    staff_keys::TRAINING_ADVANCED,
    staff_keys::HONOURS_PROVINCE,
    staff_keys::HONOURS_CITY,
    staff_keys::HONOURS_DISTRICT,
    staff_keys::TRAINING_COMPLETION,
    roster_keys::NO_DROPOUT_SCHOOL_SHARE,
    roster_keys::STUDENTS_PER_PE_TEACHER,
    roster_keys::STUDENTS_PER_ART_TEACHER,
    roster_keys::ART_FULL_TIME_SHARE,
];

/// Whether `key` (its part before any `:`) is one wuyu computes; a registry key must name its
/// kind (`registry.held:劳动特色学校@市`).
pub fn is_computed_key(key: &str) -> bool {
    let base = key.split(':').next().unwrap_or_default();
    COMPUTED_KEYS.contains(&base) || crate::plan_registry::RegistryMeasure::parse(key).is_some()
}

/// The seeds' targets that count registry items, by the name the plans give them: 创成 and
/// plain counts are held items (cumulative), 新增 ones are the year's new items, 覆盖/占比 the
/// share of schools holding one. (市级文明校园 stays reported here: it is the plans' example of a
/// reported count; a district's plan file may still name `registry.held:文明校园@市` as its
/// measure.)
const REGISTRY_NAMES: [(&str, &str); 23] = [
    (
        "有德育工程项目的学校占比",
        "registry.school_share:德育工程项目",
    ),
    ("新增优质校", "registry.new:优质校"),
    ("创成市劳动特色学校", "registry.held:劳动特色学校@市"),
    (
        "市劳动教育综合实践基地",
        "registry.held:劳动教育实践基地@市",
    ),
    (
        "创成市级心理健康教育特色学校",
        "registry.held:心理健康教育特色学校@市",
    ),
    ("新增市级优秀心理辅导室", "registry.new:优秀心理辅导室@市"),
    ("新增市级示范心理辅导室", "registry.new:示范心理辅导室@市"),
    ("创成省体育特色学校", "registry.held:体育特色学校@省"),
    (
        "创成全国青少年校园足球特色学校",
        "registry.held:校园足球特色学校@国",
    ),
    ("创成区级体育特色学校", "registry.held:体育特色学校@区"),
    ("培养市级名校长", "registry.new:名校长@市"),
    ("培养区级名校长", "registry.new:名校长@区"),
    ("运动会或体育节", "registry.new:运动会或体育节"),
    ("校园文化艺术节", "registry.new:校园文化艺术节"),
    ("体育特色学校", "registry.held:体育特色学校"),
    ("体育特色班", "registry.held:体育特色班"),
    ("美育特色学校(传统文化传承校)", "registry.held:美育特色学校"),
    ("美育名师工作室", "registry.held:美育名师工作室"),
    ("美育培训基地", "registry.held:美育培训基地"),
    ("示范家长学校", "registry.held:示范家长学校"),
    (
        "综合性学生劳动教育实践基地",
        "registry.held:劳动教育实践基地",
    ),
    ("绿色学校覆盖", "registry.school_share:绿色学校"),
    // A school registers its course (with the timetable or syllabus as evidence); the
    // district reviews it like any designation.
    (
        "开设心理健康教育课程的学校",
        "registry.school_share:心理健康教育课程",
    ),
];

/// The computed key a plan's indicator name stands for, when wuyu can compute it: the seeds'
/// fitness and exam indicators. Exam keys carry the kind of exam they are measured on.
pub fn computed_key_for(name: &str) -> Option<String> {
    let n = name.trim();
    let fitness = [
        ("体质健康优秀率", fitness_keys::EXCELLENT_RATE),
        ("体质健康合格率", fitness_keys::PASS_RATE),
        ("体质测试", fitness_keys::TEST_RATE),
        ("体质测试率", fitness_keys::TEST_RATE),
        ("总体近视率", fitness_keys::MYOPIA_RATE),
        ("近视率", fitness_keys::MYOPIA_RATE),
        ("超重率", fitness_keys::OVERWEIGHT_RATE),
        ("肥胖率", fitness_keys::OBESE_RATE),
        ("课外、校外艺术活动覆盖率", archive_keys::ART_COVERAGE),
        ("艺术活动覆盖率", archive_keys::ART_COVERAGE),
        ("校外实践教育", archive_keys::OFF_CAMPUS_PER_STUDENT),
        ("校外实践覆盖率", archive_keys::OFF_CAMPUS_RATE),
        ("劳动时长达标率", archive_keys::LABOR_MET_RATE),
        ("人均志愿服务时长", archive_keys::VOLUNTEER_HOURS),
        ("艺术素质测评优秀率", archive_keys::ART_EXCELLENT_RATE),
        ("艺术素质测评合格率", archive_keys::ART_PASS_RATE),
        ("家访覆盖", archive_keys::HOME_VISIT_COVERAGE),
        ("家访覆盖率", archive_keys::HOME_VISIT_COVERAGE),
        ("劳动周", archive_keys::LABOR_WEEK_HELD),
        ("心理健康筛查覆盖", psych_keys::SCREENING_COVERAGE),
        ("心理健康筛查覆盖率", psych_keys::SCREENING_COVERAGE),
        ("危机个案按时处置率", psych_keys::CRISIS_IN_TIME),
        ("危机干预按时跟进率", psych_keys::CRISIS_IN_TIME),
        ("心理档案覆盖", psych_keys::FILE_COVERAGE),
        ("心理档案覆盖率", psych_keys::FILE_COVERAGE),
        ("心理健康教育教师配齐", psych_keys::TEACHER_SCHOOL_SHARE),
        ("骨干以上教师数/百名学生", staff_keys::KEY_TEACHERS_PER_100),
        ("“666”普及培训", staff_keys::TRAINING_GENERAL),
        ("“666”骨干培训", staff_keys::TRAINING_KEY),
        ("“666”高端培训", staff_keys::TRAINING_ADVANCED),
        ("培养省级名优教师", staff_keys::HONOURS_PROVINCE),
        ("培养市级名优教师", staff_keys::HONOURS_CITY),
        ("培养区级名优教师", staff_keys::HONOURS_DISTRICT),
        ("教师培训学时达标率", staff_keys::TRAINING_COMPLETION),
        ("无辍学学生的学校占比", roster_keys::NO_DROPOUT_SCHOOL_SHARE),
        (
            "专任体育教师与在校生比",
            roster_keys::STUDENTS_PER_PE_TEACHER,
        ),
        (
            "音乐美术教师与在校生比",
            roster_keys::STUDENTS_PER_ART_TEACHER,
        ),
        ("小学音乐美术专职教师占比", roster_keys::ART_FULL_TIME_SHARE),
        ("初中音乐美术专职教师占比", roster_keys::ART_FULL_TIME_SHARE),
        ("音乐美术专职教师占比", roster_keys::ART_FULL_TIME_SHARE),
    ];
    if let Some((_, k)) = fitness.iter().find(|(name, _)| *name == n) {
        return Some((*k).to_string());
    }
    if let Some((_, k)) = REGISTRY_NAMES.iter().find(|(name, _)| *name == n) {
        return Some((*k).to_string());
    }
    // The plans word these variously (家长及社会对学校、教师教学的满意度; 课后服务学生及社会满意率).
    if n.contains("满意") {
        if n.contains("课后服务") {
            return Some(survey_keys::AFTER_SCHOOL_SATISFACTION.to_string());
        }
        if n.contains("家长") {
            return Some(survey_keys::PARENT_SATISFACTION.to_string());
        }
    }
    let exam_kind = if n.contains("中考") {
        "中考"
    } else if n.contains("质量监测") {
        "小学质量监测"
    } else {
        return None;
    };
    let key = if n.ends_with("优秀率") {
        exam_keys::EXCELLENT_RATE
    } else if n.ends_with("及格率") {
        exam_keys::PASS_RATE
    } else if n.ends_with("平均分") {
        exam_keys::MEAN
    } else {
        return None;
    };
    Some(format!("{key}:{exam_kind}"))
}

/// The plan key of an indicator named `name` when the file gives none: `plan.` and a hash of
/// the name, so the key stays the same when rows move or other rows are added (FNV-1a, 32
/// bits).
pub fn plan_key_for(name: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in name.trim().bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("plan.{h:08x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plans_teacher_targets_map_to_staff_keys() {
        assert_eq!(
            computed_key_for("骨干以上教师数/百名学生").as_deref(),
            Some(staff_keys::KEY_TEACHERS_PER_100)
        );
        assert_eq!(
            computed_key_for("“666”骨干培训").as_deref(),
            Some(staff_keys::TRAINING_KEY)
        );
        assert_eq!(
            computed_key_for("培养市级名优教师").as_deref(),
            Some(staff_keys::HONOURS_CITY)
        );
        assert!(is_computed_key(staff_keys::HONOURS_PROVINCE));
    }

    #[test]
    fn the_plans_roster_targets_map_to_roster_keys() {
        for (name, key) in [
            ("无辍学学生的学校占比", roster_keys::NO_DROPOUT_SCHOOL_SHARE),
            (
                "专任体育教师与在校生比",
                roster_keys::STUDENTS_PER_PE_TEACHER,
            ),
            (
                "音乐美术教师与在校生比",
                roster_keys::STUDENTS_PER_ART_TEACHER,
            ),
            ("初中音乐美术专职教师占比", roster_keys::ART_FULL_TIME_SHARE),
        ] {
            assert_eq!(computed_key_for(name).as_deref(), Some(key), "{name}");
            assert!(is_computed_key(key));
        }
    }

    #[test]
    fn unit_texts_give_their_kind() {
        assert_eq!(UnitKind::of_unit("% of schools"), UnitKind::Rate);
        assert_eq!(
            UnitKind::of_unit("teachers per 100 students"),
            UnitKind::Ratio
        );
        assert_eq!(UnitKind::of_unit("rank in city"), UnitKind::Rank);
        assert_eq!(UnitKind::of_unit("points"), UnitKind::Points);
        assert_eq!(UnitKind::of_unit("hours per day"), UnitKind::Hours);
        assert_eq!(UnitKind::of_unit("schools"), UnitKind::Count);
        for k in [UnitKind::Rate, UnitKind::Hours] {
            assert_eq!(UnitKind::from_code(k.code()), Some(k));
        }
    }

    #[test]
    fn targets_of_the_wrong_type_are_refused() {
        assert_eq!(
            parse_target("30", UnitKind::Rate, true),
            Ok(TargetCell::Number(30.0))
        );
        assert_eq!(
            parse_target("", UnitKind::Rate, true),
            Ok(TargetCell::Empty)
        );
        assert!(parse_target("130", UnitKind::Rate, false).is_err());
        assert!(parse_target("很多", UnitKind::Rate, false).is_err());
        assert!(parse_target("-1", UnitKind::Count, false).is_err());
        assert!(parse_target("20+20", UnitKind::Count, true).is_err());
        assert_eq!(
            parse_target("20+20", UnitKind::Count, false),
            Ok(TargetCell::Words("20+20".into()))
        );
        assert_eq!(TargetCell::Number(1.5).text(), "1.5");
        assert_eq!(TargetCell::Number(30.0).text(), "30");
    }

    #[test]
    fn scopes_name_units_and_unknown_ones_are_refused() {
        assert_eq!(parse_scope("district").unwrap(), vec![AppliesTo::District]);
        assert_eq!(
            parse_scope("district and per school").unwrap(),
            vec![
                AppliesTo::District,
                AppliesTo::EachSchool {
                    location: None,
                    stage: None
                }
            ]
        );
        assert!(
            parse_scope("every galaxy")
                .unwrap_err()
                .contains("every galaxy")
        );
        assert_eq!(
            parse_scope("学校组：城区四所初中").unwrap(),
            vec![AppliesTo::SchoolSet {
                name: "城区四所初中".into()
            }]
        );
        assert!(parse_scope("学校组: ").is_err());
    }

    #[test]
    fn the_seeds_computed_indicators_find_their_keys() {
        assert_eq!(
            computed_key_for("体质健康优秀率").as_deref(),
            Some("fitness.excellent_rate")
        );
        assert_eq!(
            computed_key_for("城区初中中考及格率").as_deref(),
            Some("exam.pass_rate:中考")
        );
        assert_eq!(
            computed_key_for("农村小学质量监测优秀率").as_deref(),
            Some("exam.excellent_rate:小学质量监测")
        );
        assert_eq!(
            computed_key_for("课外、校外艺术活动覆盖率").as_deref(),
            Some("archive.art_coverage")
        );
        assert_eq!(
            computed_key_for("校外实践教育").as_deref(),
            Some("archive.off_campus_per_student")
        );
        assert!(is_computed_key("archive.labor_met_rate"));
        assert_eq!(
            computed_key_for("家长及社会对学校、教师教学的满意度").as_deref(),
            Some("survey.parent_satisfaction")
        );
        assert_eq!(
            computed_key_for("课后服务学生及社会满意率").as_deref(),
            Some("survey.after_school_satisfaction")
        );
        assert!(is_computed_key("survey.parent_satisfaction"));
        assert_eq!(
            computed_key_for("心理健康筛查覆盖").as_deref(),
            Some(psych_keys::SCREENING_COVERAGE)
        );
        assert_eq!(
            computed_key_for("心理档案覆盖").as_deref(),
            Some(psych_keys::FILE_COVERAGE)
        );
        assert_eq!(
            computed_key_for("心理健康教育教师配齐").as_deref(),
            Some(psych_keys::TEACHER_SCHOOL_SHARE)
        );
        assert_eq!(
            computed_key_for("开设心理健康教育课程的学校").as_deref(),
            Some("registry.school_share:心理健康教育课程")
        );
        // Designations count from the registry; a name no capability computes stays reported.
        assert_eq!(
            computed_key_for("创成市劳动特色学校").as_deref(),
            Some("registry.held:劳动特色学校@市")
        );
        assert_eq!(computed_key_for("市级文明校园"), None);
        assert!(is_computed_key("registry.held:文明校园@市"));
        assert!(!is_computed_key("registry.held"));
        assert_eq!(computed_key_for("思政金课评选与教学大赛/展示"), None);
        assert!(is_computed_key("exam.pass_rate:中考"));
        assert!(!is_computed_key("plan.0000"));
        assert_eq!(Domain::of_name("总体近视率"), Domain::Physical);
        assert_eq!(Domain::of_name("创成市劳动特色学校"), Domain::Labor);
        assert_eq!(Domain::of_name("城区初中中考及格率"), Domain::Academic);
        assert_eq!(Domain::of_name("培养省级名优教师"), Domain::General);
        assert_eq!(Domain::parse("体育"), Some(Domain::Physical));
        assert_eq!(Domain::parse("moral"), Some(Domain::Moral));
        assert_eq!(plan_key_for("市级文明校园"), plan_key_for(" 市级文明校园 "));
        assert_ne!(plan_key_for("市级文明校园"), plan_key_for("示范家长学校"));
    }
}
