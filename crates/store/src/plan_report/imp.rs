//! PlanReportStore for both backends (included by `sqlite.rs` and `postgres.rs`).
// Row tuples are spelled out as sqlx reads them, next to the query that selects them.
#![allow(clippy::type_complexity)]

use sqlx::AssertSqlSafe;
use wuyu_domain::{SchoolId, Scope};
use wuyu_monitor::plan::UnitKind;
use wuyu_monitor::plan_report::{Cadence, DueRule, ReportStatus};

use super::{Db, This};
use crate::backend::corrupt;
use crate::plan_report::{
    ApprovedValue, Evidence, NewReport, PeriodLock, PlanReportStore, Reopen, ReportRow, Review,
};
use crate::{AuditEntry, StoreError, StoreFuture};

const REPORT_SELECT: &str = "SELECT school_id, indicator_key, school_year, value, note, status, \
     reason, submitted_by, submitted_at, reviewed_by, reviewed_at, evidence_name, \
     evidence_sha256, evidence_size FROM plan_report";

type ReportTuple = (
    i64,
    String,
    i64,
    f64,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// The stored school id of a unit: 0 is the district's own line.
fn school_col(school: Option<SchoolId>) -> i64 {
    school.map_or(0, |s| s.0)
}

fn report_row(r: ReportTuple) -> Result<ReportRow, StoreError> {
    Ok(ReportRow {
        school_id: (r.0 != 0).then_some(SchoolId(r.0)),
        school_year: i32::try_from(r.2).map_err(|e| corrupt("plan_report year", e))?,
        status: ReportStatus::from_code(&r.5).ok_or_else(|| corrupt("plan_report status", &r.5))?,
        indicator_key: r.1,
        value: r.3,
        note: r.4,
        reason: r.6,
        submitted_by: r.7,
        submitted_at: r.8,
        reviewed_by: r.9,
        reviewed_at: r.10,
        evidence_name: r.11,
        evidence_sha256: r.12,
        evidence_size: r.13,
    })
}

async fn locked(
    tx: &mut sqlx::Transaction<'static, Db>,
    school_year: i32,
) -> Result<Option<(String,)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT reason FROM plan_period_lock WHERE school_year = $1")
            .bind(i64::from(school_year))
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// Whether a locked school year is reopened for the unit (the district's own line never is).
async fn reopened(
    tx: &mut sqlx::Transaction<'static, Db>,
    school_year: i32,
    school: i64,
) -> Result<bool, StoreError> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT school_id FROM plan_period_reopen WHERE school_year = $1 AND school_id = $2",
    )
    .bind(i64::from(school_year))
    .bind(school)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.is_some())
}

/// Refuses a change to a unit's values when the year is locked and not reopened for it;
/// returns whether it is reopened.
async fn check_open(
    tx: &mut sqlx::Transaction<'static, Db>,
    school_year: i32,
    school: i64,
) -> Result<bool, StoreError> {
    match locked(tx, school_year).await? {
        None => Ok(false),
        Some(_) if reopened(tx, school_year, school).await? => Ok(true),
        Some((reason,)) => Err(locked_refusal(school_year, &reason)),
    }
}

fn locked_refusal(school_year: i32, reason: &str) -> StoreError {
    StoreError::Refused(format!(
        "{}–{} 学年的填报已锁定（{reason}），不能再填报或修改",
        school_year,
        school_year + 1
    ))
}

async fn one_report(
    tx: &mut sqlx::Transaction<'static, Db>,
    school: i64,
    key: &str,
    school_year: i32,
) -> Result<Option<ReportRow>, StoreError> {
    let row: Option<ReportTuple> = sqlx::query_as(AssertSqlSafe(format!(
        "{REPORT_SELECT} WHERE school_id = $1 AND indicator_key = $2 AND school_year = $3"
    )))
    .bind(school)
    .bind(key)
    .bind(i64::from(school_year))
    .fetch_optional(&mut **tx)
    .await?;
    row.map(report_row).transpose()
}

