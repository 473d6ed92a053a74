//! StaffStore for both backends (included by `sqlite.rs` and `postgres.rs`).
// Row tuples are spelled out as sqlx reads them, next to the query that selects them.
#![allow(clippy::type_complexity)]

use wuyu_analytics::appraisal::{Level, Sanction, SourceKind, TeachingBasis, UnitRating};
use wuyu_domain::{SchoolId, TeacherId};

use super::This;
use super::audit::insert_audit;
use crate::backend::corrupt;
use crate::model::AuditEntry;
use crate::staff::*;
use crate::{StoreError, StoreFuture};

/// `AND …` restricting `alias` (a table with school_id and teacher_id) to the reader; binds
/// start at `$first`.
fn reader_filter(reader: StaffReader, alias: &str, first: usize) -> String {
    match reader {
        StaffReader::District => String::new(),
        StaffReader::School(_) => format!(" AND {alias}.school_id = ${first}"),
        StaffReader::Teacher(..) => format!(
            " AND {alias}.school_id = ${first} AND {alias}.teacher_id = ${}",
            first + 1
        ),
    }
}

fn bind_reader<'q, O>(
    q: sqlx::query::QueryAs<'q, super::Db, O, <super::Db as sqlx::Database>::Arguments>,
    reader: StaffReader,
) -> sqlx::query::QueryAs<'q, super::Db, O, <super::Db as sqlx::Database>::Arguments> {
    match reader {
        StaffReader::District => q,
        StaffReader::School(s) => q.bind(s.0),
        StaffReader::Teacher(s, t) => q.bind(s.0).bind(t.0),
    }
}

type TrainingTuple = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    f64,
    String,
    String,
);

type TitleTuple = (i64, i64, String, String, String, String, i32);

type RoundTuple = (
    i64,
    i32,
    String,
    String,
    i64,
    i64,
    Option<String>,
    Option<String>,
    String,
    i64,
);

const ROUND_COLUMNS: &str = "school_id, school_year, unit_rating, state, n_base, cap, \
     publicity_until, return_reason, updated_by, updated_at";

fn round(
    (school, year, rating, state, n, cap, until, returned, by, at): RoundTuple,
) -> Result<AppraisalRound, StoreError> {
    let what = || format!("staff_appraisal_round {school}/{year}");
    Ok(AppraisalRound {
        school_id: SchoolId(school),
        school_year: year,
        unit_rating: UnitRating::parse(&rating)
            .ok_or_else(|| corrupt(&what(), format!("unit_rating {rating}")))?,
        state: AppraisalState::from_code(&state)
            .ok_or_else(|| corrupt(&what(), format!("state {state}")))?,
        n_base: u32::try_from(n).map_err(|e| corrupt(&what(), e))?,
        cap: u32::try_from(cap).map_err(|e| corrupt(&what(), e))?,
        publicity_until: until,
        return_reason: returned,
        updated_by: by,
        updated_at: at,
    })
}

const ROW_COLUMNS: &str = "a.teacher_id, t.staff_no, t.name, a.score, a.org_score, \
     a.peer_score, a.parent_score, a.renormalised, a.first_job_months, a.leave_days, \
     a.under_investigation, a.ethics_violation, a.sanction, a.level, a.committee_reason, \
     a.appeal_text, a.appeal_at, a.appeal_answer, a.answered_by, a.answered_at, a.confirmed_at, \
     a.score_basis, a.peer_ratings, a.teaching_score, a.workload_score, a.weight_org, \
     a.weight_peer, a.weight_parent, a.weight_teaching, a.weight_workload, a.missing_sources, \
     a.parent_survey_id, a.parent_survey_n, a.peer_survey_id, a.teaching_basis, \
     a.teaching_value_added";

/// Peer ratings as stored: `90;85.5;70`.
fn ratings_text(r: &[f64]) -> Option<String> {
    (!r.is_empty()).then(|| r.iter().map(f64::to_string).collect::<Vec<_>>().join(";"))
}

fn missing_text(m: &[SourceKind]) -> Option<String> {
    (!m.is_empty()).then(|| m.iter().map(|k| k.code()).collect::<Vec<_>>().join(";"))
}

fn parse_ratings(text: &str) -> Option<Vec<f64>> {
    text.split(';')
        .map(|x| x.trim().parse::<f64>().ok())
        .collect()
}

fn sanction_code(s: Sanction) -> &'static str {
    s.code()
}

