//! The exam part of both backends (issue 4). Like `backend.rs`, one macro writes the methods
//! for each pool type over the same SQL (`$n` placeholders; multi-row inserts with anonymous
//! `?` on SQLite). The trait methods in `backend.rs` call these inherent methods. Two bulk
//! steps differ per backend, for speed: resolving a batch's 学籍号 (one JSON or array
//! parameter joined with `student`) and writing the marks (multi-row VALUES on SQLite, `COPY`
//! on PostgreSQL).
//!
//! Every import runs in one transaction: resolve the 学籍号 (only the batch's, by index),
//! plan (pure, [`crate::exam_plan`]), load the exam's other marks, remove the marks the batch
//! replaces and insert its own, snapshot the teachers, then recompute the statistics from every
//! mark of the exam ([`crate::exam_stats`]) and write them; a rejected batch writes nothing.
//! Many rows travel as one aggregated text (`string_agg`, the same SQL on both backends):
//! fetching a million rows one by one through the driver costs more than the statistics.
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use sqlx::AssertSqlSafe;
use wuyu_analytics::compare::{
    ClassResult, ExamLevel as ParallelLevel, ParallelEvent, parallel_class_alert,
};
use wuyu_analytics::items::MasteryCell;
use wuyu_domain::{
    ClassId, Exam, ExamId, ExamItem, ExamItemBatch, ExamLevel, ExamScoreBatch, ExamSubject, Grade,
    Location, NewExam, RowError, SchoolId, Scope, Stage, StudentId, TeacherId, Term,
};

use crate::backend::{corrupt, map_unique, multi_row_insert, now_unix};
use crate::exam::*;
use crate::exam_plan::{self, StudentRef, unpack_points};
use crate::model::ImportMeta;
use crate::{PgStore, SqliteStore, StoreError};
use wuyu_monitor::exam::{
    Cell, ClassTeachers, ExamMarks, ExamStatW, IdMap, Key, Names, SchoolInfo, SchoolStatW,
    Standing, StoredClassItems, StoredItems,
};

/// Rows per multi-row INSERT of small rows.
const CHUNK: usize = 1000;
/// Schools per `school_id IN (…)` list.
const SCHOOL_CHUNK: usize = 500;

/// One mark to insert into `exam_score`.
pub(crate) struct ScoreW {
    pub school_id: i64,
    /// Index into the exam's subjects.
    pub subject: usize,
    pub student_id: i64,
    pub class_id: i64,
    pub absent: bool,
    pub score: Option<f64>,
    pub item_points: Option<String>,
}

type ExamTuple = (i64, String, time::Date, String, String, i32, Option<i64>);

fn exam_from(t: ExamTuple, subjects: Vec<ExamSubject>) -> Result<Exam, StoreError> {
    Ok(Exam {
        id: ExamId(t.0),
        name: t.1,
        date: t.2,
        term: Term::parse_code(&t.3).map_err(|e| corrupt("exam.term", e))?,
        level: ExamLevel::parse(&t.4).map_err(|e| corrupt("exam.level", e))?,
        grade: u8::try_from(t.5)
            .ok()
            .and_then(|g| Grade::new(g).ok())
            .ok_or_else(|| corrupt("exam.grade", t.5))?,
        subjects,
        baseline: t.6.map(ExamId),
    })
}