impl PlanReportStore for This {
    fn submit_plan_report<'a>(
        &'a self,
        r: &'a NewReport,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ReportRow> {
        Box::pin(async move {
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let school = school_col(r.school_id);
            let reopened = check_open(&mut tx, r.school_year, school).await?;
            if let Some(old) = one_report(&mut tx, school, &r.indicator_key, r.school_year).await?
                && old.status == ReportStatus::Approved
                && !reopened
                && !r.refresh_approved
            {
                return Err(StoreError::Refused("这项填报已审核通过，不能再修改".into()));
            }
            let e = r.evidence.as_ref();
            sqlx::query(
                "INSERT INTO plan_report (school_id, indicator_key, school_year, value, note, \
                 status, reason, submitted_by, submitted_at, evidence_name, evidence_type, \
                 evidence_sha256, evidence_size, evidence) \
                 VALUES ($1, $2, $3, $4, $5, 'submitted', '', $6, $7, $8, $9, $10, $11, $12) \
                 ON CONFLICT (school_id, indicator_key, school_year) DO UPDATE SET \
                 value = excluded.value, note = excluded.note, status = 'submitted', \
                 reason = '', submitted_by = excluded.submitted_by, \
                 submitted_at = excluded.submitted_at, reviewed_by = NULL, reviewed_at = NULL, \
                 evidence_name = COALESCE(excluded.evidence_name, plan_report.evidence_name), \
                 evidence_type = COALESCE(excluded.evidence_type, plan_report.evidence_type), \
                 evidence_sha256 = COALESCE(excluded.evidence_sha256, plan_report.evidence_sha256), \
                 evidence_size = COALESCE(excluded.evidence_size, plan_report.evidence_size), \
                 evidence = COALESCE(excluded.evidence, plan_report.evidence)",
            )
            .bind(school)
            .bind(&r.indicator_key)
            .bind(i64::from(r.school_year))
            .bind(r.value)
            .bind(&r.note)
            .bind(&r.by)
            .bind(r.at)
            .bind(e.map(|e| e.name.clone()))
            .bind(e.map(|e| e.content_type.clone()))
            .bind(e.map(|e| e.sha256.clone()))
            .bind(e.map(|e| e.bytes.len() as i64))
            .bind(e.map(|e| e.bytes.clone()))
            .execute(&mut *tx)
            .await?;
            super::audit::insert_audit(&mut *tx, audit).await?;
            let row = one_report(&mut tx, school, &r.indicator_key, r.school_year)
                .await?
                .ok_or(StoreError::NotFound)?;
            tx.commit().await?;
            Ok(row)
        })
    }

    fn review_plan_report<'a>(
        &'a self,
        school_id: Option<SchoolId>,
        key: &'a str,
        school_year: i32,
        review: &'a Review,
        by: &'a str,
        at: i64,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ReportRow> {
        Box::pin(async move {
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let school = school_col(school_id);
            check_open(&mut tx, school_year, school).await?;
            let old = one_report(&mut tx, school, key, school_year)
                .await?
                .ok_or(StoreError::NotFound)?;
            if old.status != ReportStatus::Submitted {
                return Err(StoreError::Refused(format!(
                    "这项填报{}，不在待审核状态",
                    old.status.label_zh()
                )));
            }
            let (status, reason) = match review {
                Review::Approve => (ReportStatus::Approved, ""),
                Review::Return { reason } => (ReportStatus::Returned, reason.as_str()),
            };
            sqlx::query(
                "UPDATE plan_report SET status = $1, reason = $2, reviewed_by = $3, \
                 reviewed_at = $4 WHERE school_id = $5 AND indicator_key = $6 \
                 AND school_year = $7",
            )
            .bind(status.code())
            .bind(reason)
            .bind(by)
            .bind(at)
            .bind(school)
            .bind(key)
            .bind(i64::from(school_year))
            .execute(&mut *tx)
            .await?;
            super::audit::insert_audit(&mut *tx, audit).await?;
            let row = one_report(&mut tx, school, key, school_year)
                .await?
                .ok_or(StoreError::NotFound)?;
            tx.commit().await?;
            Ok(row)
        })
    }

    fn lock_plan_period<'a>(
        &'a self,
        lock: &'a PeriodLock,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            if let Some((reason,)) = locked(&mut tx, lock.school_year).await? {
                return Err(locked_refusal(lock.school_year, &reason));
            }
            sqlx::query(
                "INSERT INTO plan_period_lock (school_year, reason, locked_by, locked_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(i64::from(lock.school_year))
            .bind(&lock.reason)
            .bind(&lock.locked_by)
            .bind(lock.locked_at)
            .execute(&mut *tx)
            .await?;
            super::audit::insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn plan_period_lock(&self, school_year: i32) -> StoreFuture<'_, Option<PeriodLock>> {
        Box::pin(async move {
            let row: Option<(String, String, i64)> = sqlx::query_as(
                "SELECT reason, locked_by, locked_at FROM plan_period_lock \
                 WHERE school_year = $1",
            )
            .bind(i64::from(school_year))
            .fetch_optional(&self.pool)
            .await?;
            Ok(row.map(|(reason, locked_by, locked_at)| PeriodLock {
                school_year,
                reason,
                locked_by,
                locked_at,
            }))
        })
    }

    fn reopen_plan_period<'a>(
        &'a self,
        reopen: &'a Reopen,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let year = reopen.school_year;
            if locked(&mut tx, year).await?.is_none() {
                return Err(StoreError::Refused(format!(
                    "{}–{} 学年的填报没有锁定，不需要重新开放",
                    year,
                    year + 1
                )));
            }
            if reopened(&mut tx, year, reopen.school_id.0).await? {
                return Err(StoreError::Refused("这所学校的填报已重新开放".to_string()));
            }
            sqlx::query(
                "INSERT INTO plan_period_reopen (school_year, school_id, reason, reopened_by, \
                 reopened_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(i64::from(year))
            .bind(reopen.school_id.0)
            .bind(&reopen.reason)
            .bind(&reopen.reopened_by)
            .bind(reopen.reopened_at)
            .execute(&mut *tx)
            .await?;
            super::audit::insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn close_plan_reopen<'a>(
        &'a self,
        school_year: i32,
        school_id: SchoolId,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let done = sqlx::query(
                "DELETE FROM plan_period_reopen WHERE school_year = $1 AND school_id = $2",
            )
            .bind(i64::from(school_year))
            .bind(school_id.0)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            super::audit::insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn plan_period_reopens(&self, school_year: i32) -> StoreFuture<'_, Vec<Reopen>> {
        Box::pin(async move {
            let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
                "SELECT school_id, reason, reopened_by, reopened_at FROM plan_period_reopen \
                 WHERE school_year = $1 ORDER BY school_id",
            )
            .bind(i64::from(school_year))
            .fetch_all(&self.pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(id, reason, reopened_by, reopened_at)| Reopen {
                    school_year,
                    school_id: SchoolId(id),
                    reason,
                    reopened_by,
                    reopened_at,
                })
                .collect())
        })
    }

    fn set_plan_due<'a>(
        &'a self,
        key: &'a str,
        rule: DueRule,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            sqlx::query(
                "INSERT INTO plan_report_due (indicator_key, cadence, due_day, set_by, set_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (indicator_key) DO UPDATE SET \
                 cadence = excluded.cadence, due_day = excluded.due_day, \
                 set_by = excluded.set_by, set_at = excluded.set_at",
            )
            .bind(key)
            .bind(rule.cadence.code())
            .bind(i64::from(rule.day))
            .bind(&audit.username)
            .bind(audit.at)
            .execute(&mut *tx)
            .await?;
            super::audit::insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn plan_due_rules(&self) -> StoreFuture<'_, Vec<(String, DueRule)>> {
        Box::pin(async move {
            let rows: Vec<(String, String, i64)> = sqlx::query_as(
                "SELECT indicator_key, cadence, due_day FROM plan_report_due \
                 ORDER BY indicator_key",
            )
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(|(key, cadence, day)| {
                    let cadence = Cadence::from_code(&cadence)
                        .ok_or_else(|| corrupt("plan_report_due cadence", &cadence))?;
                    let day = u8::try_from(day).map_err(|e| corrupt("plan_report_due day", e))?;
                    let rule =
                        DueRule::new(cadence, day).map_err(|e| corrupt("plan_report_due", e))?;
                    Ok((key, rule))
                })
                .collect()
        })
    }

    fn plan_reports<'a>(
        &'a self,
        scope: &'a Scope,
        school_year: i32,
    ) -> StoreFuture<'a, Vec<ReportRow>> {
        Box::pin(async move {
            let school = match scope {
                Scope::District => None,
                Scope::School { school_id } => Some(school_id.0),
                _ => return Err(StoreError::Forbidden),
            };
            let rows: Vec<ReportTuple> = sqlx::query_as(AssertSqlSafe(format!(
                "{REPORT_SELECT} WHERE school_year = $1 AND ($2 IS NULL OR school_id = $2) \
                 ORDER BY school_id, indicator_key"
            )))
            .bind(i64::from(school_year))
            .bind(school)
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter().map(report_row).collect()
        })
    }

    fn plan_report_evidence<'a>(
        &'a self,
        scope: &'a Scope,
        school_id: Option<SchoolId>,
        key: &'a str,
        school_year: i32,
    ) -> StoreFuture<'a, Evidence> {
        Box::pin(async move {
            match scope {
                Scope::District => {}
                Scope::School { school_id: own } if school_id == Some(*own) => {}
                _ => return Err(StoreError::Forbidden),
            }
            let row: Option<(
                Option<String>,
                Option<String>,
                Option<String>,
                Option<Vec<u8>>,
            )> = sqlx::query_as(
                "SELECT evidence_name, evidence_type, evidence_sha256, evidence \
                     FROM plan_report WHERE school_id = $1 AND indicator_key = $2 \
                     AND school_year = $3",
            )
            .bind(school_col(school_id))
            .bind(key)
            .bind(i64::from(school_year))
            .fetch_optional(&self.pool)
            .await?;
            match row {
                Some((Some(name), Some(content_type), Some(sha256), Some(bytes))) => Ok(Evidence {
                    name,
                    content_type,
                    sha256,
                    bytes,
                }),
                _ => Err(StoreError::NotFound),
            }
        })
    }

    fn approved_plan_value<'a>(
        &'a self,
        key: &'a str,
        school_id: Option<SchoolId>,
        school_year: i32,
    ) -> StoreFuture<'a, Option<ApprovedValue>> {
        Box::pin(async move {
            let row: Option<(f64, String, Option<i64>)> = sqlx::query_as(
                "SELECT r.value, i.kind, r.reviewed_at FROM plan_report r \
                 JOIN plan_indicator i ON i.key = r.indicator_key \
                 WHERE r.school_id = $1 AND r.indicator_key = $2 AND r.school_year = $3 \
                 AND r.status = 'approved'",
            )
            .bind(school_col(school_id))
            .bind(key)
            .bind(i64::from(school_year))
            .fetch_optional(&self.pool)
            .await?;
            row.map(|(value, kind, at)| {
                Ok(ApprovedValue {
                    value,
                    kind: UnitKind::from_code(&kind).ok_or_else(|| corrupt("plan kind", &kind))?,
                    approved_at: at.unwrap_or_default(),
                })
            })
            .transpose()
        })
    }
}