/// The score sources of one row of `ROW_COLUMNS`.
fn decode_sources(
    r: &<super::Db as sqlx::Database>::Row,
    what: &dyn Fn() -> String,
) -> Result<ScoreSources, StoreError> {
    use sqlx::Row;
    let basis: String = r.try_get(21)?;
    let ratings: Option<String> = r.try_get(22)?;
    // A survey-fed peer list has one rating per colleague who answered.
    let peer_n = ratings.as_deref().map_or(0, |t| t.split(';').count());
    let mut w = [None::<f64>; 5];
    for (i, x) in w.iter_mut().enumerate() {
        *x = r.try_get(25 + i)?;
    }
    Ok(ScoreSources {
        score_basis: ScoreBasis::from_code(&basis)
            .ok_or_else(|| corrupt(&what(), format!("score_basis {basis}")))?,
        peer_ratings: match ratings {
            None => Vec::new(),
            Some(t) => {
                parse_ratings(&t).ok_or_else(|| corrupt(&what(), format!("peer_ratings {t}")))?
            }
        },
        peer_score: r.try_get(5)?,
        parent_score: r.try_get(6)?,
        teaching_score: r.try_get(23)?,
        teaching_basis: match r.try_get::<Option<String>, _>(34)? {
            None => None,
            Some(b) => Some(
                TeachingBasis::from_code(&b)
                    .ok_or_else(|| corrupt(&what(), format!("teaching_basis {b}")))?,
            ),
        },
        teaching_value_added: r.try_get(35)?,
        workload_score: r.try_get(24)?,
        weights: match w {
            [Some(a), Some(b), Some(c), Some(d), Some(e)] => Some([a, b, c, d, e]),
            _ => None,
        },
        missing: match r.try_get::<Option<String>, _>(30)? {
            None => Vec::new(),
            Some(t) => t
                .split(';')
                .map(|c| {
                    SourceKind::from_code(c)
                        .ok_or_else(|| corrupt(&what(), format!("missing_sources {t}")))
                })
                .collect::<Result<_, _>>()?,
        },
        renormalised: r.try_get(7)?,
        parent_survey: match (
            r.try_get::<Option<i64>, _>(31)?,
            r.try_get::<Option<i64>, _>(32)?,
        ) {
            (Some(id), n) => Some(SurveySource {
                questionnaire_id: id,
                n: usize::try_from(n.unwrap_or(0)).map_err(|e| corrupt(&what(), e))?,
            }),
            (None, _) => None,
        },
        peer_survey: r.try_get::<Option<i64>, _>(33)?.map(|id| SurveySource {
            questionnaire_id: id,
            n: peer_n,
        }),
    })
}

/// One row of `ROW_COLUMNS` (more columns than sqlx's tuples take, so read by index).
fn decode_row(r: &<super::Db as sqlx::Database>::Row) -> Result<AppraisalRow, StoreError> {
    use sqlx::Row;
    let teacher: i64 = r.try_get(0)?;
    let what = || format!("staff_appraisal teacher {teacher}");
    let sanction = match r.try_get::<Option<String>, _>(12)? {
        None => None,
        Some(s) => {
            Some(Sanction::parse(&s).ok_or_else(|| corrupt(&what(), format!("sanction {s}")))?)
        }
    };
    let level: String = r.try_get(13)?;
    let months: Option<i64> = r.try_get(8)?;
    let leave: i64 = r.try_get(9)?;
    let appeal: Option<String> = r.try_get(15)?;
    Ok(AppraisalRow {
        staff_no: r.try_get(1)?,
        teacher_name: r.try_get(2)?,
        input: AppraisalInput {
            teacher_id: TeacherId(teacher),
            score: r.try_get(3)?,
            org_score: r.try_get(4)?,
            sources: decode_sources(r, &what)?,
            first_job_months: months
                .map(u32::try_from)
                .transpose()
                .map_err(|e| corrupt(&what(), e))?,
            leave_days: u32::try_from(leave).map_err(|e| corrupt(&what(), e))?,
            under_investigation: r.try_get(10)?,
            ethics_violation: r.try_get(11)?,
            sanction,
            level: Level::parse(&level)
                .ok_or_else(|| corrupt(&what(), format!("level {level}")))?,
            committee_reason: r.try_get(14)?,
        },
        appeal: match appeal {
            None => None,
            Some(text) => Some(Appeal {
                text,
                at: r.try_get::<Option<i64>, _>(16)?.unwrap_or_default(),
                answer: r.try_get(17)?,
                answered_by: r.try_get(18)?,
                answered_at: r.try_get(19)?,
            }),
        },
        confirmed_at: r.try_get(20)?,
    })
}

