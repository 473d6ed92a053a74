//! Writing an exam's marks and statistics inside the import's transaction (both backends).
// Row tuples are spelled out as sqlx reads them, next to the query that selects them.
#![allow(clippy::type_complexity)]
use std::collections::{BTreeMap, BTreeSet};

use sqlx::AssertSqlSafe;
use wuyu_domain::Exam;

use super::{Db, NUMBERED_PARAMS, This};
use crate::StoreError;
use crate::backend::*;
use crate::model::*;
use wuyu_monitor::exam::{ExamMarks, ExamStatW, Names, SchoolStatW};

use crate::exam::rows::*;
use crate::exam::*;

impl This {
    // --- writing statistics -------------------------------------------------------------

    pub(super) async fn exam_insert_exam_stats(
        tx: &mut sqlx::Transaction<'static, Db>,
        exam: i64,
        rows: &[ExamStatW],
    ) -> Result<(), StoreError> {
        for chunk in rows.chunks(CHUNK) {
            let sql = multi_row_insert(
                "INSERT INTO exam_stat (exam_id, kind, unit, subject, payload)",
                5,
                chunk.len(),
                "",
                NUMBERED_PARAMS,
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for r in chunk {
                q = q
                    .bind(exam)
                    .bind(r.kind)
                    .bind(&r.unit)
                    .bind(&r.subject)
                    .bind(&r.payload);
            }
            q.execute(&mut **tx).await?;
        }
        Ok(())
    }

    pub(super) async fn exam_insert_school_stats(
        tx: &mut sqlx::Transaction<'static, Db>,
        exam: i64,
        rows: &[SchoolStatW],
    ) -> Result<(), StoreError> {
        for chunk in rows.chunks(CHUNK) {
            let sql = multi_row_insert(
                "INSERT INTO exam_school_stat (school_id, exam_id, kind, class_id, subject, payload)",
                6,
                chunk.len(),
                "",
                NUMBERED_PARAMS,
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for r in chunk {
                q = q
                    .bind(r.school_id)
                    .bind(exam)
                    .bind(r.kind)
                    .bind(r.class_id)
                    .bind(&r.subject)
                    .bind(&r.payload);
            }
            q.execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Recomputes and rewrites every statistic of `exam` from `marks` (all its marks),
    /// the item analysis of `item_subjects`, its value-added and the value-added of
    /// the exams measured from it. `old_schools`: schools that had marks before.
    pub(super) async fn exam_statistics(
        tx: &mut sqlx::Transaction<'static, Db>,
        exam: &Exam,
        marks: &ExamMarks,
        old_schools: &[i64],
        item_subjects: &[usize],
        settings: &ExamSettings,
    ) -> Result<(), StoreError> {
        let started = std::time::Instant::now();
        let id = exam.id.0;
        let names = Self::exam_names(tx).await?;
        let mut new_schools: Vec<i64> = marks.students.iter().map(|k| k.school_id).collect();
        new_schools.dedup();
        let teachers = Self::exam_teachers(tx, exam, &new_schools).await?;
        let loaded = started.elapsed();
        let rows =
            wuyu_monitor::exam::unit_rows(&exam.subjects, marks, &names, &teachers, settings)
                .map_err(stats_err)?;
        let computed = started.elapsed();
        let all_schools = union(old_schools, &new_schools);

        Self::exam_write_unit_rows(tx, id, &all_schools, &rows).await?;
        let units_written = started.elapsed();

        Self::exam_item_statistics(tx, exam, item_subjects, &new_schools, &all_schools, &names)
            .await?;
        let items_done = started.elapsed();

        Self::exam_value_added_statistics(tx, exam, marks, &names, settings).await?;
        tracing::info!(
            exam = id,
            students = marks.len(),
            load_ms = loaded.as_millis() as u64,
            units_ms = (computed - loaded).as_millis() as u64,
            units_write_ms = (units_written - computed).as_millis() as u64,
            items_ms = (items_done - units_written).as_millis() as u64,
            value_added_ms = (started.elapsed() - items_done).as_millis() as u64,
            "exam statistics written"
        );
        Ok(())
    }

    /// Write: the unit statistics, standings, packed marks, class means and schools of an
    /// exam, replacing the ones of the schools that sat it before or now.
    async fn exam_write_unit_rows(
        tx: &mut sqlx::Transaction<'static, Db>,
        id: i64,
        all_schools: &[i64],
        rows: &wuyu_monitor::exam::UnitRows,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM exam_stat WHERE exam_id = $1 AND kind IN ('unit', 'standing')")
            .bind(id)
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM exam_school WHERE exam_id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
        for chunk in all_schools.chunks(SCHOOL_CHUNK) {
            let list = id_list(chunk);
            sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM exam_school_stat WHERE school_id IN ({list}) AND exam_id = $1 \
                 AND kind IN ('school', 'class', 'marks')"
            )))
            .bind(id)
            .execute(&mut **tx)
            .await?;
            sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM exam_class_mean WHERE school_id IN ({list}) AND exam_id = $1"
            )))
            .bind(id)
            .execute(&mut **tx)
            .await?;
        }
        Self::exam_insert_exam_stats(tx, id, &rows.exam).await?;
        Self::exam_insert_school_stats(tx, id, &rows.school).await?;
        let packed: Vec<SchoolStatW> = rows
            .marks
            .iter()
            .map(|(school, text)| SchoolStatW {
                school_id: *school,
                kind: "marks",
                class_id: 0,
                subject: String::new(),
                payload: text.clone(),
            })
            .collect();
        Self::exam_insert_school_stats(tx, id, &packed).await?;
        for chunk in rows.class_means.chunks(CHUNK) {
            let sql = multi_row_insert(
                "INSERT INTO exam_class_mean (school_id, exam_id, class_id, subject, \
                 enrolled, sat, n, mean, sd)",
                9,
                chunk.len(),
                "",
                NUMBERED_PARAMS,
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for r in chunk {
                q = q
                    .bind(r.school_id)
                    .bind(id)
                    .bind(r.class_id)
                    .bind(&r.subject)
                    .bind(r.enrolled)
                    .bind(r.sat)
                    .bind(r.n)
                    .bind(r.mean)
                    .bind(r.sd);
            }
            q.execute(&mut **tx).await?;
        }
        for chunk in rows.exam_schools.chunks(CHUNK) {
            let sql = multi_row_insert(
                "INSERT INTO exam_school (school_id, exam_id, students)",
                3,
                chunk.len(),
                "",
                NUMBERED_PARAMS,
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for (s, n) in chunk {
                q = q.bind(*s).bind(id).bind(*n);
            }
            q.execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Load, compute and write the item analysis of each subject in `item_subjects`.
    async fn exam_item_statistics(
        tx: &mut sqlx::Transaction<'static, Db>,
        exam: &Exam,
        item_subjects: &[usize],
        new_schools: &[i64],
        all_schools: &[i64],
        names: &Names,
    ) -> Result<(), StoreError> {
        let id = exam.id.0;
        for &s in item_subjects {
            let subject = &exam.subjects[s].name;
            let items = Self::exam_items_def(tx, id, subject).await?;
            let points = if items.is_empty() {
                Vec::new()
            } else {
                Self::exam_item_points(tx, id, subject, new_schools, items.len()).await?
            };
            let computed = wuyu_monitor::exam::item_rows(subject, &items, &points, names)
                .map_err(stats_err)?;
            sqlx::query(
                "DELETE FROM exam_stat WHERE exam_id = $1 AND kind = 'items' AND subject = $2",
            )
            .bind(id)
            .bind(subject)
            .execute(&mut **tx)
            .await?;
            for chunk in all_schools.chunks(SCHOOL_CHUNK) {
                sqlx::query(AssertSqlSafe(format!(
                    "DELETE FROM exam_school_stat WHERE school_id IN ({}) AND exam_id = $1 \
                     AND kind = 'item_class' AND subject = $2",
                    id_list(chunk)
                )))
                .bind(id)
                .bind(subject)
                .execute(&mut **tx)
                .await?;
            }
            if let Some((exam_row, class_rows)) = computed {
                Self::exam_insert_exam_stats(tx, id, std::slice::from_ref(&exam_row)).await?;
                Self::exam_insert_school_stats(tx, id, &class_rows).await?;
            }
        }
        Ok(())
    }

    /// Load, compute and write the value-added of this exam from its baseline and of the
    /// exams measured from this one.
    async fn exam_value_added_statistics(
        tx: &mut sqlx::Transaction<'static, Db>,
        exam: &Exam,
        marks: &ExamMarks,
        names: &Names,
        settings: &ExamSettings,
    ) -> Result<(), StoreError> {
        let id = exam.id.0;
        // Value-added of this exam from its baseline.
        let mut va = Vec::new();
        if let Some(b) = exam.baseline {
            let base = Self::exam_load(tx, b.0)
                .await?
                .ok_or_else(|| corrupt("exam.baseline_id", b.0))?;
            let base_marks = Self::exam_marks(tx, &base).await?;
            va = wuyu_monitor::exam::value_added_rows(
                id,
                &exam.subjects,
                marks,
                b.0,
                &base.subjects,
                &base_marks,
                names,
                settings,
            )
            .map_err(stats_err)?;
        }
        Self::exam_write_va(tx, id, &va).await?;
        // …and of the exams measured from this one.
        let dependents: Vec<(i64,)> = sqlx::query_as("SELECT id FROM exam WHERE baseline_id = $1")
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
        for (d,) in dependents {
            let dexam = Self::exam_load(tx, d)
                .await?
                .ok_or_else(|| corrupt("exam.id", d))?;
            let dmarks = Self::exam_marks(tx, &dexam).await?;
            let va = wuyu_monitor::exam::value_added_rows(
                d,
                &dexam.subjects,
                &dmarks,
                id,
                &exam.subjects,
                marks,
                names,
                settings,
            )
            .map_err(stats_err)?;
            Self::exam_write_va(tx, d, &va).await?;
        }
        Ok(())
    }

    pub(super) async fn exam_write_va(
        tx: &mut sqlx::Transaction<'static, Db>,
        exam: i64,
        rows: &[ExamStatW],
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM exam_stat WHERE exam_id = $1 AND kind = 'va'")
            .bind(exam)
            .execute(&mut **tx)
            .await?;
        Self::exam_insert_exam_stats(tx, exam, rows).await
    }

    /// Copies the current teaching assignments of `classes` in `subjects` into the
    /// exam's teacher snapshot (replacing what was there for them).
    pub(super) async fn exam_snapshot_teachers(
        tx: &mut sqlx::Transaction<'static, Db>,
        exam: i64,
        classes: &BTreeSet<(i64, i64)>,
        subjects: &[String],
    ) -> Result<(), StoreError> {
        let mut by_school: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for (s, c) in classes {
            by_school.entry(*s).or_default().push(*c);
        }
        let subject_params = params(3, subjects.len());
        for (school, class_ids) in by_school {
            for chunk in class_ids.chunks(SCHOOL_CHUNK) {
                let list = id_list(chunk);
                let mut q = sqlx::query(AssertSqlSafe(format!(
                    "DELETE FROM exam_class_teacher WHERE school_id = $1 AND exam_id = $2 \
                     AND class_id IN ({list}) AND subject IN ({subject_params})"
                )))
                .bind(school)
                .bind(exam);
                for s in subjects {
                    q = q.bind(s);
                }
                q.execute(&mut **tx).await?;
                let mut q = sqlx::query(AssertSqlSafe(format!(
                    "INSERT INTO exam_class_teacher (school_id, exam_id, class_id, subject, \
                       teacher_id, share) \
                     SELECT school_id, $2, class_id, subject, teacher_id, share \
                     FROM teacher_assignment WHERE school_id = $1 AND class_id IN ({list}) \
                     AND subject IN ({subject_params})"
                )))
                .bind(school)
                .bind(exam);
                for s in subjects {
                    q = q.bind(s);
                }
                q.execute(&mut **tx).await?;
            }
        }
        Ok(())
    }

    /// Records an exam import (before anything is written, so the journal can name it).
    pub(super) async fn exam_import_record(
        tx: &mut sqlx::Transaction<'static, Db>,
        kind: &str,
        meta: &ImportMeta,
        summary: &mut ExamImportSummary,
    ) -> Result<i64, StoreError> {
        let summary_json =
            serde_json::to_string(&*summary).map_err(|e| corrupt("import summary", e))?;
        let (import_id,): (i64,) = sqlx::query_as(
            "INSERT INTO import_record (at, username, kind, file_name, file_sha256, records, summary) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(meta.at)
        .bind(&meta.username)
        .bind(kind)
        .bind(&meta.file_name)
        .bind(&meta.file_sha256)
        .bind(summary.students as i64)
        .bind(summary_json)
        .fetch_one(&mut **tx)
        .await?;
        summary.import_id = import_id;
        Ok(import_id)
    }

    /// Writes a merged import of record `import_id` (journaled already): the marks, removed
    /// marks, class moves and teacher snapshots, then every statistic.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn exam_finish_import(
        tx: &mut sqlx::Transaction<'static, Db>,
        exam: &Exam,
        merged: &Merged,
        old_schools: &[i64],
        touched: &[usize],
        item_subjects: &[usize],
        settings: &ExamSettings,
        import_id: i64,
    ) -> Result<(), StoreError> {
        let id = exam.id.0;
        let started = std::time::Instant::now();
        // The marks this batch replaces (or blanks out) go first, then its own.
        for r in &merged.removals {
            match r {
                Removal::All { school, subject } => {
                    sqlx::query(
                        "DELETE FROM exam_score WHERE school_id = $1 AND exam_id = $2 \
                         AND subject = $3",
                    )
                    .bind(*school)
                    .bind(id)
                    .bind(&exam.subjects[*subject].name)
                    .execute(&mut **tx)
                    .await?;
                }
                Removal::Students {
                    school,
                    subject,
                    students,
                } => {
                    for chunk in students.chunks(SCHOOL_CHUNK) {
                        sqlx::query(AssertSqlSafe(format!(
                            "DELETE FROM exam_score WHERE school_id = $1 AND exam_id = $2 \
                             AND subject = $3 AND student_id IN ({})",
                            id_list(chunk)
                        )))
                        .bind(*school)
                        .bind(id)
                        .bind(&exam.subjects[*subject].name)
                        .execute(&mut **tx)
                        .await?;
                    }
                }
            }
        }
        let removed = started.elapsed();
        Self::exam_write_marks(tx, exam, import_id, &merged.writes).await?;
        let marks_written = started.elapsed();
        for (school, student, class) in &merged.class_moves {
            sqlx::query(
                "UPDATE exam_score SET class_id = $1 WHERE school_id = $2 AND exam_id = $3 \
                 AND student_id = $4",
            )
            .bind(*class)
            .bind(*school)
            .bind(id)
            .bind(*student)
            .execute(&mut **tx)
            .await?;
        }
        let subjects: Vec<String> = touched
            .iter()
            .map(|&s| exam.subjects[s].name.clone())
            .collect();
        Self::exam_snapshot_teachers(tx, id, &merged.classes, &subjects).await?;
        tracing::info!(
            exam = id,
            marks = merged.writes.len(),
            removals_ms = removed.as_millis() as u64,
            marks_ms = (marks_written - removed).as_millis() as u64,
            moves_snapshot_ms = (started.elapsed() - marks_written).as_millis() as u64,
            "exam marks written"
        );
        Self::exam_statistics(
            tx,
            exam,
            &merged.marks,
            old_schools,
            item_subjects,
            settings,
        )
        .await
    }
}
