//! ExamStore for both backends (included by `sqlite.rs` and `postgres.rs`): the trait
//! methods and the reads behind them.
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use sqlx::AssertSqlSafe;
use wuyu_domain::{
    ClassId, ClassType, Exam, ExamId, ExamItemBatch, ExamLevel, ExamScoreBatch, ExamSubject,
    Location, NewExam, RowError, SchoolId, Scope, Stage, StudentId, TeacherId, Term,
};

use super::{Db, This};
use crate::backend::*;
use crate::model::*;
use crate::{StoreError, StoreFuture};
use wuyu_analytics::compare::{ClassResult, ParallelEvent, parallel_class_alert};
use wuyu_analytics::items::MasteryCell;
use wuyu_monitor::exam::{Cell, STAT_VERSION, Standing, StoredClassItems, StoredItems};

use crate::exam::plan::{self as exam_plan};
use crate::exam::rows::*;
use crate::exam::*;

impl This {
    // --- Store methods ------------------------------------------------------------------

    pub(crate) async fn exam_create(&self, e: &NewExam) -> Result<ExamId, StoreError> {
        let mut errors = Vec::new();
        let bad = |column: &str, value: &str, message_zh: String| RowError {
            file: String::new(),
            sheet: String::new(),
            row: 0,
            column: column.to_string(),
            value: value.to_string(),
            message_zh,
        };
        if e.name.trim().is_empty() {
            errors.push(bad("考试名称", "", "考试名称不能为空".into()));
        }
        if e.subjects.is_empty() {
            errors.push(bad("科目", "", "考试至少要有一个科目".into()));
        }
        let mut seen = HashSet::new();
        for s in &e.subjects {
            let name = s.name.trim();
            if name.is_empty() || name == TOTAL {
                errors.push(bad("科目", &s.name, format!("科目名称“{}”不可用", s.name)));
            } else if !seen.insert(name) {
                errors.push(bad("科目", &s.name, format!("科目“{}”重复", s.name)));
            }
            if !(s.full_marks.is_finite() && s.full_marks > 0.0 && s.full_marks <= 10_000.0) {
                errors.push(bad(
                    "满分",
                    &exam_plan::fmt_num(s.full_marks),
                    format!("科目“{}”的满分应大于 0", s.name),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Rejected(errors));
        }
        let _guard = self.write_lock.lock().await;
        let mut tx = self.begin_write().await?;
        if let Some(b) = e.baseline {
            let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM exam WHERE id = $1")
                .bind(b.0)
                .fetch_optional(&mut *tx)
                .await?;
            if found.is_none() {
                return Err(StoreError::NotFound);
            }
        }
        let dup: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM exam WHERE name = $1 AND exam_date = $2 AND grade = $3")
                .bind(e.name.trim())
                .bind(e.date)
                .bind(i32::from(e.grade.get()))
                .fetch_optional(&mut *tx)
                .await?;
        if dup.is_some() {
            return Err(StoreError::Conflict(
                "同一日期、同一年级已有同名考试".into(),
            ));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO exam (id, name, exam_date, term, level, grade, baseline_id, created_at, \
                               stat_version) \
             SELECT COALESCE(MAX(id), 0) + 1, $1, $2, $3, $4, $5, $6, $7, $8 FROM exam RETURNING id",
        )
        .bind(e.name.trim())
        .bind(e.date)
        .bind(e.term.code())
        .bind(e.level.code())
        .bind(i32::from(e.grade.get()))
        .bind(e.baseline.map(|b| b.0))
        .bind(now_unix())
        .bind(STAT_VERSION)
        .fetch_one(&mut *tx)
        .await
        .map_err(|err| map_unique(err, "同一日期、同一年级已有同名考试"))?;
        for (pos, s) in e.subjects.iter().enumerate() {
            sqlx::query(
                "INSERT INTO exam_subject (exam_id, position, subject, full_marks) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(pos as i32)
            .bind(s.name.trim())
            .bind(s.full_marks)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(ExamId(id))
    }

    pub(crate) async fn exam_list(&self, scope: &Scope) -> Result<Vec<ExamSummary>, StoreError> {
        no_counsellor_or_parent(scope)?;
        let mut conn = self.pool.acquire().await?;
        let exams: Vec<ExamTuple> =
            sqlx::query_as("SELECT id, name, exam_date, term, level, grade, baseline_id FROM exam")
                .fetch_all(&mut *conn)
                .await?;
        let mut subjects: HashMap<i64, Vec<ExamSubject>> = HashMap::new();
        for (e, name, full_marks) in sqlx::query_as::<_, (i64, String, f64)>(
            "SELECT exam_id, subject, full_marks FROM exam_subject ORDER BY exam_id, position",
        )
        .fetch_all(&mut *conn)
        .await?
        {
            subjects
                .entry(e)
                .or_default()
                .push(ExamSubject { name, full_marks });
        }
        let mut sat: HashMap<i64, (u64, u64)> = HashMap::new();
        let mut mine: HashSet<i64> = HashSet::new();
        for (s, e, n) in sqlx::query_as::<_, (i64, i64, i64)>(
            "SELECT school_id, exam_id, students FROM exam_school",
        )
        .fetch_all(&mut *conn)
        .await?
        {
            let c = sat.entry(e).or_default();
            c.0 += 1;
            c.1 += n as u64;
            if scope.school_id() == Some(SchoolId(s)) {
                mine.insert(e);
            }
        }
        let with_items: HashSet<i64> =
            sqlx::query_as::<_, (i64,)>("SELECT DISTINCT exam_id FROM exam_item")
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|r| r.0)
                .collect();
        let mut out = Vec::new();
        for t in exams {
            let id = t.0;
            if !scope.is_district() && !mine.contains(&id) {
                continue;
            }
            let exam = exam_from(t, subjects.remove(&id).unwrap_or_default())?;
            let (schools, students) = sat.get(&id).copied().unwrap_or_default();
            out.push(ExamSummary {
                exam,
                schools,
                students,
                has_items: with_items.contains(&id),
            });
        }
        out.sort_by_key(|s| std::cmp::Reverse((s.exam.date, s.exam.id)));
        Ok(out)
    }

    /// The exam if the caller may read its statistics: district roles any exam, a
    /// school's admin and teachers the exams their school sat.
    pub(super) async fn exam_access(
        conn: &mut <Db as sqlx::Database>::Connection,
        scope: &Scope,
        exam: ExamId,
    ) -> Result<Exam, StoreError> {
        no_counsellor_or_parent(scope)?;
        let e = Self::exam_load(&mut *conn, exam.0)
            .await?
            .ok_or(StoreError::NotFound)?;
        if let Some(s) = scope.school_id() {
            let sat: Option<(i64,)> = sqlx::query_as(
                "SELECT students FROM exam_school WHERE school_id = $1 AND exam_id = $2",
            )
            .bind(s.0)
            .bind(exam.0)
            .fetch_optional(&mut *conn)
            .await?;
            if sat.is_none() {
                return Err(StoreError::Forbidden);
            }
        }
        Ok(e)
    }

    pub(crate) async fn exam_get(&self, scope: &Scope, exam: ExamId) -> Result<Exam, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Self::exam_access(&mut conn, scope, exam).await
    }

    pub(crate) async fn exam_import_scores(
        &self,
        batch: &ExamScoreBatch,
        meta: &ImportMeta,
    ) -> Result<ExamImportSummary, StoreError> {
        let _guard = self.write_lock.lock().await;
        let started = std::time::Instant::now();
        let mut tx = self.begin_write().await?;
        Self::prepare_bulk(&mut tx).await?;
        let exam = Self::exam_load(&mut tx, batch.exam.0)
            .await?
            .ok_or(StoreError::NotFound)?;
        let students =
            Self::exam_resolve(&mut tx, batch.rows.iter().map(|r| r.student_no.as_str())).await?;
        let resolved = started.elapsed();
        let plan = match exam_plan::plan_scores(batch, &exam, &students, &meta.file_name) {
            Ok(p) => p,
            Err(errors) => {
                tx.rollback().await?;
                return Err(StoreError::Rejected(errors));
            }
        };
        let planned = started.elapsed();
        let settings = Self::exam_settings_for(&mut tx, exam.id.0).await?;
        let old_schools = Self::exam_school_ids(&mut tx, exam.id.0).await?;
        let existing = Self::exam_marks_rows(&mut tx, &exam, &old_schools, true).await?;
        let loaded = started.elapsed();
        let mut summary = ExamImportSummary {
            students: plan.rows.len() as u64,
            ..ExamImportSummary::default()
        };
        let mut schools = BTreeSet::new();
        let mut rows = Vec::with_capacity(plan.rows.len());
        for r in &plan.rows {
            schools.insert(r.student.school_id);
            let mut cells = Vec::with_capacity(r.marks.len());
            for (j, m) in r.marks.iter().enumerate() {
                if let Some(c) = m {
                    summary.marks += 1;
                    if *c == Cell::Absent {
                        summary.absent += 1;
                    }
                }
                cells.push((plan.subjects[j], *m, None));
            }
            rows.push((r.student, cells));
        }
        summary.schools = schools.len() as u64;
        let merged = merge(existing, rows, &exam.subjects);
        let merged_at = started.elapsed();
        // Item analyses of the replaced subjects lose these students' points.
        let mut item_subjects = Vec::new();
        for &s in &plan.subjects {
            if !Self::exam_items_def(&mut tx, exam.id.0, &exam.subjects[s].name)
                .await?
                .is_empty()
            {
                item_subjects.push(s);
            }
        }
        let import_id =
            Self::exam_import_record(&mut tx, "exam_scores", meta, &mut summary).await?;
        let subject_names: Vec<String> = plan
            .subjects
            .iter()
            .map(|&s| exam.subjects[s].name.clone())
            .collect();
        Self::journal_exam(
            &mut tx,
            import_id,
            exam.id.0,
            &merged_schools(&merged),
            &subject_names,
            None,
        )
        .await?;
        Self::exam_finish_import(
            &mut tx,
            &exam,
            &merged,
            &old_schools,
            &plan.subjects,
            &item_subjects,
            &settings,
            import_id,
        )
        .await?;
        let written = started.elapsed();
        tx.commit().await?;
        tracing::info!(
            exam = exam.id.0,
            rows = batch.rows.len(),
            marks = merged.writes.len(),
            resolve_ms = resolved.as_millis() as u64,
            plan_ms = (planned - resolved).as_millis() as u64,
            load_ms = (loaded - planned).as_millis() as u64,
            merge_ms = (merged_at - loaded).as_millis() as u64,
            write_and_statistics_ms = (written - merged_at).as_millis() as u64,
            commit_ms = (started.elapsed() - written).as_millis() as u64,
            "exam score import committed"
        );
        Ok(summary)
    }

    pub(crate) async fn exam_import_items(
        &self,
        batch: &ExamItemBatch,
        meta: &ImportMeta,
    ) -> Result<ExamImportSummary, StoreError> {
        let _guard = self.write_lock.lock().await;
        let started = std::time::Instant::now();
        let mut tx = self.begin_write().await?;
        Self::prepare_bulk(&mut tx).await?;
        let exam = Self::exam_load(&mut tx, batch.exam.0)
            .await?
            .ok_or(StoreError::NotFound)?;
        let students =
            Self::exam_resolve(&mut tx, batch.rows.iter().map(|r| r.student_no.as_str())).await?;
        let plan = match exam_plan::plan_items(batch, &exam, &students, &meta.file_name) {
            Ok(p) => p,
            Err(errors) => {
                tx.rollback().await?;
                return Err(StoreError::Rejected(errors));
            }
        };
        let id = exam.id.0;
        let subject = exam.subjects[plan.subject].name.clone();
        let settings = Self::exam_settings_for(&mut tx, id).await?;
        let old_schools = Self::exam_school_ids(&mut tx, id).await?;
        let existing = Self::exam_marks_rows(&mut tx, &exam, &old_schools, true).await?;
        let mut summary = ExamImportSummary {
            students: plan.rows.len() as u64,
            marks: plan.rows.len() as u64,
            ..ExamImportSummary::default()
        };
        let mut schools = BTreeSet::new();
        let mut rows = Vec::with_capacity(plan.rows.len());
        for r in &plan.rows {
            schools.insert(r.student.school_id);
            let cell = match &r.scored {
                None => {
                    summary.absent += 1;
                    (plan.subject, Some(Cell::Absent), None)
                }
                Some((score, packed, _)) => (
                    plan.subject,
                    Some(Cell::Score(*score)),
                    Some(packed.clone()),
                ),
            };
            rows.push((r.student, vec![cell]));
        }
        summary.schools = schools.len() as u64;
        let merged = merge(existing, rows, &exam.subjects);
        // A new paper structure makes the points stored for other students meaningless:
        // they keep their subject scores and lose their item points.
        let old_items = Self::exam_items_def(&mut tx, id, &subject).await?;
        let redefined = old_items != batch.items;
        let import_id = Self::exam_import_record(&mut tx, "exam_items", meta, &mut summary).await?;
        let mut journaled = merged_schools(&merged);
        if redefined {
            journaled.extend(old_schools.iter().copied());
        }
        Self::journal_exam(
            &mut tx,
            import_id,
            id,
            &journaled,
            std::slice::from_ref(&subject),
            Some(&subject),
        )
        .await?;
        if redefined {
            for chunk in old_schools.chunks(SCHOOL_CHUNK) {
                sqlx::query(AssertSqlSafe(format!(
                    "UPDATE exam_score SET item_points = NULL WHERE school_id IN ({}) \
                     AND exam_id = $1 AND subject = $2 AND item_points IS NOT NULL",
                    id_list(chunk)
                )))
                .bind(id)
                .bind(&subject)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("DELETE FROM exam_item WHERE exam_id = $1 AND subject = $2")
                .bind(id)
                .bind(&subject)
                .execute(&mut *tx)
                .await?;
            for (pos, item) in batch.items.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO exam_item (exam_id, subject, position, item_no, max_points, \
                       knowledge_points) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(&subject)
                .bind(pos as i32)
                .bind(item.item_no.trim())
                .bind(item.max_points)
                .bind(
                    serde_json::to_string(&item.knowledge_points)
                        .map_err(|e| corrupt("knowledge points", e))?,
                )
                .execute(&mut *tx)
                .await?;
            }
        }
        Self::exam_finish_import(
            &mut tx,
            &exam,
            &merged,
            &old_schools,
            &[plan.subject],
            &[plan.subject],
            &settings,
            import_id,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(
            exam = id,
            rows = batch.rows.len(),
            items = batch.items.len(),
            total_ms = started.elapsed().as_millis() as u64,
            "exam item import committed"
        );
        Ok(summary)
    }

    pub(crate) async fn exam_recompute(&self, exam: ExamId) -> Result<(), StoreError> {
        let _guard = self.write_lock.lock().await;
        let mut tx = self.begin_write().await?;
        Self::exam_recompute_in(&mut tx, exam).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Recomputes every statistic of an exam from its stored marks inside the open transaction.
    pub(super) async fn exam_recompute_in(
        tx: &mut sqlx::Transaction<'static, Db>,
        exam: ExamId,
    ) -> Result<(), StoreError> {
        let e = Self::exam_load(tx, exam.0)
            .await?
            .ok_or(StoreError::NotFound)?;
        let settings = Self::exam_settings_for(tx, exam.0).await?;
        let old_schools = Self::exam_school_ids(tx, exam.0).await?;
        let marks = Self::exam_marks_rows(tx, &e, &old_schools, false).await?;
        let item_subjects: BTreeSet<String> = sqlx::query_as::<_, (String,)>(
            "SELECT DISTINCT subject FROM exam_item WHERE exam_id = $1",
        )
        .bind(exam.0)
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|r| r.0)
        .collect();
        let item_subjects: Vec<usize> = (0..e.subjects.len())
            .filter(|&s| item_subjects.contains(&e.subjects[s].name))
            .collect();
        Self::exam_statistics(tx, &e, &marks, &old_schools, &item_subjects, &settings).await?;
        // Every payload of the exam was rewritten just now (an import rewrites only some).
        sqlx::query("UPDATE exam SET stat_version = $2 WHERE id = $1")
            .bind(exam.0)
            .bind(STAT_VERSION)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Recomputes the statistics of every exam (or of `exam`) stored by an older version of the
    /// statistics ([`STAT_VERSION`]), so a read never meets a payload of an older shape.
    /// Statistics of a newer version are [`StoreError::NewerStatistics`].
    pub(super) async fn exam_refresh_stale(&self, exam: Option<ExamId>) -> Result<(), StoreError> {
        let stale: Vec<(i64, i32)> = match exam {
            Some(e) => {
                sqlx::query_as(
                    "SELECT id, stat_version FROM exam WHERE id = $1 AND stat_version <> $2",
                )
                .bind(e.0)
                .bind(STAT_VERSION)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query_as("SELECT id, stat_version FROM exam WHERE stat_version <> $1")
                    .bind(STAT_VERSION)
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        for (id, version) in stale {
            if version > STAT_VERSION {
                return Err(StoreError::NewerStatistics {
                    found: version,
                    supported: STAT_VERSION,
                });
            }
            tracing::info!(
                exam = id,
                version,
                "recomputing statistics of an older version"
            );
            self.exam_recompute(ExamId(id)).await?;
        }
        Ok(())
    }

    pub(crate) async fn exam_read_settings(&self) -> Result<ExamSettings, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Self::exam_settings_in(&mut conn).await
    }

    pub(crate) async fn exam_read_units(
        &self,
        scope: &Scope,
        exam: ExamId,
        filter: ExamUnitFilter,
    ) -> Result<Vec<ExamUnitStat>, StoreError> {
        self.exam_refresh_stale(Some(exam)).await?;
        let mut conn = self.pool.acquire().await?;
        Self::exam_access(&mut conn, scope, exam).await?;
        let payloads: Vec<(String,)> = match filter {
            ExamUnitFilter::Overview => {
                sqlx::query_as("SELECT payload FROM exam_stat WHERE exam_id = $1 AND kind = 'unit'")
                    .bind(exam.0)
                    .fetch_all(&mut *conn)
                    .await?
            }
            ExamUnitFilter::Schools => match scope.school_id() {
                Some(s) => {
                    sqlx::query_as(
                        "SELECT payload FROM exam_school_stat WHERE school_id = $1 \
                     AND exam_id = $2 AND kind = 'school' AND class_id = 0 AND subject = ''",
                    )
                    .bind(s.0)
                    .bind(exam.0)
                    .fetch_all(&mut *conn)
                    .await?
                }
                None => {
                    let schools = Self::exam_school_ids(&mut conn, exam.0).await?;
                    let mut out = Vec::with_capacity(schools.len());
                    for chunk in schools.chunks(SCHOOL_CHUNK) {
                        let rows: Vec<(String,)> = sqlx::query_as(AssertSqlSafe(format!(
                            "SELECT payload FROM exam_school_stat WHERE school_id IN ({}) \
                             AND exam_id = $1 AND kind = 'school' AND class_id = 0 \
                             AND subject = '' ORDER BY school_id",
                            id_list(chunk)
                        )))
                        .bind(exam.0)
                        .fetch_all(&mut *conn)
                        .await?;
                        out.extend(rows);
                    }
                    out
                }
            },
            ExamUnitFilter::Classes(s) => {
                if !scope.can_view_school(s) {
                    return Err(StoreError::Forbidden);
                }
                sqlx::query_as(
                    "SELECT p.payload FROM exam_school_stat p \
                     LEFT JOIN school_class c ON c.school_id = p.school_id AND c.id = p.class_id \
                     WHERE p.school_id = $1 AND p.exam_id = $2 AND p.kind = 'class' \
                     ORDER BY c.grade, c.name, p.class_id",
                )
                .bind(s.0)
                .bind(exam.0)
                .fetch_all(&mut *conn)
                .await?
            }
        };
        let mut out = payloads
            .iter()
            .map(|(p,)| {
                serde_json::from_str::<ExamUnitStat>(p)
                    .map_err(|e| json_err("exam statistics payload", e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if filter == ExamUnitFilter::Overview {
            let order = |u: &ExamUnit| {
                (
                    u.kind,
                    u.location.map(|l| l != Location::Urban),
                    u.stage
                        .and_then(|s| Stage::ALL.iter().position(|x| *x == s)),
                )
            };
            out.sort_by_key(|s| order(&s.unit));
        }
        Ok(out)
    }

    pub(crate) async fn exam_read_value_added(
        &self,
        scope: &Scope,
        exam: ExamId,
        subject: &str,
        level: ExamUnitKind,
        school: Option<SchoolId>,
    ) -> Result<ValueAddedReport, StoreError> {
        self.exam_refresh_stale(Some(exam)).await?;
        let mut conn = self.pool.acquire().await?;
        let e = Self::exam_access(&mut conn, scope, exam).await?;
        let unit = match level {
            ExamUnitKind::School => "school",
            ExamUnitKind::Class => "class",
            _ => return Err(StoreError::NotFound),
        };
        if let (Some(own), Some(asked)) = (scope.school_id(), school)
            && own != asked
        {
            return Err(StoreError::Forbidden);
        }
        if e.baseline.is_none() {
            return Err(StoreError::NotFound);
        }
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT payload FROM exam_stat WHERE exam_id = $1 AND kind = 'va' \
             AND unit = $2 AND subject = $3",
        )
        .bind(exam.0)
        .bind(unit)
        .bind(subject)
        .fetch_optional(&mut *conn)
        .await?;
        let (payload,) = row.ok_or(StoreError::NotFound)?;
        let mut report: ValueAddedReport =
            serde_json::from_str(&payload).map_err(|e| json_err("value-added payload", e))?;
        // District roles see every school (and the classes of `school`, or all);
        // a school's roles see their own school only.
        let keep = scope.school_id().or(match level {
            ExamUnitKind::Class => school,
            _ => None,
        });
        if let Some(keep) = keep {
            let (groups, units): (Vec<_>, Vec<_>) = report
                .groups
                .into_iter()
                .zip(report.units)
                .filter(|(_, u)| u.school_id == Some(keep))
                .unzip();
            report.groups = groups;
            report.units = units;
        }
        Ok(report)
    }

    pub(crate) async fn exam_read_items(
        &self,
        scope: &Scope,
        exam: ExamId,
        subject: &str,
        school: Option<SchoolId>,
    ) -> Result<ItemReport, StoreError> {
        self.exam_refresh_stale(Some(exam)).await?;
        let mut conn = self.pool.acquire().await?;
        Self::exam_access(&mut conn, scope, exam).await?;
        if let (Some(own), Some(asked)) = (scope.school_id(), school)
            && own != asked
        {
            return Err(StoreError::Forbidden);
        }
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT payload FROM exam_stat WHERE exam_id = $1 AND kind = 'items' \
             AND unit = '' AND subject = $2",
        )
        .bind(exam.0)
        .bind(subject)
        .fetch_optional(&mut *conn)
        .await?;
        let (payload,) = row.ok_or(StoreError::NotFound)?;
        let stored: StoredItems =
            serde_json::from_str(&payload).map_err(|e| json_err("items payload", e))?;
        let schools = match scope.school_id().or(school) {
            Some(s) => vec![s.0],
            None => Self::exam_school_ids(&mut conn, exam.0).await?,
        };
        let mut classes = Vec::new();
        let mut mastery: Vec<MasteryCell> = Vec::new();
        for chunk in schools.chunks(SCHOOL_CHUNK) {
            let rows: Vec<(i64, i64, String)> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT p.school_id, p.class_id, p.payload FROM exam_school_stat p \
                 LEFT JOIN school_class c ON c.school_id = p.school_id AND c.id = p.class_id \
                 WHERE p.school_id IN ({}) AND p.exam_id = $1 AND p.kind = 'item_class' \
                 AND p.subject = $2 ORDER BY p.school_id, c.grade, c.name, p.class_id",
                id_list(chunk)
            )))
            .bind(exam.0)
            .bind(subject)
            .fetch_all(&mut *conn)
            .await?;
            for (s, c, p) in rows {
                if !scope.can_view_class(SchoolId(s), ClassId(c)) {
                    continue;
                }
                let v: StoredClassItems =
                    serde_json::from_str(&p).map_err(|e| json_err("class items payload", e))?;
                mastery.extend(v.mastery);
                classes.push((v.unit, v.difficulty));
            }
        }
        Ok(ItemReport {
            exam,
            subject: subject.to_string(),
            knowledge_points: stored.knowledge_points,
            analysis: stored.analysis,
            classes,
            mastery,
        })
    }

    pub(super) async fn exam_standings(
        conn: &mut <Db as sqlx::Database>::Connection,
        exam: &Exam,
    ) -> Result<Vec<Standing>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT subject, payload FROM exam_stat WHERE exam_id = $1 AND kind = 'standing'",
        )
        .bind(exam.id.0)
        .fetch_all(&mut *conn)
        .await?;
        let mut by: HashMap<String, Standing> = HashMap::new();
        for (s, p) in rows {
            by.insert(
                s,
                serde_json::from_str(&p).map_err(|e| json_err("standing payload", e))?,
            );
        }
        let empty = |subject: &str| Standing {
            subject: subject.to_string(),
            n: 0,
            mean: None,
            sd_population: None,
            scores: Vec::new(),
            percentile: Vec::new(),
            rank: Vec::new(),
            borderline: Vec::new(),
        };
        Ok(exam
            .subjects
            .iter()
            .map(|s| s.name.as_str())
            .chain(std::iter::once(TOTAL))
            .map(|s| by.remove(s).unwrap_or_else(|| empty(s)))
            .collect())
    }

    pub(crate) async fn exam_read_students(
        &self,
        scope: &Scope,
        exam: ExamId,
        school: SchoolId,
        class: Option<ClassId>,
    ) -> Result<Vec<ExamStudentRow>, StoreError> {
        no_counsellor_or_parent(scope)?;
        match class {
            Some(c) if !scope.can_view_class(school, c) => return Err(StoreError::Forbidden),
            None if !scope.can_list_school_roster(school) => return Err(StoreError::Forbidden),
            _ => {}
        }
        self.exam_refresh_stale(Some(exam)).await?;
        let mut conn = self.pool.acquire().await?;
        let e = Self::exam_access(&mut conn, scope, exam).await?;
        let settings = Self::exam_settings_for(&mut conn, e.id.0).await?;
        let standings = Self::exam_standings(&mut conn, &e).await?;
        let marks = Self::exam_marks_rows(&mut conn, &e, &[school.0], true).await?;
        let roster: HashMap<i64, (String, String)> = sqlx::query_as::<_, (i64, String, String)>(
            "SELECT id, student_no, name FROM student WHERE school_id = $1",
        )
        .bind(school.0)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(id, no, name)| (id, (no, name)))
        .collect();
        let mut out = Vec::new();
        for (i, k) in marks.students.iter().enumerate() {
            if class.is_some_and(|c| c.0 != k.class_id)
                || !scope.can_view_student(school, ClassId(k.class_id), StudentId(k.student_id))
            {
                continue;
            }
            let (student_no, name) = roster.get(&k.student_id).cloned().unwrap_or_default();
            out.push(ExamStudentRow {
                school_id: school,
                class_id: ClassId(k.class_id),
                student_id: StudentId(k.student_id),
                student_no,
                name,
                subjects: wuyu_monitor::exam::student_marks(
                    marks.row(i),
                    &standings,
                    settings.absent_policy,
                ),
            });
        }
        out.sort_by(|a, b| (a.class_id, &a.student_no).cmp(&(b.class_id, &b.student_no)));
        Ok(out)
    }

    pub(crate) async fn exam_read_student_history(
        &self,
        scope: &Scope,
        school: SchoolId,
        student: StudentId,
    ) -> Result<Vec<StudentExamRow>, StoreError> {
        if matches!(scope, Scope::Counsellor { .. }) {
            return Err(StoreError::Forbidden);
        }
        // Scope and existence exactly as the student's own record.
        crate::RosterStore::student(self, scope, school, student).await?;
        let parent = matches!(scope, Scope::Parent { .. });
        self.exam_refresh_stale(None).await?;
        let mut conn = self.pool.acquire().await?;
        let settings = Self::exam_settings_in(&mut conn).await?;
        let exams: Vec<(i64,)> =
            sqlx::query_as("SELECT exam_id FROM exam_school WHERE school_id = $1")
                .bind(school.0)
                .fetch_all(&mut *conn)
                .await?;
        let mut out = Vec::new();
        for (id,) in exams {
            let Some(e) = Self::exam_load(&mut conn, id).await? else {
                continue;
            };
            let sql = format!(
                "SELECT subject, absent, score FROM exam_score WHERE school_id = $1 \
                 AND exam_id = $2 AND subject IN ({}) AND student_id = ${}",
                params(3, e.subjects.len()),
                3 + e.subjects.len()
            );
            let mut q = sqlx::query_as::<_, (String, bool, Option<f64>)>(AssertSqlSafe(sql))
                .bind(school.0)
                .bind(id);
            for s in &e.subjects {
                q = q.bind(&s.name);
            }
            let rows = q.bind(student.0).fetch_all(&mut *conn).await?;
            if rows.is_empty() {
                continue;
            }
            let mut row: Vec<Option<Cell>> = vec![None; e.subjects.len()];
            for (subject, absent, score) in rows {
                if let Some(s) = e.subjects.iter().position(|x| x.name == subject) {
                    row[s] = Some(match (absent, score) {
                        (false, Some(x)) => Cell::Score(x),
                        _ => Cell::Absent,
                    });
                }
            }
            let standings = Self::exam_standings(&mut conn, &e).await?;
            let mut marks =
                wuyu_monitor::exam::student_marks(&row, &standings, settings.absent_policy);
            if parent {
                // Parents never see ranks (DESIGN.md), nor the 百分等级 that is one.
                for m in &mut marks {
                    m.district_rank = None;
                    m.percentile = None;
                }
            }
            out.push(StudentExamRow { exam: e, marks });
        }
        out.sort_by_key(|a| (a.exam.date, a.exam.id));
        Ok(out)
    }

    pub(crate) async fn exam_read_parallel_alerts(
        &self,
        scope: &Scope,
        school: Option<SchoolId>,
        evaluation_year: i32,
    ) -> Result<Vec<TeacherAlert>, StoreError> {
        let schools: Vec<i64> = match (scope, school) {
            (Scope::District, Some(s)) => vec![s.0],
            (Scope::District, None) => sqlx::query_as::<_, (i64,)>(
                "SELECT DISTINCT school_id FROM exam_school ORDER BY school_id",
            )
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|r| r.0)
            .collect(),
            (Scope::School { school_id }, s) => {
                if s.is_some_and(|s| s != *school_id) {
                    return Err(StoreError::Forbidden);
                }
                vec![school_id.0]
            }
            _ => return Err(StoreError::Forbidden),
        };
        let settings = self.exam_read_settings().await?;
        let rule = settings.parallel_rule;
        let first_year = evaluation_year - rule.cycle_years + 1;
        self.exam_refresh_stale(None).await?;
        let mut conn = self.pool.acquire().await?;
        let mut out = Vec::new();
        let mut va_cache = HashMap::new();
        for school_id in schools {
            // Exams of the school in the cycle.
            let exams: Vec<(i64, String, time::Date, String, String)> = sqlx::query_as(
                "SELECT e.id, e.name, e.exam_date, e.term, e.level FROM exam_school s \
                 JOIN exam e ON e.id = s.exam_id WHERE s.school_id = $1",
            )
            .bind(school_id)
            .fetch_all(&mut *conn)
            .await?;
            let mut info: HashMap<i64, (String, i32, ExamLevel, time::Date)> = HashMap::new();
            for (id, name, date, term, level) in exams {
                let term = Term::parse_code(&term).map_err(|e| corrupt("exam.term", e))?;
                let year = i32::from(term.school_year);
                if year < first_year || year > evaluation_year {
                    continue;
                }
                let level = ExamLevel::parse(&level).map_err(|e| corrupt("exam.level", e))?;
                info.insert(id, (format!("{name}（{date}）"), year, level, date));
            }
            if info.is_empty() {
                continue;
            }
            // Class id → (grade, name, type): parallel classes share school, grade and type.
            let mut classes: HashMap<i64, (i32, String, ClassType)> = HashMap::new();
            for (id, grade, name, class_type) in sqlx::query_as::<_, (i64, i32, String, String)>(
                "SELECT id, grade, name, class_type FROM school_class WHERE school_id = $1",
            )
            .bind(school_id)
            .fetch_all(&mut *conn)
            .await?
            {
                let class_type = ClassType::parse(&class_type)
                    .map_err(|e| corrupt("school_class.class_type", e))?;
                classes.insert(id, (grade, name, class_type));
            }
            let label = |c: i64| match classes.get(&c) {
                Some((g, n, _)) => format!("{g}年级{n}"),
                None => format!("班级{c}"),
            };
            let type_of = |c: i64| {
                classes
                    .get(&c)
                    .map_or(ClassType::default(), |x| x.2)
                    .label_zh()
                    .to_string()
            };
            // (exam, subject) → classes with their counts and mean.
            let mut results: HashMap<(i64, String), Vec<(i64, ClassResult)>> = HashMap::new();
            for (exam, class, subject, enrolled, sat, n, mean, sd) in
                sqlx::query_as::<_, (i64, i64, String, i64, i64, i64, Option<f64>, Option<f64>)>(
                    "SELECT exam_id, class_id, subject, enrolled, sat, n, mean, sd \
                     FROM exam_class_mean WHERE school_id = $1",
                )
                .bind(school_id)
                .fetch_all(&mut *conn)
                .await?
            {
                let (Some(mean), true) = (mean, info.contains_key(&exam)) else {
                    continue;
                };
                results.entry((exam, subject)).or_default().push((
                    class,
                    ClassResult {
                        class: label(class),
                        class_type: type_of(class),
                        enrolled: enrolled as usize,
                        sat: sat as usize,
                        n: n as usize,
                        mean,
                        sd,
                    },
                ));
            }
            // (teacher, subject) → events, each with its class's value-added.
            type Event = (time::Date, ParallelEvent, Option<f64>);
            let mut events: BTreeMap<(String, i64, String), Vec<Event>> = BTreeMap::new();
            for (exam, class, subject, teacher, share, name) in
                sqlx::query_as::<_, (i64, i64, String, i64, f64, String)>(
                    "SELECT e.exam_id, e.class_id, e.subject, e.teacher_id, e.share, t.name \
                     FROM exam_class_teacher e JOIN teacher t \
                       ON t.school_id = e.school_id AND t.id = e.teacher_id \
                     WHERE e.school_id = $1",
                )
                .bind(school_id)
                .fetch_all(&mut *conn)
                .await?
            {
                let Some((exam_label, year, level, date)) = info.get(&exam) else {
                    continue;
                };
                let Some(all) = results.get(&(exam, subject.clone())) else {
                    continue;
                };
                if !all.iter().any(|(c, _)| *c == class) {
                    continue;
                }
                // Parallel classes: the same grade of the same school in this exam.
                let grade = classes.get(&class).map(|c| c.0);
                let parallel: Vec<ClassResult> = all
                    .iter()
                    .filter(|(c, _)| classes.get(c).map(|x| x.0) == grade)
                    .map(|(_, r)| r.clone())
                    .collect();
                let va = Self::class_value_added(
                    &mut conn,
                    &mut va_cache,
                    exam,
                    &subject,
                    school_id,
                    class,
                )
                .await?;
                events.entry((name, teacher, subject)).or_default().push((
                    *date,
                    ParallelEvent {
                        exam: exam_label.clone(),
                        school_year: *year,
                        level: parallel_level(*level),
                        unified_marking: level.unified_marking(),
                        class: label(class),
                        teacher_share: share.clamp(0.0, 1.0),
                        classes: parallel,
                    },
                    va,
                ));
            }
            let mut decisions: HashMap<(i64, String), AlertDecision> = HashMap::new();
            for (teacher, subject, kind, reason, decided_by, decided_at) in
                sqlx::query_as::<_, (i64, String, String, String, String, i64)>(
                    "SELECT teacher_id, subject, decision, reason, decided_by, decided_at \
                     FROM exam_alert_decision WHERE school_id = $1 AND evaluation_year = $2",
                )
                .bind(school_id)
                .bind(evaluation_year)
                .fetch_all(&mut *conn)
                .await?
            {
                let kind = AlertDecisionKind::parse(&kind)
                    .ok_or_else(|| corrupt("exam_alert_decision.decision", kind))?;
                decisions.insert(
                    (teacher, subject.clone()),
                    AlertDecision {
                        school_id: SchoolId(school_id),
                        teacher_id: TeacherId(teacher),
                        subject,
                        evaluation_year,
                        kind,
                        reason,
                        decided_by,
                        decided_at,
                    },
                );
            }
            for ((name, teacher, subject), mut evs) in events {
                evs.sort_by(|a, b| (a.0, &a.1.class).cmp(&(b.0, &b.1.class)));
                let event_value_added: Vec<Option<f64>> = evs.iter().map(|e| e.2).collect();
                let evs: Vec<ParallelEvent> = evs.into_iter().map(|(_, e, _)| e).collect();
                let alert = parallel_class_alert(&name, &evs, evaluation_year, &rule)
                    .map_err(|e| corrupt("parallel-class rule", e))?;
                out.push(TeacherAlert {
                    school_id: SchoolId(school_id),
                    teacher_id: TeacherId(teacher),
                    teacher_name: name,
                    decision: decisions.remove(&(teacher, subject.clone())),
                    subject,
                    alert,
                    event_value_added,
                });
            }
        }
        Ok(out)
    }

