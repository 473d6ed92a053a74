//! The comprehensive archive (issue 12): activity records (写实记录) and their review, the art
//! assessment (艺术素质测评) per student and school year, and the per-class counts the coverage
//! pages and indicators are made of.
//!
//! # Who may read and write what
//!
//! Records are a student's, read and written through the roster scopes: district roles and the
//! school admin everything they reach; a teacher the students of their classes; a parent their
//! own child only. A counsellor's scope is for mental-health work: every archive call is
//! `Forbidden`. A student's whole archive is read only with an audit entry, written in the same
//! transaction as the read. Writes are all or nothing: one student outside the scope, one
//! record in the wrong state, and nothing is written.
//!
//! Evidence files (photos, certificates) are stored with the records they prove, in the same
//! transaction; each file's bytes are read one at a time, by whoever may read the record,
//! with the audit entry written in the read's transaction.
use serde::Serialize;
use time::Date;
use wuyu_domain::{
    ActivityCategory, ArtLevel, ClassId, Entrant, Origin, RecordState, SchoolId, Scope, StudentId,
    Tenths, Term,
};
use wuyu_monitor::archive::ArchiveCounts;
use wuyu_standards::archive::ArtParts;

use crate::model::{AuditEntry, ImportMeta};
/// An evidence file as stored: name, media type, SHA-256 and bytes (one type for the plan's
/// and the archive's evidence).
pub use crate::plan_report::Evidence;
use crate::{StoreError, StoreFuture};

/// An evidence file of a record, without its bytes (what lists and pages show).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceRef {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

/// School weeks a term's out-of-class labor hours are judged over **[DEFAULT]** (a term of
/// about 20 teaching weeks); the coverage rollup is counted with it.
pub const TERM_WEEKS: u32 = 20;

/// A family's confirmation (家长确认) of a student's semester archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Confirmation {
    pub student_id: StudentId,
    pub student_name: String,
    /// The parent's account name.
    pub confirmed_by: String,
    /// Unix seconds.
    pub confirmed_at: i64,
}

/// One activity, to be recorded for one or more students.
#[derive(Debug, Clone, PartialEq)]
pub struct NewActivity {
    pub category: ActivityCategory,
    pub term: Term,
    pub date: Date,
    pub end_date: Option<Date>,
    pub hours: Tenths,
    /// The part of `hours` spent travelling (never counted towards stars).
    pub travel: Tenths,
    pub organiser: String,
    pub description: String,
    pub entrant: Entrant,
    pub entered_by: String,
    /// `Draft` (a parent's or student's own, not yet sent) or `Submitted` (for review).
    pub state: RecordState,
}

/// A stored activity record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityRecord {
    pub id: i64,
    pub school_id: SchoolId,
    pub student_id: StudentId,
    pub student_name: String,
    pub class_id: ClassId,
    pub category: ActivityCategory,
    pub term: Term,
    pub date: Date,
    pub end_date: Option<Date>,
    pub hours: Tenths,
    pub travel: Tenths,
    pub organiser: String,
    pub description: String,
    pub entrant: Entrant,
    pub entered_by: String,
    pub state: RecordState,
    pub reviewed_by: Option<String>,
    pub return_reason: Option<String>,
    /// The record's evidence files (filled by the class and student reads; empty elsewhere).
    pub evidence: Vec<EvidenceRef>,
}

/// The 班主任's decision on submitted records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Review {
    Approve,
    /// Back to the author, with the reason (required).
    Return(String),
}

/// One row of an activity import: the student by 学籍号, the activity, where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityImportRow {
    pub origin: Origin,
    pub student_no: String,
    pub activity: NewActivity,
}

/// One row of an art assessment import or form.
#[derive(Debug, Clone, PartialEq)]
pub struct ArtImportRow {
    pub origin: Origin,
    pub student_no: String,
    pub school_year: i32,
    pub parts: ArtParts,
}

/// A stored art assessment, with what was scored at write.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArtAssessment {
    pub student_id: StudentId,
    pub school_year: i32,
    pub parts: ArtParts,
    pub total: Tenths,
    pub level: ArtLevel,
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArchiveImportSummary {
    pub import_id: i64,
    pub written: u64,
}

