//! ArchiveStore for both backends (included by `sqlite.rs` and `postgres.rs`).
// Row tuples are spelled out as sqlx reads them, next to the query that selects them.
#![allow(clippy::type_complexity)]

use std::collections::{HashMap, HashSet};

use sqlx::AssertSqlSafe;
use wuyu_domain::{
    ActivityCategory, ArtLevel, ClassId, Entrant, RecordState, RowError, SchoolId, Scope,
    StudentId, Tenths, Term,
};
use wuyu_standards::archive::ArtParts;

use super::audit::insert_audit;
use super::{Db, This};
use crate::archive::*;
use crate::backend::corrupt;
use crate::fitness::sql::RowGet;
use crate::model::{AuditEntry, ImportMeta};
use crate::{StoreError, StoreFuture};

type Tx = sqlx::Transaction<'static, Db>;

#[path = "rollup.rs"]
pub(super) mod rollup;

/// The enrolled students of `school` the scope may write for (ids), and every enrolled
/// student's id by 学籍号.
async fn enrolled(
    tx: &mut Tx,
    scope: &Scope,
    school: SchoolId,
) -> Result<(HashSet<i64>, HashMap<String, i64>), StoreError> {
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT id, class_id, student_no FROM student \
         WHERE school_id = $1 AND status = 'enrolled'",
    )
    .bind(school.0)
    .fetch_all(&mut **tx)
    .await?;
    let mut by_id = HashSet::with_capacity(rows.len());
    let mut by_no = HashMap::with_capacity(rows.len());
    for (id, class, no) in rows {
        by_no.insert(no, id);
        if scope.can_view_student(school, ClassId(class), StudentId(id)) {
            by_id.insert(id);
        }
    }
    Ok((by_id, by_no))
}

