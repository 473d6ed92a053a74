//! Loading an exam's definition, marks, names and teachers (both backends).
use std::collections::{BTreeMap, BTreeSet, HashMap};

use sqlx::AssertSqlSafe;
use wuyu_domain::{Exam, ExamItem, ExamSubject, Location, Stage};

use super::{Db, This};
use crate::StoreError;
use crate::backend::*;
use wuyu_monitor::exam::{ClassTeachers, ExamMarks, Key, Names, SchoolInfo};

use crate::exam::plan::StudentRef;
use crate::exam::rows::*;
use crate::exam::*;

impl This {
    // --- loading ----------------------------------------------------------------------

    pub(super) async fn exam_load(
        conn: &mut <Db as sqlx::Database>::Connection,
        id: i64,
    ) -> Result<Option<Exam>, StoreError> {
        let row: Option<ExamTuple> = sqlx::query_as(
            "SELECT id, name, exam_date, term, level, grade, baseline_id FROM exam \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let subjects: Vec<(String, f64)> = sqlx::query_as(
            "SELECT subject, full_marks FROM exam_subject WHERE exam_id = $1 \
             ORDER BY position",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let subjects = subjects
            .into_iter()
            .map(|(name, full_marks)| ExamSubject { name, full_marks })
            .collect();
        Ok(Some(exam_from(row, subjects)?))
    }

    pub(super) async fn exam_items_def(
        conn: &mut <Db as sqlx::Database>::Connection,
        exam: i64,
        subject: &str,
    ) -> Result<Vec<ExamItem>, StoreError> {
        let rows: Vec<(String, f64, String)> = sqlx::query_as(
            "SELECT item_no, max_points, knowledge_points FROM exam_item \
             WHERE exam_id = $1 AND subject = $2 ORDER BY position",
        )
        .bind(exam)
        .bind(subject)
        .fetch_all(&mut *conn)
        .await?;
        rows.into_iter()
            .map(|(item_no, max_points, kp)| {
                Ok(ExamItem {
                    item_no,
                    max_points,
                    knowledge_points: serde_json::from_str(&kp)
                        .map_err(|e| json_err("exam_item.knowledge_points", e))?,
                })
            })
            .collect()
    }

    pub(super) async fn exam_settings_in(
        conn: &mut <Db as sqlx::Database>::Connection,
    ) -> Result<ExamSettings, StoreError> {
        let row: Option<(String,)> = sqlx::query_as("SELECT value FROM setting WHERE key = $1")
            .bind(ExamSettings::KEY)
            .fetch_optional(&mut *conn)
            .await?;
        match row {
            None => Ok(ExamSettings::default()),
            Some((v,)) => {
                serde_json::from_str(&v).map_err(|e| json_err("setting exam_settings", e))
            }
        }
    }

    /// The settings an exam's statistics use: the district's, with the exam's own score
    /// lines when it has them.
    pub(super) async fn exam_settings_for(
        conn: &mut <Db as sqlx::Database>::Connection,
        exam: i64,
    ) -> Result<ExamSettings, StoreError> {
        let mut settings = Self::exam_settings_in(&mut *conn).await?;
        let row: Option<(Option<String>,)> = sqlx::query_as("SELECT lines FROM exam WHERE id = $1")
            .bind(exam)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some((Some(lines),)) = row {
            settings.lines = serde_json::from_str(&lines).map_err(|e| json_err("exam.lines", e))?;
        }
        Ok(settings)
    }

    pub(super) async fn exam_school_ids(
        conn: &mut <Db as sqlx::Database>::Connection,
        exam: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT school_id FROM exam_school WHERE exam_id = $1 ORDER BY school_id",
        )
        .bind(exam)
        .fetch_all(&mut *conn)
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Every stored mark of the exam in these schools: from each school's packed marks
    /// (`exam_school_stat`, kind `marks`, rewritten with every statistics run), or for a
    /// school without them, subject by subject from `exam_score`, each school's marks of
    /// a subject as one text ("student class hundredths|A,…") built by string_agg.
    /// `packed = false` reads `exam_score` only (what `recompute_exam` does, so it also
    /// repairs the packed copies).
    pub(super) async fn exam_marks_rows(
        conn: &mut <Db as sqlx::Database>::Connection,
        exam: &Exam,
        schools: &[i64],
        packed: bool,
    ) -> Result<ExamMarks, StoreError> {
        let mut out = ExamMarks::new(exam.subjects.len());
        for chunk in schools.chunks(SCHOOL_CHUNK) {
            let list = id_list(chunk);
            let packed: Vec<(i64, String)> = if !packed {
                Vec::new()
            } else {
                sqlx::query_as(AssertSqlSafe(format!(
                    "SELECT school_id, payload FROM exam_school_stat WHERE school_id IN ({list}) \
                 AND exam_id = $1 AND kind = 'marks' AND class_id = 0 AND subject = ''"
                )))
                .bind(exam.id.0)
                .fetch_all(&mut *conn)
                .await?
            };
            let mut have = BTreeSet::new();
            for (school, text) in &packed {
                wuyu_monitor::exam::unpack_school_marks(*school, text, &mut out)
                    .map_err(|e| corrupt("exam_school_stat", e))?;
                have.insert(*school);
            }
            let missing: Vec<i64> = chunk
                .iter()
                .copied()
                .filter(|s| !have.contains(s))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let list = id_list(&missing);
            let mut rows = Vec::new();
            for (s, sub) in exam.subjects.iter().enumerate() {
                let agg: Vec<(i64, String)> = sqlx::query_as(AssertSqlSafe(format!(
                    "SELECT school_id, string_agg(CAST(student_id AS TEXT) || ' ' || \
                       CAST(class_id AS TEXT) || ' ' || \
                       COALESCE(CAST(CAST(ROUND(score * 100) AS BIGINT) AS TEXT), 'A'), ',') \
                     FROM exam_score WHERE school_id IN ({list}) AND exam_id = $1 \
                     AND subject = $2 GROUP BY school_id"
                )))
                .bind(exam.id.0)
                .bind(&sub.name)
                .fetch_all(&mut *conn)
                .await?;
                for (school_id, text) in agg {
                    parse_marks(school_id, s, &text, &mut rows)?;
                }
            }
            out.append(ExamMarks::build(exam.subjects.len(), rows));
        }
        out.sort();
        Ok(out)
    }

    pub(super) async fn exam_marks(
        conn: &mut <Db as sqlx::Database>::Connection,
        exam: &Exam,
    ) -> Result<ExamMarks, StoreError> {
        let schools = Self::exam_school_ids(&mut *conn, exam.id.0).await?;
        Self::exam_marks_rows(&mut *conn, exam, &schools, true).await
    }

    /// The item points of one subject (students with points), sorted by student key;
    /// one text per school like `exam_marks_rows`.
    pub(super) async fn exam_item_points(
        conn: &mut <Db as sqlx::Database>::Connection,
        exam: i64,
        subject: &str,
        schools: &[i64],
        k: usize,
    ) -> Result<Vec<(Key, Vec<f64>)>, StoreError> {
        let mut out = Vec::new();
        for chunk in schools.chunks(SCHOOL_CHUNK) {
            let rows: Vec<(i64, String)> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT school_id, string_agg(CAST(student_id AS TEXT) || ' ' || \
                   CAST(class_id AS TEXT) || ' ' || item_points, ';') FROM exam_score \
                 WHERE school_id IN ({}) AND exam_id = $1 AND subject = $2 \
                 AND item_points IS NOT NULL GROUP BY school_id",
                id_list(chunk)
            )))
            .bind(exam)
            .bind(subject)
            .fetch_all(&mut *conn)
            .await?;
            for (school_id, text) in rows {
                parse_points(school_id, k, &text, &mut out)?;
            }
        }
        out.sort_unstable_by_key(|r| r.0);
        Ok(out)
    }

    pub(super) async fn exam_names(
        conn: &mut <Db as sqlx::Database>::Connection,
    ) -> Result<Names, StoreError> {
        let mut names = Names::default();
        let schools: Vec<(i64, String, String, String)> =
            sqlx::query_as("SELECT id, name, location, stage FROM school")
                .fetch_all(&mut *conn)
                .await?;
        for (id, name, location, stage) in schools {
            names.schools.insert(
                id,
                SchoolInfo {
                    name,
                    location: Location::parse(&location)
                        .map_err(|e| corrupt("school.location", e))?,
                    stage: Stage::parse(&stage).map_err(|e| corrupt("school.stage", e))?,
                },
            );
        }
        let classes: Vec<(i64, i64, String, i32)> =
            sqlx::query_as("SELECT school_id, id, name, grade FROM school_class")
                .fetch_all(&mut *conn)
                .await?;
        for (s, c, name, grade) in classes {
            names.classes.insert((s, c), (name, grade));
        }
        Ok(names)
    }

    /// Teachers of each class at exam time: (school, class) → [(subject, names)] in
    /// the exam's subject order.
    pub(super) async fn exam_teachers(
        conn: &mut <Db as sqlx::Database>::Connection,
        exam: &Exam,
        schools: &[i64],
    ) -> Result<ClassTeachers, StoreError> {
        let mut by: BTreeMap<(i64, i64, usize), Vec<String>> = BTreeMap::new();
        for chunk in schools.chunks(SCHOOL_CHUNK) {
            let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT e.school_id, e.class_id, e.subject, t.name \
                     FROM exam_class_teacher e JOIN teacher t \
                       ON t.school_id = e.school_id AND t.id = e.teacher_id \
                     WHERE e.school_id IN ({}) AND e.exam_id = $1 \
                     ORDER BY e.share DESC, t.name",
                id_list(chunk)
            )))
            .bind(exam.id.0)
            .fetch_all(&mut *conn)
            .await?;
            for (s, c, subject, name) in rows {
                if let Some(pos) = exam.subjects.iter().position(|x| x.name == subject) {
                    by.entry((s, c, pos)).or_default().push(name);
                }
            }
        }
        let mut out = ClassTeachers::new();
        for ((s, c, pos), names) in by {
            out.entry((s, c))
                .or_default()
                .push((exam.subjects[pos].name.clone(), names));
        }
        Ok(out)
    }

    /// Resolves the 学籍号 a batch names (nothing else of the roster is read).
    pub(super) async fn exam_resolve<'s>(
        conn: &mut <Db as sqlx::Database>::Connection,
        nos: impl Iterator<Item = &'s str>,
    ) -> Result<HashMap<String, StudentRef>, StoreError> {
        let nos: Vec<&str> = nos.collect::<BTreeSet<_>>().into_iter().collect();
        let mut out = HashMap::with_capacity(nos.len());
        let Some(text) = Self::exam_lookup_students(&mut *conn, &nos).await? else {
            return Ok(out);
        };
        let bad = || corrupt("student", "unreadable look-up of student numbers");
        for item in text.split(',') {
            let mut f = item.split(' ');
            let (Some(no), Some(school), Some(id), Some(class), None) =
                (f.next(), f.next(), f.next(), f.next(), f.next())
            else {
                return Err(bad());
            };
            out.insert(
                no.to_string(),
                StudentRef {
                    school_id: school.parse().map_err(|_| bad())?,
                    student_id: id.parse().map_err(|_| bad())?,
                    class_id: class.parse().map_err(|_| bad())?,
                },
            );
        }
        Ok(out)
    }
}
