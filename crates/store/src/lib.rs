//! Storage for wuyu: the [`Store`] trait and its two implementations, SQLite (the embedded
//! default: one file, WAL, foreign keys on) and PostgreSQL (servers), each with its own
//! migrations.
//!
//! Every per-school table has `school_id` in its primary key so the schema shards by school
//! on Citus unchanged. Every read takes the caller's [`Scope`]; a handler never filters by
//! hand. Imports run in one transaction: they land whole or not at all.
#![forbid(unsafe_code)]

mod backend;
mod error;
pub mod exam;
mod exam_plan;
mod exam_sql;

pub mod fitness;
mod migrate;
pub mod model;
mod roster;

use std::future::Future;
use std::pin::Pin;

pub use backend::{PgStore, SqliteStore, connect};
pub use error::StoreError;
pub use exam::{
    Borderline, ExamImportSummary, ExamSettings, ExamStudentRow, ExamSummary, ExamUnit,
    ExamUnitFilter, ExamUnitKind, ExamUnitStat, ItemReport, StudentExamRow, StudentMark,
    SubjectStat, TeacherAlert, ValueAddedReport,
};
pub use fitness::{
    ClassFitnessRow, FitnessGroupBy, FitnessGroupKey, FitnessImportSummary, FitnessItemResult,
    FitnessItemRow, FitnessItemStat, FitnessRecord, FitnessSummaryRow, FitnessTargets,
};
pub use model::*;
use wuyu_domain::{
    ClassId, District, Exam, ExamId, ExamItemBatch, ExamScoreBatch, FitnessBatch, NewExam,
    RosterBatch, School, SchoolClass, SchoolId, Scope, Student, StudentId, TeacherId, Term, User,
    UserId,
};

