//! Exams (issue 4): the read models and the exam settings. Statistics are computed at write
//! (after every score or item import, and by [`crate::Store::recompute_exam`] after a settings
//! change) with `wuyu-analytics` and stored per exam, so a page reads a few hundred rows
//! instead of every mark.
//!
//! # Who may read what
//!
//! * district roles: everything;
//! * school admin: their school's units (school, its classes) and the district/location/stage
//!   rows for comparison; their school's students; the parallel-class alerts of their school;
//! * teacher ([`Scope::Classes`]): unit statistics of their school (the class comparison needs
//!   the parallel classes' means — aggregates, no student of another class), the students of
//!   their own classes; no alerts;
//! * parent: their child's own marks ([`crate::Store::student_exams`]) without ranks (no
//!   district rank and no 百分等级, which is a rank); nothing else;
//! * counsellor: nothing (`Forbidden`).
//!
//! Ranks (school ranks, class ranks, student ranks) are stored, and the web layer shows them
//! only to the roles DESIGN.md allows and never when the district setting `hide_ranks` is on.
use serde::{Deserialize, Serialize};
use wuyu_analytics::compare::{ParallelAlert, ParallelRule};
use wuyu_analytics::descriptive::{AbsentPolicy, RateLines, RateSummary};
use wuyu_analytics::items::{ItemAnalysis, MasteryCell};
use wuyu_analytics::value_added::{Coefficient, GroupVa};
use wuyu_domain::{ClassId, Exam, ExamId, Location, SchoolId, Stage, StudentId, TeacherId};

/// The subject name under which a student's total over the exam's subjects is reported.
///
/// A student has a 总分 when they have a score in every subject of the exam; absent (缺考) in
/// every subject is absent in 总分; absent in some subjects is excluded from the 总分
/// statistics under `absent_policy = exclude` and totals the others (缺考 = 0) under
/// `count_as_zero`; a subject not taken at all (blank) excludes the student. The lines are the
/// configured fractions of the summed full marks (an absolute line `a` becomes `a × k` for `k`
/// subjects).
pub const TOTAL: &str = "总分";

/// The district's exam settings (stored as JSON under the setting key [`ExamSettings::KEY`];
/// the defaults are the spec's §11 recommendations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExamSettings {
    pub lines: RateLines,
    pub absent_policy: AbsentPolicy,
    /// 临界生: students within this many points below the excellent / pass line.
    pub borderline_points: f64,
    /// Units with fewer students are not given a value-added estimate (suppressed).
    pub va_min_n: usize,
    pub parallel_rule: ParallelRule,
}

impl ExamSettings {
    pub const KEY: &'static str = "exam_settings";
}

impl Default for ExamSettings {
    fn default() -> Self {
        ExamSettings {
            lines: RateLines::default(),
            absent_policy: AbsentPolicy::default(),
            borderline_points: 5.0,
            va_min_n: 10,
            parallel_rule: ParallelRule::default(),
        }
    }
}

/// An exam with how many schools and students sat it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamSummary {
    pub exam: Exam,
    pub schools: u64,
    /// Students with at least one mark (score or 缺考).
    pub students: u64,
    /// Whether item-level points were imported for any subject.
    pub has_items: bool,
}

/// The kind of unit a statistic describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExamUnitKind {
    District,
    Location,
    Stage,
    School,
    Class,
}

/// One unit: the district, 城区/农村, a stage, a school or a class (the class the students
/// were in when they sat the exam).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamUnit {
    pub kind: ExamUnitKind,
    pub school_id: Option<SchoolId>,
    pub class_id: Option<ClassId>,
    pub location: Option<Location>,
    pub stage: Option<Stage>,
    /// Display name: 全区, 城区, 初中, the school's or the class's name.
    pub name: String,
}

/// One unit's statistics in one subject (or [`TOTAL`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectStat {
    pub subject: String,
    /// 三率一分, 参考率 and counts under the district's lines and absent policy.
    pub rates: RateSummary,
    pub sd: Option<f64>,
    pub min: Option<f64>,
    pub p25: Option<f64>,
    pub median: Option<f64>,
    pub p75: Option<f64>,
    pub max: Option<f64>,
    /// The spec's default composite (综合指数): the standardised composite (§1.2 c) with the
    /// 三率一分 weights (mean, 优秀, 及格 0.3 each, 低分 0.1 reversed), z across the units it is
    /// ranked with; `None` where `rank` is `None`.
    pub composite: Option<f64>,
    /// Rank by mean among the units of the same kind (locations, stages, schools in the
    /// district, classes within their school's grade), ties sharing the best rank; `None` when
    /// the mean is `None`, for units with fewer than 10 students in the statistic (§0.3: never
    /// rank n < 10), and for the district row.
    pub rank: Option<u32>,
    /// Mean minus the best ranked unit's mean (≤ 0); `None` where `rank` is `None`.
    pub gap_to_best: Option<f64>,
    /// Mean minus the district mean.
    pub gap_to_district: Option<f64>,
    /// Counts of scores in 10 equal bins of full marks (the last bin includes full marks).
    pub histogram: Vec<u32>,
}

/// A unit with its statistics in every subject of the exam and in [`TOTAL`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamUnitStat {
    pub unit: ExamUnit,
    /// For classes: the teachers of each subject at exam time (subject, teacher names).
    pub teachers: Vec<(String, Vec<String>)>,
    pub subjects: Vec<SubjectStat>,
}

/// Which units to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExamUnitFilter {
    /// District, location and stage rows.
    Overview,
    /// Every school (district roles) or the caller's school.
    Schools,
    /// The classes of one school.
    Classes(SchoolId),
}

