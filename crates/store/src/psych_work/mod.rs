//! Mental health in the browser (issue 13): one-time answer codes for students without an
//! account, and counselling records (心理档案) of a crisis case. Codes are kept as hashes; a
//! code is the only credential of its student's one submission. Counselling records are read
//! and written with the school's [`PsychToken`] only.
use serde::{Deserialize, Serialize};
use wuyu_domain::{PsychToken, SchoolId, Scope, StudentId};
use wuyu_standards::scales::{AttentionLevel, ScreeningAnswers, ScreeningResult};

use crate::StoreFuture;
use crate::psych::{Campaign, GuardianConsent};

/// A student of a class, as the code sheet needs them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeStudent {
    pub student_id: StudentId,
    pub student_no: String,
    pub name: String,
    /// e.g. 七年级1班
    pub class_label: String,
    /// Already answered this campaign (with a code or by import).
    pub answered: bool,
    /// Guardian consent given with the student's assent.
    pub consent_ok: bool,
}

/// What a code opens.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeTarget {
    pub school_id: SchoolId,
    pub campaign: Campaign,
    pub student_id: StudentId,
    pub used: bool,
    pub consent_ok: bool,
}

/// Why a code cannot be answered with: each has its Chinese message for the student.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CodeRefusal {
    Unknown,
    Used,
    NotOpen,
    Expired,
    NoConsent,
}

impl CodeRefusal {
    pub fn message_zh(self) -> &'static str {
        match self {
            CodeRefusal::Unknown => "这个答题码不存在，请核对后重新输入（不区分大小写）。",
            CodeRefusal::Used => {
                "这个答题码已经使用过，每个答题码只能提交一次。如有疑问请联系心理老师。"
            }
            CodeRefusal::NotOpen => "本次筛查尚未开始，请在开始日期后再来。",
            CodeRefusal::Expired => "本次筛查已经结束，这个答题码已失效。如有需要请联系心理老师。",
            CodeRefusal::NoConsent => {
                "尚未收到你的监护人同意书（或你本人的同意），现在不能参加本次筛查。请联系心理老师。"
            }
        }
    }
}

/// A submission written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CodeSubmitted {
    pub level: AttentionLevel,
    pub case_opened: bool,
}

/// A guardian's decision made on the parent account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardianDecision {
    pub campaign_id: i64,
    pub student_id: StudentId,
    pub guardian: GuardianConsent,
    /// yyyy-mm-dd
    pub decided_on: String,
    pub by: String,
    pub at: i64,
}

/// The kind of a counselling record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CounsellingKind {
    Individual,
    Group,
    Guardian,
    Phone,
    ReferralContact,
}

impl CounsellingKind {
    pub const ALL: [CounsellingKind; 5] = [
        CounsellingKind::Individual,
        CounsellingKind::Group,
        CounsellingKind::Guardian,
        CounsellingKind::Phone,
        CounsellingKind::ReferralContact,
    ];
    pub fn code(self) -> &'static str {
        match self {
            CounsellingKind::Individual => "individual",
            CounsellingKind::Group => "group",
            CounsellingKind::Guardian => "guardian",
            CounsellingKind::Phone => "phone",
            CounsellingKind::ReferralContact => "referral_contact",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            CounsellingKind::Individual => "个别辅导",
            CounsellingKind::Group => "团体辅导",
            CounsellingKind::Guardian => "家长沟通",
            CounsellingKind::Phone => "电话回访",
            CounsellingKind::ReferralContact => "与转介机构联系",
        }
    }
}

/// A counselling record to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCounselling {
    /// yyyy-mm-dd
    pub held_on: String,
    pub kind: CounsellingKind,
    pub summary: String,
    pub next_step: String,
    pub recorded_by: String,
    pub recorded_at: i64,
}

/// A stored counselling record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CounsellingRow {
    pub seq: i32,
    pub held_on: String,
    pub kind: CounsellingKind,
    pub summary: String,
    pub next_step: String,
    pub recorded_by: String,
    pub recorded_at: i64,
}

/// One school's counts for the plan's psych indicators in a school year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PsychIndicatorCounts {
    pub school_id: SchoolId,
    pub enrolled: i64,
    /// Distinct students with a response in the school year's campaigns.
    pub screened: i64,
    pub cases_opened: i64,
    /// Cases with no step done late and none overdue at `now`.
    pub cases_in_time: i64,
    /// Students now in the grades of the school year's campaigns (those to be asked).
    pub in_grades: i64,
    /// Of those, students with the guardian's consent and their own assent for at least one
    /// of the year's campaigns (a withdrawn or refused decision does not count).
    pub consented: i64,
    /// Today's students with a psychological file by the end of the school year: a result of
    /// a campaign of that year or before, or a counselling session held by 31 August (the file
    /// exists from the first on).
    pub filed: i64,
}

