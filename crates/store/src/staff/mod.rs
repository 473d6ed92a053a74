//! Teachers (issue 14): training records (the 666 programme's levels), titles (骨干教师,
//! 学科带头人, 名师 in `teacher_title`), and the annual appraisal per school and year with its
//! workflow — draft → 公示 → approved — appeals with their answers and the teacher's
//! confirmation. Levels are computed by `wuyu_analytics::appraisal` before the store sees them.
//!
//! Reads take a [`StaffReader`] (the district, one school, or one teacher of a school), built
//! by the service from the viewer and applied in SQL. Every read of appraisal rows and every
//! workflow step writes its audit entry in the same transaction: both or neither.
use serde::Serialize;
use wuyu_analytics::appraisal::{Level, Sanction, SourceKind, TeachingBasis, UnitRating};
use wuyu_domain::{SchoolId, TeacherId};

use crate::StoreFuture;
use crate::model::AuditEntry;

/// Whose staff records a read reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffReader {
    District,
    School(SchoolId),
    /// A teacher: their own records only.
    Teacher(SchoolId, TeacherId),
}

impl StaffReader {
    pub(crate) fn reaches(self, school: SchoolId) -> bool {
        match self {
            StaffReader::District => true,
            StaffReader::School(s) | StaffReader::Teacher(s, _) => s == school,
        }
    }

    pub(crate) fn teacher(self) -> Option<TeacherId> {
        match self {
            StaffReader::Teacher(_, t) => Some(t),
            _ => None,
        }
    }
}

/// The 666 programme's training levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainingLevel {
    /// 普及
    General,
    /// 骨干
    Key,
    /// 高端
    Advanced,
}

impl TrainingLevel {
    pub const ALL: [TrainingLevel; 3] = [
        TrainingLevel::General,
        TrainingLevel::Key,
        TrainingLevel::Advanced,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TrainingLevel::General => "general",
            TrainingLevel::Key => "key",
            TrainingLevel::Advanced => "advanced",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            TrainingLevel::General => "普及",
            TrainingLevel::Key => "骨干",
            TrainingLevel::Advanced => "高端",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        Self::ALL
            .into_iter()
            .find(|l| l.code() == t || l.label_zh() == t)
    }
}

/// A training course to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTraining {
    pub teacher_id: TeacherId,
    pub course: String,
    /// ISO date (yyyy-mm-dd).
    pub taken_on: String,
    pub hours: f64,
    pub level: TrainingLevel,
    pub provider: String,
}

/// A stored training course with its teacher.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingRow {
    pub school_id: SchoolId,
    pub teacher_id: TeacherId,
    pub staff_no: String,
    pub teacher_name: String,
    pub course: String,
    pub taken_on: String,
    pub hours: f64,
    pub level: TrainingLevel,
    pub provider: String,
}

/// A teacher title (glossary: `key_teacher`, …; stored in `teacher_title`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TitleKind {
    KeyTeacher,
    SubjectLeader,
    MasterTeacher,
    /// 名校长 (migration 29).
    MasterPrincipal,
}

impl TitleKind {
    pub const ALL: [TitleKind; 4] = [
        TitleKind::KeyTeacher,
        TitleKind::SubjectLeader,
        TitleKind::MasterTeacher,
        TitleKind::MasterPrincipal,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TitleKind::KeyTeacher => "key_teacher",
            TitleKind::SubjectLeader => "subject_leader",
            TitleKind::MasterTeacher => "master_teacher",
            TitleKind::MasterPrincipal => "master_principal",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            TitleKind::KeyTeacher => "骨干教师",
            TitleKind::SubjectLeader => "学科带头人",
            TitleKind::MasterTeacher => "名师",
            TitleKind::MasterPrincipal => "名校长",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.code() == t || k.label_zh() == t)
    }
}

/// The level of a title: 区级, 市级, 省级, 国家级.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TitleLevel {
    District,
    City,
    Province,
    National,
}

