//! ImportUndoStore for both backends (included by `sqlite.rs` and `postgres.rs`): the journal
//! writes the imports call before they overwrite, and the undo.
use std::collections::{BTreeMap, BTreeSet};

use sqlx::AssertSqlSafe;
use wuyu_domain::Scope;

use super::{Db, This};
use crate::fitness::RECORD_COLS;
use crate::import_undo::{ImportUndoStore, UndoSummary};
use crate::model::AuditEntry;
use crate::{StoreError, StoreFuture};

const SCORE_COLS: &str =
    "school_id, exam_id, subject, student_id, class_id, absent, score, item_points, import_id";
const TEACHER_COLS: &str = "school_id, exam_id, class_id, subject, teacher_id, share";
const ITEM_COLS: &str = "exam_id, subject, position, item_no, max_points, knowledge_points";
const ART_COLS: &str = "school_id, student_id, school_year, basic_tenths, academic_tenths, \
     development_tenths, total_tenths, level, entered_by, entered_at, import_id";

/// `import_touch.family` of fitness imports; the part is the term code.
const FITNESS: &str = "fitness";
/// `import_touch.family` of exam score and item imports; the part is `exam id/subject`.
const EXAM: &str = "exam";
/// `import_touch.family` of roster imports; the part is empty (a roster import may change any
/// of a school's classes, students, teachers and 任课).
const ROSTER: &str = "roster";
/// `import_touch.family` of art assessment imports; the part is the school year.
pub(super) const ART: &str = "art";
/// `import_touch.family` of activity record imports; the part is empty (they only add).
pub(super) const ACTIVITIES: &str = "activities";

/// The roster tables a roster import writes, each with its journaled columns and the column
/// naming the school. Children before parents: the order an undo removes added rows in.
const ROSTER_TABLES: [(&str, &str, &str); 6] = [
    (
        "teacher_assignment",
        "school_id, teacher_id, class_id, subject, share",
        "school_id",
    ),
    ("student_flag", "school_id, student_id, flag", "school_id"),
    (
        "student",
        "school_id, id, class_id, student_no, name, sex, birth_date, id_card_no, ethnicity, \
         former_names, status, status_date",
        "school_id",
    ),
    (
        "teacher",
        "school_id, id, staff_no, name, sex, subject, employment, birth_year",
        "school_id",
    ),
    (
        "school_class",
        "school_id, id, grade, name, class_type",
        "school_id",
    ),
    (
        "school",
        "id, code, name, stage, location, school_group",
        "id",
    ),
];

/// The journals an undo empties once it is done.
const JOURNALS: [&str; 11] = [
    "archive_art_undo",
    "fitness_record_undo",
    "exam_score_undo",
    "exam_class_teacher_undo",
    "exam_item_undo",
    "teacher_assignment_undo",
    "student_flag_undo",
    "student_undo",
    "teacher_undo",
    "school_class_undo",
    "school_undo",
];

type Tx = sqlx::Transaction<'static, Db>;

fn exam_part(exam: i64, subject: &str) -> String {
    format!("{exam}/{subject}")
}

impl This {
    pub(super) async fn touch(
        tx: &mut Tx,
        import_id: i64,
        school: i64,
        family: &str,
        part: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO import_touch (school_id, import_id, family, part) VALUES ($1, $2, $3, $4)",
        )
        .bind(school)
        .bind(import_id)
        .bind(family)
        .bind(part)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Drops the journals of every earlier import that wrote a school and part import
    /// `import_id` writes too, and marks them: the newest import of a kind per school is the
    /// one an undo can reach, and an older journal applied later would put back rows a newer
    /// import had replaced. Called once an import has recorded its touches.
    pub(super) async fn prune_journals(tx: &mut Tx, import_id: i64) -> Result<u64, StoreError> {
        let older: Vec<(i64,)> = sqlx::query_as(
            "SELECT DISTINCT e.import_id FROM import_touch n \
             JOIN import_touch e ON e.school_id = n.school_id AND e.family = n.family \
               AND e.part = n.part AND e.import_id < n.import_id \
             JOIN import_record r ON r.id = e.import_id \
             WHERE n.import_id = $1 AND r.undone_at IS NULL AND r.journal_dropped_at IS NULL \
             ORDER BY e.import_id",
        )
        .bind(import_id)
        .fetch_all(&mut **tx)
        .await?;
        for (old,) in &older {
            for table in JOURNALS {
                sqlx::query(AssertSqlSafe(format!(
                    "DELETE FROM {table} WHERE undo_import_id = $1"
                )))
                .bind(*old)
                .execute(&mut **tx)
                .await?;
            }
            // Dropped when the newer import was written.
            sqlx::query(
                "UPDATE import_record SET journal_dropped_at = \
                 (SELECT at FROM import_record WHERE id = $1) WHERE id = $2",
            )
            .bind(import_id)
            .bind(*old)
            .execute(&mut **tx)
            .await?;
        }
        Ok(older.len() as u64)
    }