/// Value-added of schools or classes in one subject (or [`TOTAL`]) from the exam's baseline,
/// by the random-intercept model (REML) with EB effects, as `wuyu-analytics` computes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueAddedReport {
    pub exam: ExamId,
    pub baseline: ExamId,
    pub subject: String,
    pub level: ExamUnitKind,
    /// The model's label as the spec words it (e.g. 随机截距模型（REML）经验贝叶斯增值).
    pub model_label: String,
    pub n: usize,
    pub coefficients: Vec<Coefficient>,
    pub sigma2: Option<f64>,
    pub tau2: Option<f64>,
    pub icc: Option<f64>,
    /// `false` with a message when the between-unit variance is 0: do not rank.
    pub rankable: Option<bool>,
    pub message: Option<String>,
    /// One per unit, aligned with `units`; group labels are school ids (`"12"`) or
    /// `"school_id/class_id"`.
    pub groups: Vec<GroupVa>,
    pub units: Vec<ExamUnit>,
}

/// Item analysis of one subject: the district-wide analysis, each class's difficulty per item
/// (the heat map) and knowledge-point mastery by class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemReport {
    pub exam: ExamId,
    pub subject: String,
    pub knowledge_points: Vec<Vec<String>>,
    pub analysis: ItemAnalysis,
    /// Per class in the caller's scope: the unit and the difficulty (mean / max) per item.
    pub classes: Vec<(ExamUnit, Vec<Option<f64>>)>,
    /// Knowledge-point mastery per class (group label "school_id/class_id").
    pub mastery: Vec<MasteryCell>,
}

/// One student's marks in an exam with the standing derived at write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamStudentRow {
    pub school_id: SchoolId,
    pub class_id: ClassId,
    pub student_id: StudentId,
    pub student_no: String,
    pub name: String,
    pub subjects: Vec<StudentMark>,
}

/// A student's mark in one subject (or [`TOTAL`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentMark {
    pub subject: String,
    /// `None` with `absent` false: did not take the subject.
    pub score: Option<f64>,
    pub absent: bool,
    /// Against the district's distribution of the subject.
    pub z: Option<f64>,
    pub t: Option<f64>,
    /// 百分等级 in the district (0–100); `None` for parents.
    pub percentile: Option<f64>,
    /// Rank in the district, ties sharing the best rank; `None` for parents.
    pub district_rank: Option<u32>,
    /// 临界生: within `borderline_points` below the excellent or the pass line.
    pub borderline: Option<Borderline>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Borderline {
    /// Just below the 优秀 line.
    Excellent,
    /// Just below the 及格 line.
    Pass,
}

/// One exam in a student's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentExamRow {
    pub exam: Exam,
    pub marks: Vec<StudentMark>,
}

/// A parallel-class alert of one teacher, for human review. Events are the teacher's (exam,
/// class) pairs in the subject from the teacher snapshots taken at import, over the cycle's
/// exams of the school; the parallel classes are the school's classes of the same grade and
/// class type (普通班, 实验班 …) in that exam.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeacherAlert {
    pub school_id: SchoolId,
    pub teacher_id: TeacherId,
    pub teacher_name: String,
    pub subject: String,
    pub alert: ParallelAlert,
    /// The district's latest decision on this alert, if one was recorded.
    pub decision: Option<AlertDecision>,
    /// Value-added of the same class in the same exam and subject (EB estimate, points),
    /// aligned with `alert.events`; `None` for an exam without a baseline or a class too small
    /// to estimate. Beside the rule, not part of it: a class below its parallel classes may
    /// still have gained more than expected from where it started.
    pub event_value_added: Vec<Option<f64>>,
}

impl TeacherAlert {
    /// The mean value-added over the events that have one, with how many have one.
    pub fn mean_value_added(&self) -> Option<(f64, usize)> {
        let v: Vec<f64> = self.event_value_added.iter().flatten().copied().collect();
        (!v.is_empty()).then(|| (v.iter().sum::<f64>() / v.len() as f64, v.len()))
    }
}

/// What the district decided on an alert (the plan: 应低聘或调离). A person decides; the
/// system never does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertDecisionKind {
    /// 待复核: under review.
    PendingReview,
    /// 不予处理: reviewed, no action.
    NoAction,
    /// 低聘.
    Demote,
    /// 调离.
    Transfer,
}

impl AlertDecisionKind {
    pub const ALL: [AlertDecisionKind; 4] = [
        AlertDecisionKind::PendingReview,
        AlertDecisionKind::NoAction,
        AlertDecisionKind::Demote,
        AlertDecisionKind::Transfer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AlertDecisionKind::PendingReview => "pending_review",
            AlertDecisionKind::NoAction => "no_action",
            AlertDecisionKind::Demote => "demote",
            AlertDecisionKind::Transfer => "transfer",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            AlertDecisionKind::PendingReview => "待复核",
            AlertDecisionKind::NoAction => "不予处理",
            AlertDecisionKind::Demote => "低聘",
            AlertDecisionKind::Transfer => "调离",
        }
    }

    /// From the code or the Chinese label.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.code() == s || k.label_zh() == s)
    }
}

/// One recorded decision on a teacher's alert of one cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertDecision {
    pub school_id: SchoolId,
    pub teacher_id: TeacherId,
    pub subject: String,
    /// The school year the alert's cycle ends with.
    pub evaluation_year: i32,
    pub kind: AlertDecisionKind,
    pub reason: String,
    /// The username of who decided.
    pub decided_by: String,
    /// Unix seconds.
    pub decided_at: i64,
}

/// What an exam import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExamImportSummary {
    pub import_id: i64,
    pub students: u64,
    pub marks: u64,
    pub absent: u64,
    pub schools: u64,
}
