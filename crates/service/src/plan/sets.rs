//! The school sets a district names for its plan (学校组, e.g. 城区四所初中): a target whose
//! 范围 is `学校组:城区四所初中` is judged for each member school. The district admin defines a
//! set by ticking its schools; the seeds' 城区初中 and 其余初中 follow a roster rule until the
//! district stores its own list. Every change is audited with the members before and after.
use serde::Serialize;
use wuyu_domain::{Capability, School, SchoolId, Viewer};
use wuyu_store::AuditEntry;

use super::status::{Roster, set_members};
use crate::audit::Requester;
use crate::{Service, ServiceError};

/// The names the seeds' plan uses, shown even before the district stores them.
pub const BUILT_IN_SETS: [&str; 2] = ["城区初中", "其余初中"];

/// One school set as the plan reads it now.
#[derive(Debug, Clone, Serialize)]
pub struct SchoolSetView {
    pub name: String,
    /// Read from the roster rule (the district has not stored this set).
    pub by_rule: bool,
    pub members: Vec<School>,
}

/// The stored sets and the built-in ones, with their members.
pub async fn school_sets(
    svc: &Service,
    viewer: &Viewer,
) -> Result<Vec<SchoolSetView>, ServiceError> {
    if !viewer.can(Capability::ViewPlan) || !viewer.scope.is_district() {
        return Err(ServiceError::Forbidden);
    }
    let roster = Roster::load(svc).await?;
    let mut names: Vec<String> = roster.sets.keys().cloned().collect();
    for b in BUILT_IN_SETS {
        if !roster.sets.contains_key(b) {
            names.push(b.to_string());
        }
    }
    Ok(names
        .into_iter()
        .map(|name| SchoolSetView {
            by_rule: !roster.sets.contains_key(&name),
            members: set_members(&name, &roster).into_iter().cloned().collect(),
            name,
        })
        .collect())
}

/// Stores the set `name` with the ticked schools (none: the stored set is removed, and a
/// built-in name falls back to its rule).
pub async fn set_school_set(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    name: &str,
    members: &[SchoolId],
) -> Result<(), ServiceError> {
    if !viewer.can(Capability::EditPlan) || !viewer.scope.is_district() {
        return Err(ServiceError::Forbidden);
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 30 || name.contains([':', '：']) {
        return Err(ServiceError::BadRequest(
            "学校组名称不能为空、不能超过 30 字，也不能含冒号".into(),
        ));
    }
    let roster = Roster::load(svc).await?;
    let label = |ids: &mut dyn Iterator<Item = SchoolId>| {
        ids.map(|id| {
            roster
                .schools
                .iter()
                .find(|s| s.id == id)
                .map_or_else(|| id.0.to_string(), |s| s.name.clone())
        })
        .collect::<Vec<_>>()
        .join("、")
    };
    if let Some(bad) = members
        .iter()
        .find(|id| !roster.schools.iter().any(|s| s.id == **id))
    {
        return Err(ServiceError::BadRequest(format!(
            "学校 {} 不在本区名册中",
            bad.0
        )));
    }
    let before = label(&mut set_members(name, &roster).into_iter().map(|s| s.id));
    let after = label(&mut members.iter().copied());
    let audit = AuditEntry {
        at: time::OffsetDateTime::now_utc().unix_timestamp(),
        user_id: who.user_id,
        username: who.username.clone(),
        action: "plan_school_set".into(),
        school_id: None,
        entity: format!("plan_school_set:{name}"),
        detail: format!("{before} → {after}"),
        ip: who.ip.clone(),
    };
    Ok(svc.store().set_school_set(name, members, &audit).await?)
}
