//! FitnessStore for both backends (included by `sqlite.rs` and `postgres.rs`).
use std::collections::{BTreeSet, HashMap};

use sqlx::AssertSqlSafe;
use wuyu_domain::{ClassId, SchoolId, Scope, StudentId};

use super::{Db, NUMBERED_PARAMS, This};
use crate::backend::*;
use crate::fitness::{
    self, ClassFitnessRow, FitnessExemption, FitnessGroupBy, FitnessImportSummary, FitnessItemRow,
    FitnessRecord, FitnessSummaryRow,
};
use crate::model::*;
use crate::prelude::*;
use crate::{StoreError, StoreFuture};

impl FitnessStore for This {
    fn import_fitness<'a>(
        &'a self,
        batch: &'a wuyu_domain::FitnessBatch,
        meta: &'a ImportMeta,
    ) -> StoreFuture<'a, FitnessImportSummary> {
        Box::pin(async move {
            let _guard = self.write_lock.lock().await;
            let started = std::time::Instant::now();
            let mut tx = self.begin_write().await?;
            Self::prepare_bulk(&mut tx).await?;

            let students = Self::fitness_students(&mut tx).await?;
            let loaded = started.elapsed();
            let plan = match fitness::plan::plan(batch, &students, &meta.file_name) {
                Ok(p) => p,
                Err(errors) => {
                    tx.rollback().await?;
                    return Err(StoreError::Rejected(errors));
                }
            };
            drop(students);
            let planned = started.elapsed();

            let mut pairs: BTreeSet<(i64, wuyu_domain::Term)> = BTreeSet::new();
            let mut terms: BTreeSet<wuyu_domain::Term> = BTreeSet::new();
            let mut schools: BTreeSet<i64> = BTreeSet::new();
            let mut complete = 0u64;
            for w in &plan {
                terms.insert(w.term);
                schools.insert(w.school_id);
                pairs.insert((w.school_id, w.term));
                if w.status == "OK" {
                    complete += 1;
                }
            }
            let mut summary = FitnessImportSummary {
                import_id: 0,
                records_written: plan.len() as u64,
                complete,
                incomplete: plan.len() as u64 - complete,
                schools: schools.len() as u64,
                terms: terms.iter().map(|t| t.code()).collect(),
            };
            let summary_json =
                serde_json::to_string(&summary).map_err(|e| corrupt("import summary", e))?;
            let (import_id,): (i64,) = sqlx::query_as(
                "INSERT INTO import_record (at, username, kind, file_name, file_sha256, records, summary) \
                 VALUES ($1, $2, 'fitness', $3, $4, $5, $6) RETURNING id",
            )
            .bind(meta.at)
            .bind(&meta.username)
            .bind(&meta.file_name)
            .bind(&meta.file_sha256)
            .bind(plan.len() as i64)
            .bind(summary_json)
            .fetch_one(&mut *tx)
            .await?;

            let journaled: BTreeSet<(i64, String)> =
                pairs.iter().map(|(s, t)| (*s, t.code())).collect();
            Self::journal_fitness(&mut tx, import_id, &journaled).await?;
            Self::fitness_write_records(&mut tx, &plan, import_id).await?;
            Self::fitness_write_terms(&mut tx, pairs, &terms).await?;
            let written = started.elapsed();
            tx.commit().await?;
            tracing::info!(
                records = plan.len(),
                snapshot_ms = loaded.as_millis() as u64,
                plan_ms = (planned - loaded).as_millis() as u64,
                write_ms = (written - planned).as_millis() as u64,
                commit_ms = (started.elapsed() - written).as_millis() as u64,
                "fitness import committed"
            );
            summary.import_id = import_id;
            Ok(summary)
        })
    }

    fn fitness_terms<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, Vec<wuyu_domain::Term>> {
        Box::pin(async move {
            fitness::check_not_counsellor(scope)?;
            let rows: Vec<(String,)> = match scope.school_id() {
                None => {
                    sqlx::query_as("SELECT DISTINCT term FROM fitness_school_term")
                        .fetch_all(&self.pool)
                        .await?
                }
                Some(s) => {
                    sqlx::query_as(
                        "SELECT DISTINCT term FROM fitness_school_term WHERE school_id = $1",
                    )
                    .bind(s.0)
                    .fetch_all(&self.pool)
                    .await?
                }
            };
            let mut terms = rows
                .into_iter()
                .map(|r| {
                    wuyu_domain::Term::parse_code(&r.0)
                        .map_err(|e| corrupt("fitness_school_term.term", e))
                })
                .collect::<Result<Vec<_>, _>>()?;
            terms.sort();
            Ok(terms)
        })
    }

    fn fitness_summary<'a>(
        &'a self,
        scope: &'a Scope,
        school: Option<SchoolId>,
        term: wuyu_domain::Term,
        by: FitnessGroupBy,
    ) -> StoreFuture<'a, Vec<FitnessSummaryRow>> {
        Box::pin(async move {
            let rows = self
                .fitness_grouped_rows(scope, school, term, by, &fitness::summary_aggs())
                .await?;
            rows.iter()
                .map(|r| fitness::summary_from_row(r, by))
                .collect()
        })
    }

    fn fitness_item_summary<'a>(
        &'a self,
        scope: &'a Scope,
        school: Option<SchoolId>,
        term: wuyu_domain::Term,
        by: FitnessGroupBy,
    ) -> StoreFuture<'a, Vec<FitnessItemRow>> {
        Box::pin(async move {
            let rows = self
                .fitness_grouped_rows(scope, school, term, by, &fitness::item_aggs())
                .await?;
            rows.iter()
                .map(|r| fitness::item_row_from_row(r, by))
                .collect()
        })
    }

    fn student_fitness<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        student: StudentId,
    ) -> StoreFuture<'a, Vec<FitnessRecord>> {
        Box::pin(async move {
            fitness::check_not_counsellor(scope)?;
            // Scope and existence exactly as the student's own record.
            self.student(scope, school, student).await?;
            let rows = sqlx::query(AssertSqlSafe(format!(
                "SELECT {} FROM fitness_record WHERE school_id = $1 AND student_id = $2",
                fitness::RECORD_COLS
            )))
            .bind(school.0)
            .bind(student.0)
            .fetch_all(&self.pool)
            .await?;
            let mut out = rows
                .iter()
                .map(|r| fitness::record_from_row(r, 0))
                .collect::<Result<Vec<_>, _>>()?;
            out.sort_by_key(|r| r.term);
            Ok(out)
        })
    }

    fn class_fitness<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        class: ClassId,
        term: wuyu_domain::Term,
    ) -> StoreFuture<'a, Vec<ClassFitnessRow>> {
        Box::pin(async move {
            fitness::check_not_counsellor(scope)?;
            self.class(scope, school, class).await?;
            let students = self.list_students(scope, school, Some(class)).await?;
            let rows = sqlx::query(AssertSqlSafe(format!(
                "SELECT {} FROM fitness_record f JOIN student s \
                   ON s.school_id = f.school_id AND s.id = f.student_id \
                 WHERE f.school_id = $1 AND s.class_id = $2 AND f.term = $3",
                fitness::record_cols("f.")
            )))
            .bind(school.0)
            .bind(class.0)
            .bind(term.code())
            .fetch_all(&self.pool)
            .await?;
            let mut records = std::collections::HashMap::with_capacity(rows.len());
            for r in &rows {
                let rec = fitness::record_from_row(r, 0)?;
                records.insert(rec.student_id, rec);
            }
            let exempt: Vec<(i64, String)> = sqlx::query_as(
                "SELECT e.student_id, e.reason FROM fitness_exemption e JOIN student s \
                   ON s.school_id = e.school_id AND s.id = e.student_id \
                 WHERE e.school_id = $1 AND s.class_id = $2 AND e.term = $3",
            )
            .bind(school.0)
            .bind(class.0)
            .bind(term.code())
            .fetch_all(&self.pool)
            .await?;
            let mut exempt: HashMap<i64, String> = exempt.into_iter().collect();
            let mut out: Vec<ClassFitnessRow> = students
                .into_iter()
                .map(|s| {
                    let record = records.remove(&s.id);
                    // A record imported after the 免测 wins: the student was tested.
                    let exemption = exempt.remove(&s.id.0).filter(|_| record.is_none());
                    ClassFitnessRow {
                        student: s,
                        record,
                        exemption,
                    }
                })
                .collect();
            out.sort_by(|a, b| {
                a.student
                    .student_no
                    .as_str()
                    .cmp(b.student.student_no.as_str())
            });
            Ok(out)
        })
    }

    fn exempt_fitness<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        student: StudentId,
        term: wuyu_domain::Term,
        reason: &'a str,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            fitness::check_not_counsellor(scope)?;
            if matches!(scope, Scope::Parent { .. }) {
                return Err(StoreError::Forbidden);
            }
            self.student(scope, school, student).await?;
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let old = sqlx::query(AssertSqlSafe(format!(
                "SELECT {} FROM fitness_record WHERE school_id = $1 AND student_id = $2 \
                 AND term = $3",
                fitness::RECORD_COLS
            )))
            .bind(school.0)
            .bind(student.0)
            .bind(term.code())
            .fetch_optional(&mut *tx)
            .await?;
            let mut audit = audit.clone();
            if let Some(row) = &old {
                let r = fitness::record_from_row(row, 0)?;
                // The removed values stay on record in the audit log.
                let values = serde_json::to_string(&r.measures)
                    .map_err(|e| corrupt("fitness measures", e))?;
                audit.detail = format!("{}；删除的体测记录：{values}", audit.detail);
                sqlx::query(
                    "DELETE FROM fitness_record WHERE school_id = $1 AND student_id = $2 \
                     AND term = $3",
                )
                .bind(school.0)
                .bind(student.0)
                .bind(term.code())
                .execute(&mut *tx)
                .await?;
                Self::refresh_fitness_rollup(&mut tx, [(school.0, term.code())]).await?;
            }
            sqlx::query(
                "INSERT INTO fitness_exemption (school_id, student_id, term, reason, recorded_by, \
                 recorded_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (school_id, student_id, term) DO UPDATE SET reason = excluded.reason, \
                 recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
            )
            .bind(school.0)
            .bind(student.0)
            .bind(term.code())
            .bind(reason)
            .bind(&audit.username)
            .bind(audit.at)
            .execute(&mut *tx)
            .await?;
            super::audit::insert_audit(&mut *tx, &audit).await?;
            tx.commit().await?;
            Ok(old.is_some())
        })
    }

    fn lift_fitness_exemption<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        student: StudentId,
        term: wuyu_domain::Term,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            fitness::check_not_counsellor(scope)?;
            if matches!(scope, Scope::Parent { .. }) {
                return Err(StoreError::Forbidden);
            }
            self.student(scope, school, student).await?;
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let n = sqlx::query(
                "DELETE FROM fitness_exemption WHERE school_id = $1 AND student_id = $2 \
                 AND term = $3",
            )
            .bind(school.0)
            .bind(student.0)
            .bind(term.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n > 0 {
                super::audit::insert_audit(&mut *tx, audit).await?;
            }
            tx.commit().await?;
            Ok(n > 0)
        })
    }

    fn fitness_exemption<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        student: StudentId,
        term: wuyu_domain::Term,
    ) -> StoreFuture<'a, Option<FitnessExemption>> {
        Box::pin(async move {
            fitness::check_not_counsellor(scope)?;
            self.student(scope, school, student).await?;
            let row: Option<(String, String, i64)> = sqlx::query_as(
                "SELECT reason, recorded_by, recorded_at FROM fitness_exemption \
                 WHERE school_id = $1 AND student_id = $2 AND term = $3",
            )
            .bind(school.0)
            .bind(student.0)
            .bind(term.code())
            .fetch_optional(&self.pool)
            .await?;
            Ok(
                row.map(|(reason, recorded_by, recorded_at)| FitnessExemption {
                    reason,
                    recorded_by,
                    recorded_at,
                }),
            )
        })
    }
}