/// A boxed future, so `Store` can be used as `Arc<dyn Store>`.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Everything wuyu reads and writes. Reads take the caller's scope and answer
/// [`StoreError::Forbidden`] outside it and [`StoreError::NotFound`] for what does not exist.
pub trait Store: Send + Sync + 'static {
    /// "sqlite" or "postgres".
    fn backend(&self) -> &'static str;

    /// Applies the backend's pending migrations.
    fn migrate(&self) -> StoreFuture<'_, ()>;

    // --- district and settings -------------------------------------------------------------

    fn district(&self) -> StoreFuture<'_, Option<District>>;
    fn set_district<'a>(&'a self, district: &'a District) -> StoreFuture<'a, ()>;
    fn setting<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<String>>;
    fn set_setting<'a>(&'a self, key: &'a str, value: &'a str) -> StoreFuture<'a, ()>;

    // --- roster reads (scoped) -------------------------------------------------------------

    /// The schools the caller may see, with class and student counts.
    fn list_schools<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, Vec<SchoolSummary>>;
    fn school<'a>(&'a self, scope: &'a Scope, id: SchoolId) -> StoreFuture<'a, School>;
    /// A school's classes the caller may see (a teacher: only their own).
    fn list_classes<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
    ) -> StoreFuture<'a, Vec<ClassSummary>>;
    fn class<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        class: ClassId,
    ) -> StoreFuture<'a, SchoolClass>;
    /// Students of a school (or of one class), limited to what the caller may see, ordered
    /// by class then 学籍号.
    fn list_students<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        class: Option<ClassId>,
    ) -> StoreFuture<'a, Vec<Student>>;
    fn student<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        student: StudentId,
    ) -> StoreFuture<'a, Student>;
    /// The class a student is in, for whoever may see that student (a parent sees their
    /// child's class name even though they may not open the class roster).
    fn class_of_student<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        student: StudentId,
    ) -> StoreFuture<'a, SchoolClass>;
    /// Schools, students and classes by stage × location: the district home page.
    fn district_overview<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, Vec<OverviewCell>>;
    /// Teaching assignments of a school (for the teacher's class list and the school page).
    fn list_assignments<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
    ) -> StoreFuture<'a, Vec<AssignmentView>>;

    // --- unscoped look-ups for administration (CLI, user management) ----------------------

    fn school_by_code<'a>(&'a self, code: &'a str) -> StoreFuture<'a, Option<SchoolId>>;
    fn teacher_by_staff_no<'a>(
        &'a self,
        school: SchoolId,
        staff_no: &'a str,
    ) -> StoreFuture<'a, Option<TeacherId>>;
    /// Where a 学籍号 is enrolled.
    fn student_by_no<'a>(
        &'a self,
        student_no: &'a str,
    ) -> StoreFuture<'a, Option<(SchoolId, StudentId)>>;

    // --- roster import ---------------------------------------------------------------------

    /// Resolves natural keys against the database and writes the batch in one transaction.
    /// Any unresolvable row rejects the whole batch with its row errors; nothing is written.
    fn import_roster<'a>(
        &'a self,
        batch: &'a RosterBatch,
        meta: &'a ImportMeta,
    ) -> StoreFuture<'a, ImportSummary>;
    fn list_imports(&self, limit: i64) -> StoreFuture<'_, Vec<ImportRecord>>;

    // --- fitness and health (issue 3; scopes and denominators: [`fitness`]) -----------------

    /// Resolves every record's 学籍号, scores it with `wuyu-standards` (fitness standard,
    /// WS/T 586, WS/T 456, screening myopia: score at write) and upserts it in one transaction:
    /// re-importing a student's term replaces that record. Any row error (unknown 学籍号, sex
    /// or grade against the roster, an unscorable value) rejects the whole batch; nothing is
    /// written. Recorded as an import of kind `fitness`.
    fn import_fitness<'a>(
        &'a self,
        batch: &'a FitnessBatch,
        meta: &'a ImportMeta,
    ) -> StoreFuture<'a, FitnessImportSummary>;
    /// The terms with fitness records in the caller's school (district: any school), oldest
    /// first. Forbidden for counsellors.
    fn fitness_terms<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, Vec<Term>>;
    /// Counts and rates of one term grouped by `by`, over the students of the caller's scope
    /// (a teacher: their classes), optionally narrowed to one school. District grouping gives
    /// exactly one row (zeros when nothing is in scope). Forbidden for parents and counsellors.
    fn fitness_summary<'a>(
        &'a self,
        scope: &'a Scope,
        school: Option<SchoolId>,
        term: Term,
        by: FitnessGroupBy,
    ) -> StoreFuture<'a, Vec<FitnessSummaryRow>>;
    /// Each item's tested count, mean value, mean score and pass rate, grouped like
    /// [`Store::fitness_summary`], with the same scope rules.
    fn fitness_item_summary<'a>(
        &'a self,
        scope: &'a Scope,
        school: Option<SchoolId>,
        term: Term,
        by: FitnessGroupBy,
    ) -> StoreFuture<'a, Vec<FitnessItemRow>>;
    /// A student's records of every term, oldest first, for whoever may see the student
    /// (a parent: their own child). Forbidden for counsellors.
    fn student_fitness<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        student: StudentId,
    ) -> StoreFuture<'a, Vec<FitnessRecord>>;
    /// Every student of a class with their record of the term, or `None` (missing a test), in
    /// 学籍号 order: the PE teacher's class view. Forbidden outside the caller's classes.
    fn class_fitness<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        class: ClassId,
        term: Term,
    ) -> StoreFuture<'a, Vec<ClassFitnessRow>>;

    // --- exams (issue 4; scopes: [`exam`]) ----------------------------------------------------

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

    // --- users and sessions ----------------------------------------------------------------

    fn create_user<'a>(&'a self, user: &'a NewUser) -> StoreFuture<'a, UserId>;
    fn set_password<'a>(&'a self, user: UserId, password_hash: &'a str) -> StoreFuture<'a, ()>;
    fn set_user_active(&self, user: UserId, active: bool) -> StoreFuture<'_, ()>;
    /// For sign-in: the user and their password hash, active or not.
    fn user_credentials<'a>(
        &'a self,
        username: &'a str,
    ) -> StoreFuture<'a, Option<UserCredentials>>;
    fn user(&self, id: UserId) -> StoreFuture<'_, User>;
    fn list_users(&self) -> StoreFuture<'_, Vec<UserRow>>;
    /// The scope a user's role and bindings give (a teacher's classes come from assignments).
    fn scope_for<'a>(&'a self, user: &'a User) -> StoreFuture<'a, Scope>;

    fn create_session<'a>(&'a self, session: &'a NewSession) -> StoreFuture<'a, ()>;
    /// The live session with this token hash and its user, if not expired and the user is
    /// still active.
    fn session<'a>(&'a self, token_hash: &'a str, now: i64) -> StoreFuture<'a, Option<SessionRow>>;
    fn delete_session<'a>(&'a self, token_hash: &'a str) -> StoreFuture<'a, ()>;
    fn delete_expired_sessions(&self, now: i64) -> StoreFuture<'_, u64>;

    // --- audit -----------------------------------------------------------------------------

    fn append_audit<'a>(&'a self, entry: &'a AuditEntry) -> StoreFuture<'a, ()>;
    fn list_audit(&self, limit: i64) -> StoreFuture<'_, Vec<AuditRow>>;
}
