//! The 五育 at a glance for the home pages: each 育's targets for one unit (the district's own
//! lines, or one school's) as met, missed, awaiting and without data, with the missed ones
//! named; for the district, the schools that miss the most. Read from this month's snapshot
//! (月度调度, recorded on the month's first visit), not recomputed: the plan's status costs about
//! a second on the demo district, too much for every home page, and the tiles say when the
//! numbers were recorded.
use serde::Serialize;
use wuyu_domain::{Capability, SchoolId, Scope, Viewer};
use wuyu_monitor::bulletin::{DomainGlance, Laggard, domain_glance, laggards};

use crate::bulletin::{ensure_month_snapshot, this_month};
use crate::{Service, ServiceError};

/// How many schools the district's tile lists.
pub const GLANCE_LAGGARDS: usize = 5;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Glance {
    pub plan_year: i32,
    /// Where the numbers come from: `2026年12月调度快照（2026-12-01 记录）`.
    pub as_of: String,
    pub domains: Vec<DomainGlance>,
    /// District only: the schools missing the most judged targets, most first.
    pub laggards: Vec<Laggard>,
}

/// The glance of the district (`school` = `None`) or of one school, for `viewer`; `None`
/// when they may not see the plan, the unit is outside their scope, or there is no plan.
/// Kept while the database is unchanged (and the month is the same).
pub async fn glance(
    svc: &Service,
    viewer: &Viewer,
    school: Option<SchoolId>,
) -> Result<Option<Glance>, ServiceError> {
    let key = format!("plan::glance {viewer:?} {school:?} {}", this_month().code());
    svc.cached(key, compute_glance(svc, viewer, school)).await
}

async fn compute_glance(
    svc: &Service,
    viewer: &Viewer,
    school: Option<SchoolId>,
) -> Result<Option<Glance>, ServiceError> {
    if !viewer.can(Capability::ViewPlan) {
        return Ok(None);
    }
    let unit = match (&viewer.scope, school) {
        (Scope::District, s) => s.map(|s| s.0),
        (Scope::School { school_id }, Some(s)) if *school_id == s => Some(s.0),
        _ => return Ok(None),
    };
    let month = this_month();
    ensure_month_snapshot(svc, viewer, month).await?;
    let code = month.code();
    let months = svc.store().snapshot_months().await?;
    let Some(m) = months.iter().find(|m| m.month == code) else {
        return Ok(None);
    };
    let lines: Vec<_> = svc
        .store()
        .snapshot_lines(&code, &code, None)
        .await?
        .into_iter()
        .map(|(_, l)| l)
        .collect();
    let own: Vec<_> = lines
        .iter()
        .filter(|l| match unit {
            None => l.unit_kind == "district",
            Some(s) => l.unit_kind == "school" && l.school_id == Some(s),
        })
        .cloned()
        .collect();
    let plan = svc.store().plan().await?;
    let mut behind = if unit.is_none() {
        laggards(&plan, &lines)
    } else {
        Vec::new()
    };
    behind.truncate(GLANCE_LAGGARDS);
    Ok(Some(Glance {
        plan_year: m.plan_year,
        as_of: format!(
            "{}调度快照（{} 记录）",
            month.label_zh(),
            day_of(m.taken_at)
        ),
        domains: domain_glance(&plan, &own),
        laggards: behind,
    }))
}

/// The UTC date of a unix time, `2026-12-01`.
fn day_of(at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at)
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}
