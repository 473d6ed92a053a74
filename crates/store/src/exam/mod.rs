//! Exams (issue 4): the read models and settings live in `wuyu_monitor::exam` (pure); the
//! store fills them. Statistics are computed at write (after every score or item import, and
//! by [`crate::Store::recompute_exam`] after a settings change) and stored per exam, so a page
//! reads a few hundred rows instead of every mark. See `wuyu_monitor::exam::model` for who may
//! read what.

//!
//! The exam part of both backends (issue 4). Like `backend.rs`, one macro writes the methods
//! for each pool type over the same SQL (`$n` placeholders; multi-row inserts with anonymous
//! `?` on SQLite). The trait methods in `backend.rs` call these inherent methods. Two bulk
//! steps differ per backend, for speed: resolving a batch's 学籍号 (one JSON or array
//! parameter joined with `student`) and writing the marks (multi-row VALUES on SQLite, `COPY`
//! on PostgreSQL).
//!
//! Every import runs in one transaction: resolve the 学籍号 (only the batch's, by index),
//! plan (pure, [`plan`]), load the exam's other marks, remove the marks the batch
//! replaces and insert its own, snapshot the teachers, then recompute the statistics from every
//! mark of the exam (`wuyu_monitor::exam`) and write them; a rejected batch writes nothing.
//! Many rows travel as one aggregated text (`string_agg`, the same SQL on both backends):
//! fetching a million rows one by one through the driver costs more than the statistics.

pub(crate) mod plan;
pub(crate) mod rows;

pub use wuyu_monitor::exam::model::*;

use wuyu_domain::{
    ClassId, Exam, ExamId, ExamItemBatch, ExamScoreBatch, NewCandidate, NewExam, SchoolId, Scope,
    StudentId,
};

use crate::StoreFuture;
use crate::model::*;

/// Exams (scopes: [`wuyu_monitor::exam::model`]).
pub trait ExamStore: Send + Sync {
    /// Defines an exam (district data, unscoped: the CLI and district admins call it).
    /// `Conflict` when an exam with the same name, date and grade exists; `NotFound` when the
    /// baseline does not exist.
    fn create_exam<'a>(&'a self, exam: &'a NewExam) -> StoreFuture<'a, ExamId>;

    /// Every exam the caller may see (district: all; a school's roles: the exams their school
    /// sat), newest first. Forbidden for counsellors.
    fn list_exams<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, Vec<ExamSummary>>;

    fn exam<'a>(&'a self, scope: &'a Scope, exam: ExamId) -> StoreFuture<'a, Exam>;