async fn next_record_id(tx: &mut Tx, school: SchoolId) -> Result<i64, StoreError> {
    let (max,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(id) FROM archive_record WHERE school_id = $1")
            .bind(school.0)
            .fetch_one(&mut **tx)
            .await?;
    Ok(max.unwrap_or(0) + 1)
}

/// Columns of one `archive_record` row as [`insert_records`] binds them.
const RECORD_INSERT: &str = "INSERT INTO archive_record (school_id, id, student_id, term, \
    category, date, end_date, hours_tenths, travel_tenths, organiser, description, entrant, \
    entered_by, entered_at, state, import_id)";
const RECORD_INSERT_COLS: usize = 16;
/// Rows per statement: 500 × 16 parameters stays under both backends' limits.
const RECORD_CHUNK: usize = 500;

/// Inserts `rows` (student id, activity) with ids from `first` on, in multi-row statements.
async fn insert_records(
    tx: &mut Tx,
    school: SchoolId,
    first: i64,
    rows: &[(i64, &NewActivity)],
    now: i64,
    import_id: Option<i64>,
) -> Result<(), StoreError> {
    for (c, chunk) in rows.chunks(RECORD_CHUNK).enumerate() {
        let sql = crate::backend::multi_row_insert(
            RECORD_INSERT,
            RECORD_INSERT_COLS,
            chunk.len(),
            "",
            super::NUMBERED_PARAMS,
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (i, (student, a)) in chunk.iter().enumerate() {
            q = q
                .bind(school.0)
                .bind(first + (c * RECORD_CHUNK + i) as i64)
                .bind(*student)
                .bind(a.term.code())
                .bind(a.category.code())
                .bind(a.date.to_string())
                .bind(a.end_date.map(|d| d.to_string()))
                .bind(a.hours.0)
                .bind(a.travel.0)
                .bind(a.organiser.trim().to_string())
                .bind(a.description.trim().to_string())
                .bind(a.entrant.code())
                .bind(a.entered_by.clone())
                .bind(now)
                .bind(a.state.code())
                .bind(import_id);
        }
        q.execute(&mut **tx).await?;
    }
    // Only approved records are counted: a submitted one changes nothing until reviewed.
    let counted = rows
        .iter()
        .filter(|(_, a)| a.state == RecordState::Approved)
        .map(|(_, a)| a.term);
    rollup::refresh(tx, school, counted).await
}

async fn import_record(
    tx: &mut Tx,
    kind: &str,
    meta: &ImportMeta,
    written: usize,
) -> Result<i64, StoreError> {
    let summary = serde_json::json!({ "written": written }).to_string();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO import_record (at, username, kind, file_name, file_sha256, records, summary) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(meta.at)
    .bind(&meta.username)
    .bind(kind)
    .bind(&meta.file_name)
    .bind(&meta.file_sha256)
    .bind(written as i64)
    .bind(summary)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

fn row_error(
    meta: &ImportMeta,
    origin: &wuyu_domain::Origin,
    column: &str,
    value: &str,
    msg: String,
) -> RowError {
    RowError {
        file: meta.file_name.clone(),
        sheet: origin.sheet.clone(),
        row: origin.row,
        column: column.into(),
        value: value.into(),
        message_zh: msg,
    }
}

/// The row error for a 学籍号 that is not a student this import may write for.
fn student_error(
    meta: &ImportMeta,
    origin: &wuyu_domain::Origin,
    no: &str,
    by_no: &HashMap<String, i64>,
) -> RowError {
    let msg = if by_no.contains_key(no) {
        "该学生不在您可录入的班级内".to_string()
    } else {
        "学籍号不在本校在读学生名册中".to_string()
    };
    row_error(meta, origin, "学籍号", no, msg)
}

const RECORD_COLS: &str = "r.id, r.school_id, r.student_id, s.name, s.class_id, r.category, \
    r.term, r.date, r.end_date, r.hours_tenths, r.travel_tenths, r.organiser, r.description, \
    r.entrant, r.entered_by, r.state, r.reviewed_by, r.return_reason";

/// Reads a row of `SELECT {RECORD_COLS}`.
fn record_from(r: &impl RowGet) -> Result<ActivityRecord, StoreError> {
    let (school, id) = (r.i64(1)?, r.i64(0)?);
    let what = || format!("archive_record {school}:{id}");
    let date = |s: &str| wuyu_domain::parse_date(s).map_err(|e| corrupt(&what(), e));
    let category = r.string(5)?;
    let entrant = r.string(13)?;
    let state = r.string(15)?;
    Ok(ActivityRecord {
        id,
        school_id: SchoolId(school),
        student_id: StudentId(r.i64(2)?),
        student_name: r.string(3)?,
        class_id: ClassId(r.i64(4)?),
        category: ActivityCategory::parse(&category)
            .ok_or_else(|| corrupt(&what(), format!("category {category}")))?,
        term: Term::parse_code(&r.string(6)?).map_err(|e| corrupt(&what(), e))?,
        date: date(&r.string(7)?)?,
        end_date: r.opt_string(8)?.as_deref().map(date).transpose()?,
        hours: Tenths(r.i32(9)?),
        travel: Tenths(r.i32(10)?),
        organiser: r.string(11)?,
        description: r.string(12)?,
        entrant: Entrant::from_code(&entrant)
            .ok_or_else(|| corrupt(&what(), format!("entrant {entrant}")))?,
        entered_by: r.string(14)?,
        state: RecordState::from_code(&state)
            .ok_or_else(|| corrupt(&what(), format!("state {state}")))?,
        reviewed_by: r.opt_string(16)?,
        return_reason: r.opt_string(17)?,
        evidence: Vec::new(),
    })
}

/// Columns of an evidence link as [`attach_refs`] reads them, after the record's id.
const REF_COLS: &str = "l.record_id, e.id, e.name, e.content_type, e.size, e.sha256 \
    FROM archive_record_evidence l \
    JOIN archive_evidence e ON e.school_id = l.school_id AND e.id = l.evidence_id \
    JOIN archive_record r ON r.school_id = l.school_id AND r.id = l.record_id";

type RefTuple = (i64, i64, String, String, i64, String);

/// Gives each record its evidence files (rows of `SELECT {REF_COLS}`).
fn attach_refs(records: &mut [ActivityRecord], rows: Vec<RefTuple>) {
    let mut by_record: HashMap<i64, Vec<EvidenceRef>> = HashMap::new();
    for (record, id, name, content_type, size, sha256) in rows {
        by_record.entry(record).or_default().push(EvidenceRef {
            id,
            name,
            content_type,
            size,
            sha256,
        });
    }
    for r in records {
        if let Some(refs) = by_record.remove(&r.id) {
            r.evidence = refs;
        }
    }
}

/// Stores `files` once each (ids from the school's next on) and links every one to every
/// record of `records`.
async fn insert_evidence(
    tx: &mut Tx,
    school: SchoolId,
    records: &[i64],
    files: &[Evidence],
    by: &str,
    now: i64,
) -> Result<(), StoreError> {
    if files.is_empty() {
        return Ok(());
    }
    let (max,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(id) FROM archive_evidence WHERE school_id = $1")
            .bind(school.0)
            .fetch_one(&mut **tx)
            .await?;
    let first = max.unwrap_or(0) + 1;
    for (i, f) in files.iter().enumerate() {
        sqlx::query(
            "INSERT INTO archive_evidence (school_id, id, name, content_type, sha256, size, \
             bytes, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(school.0)
        .bind(first + i as i64)
        .bind(&f.name)
        .bind(&f.content_type)
        .bind(&f.sha256)
        .bind(f.bytes.len() as i64)
        .bind(&f.bytes)
        .bind(by)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    let links: Vec<(i64, i64)> = records
        .iter()
        .flat_map(|r| (0..files.len() as i64).map(move |i| (*r, first + i)))
        .collect();
    for chunk in links.chunks(RECORD_CHUNK) {
        let sql = crate::backend::multi_row_insert(
            "INSERT INTO archive_record_evidence (school_id, record_id, evidence_id)",
            3,
            chunk.len(),
            "",
            super::NUMBERED_PARAMS,
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (record, evidence) in chunk {
            q = q.bind(school.0).bind(*record).bind(*evidence);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

type ArtTuple = (i64, i32, i32, i32, i32, i32, String);

fn art_from(r: ArtTuple) -> Result<ArtAssessment, StoreError> {
    Ok(ArtAssessment {
        student_id: StudentId(r.0),
        school_year: r.1,
        parts: ArtParts {
            basic: Tenths(r.2),
            academic: Tenths(r.3),
            development: Tenths(r.4),
        },
        total: Tenths(r.5),
        level: ArtLevel::from_code(&r.6)
            .ok_or_else(|| corrupt("archive_art", format!("level {}", r.6)))?,
    })
}

/// The records `ids` of `school` in the scope, with their states, for a workflow step;
/// `Forbidden` if one lies outside the scope, `Refused` if one does not exist.
async fn states_of(
    tx: &mut Tx,
    scope: &Scope,
    school: SchoolId,
    ids: &[i64],
) -> Result<Vec<(i64, RecordState)>, StoreError> {
    let (students, _) = enrolled(tx, scope, school).await?;
    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        let row: Option<(i64, String)> = sqlx::query_as(
            "SELECT student_id, state FROM archive_record WHERE school_id = $1 AND id = $2",
        )
        .bind(school.0)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        let Some((student, state)) = row else {
            return Err(StoreError::Refused(format!("记录 {id} 不存在")));
        };
        if !students.contains(&student) {
            return Err(StoreError::Forbidden);
        }
        let state = RecordState::from_code(&state)
            .ok_or_else(|| corrupt("archive_record", format!("state {state}")))?;
        out.push((id, state));
    }
    Ok(out)
}

fn refuse_transition(id: i64, from: RecordState, to: RecordState) -> StoreError {
    StoreError::Refused(format!(
        "记录 {id} 当前为“{}”，不能改为“{}”",
        from.label_zh(),
        to.label_zh()
    ))
}

/// The 公示 of a school's classes: (class, term) → why their records are frozen.
async fn frozen_terms(
    tx: &mut Tx,
    school: SchoolId,
) -> Result<HashMap<(i64, String), String>, StoreError> {
    let rows: Vec<(i64, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT class_id, term, starts_on, ends_on, principal_signed_by \
         FROM archive_publicity WHERE school_id = $1",
    )
    .bind(school.0)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(class, term, starts, ends, locked)| {
            let label = Term::parse_code(&term).map_or_else(|_| term.clone(), |t| t.label_zh());
            let why = match locked {
                Some(_) => format!("{label}的写实记录已签字归档锁定，不能再录入或修改"),
                None => format!(
                    "{label}的写实记录已进入公示（{starts} 至 {ends}），公示和签字期间不能录入或修改"
                ),
            };
            ((class, term), why)
        })
        .collect())
}

/// Every student of a school: id → (class, name).
async fn student_classes(
    tx: &mut Tx,
    school: SchoolId,
) -> Result<HashMap<i64, (i64, String)>, StoreError> {
    let rows: Vec<(i64, i64, String)> =
        sqlx::query_as("SELECT id, class_id, name FROM student WHERE school_id = $1")
            .bind(school.0)
            .fetch_all(&mut **tx)
            .await?;
    Ok(rows.into_iter().map(|(id, c, n)| (id, (c, n))).collect())
}

/// `Refused`, naming the record and student, if one of `ids` lies in a frozen class term.
async fn refuse_frozen_records(
    tx: &mut Tx,
    school: SchoolId,
    ids: &[i64],
) -> Result<(), StoreError> {
    let frozen = frozen_terms(tx, school).await?;
    if frozen.is_empty() {
        return Ok(());
    }
    for &id in ids {
        let row: Option<(i64, String, String)> = sqlx::query_as(
            "SELECT s.class_id, s.name, r.term FROM archive_record r JOIN student s \
               ON s.school_id = r.school_id AND s.id = r.student_id \
             WHERE r.school_id = $1 AND r.id = $2",
        )
        .bind(school.0)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some((class, name, term)) = row
            && let Some(why) = frozen.get(&(class, term))
        {
            return Err(StoreError::Refused(format!("记录 {id}（{name}）：{why}")));
        }
    }
    Ok(())
}

fn parse_day(what: &str, s: &str) -> Result<time::Date, StoreError> {
    wuyu_domain::parse_date(s).map_err(|e| corrupt(what, e))
}

type PublicityTuple = (
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

const PUBLICITY_COLS: &str = "class_id, term, opened_by, starts_on, ends_on, head_signed_by, \
    head_signed_on, principal_signed_by, principal_signed_on";

fn publicity_from(school: SchoolId, r: PublicityTuple) -> Result<Publicity, StoreError> {
    let what = "archive_publicity";
    let signed = |who: Option<String>, on: Option<String>| -> Result<_, StoreError> {
        match (who, on) {
            (Some(w), Some(d)) => Ok(Some((w, parse_day(what, &d)?))),
            _ => Ok(None),
        }
    };
    Ok(Publicity {
        school_id: school,
        class_id: ClassId(r.0),
        term: Term::parse_code(&r.1).map_err(|e| corrupt(what, e))?,
        opened_by: r.2,
        starts_on: parse_day(what, &r.3)?,
        ends_on: parse_day(what, &r.4)?,
        head_signed: signed(r.5, r.6)?,
        principal_signed: signed(r.7, r.8)?,
    })
}

/// May the scope see the 公示 of `class`? A parent: when one of their children is in it.
async fn may_see_class(
    tx: &mut Tx,
    scope: &Scope,
    school: SchoolId,
    class: ClassId,
) -> Result<bool, StoreError> {
    let Scope::Parent {
        school_id,
        student_ids,
    } = scope
    else {
        return Ok(scope.can_view_class(school, class));
    };
    if *school_id != school {
        return Ok(false);
    }
    for s in student_ids {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT class_id FROM student WHERE school_id = $1 AND id = $2")
                .bind(school.0)
                .bind(s.0)
                .fetch_optional(&mut **tx)
                .await?;
        if row.is_some_and(|(c,)| c == class.0) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Is the class's 公示 of `term` open on `today`: within its window and not yet signed? The
/// one rule for an objection and a family's confirmation.
async fn publicity_open(
    tx: &mut sqlx::Transaction<'static, super::Db>,
    school: SchoolId,
    class: i64,
    term: &str,
    today: time::Date,
) -> Result<bool, StoreError> {
    let window: Option<(String, String)> = sqlx::query_as(
        "SELECT starts_on, ends_on FROM archive_publicity \
         WHERE school_id = $1 AND class_id = $2 AND term = $3 AND head_signed_by IS NULL",
    )
    .bind(school.0)
    .bind(class)
    .bind(term)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match window {
        Some((starts, ends)) => {
            parse_day("archive_publicity", &starts)? <= today
                && today <= parse_day("archive_publicity", &ends)?
        }
        None => false,
    })
}

/// The terms of the records `ids` of `school`.
async fn terms_of(tx: &mut Tx, school: SchoolId, ids: &[i64]) -> Result<Vec<Term>, StoreError> {
    let mut terms = Vec::new();
    for chunk in ids.chunks(RECORD_CHUNK) {
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        // Integers, formatted: nothing from outside reaches the SQL text.
        let rows: Vec<(String,)> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT DISTINCT term FROM archive_record WHERE school_id = $1 AND id IN ({})",
            list.join(",")
        )))
        .bind(school.0)
        .fetch_all(&mut **tx)
        .await?;
        for (code,) in rows {
            terms.push(Term::parse_code(&code).map_err(|_| corrupt("archive_record", code))?);
        }
    }
    Ok(terms)
}

/// Both terms of each school year (an art assessment counts in both); a year no term can
/// have is shown nowhere.
pub(crate) fn year_terms(years: &std::collections::BTreeSet<i32>) -> Vec<Term> {
    let parts = [wuyu_domain::TermPart::Autumn, wuyu_domain::TermPart::Spring];
    years
        .iter()
        .filter_map(|&y| u16::try_from(y).ok())
        .flat_map(|y| parts.into_iter().filter_map(move |p| Term::new(y, p).ok()))
        .collect()
}

impl ArchiveStore for This {
    fn record_activity_with_evidence<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        students: &'a [StudentId],
        activity: &'a NewActivity,
        evidence: &'a [Evidence],
        now: i64,
    ) -> StoreFuture<'a, Vec<i64>> {
        Box::pin(async move {
            check_scope(scope)?;
            if !scope.can_view_school(school) {
                return Err(StoreError::Forbidden);
            }
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let (reach, by_no) = enrolled(&mut tx, scope, school).await?;
            let known: HashSet<i64> = by_no.values().copied().collect();
            for s in students {
                if !known.contains(&s.0) {
                    return Err(StoreError::NotFound);
                }
                if !reach.contains(&s.0) {
                    return Err(StoreError::Forbidden);
                }
            }
            let frozen = frozen_terms(&mut tx, school).await?;
            if !frozen.is_empty() {
                let classes = student_classes(&mut tx, school).await?;
                for s in students {
                    if let Some((class, name)) = classes.get(&s.0)
                        && let Some(why) = frozen.get(&(*class, activity.term.code()))
                    {
                        return Err(StoreError::Refused(format!("{name}：{why}")));
                    }
                }
            }
            let first = next_record_id(&mut tx, school).await?;
            let rows: Vec<(i64, &NewActivity)> = students.iter().map(|s| (s.0, activity)).collect();
            insert_records(&mut tx, school, first, &rows, now, None).await?;
            let ids: Vec<i64> = (first..first + students.len() as i64).collect();
            insert_evidence(&mut tx, school, &ids, evidence, &activity.entered_by, now).await?;
            tx.commit().await?;
            Ok(ids)
        })
    }

    fn import_activities<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        rows: &'a [ActivityImportRow],
        meta: &'a ImportMeta,
    ) -> StoreFuture<'a, ArchiveImportSummary> {
        Box::pin(async move {
            check_scope(scope)?;
            if !scope.can_view_school(school) {
                return Err(StoreError::Forbidden);
            }
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let (reach, by_no) = enrolled(&mut tx, scope, school).await?;
            let mut errors = Vec::new();
            let mut plan = Vec::with_capacity(rows.len());
            for r in rows {
                match by_no.get(&r.student_no) {
                    Some(id) if reach.contains(id) => plan.push((*id, r)),
                    _ => errors.push(student_error(meta, &r.origin, &r.student_no, &by_no)),
                }
            }
            // A class term in 公示 or signed off takes no new record.
            let frozen = frozen_terms(&mut tx, school).await?;
            if !frozen.is_empty() {
                let classes = student_classes(&mut tx, school).await?;
                for (id, r) in &plan {
                    if let Some((class, name)) = classes.get(id)
                        && let Some(why) = frozen.get(&(*class, r.activity.term.code()))
                    {
                        errors.push(row_error(
                            meta,
                            &r.origin,
                            "学籍号",
                            &r.student_no,
                            format!("{name}：{why}"),
                        ));
                    }
                }
            }
            if !errors.is_empty() {
                tx.rollback().await?;
                return Err(StoreError::Rejected(errors));
            }
            let import_id = import_record(&mut tx, "archive_records", meta, plan.len()).await?;
            // Records are only added; the touch lets the import centre undo them.
            This::touch(
                &mut tx,
                import_id,
                school.0,
                super::import_undo::ACTIVITIES,
                "",
            )
            .await?;
            let first = next_record_id(&mut tx, school).await?;
            let rows: Vec<(i64, &NewActivity)> = plan
                .iter()
                .map(|(student, r)| (*student, &r.activity))
                .collect();
            insert_records(&mut tx, school, first, &rows, meta.at, Some(import_id)).await?;
            tx.commit().await?;
            Ok(ArchiveImportSummary {
                import_id,
                written: plan.len() as u64,
            })
        })
    }

    fn submit_activities<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        ids: &'a [i64],
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            check_scope(scope)?;
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let states = states_of(&mut tx, scope, school, ids).await?;
            refuse_frozen_records(&mut tx, school, ids).await?;
            for (id, from) in states {
                if !from.may_become(RecordState::Submitted) {
                    return Err(refuse_transition(id, from, RecordState::Submitted));
                }
                sqlx::query(
                    "UPDATE archive_record SET state = 'submitted' \
                     WHERE school_id = $1 AND id = $2",
                )
                .bind(school.0)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn review_activities<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        ids: &'a [i64],
        review: &'a Review,
        reviewer: &'a str,
        now: i64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            check_scope(scope)?;
            if matches!(scope, Scope::Parent { .. }) {
                return Err(StoreError::Forbidden);
            }
            let (to, reason) = match review {
                Review::Approve => (RecordState::Approved, None),
                Review::Return(r) if r.trim().is_empty() => {
                    return Err(StoreError::Refused("退回记录须填写退回原因".into()));
                }
                Review::Return(r) => (RecordState::Returned, Some(r.trim())),
            };
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let states = states_of(&mut tx, scope, school, ids).await?;
            refuse_frozen_records(&mut tx, school, ids).await?;
            for (id, from) in states {
                if !from.may_become(to) {
                    return Err(refuse_transition(id, from, to));
                }
                sqlx::query(
                    "UPDATE archive_record SET state = $1, reviewed_by = $2, reviewed_at = $3, \
                     return_reason = $4 WHERE school_id = $5 AND id = $6",
                )
                .bind(to.code())
                .bind(reviewer)
                .bind(now)
                .bind(reason)
                .bind(school.0)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            if to == RecordState::Approved {
                let terms = terms_of(&mut tx, school, ids).await?;
                rollup::refresh(&mut tx, school, terms).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn class_activities<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        class: ClassId,
        term: Term,
    ) -> StoreFuture<'a, Vec<ActivityRecord>> {
        Box::pin(async move {
            check_scope(scope)?;
            if !scope.can_view_class(school, class) {
                return Err(StoreError::Forbidden);
            }
            let rows = sqlx::query(AssertSqlSafe(format!(
                "SELECT {RECORD_COLS} FROM archive_record r JOIN student s \
                   ON s.school_id = r.school_id AND s.id = r.student_id \
                 WHERE r.school_id = $1 AND s.class_id = $2 AND r.term = $3 \
                 ORDER BY s.student_no, r.date, r.id"
            )))
            .bind(school.0)
            .bind(class.0)
            .bind(term.code())
            .fetch_all(&self.pool)
            .await?;
            let mut records = rows
                .iter()
                .map(record_from)
                .collect::<Result<Vec<_>, _>>()?;
            let refs: Vec<RefTuple> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {REF_COLS} JOIN student s \
                   ON s.school_id = r.school_id AND s.id = r.student_id \
                 WHERE r.school_id = $1 AND s.class_id = $2 AND r.term = $3 \
                 ORDER BY l.record_id, e.id"
            )))
            .bind(school.0)
            .bind(class.0)
            .bind(term.code())
            .fetch_all(&self.pool)
            .await?;
            attach_refs(&mut records, refs);
            Ok(records)
        })
    }

    fn student_archive<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        student: StudentId,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, StudentArchiveRows> {
        Box::pin(async move {
            check_scope(scope)?;
            // The read ends with its audit entry: a write transaction from the start, so the
            // entry never meets SQLITE_BUSY upgrading a read transaction.
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let row: Option<(i64,)> =
                sqlx::query_as("SELECT class_id FROM student WHERE school_id = $1 AND id = $2")
                    .bind(school.0)
                    .bind(student.0)
                    .fetch_optional(&mut *tx)
                    .await?;
            let (class,) = row.ok_or(StoreError::NotFound)?;
            if !scope.can_view_student(school, ClassId(class), student) {
                return Err(StoreError::Forbidden);
            }
            let rows = sqlx::query(AssertSqlSafe(format!(
                "SELECT {RECORD_COLS} FROM archive_record r JOIN student s \
                   ON s.school_id = r.school_id AND s.id = r.student_id \
                 WHERE r.school_id = $1 AND r.student_id = $2 ORDER BY r.date, r.id"
            )))
            .bind(school.0)
            .bind(student.0)
            .fetch_all(&mut *tx)
            .await?;
            let art: Vec<ArtTuple> = sqlx::query_as(
                "SELECT student_id, school_year, basic_tenths, academic_tenths, \
                 development_tenths, total_tenths, level FROM archive_art \
                 WHERE school_id = $1 AND student_id = $2 ORDER BY school_year",
            )
            .bind(school.0)
            .bind(student.0)
            .fetch_all(&mut *tx)
            .await?;
            let refs: Vec<RefTuple> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {REF_COLS} WHERE r.school_id = $1 AND r.student_id = $2 \
                 ORDER BY l.record_id, e.id"
            )))
            .bind(school.0)
            .bind(student.0)
            .fetch_all(&mut *tx)
            .await?;
            insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            let mut records = rows
                .iter()
                .map(record_from)
                .collect::<Result<Vec<_>, _>>()?;
            attach_refs(&mut records, refs);
            Ok(StudentArchiveRows {
                records,
                art: art.into_iter().map(art_from).collect::<Result<_, _>>()?,
            })
        })
    }

    fn import_art<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        rows: &'a [ArtImportRow],
        meta: &'a ImportMeta,
    ) -> StoreFuture<'a, ArchiveImportSummary> {
        Box::pin(async move {
            check_scope(scope)?;
            if !scope.can_view_school(school) || matches!(scope, Scope::Parent { .. }) {
                return Err(StoreError::Forbidden);
            }
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let (reach, by_no) = enrolled(&mut tx, scope, school).await?;
            let mut errors = Vec::new();
            let mut plan = Vec::with_capacity(rows.len());
            for r in rows {
                let student = match by_no.get(&r.student_no) {
                    Some(id) if reach.contains(id) => *id,
                    _ => {
                        errors.push(student_error(meta, &r.origin, &r.student_no, &by_no));
                        continue;
                    }
                };
                match r.parts.score() {
                    Ok((total, level)) => plan.push((student, r, total, level)),
                    Err(e) => errors.push(row_error(meta, &r.origin, "", "", e.to_string())),
                }
            }
            if !errors.is_empty() {
                tx.rollback().await?;
                return Err(StoreError::Rejected(errors));
            }
            let import_id = import_record(&mut tx, "archive_art", meta, plan.len()).await?;
            let years: std::collections::BTreeSet<i32> =
                plan.iter().map(|(_, r, _, _)| r.school_year).collect();
            This::journal_art(&mut tx, import_id, school.0, &years).await?;
            // A later assessment of the same student and year replaces the earlier one (also
            // within one file: one statement may not touch a row twice).
            let mut last: HashMap<(i64, i32), usize> = HashMap::new();
            for (i, (student, r, _, _)) in plan.iter().enumerate() {
                last.insert((*student, r.school_year), i);
            }
            let plan: Vec<_> = plan
                .iter()
                .enumerate()
                .filter(|(i, (student, r, _, _))| last[&(*student, r.school_year)] == *i)
                .map(|(_, p)| *p)
                .collect();
            for chunk in plan.chunks(RECORD_CHUNK) {
                let sql = crate::backend::multi_row_insert(
                    "INSERT INTO archive_art (school_id, student_id, school_year, basic_tenths, \
                     academic_tenths, development_tenths, total_tenths, level, entered_by, \
                     entered_at, import_id)",
                    11,
                    chunk.len(),
                    " ON CONFLICT (school_id, student_id, school_year) DO UPDATE SET \
                     basic_tenths = excluded.basic_tenths, \
                     academic_tenths = excluded.academic_tenths, \
                     development_tenths = excluded.development_tenths, \
                     total_tenths = excluded.total_tenths, level = excluded.level, \
                     entered_by = excluded.entered_by, entered_at = excluded.entered_at, \
                     import_id = excluded.import_id",
                    super::NUMBERED_PARAMS,
                );
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for (student, r, total, level) in chunk {
                    q = q
                        .bind(school.0)
                        .bind(*student)
                        .bind(r.school_year)
                        .bind(r.parts.basic.0)
                        .bind(r.parts.academic.0)
                        .bind(r.parts.development.0)
                        .bind(total.0)
                        .bind(level.code())
                        .bind(meta.username.clone())
                        .bind(meta.at)
                        .bind(import_id);
                }
                q.execute(&mut *tx).await?;
            }
            rollup::refresh(&mut tx, school, year_terms(&years)).await?;
            tx.commit().await?;
            Ok(ArchiveImportSummary {
                import_id,
                written: plan.len() as u64,
            })
        })
    }

    fn archive_counts<'a>(
        &'a self,
        scope: &'a Scope,
        school: Option<SchoolId>,
        term: Term,
        weeks: u32,
    ) -> StoreFuture<'a, Vec<ClassArchiveCounts>> {
        Box::pin(async move {
            let mut conn = self.pool.acquire().await?;
            // The rollup when it holds the term (counted over the store's term weeks), else
            // the direct count; the roster filter of the aggregates either way (parents and
            // counsellors: Forbidden).
            if weeks == TERM_WEEKS && rollup::built(&mut conn, term).await? {
                let (filter, binds) = crate::fitness::sql::aggregate_filter(scope, school, 2)?;
                return rollup::read(&mut conn, &filter, &binds, term).await;
            }
            let (filter, binds) = crate::fitness::sql::aggregate_filter(scope, school, 3)?;
            let one = school.or(scope.school_id());
            rollup::count_classes(&mut conn, (&filter, &binds), one, term, weeks).await
        })
    }

    fn archive_rollup_terms(&self) -> StoreFuture<'_, Vec<Term>> {
        Box::pin(async move {
            let mut conn = self.pool.acquire().await?;
            rollup::terms(&mut conn).await
        })
    }

    fn archive_counts_direct<'a>(
        &'a self,
        scope: &'a Scope,
        school: Option<SchoolId>,
        term: Term,
        weeks: u32,
    ) -> StoreFuture<'a, Vec<ClassArchiveCounts>> {
        Box::pin(async move {
            let (filter, binds) = crate::fitness::sql::aggregate_filter(scope, school, 3)?;
            let one = school.or(scope.school_id());
            let mut conn = self.pool.acquire().await?;
            rollup::count_classes(&mut conn, (&filter, &binds), one, term, weeks).await
        })
    }

    fn archive_terms<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, Vec<Term>> {
        Box::pin(async move {
            check_scope(scope)?;
            let rows: Vec<(String,)> = match scope.school_id() {
                None => {
                    // The rollup's terms with an approved record counted (not only art
                    // assessments, which it holds for both terms of their year), from tens of
                    // thousands of rows; the records themselves are scanned (0.9 s at
                    // 10,000,000) only when no term has one yet.
                    let counted: Vec<(String,)> = sqlx::query_as(
                        "SELECT DISTINCT term FROM archive_rollup WHERE art_covered > 0 \
                         OR off_campus_records > 0 OR labor_met > 0 OR volunteer_tenths > 0 \
                         OR home_visited > 0 OR labor_week_students > 0",
                    )
                    .fetch_all(&self.pool)
                    .await?;
                    if counted.is_empty() {
                        sqlx::query_as("SELECT DISTINCT term FROM archive_record")
                            .fetch_all(&self.pool)
                            .await?
                    } else {
                        counted
                    }
                }
                Some(s) => {
                    sqlx::query_as("SELECT DISTINCT term FROM archive_record WHERE school_id = $1")
                        .bind(s.0)
                        .fetch_all(&self.pool)
                        .await?
                }
            };
            let mut terms = rows
                .into_iter()
                .map(|(t,)| Term::parse_code(&t).map_err(|e| corrupt("archive_record.term", e)))
                .collect::<Result<Vec<_>, _>>()?;
            terms.sort_unstable_by(|a, b| b.cmp(a));
            Ok(terms)
        })
    }

    fn open_publicity<'a>(
        &'a self,
        scope: &'a Scope,
        p: &'a Publicity,
        now: i64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            check_scope(scope)?;
            if matches!(scope, Scope::Parent { .. })
                || !scope.can_view_class(p.school_id, p.class_id)
            {
                return Err(StoreError::Forbidden);
            }
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let label = p.term.label_zh();
            let exists: Option<(String,)> = sqlx::query_as(
                "SELECT starts_on FROM archive_publicity \
                 WHERE school_id = $1 AND class_id = $2 AND term = $3",
            )
            .bind(p.school_id.0)
            .bind(p.class_id.0)
            .bind(p.term.code())
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((since,)) = exists {
                return Err(StoreError::Refused(format!(
                    "本班{label}的写实记录已于 {since} 开始公示，不能重复公示"
                )));
            }
            let (waiting,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM archive_record r JOIN student s \
                   ON s.school_id = r.school_id AND s.id = r.student_id \
                 WHERE r.school_id = $1 AND s.class_id = $2 AND r.term = $3 \
                   AND r.state = 'submitted'",
            )
            .bind(p.school_id.0)
            .bind(p.class_id.0)
            .bind(p.term.code())
            .fetch_one(&mut *tx)
            .await?;
            if waiting > 0 {
                return Err(StoreError::Refused(format!(
                    "本班{label}还有 {waiting} 条写实记录待审核，请先审核再公示"
                )));
            }
            sqlx::query(
                "INSERT INTO archive_publicity (school_id, class_id, term, opened_by, opened_at, \
                 starts_on, ends_on) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(p.school_id.0)
            .bind(p.class_id.0)
            .bind(p.term.code())
            .bind(&p.opened_by)
            .bind(now)
            .bind(p.starts_on.to_string())
            .bind(p.ends_on.to_string())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn class_publicities<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        class: ClassId,
    ) -> StoreFuture<'a, Vec<Publicity>> {
        Box::pin(async move {
            check_scope(scope)?;
            let mut tx = self.pool.begin().await?;
            if !may_see_class(&mut tx, scope, school, class).await? {
                return Err(StoreError::Forbidden);
            }
            let rows: Vec<PublicityTuple> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {PUBLICITY_COLS} FROM archive_publicity \
                 WHERE school_id = $1 AND class_id = $2"
            )))
            .bind(school.0)
            .bind(class.0)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            let mut out = rows
                .into_iter()
                .map(|r| publicity_from(school, r))
                .collect::<Result<Vec<_>, _>>()?;
            out.sort_by_key(|p| p.term);
            Ok(out)
        })
    }

    fn raise_objection<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        record: i64,
        raised_by: &'a str,
        text: &'a str,
        today: time::Date,
        now: i64,
    ) -> StoreFuture<'a, i64> {
        Box::pin(async move {
            check_scope(scope)?;
            if text.trim().is_empty() {
                return Err(StoreError::Refused("质疑须写明理由".into()));
            }
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let row: Option<(i64, i64, String, String, String)> = sqlx::query_as(
                "SELECT r.student_id, s.class_id, s.name, r.term, r.state \
                 FROM archive_record r JOIN student s \
                   ON s.school_id = r.school_id AND s.id = r.student_id \
                 WHERE r.school_id = $1 AND r.id = $2",
            )
            .bind(school.0)
            .bind(record)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((student, class, name, term, state)) = row else {
                return Err(StoreError::Refused(format!("记录 {record} 不存在")));
            };
            if !scope.can_view_student(school, ClassId(class), StudentId(student)) {
                return Err(StoreError::Forbidden);
            }
            let open = publicity_open(&mut tx, school, class, &term, today).await?;
            if !open || state != "approved" {
                return Err(StoreError::Refused(format!(
                    "记录 {record}（{name}）不在公示期内，不能提出质疑"
                )));
            }
            let (max,): (Option<i64>,) =
                sqlx::query_as("SELECT MAX(id) FROM archive_objection WHERE school_id = $1")
                    .bind(school.0)
                    .fetch_one(&mut *tx)
                    .await?;
            let id = max.unwrap_or(0) + 1;
            sqlx::query(
                "INSERT INTO archive_objection (school_id, id, record_id, raised_by, raised_at, \
                 text) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(school.0)
            .bind(id)
            .bind(record)
            .bind(raised_by)
            .bind(now)
            .bind(text.trim())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    fn answer_objection<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        objection: i64,
        answered_by: &'a str,
        answer: &'a str,
        now: i64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            check_scope(scope)?;
            if matches!(scope, Scope::Parent { .. }) {
                return Err(StoreError::Forbidden);
            }
            if answer.trim().is_empty() {
                return Err(StoreError::Refused("答复不能为空".into()));
            }
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let row: Option<(i64, Option<String>, Option<String>)> = sqlx::query_as(
                "SELECT s.class_id, o.answer, p.head_signed_by FROM archive_objection o \
                 JOIN archive_record r ON r.school_id = o.school_id AND r.id = o.record_id \
                 JOIN student s ON s.school_id = r.school_id AND s.id = r.student_id \
                 LEFT JOIN archive_publicity p ON p.school_id = r.school_id \
                   AND p.class_id = s.class_id AND p.term = r.term \
                 WHERE o.school_id = $1 AND o.id = $2",
            )
            .bind(school.0)
            .bind(objection)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((class, answered, signed)) = row else {
                return Err(StoreError::Refused(format!("质疑 {objection} 不存在")));
            };
            if !scope.can_view_class(school, ClassId(class)) {
                return Err(StoreError::Forbidden);
            }
            if answered.is_some() {
                return Err(StoreError::Refused(format!("质疑 {objection} 已答复")));
            }
            if signed.is_some() {
                return Err(StoreError::Refused(format!(
                    "质疑 {objection}：班主任已签字，不能再答复"
                )));
            }
            sqlx::query(
                "UPDATE archive_objection SET answer = $1, answered_by = $2, answered_at = $3 \
                 WHERE school_id = $4 AND id = $5",
            )
            .bind(answer.trim())
            .bind(answered_by)
            .bind(now)
            .bind(school.0)
            .bind(objection)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn confirm_archive<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        student: StudentId,
        term: Term,
        confirmed_by: &'a str,
        today: time::Date,
        now: i64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            check_scope(scope)?;
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let row: Option<(i64, String)> = sqlx::query_as(
                "SELECT class_id, name FROM student WHERE school_id = $1 AND id = $2",
            )
            .bind(school.0)
            .bind(student.0)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((class, name)) = row else {
                return Err(StoreError::Forbidden);
            };
            if !scope.can_view_student(school, ClassId(class), student) {
                return Err(StoreError::Forbidden);
            }
            let open = publicity_open(&mut tx, school, class, &term.code(), today).await?;
            if !open {
                return Err(StoreError::Refused(format!(
                    "{name}的{}档案不在公示期内，不能确认",
                    term.label_zh()
                )));
            }
            sqlx::query(
                "INSERT INTO archive_confirmation (school_id, class_id, term, student_id, \
                 confirmed_by, confirmed_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(school.0)
            .bind(class)
            .bind(term.code())
            .bind(student.0)
            .bind(confirmed_by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn archive_confirmations<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        class: ClassId,
        term: Term,
    ) -> StoreFuture<'a, Vec<Confirmation>> {
        Box::pin(async move {
            check_scope(scope)?;
            let mut tx = self.pool.begin().await?;
            if !may_see_class(&mut tx, scope, school, class).await? {
                return Err(StoreError::Forbidden);
            }
            let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
                "SELECT k.student_id, s.name, k.confirmed_by, k.confirmed_at \
                 FROM archive_confirmation k \
                 JOIN student s ON s.school_id = k.school_id AND s.id = k.student_id \
                 WHERE k.school_id = $1 AND k.class_id = $2 AND k.term = $3 \
                 ORDER BY k.student_id",
            )
            .bind(school.0)
            .bind(class.0)
            .bind(term.code())
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(rows
                .into_iter()
                .filter(|r| scope.can_view_student(school, class, StudentId(r.0)))
                .map(|(id, name, by, at)| Confirmation {
                    student_id: StudentId(id),
                    student_name: name,
                    confirmed_by: by,
                    confirmed_at: at,
                })
                .collect())
        })
    }

    fn objections<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        class: ClassId,
        term: Term,
    ) -> StoreFuture<'a, Vec<Objection>> {
        Box::pin(async move {
            check_scope(scope)?;
            let mut tx = self.pool.begin().await?;
            if !may_see_class(&mut tx, scope, school, class).await? {
                return Err(StoreError::Forbidden);
            }
            let rows: Vec<(
                i64,
                i64,
                i64,
                String,
                String,
                String,
                Option<String>,
                Option<String>,
            )> = sqlx::query_as(
                "SELECT o.id, o.record_id, r.student_id, s.name, o.raised_by, o.text, \
                       o.answer, o.answered_by \
                     FROM archive_objection o \
                     JOIN archive_record r ON r.school_id = o.school_id AND r.id = o.record_id \
                     JOIN student s ON s.school_id = r.school_id AND s.id = r.student_id \
                     WHERE o.school_id = $1 AND s.class_id = $2 AND r.term = $3 \
                     ORDER BY o.id",
            )
            .bind(school.0)
            .bind(class.0)
            .bind(term.code())
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            // A parent sees the objections to their own child's records only.
            Ok(rows
                .into_iter()
                .filter(|r| scope.can_view_student(school, class, StudentId(r.2)))
                .map(|r| Objection {
                    id: r.0,
                    record_id: r.1,
                    student_id: StudentId(r.2),
                    student_name: r.3,
                    raised_by: r.4,
                    text: r.5,
                    answer: r.6,
                    answered_by: r.7,
                })
                .collect())
        })
    }

    fn sign_publicity<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        class: ClassId,
        term: Term,
        signer: Signer,
        name: &'a str,
        today: time::Date,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            check_scope(scope)?;
            if matches!(scope, Scope::Parent { .. }) || !scope.can_view_class(school, class) {
                return Err(StoreError::Forbidden);
            }
            let label = term.label_zh();
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let row: Option<PublicityTuple> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {PUBLICITY_COLS} FROM archive_publicity \
                 WHERE school_id = $1 AND class_id = $2 AND term = $3"
            )))
            .bind(school.0)
            .bind(class.0)
            .bind(term.code())
            .fetch_optional(&mut *tx)
            .await?;
            let Some(p) = row.map(|r| publicity_from(school, r)).transpose()? else {
                return Err(StoreError::Refused(format!(
                    "本班{label}的写实记录尚未公示，不能签字"
                )));
            };
            let sql = match signer {
                Signer::HeadTeacher => {
                    if p.head_signed.is_some() {
                        return Err(StoreError::Refused(format!("本班{label}班主任已签字")));
                    }
                    if today <= p.ends_on {
                        return Err(StoreError::Refused(format!(
                            "本班{label}的公示期至 {}，期满后才能签字",
                            p.ends_on
                        )));
                    }
                    let (open,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM archive_objection o \
                         JOIN archive_record r ON r.school_id = o.school_id AND r.id = o.record_id \
                         JOIN student s ON s.school_id = r.school_id AND s.id = r.student_id \
                         WHERE o.school_id = $1 AND s.class_id = $2 AND r.term = $3 \
                           AND o.answer IS NULL",
                    )
                    .bind(school.0)
                    .bind(class.0)
                    .bind(term.code())
                    .fetch_one(&mut *tx)
                    .await?;
                    if open > 0 {
                        return Err(StoreError::Refused(format!(
                            "本班{label}还有 {open} 条质疑未答复，答复后才能签字"
                        )));
                    }
                    "UPDATE archive_publicity SET head_signed_by = $1, head_signed_on = $2 \
                     WHERE school_id = $3 AND class_id = $4 AND term = $5"
                }
                Signer::Principal => {
                    if p.head_signed.is_none() {
                        return Err(StoreError::Refused(format!(
                            "本班{label}班主任尚未签字，校长不能先签"
                        )));
                    }
                    if p.principal_signed.is_some() {
                        return Err(StoreError::Refused(format!("本班{label}已签字归档锁定")));
                    }
                    "UPDATE archive_publicity SET principal_signed_by = $1, \
                     principal_signed_on = $2 \
                     WHERE school_id = $3 AND class_id = $4 AND term = $5"
                }
            };
            sqlx::query(sql)
                .bind(name)
                .bind(today.to_string())
                .bind(school.0)
                .bind(class.0)
                .bind(term.code())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }
    fn evidence_file<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        record: i64,
        evidence: i64,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, Evidence> {
        Box::pin(async move {
            check_scope(scope)?;
            // The read ends with its audit entry (see `student_archive`).
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let row: Option<(i64, i64)> = sqlx::query_as(
                "SELECT r.student_id, s.class_id FROM archive_record r JOIN student s \
                   ON s.school_id = r.school_id AND s.id = r.student_id \
                 WHERE r.school_id = $1 AND r.id = $2",
            )
            .bind(school.0)
            .bind(record)
            .fetch_optional(&mut *tx)
            .await?;
            let (student, class) = row.ok_or(StoreError::NotFound)?;
            if !scope.can_view_student(school, ClassId(class), StudentId(student)) {
                return Err(StoreError::Forbidden);
            }
            let file: Option<(String, String, String, Vec<u8>)> = sqlx::query_as(
                "SELECT e.name, e.content_type, e.sha256, e.bytes \
                 FROM archive_record_evidence l JOIN archive_evidence e \
                   ON e.school_id = l.school_id AND e.id = l.evidence_id \
                 WHERE l.school_id = $1 AND l.record_id = $2 AND l.evidence_id = $3",
            )
            .bind(school.0)
            .bind(record)
            .bind(evidence)
            .fetch_optional(&mut *tx)
            .await?;
            let (name, content_type, sha256, bytes) = file.ok_or(StoreError::NotFound)?;
            let mut entry = audit.clone();
            entry.entity = format!("student:{student}");
            insert_audit(&mut *tx, &entry).await?;
            tx.commit().await?;
            Ok(Evidence {
                name,
                content_type,
                sha256,
                bytes,
            })
        })
    }

    fn student_hours_on<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        student: StudentId,
        date: time::Date,
    ) -> StoreFuture<'a, Tenths> {
        Box::pin(async move {
            check_scope(scope)?;
            let row: Option<(i64,)> =
                sqlx::query_as("SELECT class_id FROM student WHERE school_id = $1 AND id = $2")
                    .bind(school.0)
                    .bind(student.0)
                    .fetch_optional(&self.pool)
                    .await?;
            let (class,) = row.ok_or(StoreError::NotFound)?;
            if !scope.can_view_student(school, ClassId(class), student) {
                return Err(StoreError::Forbidden);
            }
            let (sum,): (i64,) = sqlx::query_as(
                "SELECT COALESCE(SUM(hours_tenths), 0) FROM archive_record \
                 WHERE school_id = $1 AND student_id = $2 AND date = $3 \
                   AND end_date IS NULL AND state <> 'returned'",
            )
            .bind(school.0)
            .bind(student.0)
            .bind(date.to_string())
            .fetch_one(&self.pool)
            .await?;
            Ok(Tenths(i32::try_from(sum).unwrap_or(i32::MAX)))
        })
    }
}