impl This {
    async fn load_round<'e, E>(
        ex: E,
        school: SchoolId,
        year: i32,
    ) -> Result<Option<AppraisalRound>, StoreError>
    where
        E: sqlx::Executor<'e, Database = super::Db>,
    {
        let r: Option<RoundTuple> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ROUND_COLUMNS} FROM staff_appraisal_round \
             WHERE school_id = $1 AND school_year = $2"
        )))
        .bind(school.0)
        .bind(year)
        .fetch_optional(ex)
        .await?;
        r.map(round).transpose()
    }

    /// The teacher's row of a round: its level and whether an appeal is recorded.
    async fn load_level(
        tx: &mut sqlx::Transaction<'static, super::Db>,
        school: SchoolId,
        year: i32,
        teacher: TeacherId,
    ) -> Result<(Level, bool, bool), StoreError> {
        let r: Option<(String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT level, appeal_text, appeal_answer FROM staff_appraisal \
             WHERE school_id = $1 AND school_year = $2 AND teacher_id = $3",
        )
        .bind(school.0)
        .bind(year)
        .bind(teacher.0)
        .fetch_optional(&mut **tx)
        .await?;
        let (level, appeal, answer) = r.ok_or(StoreError::NotFound)?;
        let level = Level::parse(&level).ok_or_else(|| corrupt("staff_appraisal", &level))?;
        Ok((level, appeal.is_some(), answer.is_some()))
    }
}

impl StaffStore for This {
    fn import_training<'a>(
        &'a self,
        school: SchoolId,
        rows: &'a [NewTraining],
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, usize> {
        Box::pin(async move {
            let mut tx = self.begin_write().await?;
            for r in rows {
                sqlx::query(
                    "DELETE FROM staff_training WHERE school_id = $1 AND teacher_id = $2 \
                     AND course = $3 AND taken_on = $4",
                )
                .bind(school.0)
                .bind(r.teacher_id.0)
                .bind(&r.course)
                .bind(&r.taken_on)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO staff_training (school_id, teacher_id, course, taken_on, hours, \
                     level, provider) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(school.0)
                .bind(r.teacher_id.0)
                .bind(&r.course)
                .bind(&r.taken_on)
                .bind(r.hours)
                .bind(r.level.code())
                .bind(&r.provider)
                .execute(&mut *tx)
                .await?;
            }
            insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            Ok(rows.len())
        })
    }

