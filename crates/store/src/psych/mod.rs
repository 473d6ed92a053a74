//! Mental health (issue 13): screening campaigns, consent, responses scored at write, crisis
//! cases with their steps, 班主任 flags and per-school counts. Individual rows are read only
//! with a typed token ([`PsychToken`]: the school's counsellor; [`BreakGlassToken`]: one
//! student, for a district admin with a reason; [`FlagsToken`]: a 班主任's classes, levels
//! and tasks only). Counts for aggregates take the scope; suppression is the service's.
use serde::{Deserialize, Serialize};
use wuyu_domain::{
    BreakGlassToken, ClassId, FlagsToken, Location, Origin, PsychToken, SchoolId, Scope, Stage,
    StudentId,
};
use wuyu_standards::scales::{AttentionLevel, BuiltinScale, ScreeningAnswers, ScreeningResult};

use crate::StoreFuture;

pub mod scales;
use crate::model::{AuditRow, ImportMeta};

/// One day in seconds: the informing steps of a crisis are due the same day.
pub const DAY: i64 = 86_400;

/// A campaign to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCampaign {
    pub name: String,
    pub school_year: i32,
    pub scales: Vec<BuiltinScale>,
    pub grades: Vec<u8>,
    /// ISO dates (yyyy-mm-dd).
    pub opens_on: String,
    pub closes_on: String,
    /// A district scale pinned to a version, next to the built-in ones.
    pub custom_scale: Option<scales::ScaleRef>,
    pub created_by: String,
    pub created_at: i64,
}

/// A screening campaign of one school.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Campaign {
    pub id: i64,
    pub school_id: SchoolId,
    pub name: String,
    pub school_year: i32,
    pub scales: Vec<BuiltinScale>,
    pub grades: Vec<u8>,
    pub opens_on: String,
    pub closes_on: String,
    /// A district scale pinned to a version, scored with that version only.
    pub custom_scale: Option<scales::ScaleRef>,
}

/// The guardian's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuardianConsent {
    Given,
    Refused,
    Withdrawn,
}

impl GuardianConsent {
    pub fn code(self) -> &'static str {
        match self {
            GuardianConsent::Given => "given",
            GuardianConsent::Refused => "refused",
            GuardianConsent::Withdrawn => "withdrawn",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        [Self::Given, Self::Refused, Self::Withdrawn]
            .into_iter()
            .find(|c| c.code() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            GuardianConsent::Given => "已同意",
            GuardianConsent::Refused => "拒绝",
            GuardianConsent::Withdrawn => "已撤回",
        }
    }
}

/// How the consent reached the school.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentChannel {
    /// A paper form, scanned.
    Paper,
    /// The parent's own account on a phone.
    ParentAccount,
}

impl ConsentChannel {
    pub fn code(self) -> &'static str {
        match self {
            ConsentChannel::Paper => "paper",
            ConsentChannel::ParentAccount => "parent_account",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        [Self::Paper, Self::ParentAccount]
            .into_iter()
            .find(|c| c.code() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            ConsentChannel::Paper => "纸质知情同意书（扫描）",
            ConsentChannel::ParentAccount => "家长账号线上确认",
        }
    }
}

/// A consent decision to record (replaces an earlier one of the same student and campaign).
#[derive(Debug, Clone, PartialEq)]
pub struct NewConsent {
    pub campaign_id: i64,
    pub student_id: StudentId,
    pub guardian: GuardianConsent,
    /// The student's own assent.
    pub assent: bool,
    pub decided_on: String,
    pub channel: ConsentChannel,
    pub recorded_by: String,
    pub recorded_at: i64,
}

/// A recorded consent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsentRow {
    pub campaign_id: i64,
    pub campaign_name: String,
    pub student_id: StudentId,
    pub student_name: String,
    pub guardian: GuardianConsent,
    pub assent: bool,
    pub decided_on: String,
    pub channel: ConsentChannel,
}

impl ConsentRow {
    /// Screening needs the guardian's consent and the student's assent.
    pub fn allows_screening(&self) -> bool {
        self.guardian == GuardianConsent::Given && self.assent
    }
}

/// One answer sheet, scored by the service before the store sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewResponse {
    pub origin: Origin,
    pub student_no: String,
    pub answers: ScreeningAnswers,
    pub result: ScreeningResult,
    /// The campaign's custom scale, when it names one.
    pub custom: Option<scales::CustomAnswers>,
}

/// What an import of answers did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ResponseImportSummary {
    pub written: usize,
    /// Rows of students without consent (or assent): not screened, counted, nothing stored.
    pub refused_no_consent: Vec<(u32, String)>,
    pub cases_opened: usize,
    /// Written rows by attention level 0–3.
    pub by_level: [usize; 4],
}