    /// Journals every fitness record of each (school, term code) pair before import
    /// `import_id` overwrites some of them.
    pub(super) async fn journal_fitness(
        tx: &mut Tx,
        import_id: i64,
        pairs: &BTreeSet<(i64, String)>,
    ) -> Result<(), StoreError> {
        let copy = format!(
            "INSERT INTO fitness_record_undo (undo_import_id, {RECORD_COLS}) \
             SELECT $1, {RECORD_COLS} FROM fitness_record WHERE school_id = $2 AND term = $3"
        );
        for (school, term) in pairs {
            sqlx::query(AssertSqlSafe(copy.as_str()))
                .bind(import_id)
                .bind(*school)
                .bind(term)
                .execute(&mut **tx)
                .await?;
            Self::touch(tx, import_id, *school, FITNESS, term).await?;
        }
        Self::prune_journals(tx, import_id).await?;
        Ok(())
    }

    /// Journals the exam's marks and teacher snapshots of `schools` (all subjects: an import
    /// also moves a student's other marks to their current class) and, for an item import,
    /// the subject's paper, before import `import_id` overwrites them; `subjects` are the
    /// subjects the import writes.
    pub(super) async fn journal_exam(
        tx: &mut Tx,
        import_id: i64,
        exam: i64,
        schools: &BTreeSet<i64>,
        subjects: &[String],
        items_subject: Option<&str>,
    ) -> Result<(), StoreError> {
        let scores = format!(
            "INSERT INTO exam_score_undo (undo_import_id, {SCORE_COLS}) \
             SELECT $1, {SCORE_COLS} FROM exam_score WHERE school_id = $2 AND exam_id = $3"
        );
        let teachers = format!(
            "INSERT INTO exam_class_teacher_undo (undo_import_id, {TEACHER_COLS}) \
             SELECT $1, {TEACHER_COLS} FROM exam_class_teacher WHERE school_id = $2 AND exam_id = $3"
        );
        for &school in schools {
            for sql in [&scores, &teachers] {
                sqlx::query(AssertSqlSafe(sql.as_str()))
                    .bind(import_id)
                    .bind(school)
                    .bind(exam)
                    .execute(&mut **tx)
                    .await?;
            }
            for subject in subjects {
                Self::touch(tx, import_id, school, EXAM, &exam_part(exam, subject)).await?;
            }
        }
        if let Some(subject) = items_subject {
            sqlx::query(AssertSqlSafe(format!(
                "INSERT INTO exam_item_undo (undo_import_id, {ITEM_COLS}) \
                 SELECT $1, {ITEM_COLS} FROM exam_item WHERE exam_id = $2 AND subject = $3"
            )))
            .bind(import_id)
            .bind(exam)
            .bind(subject)
            .execute(&mut **tx)
            .await?;
        }
        Self::prune_journals(tx, import_id).await?;
        Ok(())
    }

    /// Journals the school's art assessments of each school year in `years` before art
    /// import `import_id` overwrites some of them.
    pub(super) async fn journal_art(
        tx: &mut Tx,
        import_id: i64,
        school: i64,
        years: &BTreeSet<i32>,
    ) -> Result<(), StoreError> {
        for &year in years {
            sqlx::query(AssertSqlSafe(format!(
                "INSERT INTO archive_art_undo (undo_import_id, {ART_COLS}) \
                 SELECT $1, {ART_COLS} FROM archive_art WHERE school_id = $2 AND school_year = $3"
            )))
            .bind(import_id)
            .bind(school)
            .bind(year)
            .execute(&mut **tx)
            .await?;
            Self::touch(tx, import_id, school, ART, &year.to_string()).await?;
        }
        Self::prune_journals(tx, import_id).await?;
        Ok(())
    }

