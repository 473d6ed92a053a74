//! Roster: schools, classes, students, teachers, assignments; the roster import and the
//! import record.

pub(crate) mod plan;
pub(crate) mod sql;

use wuyu_domain::{
    ClassId, RosterBatch, School, SchoolClass, SchoolId, Scope, Student, StudentId, TeacherId,
};

use crate::StoreFuture;
use crate::model::*;

/// The roster: scoped reads, unscoped look-ups for administration, and the roster import.
pub trait RosterStore: Send + Sync {
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

    /// A school's teachers with 任教学科, 专兼职, 出生年份 and titles, for callers whose scope
    /// lists the school's roster (not a teacher's or a parent's).
    fn list_teachers<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
    ) -> StoreFuture<'a, Vec<TeacherView>>;

    /// A student's 特殊群体 flags. Unscoped: the service decides who may read them (district
    /// and school admins, the 班主任) and audits every read.
    fn student_flags(
        &self,
        school: SchoolId,
        student: StudentId,
    ) -> StoreFuture<'_, Vec<wuyu_domain::StudentFlag>>;

    /// Every school's roster facts for the plan's roster indicators: 在读 students, the dates
    /// of its 辍学 students, each teacher's 任教学科 and 专兼职. Unscoped: aggregates only.
    fn roster_facts(
        &self,
    ) -> StoreFuture<'_, Vec<(SchoolId, wuyu_monitor::roster::SchoolRosterFacts)>>;

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

    /// The roster names of these 学籍号 (unscoped, for checking an import's 姓名 column):
    /// `(学籍号, name)` for each one enrolled; a 学籍号 not enrolled is left out.
    fn student_names<'a>(
        &'a self,
        student_nos: &'a [String],
    ) -> StoreFuture<'a, Vec<(String, String)>>;

    /// Resolves natural keys against the database and writes the batch in one transaction.
    /// Any unresolvable row rejects the whole batch with its row errors; nothing is written.
    fn import_roster<'a>(
        &'a self,
        batch: &'a RosterBatch,
        meta: &'a ImportMeta,
    ) -> StoreFuture<'a, ImportSummary>;

    /// The reference errors [`import_roster`](Self::import_roster) would report for `batch`,
    /// without writing: the keys in `broken` (rows the reader left out for their own errors)
    /// count as present, so only the clean rows' own problems are listed.
    fn check_roster<'a>(
        &'a self,
        batch: &'a RosterBatch,
        broken: &'a wuyu_domain::BrokenKeys,
        file_name: &'a str,
    ) -> StoreFuture<'a, Vec<wuyu_domain::RowError>>;

    fn list_imports(&self, limit: i64) -> StoreFuture<'_, Vec<ImportRecord>>;
}