impl This {
    /// Rebuilds the fitness rollup of each `(school_id, term code)` pair inside the open
    /// transaction (see migration 0004 and [`fitness::rollup_build_sql`]).
    pub(super) async fn refresh_fitness_rollup<T: AsRef<str>>(
        tx: &mut sqlx::Transaction<'static, Db>,
        pairs: impl IntoIterator<Item = (i64, T)>,
    ) -> Result<(), StoreError> {
        let build = fitness::rollup_build_sql();
        for (school_id, term) in pairs {
            sqlx::query(fitness::ROLLUP_DELETE)
                .bind(term.as_ref())
                .bind(school_id)
                .execute(&mut **tx)
                .await?;
            sqlx::query(AssertSqlSafe(build.as_str()))
                .bind(term.as_ref())
                .bind(school_id)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// The rows of a grouped fitness aggregate (`aggs` over the rollup, or the same rows
    /// computed live for a term without rollup rows) for the caller's scope.
    async fn fitness_grouped_rows(
        &self,
        scope: &Scope,
        school: Option<SchoolId>,
        term: wuyu_domain::Term,
        by: FitnessGroupBy,
        aggs: &str,
    ) -> Result<Vec<<Db as sqlx::Database>::Row>, StoreError> {
        let (filter, binds) = fitness::aggregate_filter(scope, school, 2)?;
        let materialized = sqlx::query(fitness::ROLLUP_HAS_TERM)
            .bind(term.code())
            .fetch_optional(&self.pool)
            .await?
            .is_some();
        let sql = fitness::grouped_sql(by, aggs, &filter, materialized);
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(term.code());
        for b in binds {
            q = q.bind(b);
        }
        Ok(q.fetch_all(&self.pool).await?)
    }
}

impl This {
    /// Load: every student by 学籍号 with what scoring needs, for [`fitness::plan::plan`].
    async fn fitness_students(
        tx: &mut sqlx::Transaction<'static, Db>,
    ) -> Result<HashMap<String, fitness::StudentRef>, StoreError> {
        // Two plain scans joined in memory: a SQL join here lets SQLite pick
        // the classes as the outer loop and rescan each school's students.
        let grades: std::collections::HashMap<(i64, i64), i32> =
            sqlx::query_as::<_, (i64, i64, i32)>("SELECT school_id, id, grade FROM school_class")
                .fetch_all(&mut **tx)
                .await?
                .into_iter()
                .map(|(s, c, g)| ((s, c), g))
                .collect();
        // One packed text per school: the driver's per-row cost, not SQLite's,
        // dominated reading a million students row by row (measured 7 s).
        let packed: Vec<(i64, String)> = sqlx::query_as(fitness::PACKED_STUDENTS)
            .fetch_all(&mut **tx)
            .await?;
        let mut students = HashMap::new();
        for (school_id, text) in &packed {
            for s in fitness::unpack_students(*school_id, text, &grades)? {
                students.insert(s.0, s.1);
            }
        }
        Ok(students)
    }

    /// Write: the (school, term) pairs on record and the rollup rows the batch changed.
    async fn fitness_write_terms(
        tx: &mut sqlx::Transaction<'static, Db>,
        pairs: BTreeSet<(i64, wuyu_domain::Term)>,
        terms: &BTreeSet<wuyu_domain::Term>,
    ) -> Result<(), StoreError> {
        let pairs: Vec<(i64, String)> = pairs.into_iter().map(|(s, t)| (s, t.code())).collect();
        for chunk in pairs.chunks(CHUNK) {
            let sql = multi_row_insert(
                "INSERT INTO fitness_school_term (school_id, term)",
                2,
                chunk.len(),
                " ON CONFLICT (school_id, term) DO NOTHING",
                NUMBERED_PARAMS,
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for (s, t) in chunk {
                q = q.bind(*s).bind(t);
            }
            q.execute(&mut **tx).await?;
        }
        // The rollup of every school and term this batch touched; a term new to
        // the district also gets every other school's (0 tested) rows.
        let known: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT term FROM fitness_rollup")
            .fetch_all(&mut **tx)
            .await?;
        let mut refresh: BTreeSet<(i64, String)> = pairs.iter().cloned().collect();
        let new_terms: Vec<String> = terms
            .iter()
            .map(|t| t.code())
            .filter(|t| !known.iter().any(|(k,)| k == t))
            .collect();
        if !new_terms.is_empty() {
            let all: Vec<(i64,)> = sqlx::query_as("SELECT id FROM school")
                .fetch_all(&mut **tx)
                .await?;
            for (school,) in all {
                for t in &new_terms {
                    refresh.insert((school, t.clone()));
                }
            }
        }
        Self::refresh_fitness_rollup(tx, refresh).await
    }
}