/// A correction of a stored answer set: the new answers, scored by the service, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCorrection {
    pub campaign_id: i64,
    pub student_id: StudentId,
    pub answers: ScreeningAnswers,
    pub result: ScreeningResult,
    pub reason: String,
    pub by: String,
    pub at: i64,
}

/// What a correction changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CorrectionDone {
    pub old_level: AttentionLevel,
    pub new_level: AttentionLevel,
    /// The crisis case the correction opened (it raised the level to 3 and the student had no
    /// open case).
    pub case_opened: Option<i64>,
}

/// One past correction: the values before it, the reason, who and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorrectionRow {
    pub seq: i32,
    pub old_answers: ScreeningAnswers,
    pub old_result: ScreeningResult,
    pub new_level: AttentionLevel,
    pub reason: String,
    pub corrected_by: String,
    pub corrected_at: i64,
    pub case_id: Option<i64>,
}

pub trait PsychWorkStore: Send + Sync {
    /// Corrects a stored response in one transaction: the values before are kept as a
    /// correction row with the reason, the response takes the new answers and scores, and a
    /// crisis case opens when the level becomes 3 (unless the student has an open case). A
    /// case is never closed here. No response: [`crate::StoreError::NotFound`]; the same
    /// answers as stored: [`crate::StoreError::Conflict`] with a Chinese reason.
    fn correct_response<'a>(
        &'a self,
        token: &'a PsychToken,
        c: &'a NewCorrection,
    ) -> StoreFuture<'a, CorrectionDone>;

    /// A response's corrections, oldest first.
    fn corrections<'a>(
        &'a self,
        token: &'a PsychToken,
        campaign: i64,
        student: StudentId,
    ) -> StoreFuture<'a, Vec<CorrectionRow>>;

    /// Every school's counts for the plan's psych indicators: cases opened in `[from, to)`
    /// (unix seconds), judged at `now`. District-wide counts, no individual.
    fn psych_indicator_counts<'a>(
        &'a self,
        school_year: i32,
        year_bounds: (i64, i64),
        now: i64,
    ) -> StoreFuture<'a, Vec<PsychIndicatorCounts>>;

    /// The students of a class for a campaign's code sheet. A class outside the campaign's
    /// grades is a [`crate::StoreError::Conflict`] with a Chinese reason.
    fn code_students<'a>(
        &'a self,
        token: &'a PsychToken,
        campaign: i64,
        class: wuyu_domain::ClassId,
    ) -> StoreFuture<'a, Vec<CodeStudent>>;

    /// Stores code hashes, replacing a student's unused code; a used code stays as it is.
    fn issue_codes<'a>(
        &'a self,
        token: &'a PsychToken,
        campaign: i64,
        codes: &'a [(StudentId, String)],
        by: &'a str,
        at: i64,
    ) -> StoreFuture<'a, ()>;

    /// What the code with this hash opens, if it exists.
    fn code_target<'a>(&'a self, code_hash: &'a str) -> StoreFuture<'a, Option<CodeTarget>>;

    /// Writes one submission made with a code in one transaction: the response, the code
    /// marked used and, for level 3, a crisis case. `today` (yyyy-mm-dd) is checked against
    /// the campaign's window.
    fn submit_with_code<'a>(
        &'a self,
        code_hash: &'a str,
        today: &'a str,
        answers: &'a ScreeningAnswers,
        result: &'a ScreeningResult,
        custom: Option<&'a crate::psych::scales::CustomAnswers>,
        at: i64,
    ) -> StoreFuture<'a, Result<CodeSubmitted, CodeRefusal>>;

    /// The campaigns of a parent's own child (its school, its grade), newest first;
    /// forbidden for every other scope.
    fn child_campaigns<'a>(
        &'a self,
        scope: &'a Scope,
        student: StudentId,
    ) -> StoreFuture<'a, Vec<Campaign>>;

    /// A parent's own decision on their child's screening, from the parent account: the
    /// guardian's part only — the student's assent already recorded stays as it is (none
    /// yet: not given). Forbidden outside the parent's scope or the child's campaigns.
    fn guardian_decision<'a>(
        &'a self,
        scope: &'a Scope,
        d: &'a GuardianDecision,
    ) -> StoreFuture<'a, ()>;

    /// Adds a counselling record to a case of the school; [`crate::StoreError::NotFound`] for
    /// a case of another school.
    fn add_session<'a>(
        &'a self,
        token: &'a PsychToken,
        case: i64,
        s: &'a NewCounselling,
    ) -> StoreFuture<'a, i32>;

    /// A case's counselling records, oldest first.
    fn sessions<'a>(
        &'a self,
        token: &'a PsychToken,
        case: i64,
    ) -> StoreFuture<'a, Vec<CounsellingRow>>;
}