    fn training(&self, reader: StaffReader) -> StoreFuture<'_, Vec<TrainingRow>> {
        Box::pin(async move {
            let sql = format!(
                "SELECT x.school_id, x.teacher_id, t.staff_no, t.name, x.course, x.taken_on, \
                 x.hours, x.level, x.provider FROM staff_training x \
                 JOIN teacher t ON t.school_id = x.school_id AND t.id = x.teacher_id \
                 WHERE 1 = 1{} ORDER BY x.school_id, t.staff_no, x.taken_on, x.course",
                reader_filter(reader, "x", 1)
            );
            let rows: Vec<TrainingTuple> =
                bind_reader(sqlx::query_as(sqlx::AssertSqlSafe(sql)), reader)
                    .fetch_all(&self.pool)
                    .await?;
            rows.into_iter()
                .map(|(s, t, no, name, course, on, hours, level, provider)| {
                    Ok(TrainingRow {
                        school_id: SchoolId(s),
                        teacher_id: TeacherId(t),
                        staff_no: no,
                        teacher_name: name,
                        course,
                        taken_on: on,
                        hours,
                        level: TrainingLevel::parse(&level)
                            .ok_or_else(|| corrupt("staff_training", &level))?,
                        provider,
                    })
                })
                .collect()
        })
    }

    fn import_titles<'a>(
        &'a self,
        school: SchoolId,
        rows: &'a [NewTitle],
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, usize> {
        Box::pin(async move {
            let mut tx = self.begin_write().await?;
            for r in rows {
                sqlx::query(
                    "DELETE FROM teacher_title WHERE school_id = $1 AND teacher_id = $2 \
                     AND title = $3 AND level = $4 AND year = $5",
                )
                .bind(school.0)
                .bind(r.teacher_id.0)
                .bind(r.title.code())
                .bind(r.level.code())
                .bind(r.year)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO teacher_title (school_id, teacher_id, title, level, year) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(school.0)
                .bind(r.teacher_id.0)
                .bind(r.title.code())
                .bind(r.level.code())
                .bind(r.year)
                .execute(&mut *tx)
                .await?;
            }
            insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            Ok(rows.len())
        })
    }

    fn titles(&self, reader: StaffReader) -> StoreFuture<'_, Vec<TitleRow>> {
        Box::pin(async move {
            let sql = format!(
                "SELECT x.school_id, x.teacher_id, t.staff_no, t.name, x.title, x.level, x.year \
                 FROM teacher_title x \
                 JOIN teacher t ON t.school_id = x.school_id AND t.id = x.teacher_id \
                 WHERE 1 = 1{} ORDER BY x.school_id, t.staff_no, x.year, x.title, x.level",
                reader_filter(reader, "x", 1)
            );
            let rows: Vec<TitleTuple> =
                bind_reader(sqlx::query_as(sqlx::AssertSqlSafe(sql)), reader)
                    .fetch_all(&self.pool)
                    .await?;
            rows.into_iter()
                .map(|(s, t, no, name, title, level, year)| {
                    Ok(TitleRow {
                        school_id: SchoolId(s),
                        teacher_id: TeacherId(t),
                        staff_no: no,
                        teacher_name: name,
                        title: TitleKind::parse(&title)
                            .ok_or_else(|| corrupt("teacher_title", &title))?,
                        level: TitleLevel::parse(&level)
                            .ok_or_else(|| corrupt("teacher_title", &level))?,
                        year,
                    })
                })
                .collect()
        })
    }

    fn add_studio<'a>(
        &'a self,
        school: SchoolId,
        row: &'a NewStudio,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut tx = self.begin_write().await?;
            sqlx::query(
                "DELETE FROM staff_studio WHERE school_id = $1 AND teacher_id = $2 AND studio = $3",
            )
            .bind(school.0)
            .bind(row.teacher_id.0)
            .bind(&row.studio)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO staff_studio (school_id, teacher_id, studio, role, level, joined_year) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(school.0)
            .bind(row.teacher_id.0)
            .bind(&row.studio)
            .bind(row.role.code())
            .bind(row.level.code())
            .bind(row.joined_year)
            .execute(&mut *tx)
            .await?;
            insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn studios(&self, reader: StaffReader) -> StoreFuture<'_, Vec<StudioRow>> {
        Box::pin(async move {
            let sql = format!(
                "SELECT x.school_id, x.teacher_id, t.staff_no, t.name, x.studio, x.role, x.level, \
                 x.joined_year FROM staff_studio x \
                 JOIN teacher t ON t.school_id = x.school_id AND t.id = x.teacher_id \
                 WHERE 1 = 1{} ORDER BY x.school_id, t.staff_no, x.studio",
                reader_filter(reader, "x", 1)
            );
            let rows: Vec<(i64, i64, String, String, String, String, String, i32)> =
                bind_reader(sqlx::query_as(sqlx::AssertSqlSafe(sql)), reader)
                    .fetch_all(&self.pool)
                    .await?;
            rows.into_iter()
                .map(|(s, t, no, name, studio, role, level, year)| {
                    Ok(StudioRow {
                        school_id: SchoolId(s),
                        teacher_id: TeacherId(t),
                        staff_no: no,
                        teacher_name: name,
                        studio,
                        role: StudioRole::parse(&role)
                            .ok_or_else(|| corrupt("staff_studio", &role))?,
                        level: TitleLevel::parse(&level)
                            .ok_or_else(|| corrupt("staff_studio", &level))?,
                        joined_year: year,
                    })
                })
                .collect()
        })
    }

    fn staff_teachers(&self, reader: StaffReader) -> StoreFuture<'_, Vec<StaffTeacher>> {
        Box::pin(async move {
            // The teacher table's own columns: its id is `id`, not `teacher_id`.
            let filter = match reader {
                StaffReader::District => String::new(),
                StaffReader::School(_) => " AND school_id = $1".to_string(),
                StaffReader::Teacher(..) => " AND school_id = $1 AND id = $2".to_string(),
            };
            let sql = format!(
                "SELECT school_id, id, staff_no, name FROM teacher WHERE 1 = 1{filter} \
                 ORDER BY school_id, staff_no"
            );
            let rows: Vec<(i64, i64, String, String)> =
                bind_reader(sqlx::query_as(sqlx::AssertSqlSafe(sql)), reader)
                    .fetch_all(&self.pool)
                    .await?;
            Ok(rows
                .into_iter()
                .map(|(s, t, staff_no, name)| StaffTeacher {
                    school_id: SchoolId(s),
                    teacher_id: TeacherId(t),
                    staff_no,
                    name,
                })
                .collect())
        })
    }

    fn save_appraisal<'a>(
        &'a self,
        a: &'a NewAppraisal,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut tx = self.begin_write().await?;
            let existing = Self::load_round(&mut *tx, a.school_id, a.school_year).await?;
            match existing.as_ref().map(|r| r.state) {
                None => {
                    sqlx::query(
                        "INSERT INTO staff_appraisal_round (school_id, school_year, unit_rating, \
                         state, n_base, cap, updated_by, updated_at) \
                         VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7)",
                    )
                    .bind(a.school_id.0)
                    .bind(a.school_year)
                    .bind(a.unit_rating.code())
                    .bind(i64::from(a.n_base))
                    .bind(i64::from(a.cap))
                    .bind(&audit.username)
                    .bind(audit.at)
                    .execute(&mut *tx)
                    .await?;
                }
                Some(AppraisalState::Draft) => {
                    sqlx::query(
                        "UPDATE staff_appraisal_round SET unit_rating = $1, n_base = $2, cap = $3, \
                         updated_by = $4, updated_at = $5 WHERE school_id = $6 AND school_year = $7",
                    )
                    .bind(a.unit_rating.code())
                    .bind(i64::from(a.n_base))
                    .bind(i64::from(a.cap))
                    .bind(&audit.username)
                    .bind(audit.at)
                    .bind(a.school_id.0)
                    .bind(a.school_year)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "DELETE FROM staff_appraisal WHERE school_id = $1 AND school_year = $2",
                    )
                    .bind(a.school_id.0)
                    .bind(a.school_year)
                    .execute(&mut *tx)
                    .await?;
                }
                Some(state) => {
                    return Err(StoreError::Conflict(format!(
                        "考核结果{}，不能再修改",
                        state.label_zh()
                    )));
                }
            }
            for r in &a.rows {
                sqlx::query(
                    "INSERT INTO staff_appraisal (school_id, school_year, teacher_id, score, \
                     org_score, peer_score, parent_score, renormalised, first_job_months, \
                     leave_days, under_investigation, ethics_violation, sanction, level, \
                     committee_reason, score_basis, peer_ratings, teaching_score, \
                     workload_score, weight_org, weight_peer, weight_parent, weight_teaching, \
                     weight_workload, missing_sources, parent_survey_id, parent_survey_n, \
                     peer_survey_id, teaching_basis, teaching_value_added) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
                     $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30)",
                )
                .bind(a.school_id.0)
                .bind(a.school_year)
                .bind(r.teacher_id.0)
                .bind(r.score)
                .bind(r.org_score)
                .bind(r.sources.peer_score)
                .bind(r.sources.parent_score)
                .bind(r.sources.renormalised)
                .bind(r.first_job_months.map(i64::from))
                .bind(i64::from(r.leave_days))
                .bind(r.under_investigation)
                .bind(r.ethics_violation)
                .bind(r.sanction.map(sanction_code))
                .bind(r.level.code())
                .bind(r.committee_reason.as_deref())
                .bind(r.sources.score_basis.code())
                .bind(ratings_text(&r.sources.peer_ratings))
                .bind(r.sources.teaching_score)
                .bind(r.sources.workload_score)
                .bind(r.sources.weights.map(|w| w[0]))
                .bind(r.sources.weights.map(|w| w[1]))
                .bind(r.sources.weights.map(|w| w[2]))
                .bind(r.sources.weights.map(|w| w[3]))
                .bind(r.sources.weights.map(|w| w[4]))
                .bind(missing_text(&r.sources.missing))
                .bind(r.sources.parent_survey.map(|s| s.questionnaire_id))
                .bind(r.sources.parent_survey.map(|s| s.n as i64))
                .bind(r.sources.peer_survey.map(|s| s.questionnaire_id))
                .bind(r.sources.teaching_basis.map(TeachingBasis::code))
                .bind(r.sources.teaching_value_added)
                .execute(&mut *tx)
                .await?;
            }
            insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn appraisal<'a>(
        &'a self,
        reader: StaffReader,
        school: SchoolId,
        school_year: i32,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, Option<Appraisal>> {
        Box::pin(async move {
            if !reader.reaches(school) {
                return Err(StoreError::Forbidden);
            }
            // A write transaction from the start: the read ends in its audit row, and a read
            // transaction upgraded to write fails at once (SQLITE_BUSY, no busy wait) while
            // another connection still holds the write lock.
            let mut tx = self.begin_write().await?;
            let Some(round) = Self::load_round(&mut *tx, school, school_year).await? else {
                return Ok(None);
            };
            let teacher = reader.teacher();
            let sql = format!(
                "SELECT {ROW_COLUMNS} FROM staff_appraisal a \
                 JOIN teacher t ON t.school_id = a.school_id AND t.id = a.teacher_id \
                 WHERE a.school_id = $1 AND a.school_year = $2{} ORDER BY t.staff_no",
                if teacher.is_some() {
                    " AND a.teacher_id = $3"
                } else {
                    ""
                }
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(school.0)
                .bind(school_year);
            if let Some(t) = teacher {
                q = q.bind(t.0);
            }
            let raw = q.fetch_all(&mut *tx).await?;
            let rows = raw.iter().map(decode_row).collect::<Result<Vec<_>, _>>()?;
            insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            Ok(Some(Appraisal { round, rows }))
        })
    }

    fn appraisal_rounds(
        &self,
        reader: StaffReader,
        school_year: i32,
    ) -> StoreFuture<'_, Vec<AppraisalRound>> {
        Box::pin(async move {
            let school = match reader {
                StaffReader::District => None,
                StaffReader::School(s) | StaffReader::Teacher(s, _) => Some(s),
            };
            let sql = format!(
                "SELECT {ROUND_COLUMNS} FROM staff_appraisal_round WHERE school_year = $1{} \
                 ORDER BY school_id",
                if school.is_some() {
                    " AND school_id = $2"
                } else {
                    ""
                }
            );
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(school_year);
            if let Some(s) = school {
                q = q.bind(s.0);
            }
            let rows: Vec<RoundTuple> = q.fetch_all(&self.pool).await?;
            rows.into_iter().map(round).collect()
        })
    }

    fn advance_appraisal<'a>(
        &'a self,
        school: SchoolId,
        school_year: i32,
        to: AppraisalState,
        publicity_until: Option<&'a str>,
        today: &'a str,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut tx = self.begin_write().await?;
            let r = Self::load_round(&mut *tx, school, school_year)
                .await?
                .ok_or(StoreError::NotFound)?;
            use AppraisalState::*;
            let until = match (r.state, to) {
                (Draft, Publicity) => Some(
                    publicity_until
                        .ok_or_else(|| StoreError::Refused("公示需要截止日期".into()))?
                        .to_string(),
                ),
                (Publicity, Approved) => {
                    let last = r.publicity_until.clone().unwrap_or_default();
                    if today <= last.as_str() {
                        return Err(StoreError::Refused(format!(
                            "公示到 {last} 为止，公示期满后才能审定"
                        )));
                    }
                    r.publicity_until.clone()
                }
                (Publicity, Draft) => None,
                (from, to) => {
                    return Err(StoreError::Conflict(format!(
                        "考核结果{}，不能改为{}",
                        from.label_zh(),
                        to.label_zh()
                    )));
                }
            };
            sqlx::query(
                "UPDATE staff_appraisal_round SET state = $1, publicity_until = $2, \
                 return_reason = NULL, updated_by = $3, updated_at = $4 WHERE school_id = $5 AND school_year = $6",
            )
            .bind(to.code())
            .bind(until)
            .bind(&audit.username)
            .bind(audit.at)
            .bind(school.0)
            .bind(school_year)
            .execute(&mut *tx)
            .await?;
            insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn appeal_appraisal<'a>(
        &'a self,
        school: SchoolId,
        school_year: i32,
        teacher: TeacherId,
        text: &'a str,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let text = text.trim();
            if text.is_empty() {
                return Err(StoreError::Refused("请写明申请复核或申诉的理由".into()));
            }
            let mut tx = self.begin_write().await?;
            let r = Self::load_round(&mut *tx, school, school_year)
                .await?
                .ok_or(StoreError::NotFound)?;
            if r.state == AppraisalState::Draft {
                return Err(StoreError::Refused("考核结果尚未公布，不能申请复核".into()));
            }
            let (level, appealed, _) =
                Self::load_level(&mut tx, school, school_year, teacher).await?;
            if !matches!(level, Level::Basic | Level::Unqualified) {
                return Err(StoreError::Refused(format!(
                    "只有基本合格或不合格可以申请复核或申诉，此次等次为{}",
                    level.label_zh()
                )));
            }
            if appealed {
                return Err(StoreError::Refused("已经提出过复核或申诉".into()));
            }
            sqlx::query(
                "UPDATE staff_appraisal SET appeal_text = $1, appeal_at = $2 \
                 WHERE school_id = $3 AND school_year = $4 AND teacher_id = $5",
            )
            .bind(text)
            .bind(audit.at)
            .bind(school.0)
            .bind(school_year)
            .bind(teacher.0)
            .execute(&mut *tx)
            .await?;
            insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn answer_appeal<'a>(
        &'a self,
        school: SchoolId,
        school_year: i32,
        teacher: TeacherId,
        answer: &'a str,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let answer = answer.trim();
            if answer.is_empty() {
                return Err(StoreError::Refused("答复不能为空".into()));
            }
            let mut tx = self.begin_write().await?;
            let (_, appealed, answered) =
                Self::load_level(&mut tx, school, school_year, teacher).await?;
            if !appealed {
                return Err(StoreError::Refused("这名教师没有提出复核或申诉".into()));
            }
            if answered {
                return Err(StoreError::Refused("这项复核或申诉已经答复".into()));
            }
            sqlx::query(
                "UPDATE staff_appraisal SET appeal_answer = $1, answered_by = $2, answered_at = $3 \
                 WHERE school_id = $4 AND school_year = $5 AND teacher_id = $6",
            )
            .bind(answer)
            .bind(&audit.username)
            .bind(audit.at)
            .bind(school.0)
            .bind(school_year)
            .bind(teacher.0)
            .execute(&mut *tx)
            .await?;
            insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn confirm_appraisal<'a>(
        &'a self,
        school: SchoolId,
        school_year: i32,
        teacher: TeacherId,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut tx = self.begin_write().await?;
            let r = Self::load_round(&mut *tx, school, school_year)
                .await?
                .ok_or(StoreError::NotFound)?;
            if r.state != AppraisalState::Approved {
                return Err(StoreError::Refused("考核结果审定后才能确认".into()));
            }
            Self::load_level(&mut tx, school, school_year, teacher).await?;
            sqlx::query(
                "UPDATE staff_appraisal SET confirmed_at = $1 \
                 WHERE school_id = $2 AND school_year = $3 AND teacher_id = $4 \
                 AND confirmed_at IS NULL",
            )
            .bind(audit.at)
            .bind(school.0)
            .bind(school_year)
            .bind(teacher.0)
            .execute(&mut *tx)
            .await?;
            insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn appraisal_summaries(
        &self,
        reader: StaffReader,
        school_year: i32,
    ) -> StoreFuture<'_, Vec<RoundSummary>> {
        Box::pin(async move {
            let rounds = self.appraisal_rounds(reader, school_year).await?;
            // Counts per school in one query; rounds without rows count zero.
            let counts: Vec<(i64, i64, i64, i64, i64, i64)> = sqlx::query_as(
                "SELECT school_id, COUNT(*), \
                 SUM(CASE WHEN level = 'excellent' THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN level = 'committee' THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN ethics_violation THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN appeal_text IS NOT NULL AND appeal_answer IS NULL \
                     THEN 1 ELSE 0 END) \
                 FROM staff_appraisal WHERE school_year = $1 GROUP BY school_id",
            )
            .bind(school_year)
            .fetch_all(&self.pool)
            .await?;
            let n = |v: i64| u32::try_from(v).map_err(|e| corrupt("staff_appraisal", e));
            rounds
                .into_iter()
                .map(|round| {
                    let c = counts
                        .iter()
                        .find(|c| c.0 == round.school_id.0)
                        .copied()
                        .unwrap_or((0, 0, 0, 0, 0, 0));
                    Ok(RoundSummary {
                        round,
                        teachers: n(c.1)?,
                        excellent: n(c.2)?,
                        committee: n(c.3)?,
                        vetoes: n(c.4)?,
                        open_appeals: n(c.5)?,
                    })
                })
                .collect()
        })
    }

    fn decide_committee<'a>(
        &'a self,
        school: SchoolId,
        school_year: i32,
        teacher: TeacherId,
        choice: CommitteeChoice,
        reason: &'a str,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let reason = reason.trim();
            if reason.is_empty() {
                return Err(StoreError::Refused("请写明集体研究的理由".into()));
            }
            let mut tx = self.begin_write().await?;
            let r = Self::load_round(&mut *tx, school, school_year)
                .await?
                .ok_or(StoreError::NotFound)?;
            if r.state != AppraisalState::Draft {
                return Err(StoreError::Refused(format!(
                    "考核结果{}，不能再修改",
                    r.state.label_zh()
                )));
            }
            let row: Option<(String, Option<String>)> = sqlx::query_as(
                "SELECT level, committee_reason FROM staff_appraisal \
                 WHERE school_id = $1 AND school_year = $2 AND teacher_id = $3",
            )
            .bind(school.0)
            .bind(school_year)
            .bind(teacher.0)
            .fetch_optional(&mut *tx)
            .await?;
            let (level, decided) = row.ok_or(StoreError::NotFound)?;
            // Only places the rules left open: tied at the cap, or already decided by hand.
            if level != Level::Committee.code() && decided.is_none() {
                return Err(StoreError::Refused(
                    "只有“需集体研究”的教师由集体研究决定等次".into(),
                ));
            }
            let level = match choice {
                CommitteeChoice::Excellent => {
                    let (others,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM staff_appraisal WHERE school_id = $1 \
                         AND school_year = $2 AND level = 'excellent' AND teacher_id <> $3",
                    )
                    .bind(school.0)
                    .bind(school_year)
                    .bind(teacher.0)
                    .fetch_one(&mut *tx)
                    .await?;
                    if others >= i64::from(r.cap) {
                        return Err(StoreError::Refused(format!(
                            "优秀名额已满：上限 {} 名，已有 {others} 名优秀",
                            r.cap
                        )));
                    }
                    Level::Excellent
                }
                CommitteeChoice::Qualified => Level::Qualified,
            };
            sqlx::query(
                "UPDATE staff_appraisal SET level = $1, committee_reason = $2 \
                 WHERE school_id = $3 AND school_year = $4 AND teacher_id = $5",
            )
            .bind(level.code())
            .bind(reason)
            .bind(school.0)
            .bind(school_year)
            .bind(teacher.0)
            .execute(&mut *tx)
            .await?;
            insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn return_appraisal<'a>(
        &'a self,
        school: SchoolId,
        school_year: i32,
        reason: &'a str,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let reason = reason.trim();
            if reason.is_empty() {
                return Err(StoreError::Refused("请写明退回的理由".into()));
            }
            let mut tx = self.begin_write().await?;
            let r = Self::load_round(&mut *tx, school, school_year)
                .await?
                .ok_or(StoreError::NotFound)?;
            if r.state != AppraisalState::Publicity {
                return Err(StoreError::Refused(format!(
                    "考核结果{}，只有公示中的结果可以退回",
                    r.state.label_zh()
                )));
            }
            sqlx::query(
                "UPDATE staff_appraisal_round SET state = 'draft', publicity_until = NULL, \
                 return_reason = $1, updated_by = $2, updated_at = $3 \
                 WHERE school_id = $4 AND school_year = $5",
            )
            .bind(reason)
            .bind(&audit.username)
            .bind(audit.at)
            .bind(school.0)
            .bind(school_year)
            .execute(&mut *tx)
            .await?;
            insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn set_pooled_levels<'a>(
        &'a self,
        school_year: i32,
        levels: &'a [(SchoolId, TeacherId, Level)],
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut tx = self.begin_write().await?;
            let mut checked: Vec<SchoolId> = Vec::new();
            for (school, teacher, level) in levels {
                if !checked.contains(school) {
                    let r = Self::load_round(&mut *tx, *school, school_year)
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    if r.state != AppraisalState::Draft {
                        return Err(StoreError::Refused(format!(
                            "学校 {} 的考核结果{}，不能再参加区统筹",
                            school.0,
                            r.state.label_zh()
                        )));
                    }
                    checked.push(*school);
                }
                sqlx::query(
                    "UPDATE staff_appraisal SET level = $1, committee_reason = NULL \
                     WHERE school_id = $2 AND school_year = $3 AND teacher_id = $4",
                )
                .bind(level.code())
                .bind(school.0)
                .bind(school_year)
                .bind(teacher.0)
                .execute(&mut *tx)
                .await?;
            }
            insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            Ok(())
        })
    }
}
