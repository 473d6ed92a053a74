//! PsychWorkStore for both backends (included by `sqlite.rs` and `postgres.rs`).
#![allow(clippy::type_complexity)]

use std::collections::{HashMap, HashSet};

use wuyu_domain::{ClassId, PsychToken, SchoolId, Scope, StudentId};
use wuyu_standards::scales::{AttentionLevel, ScreeningAnswers, ScreeningResult};

use super::This;
use super::psych::{
    CAMPAIGN_COLS, CampaignTuple, campaign, campaign_of, class_label, insert_response_tx,
    parse_stored, replace_response_tx,
};
use crate::backend::corrupt;
use crate::psych::Campaign;
use crate::psych_work::*;
use crate::{StoreError, StoreFuture};

/// The consent condition of screening: the guardian's consent and the student's assent.
const CONSENT_OK: &str = "EXISTS (SELECT 1 FROM psych_consent n WHERE n.school_id = $1 \
     AND n.campaign_id = $2 AND n.student_id = s.id AND n.guardian = 'given' AND n.assent)";

fn level(n: i32) -> Result<AttentionLevel, StoreError> {
    u8::try_from(n)
        .ok()
        .and_then(AttentionLevel::from_number)
        .ok_or_else(|| corrupt("psych level", n))
}

impl PsychWorkStore for This {
    fn correct_response<'a>(
        &'a self,
        token: &'a PsychToken,
        c: &'a NewCorrection,
    ) -> StoreFuture<'a, CorrectionDone> {
        Box::pin(async move {
            let school = token.school();
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let old: Option<(String, i32)> = sqlx::query_as(
                "SELECT answers, level FROM psych_response \
                 WHERE school_id = $1 AND campaign_id = $2 AND student_id = $3",
            )
            .bind(school.0)
            .bind(c.campaign_id)
            .bind(c.student_id.0)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((old_json, old_level)) = old else {
                tx.rollback().await?;
                return Err(StoreError::NotFound);
            };
            let (old_answers, _) = parse_stored("psych_response.answers", &old_json)?;
            if old_answers == c.answers {
                tx.rollback().await?;
                return Err(StoreError::Conflict(
                    "更正后的答案与原答案相同，没有需要更正的内容".into(),
                ));
            }
            let old_level = level(old_level)?;
            let new_level = c.result.level;
            // A correction that raises the level to 3 is a crisis found now: a case opens the
            // same day, unless one is already open for the student. Nothing is ever closed.
            let open_case: Option<(i64,)> = sqlx::query_as(
                "SELECT id FROM psych_case WHERE school_id = $1 AND student_id = $2 \
                 AND status = 'open' LIMIT 1",
            )
            .bind(school.0)
            .bind(c.student_id.0)
            .fetch_optional(&mut *tx)
            .await?;
            let case_opened = if new_level == AttentionLevel::Crisis
                && old_level != AttentionLevel::Crisis
                && open_case.is_none()
            {
                Some(
                    This::psych_open_case_tx(
                        &mut tx,
                        school,
                        c.student_id.0,
                        Some(c.campaign_id),
                        "自动（更正后结果为危机）",
                        c.at,
                    )
                    .await?,
                )
            } else {
                None
            };
            sqlx::query(
                "INSERT INTO psych_correction (school_id, campaign_id, student_id, seq, \
                 old_answers, old_level, new_level, reason, corrected_by, corrected_at, case_id) \
                 SELECT $1, $2, $3, COALESCE(MAX(seq), 0) + 1, $4, $5, $6, $7, $8, $9, $10 \
                 FROM psych_correction WHERE school_id = $1 AND campaign_id = $2 AND student_id = $3",
            )
            .bind(school.0)
            .bind(c.campaign_id)
            .bind(c.student_id.0)
            .bind(&old_json)
            .bind(i32::from(old_level.number()))
            .bind(i32::from(new_level.number()))
            .bind(&c.reason)
            .bind(&c.by)
            .bind(c.at)
            .bind(case_opened)
            .execute(&mut *tx)
            .await?;
            replace_response_tx(
                &mut tx,
                (school, c.campaign_id, c.student_id.0),
                &c.answers,
                &c.result,
            )
            .await?;
            tx.commit().await?;
            Ok(CorrectionDone {
                old_level,
                new_level,
                case_opened,
            })
        })
    }

    fn corrections<'a>(
        &'a self,
        token: &'a PsychToken,
        campaign: i64,
        student: StudentId,
    ) -> StoreFuture<'a, Vec<CorrectionRow>> {
        Box::pin(async move {
            let rows: Vec<(i32, String, i32, String, String, i64, Option<i64>)> = sqlx::query_as(
                "SELECT seq, old_answers, new_level, reason, corrected_by, corrected_at, \
                     case_id FROM psych_correction \
                     WHERE school_id = $1 AND campaign_id = $2 AND student_id = $3 ORDER BY seq",
            )
            .bind(token.school().0)
            .bind(campaign)
            .bind(student.0)
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(|r| {
                    let (old_answers, old_result) =
                        parse_stored("psych_correction.old_answers", &r.1)?;
                    Ok(CorrectionRow {
                        seq: r.0,
                        old_answers,
                        old_result,
                        new_level: level(r.2)?,
                        reason: r.3,
                        corrected_by: r.4,
                        corrected_at: r.5,
                        case_id: r.6,
                    })
                })
                .collect()
        })
    }

    fn psych_indicator_counts<'a>(
        &'a self,
        school_year: i32,
        (from, to): (i64, i64),
        now: i64,
    ) -> StoreFuture<'a, Vec<PsychIndicatorCounts>> {
        Box::pin(async move {
            let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(
                "SELECT sc.id, \
                 (SELECT COUNT(*) FROM student s WHERE s.school_id = sc.id), \
                 (SELECT COUNT(DISTINCT r.student_id) FROM psych_response r \
                  JOIN psych_campaign c ON c.school_id = r.school_id AND c.id = r.campaign_id \
                  WHERE r.school_id = sc.id AND c.school_year = $1), \
                 (SELECT COUNT(*) FROM psych_case p WHERE p.school_id = sc.id \
                  AND p.opened_at >= $2 AND p.opened_at < $3), \
                 (SELECT COUNT(*) FROM psych_case p WHERE p.school_id = sc.id \
                  AND p.opened_at >= $2 AND p.opened_at < $3 AND NOT EXISTS ( \
                    SELECT 1 FROM psych_case_step t WHERE t.school_id = p.school_id \
                    AND t.case_id = p.id AND ((t.done_at IS NOT NULL AND t.done_at > t.due_at) \
                    OR (t.done_at IS NULL AND t.due_at < $4)))) \
                 FROM school sc ORDER BY sc.code",
            )
            .bind(school_year)
            .bind(from)
            .bind(to)
            .bind(now)
            .fetch_all(&self.pool)
            .await?;
            // Consent is counted per grade, then summed over the grades of the school's
            // campaigns of the year (campaign grades are a comma-separated list).
            let campaigns: Vec<(i64, String)> = sqlx::query_as(
                "SELECT school_id, grades FROM psych_campaign WHERE school_year = $1",
            )
            .bind(school_year)
            .fetch_all(&self.pool)
            .await?;
            let mut grades: HashMap<i64, HashSet<i32>> = HashMap::new();
            for (school, list) in campaigns {
                let set = grades.entry(school).or_default();
                for g in list.split(',') {
                    set.insert(
                        g.trim()
                            .parse()
                            .map_err(|e| corrupt("psych_campaign.grades", e))?,
                    );
                }
            }
            // Only schools with a campaign in the year have grades to count: reading every
            // student of a 1,000,000-student district per grade takes half a second.
            let (students, consented) = if grades.is_empty() {
                (Vec::new(), Vec::new())
            } else {
                let students: Vec<(i64, i32, i64)> = sqlx::query_as(
                    "SELECT s.school_id, k.grade, COUNT(*) FROM student s \
                     JOIN school_class k ON k.school_id = s.school_id AND k.id = s.class_id \
                     WHERE s.school_id IN \
                       (SELECT school_id FROM psych_campaign WHERE school_year = $1) \
                     GROUP BY s.school_id, k.grade",
                )
                .bind(school_year)
                .fetch_all(&self.pool)
                .await?;
                let consented: Vec<(i64, i32, i64)> = sqlx::query_as(
                    "SELECT s.school_id, k.grade, COUNT(DISTINCT s.id) FROM psych_consent n \
                     JOIN psych_campaign c ON c.school_id = n.school_id AND c.id = n.campaign_id \
                     JOIN student s ON s.school_id = n.school_id AND s.id = n.student_id \
                     JOIN school_class k ON k.school_id = s.school_id AND k.id = s.class_id \
                     WHERE c.school_year = $1 AND n.guardian = 'given' AND n.assent \
                     GROUP BY s.school_id, k.grade",
                )
                .bind(school_year)
                .fetch_all(&self.pool)
                .await?;
                (students, consented)
            };
            // Today's students with a file by the year's end: a result of a campaign of this
            // year or before, or a session held by 31 August. One pass, not a search per
            // student.
            let filed: HashMap<i64, i64> = sqlx::query_as::<_, (i64, i64)>(
                "SELECT f.school_id, COUNT(DISTINCT f.student_id) FROM ( \
                   SELECT r.school_id, r.student_id FROM psych_response r \
                   JOIN psych_campaign c ON c.school_id = r.school_id AND c.id = r.campaign_id \
                   WHERE c.school_year <= $1 \
                   UNION \
                   SELECT p.school_id, p.student_id FROM psych_session x \
                   JOIN psych_case p ON p.school_id = x.school_id AND p.id = x.case_id \
                   WHERE x.held_on <= $2) f \
                 JOIN student s ON s.school_id = f.school_id AND s.id = f.student_id \
                 GROUP BY f.school_id",
            )
            .bind(school_year)
            .bind(format!("{}-08-31", school_year + 1))
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .collect();
            let in_grades = |rows: &[(i64, i32, i64)], school: i64| -> i64 {
                rows.iter()
                    .filter(|(s, g, _)| {
                        *s == school && grades.get(s).is_some_and(|set| set.contains(g))
                    })
                    .map(|r| r.2)
                    .sum()
            };
            Ok(rows
                .into_iter()
                .map(|r| PsychIndicatorCounts {
                    school_id: SchoolId(r.0),
                    enrolled: r.1,
                    screened: r.2,
                    cases_opened: r.3,
                    cases_in_time: r.4,
                    in_grades: in_grades(&students, r.0),
                    consented: in_grades(&consented, r.0),
                    filed: filed.get(&r.0).copied().unwrap_or(0),
                })
                .collect())
        })
    }

    fn code_students<'a>(
        &'a self,
        token: &'a PsychToken,
        campaign_id: i64,
        class: ClassId,
    ) -> StoreFuture<'a, Vec<CodeStudent>> {
        Box::pin(async move {
            let school = token.school();
            let mut conn = self.pool.acquire().await?;
            let camp = campaign_of(&mut conn, school, campaign_id).await?;
            let k: Option<(i32, String)> = sqlx::query_as(
                "SELECT grade, name FROM school_class WHERE school_id = $1 AND id = $2",
            )
            .bind(school.0)
            .bind(class.0)
            .fetch_optional(&mut *conn)
            .await?;
            let (grade, name) = k.ok_or(StoreError::NotFound)?;
            let label = class_label(grade, &name);
            if !camp.grades.iter().any(|g| i32::from(*g) == grade) {
                return Err(StoreError::Conflict(format!(
                    "{label}不在本次筛查“{}”的年级范围内",
                    camp.name
                )));
            }
            let rows: Vec<(i64, String, String, bool, bool)> =
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT s.id, s.student_no, s.name, \
                     EXISTS (SELECT 1 FROM psych_response r WHERE r.school_id = $1 \
                       AND r.campaign_id = $2 AND r.student_id = s.id), {CONSENT_OK} \
                     FROM student s WHERE s.school_id = $1 AND s.class_id = $3 \
                     ORDER BY s.student_no"
                )))
                .bind(school.0)
                .bind(campaign_id)
                .bind(class.0)
                .fetch_all(&mut *conn)
                .await?;
            Ok(rows
                .into_iter()
                .map(|r| CodeStudent {
                    student_id: StudentId(r.0),
                    student_no: r.1,
                    name: r.2,
                    class_label: label.clone(),
                    answered: r.3,
                    consent_ok: r.4,
                })
                .collect())
        })
    }

    fn issue_codes<'a>(
        &'a self,
        token: &'a PsychToken,
        campaign_id: i64,
        codes: &'a [(StudentId, String)],
        by: &'a str,
        at: i64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let school = token.school();
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            for (student, hash) in codes {
                sqlx::query(
                    "INSERT INTO psych_code (school_id, campaign_id, student_id, code_hash, \
                     issued_by, issued_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (school_id, campaign_id, student_id) DO UPDATE SET \
                     code_hash = excluded.code_hash, issued_by = excluded.issued_by, \
                     issued_at = excluded.issued_at WHERE psych_code.used_at IS NULL",
                )
                .bind(school.0)
                .bind(campaign_id)
                .bind(student.0)
                .bind(hash)
                .bind(by)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn code_target<'a>(&'a self, code_hash: &'a str) -> StoreFuture<'a, Option<CodeTarget>> {
        Box::pin(async move {
            let row: Option<(i64, i64, i64, Option<i64>)> = sqlx::query_as(
                "SELECT school_id, campaign_id, student_id, used_at FROM psych_code \
                 WHERE code_hash = $1",
            )
            .bind(code_hash)
            .fetch_optional(&self.pool)
            .await?;
            let Some((school, campaign_id, student, used_at)) = row else {
                return Ok(None);
            };
            let c: CampaignTuple = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {CAMPAIGN_COLS} FROM psych_campaign WHERE school_id = $1 AND id = $2"
            )))
            .bind(school)
            .bind(campaign_id)
            .fetch_one(&self.pool)
            .await?;
            let (consent_ok,): (bool,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {CONSENT_OK} FROM student s WHERE s.school_id = $1 AND s.id = $3"
            )))
            .bind(school)
            .bind(campaign_id)
            .bind(student)
            .fetch_one(&self.pool)
            .await?;
            Ok(Some(CodeTarget {
                school_id: SchoolId(school),
                campaign: campaign(c)?,
                student_id: StudentId(student),
                used: used_at.is_some(),
                consent_ok,
            }))
        })
    }

    fn submit_with_code<'a>(
        &'a self,
        code_hash: &'a str,
        today: &'a str,
        answers: &'a ScreeningAnswers,
        result: &'a ScreeningResult,
        custom: Option<&'a crate::psych::scales::CustomAnswers>,
        at: i64,
    ) -> StoreFuture<'a, Result<CodeSubmitted, CodeRefusal>> {
        Box::pin(async move {
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let row: Option<(i64, i64, i64, Option<i64>, String, String)> = sqlx::query_as(
                "SELECT k.school_id, k.campaign_id, k.student_id, k.used_at, c.opens_on, \
                 c.closes_on FROM psych_code k JOIN psych_campaign c \
                 ON c.school_id = k.school_id AND c.id = k.campaign_id WHERE k.code_hash = $1",
            )
            .bind(code_hash)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((school, campaign_id, student, used_at, opens, closes)) = row else {
                return Ok(Err(CodeRefusal::Unknown));
            };
            // ISO dates compare as text.
            let refusal = if used_at.is_some() {
                Some(CodeRefusal::Used)
            } else if today < opens.as_str() {
                Some(CodeRefusal::NotOpen)
            } else if today > closes.as_str() {
                Some(CodeRefusal::Expired)
            } else {
                None
            };
            if let Some(r) = refusal {
                tx.rollback().await?;
                return Ok(Err(r));
            }
            let (class, consent_ok, answered): (i64, bool, bool) =
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT s.class_id, {CONSENT_OK}, EXISTS (SELECT 1 FROM psych_response r \
                     WHERE r.school_id = $1 AND r.campaign_id = $2 AND r.student_id = s.id) \
                     FROM student s WHERE s.school_id = $1 AND s.id = $3"
                )))
                .bind(school)
                .bind(campaign_id)
                .bind(student)
                .fetch_one(&mut *tx)
                .await?;
            if !consent_ok {
                tx.rollback().await?;
                return Ok(Err(CodeRefusal::NoConsent));
            }
            if answered {
                // An import already holds this student's answers: the code is spent.
                tx.rollback().await?;
                return Ok(Err(CodeRefusal::Used));
            }
            insert_response_tx(
                &mut tx,
                (SchoolId(school), campaign_id, student, class),
                answers,
                result,
                custom,
                at,
                None,
            )
            .await?;
            let marked = sqlx::query(
                "UPDATE psych_code SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL",
            )
            .bind(at)
            .bind(code_hash)
            .execute(&mut *tx)
            .await?;
            if marked.rows_affected() != 1 {
                tx.rollback().await?;
                return Ok(Err(CodeRefusal::Used));
            }
            let case_opened = result.level == AttentionLevel::Crisis;
            if case_opened {
                This::psych_open_case_tx(
                    &mut tx,
                    SchoolId(school),
                    student,
                    Some(campaign_id),
                    "自动（筛查结果为危机）",
                    at,
                )
                .await?;
            }
            tx.commit().await?;
            Ok(Ok(CodeSubmitted {
                level: result.level,
                case_opened,
            }))
        })
    }

    fn child_campaigns<'a>(
        &'a self,
        scope: &'a Scope,
        student: StudentId,
    ) -> StoreFuture<'a, Vec<Campaign>> {
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
            let grade: Option<(i32,)> = sqlx::query_as(
                "SELECT k.grade FROM student s JOIN school_class k \
                 ON k.school_id = s.school_id AND k.id = s.class_id \
                 WHERE s.school_id = $1 AND s.id = $2",
            )
            .bind(school_id.0)
            .bind(student.0)
            .fetch_optional(&self.pool)
            .await?;
            let (grade,) = grade.ok_or(StoreError::NotFound)?;
            let rows: Vec<CampaignTuple> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {CAMPAIGN_COLS} FROM psych_campaign WHERE school_id = $1 \
                     ORDER BY opens_on DESC, id DESC"
            )))
            .bind(school_id.0)
            .fetch_all(&self.pool)
            .await?;
            let all = rows
                .into_iter()
                .map(campaign)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(all
                .into_iter()
                .filter(|c| c.grades.iter().any(|g| i32::from(*g) == grade))
                .collect())
        })
    }

    fn guardian_decision<'a>(
        &'a self,
        scope: &'a Scope,
        d: &'a GuardianDecision,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let campaigns = self.child_campaigns(scope, d.student_id).await?;
            if !campaigns.iter().any(|c| c.id == d.campaign_id) {
                return Err(StoreError::Forbidden);
            }
            let school = scope.school_id().ok_or(StoreError::Forbidden)?;
            sqlx::query(
                "INSERT INTO psych_consent (school_id, campaign_id, student_id, guardian, assent, \
                 decided_on, channel, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, FALSE, $5, 'parent_account', $6, $7) \
                 ON CONFLICT (school_id, campaign_id, student_id) DO UPDATE SET \
                 guardian = excluded.guardian, decided_on = excluded.decided_on, \
                 channel = excluded.channel, recorded_by = excluded.recorded_by, \
                 recorded_at = excluded.recorded_at",
            )
            .bind(school.0)
            .bind(d.campaign_id)
            .bind(d.student_id.0)
            .bind(d.guardian.code())
            .bind(&d.decided_on)
            .bind(&d.by)
            .bind(d.at)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
    }

    fn add_session<'a>(
        &'a self,
        token: &'a PsychToken,
        case: i64,
        s: &'a NewCounselling,
    ) -> StoreFuture<'a, i32> {
        Box::pin(async move {
            let school = token.school();
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let known: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM psych_case WHERE school_id = $1 AND id = $2")
                    .bind(school.0)
                    .bind(case)
                    .fetch_optional(&mut *tx)
                    .await?;
            if known.is_none() {
                return Err(StoreError::NotFound);
            }
            let (seq,): (i32,) = sqlx::query_as(
                "INSERT INTO psych_session (school_id, case_id, seq, held_on, kind, summary, \
                 next_step, recorded_by, recorded_at) \
                 SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, $4, $5, $6, $7, $8 \
                 FROM psych_session WHERE school_id = $1 AND case_id = $2 RETURNING seq",
            )
            .bind(school.0)
            .bind(case)
            .bind(&s.held_on)
            .bind(s.kind.code())
            .bind(&s.summary)
            .bind(&s.next_step)
            .bind(&s.recorded_by)
            .bind(s.recorded_at)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(seq)
        })
    }

    fn sessions<'a>(
        &'a self,
        token: &'a PsychToken,
        case: i64,
    ) -> StoreFuture<'a, Vec<CounsellingRow>> {
        Box::pin(async move {
            let rows: Vec<(i32, String, String, String, String, String, i64)> = sqlx::query_as(
                "SELECT seq, held_on, kind, summary, next_step, recorded_by, recorded_at \
                 FROM psych_session WHERE school_id = $1 AND case_id = $2 ORDER BY seq",
            )
            .bind(token.school().0)
            .bind(case)
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(|r| {
                    Ok(CounsellingRow {
                        seq: r.0,
                        held_on: r.1,
                        kind: CounsellingKind::from_code(&r.2)
                            .ok_or_else(|| corrupt("psych_session.kind", &r.2))?,
                        summary: r.3,
                        next_step: r.4,
                        recorded_by: r.5,
                        recorded_at: r.6,
                    })
                })
                .collect()
        })
    }
}
