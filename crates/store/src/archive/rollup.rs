//! The archive coverage rollup (`archive_rollup`, migration 43): per school, term and class the
//! counts of [`ArchiveCounts`], so the district's coverage page adds up class rows instead of
//! joining every enrolled student with the term's records. One counting query serves both the
//! rebuild and the direct count, so the two cannot drift apart. A term without rows is read by
//! the direct count; the first counted write of a term builds it for every school (a school
//! with nothing recorded still shows its students), later writes rebuild their school's rows
//! in the same transaction.
use std::collections::{BTreeMap, BTreeSet};

use sqlx::AssertSqlSafe;
use wuyu_domain::{ArtLevel, ClassId, Grade, SchoolId, Tenths, Term};
use wuyu_monitor::archive::{ArchiveCounts, StudentActivity};

use super::Tx;
use crate::StoreError;
use crate::archive::{ClassArchiveCounts, TERM_WEEKS};
use crate::backend::corrupt;

type Conn = <super::super::Db as sqlx::Database>::Connection;

/// Counts every enrolled student of the classes `filter` keeps (SQL on `s.`, binds from `$3`)
/// with their approved records of `term` and the school year's art assessment, by class.
/// `one_school`, when the filter keeps one school only, narrows the records summed to it
/// (else a school's rebuild would add up the whole district's term).
pub(crate) async fn count_classes(
    conn: &mut Conn,
    (filter, binds): (&str, &[i64]),
    one_school: Option<SchoolId>,
    term: Term,
    weeks: u32,
) -> Result<Vec<ClassArchiveCounts>, StoreError> {
    // An integer, formatted: nothing from outside reaches the SQL text.
    let inner = one_school.map_or(String::new(), |s| format!(" AND school_id = {}", s.0));
    let sql = format!(
        "SELECT s.school_id, s.class_id, c.grade, c.name, \
           COALESCE(a.art, 0), COALESCE(a.off_campus, 0), COALESCE(a.labor, 0), \
           COALESCE(a.volunteer, 0), aa.level, COALESCE(a.visits, 0), \
           COALESCE(a.labor_week, 0) \
         FROM student s \
         JOIN school_class c ON c.school_id = s.school_id AND c.id = s.class_id \
         LEFT JOIN (SELECT school_id, student_id, \
             SUM(CASE WHEN category = 'art' THEN 1 ELSE 0 END) AS art, \
             SUM(CASE WHEN category IN ('social_practice', 'study_tour', \
               'volunteer_service') THEN 1 ELSE 0 END) AS off_campus, \
             SUM(CASE WHEN category IN ('labor_school', 'labor_home') \
               THEN hours_tenths ELSE 0 END) AS labor, \
             SUM(CASE WHEN category = 'volunteer_service' \
               THEN hours_tenths - travel_tenths ELSE 0 END) AS volunteer, \
             SUM(CASE WHEN category = 'home_visit' THEN 1 ELSE 0 END) AS visits, \
             SUM(CASE WHEN category = 'labor_week' THEN 1 ELSE 0 END) AS labor_week \
           FROM archive_record WHERE term = $1 AND state = 'approved'{inner} \
           GROUP BY school_id, student_id) a \
           ON a.school_id = s.school_id AND a.student_id = s.id \
         LEFT JOIN archive_art aa ON aa.school_id = s.school_id \
           AND aa.student_id = s.id AND aa.school_year = $2 \
         WHERE s.status = 'enrolled'{filter}"
    );
    let mut q = sqlx::query_as::<
        _,
        (
            i64,
            i64,
            i32,
            String,
            i64,
            i64,
            i64,
            i64,
            Option<String>,
            i64,
            i64,
        ),
    >(AssertSqlSafe(sql))
    .bind(term.code())
    .bind(i32::from(term.school_year));
    for b in binds {
        q = q.bind(*b);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let mut by_class: BTreeMap<(i64, i64), ClassArchiveCounts> = BTreeMap::new();
    for (school_id, class_id, grade, name, art, off, labor, vol, level, visits, week) in rows {
        let g = grade_of(grade)?;
        let level = level
            .map(|l| {
                ArtLevel::from_code(&l).ok_or_else(|| corrupt("archive_art", format!("level {l}")))
            })
            .transpose()?;
        let student = StudentActivity {
            grade: g,
            art_records: art as u32,
            off_campus_records: off as u32,
            labor_hours: Tenths(labor as i32),
            volunteer_hours: Tenths(vol as i32),
            art_level: level,
            home_visits: visits as u32,
            labor_week_records: week as u32,
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
}

fn grade_of(grade: i32) -> Result<Grade, StoreError> {
    u8::try_from(grade)
        .ok()
        .and_then(|g| Grade::new(g).ok())
        .ok_or_else(|| corrupt("school_class", format!("grade {grade}")))
}

/// Whether `term` has rollup rows (else it is read by the direct count).
pub(crate) async fn built(conn: &mut Conn, term: Term) -> Result<bool, StoreError> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT school_id FROM archive_rollup WHERE term = $1 LIMIT 1")
            .bind(term.code())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.is_some())
}

/// The rollup's class rows of `term` that `filter` keeps (SQL on `s.`, binds from `$2`).
pub(crate) async fn read(
    conn: &mut Conn,
    filter: &str,
    binds: &[i64],
    term: Term,
) -> Result<Vec<ClassArchiveCounts>, StoreError> {
    let sql = format!(
        "SELECT s.school_id, s.class_id, c.grade, c.name, s.students, s.art_covered, \
           s.off_campus_covered, s.off_campus_records, s.labor_met, s.volunteer_tenths, \
           s.art_assessed, s.art_excellent, s.art_passed, s.home_visited, \
           s.labor_week_students \
         FROM archive_rollup s \
         JOIN school_class c ON c.school_id = s.school_id AND c.id = s.class_id \
         WHERE s.term = $1{filter} ORDER BY s.school_id, s.class_id"
    );
    let mut q = sqlx::query_as::<
        _,
        (
            i64,
            i64,
            i32,
            String,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
        ),
    >(AssertSqlSafe(sql))
    .bind(term.code());
    for b in binds {
        q = q.bind(*b);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.into_iter()
        .map(
            |(school_id, class_id, grade, name, n0, n1, n2, n3, n4, n5, n6, n7, n8, n9, n10)| {
                let n = (n0, n1, n2, n3, n4, n5, n6, n7, n8, n9, n10);
                Ok(ClassArchiveCounts {
                    school_id: SchoolId(school_id),
                    class_id: ClassId(class_id),
                    grade: grade_of(grade)?.get(),
                    class_name: name,
                    counts: ArchiveCounts {
                        students: n.0 as u64,
                        art_covered: n.1 as u64,
                        off_campus_covered: n.2 as u64,
                        off_campus_records: n.3 as u64,
                        labor_met: n.4 as u64,
                        volunteer_hours: Tenths(n.5 as i32),
                        art_assessed: n.6 as u64,
                        art_excellent: n.7 as u64,
                        art_passed: n.8 as u64,
                        home_visited: n.9 as u64,
                        labor_week_students: n.10 as u64,
                    },
                })
            },
        )
        .collect()
}

/// Rebuilds `school`'s rows of each term (every school's when the term has none yet).
pub(crate) async fn refresh(
    tx: &mut Tx,
    school: SchoolId,
    terms: impl IntoIterator<Item = Term>,
) -> Result<(), StoreError> {
    let terms: BTreeSet<Term> = terms.into_iter().collect();
    for term in terms {
        let only = if built(tx, term).await? {
            Some(school)
        } else {
            None
        };
        rebuild(tx, only, term).await?;
    }
    Ok(())
}

/// The terms the rollup holds, oldest first.
pub(crate) async fn terms(conn: &mut Conn) -> Result<Vec<Term>, StoreError> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT term FROM archive_rollup")
        .fetch_all(&mut *conn)
        .await?;
    let mut terms = rows
        .into_iter()
        .map(|(code,)| Term::parse_code(&code).map_err(|_| corrupt("archive_rollup", code)))
        .collect::<Result<Vec<_>, _>>()?;
    terms.sort();
    Ok(terms)
}

/// Rebuilds `school`'s rows of every term the rollup holds (its roster changed).
pub(crate) async fn refresh_school(tx: &mut Tx, school: SchoolId) -> Result<(), StoreError> {
    for term in terms(tx).await? {
        rebuild(tx, Some(school), term).await?;
    }
    Ok(())
}

/// Rows per statement: 200 × 14 parameters stays under both backends' limits.
const CHUNK: usize = 200;

async fn rebuild(tx: &mut Tx, school: Option<SchoolId>, term: Term) -> Result<(), StoreError> {
    let (filter, binds) = match school {
        Some(s) => (" AND s.school_id = $3", vec![s.0]),
        None => ("", Vec::new()),
    };
    let mut delete = sqlx::query(AssertSqlSafe(format!(
        "DELETE FROM archive_rollup WHERE term = $1{}",
        if school.is_some() {
            " AND school_id = $2"
        } else {
            ""
        }
    )))
    .bind(term.code());
    if let Some(s) = school {
        delete = delete.bind(s.0);
    }
    delete.execute(&mut **tx).await?;
    let classes = count_classes(tx, (filter, &binds), school, term, TERM_WEEKS).await?;
    for chunk in classes.chunks(CHUNK) {
        let sql = crate::backend::multi_row_insert(
            "INSERT INTO archive_rollup (school_id, term, class_id, students, art_covered, \
             off_campus_covered, off_campus_records, labor_met, volunteer_tenths, art_assessed, \
             art_excellent, art_passed, home_visited, labor_week_students)",
            14,
            chunk.len(),
            "",
            super::super::NUMBERED_PARAMS,
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for c in chunk {
            let n = &c.counts;
            q = q
                .bind(c.school_id.0)
                .bind(term.code())
                .bind(c.class_id.0)
                .bind(n.students as i64)
                .bind(n.art_covered as i64)
                .bind(n.off_campus_covered as i64)
                .bind(n.off_campus_records as i64)
                .bind(n.labor_met as i64)
                .bind(i64::from(n.volunteer_hours.0))
                .bind(n.art_assessed as i64)
                .bind(n.art_excellent as i64)
                .bind(n.art_passed as i64)
                .bind(n.home_visited as i64)
                .bind(n.labor_week_students as i64);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}
