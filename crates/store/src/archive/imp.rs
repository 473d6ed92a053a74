//! ArchiveStore for both backends (included by `sqlite.rs` and `postgres.rs`).
// Row tuples are spelled out as sqlx reads them, next to the query that selects them.
#![allow(clippy::type_complexity)]

use std::collections::{BTreeMap, HashMap, HashSet};

use sqlx::AssertSqlSafe;
use wuyu_domain::{
    ActivityCategory, ArtLevel, ClassId, Entrant, Grade, RecordState, RowError, SchoolId, Scope,
    StudentId, Tenths, Term,
};
use wuyu_monitor::archive::{ArchiveCounts, StudentActivity};
use wuyu_standards::archive::ArtParts;

use super::audit::insert_audit;
use super::{Db, This};
use crate::archive::*;
use crate::backend::corrupt;
use crate::fitness::sql::RowGet;
use crate::model::{AuditEntry, ImportMeta};
use crate::{StoreError, StoreFuture};

type Tx = sqlx::Transaction<'static, Db>;

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

async fn insert_record(
    tx: &mut Tx,
    school: SchoolId,
    id: i64,
    student: i64,
    a: &NewActivity,
    now: i64,
    import_id: Option<i64>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO archive_record (school_id, id, student_id, term, category, date, end_date, \
         hours_tenths, travel_tenths, organiser, description, entrant, entered_by, entered_at, \
         state, import_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(school.0)
    .bind(id)
    .bind(student)
    .bind(a.term.code())
    .bind(a.category.code())
    .bind(a.date.to_string())
    .bind(a.end_date.map(|d| d.to_string()))
    .bind(a.hours.0)
    .bind(a.travel.0)
    .bind(a.organiser.trim())
    .bind(a.description.trim())
    .bind(a.entrant.code())
    .bind(&a.entered_by)
    .bind(now)
    .bind(a.state.code())
    .bind(import_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
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
    })
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

impl ArchiveStore for This {
    fn record_activity<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
        students: &'a [StudentId],
        activity: &'a NewActivity,
        now: i64,
    ) -> StoreFuture<'a, Vec<i64>> {
        Box::pin(async move {
            check_scope(scope)?;
            if !scope.can_view_school(school) {
                return Err(StoreError::Forbidden);
            }
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
            let first = next_record_id(&mut tx, school).await?;
            let mut ids = Vec::with_capacity(students.len());
            for (i, s) in students.iter().enumerate() {
                let id = first + i as i64;
                insert_record(&mut tx, school, id, s.0, activity, now, None).await?;
                ids.push(id);
            }
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
            if !errors.is_empty() {
                tx.rollback().await?;
                return Err(StoreError::Rejected(errors));
            }
            let import_id = import_record(&mut tx, "archive_records", meta, plan.len()).await?;
            let first = next_record_id(&mut tx, school).await?;
            for (i, (student, r)) in plan.iter().enumerate() {
                let id = first + i as i64;
                insert_record(
                    &mut tx,
                    school,
                    id,
                    *student,
                    &r.activity,
                    meta.at,
                    Some(import_id),
                )
                .await?;
            }
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
            let mut tx = self.begin_write().await?;
            for (id, from) in states_of(&mut tx, scope, school, ids).await? {
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
            let mut tx = self.begin_write().await?;
            for (id, from) in states_of(&mut tx, scope, school, ids).await? {
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
            rows.iter().map(record_from).collect()
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
            let mut tx = self.pool.begin().await?;
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
            insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            Ok(StudentArchiveRows {
                records: rows.iter().map(record_from).collect::<Result<_, _>>()?,
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
            for (student, r, total, level) in &plan {
                sqlx::query(
                    "DELETE FROM archive_art WHERE school_id = $1 AND student_id = $2 \
                     AND school_year = $3",
                )
                .bind(school.0)
                .bind(student)
                .bind(r.school_year)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO archive_art (school_id, student_id, school_year, basic_tenths, \
                     academic_tenths, development_tenths, total_tenths, level, entered_by, \
                     entered_at, import_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(school.0)
                .bind(student)
                .bind(r.school_year)
                .bind(r.parts.basic.0)
                .bind(r.parts.academic.0)
                .bind(r.parts.development.0)
                .bind(total.0)
                .bind(level.code())
                .bind(&meta.username)
                .bind(meta.at)
                .bind(import_id)
                .execute(&mut *tx)
                .await?;
            }
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
            // The roster filter of the aggregates (parents and counsellors: Forbidden).
            let (filter, binds) = crate::fitness::sql::aggregate_filter(scope, school, 3)?;
            let sql = format!(
                "SELECT s.school_id, s.class_id, c.grade, c.name, \
                   COALESCE(a.art, 0), COALESCE(a.off_campus, 0), COALESCE(a.labor, 0), \
                   COALESCE(a.volunteer, 0), aa.level \
                 FROM student s \
                 JOIN school_class c ON c.school_id = s.school_id AND c.id = s.class_id \
                 LEFT JOIN (SELECT school_id, student_id, \
                     SUM(CASE WHEN category = 'art' THEN 1 ELSE 0 END) AS art, \
                     SUM(CASE WHEN category IN ('social_practice', 'study_tour', \
                       'volunteer_service') THEN 1 ELSE 0 END) AS off_campus, \
                     SUM(CASE WHEN category IN ('labor_school', 'labor_home') \
                       THEN hours_tenths ELSE 0 END) AS labor, \
                     SUM(CASE WHEN category = 'volunteer_service' \
                       THEN hours_tenths - travel_tenths ELSE 0 END) AS volunteer \
                   FROM archive_record WHERE term = $1 AND state = 'approved' \
                   GROUP BY school_id, student_id) a \
                   ON a.school_id = s.school_id AND a.student_id = s.id \
                 LEFT JOIN archive_art aa ON aa.school_id = s.school_id \
                   AND aa.student_id = s.id AND aa.school_year = $2 \
                 WHERE s.status = 'enrolled'{filter}"
            );
            let mut q = sqlx::query_as::<
                _,
                (i64, i64, i32, String, i64, i64, i64, i64, Option<String>),
            >(AssertSqlSafe(sql))
            .bind(term.code())
            .bind(i32::from(term.school_year));
            for b in binds {
                q = q.bind(b);
            }
            let rows = q.fetch_all(&self.pool).await?;
            let mut by_class: BTreeMap<(i64, i64), ClassArchiveCounts> = BTreeMap::new();
            for (school_id, class_id, grade, name, art, off, labor, vol, level) in rows {
                let g = u8::try_from(grade)
                    .ok()
                    .and_then(|g| Grade::new(g).ok())
                    .ok_or_else(|| corrupt("school_class", format!("grade {grade}")))?;
                let level = level
                    .map(|l| {
                        ArtLevel::from_code(&l)
                            .ok_or_else(|| corrupt("archive_art", format!("level {l}")))
                    })
                    .transpose()?;
                let student = StudentActivity {
                    grade: g,
                    art_records: art as u32,
                    off_campus_records: off as u32,
                    labor_hours: Tenths(labor as i32),
                    volunteer_hours: Tenths(vol as i32),
                    art_level: level,
                };
                by_class
                    .entry((school_id, class_id))
                    .or_insert_with(|| ClassArchiveCounts {
                        school_id: SchoolId(school_id),
                        class_id: ClassId(class_id),
                        grade: g.get(),
                        class_name: name,
                        counts: ArchiveCounts::default(),
                    })
                    .counts
                    .add(&student, weeks);
            }
            Ok(by_class.into_values().collect())
        })
    }

    fn archive_terms<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, Vec<Term>> {
        Box::pin(async move {
            check_scope(scope)?;
            let rows: Vec<(String,)> = match scope.school_id() {
                None => {
                    sqlx::query_as("SELECT DISTINCT term FROM archive_record")
                        .fetch_all(&self.pool)
                        .await?
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
}