    /// Journals the roster rows of each school in `schools` (the schools a roster import is
    /// about to write) before import `import_id` changes them.
    pub(super) async fn journal_roster(
        tx: &mut Tx,
        import_id: i64,
        schools: &BTreeSet<i64>,
    ) -> Result<(), StoreError> {
        for &school in schools {
            for (table, cols, key) in ROSTER_TABLES {
                sqlx::query(AssertSqlSafe(format!(
                    "INSERT INTO {table}_undo (undo_import_id, {cols}) \
                     SELECT $1, {cols} FROM {table} WHERE {key} = $2"
                )))
                .bind(import_id)
                .bind(school)
                .execute(&mut **tx)
                .await?;
            }
            Self::touch(tx, import_id, school, ROSTER, "").await?;
        }
        Self::prune_journals(tx, import_id).await?;
        Ok(())
    }

    async fn undo_in(
        tx: &mut Tx,
        scope: &Scope,
        import_id: i64,
        audit: &AuditEntry,
    ) -> Result<UndoSummary, StoreError> {
        let (kind, undone_at, dropped_at): (String, Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT kind, undone_at, journal_dropped_at FROM import_record WHERE id = $1",
        )
        .bind(import_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let touches: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT school_id, family, part FROM import_touch WHERE import_id = $1 \
             ORDER BY school_id, part",
        )
        .bind(import_id)
        .fetch_all(&mut **tx)
        .await?;
        let allowed = match scope {
            Scope::District => true,
            Scope::School { school_id } if touches.is_empty() => {
                // Nothing journaled: the upload's school says whose import it was.
                let owner: Option<(Option<i64>,)> =
                    sqlx::query_as("SELECT school_id FROM import_upload WHERE import_id = $1")
                        .bind(import_id)
                        .fetch_optional(&mut **tx)
                        .await?;
                owner.and_then(|o| o.0) == Some(school_id.0)
            }
            Scope::School { school_id } => touches.iter().all(|t| t.0 == school_id.0),
            _ => false,
        };
        if !allowed {
            return Err(StoreError::Forbidden);
        }
        if undone_at.is_some() {
            return Err(StoreError::Refused("这次导入已经撤销过了。".into()));
        }
        if dropped_at.is_some() {
            // Name the import that superseded it (undone or not: the journal is gone either way).
            let by: Option<(i64, String)> = sqlx::query_as(
                "SELECT r.id, r.file_name FROM import_touch t \
                 JOIN import_touch l ON l.school_id = t.school_id AND l.family = t.family \
                   AND l.part = t.part AND l.import_id > t.import_id \
                 JOIN import_record r ON r.id = l.import_id \
                 WHERE t.import_id = $1 ORDER BY r.id LIMIT 1",
            )
            .bind(import_id)
            .fetch_optional(&mut **tx)
            .await?;
            let later = by.map_or_else(String::new, |(id, file)| {
                format!("（第 {id} 号，文件「{file}」）")
            });
            return Err(StoreError::Refused(format!(
                "不能撤销：之后的同类导入{later}写入了同一学校的数据，这次导入的撤销记录已清理；\
                 只有每所学校最近一次的同类导入可以撤销。"
            )));
        }
        if touches.is_empty() {
            return Err(StoreError::Refused(
                "这次导入没有留下它替换的数据（早于撤销功能），不能撤销。".into(),
            ));
        }
        let later: Option<(i64, String)> = sqlx::query_as(
            "SELECT r.id, r.file_name FROM import_touch t \
             JOIN import_touch l ON l.school_id = t.school_id AND l.family = t.family \
               AND l.part = t.part AND l.import_id > t.import_id \
             JOIN import_record r ON r.id = l.import_id \
             WHERE t.import_id = $1 AND r.undone_at IS NULL ORDER BY r.id LIMIT 1",
        )
        .bind(import_id)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some((id, file)) = later {
            return Err(StoreError::Refused(format!(
                "不能撤销：之后的导入（第 {id} 号，文件「{file}」）又写入了同样的数据，请先撤销那次导入。"
            )));
        }
        let mut summary = UndoSummary {
            import_id,
            kind: kind.clone(),
            ..UndoSummary::default()
        };
        let family = touches[0].1.clone();
        match family.as_str() {
            FITNESS => Self::undo_fitness(tx, import_id, &touches, &mut summary).await?,
            ROSTER => Self::undo_roster(tx, import_id, &touches, &mut summary).await?,
            ART => Self::undo_art(tx, import_id, &touches, &mut summary).await?,
            ACTIVITIES => Self::undo_activities(tx, import_id, &touches, &mut summary).await?,
            _ => Self::undo_exam(tx, import_id, &kind, &touches, &mut summary).await?,
        }
        for table in JOURNALS {
            sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE undo_import_id = $1"
            )))
            .bind(import_id)
            .execute(&mut **tx)
            .await?;
        }
        sqlx::query("UPDATE import_record SET undone_at = $1, undone_by = $2 WHERE id = $3")
            .bind(audit.at)
            .bind(&audit.username)
            .bind(import_id)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "UPDATE import_upload SET status = 'undone' WHERE import_id = $1 AND status = 'imported'",
        )
        .bind(import_id)
        .execute(&mut **tx)
        .await?;
        super::audit::insert_audit(&mut **tx, audit).await?;
        Ok(summary)
    }

    async fn undo_fitness(
        tx: &mut Tx,
        import_id: i64,
        touches: &[(i64, String, String)],
        summary: &mut UndoSummary,
    ) -> Result<(), StoreError> {
        let restore = format!(
            "INSERT INTO fitness_record ({RECORD_COLS}) SELECT {RECORD_COLS} \
             FROM fitness_record_undo WHERE undo_import_id = $1 AND school_id = $2 AND term = $3"
        );
        let mut pairs = Vec::new();
        for (school, _, term) in touches {
            // No later import wrote this school's term (checked): its records are the
            // journaled ones plus this import's.
            let removed = sqlx::query(
                "DELETE FROM fitness_record WHERE school_id = $1 AND term = $2 AND import_id = $3",
            )
            .bind(*school)
            .bind(term)
            .bind(import_id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            sqlx::query("DELETE FROM fitness_record WHERE school_id = $1 AND term = $2")
                .bind(*school)
                .bind(term)
                .execute(&mut **tx)
                .await?;
            let restored = sqlx::query(AssertSqlSafe(restore.as_str()))
                .bind(import_id)
                .bind(*school)
                .bind(term)
                .execute(&mut **tx)
                .await?
                .rows_affected();
            summary.removed += removed;
            summary.restored += restored;
            if restored == 0 {
                sqlx::query("DELETE FROM fitness_school_term WHERE school_id = $1 AND term = $2")
                    .bind(*school)
                    .bind(term)
                    .execute(&mut **tx)
                    .await?;
            }
            pairs.push((*school, term.clone()));
        }
        Self::refresh_fitness_rollup(tx, pairs).await
    }

    /// Puts each touched school year's art assessments back as journaled.
    async fn undo_art(
        tx: &mut Tx,
        import_id: i64,
        touches: &[(i64, String, String)],
        summary: &mut UndoSummary,
    ) -> Result<(), StoreError> {
        for (school, _, year) in touches {
            let year: i32 = year
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("import_touch part {year}")))?;
            summary.removed += sqlx::query(
                "DELETE FROM archive_art WHERE school_id = $1 AND school_year = $2 \
                 AND import_id = $3",
            )
            .bind(*school)
            .bind(year)
            .bind(import_id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            sqlx::query("DELETE FROM archive_art WHERE school_id = $1 AND school_year = $2")
                .bind(*school)
                .bind(year)
                .execute(&mut **tx)
                .await?;
            summary.restored += sqlx::query(AssertSqlSafe(format!(
                "INSERT INTO archive_art ({ART_COLS}) SELECT {ART_COLS} FROM archive_art_undo \
                 WHERE undo_import_id = $1 AND school_id = $2 AND school_year = $3"
            )))
            .bind(import_id)
            .bind(*school)
            .bind(year)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            let terms = super::archive::year_terms(&BTreeSet::from([year]));
            super::archive::rollup::refresh(tx, wuyu_domain::SchoolId(*school), terms).await?;
        }
        Ok(())
    }

    /// Removes the activity records the import added, while none of them has been reviewed
    /// (a 班主任's 通过/退回 is work the undo would silently throw away).
    async fn undo_activities(
        tx: &mut Tx,
        import_id: i64,
        touches: &[(i64, String, String)],
        summary: &mut UndoSummary,
    ) -> Result<(), StoreError> {
        for (school, _, _) in touches {
            let reviewed: (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM archive_record WHERE school_id = $1 AND import_id = $2 \
                 AND state NOT IN ('draft', 'submitted')",
            )
            .bind(*school)
            .bind(import_id)
            .fetch_one(&mut **tx)
            .await?;
            if reviewed.0 > 0 {
                return Err(StoreError::Refused(format!(
                    "不能撤销：这次导入的写实记录中已有 {} 条经班主任审核（通过或退回），\
                     请在班级页面逐条处理。",
                    reviewed.0
                )));
            }
            summary.removed +=
                sqlx::query("DELETE FROM archive_record WHERE school_id = $1 AND import_id = $2")
                    .bind(*school)
                    .bind(import_id)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected();
        }
        Ok(())
    }

    /// Puts each touched school's roster back as journaled: 任课 replaced by the journaled
    /// list, journaled rows set back to their values, rows the import added removed. A row
    /// that other data refers to (a result, a record, an account) is never removed: the
    /// database's foreign keys or the account check refuse the undo.
    async fn undo_roster(
        tx: &mut Tx,
        import_id: i64,
        touches: &[(i64, String, String)],
        summary: &mut UndoSummary,
    ) -> Result<(), StoreError> {
        let schools: Vec<i64> = touches.iter().map(|t| t.0).collect();
        for &school in &schools {
            let accounts: Option<(String,)> = sqlx::query_as(
                "SELECT u.username FROM app_user u WHERE u.school_id = $2 AND ( \
                   (u.teacher_id IS NOT NULL AND u.teacher_id NOT IN \
                     (SELECT id FROM teacher_undo WHERE undo_import_id = $1 AND school_id = $2)) \
                   OR (u.student_id IS NOT NULL AND u.student_id NOT IN \
                     (SELECT id FROM student_undo WHERE undo_import_id = $1 AND school_id = $2))) \
                 LIMIT 1",
            )
            .bind(import_id)
            .bind(school)
            .fetch_optional(&mut **tx)
            .await?;
            if let Some((username,)) = accounts {
                return Err(StoreError::Refused(format!(
                    "不能撤销：账号「{username}」已关联到这次名册导入新增的教师或学生，请先处理该账号。"
                )));
            }
            for (table, cols, key) in ROSTER_TABLES {
                if table == "teacher_assignment" || table == "student_flag" {
                    // These lists are replaced whole, as the import replaced them.
                    sqlx::query(AssertSqlSafe(format!(
                        "DELETE FROM {table} WHERE school_id = $1"
                    )))
                    .bind(school)
                    .execute(&mut **tx)
                    .await?;
                    sqlx::query(AssertSqlSafe(format!(
                        "INSERT INTO {table} ({cols}) SELECT {cols} \
                         FROM {table}_undo WHERE undo_import_id = $1 AND school_id = $2"
                    )))
                    .bind(import_id)
                    .bind(school)
                    .execute(&mut **tx)
                    .await?;
                    continue;
                }
                let id = key;
                let values: Vec<&str> = cols
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !["school_id", "id"].contains(c))
                    .collect();
                let set = values
                    .iter()
                    .map(|c| format!("{c} = u.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let changed = values
                    .iter()
                    .map(|c| format!("{table}.{c} IS DISTINCT FROM u.{c}"))
                    .collect::<Vec<_>>()
                    .join(" OR ");
                let same_row = if table == "school" {
                    format!("{table}.id = u.id")
                } else {
                    format!("{table}.school_id = u.school_id AND {table}.id = u.id")
                };
                summary.restored += sqlx::query(AssertSqlSafe(format!(
                    "UPDATE {table} SET {set} FROM {table}_undo u \
                     WHERE u.undo_import_id = $1 AND u.{id} = $2 AND {same_row} AND ({changed})"
                )))
                .bind(import_id)
                .bind(school)
                .execute(&mut **tx)
                .await?
                .rows_affected();
                summary.removed += sqlx::query(AssertSqlSafe(format!(
                    "DELETE FROM {table} WHERE {id} = $2 AND id NOT IN \
                     (SELECT id FROM {table}_undo WHERE undo_import_id = $1 AND {id} = $2)"
                )))
                .bind(import_id)
                .bind(school)
                .execute(&mut **tx)
                .await?
                .rows_affected();
            }
        }
        // Groups follow the roster: rebuild the fitness rollup as the import did.
        let terms: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT term FROM fitness_school_term")
            .fetch_all(&mut **tx)
            .await?;
        let pairs = schools
            .iter()
            .flat_map(|s| terms.iter().map(move |(t,)| (*s, t.clone())));
        Self::refresh_fitness_rollup(tx, pairs.collect::<Vec<_>>()).await?;
        for &school in &schools {
            super::archive::rollup::refresh_school(tx, wuyu_domain::SchoolId(school)).await?;
        }
        Ok(())
    }

    async fn undo_exam(
        tx: &mut Tx,
        import_id: i64,
        kind: &str,
        touches: &[(i64, String, String)],
        summary: &mut UndoSummary,
    ) -> Result<(), StoreError> {
        // exam id → (schools, subjects), from the parts `exam id/subject`.
        let mut exams: BTreeMap<i64, (BTreeSet<i64>, BTreeSet<String>)> = BTreeMap::new();
        for (school, _, part) in touches {
            let (exam, subject) = part
                .split_once('/')
                .and_then(|(e, s)| Some((e.parse::<i64>().ok()?, s.to_string())))
                .ok_or_else(|| StoreError::Corrupt(format!("import_touch part {part}")))?;
            let entry = exams.entry(exam).or_default();
            entry.0.insert(*school);
            entry.1.insert(subject);
        }
        for (exam, (schools, subjects)) in &exams {
            for &school in schools {
                summary.removed += sqlx::query(
                    "DELETE FROM exam_score WHERE school_id = $1 AND exam_id = $2 AND import_id = $3",
                )
                .bind(school)
                .bind(*exam)
                .bind(import_id)
                .execute(&mut **tx)
                .await?
                .rows_affected();
                for (table, cols) in [
                    ("exam_score", SCORE_COLS),
                    ("exam_class_teacher", TEACHER_COLS),
                ] {
                    sqlx::query(AssertSqlSafe(format!(
                        "DELETE FROM {table} WHERE school_id = $1 AND exam_id = $2"
                    )))
                    .bind(school)
                    .bind(*exam)
                    .execute(&mut **tx)
                    .await?;
                    let n = sqlx::query(AssertSqlSafe(format!(
                        "INSERT INTO {table} ({cols}) SELECT {cols} FROM {table}_undo \
                         WHERE undo_import_id = $1 AND school_id = $2 AND exam_id = $3"
                    )))
                    .bind(import_id)
                    .bind(school)
                    .bind(*exam)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected();
                    if table == "exam_score" {
                        summary.restored += n;
                    }
                }
            }
            if kind == "exam_items" {
                for subject in subjects {
                    sqlx::query("DELETE FROM exam_item WHERE exam_id = $1 AND subject = $2")
                        .bind(*exam)
                        .bind(subject)
                        .execute(&mut **tx)
                        .await?;
                    sqlx::query(AssertSqlSafe(format!(
                        "INSERT INTO exam_item ({ITEM_COLS}) SELECT {ITEM_COLS} FROM exam_item_undo \
                         WHERE undo_import_id = $1 AND exam_id = $2 AND subject = $3"
                    )))
                    .bind(import_id)
                    .bind(*exam)
                    .bind(subject)
                    .execute(&mut **tx)
                    .await?;
                }
            }
            Self::exam_recompute_in(tx, wuyu_domain::ExamId(*exam)).await?;
        }
        Ok(())
    }
}

/// A foreign-key failure of an undo means other data already refers to a row the import
/// added (a student's results, a class's records): the undo is refused, nothing changed.
fn referenced(e: StoreError) -> StoreError {
    match &e {
        StoreError::Db(sqlx::Error::Database(d))
            if d.kind() == sqlx::error::ErrorKind::ForeignKeyViolation =>
        {
            StoreError::Refused(
                "不能撤销：这次导入新增的学校、班级、教师或学生已有其他数据（成绩、体测、记录等）引用，\
                 请上传修正后的文件代替撤销。"
                    .into(),
            )
        }
        _ => e,
    }
}

impl ImportUndoStore for This {
    fn undo_import<'a>(
        &'a self,
        scope: &'a Scope,
        import_id: i64,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, UndoSummary> {
        Box::pin(async move {
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            Self::prepare_bulk(&mut tx).await?;
            match Self::undo_in(&mut tx, scope, import_id, audit).await {
                // SQLite checks the (deferred) foreign keys at commit.
                Ok(summary) => match tx.commit().await {
                    Ok(()) => Ok(summary),
                    Err(e) => Err(referenced(e.into())),
                },
                Err(e) => {
                    tx.rollback().await?;
                    Err(referenced(e))
                }
            }
        })
    }
}