impl TitleLevel {
    pub const ALL: [TitleLevel; 4] = [
        TitleLevel::District,
        TitleLevel::City,
        TitleLevel::Province,
        TitleLevel::National,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TitleLevel::District => "district",
            TitleLevel::City => "city",
            TitleLevel::Province => "province",
            TitleLevel::National => "national",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            TitleLevel::District => "区级",
            TitleLevel::City => "市级",
            TitleLevel::Province => "省级",
            TitleLevel::National => "国家级",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        Self::ALL
            .into_iter()
            .find(|l| l.code() == t || l.label_zh() == t)
    }
}

/// A title to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTitle {
    pub teacher_id: TeacherId,
    pub title: TitleKind,
    pub level: TitleLevel,
    pub year: i32,
}

/// A stored title with its teacher.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TitleRow {
    pub school_id: SchoolId,
    pub teacher_id: TeacherId,
    pub staff_no: String,
    pub teacher_name: String,
    pub title: TitleKind,
    pub level: TitleLevel,
    pub year: i32,
}

/// A teacher's place in a 工作室: 主持人 or 成员.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StudioRole {
    Host,
    Member,
}

impl StudioRole {
    pub const ALL: [StudioRole; 2] = [StudioRole::Host, StudioRole::Member];

    pub fn code(self) -> &'static str {
        match self {
            StudioRole::Host => "host",
            StudioRole::Member => "member",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            StudioRole::Host => "主持人",
            StudioRole::Member => "成员",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        Self::ALL
            .into_iter()
            .find(|r| r.code() == t || r.label_zh() == t)
    }
}

/// A 工作室 membership to store (one per teacher and studio: a later one replaces it).
#[derive(Debug, Clone, PartialEq)]
pub struct NewStudio {
    pub teacher_id: TeacherId,
    pub studio: String,
    pub role: StudioRole,
    pub level: TitleLevel,
    pub joined_year: i32,
}

/// A stored 工作室 membership with its teacher.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudioRow {
    pub school_id: SchoolId,
    pub teacher_id: TeacherId,
    pub staff_no: String,
    pub teacher_name: String,
    pub studio: String,
    pub role: StudioRole,
    pub level: TitleLevel,
    pub joined_year: i32,
}

/// A teacher of the roster as the development records list them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffTeacher {
    pub school_id: SchoolId,
    pub teacher_id: TeacherId,
    pub staff_no: String,
    pub name: String,
}

/// Where a school's appraisal of a year stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppraisalState {
    Draft,
    /// 公示: the proposal is frozen and shown for at least five working days.
    Publicity,
    Approved,
}

impl AppraisalState {
    pub fn code(self) -> &'static str {
        match self {
            AppraisalState::Draft => "draft",
            AppraisalState::Publicity => "publicity",
            AppraisalState::Approved => "approved",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        [Self::Draft, Self::Publicity, Self::Approved]
            .into_iter()
            .find(|x| x.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            AppraisalState::Draft => "草稿",
            AppraisalState::Publicity => "公示中",
            AppraisalState::Approved => "已审定",
        }
    }
}

/// One teacher's appraisal inputs and computed level, as saved with a draft.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppraisalInput {
    pub teacher_id: TeacherId,
    pub score: Option<f64>,
    pub org_score: Option<f64>,
    /// The other sources of the score and how it came about.
    #[serde(flatten)]
    pub sources: ScoreSources,
    pub first_job_months: Option<u32>,
    pub leave_days: u32,
    pub under_investigation: bool,
    pub ethics_violation: bool,
    pub sanction: Option<Sanction>,
    pub level: Level,
    /// Why the committee chose this teacher for (or left them out of) a 需集体研究 place.
    pub committee_reason: Option<String>,
}

/// How a row's score came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreBasis {
    /// The school (or the district's personnel office) uploaded the final score.
    #[default]
    Uploaded,
    /// Composed here from the sources with the district's weights (§6.2).
    Composed,
}

impl ScoreBasis {
    pub fn code(self) -> &'static str {
        match self {
            ScoreBasis::Uploaded => "uploaded",
            ScoreBasis::Composed => "composed",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        [ScoreBasis::Uploaded, ScoreBasis::Composed]
            .into_iter()
            .find(|b| b.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ScoreBasis::Uploaded => "上传总分",
            ScoreBasis::Composed => "按来源合成",
        }
    }
}

