//! Step 6 of §4's order in the stored workflow: the schools whose cap is 0 are pooled at the
//! district — one pool over their teachers, cap = ⌊20 % × N_pool⌋, the same allocation — so a
//! small school's best teacher can still be 优秀. The district runs it for a year once the
//! small schools' drafts are in; the levels are computed by `wuyu_analytics::appraisal` over
//! the stored inputs and written in one transaction.
use serde::Serialize;
use wuyu_analytics::appraisal::{AppraisalCase, AppraisalRules, Level, PoolKind, appraise};
use wuyu_domain::{Capability, SchoolId, Viewer};
use wuyu_store::AuditEntry;
use wuyu_store::staff::{AppraisalState, StaffReader};

use crate::audit::Requester;
use crate::{Service, ServiceError};

/// What the pooling did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolResult {
    /// Schools pooled (draft rounds with a cap of 0).
    pub schools: usize,
    pub pool_n: usize,
    pub pool_cap: usize,
    pub excellent: usize,
    pub committee: usize,
    /// Cap-0 rounds left out because they are in 公示 or approved.
    pub skipped: usize,
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Pools the draft rounds of `year` whose cap is 0 (district admins only).
pub async fn pool_small_schools(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    year: i32,
) -> Result<PoolResult, ServiceError> {
    if !viewer.can(Capability::ApproveStaffAppraisal) || !viewer.scope.is_district() {
        return Err(ServiceError::Forbidden);
    }
    let store = svc.store();
    let rounds = store
        .appraisal_summaries(StaffReader::District, year)
        .await?;
    let small: Vec<_> = rounds.iter().filter(|r| r.round.cap == 0).collect();
    let skipped = small
        .iter()
        .filter(|r| r.round.state != AppraisalState::Draft)
        .count();
    let mut cases: Vec<AppraisalCase> = Vec::new();
    let mut keys = Vec::new();
    for r in small
        .iter()
        .filter(|r| r.round.state == AppraisalState::Draft)
    {
        let school = r.round.school_id;
        let audit = AuditEntry {
            at: now(),
            user_id: who.user_id,
            username: who.username.clone(),
            action: "read_appraisal_for_pool".into(),
            school_id: Some(school),
            entity: format!("staff_appraisal:{}:{year}", school.0),
            detail: String::new(),
            ip: who.ip.clone(),
        };
        let Some(a) = store
            .appraisal(StaffReader::District, school, year, &audit)
            .await?
        else {
            continue;
        };
        for row in a.rows {
            let i = &row.input;
            cases.push(AppraisalCase {
                school: school.0.to_string(),
                unit_rating: a.round.unit_rating,
                staff_no: row.staff_no.clone(),
                score: i.score,
                org_score: i.org_score,
                first_job_months: i.first_job_months,
                leave_days: i.leave_days,
                under_investigation: i.under_investigation,
                ethics_violation: i.ethics_violation,
                sanction: i.sanction,
            });
            keys.push((school, i.teacher_id));
        }
    }
    let schools = small.len() - skipped;
    let out = appraise(&cases, &AppraisalRules::default())
        .map_err(|e| ServiceError::BadRequest(e.to_string()))?;
    let pooled = out.iter().find(|o| o.pool == PoolKind::District);
    let levels: Vec<(SchoolId, wuyu_domain::TeacherId, Level)> = keys
        .iter()
        .zip(&out)
        .map(|(&(s, t), o)| (s, t, o.level))
        .collect();
    let count = |l: Level| levels.iter().filter(|x| x.2 == l).count();
    let result = PoolResult {
        schools,
        pool_n: pooled.map_or(0, |o| o.pool_n),
        pool_cap: pooled.map_or(0, |o| o.pool_cap),
        excellent: count(Level::Excellent),
        committee: count(Level::Committee),
        skipped,
    };
    let audit = AuditEntry {
        at: now(),
        user_id: who.user_id,
        username: who.username.clone(),
        action: "pool_appraisal".into(),
        school_id: None,
        entity: format!("staff_appraisal_pool:{year}"),
        detail: format!(
            "schools={} pool_n={} pool_cap={} excellent={} committee={}",
            result.schools, result.pool_n, result.pool_cap, result.excellent, result.committee
        ),
        ip: who.ip.clone(),
    };
    store
        .set_pooled_levels(year, &levels, &audit)
        .await
        .map_err(|e| match e {
            wuyu_store::StoreError::Refused(m) => ServiceError::BadRequest(m),
            other => other.into(),
        })?;
    Ok(result)
}
