//! Fitness and health (issue 3): imports scored at write and the grouped aggregates. Who may read what and every rate's denominator:
//! [`wuyu_monitor::fitness`]; the SQL: [`sql`].

pub(crate) mod sql;

pub(crate) use sql::*;
pub use wuyu_monitor::fitness::*;

use wuyu_domain::{ClassId, FitnessBatch, SchoolId, Scope, StudentId, Term};

use crate::StoreFuture;
use crate::model::*;

/// Fitness and health records (scopes and denominators: [`wuyu_monitor::fitness`]).
pub trait FitnessStore: Send + Sync {
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

    /// 免测 (免予执行): records that the student is excused from `term`'s test for `reason`
    /// and removes their record of the term, so they leave every rate's denominator and the
    /// 补测名单; the removed record's raw values are appended to `audit.detail`, and `audit`
    /// is written in the same transaction. Returns whether a record was removed. `NotFound` /
    /// `Forbidden` as [`RosterStore::student`](crate::RosterStore::student); counsellors and
    /// parents are refused.
    fn exempt_fitness<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        student: StudentId,
        term: Term,
        reason: &'a str,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, bool>;

    /// Ends a 免测 (the student is to be tested after all), with `audit`; `false` when there
    /// was none.
    fn lift_fitness_exemption<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        student: StudentId,
        term: Term,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, bool>;

    /// The student's 免测 of `term`, if any.
    fn fitness_exemption<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        student: StudentId,
        term: Term,
    ) -> StoreFuture<'a, Option<FitnessExemption>>;
}

/// A student's 免测 of one term.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FitnessExemption {
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: i64,
}