/// A stored response with its student.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseRow {
    pub campaign_id: i64,
    pub campaign_name: String,
    pub student_id: StudentId,
    pub student_no: String,
    pub student_name: String,
    pub class_id: ClassId,
    /// e.g. 七年级1班
    pub class_label: String,
    pub answers: ScreeningAnswers,
    pub result: ScreeningResult,
    /// The campaign's custom scale: answers and the subscale scores and bands.
    pub custom: Option<scales::CustomAnswers>,
    pub submitted_at: i64,
}

/// A step of a crisis case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    HeadTeacherInformed,
    GuardianInformed,
    SafetyPlan,
    Referral,
    FollowUp,
}

impl StepKind {
    pub const ALL: [StepKind; 5] = [
        StepKind::HeadTeacherInformed,
        StepKind::GuardianInformed,
        StepKind::SafetyPlan,
        StepKind::Referral,
        StepKind::FollowUp,
    ];
    pub fn code(self) -> &'static str {
        match self {
            StepKind::HeadTeacherInformed => "head_teacher_informed",
            StepKind::GuardianInformed => "guardian_informed",
            StepKind::SafetyPlan => "safety_plan",
            StepKind::Referral => "referral",
            StepKind::FollowUp => "follow_up",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            StepKind::HeadTeacherInformed => "告知班主任",
            StepKind::GuardianInformed => "告知监护人",
            StepKind::SafetyPlan => "制定安全计划",
            StepKind::Referral => "转介医疗机构",
            StepKind::FollowUp => "跟进回访",
        }
    }
}

/// Who must do a step: the counsellor, or the 班主任 (a task given to them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignee {
    Counsellor,
    HeadTeacher,
}

impl Assignee {
    pub fn code(self) -> &'static str {
        match self {
            Assignee::Counsellor => "counsellor",
            Assignee::HeadTeacher => "head_teacher",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        [Self::Counsellor, Self::HeadTeacher]
            .into_iter()
            .find(|a| a.code() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Assignee::Counsellor => "心理教师",
            Assignee::HeadTeacher => "班主任",
        }
    }
}

/// One step of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseStep {
    pub seq: i32,
    pub kind: StepKind,
    pub assignee: Assignee,
    pub due_at: i64,
    pub done_at: Option<i64>,
    pub done_by: Option<String>,
    pub note: String,
    /// For 转介: the named medical institution.
    pub institution: Option<String>,
}

impl CaseStep {
    pub fn is_overdue(&self, now: i64) -> bool {
        self.done_at.is_none() && self.due_at < now
    }
}

/// The steps every crisis case starts with (modules.md §3): 班主任 and guardian informed the
/// same day, a safety plan within 3 days, 转介 within 7.
pub fn initial_steps(opened_at: i64) -> Vec<(StepKind, Assignee, i64)> {
    vec![
        (
            StepKind::HeadTeacherInformed,
            Assignee::Counsellor,
            opened_at + DAY,
        ),
        (
            StepKind::GuardianInformed,
            Assignee::Counsellor,
            opened_at + DAY,
        ),
        (
            StepKind::SafetyPlan,
            Assignee::Counsellor,
            opened_at + 3 * DAY,
        ),
        (
            StepKind::Referral,
            Assignee::Counsellor,
            opened_at + 7 * DAY,
        ),
    ]
}

/// A crisis case with its steps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRow {
    pub id: i64,
    pub school_id: SchoolId,
    pub student_id: StudentId,
    pub student_name: String,
    pub class_id: ClassId,
    pub class_label: String,
    pub campaign_id: Option<i64>,
    pub opened_at: i64,
    pub opened_by: String,
    pub closed: bool,
    pub outcome: Option<String>,
    pub closed_at: Option<i64>,
    pub steps: Vec<CaseStep>,
}

/// A step completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepDone {
    pub at: i64,
    pub by: String,
    pub note: String,
    pub institution: Option<String>,
}

/// What a 班主任 sees of one student: the level and the tasks given to them. Never answers or
/// scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlagRow {
    pub student_id: StudentId,
    pub student_name: String,
    pub class_id: ClassId,
    pub class_label: String,
    pub campaign_name: String,
    pub level: AttentionLevel,
    pub tasks: Vec<CaseStep>,
}

/// One school's counts for a school year (before suppression).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PsychSchoolCounts {
    pub school_id: SchoolId,
    pub school_name: String,
    pub stage: Stage,
    pub location: Location,
    /// Students of the campaigns' grades, consent given with assent, refused or withdrawn.
    pub consented: i64,
    pub not_consented: i64,
    /// Screened students by attention level 0–3.
    pub by_level: [i64; 4],
}