/// A teacher's score sources beside the organisation score (§6.2), the weights used and the
/// re-normalisation flag. An uploaded score may carry sources too (shown, not used).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScoreSources {
    pub score_basis: ScoreBasis,
    /// The raw ratings of colleagues, as given.
    pub peer_ratings: Vec<f64>,
    /// Their trimmed mean, when there were enough raters.
    pub peer_score: Option<f64>,
    pub parent_score: Option<f64>,
    /// From the exams: the parallel-class comparison or the value-added rank (`teaching_basis`).
    pub teaching_score: Option<f64>,
    /// What `teaching_score` measured; `None` without one.
    pub teaching_basis: Option<TeachingBasis>,
    /// The teacher's value-added (student SD units) behind a value-added teaching score.
    pub teaching_value_added: Option<f64>,
    pub workload_score: Option<f64>,
    /// The weights used (组织, 同事互评, 家长学生, 教学成绩, 工作量), re-normalised over the
    /// sources present; `None` for an uploaded score.
    pub weights: Option<[f64; 5]>,
    /// Sources with a positive weight that were missing from a composed score.
    pub missing: Vec<SourceKind>,
    /// A source was missing and the weights were re-normalised.
    pub renormalised: bool,
    /// The 师德 round (问卷) the parent/student score was taken from; `None` when uploaded
    /// (or missing).
    pub parent_survey: Option<SurveySource>,
    /// The colleagues' 师德 round the peer ratings were taken from; `None` when uploaded.
    pub peer_survey: Option<SurveySource>,
}

/// A survey-fed appraisal component's origin: the round and its respondents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SurveySource {
    pub questionnaire_id: i64,
    pub n: usize,
}

/// A school's appraisal of one year, with its cap arithmetic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppraisalRound {
    pub school_id: SchoolId,
    pub school_year: i32,
    pub unit_rating: UnitRating,
    pub state: AppraisalState,
    pub n_base: u32,
    pub cap: u32,
    /// Last day of the 公示 (ISO date), once published.
    pub publicity_until: Option<String>,
    /// Why the district returned the round from 公示 to the school (cleared on the next 公示).
    pub return_reason: Option<String>,
    pub updated_by: String,
    pub updated_at: i64,
}

/// A round with counts over its teachers, nothing personal: the district's list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundSummary {
    pub round: AppraisalRound,
    pub teachers: u32,
    pub excellent: u32,
    pub committee: u32,
    /// Teachers with a confirmed 师德 violation (the one-vote veto).
    pub vetoes: u32,
    /// Appeals (复核/申诉) without an answer yet.
    pub open_appeals: u32,
}

/// The committee's choice for one 需集体研究 place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitteeChoice {
    Excellent,
    Qualified,
}

/// A teacher's appeal (复核/申诉) and its answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Appeal {
    pub text: String,
    pub at: i64,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<i64>,
}

/// One stored teacher row of an appraisal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppraisalRow {
    pub staff_no: String,
    pub teacher_name: String,
    #[serde(flatten)]
    pub input: AppraisalInput,
    pub appeal: Option<Appeal>,
    pub confirmed_at: Option<i64>,
}

/// A round with the rows the reader may see (a teacher: their own row only).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Appraisal {
    pub round: AppraisalRound,
    pub rows: Vec<AppraisalRow>,
}

/// A round to save as a draft.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAppraisal {
    pub school_id: SchoolId,
    pub school_year: i32,
    pub unit_rating: UnitRating,
    pub n_base: u32,
    pub cap: u32,
    pub rows: Vec<AppraisalInput>,
}

/// Training, titles and the appraisal.
pub trait StaffStore: Send + Sync {
    /// Stores training courses of one school's teachers in one transaction (a course already
    /// stored for the teacher on that date is replaced); returns the count.
    fn import_training<'a>(
        &'a self,
        school: SchoolId,
        rows: &'a [NewTraining],
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, usize>;

    /// Training courses the reader reaches, by school, teacher and date.
    fn training(&self, reader: StaffReader) -> StoreFuture<'_, Vec<TrainingRow>>;

