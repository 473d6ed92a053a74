//! An exam's 考号 list for both backends (included by `sqlite.rs` and `postgres.rs`): read,
//! replaced by an import, or generated for the pre-filled score template.
use std::collections::{BTreeSet, HashMap};

use sqlx::AssertSqlSafe;
use wuyu_domain::{ExamId, NewCandidate, RowError};

use super::This;
use crate::StoreError;
use crate::backend::corrupt;
use crate::exam::{CandidateImportSummary, CandidateStudent};
use crate::model::ImportMeta;

/// Rows per look-up statement, well under either backend's parameter limit.
const CHUNK: usize = 500;

impl This {
    pub(crate) async fn candidates_of(
        &self,
        exam: ExamId,
    ) -> Result<Vec<(String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT c.candidate_no, s.student_no FROM exam_candidate c \
             JOIN student s ON s.school_id = c.school_id AND s.id = c.student_id \
             WHERE c.exam_id = $1 ORDER BY c.candidate_no",
        )
        .bind(exam.0)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn exam_grade(&self, exam: ExamId) -> Result<i64, StoreError> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT CAST(grade AS BIGINT) FROM exam WHERE id = $1")
                .bind(exam.0)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| r.0).ok_or(StoreError::NotFound)
    }

    pub(crate) async fn candidates_import(
        &self,
        exam: ExamId,
        rows: &[NewCandidate],
        meta: &ImportMeta,
    ) -> Result<CandidateImportSummary, StoreError> {
        self.exam_grade(exam).await?;
        let _guard = self.write_lock.lock().await;
        let mut tx = self.begin_write().await?;
        // Resolve every 学籍号 (the reader has already refused a 学籍号 or 考号 twice).
        let nos: Vec<&str> = rows.iter().map(|r| r.student_no.as_str()).collect();
        let mut found: HashMap<String, (i64, i64)> = HashMap::with_capacity(rows.len());
        for chunk in nos.chunks(CHUNK) {
            let params: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT student_no, school_id, id FROM student WHERE student_no IN ({})",
                params.join(", ")
            );
            let mut q = sqlx::query_as::<_, (String, i64, i64)>(AssertSqlSafe(sql));
            for no in chunk {
                q = q.bind(*no);
            }
            for (no, school, id) in q.fetch_all(&mut *tx).await? {
                found.insert(no, (school, id));
            }
        }
        let errors: Vec<RowError> = rows
            .iter()
            .filter(|r| !found.contains_key(r.student_no.as_str()))
            .map(|r| RowError {
                file: meta.file_name.clone(),
                sheet: r.origin.sheet.clone(),
                row: r.origin.row,
                column: "学籍号".into(),
                value: r.student_no.as_str().to_string(),
                message_zh: "名册中没有这个学籍号：请先导入名册，或核对学籍号".into(),
            })
            .collect();
        if !errors.is_empty() {
            return Err(StoreError::Rejected(errors));
        }
        sqlx::query("DELETE FROM exam_candidate WHERE exam_id = $1")
            .bind(exam.0)
            .execute(&mut *tx)
            .await?;
        let mut schools = BTreeSet::new();
        for r in rows {
            let (school, id) = found[r.student_no.as_str()];
            schools.insert(school);
            sqlx::query(
                "INSERT INTO exam_candidate (school_id, exam_id, student_id, candidate_no) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(school)
            .bind(exam.0)
            .bind(id)
            .bind(&r.candidate_no)
            .execute(&mut *tx)
            .await?;
        }
        let mut summary = CandidateImportSummary {
            import_id: 0,
            students: rows.len() as u64,
            schools: schools.len() as u64,
        };
        let summary_json =
            serde_json::to_string(&summary).map_err(|e| corrupt("import summary", e))?;
        let (import_id,): (i64,) = sqlx::query_as(
            "INSERT INTO import_record (at, username, kind, file_name, file_sha256, records, summary) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(meta.at)
        .bind(&meta.username)
        .bind("exam_candidates")
        .bind(&meta.file_name)
        .bind(&meta.file_sha256)
        .bind(summary.students as i64)
        .bind(summary_json)
        .fetch_one(&mut *tx)
        .await?;
        summary.import_id = import_id;
        tx.commit().await?;
        Ok(summary)
    }

    pub(crate) async fn candidates_template(
        &self,
        exam: ExamId,
        generate: bool,
    ) -> Result<Vec<CandidateStudent>, StoreError> {
        let grade = self.exam_grade(exam).await?;
        let students = || async {
            let rows: Vec<(i64, i64, String, String, String, Option<String>)> = sqlx::query_as(
                "SELECT st.school_id, st.id, st.student_no, st.name, c.name, x.candidate_no \
                 FROM student st \
                 JOIN school_class c ON c.school_id = st.school_id AND c.id = st.class_id \
                 JOIN school s ON s.id = st.school_id \
                 LEFT JOIN exam_candidate x ON x.school_id = st.school_id \
                   AND x.exam_id = $1 AND x.student_id = st.id \
                 WHERE c.grade = $2 \
                 ORDER BY s.code, c.name, st.student_no",
            )
            .bind(exam.0)
            .bind(grade)
            .fetch_all(&self.pool)
            .await?;
            Ok::<_, StoreError>(rows)
        };
        let mut rows = students().await?;
        let has_list = !self.candidates_of(exam).await?.is_empty();
        if generate && !has_list && !rows.is_empty() {
            let guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            for (n, r) in rows.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO exam_candidate (school_id, exam_id, student_id, candidate_no) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(r.0)
                .bind(exam.0)
                .bind(r.1)
                .bind(format!("{:06}", n + 1))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            drop(guard);
            rows = students().await?;
        }
        Ok(rows
            .into_iter()
            .map(
                |(_, _, student_no, name, class_name, candidate_no)| CandidateStudent {
                    student_no,
                    name,
                    class_name,
                    candidate_no,
                },
            )
            .collect())
    }
}