/// Who reads one student's record: the school's counsellor, or a district admin through
/// break-glass.
#[derive(Debug, Clone, Copy)]
pub enum RecordAccess<'a> {
    Counsellor(&'a PsychToken),
    BreakGlass(&'a BreakGlassToken),
}

impl RecordAccess<'_> {
    pub fn school(&self) -> SchoolId {
        match self {
            RecordAccess::Counsellor(t) => t.school(),
            RecordAccess::BreakGlass(t) => t.school(),
        }
    }
}

/// One student's psychological record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudentPsychRecord {
    pub responses: Vec<ResponseRow>,
    pub cases: Vec<CaseRow>,
    /// The counselling records of the student's cases, without their notes.
    pub sessions: Vec<SessionMark>,
}

/// A counselling record as a reader outside the counselling room sees it: when, what kind and
/// by whom, so a district admin in an emergency knows the child is being seen and whom to ask.
/// The summary and next step stay with the counsellor (need to know; show less when in doubt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionMark {
    pub case_id: i64,
    pub held_on: String,
    pub kind: crate::psych_work::CounsellingKind,
    pub recorded_by: String,
}

/// Mental-health storage.
pub trait PsychStore: Send + Sync {
    fn create_campaign<'a>(
        &'a self,
        token: &'a PsychToken,
        c: &'a NewCampaign,
    ) -> StoreFuture<'a, i64>;

    /// A school's campaigns, newest first: the counsellor, the school's admin and the
    /// district (no individual data in them).
    fn campaigns<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
    ) -> StoreFuture<'a, Vec<Campaign>>;

    fn record_consent<'a>(
        &'a self,
        token: &'a PsychToken,
        c: &'a NewConsent,
    ) -> StoreFuture<'a, ()>;

    fn consents<'a>(
        &'a self,
        token: &'a PsychToken,
        campaign: i64,
    ) -> StoreFuture<'a, Vec<ConsentRow>>;

    /// A parent's own child's consents; forbidden for every other scope.
    fn child_consents<'a>(
        &'a self,
        scope: &'a Scope,
        student: StudentId,
    ) -> StoreFuture<'a, Vec<ConsentRow>>;

    /// Writes scored answers in one transaction and opens a crisis case for every level-3
    /// result. Unknown 学籍号, a student of another school or grade, a second submission:
    /// row errors, nothing written. Students without consent are skipped and counted.
    fn import_responses<'a>(
        &'a self,
        token: &'a PsychToken,
        campaign: i64,
        rows: &'a [NewResponse],
        meta: &'a ImportMeta,
    ) -> StoreFuture<'a, ResponseImportSummary>;

    fn responses<'a>(
        &'a self,
        token: &'a PsychToken,
        campaign: i64,
    ) -> StoreFuture<'a, Vec<ResponseRow>>;

    fn student_record<'a>(
        &'a self,
        access: RecordAccess<'a>,
        student: StudentId,
    ) -> StoreFuture<'a, StudentPsychRecord>;

    /// The school's cases, open first, then newest.
    fn cases<'a>(&'a self, token: &'a PsychToken) -> StoreFuture<'a, Vec<CaseRow>>;

    /// Opens a case by hand with the initial steps.
    fn open_case<'a>(
        &'a self,
        token: &'a PsychToken,
        student: StudentId,
        by: &'a str,
        at: i64,
    ) -> StoreFuture<'a, i64>;

    fn complete_step<'a>(
        &'a self,
        token: &'a PsychToken,
        case: i64,
        seq: i32,
        done: &'a StepDone,
    ) -> StoreFuture<'a, ()>;

    fn add_step<'a>(
        &'a self,
        token: &'a PsychToken,
        case: i64,
        kind: StepKind,
        assignee: Assignee,
        due_at: i64,
    ) -> StoreFuture<'a, i32>;

    /// Closes a case; an empty outcome is refused ([`crate::StoreError::Conflict`]).
    fn close_case<'a>(
        &'a self,
        token: &'a PsychToken,
        case: i64,
        outcome: &'a str,
        by: &'a str,
        at: i64,
    ) -> StoreFuture<'a, ()>;

    /// Levels ≥ 1 of the 班主任's classes (each student's latest response) and the open tasks
    /// given to the 班主任.
    fn class_flags<'a>(&'a self, token: &'a FlagsToken) -> StoreFuture<'a, Vec<FlagRow>>;

    /// Per-school counts of a school year in the scope (district: every school; a school's
    /// admin or counsellor: theirs). Forbidden for teachers and parents.
    fn psych_counts<'a>(
        &'a self,
        scope: &'a Scope,
        school_year: i32,
    ) -> StoreFuture<'a, Vec<PsychSchoolCounts>>;

    /// Break-glass reads of the school's records, newest first, for the counsellor's page.
    fn break_glass_log<'a>(&'a self, token: &'a PsychToken) -> StoreFuture<'a, Vec<AuditRow>>;
}