    /// The EB value-added of one class in one exam and subject, from the stored class-level
    /// report (read once per exam and subject); `None` without a baseline or for a class too
    /// small to publish.
    async fn class_value_added(
        conn: &mut sqlx::pool::PoolConnection<Db>,
        cache: &mut HashMap<(i64, String), HashMap<String, f64>>,
        exam: i64,
        subject: &str,
        school: i64,
        class: i64,
    ) -> Result<Option<f64>, StoreError> {
        let key = (exam, subject.to_string());
        if !cache.contains_key(&key) {
            let row: Option<(String,)> = sqlx::query_as(
                "SELECT payload FROM exam_stat WHERE exam_id = $1 AND kind = 'va' \
                 AND unit = 'class' AND subject = $2",
            )
            .bind(exam)
            .bind(subject)
            .fetch_optional(&mut **conn)
            .await?;
            let mut by_group = HashMap::new();
            if let Some((payload,)) = row {
                let report: ValueAddedReport = serde_json::from_str(&payload)
                    .map_err(|e| json_err("value-added payload", e))?;
                for g in report.groups {
                    if let Some(v) = g.shrunken.or(g.estimate).filter(|_| !g.suppressed) {
                        by_group.insert(g.group, v);
                    }
                }
            }
            cache.insert(key.clone(), by_group);
        }
        Ok(cache[&key].get(&format!("{school}/{class}")).copied())
    }
}