/// One student's archive: every record and art assessment (the service keeps what a viewer
/// should see).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudentArchiveRows {
    pub records: Vec<ActivityRecord>,
    pub art: Vec<ArtAssessment>,
}

/// One class's counts in a term.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassArchiveCounts {
    pub school_id: SchoolId,
    pub class_id: ClassId,
    pub grade: u8,
    pub class_name: String,
    pub counts: ArchiveCounts,
}

/// A class's 公示 of one term: the window and who signed when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Publicity {
    pub school_id: SchoolId,
    pub class_id: ClassId,
    pub term: Term,
    pub opened_by: String,
    pub starts_on: Date,
    pub ends_on: Date,
    /// The 班主任's signature: (name, date).
    pub head_signed: Option<(String, Date)>,
    /// The 校长's signature: (name, date); the term is locked from then on.
    pub principal_signed: Option<(String, Date)>,
}

/// An objection (质疑) to a record in 公示, and the 班主任's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Objection {
    pub id: i64,
    pub record_id: i64,
    pub student_id: StudentId,
    pub student_name: String,
    pub raised_by: String,
    pub text: String,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
}

/// Who signs a semester archive after its 公示.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signer {
    /// The class's 班主任, first, once every objection is answered.
    HeadTeacher,
    /// The 校长 (the school's account), second: locks the term.
    Principal,
}

/// Archive reads are closed to counsellors (module docs).
pub(crate) fn check_scope(scope: &Scope) -> Result<(), StoreError> {
    if matches!(scope, Scope::Counsellor { .. }) {
        Err(StoreError::Forbidden)
    } else {
        Ok(())
    }
}