/// Integers for an `IN (…)` list (safe to splice: they are numbers).
fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// `$from, $from+1, …` for `n` parameters.
fn params(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn stats_err(e: String) -> StoreError {
    StoreError::Corrupt(format!("exam statistics: {e}"))
}

fn json_err(what: &str, e: serde_json::Error) -> StoreError {
    corrupt(what, e)
}

fn no_counsellor_or_parent(scope: &Scope) -> Result<(), StoreError> {
    match scope {
        Scope::Counsellor { .. } | Scope::Parent { .. } => Err(StoreError::Forbidden),
        _ => Ok(()),
    }
}

fn parallel_level(l: ExamLevel) -> ParallelLevel {
    match l {
        ExamLevel::School => ParallelLevel::School,
        ExamLevel::District => ParallelLevel::District,
        // 中考 is set by the city.
        ExamLevel::City | ExamLevel::Zhongkao => ParallelLevel::City,
    }
}

/// Sorts and de-duplicates school ids.
fn union(a: &[i64], b: &[i64]) -> Vec<i64> {
    let set: BTreeSet<i64> = a.iter().chain(b).copied().collect();
    set.into_iter().collect()
}

impl SqliteStore {
    /// Inserts the marks (sorted in primary-key order, so each run is one school and subject):
    /// multi-row VALUES with anonymous placeholders, the subject bound once per statement.
    async fn exam_write_marks(
        tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
        exam: &Exam,
        import_id: i64,
        rows: &[ScoreW],
    ) -> Result<(), StoreError> {
        let mut start = 0;
        while start < rows.len() {
            let first = &rows[start];
            let mut end = start + 1;
            while end < rows.len()
                && end - start < CHUNK
                && rows[end].subject == first.subject
                && rows[end].school_id == first.school_id
            {
                end += 1;
            }
            let chunk = &rows[start..end];
            let mut sql = format!(
                "INSERT INTO exam_score (school_id, exam_id, subject, student_id, class_id, \
                 absent, score, item_points, import_id) \
                 SELECT column1, {}, ?, column2, column3, column4, column5, column6, {import_id} \
                 FROM (VALUES ",
                exam.id.0
            );
            for k in 0..chunk.len() {
                sql.push_str(if k == 0 {
                    "(?,?,?,?,?,?)"
                } else {
                    ",(?,?,?,?,?,?)"
                });
            }
            sql.push(')');
            let mut q = sqlx::query(AssertSqlSafe(sql)).bind(&exam.subjects[first.subject].name);
            for r in chunk {
                q = q
                    .bind(r.school_id)
                    .bind(r.student_id)
                    .bind(r.class_id)
                    .bind(r.absent)
                    .bind(r.score)
                    .bind(&r.item_points);
            }
            q.execute(&mut **tx).await?;
            start = end;
        }
        Ok(())
    }

    /// The batch's students: one JSON array of 学籍号 looked up through the 学籍号 index
    /// (CROSS JOIN keeps the array as the outer loop), one aggregated text back.
    async fn exam_lookup_students(
        conn: &mut sqlx::SqliteConnection,
        nos: &[&str],
    ) -> Result<Option<String>, StoreError> {
        let list = serde_json::to_string(nos).map_err(|e| corrupt("student numbers", e))?;
        let row: (Option<String>,) = sqlx::query_as(
            "SELECT string_agg(s.student_no || ' ' || CAST(s.school_id AS TEXT) || ' ' || \
               CAST(s.id AS TEXT) || ' ' || CAST(s.class_id AS TEXT), ',') \
             FROM json_each($1) j CROSS JOIN student s ON s.student_no = j.value",
        )
        .bind(list)
        .fetch_one(&mut *conn)
        .await?;
        Ok(row.0)
    }
}

impl PgStore {
    /// Inserts the marks with `COPY … FROM STDIN` (text format).
    async fn exam_write_marks(
        tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
        exam: &Exam,
        import_id: i64,
        rows: &[ScoreW],
    ) -> Result<(), StoreError> {
        use std::fmt::Write;
        if rows.is_empty() {
            return Ok(());
        }
        let subjects: Vec<String> = exam.subjects.iter().map(|s| copy_text(&s.name)).collect();
        let mut copy = (**tx)
            .copy_in_raw(
                "COPY exam_score (school_id, exam_id, subject, student_id, class_id, absent, \
                 score, item_points, import_id) FROM STDIN",
            )
            .await?;
        let mut buf = String::with_capacity(1 << 22);
        for r in rows {
            let _ = write!(
                buf,
                "{}\t{}\t{}\t{}\t{}\t{}\t",
                r.school_id,
                exam.id.0,
                subjects[r.subject],
                r.student_id,
                r.class_id,
                if r.absent { 't' } else { 'f' }
            );
            match r.score {
                // Debug formatting is the shortest text that reads back as the same f64.
                Some(x) => {
                    let _ = write!(buf, "{x:?}");
                }
                None => buf.push_str("\\N"),
            }
            buf.push('\t');
            match &r.item_points {
                Some(p) => buf.push_str(&copy_text(p)),
                None => buf.push_str("\\N"),
            }
            let _ = writeln!(buf, "\t{import_id}");
            if buf.len() > (1 << 22) - 256 {
                copy.send(buf.as_bytes()).await?;
                buf.clear();
            }
        }
        if !buf.is_empty() {
            copy.send(buf.as_bytes()).await?;
        }
        copy.finish().await?;
        Ok(())
    }

    /// The batch's students: one array of 学籍号 joined with `student`, one aggregated text
    /// back.
    async fn exam_lookup_students(
        conn: &mut sqlx::PgConnection,
        nos: &[&str],
    ) -> Result<Option<String>, StoreError> {
        let row: (Option<String>,) = sqlx::query_as(
            "SELECT string_agg(s.student_no || ' ' || CAST(s.school_id AS TEXT) || ' ' || \
               CAST(s.id AS TEXT) || ' ' || CAST(s.class_id AS TEXT), ',') \
             FROM unnest($1::text[]) AS j(no) JOIN student s ON s.student_no = j.no",
        )
        .bind(nos)
        .fetch_one(&mut *conn)
        .await?;
        Ok(row.0)
    }
}

/// A value for PostgreSQL's COPY text format (backslash, tab and line breaks escaped).
fn copy_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// Stored marks an import removes: every mark of a school in a subject, or some students'.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Removal {
    All {
        school: i64,
        subject: usize,
    },
    Students {
        school: i64,
        subject: usize,
        students: Vec<i64>,
    },
}