    /// Stores titles of one school's teachers in one transaction (a title already stored is
    /// kept once); returns the count given.
    fn import_titles<'a>(
        &'a self,
        school: SchoolId,
        rows: &'a [NewTitle],
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, usize>;

    /// Titles the reader reaches.
    fn titles(&self, reader: StaffReader) -> StoreFuture<'_, Vec<TitleRow>>;

    /// Stores one 工作室 membership (replacing the teacher's earlier one of the same studio)
    /// and its audit entry in one transaction.
    fn add_studio<'a>(
        &'a self,
        school: SchoolId,
        row: &'a NewStudio,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()>;

    /// 工作室 memberships the reader reaches.
    fn studios(&self, reader: StaffReader) -> StoreFuture<'_, Vec<StudioRow>>;

    /// The roster's teachers the reader reaches, by school and 工号.
    fn staff_teachers(&self, reader: StaffReader) -> StoreFuture<'_, Vec<StaffTeacher>>;

    /// Saves (or replaces) a school's draft appraisal of a year with every teacher's row.
    /// `Conflict` once it is in 公示 or approved: the proposal is frozen.
    fn save_appraisal<'a>(
        &'a self,
        a: &'a NewAppraisal,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()>;

    /// A school's appraisal of a year as far as the reader reaches (`Forbidden` for another
    /// school; `None` when there is none). The read is audited in the same transaction.
    fn appraisal<'a>(
        &'a self,
        reader: StaffReader,
        school: SchoolId,
        school_year: i32,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, Option<Appraisal>>;

    /// Every round of a year (no teacher rows, nothing personal), for the district's list.
    fn appraisal_rounds(
        &self,
        reader: StaffReader,
        school_year: i32,
    ) -> StoreFuture<'_, Vec<AppraisalRound>>;

    /// Every round of a year the reader reaches with its counts (no teacher rows).
    fn appraisal_summaries(
        &self,
        reader: StaffReader,
        school_year: i32,
    ) -> StoreFuture<'_, Vec<RoundSummary>>;

    /// The committee's choice for a teacher whose level is 需集体研究 (or was decided so
    /// before), with its reason, in a draft only. `Refused` (Chinese) when the reason is
    /// empty, the teacher was not tied at the cap, or 优秀 would exceed the cap.
    fn decide_committee<'a>(
        &'a self,
        school: SchoolId,
        school_year: i32,
        teacher: TeacherId,
        choice: CommitteeChoice,
        reason: &'a str,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()>;

    /// Sets levels computed over the district pool of small schools (cap 0), in one
    /// transaction for all of them: `Refused` (Chinese) if any of those rounds has left draft.
    /// A level set here clears a committee reason (the pool decided the place).
    fn set_pooled_levels<'a>(
        &'a self,
        school_year: i32,
        levels: &'a [(SchoolId, TeacherId, Level)],
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()>;

    /// The district returns a round in 公示 to the school's draft with a reason.
    fn return_appraisal<'a>(
        &'a self,
        school: SchoolId,
        school_year: i32,
        reason: &'a str,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()>;

    /// draft → publicity (with its last day), publicity → approved (only after the last day:
    /// `today` > `publicity_until`), publicity → draft (withdrawn for changes). Anything else
    /// is a `Conflict`.
    fn advance_appraisal<'a>(
        &'a self,
        school: SchoolId,
        school_year: i32,
        to: AppraisalState,
        publicity_until: Option<&'a str>,
        today: &'a str,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()>;

    /// A teacher's appeal of a 基本合格 or 不合格 level, once the round is out of draft;
    /// `Refused` (Chinese) otherwise or when one is already recorded.
    fn appeal_appraisal<'a>(
        &'a self,
        school: SchoolId,
        school_year: i32,
        teacher: TeacherId,
        text: &'a str,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()>;

    /// Records the answer to an appeal (`Refused` without one, or when answered).
    fn answer_appeal<'a>(
        &'a self,
        school: SchoolId,
        school_year: i32,
        teacher: TeacherId,
        answer: &'a str,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()>;

    /// The teacher confirms having seen the approved result (`Refused` before approval).
    fn confirm_appraisal<'a>(
        &'a self,
        school: SchoolId,
        school_year: i32,
        teacher: TeacherId,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()>;
}
