//! PsychStore for both backends (included by `sqlite.rs` and `postgres.rs`).
// Row tuples are spelled out as sqlx reads them, next to the query that selects them.
#![allow(clippy::type_complexity)]

use std::collections::{BTreeMap, HashMap};

use wuyu_domain::{
    ClassId, FlagsToken, Grade, Location, PsychToken, RowError, SchoolId, Scope, Stage, StudentId,
};
use wuyu_standards::scales::{AttentionLevel, BuiltinScale, ScreeningAnswers, ScreeningResult};

use super::{Db, This};
use crate::backend::corrupt;
use crate::model::{AuditRow, ImportMeta};
use crate::psych::scales::CustomAnswers;
use crate::psych::*;
use crate::{StoreError, StoreFuture};

pub(crate) type Tx = sqlx::Transaction<'static, Db>;

pub(crate) fn class_label(grade: i32, name: &str) -> String {
    let g = u8::try_from(grade)
        .ok()
        .and_then(|g| Grade::new(g).ok())
        .map_or_else(|| format!("{grade}年级"), |g| g.label_zh().to_string());
    format!("{g}{name}")
}

fn scales_text(s: &[BuiltinScale]) -> String {
    s.iter().map(|b| b.code()).collect::<Vec<_>>().join(",")
}

fn parse_scales(s: &str) -> Result<Vec<BuiltinScale>, StoreError> {
    s.split(',')
        .filter(|t| !t.is_empty())
        .map(|t| BuiltinScale::parse(t).ok_or_else(|| corrupt("psych_campaign.scales", t)))
        .collect()
}

fn parse_grades(s: &str) -> Result<Vec<u8>, StoreError> {
    s.split(',')
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<u8>()
                .map_err(|e| corrupt("psych_campaign.grades", e))
        })
        .collect()
}

pub(crate) const CAMPAIGN_COLS: &str = "id, school_id, name, school_year, scales, grades, \
     opens_on, closes_on, custom_scale_code, custom_scale_version";

pub(crate) type CampaignTuple = (
    i64,
    i64,
    String,
    i32,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<i32>,
);

pub(crate) fn campaign(r: CampaignTuple) -> Result<Campaign, StoreError> {
    Ok(Campaign {
        id: r.0,
        school_id: SchoolId(r.1),
        name: r.2,
        school_year: r.3,
        scales: parse_scales(&r.4)?,
        grades: parse_grades(&r.5)?,
        opens_on: r.6,
        closes_on: r.7,
        custom_scale: match (r.8, r.9) {
            (Some(code), Some(version)) => Some(crate::psych::scales::ScaleRef { code, version }),
            _ => None,
        },
    })
}

pub(crate) async fn campaign_of(
    conn: &mut sqlx::pool::PoolConnection<Db>,
    school: SchoolId,
    id: i64,
) -> Result<Campaign, StoreError> {
    let r: Option<CampaignTuple> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CAMPAIGN_COLS} FROM psych_campaign WHERE school_id = $1 AND id = $2"
    )))
    .bind(school.0)
    .bind(id)
    .fetch_optional(&mut **conn)
    .await?;
    campaign(r.ok_or(StoreError::NotFound)?)
}

/// The (school, campaign, student, answers, scored) columns of a response row.
const RESPONSE_SELECT: &str = "SELECT r.campaign_id, c.name, r.student_id, s.student_no, s.name, \
     r.class_id, k.grade, k.name, r.answers, r.level, r.incomplete, r.submitted_at \
     FROM psych_response r \
     JOIN psych_campaign c ON c.school_id = r.school_id AND c.id = r.campaign_id \
     JOIN student s ON s.school_id = r.school_id AND s.id = r.student_id \
     JOIN school_class k ON k.school_id = r.school_id AND k.id = r.class_id";

type ResponseTuple = (
    i64,
    String,
    i64,
    String,
    String,
    i64,
    i32,
    String,
    String,
    i32,
    bool,
    i64,
);

/// Stored answers and results together, so one JSON column restores both exactly.
#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    answers: ScreeningAnswers,
    result: ScreeningResult,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    custom: Option<CustomAnswers>,
}

