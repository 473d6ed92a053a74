//! When reported targets are due and who is late (逾期), and a locked year reopened for one
//! school. Due rules are a district setting per indicator (`DueRule`: yearly, quarterly or
//! monthly, by a day of the following month); without one a target is due yearly by 15 July.
use std::collections::HashMap;

use wuyu_domain::{Capability, SchoolId, Viewer};
use wuyu_monitor::plan::IndicatorSource;
use wuyu_monitor::plan_report::{Cadence, DueRule};
use wuyu_store::AuditEntry;
use wuyu_store::plan_report::Reopen;

use super::reports::{MAX_NOTE, refused};
use super::status::school_year_of;
use crate::audit::Requester;
use crate::{Service, ServiceError};

/// Today's date in China, where the deadlines are kept.
pub fn china_today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date()
}

/// A unix timestamp's date in China.
pub fn china_date(at: i64) -> time::Date {
    time::OffsetDateTime::from_unix_timestamp(at)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(time::macros::offset!(+8))
        .date()
}

/// The due rule of every reported indicator that has one set (the rest: `DueRule::default`).
pub async fn due_rules(svc: &Service) -> Result<HashMap<String, DueRule>, ServiceError> {
    Ok(svc.store().plan_due_rules().await?.into_iter().collect())
}

fn district_reviewer(viewer: &Viewer) -> Result<(), ServiceError> {
    if viewer.can(Capability::ReviewPlanReports) && viewer.scope.is_district() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Sets when a reported indicator is due (district reviewers).
pub async fn set_due(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    key: &str,
    cadence: Cadence,
    day: u8,
) -> Result<DueRule, ServiceError> {
    district_reviewer(viewer)?;
    let plan = svc.store().plan().await?;
    let ind = plan.indicator(key).ok_or(ServiceError::NotFound)?;
    if ind.source() != IndicatorSource::Reported {
        return Err(ServiceError::BadRequest(format!(
            "“{}”由系统计算，没有填报截止日",
            ind.name
        )));
    }
    let rule = DueRule::new(cadence, day).map_err(ServiceError::BadRequest)?;
    let audit = AuditEntry {
        at: now(),
        user_id: who.user_id,
        username: who.username.clone(),
        action: "plan_due_set".into(),
        school_id: None,
        entity: format!("plan_indicator:{key}"),
        detail: format!("cadence={} day={day}", cadence.code()),
        ip: who.ip.clone(),
    };
    svc.store().set_plan_due(key, rule, &audit).await?;
    Ok(rule)
}

fn checked_reason(reason: &str) -> Result<String, ServiceError> {
    let t = reason.trim();
    if t.is_empty() {
        return Err(ServiceError::BadRequest("请填写重新开放的理由".into()));
    }
    if t.chars().count() > MAX_NOTE {
        return Err(ServiceError::BadRequest(format!(
            "理由不能超过 {MAX_NOTE} 字"
        )));
    }
    Ok(t.to_string())
}

/// Reopens a locked plan year for one school so it can correct its values (district
/// reviewers; the reason is shown to the school and kept in the audit log).
pub async fn reopen_school(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    year: i32,
    school: SchoolId,
    reason: &str,
) -> Result<Reopen, ServiceError> {
    district_reviewer(viewer)?;
    let reason = checked_reason(reason)?;
    svc.store()
        .school(&wuyu_domain::Scope::District, school)
        .await?;
    let reopen = Reopen {
        school_year: school_year_of(year),
        school_id: school,
        reason,
        reopened_by: who.username.clone(),
        reopened_at: now(),
    };
    let audit = AuditEntry {
        at: reopen.reopened_at,
        user_id: who.user_id,
        username: who.username.clone(),
        action: "plan_period_reopen".into(),
        school_id: Some(school),
        entity: format!("plan_year:{year}"),
        detail: format!("reason={}", reopen.reason),
        ip: who.ip.clone(),
    };
    svc.store()
        .reopen_plan_period(&reopen, &audit)
        .await
        .map_err(refused)?;
    Ok(reopen)
}

/// Closes a school's reopening: the year is locked for it again.
pub async fn close_reopen(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    year: i32,
    school: SchoolId,
) -> Result<(), ServiceError> {
    district_reviewer(viewer)?;
    let audit = AuditEntry {
        at: now(),
        user_id: who.user_id,
        username: who.username.clone(),
        action: "plan_period_reclose".into(),
        school_id: Some(school),
        entity: format!("plan_year:{year}"),
        detail: String::new(),
        ip: who.ip.clone(),
    };
    svc.store()
        .close_plan_reopen(school_year_of(year), school, &audit)
        .await
        .map_err(refused)
}
