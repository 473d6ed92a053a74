//! Editing one target of the plan in the browser (district admin): its unit, the units it
//! applies to (范围, e.g. 每校 or the school set 城区初中) and its yearly target values. Every
//! field is checked as a plan import checks it, with the Chinese reason; the audit entry
//! records each changed field's old and new value.
use wuyu_domain::{Capability, Viewer};
use wuyu_monitor::plan::{PlanIndicator, UnitKind, parse_scope, parse_target};
use wuyu_store::AuditEntry;

use crate::audit::Requester;
use crate::{Service, ServiceError};

/// The edited fields of one indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanEdit {
    /// The unit text (`% of schools`, `teachers per 100 students`).
    pub unit: String,
    /// The 范围 text (`per school`, `district`, `城区初中` …).
    pub scope: String,
    /// Year → the target as typed (empty: the district fills it in later).
    pub targets: Vec<(i32, String)>,
}

fn bad(why: String) -> ServiceError {
    ServiceError::BadRequest(why)
}

/// The indicator `old` with `edit` applied, or the first reason it is refused.
pub fn apply_edit(
    old: &PlanIndicator,
    years: &[i32],
    edit: &PlanEdit,
) -> Result<PlanIndicator, ServiceError> {
    let unit = edit.unit.trim();
    if unit.is_empty() {
        return Err(bad("请填写单位".into()));
    }
    if unit.chars().count() > 100 {
        return Err(bad("单位不能超过 100 字".into()));
    }
    let kind = UnitKind::of_unit(unit);
    let applies_to = parse_scope(&edit.scope).map_err(|m| bad(format!("适用范围：{m}")))?;
    let mut new = old.clone();
    for (year, text) in &edit.targets {
        if !years.contains(year) {
            return Err(bad(format!("任务分解表没有 {year} 年的目标")));
        }
        let cell = parse_target(text, kind, old.measure.is_some())
            .map_err(|m| bad(format!("{year} 年目标“{}”：{m}", text.trim())))?;
        new.targets.insert(*year, cell);
    }
    new.unit = unit.to_string();
    new.kind = kind;
    new.scope = edit.scope.trim().to_string();
    new.applies_to = applies_to;
    Ok(new)
}

/// What changed, field by field: `单位: A → B; 2025年目标: 30 → 35`.
fn changes(old: &PlanIndicator, new: &PlanIndicator) -> String {
    let mut out = Vec::new();
    if old.unit != new.unit {
        out.push(format!("单位: {} → {}", old.unit, new.unit));
    }
    if old.scope != new.scope {
        out.push(format!("范围: {} → {}", old.scope, new.scope));
    }
    for (year, cell) in &new.targets {
        let before = old.targets.get(year).map(|c| c.text()).unwrap_or_default();
        if before != cell.text() {
            out.push(format!("{year}年目标: {before} → {}", cell.text()));
        }
    }
    out.join("; ")
}

/// Applies `edit` to the indicator `key`; returns the indicator as stored and what changed
/// (empty: nothing changed and nothing was written).
pub async fn edit_indicator(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    key: &str,
    edit: &PlanEdit,
) -> Result<(PlanIndicator, String), ServiceError> {
    if !viewer.can(Capability::EditPlan) || !viewer.scope.is_district() {
        return Err(ServiceError::Forbidden);
    }
    let plan = svc.store().plan().await?;
    let old = plan.indicator(key).ok_or(ServiceError::NotFound)?;
    let new = apply_edit(old, &plan.years, edit)?;
    let changed = changes(old, &new);
    if changed.is_empty() {
        return Ok((new, changed));
    }
    let audit = AuditEntry {
        at: time::OffsetDateTime::now_utc().unix_timestamp(),
        user_id: who.user_id,
        username: who.username.clone(),
        action: "plan_edit".into(),
        school_id: None,
        entity: format!("plan_indicator:{key}"),
        detail: format!("{}: {changed}", old.name),
        ip: who.ip.clone(),
    };
    svc.store().edit_plan_indicator(&new, &audit).await?;
    tracing::info!(key, "plan indicator edited");
    Ok((new, changed))
}