impl ExamStore for This {
    fn create_exam<'a>(&'a self, e: &'a NewExam) -> StoreFuture<'a, ExamId> {
        Box::pin(self.exam_create(e))
    }

    fn set_exam_lines<'a>(
        &'a self,
        exam: ExamId,
        lines: Option<&'a wuyu_analytics::descriptive::RateLines>,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let json = lines
                .map(serde_json::to_string)
                .transpose()
                .map_err(|e| corrupt("exam.lines", e))?;
            // Version 0 marks the statistics stale in the same statement, so they are
            // recomputed on the next read even if the recomputation below fails.
            let done = sqlx::query("UPDATE exam SET lines = $2, stat_version = 0 WHERE id = $1")
                .bind(exam.0)
                .bind(json)
                .execute(&self.pool)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            self.exam_recompute(exam).await
        })
    }

    fn exam_lines(
        &self,
        exam: ExamId,
    ) -> StoreFuture<'_, Option<wuyu_analytics::descriptive::RateLines>> {
        Box::pin(async move {
            let row: Option<(Option<String>,)> =
                sqlx::query_as("SELECT lines FROM exam WHERE id = $1")
                    .bind(exam.0)
                    .fetch_optional(&self.pool)
                    .await?;
            match row {
                None => Err(StoreError::NotFound),
                Some((None,)) => Ok(None),
                Some((Some(v),)) => serde_json::from_str(&v)
                    .map(Some)
                    .map_err(|e| corrupt("exam.lines", e)),
            }
        })
    }

    fn record_alert_decision<'a>(
        &'a self,
        d: &'a AlertDecision,
        audit: &'a crate::AuditEntry,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            sqlx::query(
                "INSERT INTO exam_alert_decision (school_id, teacher_id, subject, \
                 evaluation_year, decision, reason, decided_by, decided_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (school_id, teacher_id, subject, evaluation_year) DO UPDATE SET \
                 decision = excluded.decision, reason = excluded.reason, \
                 decided_by = excluded.decided_by, decided_at = excluded.decided_at",
            )
            .bind(d.school_id.0)
            .bind(d.teacher_id.0)
            .bind(&d.subject)
            .bind(d.evaluation_year)
            .bind(d.kind.code())
            .bind(&d.reason)
            .bind(&d.decided_by)
            .bind(d.decided_at)
            .execute(&mut *tx)
            .await?;
            super::audit::insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn exam_candidates(&self, exam: ExamId) -> StoreFuture<'_, Vec<(String, String)>> {
        Box::pin(self.candidates_of(exam))
    }

    fn import_exam_candidates<'a>(
        &'a self,
        exam: ExamId,
        rows: &'a [wuyu_domain::NewCandidate],
        meta: &'a ImportMeta,
    ) -> StoreFuture<'a, CandidateImportSummary> {
        Box::pin(self.candidates_import(exam, rows, meta))
    }

    fn exam_template_students(
        &self,
        exam: ExamId,
        generate: bool,
    ) -> StoreFuture<'_, Vec<CandidateStudent>> {
        Box::pin(self.candidates_template(exam, generate))
    }

    fn list_exams<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, Vec<ExamSummary>> {
        Box::pin(self.exam_list(scope))
    }

    fn exam<'a>(&'a self, scope: &'a Scope, exam: ExamId) -> StoreFuture<'a, Exam> {
        Box::pin(self.exam_get(scope, exam))
    }

    fn import_exam_scores<'a>(
        &'a self,
        batch: &'a ExamScoreBatch,
        meta: &'a ImportMeta,
    ) -> StoreFuture<'a, ExamImportSummary> {
        Box::pin(self.exam_import_scores(batch, meta))
    }

    fn import_exam_items<'a>(
        &'a self,
        batch: &'a ExamItemBatch,
        meta: &'a ImportMeta,
    ) -> StoreFuture<'a, ExamImportSummary> {
        Box::pin(self.exam_import_items(batch, meta))
    }

    fn recompute_exam(&self, exam: ExamId) -> StoreFuture<'_, ()> {
        Box::pin(self.exam_recompute(exam))
    }

    fn exam_settings(&self) -> StoreFuture<'_, ExamSettings> {
        Box::pin(self.exam_read_settings())
    }

    fn exam_unit_stats<'a>(
        &'a self,
        scope: &'a Scope,
        exam: ExamId,
        filter: ExamUnitFilter,
    ) -> StoreFuture<'a, Vec<ExamUnitStat>> {
        Box::pin(self.exam_read_units(scope, exam, filter))
    }

    fn exam_value_added<'a>(
        &'a self,
        scope: &'a Scope,
        exam: ExamId,
        subject: &'a str,
        level: ExamUnitKind,
        school: Option<SchoolId>,
    ) -> StoreFuture<'a, ValueAddedReport> {
        Box::pin(self.exam_read_value_added(scope, exam, subject, level, school))
    }

    fn exam_items<'a>(
        &'a self,
        scope: &'a Scope,
        exam: ExamId,
        subject: &'a str,
        school: Option<SchoolId>,
    ) -> StoreFuture<'a, ItemReport> {
        Box::pin(self.exam_read_items(scope, exam, subject, school))
    }

    fn exam_students<'a>(
        &'a self,
        scope: &'a Scope,
        exam: ExamId,
        school: SchoolId,
        class: Option<ClassId>,
    ) -> StoreFuture<'a, Vec<ExamStudentRow>> {
        Box::pin(self.exam_read_students(scope, exam, school, class))
    }

    fn student_exams<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        student: StudentId,
    ) -> StoreFuture<'a, Vec<StudentExamRow>> {
        Box::pin(self.exam_read_student_history(scope, school, student))
    }

    fn parallel_alerts<'a>(
        &'a self,
        scope: &'a Scope,
        school: Option<SchoolId>,
        evaluation_year: i32,
    ) -> StoreFuture<'a, Vec<TeacherAlert>> {
        Box::pin(self.exam_read_parallel_alerts(scope, school, evaluation_year))
    }
}

/// Every school an import's merged marks write, remove or move.
fn merged_schools(merged: &Merged) -> BTreeSet<i64> {
    let mut schools: BTreeSet<i64> = merged.writes.iter().map(|w| w.school_id).collect();
    for r in &merged.removals {
        match r {
            Removal::All { school, .. } | Removal::Students { school, .. } => {
                schools.insert(*school);
            }
        }
    }
    schools.extend(merged.class_moves.iter().map(|m| m.0));
    schools
}