/// Writes one scored response inside `tx`: (school, campaign, student, class).
pub(crate) async fn insert_response_tx(
    tx: &mut Tx,
    (school, campaign_id, student, class): (SchoolId, i64, i64, i64),
    answers: &ScreeningAnswers,
    res: &ScreeningResult,
    custom: Option<&CustomAnswers>,
    at: i64,
    import_id: Option<i64>,
) -> Result<(), StoreError> {
    let stored = stored_json(answers, res, custom)?;
    sqlx::query(
        "INSERT INTO psych_response (school_id, campaign_id, student_id, class_id, \
         answers, phq_total, phq_band, phq_item9, gad_total, gad_band, asq_result, \
         level, incomplete, submitted_at, import_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(school.0)
    .bind(campaign_id)
    .bind(student)
    .bind(class)
    .bind(stored)
    .bind(res.phq.and_then(|p| p.total).map(i32::from))
    .bind(res.phq.and_then(|p| p.band).map(|b| b.code()))
    .bind(res.phq.and_then(|p| p.item9).map(i32::from))
    .bind(res.gad.and_then(|g| g.total).map(i32::from))
    .bind(res.gad.and_then(|g| g.band).map(|b| b.code()))
    .bind(res.asq.map(|a| a.code()))
    .bind(i32::from(res.level.number()))
    .bind(res.incomplete)
    .bind(at)
    .bind(import_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The stored JSON of a response: its answers and result.
pub(crate) fn stored_json(
    answers: &ScreeningAnswers,
    result: &ScreeningResult,
    custom: Option<&CustomAnswers>,
) -> Result<String, StoreError> {
    serde_json::to_string(&Stored {
        answers: *answers,
        result: *result,
        custom: custom.cloned(),
    })
    .map_err(|e| corrupt("psych answers", e))
}

/// Reads the stored JSON of a response back.
pub(crate) fn parse_stored(
    what: &str,
    json: &str,
) -> Result<(ScreeningAnswers, ScreeningResult), StoreError> {
    let s: Stored = serde_json::from_str(json).map_err(|e| corrupt(what, e))?;
    Ok((s.answers, s.result))
}

/// Replaces a response's answers and scores inside `tx` (a correction; the caller keeps the
/// values before). The submission time stays: it is when the student answered.
pub(crate) async fn replace_response_tx(
    tx: &mut Tx,
    (school, campaign_id, student): (SchoolId, i64, i64),
    answers: &ScreeningAnswers,
    res: &ScreeningResult,
) -> Result<(), StoreError> {
    // The custom scale's answers are not part of a correction: they stay as submitted.
    let (old,): (String,) = sqlx::query_as(
        "SELECT answers FROM psych_response \
         WHERE school_id = $1 AND campaign_id = $2 AND student_id = $3",
    )
    .bind(school.0)
    .bind(campaign_id)
    .bind(student)
    .fetch_one(&mut **tx)
    .await?;
    let old: Stored =
        serde_json::from_str(&old).map_err(|e| corrupt("psych_response.answers", e))?;
    sqlx::query(
        "UPDATE psych_response SET answers = $4, phq_total = $5, phq_band = $6, phq_item9 = $7, \
         gad_total = $8, gad_band = $9, asq_result = $10, level = $11, incomplete = $12 \
         WHERE school_id = $1 AND campaign_id = $2 AND student_id = $3",
    )
    .bind(school.0)
    .bind(campaign_id)
    .bind(student)
    .bind(stored_json(answers, res, old.custom.as_ref())?)
    .bind(res.phq.and_then(|p| p.total).map(i32::from))
    .bind(res.phq.and_then(|p| p.band).map(|b| b.code()))
    .bind(res.phq.and_then(|p| p.item9).map(i32::from))
    .bind(res.gad.and_then(|g| g.total).map(i32::from))
    .bind(res.gad.and_then(|g| g.band).map(|b| b.code()))
    .bind(res.asq.map(|a| a.code()))
    .bind(i32::from(res.level.number()))
    .bind(res.incomplete)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn response(r: ResponseTuple) -> Result<ResponseRow, StoreError> {
    let stored: Stored =
        serde_json::from_str(&r.8).map_err(|e| corrupt("psych_response.answers", e))?;
    Ok(ResponseRow {
        campaign_id: r.0,
        campaign_name: r.1,
        student_id: StudentId(r.2),
        student_no: r.3,
        student_name: r.4,
        class_id: ClassId(r.5),
        class_label: class_label(r.6, &r.7),
        answers: stored.answers,
        result: stored.result,
        custom: stored.custom,
        submitted_at: r.11,
    })
}

const CASE_SELECT: &str = "SELECT p.id, p.school_id, p.student_id, s.name, s.class_id, k.grade, \
     k.name, p.campaign_id, p.opened_at, p.opened_by, p.status, p.outcome, p.closed_at \
     FROM psych_case p \
     JOIN student s ON s.school_id = p.school_id AND s.id = p.student_id \
     JOIN school_class k ON k.school_id = s.school_id AND k.id = s.class_id";

type CaseTuple = (
    i64,
    i64,
    i64,
    String,
    i64,
    i32,
    String,
    Option<i64>,
    i64,
    String,
    String,
    Option<String>,
    Option<i64>,
);

type StepTuple = (
    i64,
    i32,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    String,
    Option<String>,
);

fn step(r: &StepTuple) -> Result<CaseStep, StoreError> {
    Ok(CaseStep {
        seq: r.1,
        kind: StepKind::from_code(&r.2).ok_or_else(|| corrupt("psych_case_step.kind", &r.2))?,
        assignee: Assignee::from_code(&r.3)
            .ok_or_else(|| corrupt("psych_case_step.assignee", &r.3))?,
        due_at: r.4,
        done_at: r.5,
        done_by: r.6.clone(),
        note: r.7.clone(),
        institution: r.8.clone(),
    })
}

impl This {
    /// Cases of one school matching `filter` (an SQL condition on `p`, binding $2 if used),
    /// with their steps.
    async fn psych_cases_where(
        &self,
        school: SchoolId,
        filter: &str,
        arg: Option<i64>,
    ) -> Result<Vec<CaseRow>, StoreError> {
        let sql = format!(
            "{CASE_SELECT} WHERE p.school_id = $1 {filter} \
             ORDER BY CASE WHEN p.status = 'open' THEN 0 ELSE 1 END, p.opened_at DESC, p.id DESC"
        );
        let mut q = sqlx::query_as::<_, CaseTuple>(sqlx::AssertSqlSafe(sql)).bind(school.0);
        if let Some(a) = arg {
            q = q.bind(a);
        }
        let rows = q.fetch_all(&self.pool).await?;
        let steps: Vec<StepTuple> = sqlx::query_as(
            "SELECT case_id, seq, kind, assignee, due_at, done_at, done_by, note, institution \
             FROM psych_case_step WHERE school_id = $1 ORDER BY case_id, seq",
        )
        .bind(school.0)
        .fetch_all(&self.pool)
        .await?;
        let mut by_case: HashMap<i64, Vec<CaseStep>> = HashMap::new();
        for s in &steps {
            by_case.entry(s.0).or_default().push(step(s)?);
        }
        Ok(rows
            .into_iter()
            .map(|r| CaseRow {
                id: r.0,
                school_id: SchoolId(r.1),
                student_id: StudentId(r.2),
                student_name: r.3,
                class_id: ClassId(r.4),
                class_label: class_label(r.5, &r.6),
                campaign_id: r.7,
                opened_at: r.8,
                opened_by: r.9,
                closed: r.10 == "closed",
                outcome: r.11,
                closed_at: r.12,
                steps: by_case.remove(&r.0).unwrap_or_default(),
            })
            .collect())
    }

    /// Opens a case with its initial steps inside `tx`.
    pub(crate) async fn psych_open_case_tx(
        tx: &mut Tx,
        school: SchoolId,
        student: i64,
        campaign: Option<i64>,
        by: &str,
        at: i64,
    ) -> Result<i64, StoreError> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO psych_case (school_id, id, student_id, campaign_id, opened_at, opened_by, status) \
             SELECT $1, COALESCE(MAX(id), 0) + 1, $2, $3, $4, $5, 'open' FROM psych_case RETURNING id",
        )
        .bind(school.0)
        .bind(student)
        .bind(campaign)
        .bind(at)
        .bind(by)
        .fetch_one(&mut **tx)
        .await?;
        for (seq, (kind, assignee, due)) in initial_steps(at).into_iter().enumerate() {
            sqlx::query(
                "INSERT INTO psych_case_step (school_id, case_id, seq, kind, assignee, due_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(school.0)
            .bind(id)
            .bind(seq as i32 + 1)
            .bind(kind.code())
            .bind(assignee.code())
            .bind(due)
            .execute(&mut **tx)
            .await?;
        }
        Ok(id)
    }

    async fn psych_case_status(&self, school: SchoolId, case: i64) -> Result<String, StoreError> {
        let r: Option<(String,)> =
            sqlx::query_as("SELECT status FROM psych_case WHERE school_id = $1 AND id = $2")
                .bind(school.0)
                .bind(case)
                .fetch_optional(&self.pool)
                .await?;
        Ok(r.ok_or(StoreError::NotFound)?.0)
    }
}

fn consent_row(
    r: (i64, String, i64, String, String, bool, String, String),
) -> Result<ConsentRow, StoreError> {
    Ok(ConsentRow {
        campaign_id: r.0,
        campaign_name: r.1,
        student_id: StudentId(r.2),
        student_name: r.3,
        guardian: GuardianConsent::from_code(&r.4)
            .ok_or_else(|| corrupt("psych_consent.guardian", &r.4))?,
        assent: r.5,
        decided_on: r.6,
        channel: ConsentChannel::from_code(&r.7)
            .ok_or_else(|| corrupt("psych_consent.channel", &r.7))?,
    })
}

const CONSENT_SELECT: &str = "SELECT n.campaign_id, c.name, n.student_id, s.name, n.guardian, \
     n.assent, n.decided_on, n.channel FROM psych_consent n \
     JOIN psych_campaign c ON c.school_id = n.school_id AND c.id = n.campaign_id \
     JOIN student s ON s.school_id = n.school_id AND s.id = n.student_id";

impl PsychStore for This {
    fn create_campaign<'a>(
        &'a self,
        token: &'a PsychToken,
        c: &'a NewCampaign,
    ) -> StoreFuture<'a, i64> {
        Box::pin(async move {
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO psych_campaign (school_id, id, name, school_year, scales, grades, \
                 opens_on, closes_on, created_by, created_at, custom_scale_code, \
                 custom_scale_version) \
                 SELECT $1, COALESCE(MAX(id), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 \
                 FROM psych_campaign RETURNING id",
            )
            .bind(token.school().0)
            .bind(&c.name)
            .bind(c.school_year)
            .bind(scales_text(&c.scales))
            .bind(
                c.grades
                    .iter()
                    .map(u8::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            )
            .bind(&c.opens_on)
            .bind(&c.closes_on)
            .bind(&c.created_by)
            .bind(c.created_at)
            .bind(c.custom_scale.as_ref().map(|s| s.code.clone()))
            .bind(c.custom_scale.as_ref().map(|s| s.version))
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    fn campaigns<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
    ) -> StoreFuture<'a, Vec<Campaign>> {
        Box::pin(async move {
            let allowed = match scope {
                Scope::District => true,
                Scope::School { school_id } | Scope::Counsellor { school_id } => {
                    *school_id == school
                }
                _ => false,
            };
            if !allowed {
                return Err(StoreError::Forbidden);
            }
            let rows: Vec<CampaignTuple> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {CAMPAIGN_COLS} FROM psych_campaign WHERE school_id = $1 \
                     ORDER BY opens_on DESC, id DESC"
            )))
            .bind(school.0)
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter().map(campaign).collect()
        })
    }

    fn record_consent<'a>(
        &'a self,
        token: &'a PsychToken,
        c: &'a NewConsent,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let school = token.school();
            let mut conn = self.pool.acquire().await?;
            campaign_of(&mut conn, school, c.campaign_id).await?;
            let known: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM student WHERE school_id = $1 AND id = $2")
                    .bind(school.0)
                    .bind(c.student_id.0)
                    .fetch_optional(&mut *conn)
                    .await?;
            if known.is_none() {
                return Err(StoreError::NotFound);
            }
            sqlx::query(
                "INSERT INTO psych_consent (school_id, campaign_id, student_id, guardian, assent, \
                 decided_on, channel, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (school_id, campaign_id, student_id) DO UPDATE SET \
                 guardian = excluded.guardian, assent = excluded.assent, \
                 decided_on = excluded.decided_on, channel = excluded.channel, \
                 recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
            )
            .bind(school.0)
            .bind(c.campaign_id)
            .bind(c.student_id.0)
            .bind(c.guardian.code())
            .bind(c.assent)
            .bind(&c.decided_on)
            .bind(c.channel.code())
            .bind(&c.recorded_by)
            .bind(c.recorded_at)
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    }

    fn consents<'a>(
        &'a self,
        token: &'a PsychToken,
        campaign: i64,
    ) -> StoreFuture<'a, Vec<ConsentRow>> {
        Box::pin(async move {
            let rows: Vec<(i64, String, i64, String, String, bool, String, String)> =
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "{CONSENT_SELECT} WHERE n.school_id = $1 AND n.campaign_id = $2 \
                     ORDER BY s.student_no"
                )))
                .bind(token.school().0)
                .bind(campaign)
                .fetch_all(&self.pool)
                .await?;
            rows.into_iter().map(consent_row).collect()
        })
    }

    fn child_consents<'a>(
        &'a self,
        scope: &'a Scope,
        student: StudentId,
    ) -> StoreFuture<'a, Vec<ConsentRow>> {
        Box::pin(async move {
            let Scope::Parent {
                school_id,
                student_ids,
            } = scope
            else {
                return Err(StoreError::Forbidden);
            };
            if !student_ids.contains(&student) {
                return Err(StoreError::Forbidden);
            }
            let rows: Vec<(i64, String, i64, String, String, bool, String, String)> =
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "{CONSENT_SELECT} WHERE n.school_id = $1 AND n.student_id = $2 \
                     ORDER BY n.campaign_id DESC"
                )))
                .bind(school_id.0)
                .bind(student.0)
                .fetch_all(&self.pool)
                .await?;
            rows.into_iter().map(consent_row).collect()
        })
    }

    fn import_responses<'a>(
        &'a self,
        token: &'a PsychToken,
        campaign_id: i64,
        rows: &'a [NewResponse],
        meta: &'a ImportMeta,
    ) -> StoreFuture<'a, ResponseImportSummary> {
        Box::pin(async move {
            let school = token.school();
            let _guard = self.write_lock.lock().await;
            let camp = {
                let mut conn = self.pool.acquire().await?;
                campaign_of(&mut conn, school, campaign_id).await?
            };
            let mut tx = self.begin_write().await?;
            let students: Vec<(String, i64, i64, i32)> = sqlx::query_as(
                "SELECT s.student_no, s.id, s.class_id, k.grade FROM student s \
                 JOIN school_class k ON k.school_id = s.school_id AND k.id = s.class_id \
                 WHERE s.school_id = $1",
            )
            .bind(school.0)
            .fetch_all(&mut *tx)
            .await?;
            let by_no: HashMap<&str, (i64, i64, i32)> = students
                .iter()
                .map(|(no, id, class, grade)| (no.as_str(), (*id, *class, *grade)))
                .collect();
            let consent: Vec<(i64, String, bool)> = sqlx::query_as(
                "SELECT student_id, guardian, assent FROM psych_consent \
                 WHERE school_id = $1 AND campaign_id = $2",
            )
            .bind(school.0)
            .bind(campaign_id)
            .fetch_all(&mut *tx)
            .await?;
            let consented: HashMap<i64, bool> = consent
                .into_iter()
                .map(|(s, g, a)| (s, g == "given" && a))
                .collect();
            let done: Vec<(i64,)> = sqlx::query_as(
                "SELECT student_id FROM psych_response WHERE school_id = $1 AND campaign_id = $2",
            )
            .bind(school.0)
            .bind(campaign_id)
            .fetch_all(&mut *tx)
            .await?;
            let done: std::collections::HashSet<i64> = done.into_iter().map(|d| d.0).collect();

            let mut errors = Vec::new();
            let mut summary = ResponseImportSummary::default();
            let mut plan = Vec::new();
            for r in rows {
                let err = |message_zh: String| RowError {
                    file: meta.file_name.clone(),
                    sheet: r.origin.sheet.clone(),
                    row: r.origin.row,
                    column: "学籍号".into(),
                    value: r.student_no.clone(),
                    message_zh,
                };
                let Some(&(student, class, grade)) = by_no.get(r.student_no.as_str()) else {
                    errors.push(err("本校没有这个学籍号的学生".into()));
                    continue;
                };
                if !camp.grades.iter().any(|g| i32::from(*g) == grade) {
                    errors.push(err(format!(
                        "该学生在 {grade} 年级，不在本次筛查“{}”的年级范围内",
                        camp.name
                    )));
                    continue;
                }
                if done.contains(&student) {
                    errors.push(err(
                        "该学生在本次筛查中已提交过答卷，不能重复提交（如需更正请联系心理教师）"
                            .into(),
                    ));
                    continue;
                }
                if !consented.get(&student).copied().unwrap_or(false) {
                    summary
                        .refused_no_consent
                        .push((r.origin.row, r.student_no.clone()));
                    continue;
                }
                plan.push((r, student, class));
            }
            if !errors.is_empty() {
                tx.rollback().await?;
                return Err(StoreError::Rejected(errors));
            }
            let summary_json = serde_json::json!({
                "campaign": campaign_id,
                "written": plan.len(),
                "refused_no_consent": summary.refused_no_consent.len(),
            })
            .to_string();
            let (import_id,): (i64,) = sqlx::query_as(
                "INSERT INTO import_record (at, username, kind, file_name, file_sha256, records, summary) \
                 VALUES ($1, $2, 'psych_responses', $3, $4, $5, $6) RETURNING id",
            )
            .bind(meta.at)
            .bind(&meta.username)
            .bind(&meta.file_name)
            .bind(&meta.file_sha256)
            .bind(plan.len() as i64)
            .bind(summary_json)
            .fetch_one(&mut *tx)
            .await?;
            for (r, student, class) in &plan {
                let res = &r.result;
                insert_response_tx(
                    &mut tx,
                    (school, campaign_id, *student, *class),
                    &r.answers,
                    res,
                    r.custom.as_ref(),
                    meta.at,
                    Some(import_id),
                )
                .await?;
                summary.by_level[res.level.number() as usize] += 1;
                if res.level == AttentionLevel::Crisis {
                    Self::psych_open_case_tx(
                        &mut tx,
                        school,
                        *student,
                        Some(campaign_id),
                        "自动（筛查结果为危机）",
                        meta.at,
                    )
                    .await?;
                    summary.cases_opened += 1;
                }
            }
            tx.commit().await?;
            summary.written = plan.len();
            Ok(summary)
        })
    }

    fn responses<'a>(
        &'a self,
        token: &'a PsychToken,
        campaign: i64,
    ) -> StoreFuture<'a, Vec<ResponseRow>> {
        Box::pin(async move {
            let rows: Vec<ResponseTuple> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{RESPONSE_SELECT} WHERE r.school_id = $1 AND r.campaign_id = $2 \
                 ORDER BY r.level DESC, s.student_no"
            )))
            .bind(token.school().0)
            .bind(campaign)
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter().map(response).collect()
        })
    }

    fn student_record<'a>(
        &'a self,
        access: RecordAccess<'a>,
        student: StudentId,
    ) -> StoreFuture<'a, StudentPsychRecord> {
        Box::pin(async move {
            if let RecordAccess::BreakGlass(t) = access
                && t.student() != student
            {
                return Err(StoreError::Forbidden);
            }
            let school = access.school();
            let known: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM student WHERE school_id = $1 AND id = $2")
                    .bind(school.0)
                    .bind(student.0)
                    .fetch_optional(&self.pool)
                    .await?;
            if known.is_none() {
                return Err(StoreError::NotFound);
            }
            let rows: Vec<ResponseTuple> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{RESPONSE_SELECT} WHERE r.school_id = $1 AND r.student_id = $2 \
                 ORDER BY r.submitted_at DESC"
            )))
            .bind(school.0)
            .bind(student.0)
            .fetch_all(&self.pool)
            .await?;
            let responses = rows.into_iter().map(response).collect::<Result<_, _>>()?;
            let cases = self
                .psych_cases_where(school, "AND p.student_id = $2", Some(student.0))
                .await?;
            // Only the columns a mark shows are read: the notes never leave the table here.
            let marks: Vec<(i64, String, String, String)> = sqlx::query_as(
                "SELECT s.case_id, s.held_on, s.kind, s.recorded_by FROM psych_session s \
                 JOIN psych_case c ON c.school_id = s.school_id AND c.id = s.case_id \
                 WHERE s.school_id = $1 AND c.student_id = $2 ORDER BY s.held_on, s.case_id, s.seq",
            )
            .bind(school.0)
            .bind(student.0)
            .fetch_all(&self.pool)
            .await?;
            let sessions = marks
                .into_iter()
                .map(|(case_id, held_on, kind, recorded_by)| {
                    Ok(SessionMark {
                        case_id,
                        kind: crate::psych_work::CounsellingKind::from_code(&kind)
                            .ok_or_else(|| corrupt("psych_session.kind", &kind))?,
                        held_on,
                        recorded_by,
                    })
                })
                .collect::<Result<_, StoreError>>()?;
            Ok(StudentPsychRecord {
                responses,
                cases,
                sessions,
            })
        })
    }

    fn cases<'a>(&'a self, token: &'a PsychToken) -> StoreFuture<'a, Vec<CaseRow>> {
        Box::pin(async move { self.psych_cases_where(token.school(), "", None).await })
    }

    fn open_case<'a>(
        &'a self,
        token: &'a PsychToken,
        student: StudentId,
        by: &'a str,
        at: i64,
    ) -> StoreFuture<'a, i64> {
        Box::pin(async move {
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let known: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM student WHERE school_id = $1 AND id = $2")
                    .bind(token.school().0)
                    .bind(student.0)
                    .fetch_optional(&mut *tx)
                    .await?;
            if known.is_none() {
                return Err(StoreError::NotFound);
            }
            let id =
                Self::psych_open_case_tx(&mut tx, token.school(), student.0, None, by, at).await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    fn complete_step<'a>(
        &'a self,
        token: &'a PsychToken,
        case: i64,
        seq: i32,
        done: &'a StepDone,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            if self.psych_case_status(token.school(), case).await? == "closed" {
                return Err(StoreError::Conflict("个案已结案，不能再修改步骤".into()));
            }
            let r = sqlx::query(
                "UPDATE psych_case_step SET done_at = $4, done_by = $5, note = $6, \
                 institution = $7 WHERE school_id = $1 AND case_id = $2 AND seq = $3 \
                 AND done_at IS NULL",
            )
            .bind(token.school().0)
            .bind(case)
            .bind(seq)
            .bind(done.at)
            .bind(&done.by)
            .bind(&done.note)
            .bind(&done.institution)
            .execute(&self.pool)
            .await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::Conflict("该步骤不存在或已完成".into()));
            }
            Ok(())
        })
    }

    fn add_step<'a>(
        &'a self,
        token: &'a PsychToken,
        case: i64,
        kind: StepKind,
        assignee: Assignee,
        due_at: i64,
    ) -> StoreFuture<'a, i32> {
        Box::pin(async move {
            if self.psych_case_status(token.school(), case).await? == "closed" {
                return Err(StoreError::Conflict("个案已结案，不能再添加步骤".into()));
            }
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let (seq,): (i32,) = sqlx::query_as(
                "INSERT INTO psych_case_step (school_id, case_id, seq, kind, assignee, due_at) \
                 SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, $4, $5 FROM psych_case_step \
                 WHERE school_id = $1 AND case_id = $2 RETURNING seq",
            )
            .bind(token.school().0)
            .bind(case)
            .bind(kind.code())
            .bind(assignee.code())
            .bind(due_at)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(seq)
        })
    }

    fn close_case<'a>(
        &'a self,
        token: &'a PsychToken,
        case: i64,
        outcome: &'a str,
        by: &'a str,
        at: i64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            if outcome.trim().is_empty() {
                return Err(StoreError::Conflict("结案必须填写结果".into()));
            }
            if self.psych_case_status(token.school(), case).await? == "closed" {
                return Err(StoreError::Conflict("个案已结案".into()));
            }
            sqlx::query(
                "UPDATE psych_case SET status = 'closed', outcome = $3, closed_by = $4, \
                 closed_at = $5 WHERE school_id = $1 AND id = $2",
            )
            .bind(token.school().0)
            .bind(case)
            .bind(outcome.trim())
            .bind(by)
            .bind(at)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
    }

    fn class_flags<'a>(&'a self, token: &'a FlagsToken) -> StoreFuture<'a, Vec<FlagRow>> {
        Box::pin(async move {
            let school = token.school();
            let mut out: BTreeMap<(i64, i64), FlagRow> = BTreeMap::new();
            for class in token.classes() {
                // Each student's latest response in this class; levels ≥ 1 only. A campaign of
                // a district scale alone counts only when the district's mappings raised a
                // level: its 0 must not hide a built-in screening's flag.
                let rows: Vec<(i64, String, i32, String, String, i32, i64)> = sqlx::query_as(
                    "SELECT s.id, s.name, k.grade, k.name, c.name, r.level, r.submitted_at \
                     FROM psych_response r \
                     JOIN student s ON s.school_id = r.school_id AND s.id = r.student_id \
                     JOIN school_class k ON k.school_id = s.school_id AND k.id = s.class_id \
                     JOIN psych_campaign c ON c.school_id = r.school_id AND c.id = r.campaign_id \
                     WHERE r.school_id = $1 AND s.class_id = $2 AND (c.scales <> '' OR r.level > 0) \
                     ORDER BY s.id, r.submitted_at DESC, r.campaign_id DESC",
                )
                .bind(school.0)
                .bind(class.0)
                .fetch_all(&self.pool)
                .await?;
                for r in rows {
                    let key = (class.0, r.0);
                    if out.contains_key(&key) || r.5 == 0 {
                        if r.5 == 0 {
                            out.entry(key).or_insert_with(|| FlagRow {
                                student_id: StudentId(r.0),
                                student_name: String::new(),
                                class_id: *class,
                                class_label: String::new(),
                                campaign_name: String::new(),
                                level: AttentionLevel::None,
                                tasks: Vec::new(),
                            });
                        }
                        continue;
                    }
                    out.insert(
                        key,
                        FlagRow {
                            student_id: StudentId(r.0),
                            student_name: r.1,
                            class_id: *class,
                            class_label: class_label(r.2, &r.3),
                            campaign_name: r.4,
                            level: AttentionLevel::from_number(r.5 as u8)
                                .ok_or_else(|| corrupt("psych_response.level", r.5))?,
                            tasks: Vec::new(),
                        },
                    );
                }
                let tasks: Vec<StepTuple> = sqlx::query_as(
                    "SELECT p.student_id, t.seq, t.kind, t.assignee, t.due_at, t.done_at, \
                     t.done_by, t.note, t.institution FROM psych_case_step t \
                     JOIN psych_case p ON p.school_id = t.school_id AND p.id = t.case_id \
                     JOIN student s ON s.school_id = p.school_id AND s.id = p.student_id \
                     WHERE t.school_id = $1 AND s.class_id = $2 AND p.status = 'open' \
                     AND t.assignee = 'head_teacher' AND t.done_at IS NULL \
                     ORDER BY t.due_at",
                )
                .bind(school.0)
                .bind(class.0)
                .fetch_all(&self.pool)
                .await?;
                for t in &tasks {
                    if let Some(row) = out.get_mut(&(class.0, t.0)) {
                        row.tasks.push(step(t)?);
                    }
                }
            }
            // The latest result of 0 hides the student (placeholders have no name).
            Ok(out
                .into_values()
                .filter(|r| r.level != AttentionLevel::None)
                .collect())
        })
    }

    fn psych_counts<'a>(
        &'a self,
        scope: &'a Scope,
        school_year: i32,
    ) -> StoreFuture<'a, Vec<PsychSchoolCounts>> {
        Box::pin(async move {
            let only = match scope {
                Scope::District => None,
                Scope::School { school_id } | Scope::Counsellor { school_id } => Some(*school_id),
                _ => return Err(StoreError::Forbidden),
            };
            let schools: Vec<(i64, String, String, String)> = sqlx::query_as(
                "SELECT id, name, stage, location FROM school \
                 WHERE ($1 IS NULL OR id = $1) ORDER BY code",
            )
            .bind(only.map(|s| s.0))
            .fetch_all(&self.pool)
            .await?;
            let levels: Vec<(i64, i32, i64)> = sqlx::query_as(
                "SELECT r.school_id, r.level, COUNT(*) FROM psych_response r \
                 JOIN psych_campaign c ON c.school_id = r.school_id AND c.id = r.campaign_id \
                 WHERE c.school_year = $1 AND ($2 IS NULL OR r.school_id = $2) \
                 AND c.scales <> '' \
                 GROUP BY r.school_id, r.level",
            )
            .bind(school_year)
            .bind(only.map(|s| s.0))
            .fetch_all(&self.pool)
            .await?;
            let consents: Vec<(i64, bool, i64)> = sqlx::query_as(
                "SELECT n.school_id, (n.guardian = 'given' AND n.assent), COUNT(*) \
                 FROM psych_consent n \
                 JOIN psych_campaign c ON c.school_id = n.school_id AND c.id = n.campaign_id \
                 WHERE c.school_year = $1 AND ($2 IS NULL OR n.school_id = $2) \
                 AND c.scales <> '' \
                 GROUP BY n.school_id, (n.guardian = 'given' AND n.assent)",
            )
            .bind(school_year)
            .bind(only.map(|s| s.0))
            .fetch_all(&self.pool)
            .await?;
            schools
                .into_iter()
                .map(|(id, name, stage, location)| {
                    let mut by_level = [0i64; 4];
                    for (s, l, n) in &levels {
                        if *s == id && (0..4).contains(l) {
                            by_level[*l as usize] += n;
                        }
                    }
                    let count = |yes: bool| {
                        consents
                            .iter()
                            .filter(|(s, c, _)| *s == id && *c == yes)
                            .map(|(_, _, n)| n)
                            .sum::<i64>()
                    };
                    Ok(PsychSchoolCounts {
                        school_id: SchoolId(id),
                        school_name: name,
                        stage: Stage::parse(&stage).map_err(|e| corrupt("school.stage", e))?,
                        location: Location::parse(&location)
                            .map_err(|e| corrupt("school.location", e))?,
                        consented: count(true),
                        not_consented: count(false),
                        by_level,
                    })
                })
                .collect()
        })
    }

    fn break_glass_log<'a>(&'a self, token: &'a PsychToken) -> StoreFuture<'a, Vec<AuditRow>> {
        Box::pin(async move {
            self.settle_audit().await;
            let rows: Vec<crate::audit::AuditTuple> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{} WHERE action = 'psych_break_glass' AND school_id = $1 \
                 ORDER BY id DESC LIMIT 200",
                crate::audit::AUDIT_SELECT
            )))
            .bind(token.school().0)
            .fetch_all(&self.pool)
            .await?;
            let rows = rows.into_iter().map(crate::audit::audit_row).collect();
            let school = token.school();
            super::audit::with_queued(
                self,
                rows,
                |_, e| e.action == "psych_break_glass" && e.school_id == Some(school),
                200,
            )
            .await
        })
    }
}