/// What an import leaves for the writing and statistics steps.
struct Merged {
    marks: ExamMarks,
    /// New marks in primary-key order (school, subject name, student).
    writes: Vec<ScoreW>,
    /// Stored marks the batch replaces or blanks out.
    removals: Vec<Removal>,
    /// Students whose other marks in the exam move to their current class.
    class_moves: Vec<(i64, i64, i64)>,
    /// Classes of the batch's students, for the teacher snapshot.
    classes: BTreeSet<(i64, i64)>,
}

/// One student's row of a batch: (subject index, mark or blank, item points) per cell.
type BatchRow = (StudentRef, Vec<(usize, Option<Cell>, Option<String>)>);

/// Merges the stored marks of an exam with a batch that replaces its students' marks in the
/// batch's subjects (a blank cell removes a stored mark). The batch's students move to their
/// current class.
fn merge(mut marks: ExamMarks, batch: Vec<BatchRow>, exam_subjects: &[ExamSubject]) -> Merged {
    let k = marks.subjects;
    // Stored marks per (school, subject), to remove a whole range when a batch replaces all.
    let mut stored: IdMap<(i64, usize), usize> = IdMap::default();
    let mut i = 0;
    while i < marks.len() {
        let school = marks.students[i].school_id;
        let mut counts = vec![0usize; k];
        while i < marks.len() && marks.students[i].school_id == school {
            for (s, c) in marks.row(i).iter().enumerate() {
                counts[s] += usize::from(c.is_some());
            }
            i += 1;
        }
        for (s, n) in counts.into_iter().enumerate() {
            if n > 0 {
                stored.insert((school, s), n);
            }
        }
    }
    let mut pos = marks.position();
    let mut replaced: BTreeMap<(i64, usize), Vec<i64>> = BTreeMap::new();
    let mut moves: BTreeSet<(i64, i64, i64)> = BTreeSet::new();
    let mut classes = BTreeSet::new();
    let mut writes = Vec::with_capacity(batch.len() * k.min(8));
    for (st, cells) in batch {
        classes.insert((st.school_id, st.class_id));
        let i = match pos.get(&(st.school_id, st.student_id)) {
            Some(&i) => {
                if marks.students[i].class_id != st.class_id {
                    moves.insert((st.school_id, st.student_id, st.class_id));
                    marks.students[i].class_id = st.class_id;
                }
                i
            }
            None => {
                let i = marks.push(Key {
                    school_id: st.school_id,
                    class_id: st.class_id,
                    student_id: st.student_id,
                });
                pos.insert((st.school_id, st.student_id), i);
                i
            }
        };
        for (s, cell, points) in cells {
            let slot = marks.cell_mut(i, s);
            if slot.is_some() {
                replaced
                    .entry((st.school_id, s))
                    .or_default()
                    .push(st.student_id);
            }
            *slot = cell;
            let Some(c) = cell else { continue };
            writes.push(ScoreW {
                school_id: st.school_id,
                subject: s,
                student_id: st.student_id,
                class_id: st.class_id,
                absent: c == Cell::Absent,
                score: match c {
                    Cell::Score(x) => Some(x),
                    Cell::Absent => None,
                },
                item_points: points,
            });
        }
    }
    marks.sort();
    let removals = replaced
        .into_iter()
        .map(|((school, subject), students)| {
            if stored.get(&(school, subject)) == Some(&students.len()) {
                Removal::All { school, subject }
            } else {
                Removal::Students {
                    school,
                    subject,
                    students,
                }
            }
        })
        .collect();
    // Primary-key order: appends to the B-tree instead of scattering.
    let mut by_name: Vec<usize> = (0..exam_subjects.len()).collect();
    by_name.sort_by(|&a, &b| exam_subjects[a].name.cmp(&exam_subjects[b].name));
    let mut rank = vec![0; exam_subjects.len()];
    for (r, &s) in by_name.iter().enumerate() {
        rank[s] = r;
    }
    writes.sort_unstable_by_key(|w| (w.school_id, rank[w.subject], w.student_id));
    Merged {
        marks,
        writes,
        removals,
        class_moves: moves.into_iter().collect(),
        classes,
    }
}

/// Parses one school's marks of one subject as `exam_marks_rows` aggregates them.
fn parse_marks(
    school_id: i64,
    subject: usize,
    text: &str,
    out: &mut Vec<(Key, usize, Cell)>,
) -> Result<(), StoreError> {
    let bad = || {
        corrupt(
            "exam_score",
            format!("unreadable marks of school {school_id}"),
        )
    };
    for item in text.split(',') {
        let mut f = item.split(' ');
        let (Some(student), Some(class), Some(score), None) =
            (f.next(), f.next(), f.next(), f.next())
        else {
            return Err(bad());
        };
        // Scores are stored to the hundredth (exam_plan::round2) and travel as integers.
        let cell = if score == "A" {
            Cell::Absent
        } else {
            Cell::Score(score.parse::<i64>().map_err(|_| bad())? as f64 / 100.0)
        };
        out.push((
            Key {
                school_id,
                class_id: class.parse().map_err(|_| bad())?,
                student_id: student.parse().map_err(|_| bad())?,
            },
            subject,
            cell,
        ));
    }
    Ok(())
}