    /// Resolves every 学籍号 (the student's current class is stored as the class at exam
    /// time, with a snapshot of that class's teachers), replaces these students' marks in these
    /// subjects, recomputes the exam's statistics, all in one transaction. Any row error
    /// (unknown 学籍号, a score outside 0..=full marks, a subject the exam does not have, a
    /// student twice) rejects the batch; nothing is written.
    fn import_exam_scores<'a>(
        &'a self,
        batch: &'a ExamScoreBatch,
        meta: &'a ImportMeta,
    ) -> StoreFuture<'a, ExamImportSummary>;

    /// Defines (replaces) the subject's items and stores every student's item points; the
    /// subject score becomes the sum of the points. Same atomicity and errors as scores, plus
    /// points outside 0..=max and a sum above full marks.
    fn import_exam_items<'a>(
        &'a self,
        batch: &'a ExamItemBatch,
        meta: &'a ImportMeta,
    ) -> StoreFuture<'a, ExamImportSummary>;

    /// The exam's 考号 list as (考号, 学籍号), in 考号 order; empty when it has none.
    fn exam_candidates(&self, exam: ExamId) -> StoreFuture<'_, Vec<(String, String)>>;

    /// Replaces the exam's 考号 list in one transaction. An unknown 学籍号, or a 学籍号 or
    /// 考号 twice, rejects the batch with row errors; nothing is written.
    fn import_exam_candidates<'a>(
        &'a self,
        exam: ExamId,
        rows: &'a [NewCandidate],
        meta: &'a ImportMeta,
    ) -> StoreFuture<'a, CandidateImportSummary>;

    /// Every student of the exam's grade (school code, class, 学籍号 order) with their 考号,
    /// for the pre-filled score template. With `generate` and no list yet, a 考号 list is made
    /// first: six digits, numbered in that order.
    fn exam_template_students(
        &self,
        exam: ExamId,
        generate: bool,
    ) -> StoreFuture<'_, Vec<CandidateStudent>>;

    /// Gives an exam its own score lines (`None`: the district's again) and recomputes its
    /// statistics. `NotFound` for an unknown exam.
    fn set_exam_lines<'a>(
        &'a self,
        exam: ExamId,
        lines: Option<&'a wuyu_analytics::descriptive::RateLines>,
    ) -> StoreFuture<'a, ()>;

    /// An exam's own score lines, if it has them (`None`: the district's apply).
    fn exam_lines(
        &self,
        exam: ExamId,
    ) -> StoreFuture<'_, Option<wuyu_analytics::descriptive::RateLines>>;

    /// Recomputes the stored statistics of an exam under the current [`ExamSettings`].
    fn recompute_exam(&self, exam: ExamId) -> StoreFuture<'_, ()>;

    /// The district's exam settings (defaults when none are stored).
    fn exam_settings(&self) -> StoreFuture<'_, ExamSettings>;

    /// Unit statistics of an exam for the caller's scope (see [`exam`] for who sees what).
    fn exam_unit_stats<'a>(
        &'a self,
        scope: &'a Scope,
        exam: ExamId,
        filter: ExamUnitFilter,
    ) -> StoreFuture<'a, Vec<ExamUnitStat>>;

    /// Value-added of schools (`ExamUnitKind::School`) or classes (of the caller's school, or
    /// of `school` for district roles) from the exam's baseline. `NotFound` without a baseline.
    fn exam_value_added<'a>(
        &'a self,
        scope: &'a Scope,
        exam: ExamId,
        subject: &'a str,
        level: ExamUnitKind,
        school: Option<SchoolId>,
    ) -> StoreFuture<'a, ValueAddedReport>;

    /// Item analysis of a subject (`NotFound` when no item points were imported).
    fn exam_items<'a>(
        &'a self,
        scope: &'a Scope,
        exam: ExamId,
        subject: &'a str,
        school: Option<SchoolId>,
    ) -> StoreFuture<'a, ItemReport>;

    /// The students of a school (or one class) in the exam, with marks and standing, in class
    /// then 学籍号 order; limited to what the caller may see.
    fn exam_students<'a>(
        &'a self,
        scope: &'a Scope,
        exam: ExamId,
        school: SchoolId,
        class: Option<ClassId>,
    ) -> StoreFuture<'a, Vec<ExamStudentRow>>;

    /// A student's exams, oldest first, for whoever may see the student.
    fn student_exams<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        student: StudentId,
    ) -> StoreFuture<'a, Vec<StudentExamRow>>;

    /// The parallel-class rule (spec §5.3) for every teacher of the caller's school (district
    /// roles: of `school`, or of every school), over the cycle ending with `evaluation_year`,
    /// from the stored class statistics and the teacher snapshots. District roles and school
    /// admins only.
    fn parallel_alerts<'a>(
        &'a self,
        scope: &'a Scope,
        school: Option<SchoolId>,
        evaluation_year: i32,
    ) -> StoreFuture<'a, Vec<TeacherAlert>>;

    /// Records the district's decision on a teacher's alert, replacing an earlier one, and
    /// its audit entry in the same transaction (both or neither).
    fn record_alert_decision<'a>(
        &'a self,
        decision: &'a AlertDecision,
        audit: &'a crate::AuditEntry,
    ) -> StoreFuture<'a, ()>;
}

/// What an import of a 考号 list wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CandidateImportSummary {
    pub import_id: i64,
    pub students: u64,
    pub schools: u64,
}

/// A student of an exam's grade, with the 考号 if the exam has a list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CandidateStudent {
    pub student_no: String,
    pub name: String,
    pub class_name: String,
    pub candidate_no: Option<String>,
}