/// Activity records and art assessments.
pub trait ArchiveStore: Send + Sync {
    /// Records one activity for each of `students` (one record each), all or nothing: a
    /// student outside the scope is `Forbidden`, one not in the school `NotFound`. Returns the
    /// new record ids in the order of `students`.
    fn record_activity<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        students: &'a [StudentId],
        activity: &'a NewActivity,
        now: i64,
    ) -> StoreFuture<'a, Vec<i64>> {
        self.record_activity_with_evidence(scope, school, students, activity, &[], now)
    }

    /// [`ArchiveStore::record_activity`] with evidence files (already checked by type and
    /// size), each stored once and linked to every new record, in the same transaction.
    fn record_activity_with_evidence<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        students: &'a [StudentId],
        activity: &'a NewActivity,
        evidence: &'a [Evidence],
        now: i64,
    ) -> StoreFuture<'a, Vec<i64>>;

    /// One evidence file of a record, for whoever may read the record's student (`Forbidden`
    /// otherwise; `NotFound` when the record has no such file). `audit` is written in the
    /// read's transaction, its entity set to the record's student (`student:{id}`).
    fn evidence_file<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        record: i64,
        evidence: i64,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, Evidence>;

    /// The hours already recorded for a student on one day (single-day records not returned),
    /// so a family's entry cannot make a day longer than 24 hours.
    fn student_hours_on<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        student: StudentId,
        date: Date,
    ) -> StoreFuture<'a, Tenths>;

    /// Imports activity records of one school, all or nothing: a 学籍号 not in the school, or
    /// a student outside the scope, is a row error and nothing is written.
    fn import_activities<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        rows: &'a [ActivityImportRow],
        meta: &'a ImportMeta,
    ) -> StoreFuture<'a, ArchiveImportSummary>;

    /// Sends draft or returned records (a parent's or student's own) for review, all or
    /// nothing (`Refused`, naming the record, when one is in another state).
    fn submit_activities<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        ids: &'a [i64],
    ) -> StoreFuture<'a, ()>;

    /// Approves or returns submitted records, all or nothing: a record not submitted is
    /// `Refused` with its id and state; a return needs a reason.
    fn review_activities<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        ids: &'a [i64],
        review: &'a Review,
        reviewer: &'a str,
        now: i64,
    ) -> StoreFuture<'a, ()>;

    /// The records of one class in a term (every state), by student then date.
    fn class_activities<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        class: ClassId,
        term: Term,
    ) -> StoreFuture<'a, Vec<ActivityRecord>>;

    /// One student's whole archive; `audit` is written in the same transaction as the read
    /// (no read without its entry).
    fn student_archive<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        student: StudentId,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, StudentArchiveRows>;

    /// Stores art assessments (replacing the same student's and year's), scored at write,
    /// all or nothing: an unknown 学籍号, a student outside the scope or a part out of range is
    /// a row error.
    fn import_art<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        rows: &'a [ArtImportRow],
        meta: &'a ImportMeta,
    ) -> StoreFuture<'a, ArchiveImportSummary>;

    /// Per-class counts of approved records in `term` (and art assessments of its school
    /// year) over the enrolled students the scope reaches, optionally of one school; `weeks`
    /// is the term's school weeks the labor hours are judged over. Parents: `Forbidden`.
    /// Read from the coverage rollup when it holds the term and `weeks` is [`TERM_WEEKS`].
    fn archive_counts<'a>(
        &'a self,
        scope: &'a Scope,
        school: Option<SchoolId>,
        term: Term,
        weeks: u32,
    ) -> StoreFuture<'a, Vec<ClassArchiveCounts>>;

    /// The terms the coverage rollup holds (built for every school), oldest first.
    fn archive_rollup_terms(&self) -> StoreFuture<'_, Vec<Term>>;

    /// [`ArchiveStore::archive_counts`] counted from the students and records, never the
    /// rollup: what the rollup must equal, and the benchmarks' baseline.
    fn archive_counts_direct<'a>(
        &'a self,
        scope: &'a Scope,
        school: Option<SchoolId>,
        term: Term,
        weeks: u32,
    ) -> StoreFuture<'a, Vec<ClassArchiveCounts>>;

    /// Terms with archive records the scope reaches, newest first. For the district these are
    /// the terms with approved records counted (what coverage shows) once any term has one.
    fn archive_terms<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, Vec<Term>>;

    /// Opens the 公示 of a class's term (`starts_on` to `ends_on`), freezing its records.
    /// `Refused` when it is already open or a record still awaits review.
    fn open_publicity<'a>(
        &'a self,
        scope: &'a Scope,
        publicity: &'a Publicity,
        now: i64,
    ) -> StoreFuture<'a, ()>;

    /// Every 公示 of a class (any term), oldest term first.
    fn class_publicities<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        class: ClassId,
    ) -> StoreFuture<'a, Vec<Publicity>>;

    /// Records an objection to an approved record whose class's 公示 is open on `today`
    /// (`Refused` otherwise, naming the record). Returns its id.
    // The window is judged on `today`, given apart from `now` so tests can name the day.
    #[allow(clippy::too_many_arguments)]
    fn raise_objection<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        record: i64,
        raised_by: &'a str,
        text: &'a str,
        today: Date,
        now: i64,
    ) -> StoreFuture<'a, i64>;

    /// Answers an objection (once; not after the 班主任 has signed).
    fn answer_objection<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        objection: i64,
        answered_by: &'a str,
        answer: &'a str,
        now: i64,
    ) -> StoreFuture<'a, ()>;

    /// The objections to a class's records of a term, oldest first.
    fn objections<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        class: ClassId,
        term: Term,
    ) -> StoreFuture<'a, Vec<Objection>>;

    /// A family confirms their child's archive of `term` while its class's 公示 is open
    /// (`today` within the window, not yet signed). Confirming again changes nothing;
    /// `Refused` outside the window, `Forbidden` for a child the scope does not reach.
    #[allow(clippy::too_many_arguments)]
    fn confirm_archive<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        student: StudentId,
        term: Term,
        confirmed_by: &'a str,
        today: Date,
        now: i64,
    ) -> StoreFuture<'a, ()>;

    /// The students of a class whose families confirmed the term's archive (a parent: their
    /// own child only), with who confirmed.
    fn archive_confirmations<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        class: ClassId,
        term: Term,
    ) -> StoreFuture<'a, Vec<Confirmation>>;

    /// Signs a class's semester archive after its 公示: the 班主任 when the window is over
    /// (`today` after its last day) and every objection is answered, then the 校长. `Refused`
    /// out of that order, naming the class's term.
    #[allow(clippy::too_many_arguments)]
    fn sign_publicity<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        class: ClassId,
        term: Term,
        signer: Signer,
        name: &'a str,
        today: Date,
    ) -> StoreFuture<'a, ()>;
}