/// Parses one school's item points of one subject ("student class p1,p2,…;…").
fn parse_points(
    school_id: i64,
    k: usize,
    text: &str,
    out: &mut Vec<(Key, Vec<f64>)>,
) -> Result<(), StoreError> {
    let bad = || {
        corrupt(
            "exam_score.item_points",
            format!("unreadable points of school {school_id}"),
        )
    };
    for item in text.split(';') {
        let mut f = item.splitn(3, ' ');
        let (Some(student), Some(class), Some(points)) = (f.next(), f.next(), f.next()) else {
            return Err(bad());
        };
        out.push((
            Key {
                school_id,
                class_id: class.parse().map_err(|_| bad())?,
                student_id: student.parse().map_err(|_| bad())?,
            },
            unpack_points(points, k).ok_or_else(bad)?,
        ));
    }
    Ok(())
}

macro_rules! exam_impl {
    ($store:ident, $db:ty, numbered_params: $numbered:literal) => {
        impl $store {
            // --- loading ----------------------------------------------------------------------

            async fn exam_load(
                conn: &mut <$db as sqlx::Database>::Connection,
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

            async fn exam_items_def(
                conn: &mut <$db as sqlx::Database>::Connection,
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

            async fn exam_settings_in(
                conn: &mut <$db as sqlx::Database>::Connection,
            ) -> Result<ExamSettings, StoreError> {
                let row: Option<(String,)> =
                    sqlx::query_as("SELECT value FROM setting WHERE key = $1")
                        .bind(ExamSettings::KEY)
                        .fetch_optional(&mut *conn)
                        .await?;
                match row {
                    None => Ok(ExamSettings::default()),
                    Some((v,)) => serde_json::from_str(&v)
                        .map_err(|e| json_err("setting exam_settings", e)),
                }
            }

            async fn exam_school_ids(
                conn: &mut <$db as sqlx::Database>::Connection,
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
            async fn exam_marks_rows(
                conn: &mut <$db as sqlx::Database>::Connection,
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
                    let missing: Vec<i64> =
                        chunk.iter().copied().filter(|s| !have.contains(s)).collect();
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

            async fn exam_marks(
                conn: &mut <$db as sqlx::Database>::Connection,
                exam: &Exam,
            ) -> Result<ExamMarks, StoreError> {
                let schools = Self::exam_school_ids(&mut *conn, exam.id.0).await?;
                Self::exam_marks_rows(&mut *conn, exam, &schools, true).await
            }

            /// The item points of one subject (students with points), sorted by student key;
            /// one text per school like `exam_marks_rows`.
            async fn exam_item_points(
                conn: &mut <$db as sqlx::Database>::Connection,
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

            async fn exam_names(
                conn: &mut <$db as sqlx::Database>::Connection,
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
            async fn exam_teachers(
                conn: &mut <$db as sqlx::Database>::Connection,
                exam: &Exam,
                schools: &[i64],
            ) -> Result<ClassTeachers, StoreError> {
                let mut by: BTreeMap<(i64, i64, usize), Vec<String>> = BTreeMap::new();
                for chunk in schools.chunks(SCHOOL_CHUNK) {
                    let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(AssertSqlSafe(
                        format!(
                            "SELECT e.school_id, e.class_id, e.subject, t.name \
                             FROM exam_class_teacher e JOIN teacher t \
                               ON t.school_id = e.school_id AND t.id = e.teacher_id \
                             WHERE e.school_id IN ({}) AND e.exam_id = $1 \
                             ORDER BY e.share DESC, t.name",
                            id_list(chunk)
                        ),
                    ))
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
            async fn exam_resolve<'s>(
                conn: &mut <$db as sqlx::Database>::Connection,
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

            // --- writing statistics -------------------------------------------------------------

            async fn exam_insert_exam_stats(
                tx: &mut sqlx::Transaction<'static, $db>,
                exam: i64,
                rows: &[ExamStatW],
            ) -> Result<(), StoreError> {
                for chunk in rows.chunks(CHUNK) {
                    let sql = multi_row_insert(
                        "INSERT INTO exam_stat (exam_id, kind, unit, subject, payload)",
                        5,
                        chunk.len(),
                        "",
                        $numbered,
                    );
                    let mut q = sqlx::query(AssertSqlSafe(sql));
                    for r in chunk {
                        q = q.bind(exam).bind(r.kind).bind(&r.unit).bind(&r.subject).bind(&r.payload);
                    }
                    q.execute(&mut **tx).await?;
                }
                Ok(())
            }

            async fn exam_insert_school_stats(
                tx: &mut sqlx::Transaction<'static, $db>,
                exam: i64,
                rows: &[SchoolStatW],
            ) -> Result<(), StoreError> {
                for chunk in rows.chunks(CHUNK) {
                    let sql = multi_row_insert(
                        "INSERT INTO exam_school_stat (school_id, exam_id, kind, class_id, subject, payload)",
                        6,
                        chunk.len(),
                        "",
                        $numbered,
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
            async fn exam_statistics(
                tx: &mut sqlx::Transaction<'static, $db>,
                exam: &Exam,
                marks: &ExamMarks,
                old_schools: &[i64],
                item_subjects: &[usize],
                settings: &ExamSettings,
            ) -> Result<(), StoreError> {
                let started = std::time::Instant::now();
                let id = exam.id.0;
                let names = Self::exam_names(&mut **tx).await?;
                let mut new_schools: Vec<i64> = marks.students.iter().map(|k| k.school_id).collect();
                new_schools.dedup();
                let teachers = Self::exam_teachers(&mut **tx, exam, &new_schools).await?;
                let loaded = started.elapsed();
                let rows = wuyu_monitor::exam::unit_rows(&exam.subjects, marks, &names, &teachers, settings)
                    .map_err(stats_err)?;
                let computed = started.elapsed();
                let all_schools = union(old_schools, &new_schools);

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
                         enrolled, sat, n, mean)",
                        8,
                        chunk.len(),
                        "",
                        $numbered,
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
                            .bind(r.mean);
                    }
                    q.execute(&mut **tx).await?;
                }
                for chunk in rows.exam_schools.chunks(CHUNK) {
                    let sql = multi_row_insert(
                        "INSERT INTO exam_school (school_id, exam_id, students)",
                        3,
                        chunk.len(),
                        "",
                        $numbered,
                    );
                    let mut q = sqlx::query(AssertSqlSafe(sql));
                    for (s, n) in chunk {
                        q = q.bind(*s).bind(id).bind(*n);
                    }
                    q.execute(&mut **tx).await?;
                }
                let units_written = started.elapsed();

                for &s in item_subjects {
                    let subject = &exam.subjects[s].name;
                    let items = Self::exam_items_def(&mut **tx, id, subject).await?;
                    let points = if items.is_empty() {
                        Vec::new()
                    } else {
                        Self::exam_item_points(&mut **tx, id, subject, &new_schools, items.len())
                            .await?
                    };
                    let computed = wuyu_monitor::exam::item_rows(subject, &items, &points, &names)
                        .map_err(stats_err)?;
                    sqlx::query("DELETE FROM exam_stat WHERE exam_id = $1 AND kind = 'items' AND subject = $2")
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
                let items_done = started.elapsed();

                // Value-added of this exam from its baseline.
                let mut va = Vec::new();
                if let Some(b) = exam.baseline {
                    let base = Self::exam_load(&mut **tx, b.0)
                        .await?
                        .ok_or_else(|| corrupt("exam.baseline_id", b.0))?;
                    let base_marks = Self::exam_marks(&mut **tx, &base).await?;
                    va = wuyu_monitor::exam::value_added_rows(
                        id,
                        &exam.subjects,
                        marks,
                        b.0,
                        &base.subjects,
                        &base_marks,
                        &names,
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
                    let dexam = Self::exam_load(&mut **tx, d)
                        .await?
                        .ok_or_else(|| corrupt("exam.id", d))?;
                    let dmarks = Self::exam_marks(&mut **tx, &dexam).await?;
                    let va = wuyu_monitor::exam::value_added_rows(
                        d,
                        &dexam.subjects,
                        &dmarks,
                        id,
                        &exam.subjects,
                        marks,
                        &names,
                        settings,
                    )
                    .map_err(stats_err)?;
                    Self::exam_write_va(tx, d, &va).await?;
                }
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

            async fn exam_write_va(
                tx: &mut sqlx::Transaction<'static, $db>,
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
            async fn exam_snapshot_teachers(
                tx: &mut sqlx::Transaction<'static, $db>,
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

            /// Writes a merged import: the import record, the marks, removed marks, class moves
            /// and teacher snapshots, then every statistic.
            #[allow(clippy::too_many_arguments)]
            async fn exam_finish_import(
                tx: &mut sqlx::Transaction<'static, $db>,
                exam: &Exam,
                merged: &Merged,
                old_schools: &[i64],
                touched: &[usize],
                item_subjects: &[usize],
                settings: &ExamSettings,
                kind: &str,
                meta: &ImportMeta,
                summary: &mut ExamImportSummary,
            ) -> Result<(), StoreError> {
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
                let subjects: Vec<String> =
                    touched.iter().map(|&s| exam.subjects[s].name.clone()).collect();
                Self::exam_snapshot_teachers(tx, id, &merged.classes, &subjects).await?;
                tracing::info!(
                    exam = id,
                    marks = merged.writes.len(),
                    removals_ms = removed.as_millis() as u64,
                    marks_ms = (marks_written - removed).as_millis() as u64,
                    moves_snapshot_ms = (started.elapsed() - marks_written).as_millis() as u64,
                    "exam marks written"
                );
                Self::exam_statistics(tx, exam, &merged.marks, old_schools, item_subjects, settings)
                    .await
            }

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
                let dup: Option<(i64,)> = sqlx::query_as(
                    "SELECT id FROM exam WHERE name = $1 AND exam_date = $2 AND grade = $3",
                )
                .bind(e.name.trim())
                .bind(e.date)
                .bind(i32::from(e.grade.get()))
                .fetch_optional(&mut *tx)
                .await?;
                if dup.is_some() {
                    return Err(StoreError::Conflict("同一日期、同一年级已有同名考试".into()));
                }
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO exam (id, name, exam_date, term, level, grade, baseline_id, created_at) \
                     SELECT COALESCE(MAX(id), 0) + 1, $1, $2, $3, $4, $5, $6, $7 FROM exam RETURNING id",
                )
                .bind(e.name.trim())
                .bind(e.date)
                .bind(e.term.code())
                .bind(e.level.code())
                .bind(i32::from(e.grade.get()))
                .bind(e.baseline.map(|b| b.0))
                .bind(now_unix())
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
                let exams: Vec<ExamTuple> = sqlx::query_as(
                    "SELECT id, name, exam_date, term, level, grade, baseline_id FROM exam",
                )
                .fetch_all(&mut *conn)
                .await?;
                let mut subjects: HashMap<i64, Vec<ExamSubject>> = HashMap::new();
                for (e, name, full_marks) in sqlx::query_as::<_, (i64, String, f64)>(
                    "SELECT exam_id, subject, full_marks FROM exam_subject ORDER BY exam_id, position",
                )
                .fetch_all(&mut *conn)
                .await?
                {
                    subjects.entry(e).or_default().push(ExamSubject { name, full_marks });
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
                out.sort_by(|a, b| (b.exam.date, b.exam.id).cmp(&(a.exam.date, a.exam.id)));
                Ok(out)
            }

            /// The exam if the caller may read its statistics: district roles any exam, a
            /// school's admin and teachers the exams their school sat.
            async fn exam_access(
                conn: &mut <$db as sqlx::Database>::Connection,
                scope: &Scope,
                exam: ExamId,
            ) -> Result<Exam, StoreError> {
                no_counsellor_or_parent(scope)?;
                let e = Self::exam_load(&mut *conn, exam.0).await?.ok_or(StoreError::NotFound)?;
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
                    Self::exam_resolve(&mut tx, batch.rows.iter().map(|r| r.student_no.as_str()))
                        .await?;
                let resolved = started.elapsed();
                let plan = match exam_plan::plan_scores(batch, &exam, &students, &meta.file_name) {
                    Ok(p) => p,
                    Err(errors) => {
                        tx.rollback().await?;
                        return Err(StoreError::Rejected(errors));
                    }
                };
                let planned = started.elapsed();
                let settings = Self::exam_settings_in(&mut tx).await?;
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
                Self::exam_finish_import(
                    &mut tx,
                    &exam,
                    &merged,
                    &old_schools,
                    &plan.subjects,
                    &item_subjects,
                    &settings,
                    "exam_scores",
                    meta,
                    &mut summary,
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
                    Self::exam_resolve(&mut tx, batch.rows.iter().map(|r| r.student_no.as_str()))
                        .await?;
                let plan = match exam_plan::plan_items(batch, &exam, &students, &meta.file_name) {
                    Ok(p) => p,
                    Err(errors) => {
                        tx.rollback().await?;
                        return Err(StoreError::Rejected(errors));
                    }
                };
                let id = exam.id.0;
                let subject = exam.subjects[plan.subject].name.clone();
                let settings = Self::exam_settings_in(&mut tx).await?;
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
                        Some((score, packed, _)) => {
                            (plan.subject, Some(Cell::Score(*score)), Some(packed.clone()))
                        }
                    };
                    rows.push((r.student, vec![cell]));
                }
                summary.schools = schools.len() as u64;
                let merged = merge(existing, rows, &exam.subjects);
                // A new paper structure makes the points stored for other students meaningless:
                // they keep their subject scores and lose their item points.
                let old_items = Self::exam_items_def(&mut tx, id, &subject).await?;
                if old_items != batch.items {
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
                    "exam_items",
                    meta,
                    &mut summary,
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
                let e = Self::exam_load(&mut tx, exam.0).await?.ok_or(StoreError::NotFound)?;
                let settings = Self::exam_settings_in(&mut tx).await?;
                let old_schools = Self::exam_school_ids(&mut tx, exam.0).await?;
                let marks = Self::exam_marks_rows(&mut tx, &e, &old_schools, false).await?;
                let item_subjects: BTreeSet<String> = sqlx::query_as::<_, (String,)>(
                    "SELECT DISTINCT subject FROM exam_item WHERE exam_id = $1",
                )
                .bind(exam.0)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(|r| r.0)
                .collect();
                let item_subjects: Vec<usize> = (0..e.subjects.len())
                    .filter(|&s| item_subjects.contains(&e.subjects[s].name))
                    .collect();
                Self::exam_statistics(&mut tx, &e, &marks, &old_schools, &item_subjects, &settings)
                    .await?;
                tx.commit().await?;
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
                let mut conn = self.pool.acquire().await?;
                Self::exam_access(&mut conn, scope, exam).await?;
                let payloads: Vec<(String,)> = match filter {
                    ExamUnitFilter::Overview => {
                        sqlx::query_as(
                            "SELECT payload FROM exam_stat WHERE exam_id = $1 AND kind = 'unit'",
                        )
                        .bind(exam.0)
                        .fetch_all(&mut *conn)
                        .await?
                    }
                    ExamUnitFilter::Schools => match scope.school_id() {
                        Some(s) => sqlx::query_as(
                            "SELECT payload FROM exam_school_stat WHERE school_id = $1 \
                             AND exam_id = $2 AND kind = 'school' AND class_id = 0 AND subject = ''",
                        )
                        .bind(s.0)
                        .bind(exam.0)
                        .fetch_all(&mut *conn)
                        .await?,
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
                            u.stage.and_then(|s| Stage::ALL.iter().position(|x| *x == s)),
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
                let mut report: ValueAddedReport = serde_json::from_str(&payload)
                    .map_err(|e| json_err("value-added payload", e))?;
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
                        let v: StoredClassItems = serde_json::from_str(&p)
                            .map_err(|e| json_err("class items payload", e))?;
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

            async fn exam_standings(
                conn: &mut <$db as sqlx::Database>::Connection,
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
                let mut conn = self.pool.acquire().await?;
                let e = Self::exam_access(&mut conn, scope, exam).await?;
                let settings = Self::exam_settings_in(&mut conn).await?;
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
                crate::Store::student(self, scope, school, student).await?;
                let parent = matches!(scope, Scope::Parent { .. });
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
                out.sort_by(|a, b| (a.exam.date, a.exam.id).cmp(&(b.exam.date, b.exam.id)));
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
                let mut conn = self.pool.acquire().await?;
                let mut out = Vec::new();
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
                    let classes: HashMap<i64, (i32, String)> = sqlx::query_as::<_, (i64, i32, String)>(
                        "SELECT id, grade, name FROM school_class WHERE school_id = $1",
                    )
                    .bind(school_id)
                    .fetch_all(&mut *conn)
                    .await?
                    .into_iter()
                    .map(|(id, g, n)| (id, (g, n)))
                    .collect();
                    let label = |c: i64| match classes.get(&c) {
                        Some((g, n)) => format!("{g}年级{n}"),
                        None => format!("班级{c}"),
                    };
                    // (exam, subject) → classes with their counts and mean.
                    let mut results: HashMap<(i64, String), Vec<(i64, ClassResult)>> = HashMap::new();
                    for (exam, class, subject, enrolled, sat, n, mean) in
                        sqlx::query_as::<_, (i64, i64, String, i64, i64, i64, Option<f64>)>(
                            "SELECT exam_id, class_id, subject, enrolled, sat, n, mean \
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
                                // Every class counts as the same type (普通班) until the
                                // roster records class types.
                                class_type: "普通班".to_string(),
                                enrolled: enrolled as usize,
                                sat: sat as usize,
                                n: n as usize,
                                mean,
                            },
                        ));
                    }
                    // (teacher, subject) → events.
                    let mut events: BTreeMap<(String, i64, String), Vec<(time::Date, ParallelEvent)>> =
                        BTreeMap::new();
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
                        ));
                    }
                    for ((name, teacher, subject), mut evs) in events {
                        evs.sort_by(|a, b| (a.0, &a.1.class).cmp(&(b.0, &b.1.class)));
                        let evs: Vec<ParallelEvent> = evs.into_iter().map(|(_, e)| e).collect();
                        let alert = parallel_class_alert(&name, &evs, evaluation_year, &rule)
                            .map_err(|e| corrupt("parallel-class rule", e))?;
                        out.push(TeacherAlert {
                            school_id: SchoolId(school_id),
                            teacher_id: TeacherId(teacher),
                            teacher_name: name,
                            subject,
                            alert,
                        });
                    }
                }
                Ok(out)
            }
        }
    };
}

exam_impl!(SqliteStore, sqlx::Sqlite, numbered_params: false);
exam_impl!(PgStore, sqlx::Postgres, numbered_params: true);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_copy_reads_specially() {
        assert_eq!(copy_text("语文"), "语文");
        assert_eq!(copy_text("a\tb\\c\nd"), "a\\tb\\\\c\\nd");
    }

    #[test]
    fn aggregated_marks_parse_back() {
        let mut out = Vec::new();
        parse_marks(3, 1, "10 7 9550,11 7 A,12 8 0", &mut out).unwrap();
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].2, Cell::Score(95.5));
        assert_eq!(out[2].2, Cell::Score(0.0));
        assert_eq!(out[1].2, Cell::Absent);
        assert_eq!((out[2].0.class_id, out[2].0.student_id), (8, 12));
        assert!(parse_marks(3, 1, "10 7", &mut out).is_err());
        let mut points = Vec::new();
        parse_points(3, 2, "10 7 1,2.5;11 7 0,0", &mut points).unwrap();
        assert_eq!(points[0].1, vec![1.0, 2.5]);
        assert!(parse_points(3, 3, "10 7 1,2.5", &mut points).is_err());
    }

    #[test]
    fn lists_and_parameters() {
        assert_eq!(id_list(&[3, 1, 2]), "3,1,2");
        assert_eq!(params(3, 2), "$3,$4");
        assert_eq!(union(&[3, 1], &[2, 3]), vec![1, 2, 3]);
    }

    #[test]
    fn merging_replaces_the_batch_subjects_of_the_batch_students_only() {
        let subjects = vec![
            ExamSubject {
                name: "语文".into(),
                full_marks: 100.0,
            },
            ExamSubject {
                name: "数学".into(),
                full_marks: 100.0,
            },
        ];
        let k = |s, c, st| Key {
            school_id: s,
            class_id: c,
            student_id: st,
        };
        let existing = ExamMarks::build(
            2,
            vec![
                (k(1, 10, 1), 0, Cell::Score(80.0)),
                (k(1, 10, 1), 1, Cell::Score(70.0)),
                (k(1, 10, 2), 0, Cell::Score(60.0)),
                (k(1, 10, 2), 1, Cell::Absent),
                (k(1, 10, 3), 1, Cell::Score(50.0)),
                (k(2, 20, 1), 1, Cell::Score(40.0)),
            ],
        );
        let st = |school, student, class| StudentRef {
            school_id: school,
            student_id: student,
            class_id: class,
        };
        // Student 1 moved to class 11 and gets a new 数学; student 2's 数学 cell is blank;
        // student 3 of school 1 is not in the batch; a new student 4.
        let batch = vec![
            (st(1, 1, 11), vec![(1, Some(Cell::Score(90.0)), None)]),
            (st(1, 2, 10), vec![(1, None, None)]),
            (st(1, 4, 10), vec![(1, Some(Cell::Absent), None)]),
            (st(2, 1, 20), vec![(1, Some(Cell::Score(41.0)), None)]),
        ];
        let m = merge(existing, batch, &subjects);
        assert_eq!(m.writes.len(), 3);
        // School 1 keeps student 3's 数学, so only two students' marks go; school 2 loses all.
        assert_eq!(
            m.removals,
            vec![
                Removal::Students {
                    school: 1,
                    subject: 1,
                    students: vec![1, 2]
                },
                Removal::All {
                    school: 2,
                    subject: 1
                },
            ]
        );
        assert_eq!(m.class_moves, vec![(1, 1, 11)]);
        assert_eq!(m.marks.len(), 5);
        assert!(m.marks.students.windows(2).all(|w| w[0] < w[1]));
        let row = |student| {
            let i = m
                .marks
                .students
                .iter()
                .position(|s| s.school_id == 1 && s.student_id == student)
                .unwrap();
            (m.marks.students[i].class_id, m.marks.row(i).to_vec())
        };
        assert_eq!(
            row(1),
            (11, vec![Some(Cell::Score(80.0)), Some(Cell::Score(90.0))])
        );
        assert_eq!(row(2), (10, vec![Some(Cell::Score(60.0)), None]));
        assert_eq!(row(4), (10, vec![None, Some(Cell::Absent)]));
        // A student left without any mark drops out of the table.
        let again = merge(
            m.marks,
            vec![(st(1, 4, 10), vec![(1, None, None)])],
            &subjects,
        );
        assert_eq!(again.marks.len(), 4);
    }
}

#[cfg(test)]
mod speed {
    use super::*;

    /// `cargo test --release -p wuyu-store --lib -- --ignored --nocapture merge_speed`
    #[test]
    #[ignore = "timing run"]
    fn merge_speed() {
        let subjects: Vec<ExamSubject> = (0..6)
            .map(|s| ExamSubject {
                name: format!("科目{s}"),
                full_marks: 100.0,
            })
            .collect();
        let mut rows = Vec::new();
        for school in 0..100 {
            for i in 0..2000 {
                let st = StudentRef {
                    school_id: school,
                    student_id: i,
                    class_id: i / 40,
                };
                let cells = (0..6)
                    .map(|s| (s, Some(Cell::Score((i % 200) as f64 / 2.0)), None))
                    .collect();
                rows.push((st, cells));
            }
        }
        let t = std::time::Instant::now();
        let m = merge(ExamMarks::new(6), rows, &subjects);
        println!(
            "merge 1.2M new marks: {:?} ({} students)",
            t.elapsed(),
            m.marks.len()
        );
        let t = std::time::Instant::now();
        let existing: Vec<(Key, usize, Cell)> = m
            .marks
            .students
            .iter()
            .enumerate()
            .flat_map(|(i, k)| (0..6).map(move |s| (*k, s, Cell::Score((i % 100) as f64))))
            .collect();
        println!("existing built: {:?}", t.elapsed());
        let t = std::time::Instant::now();
        let rebuilt = ExamMarks::build(6, existing);
        println!(
            "ExamMarks::build 1.2M: {:?} ({})",
            t.elapsed(),
            rebuilt.len()
        );
    }
}
