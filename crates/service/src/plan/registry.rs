//! The registry of designations and counts (名录): a school enters an item it was awarded
//! (特色学校, 文明校园, 心理辅导室, an event it held …) with its level, date and evidence; the
//! district approves or returns it; the district's own entries are approved at once. Approved
//! items count into the plan's indicators through the `registry` source: no target that is a
//! count of designations needs a value typed in.
use std::sync::Arc;

use wuyu_domain::{Capability, SchoolId, Scope, Viewer};
use wuyu_ingest::evidence::check_evidence;
use wuyu_monitor::indicator::{IndicatorKey, IndicatorValue, Period, UnitRef};
use wuyu_monitor::plan_registry::{ItemFact, RegistryLevel, RegistryMeasure, measure};
use wuyu_monitor::plan_report::ReportStatus;
use wuyu_store::AuditEntry;
use wuyu_store::plan_registry::{NewRegistryItem, RegistryItem};
use wuyu_store::plan_report::{Evidence, Review};

use super::deadlines::china_today;
use super::reports::{checked_text, need, now, refused, unit_of};
use crate::audit::Requester;
use crate::file::UploadedFile;
use crate::{Service, ServiceError};

/// The longest kind or title accepted, in characters.
const MAX_NAME: usize = 60;

/// What a school (or the district) enters for one item.
#[derive(Debug, Clone)]
pub struct RegistryInput {
    /// `None`: the school's own (school roles) or the district's own item (district roles).
    pub school: Option<SchoolId>,
    /// 类型, e.g. 劳动特色学校 (the plan's kinds are offered first; others are allowed).
    pub kind: String,
    /// 级别 as typed: 国/省/市/区 (级).
    pub level: String,
    pub title: String,
    /// 认定日期 `YYYY-MM-DD`.
    pub awarded_on: String,
    pub note: String,
    pub evidence: Option<UploadedFile>,
}

fn short_text(text: &str, what: &str) -> Result<String, ServiceError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(ServiceError::BadRequest(format!("请填写{what}")));
    }
    if t.chars().count() > MAX_NAME {
        return Err(ServiceError::BadRequest(format!(
            "{what}不能超过 {MAX_NAME} 字"
        )));
    }
    Ok(t.to_string())
}

/// The award date: a real date, not in the future.
fn award_date(s: &str) -> Result<String, ServiceError> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s.trim(), &fmt).map_err(|_| {
        ServiceError::BadRequest(format!(
            "认定日期“{}”不是有效日期，请写成 2024-11-05 的格式",
            s.trim()
        ))
    })?;
    if d > china_today() {
        return Err(ServiceError::BadRequest(format!(
            "认定日期 {d} 晚于今天，名录只登记已经认定的项目"
        )));
    }
    Ok(d.to_string())
}

/// Enters an item: 待审核 for a school, approved at once for the district's reviewers. A
/// school's entry needs its evidence (the award document).
pub async fn add_item(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    input: &RegistryInput,
) -> Result<RegistryItem, ServiceError> {
    need(viewer, Capability::SubmitPlanReports)?;
    let school = unit_of(viewer, input.school)?;
    if let Some(id) = school
        && !svc
            .store()
            .list_schools(&Scope::District)
            .await?
            .iter()
            .any(|s| s.school.id == id)
    {
        return Err(ServiceError::NotFound);
    }
    let approved = viewer.can(Capability::ReviewPlanReports) && viewer.scope.is_district();
    let level = RegistryLevel::parse_zh(&input.level).ok_or_else(|| {
        ServiceError::BadRequest(format!("级别“{}”应为 国、省、市 或 区", input.level.trim()))
    })?;
    let evidence = match &input.evidence {
        Some(f) => {
            let kind = check_evidence(&f.name, &f.bytes).map_err(ServiceError::BadRequest)?;
            Some(Evidence {
                name: f.name.clone(),
                content_type: kind.content_type().into(),
                sha256: f.sha256(),
                bytes: f.bytes.clone(),
            })
        }
        None if !approved => {
            return Err(ServiceError::BadRequest(
                "请上传认定文件（PDF、图片或 XLSX）作为佐证".into(),
            ));
        }
        None => None,
    };
    let item = NewRegistryItem {
        school_id: school,
        kind: short_text(&input.kind, "类型")?,
        level,
        title: short_text(&input.title, "名称")?,
        awarded_on: award_date(&input.awarded_on)?,
        note: checked_text(&input.note, "说明", false)?,
        evidence,
        approved,
        by: who.username.clone(),
        at: now(),
    };
    let audit = AuditEntry {
        at: item.at,
        user_id: who.user_id,
        username: who.username.clone(),
        action: "plan_registry_add".into(),
        school_id: school,
        entity: "plan_registry".into(),
        detail: format!(
            "kind={} level={} title={} awarded_on={} approved={approved} evidence={}",
            item.kind,
            level.label_zh(),
            item.title,
            item.awarded_on,
            item.evidence.as_ref().map_or("无".to_string(), |e| format!(
                "{} sha256={}",
                e.name, e.sha256
            ))
        ),
        ip: who.ip.clone(),
    };
    svc.store()
        .add_registry_item(&item, &audit)
        .await
        .map_err(refused)
}

/// Approves a school's item, or returns it with a reason (required).
pub async fn review_item(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    id: i64,
    review: &Review,
) -> Result<RegistryItem, ServiceError> {
    need(viewer, Capability::ReviewPlanReports)?;
    if !viewer.scope.is_district() {
        return Err(ServiceError::Forbidden);
    }
    let review = match review {
        Review::Approve => Review::Approve,
        Review::Return { reason } => Review::Return {
            reason: checked_text(reason, "退回理由", true)?,
        },
    };
    let at = now();
    let audit = AuditEntry {
        at,
        user_id: who.user_id,
        username: who.username.clone(),
        action: match review {
            Review::Approve => "plan_registry_approve",
            Review::Return { .. } => "plan_registry_return",
        }
        .into(),
        school_id: None,
        entity: "plan_registry".into(),
        detail: match &review {
            Review::Approve => String::new(),
            Review::Return { reason } => format!("reason={reason}"),
        },
        ip: who.ip.clone(),
    };
    svc.store()
        .review_registry_item(id, &review, &who.username, at, &audit)
        .await
        .map_err(refused)
}

/// The items a viewer may see: a school's own, or the whole district's.
pub async fn items(svc: &Service, viewer: &Viewer) -> Result<Vec<RegistryItem>, ServiceError> {
    need(viewer, Capability::ViewPlan)?;
    let scope = match viewer.scope {
        Scope::District | Scope::School { .. } => viewer.scope.clone(),
        _ => return Err(ServiceError::Forbidden),
    };
    Ok(svc.store().registry_items(&scope).await?)
}

/// An item's evidence file, within the viewer's scope.
pub async fn item_evidence(
    svc: &Service,
    viewer: &Viewer,
    id: i64,
) -> Result<Evidence, ServiceError> {
    need(viewer, Capability::ViewPlan)?;
    Ok(svc.store().registry_evidence(&viewer.scope, id).await?)
}

/// The value of a registry measure (`registry.held:劳动特色学校@市`) for `unit` in a school
/// year, from the approved items.
pub async fn indicator(
    svc: &Service,
    key: &IndicatorKey,
    unit: &UnitRef,
    period: Period,
) -> Result<Option<IndicatorValue>, ServiceError> {
    let Period::SchoolYear(year) = period else {
        return Err(ServiceError::BadRequest(
            "registry indicators are counted per school year".into(),
        ));
    };
    let m = RegistryMeasure::parse(key.as_str()).ok_or_else(|| {
        ServiceError::BadRequest(format!("not a registry indicator: {}", key.as_str()))
    })?;
    let store = svc.store();
    let schools = svc.district_schools().await?;
    let in_unit: Vec<i64> = schools
        .iter()
        .filter(|s| match unit {
            UnitRef::District => true,
            UnitRef::School(id) => s.school.id == *id,
            UnitRef::Location(l) => s.school.location == *l,
            UnitRef::Stage(st) => s.school.stage == *st,
            UnitRef::Class(..) | UnitRef::SchoolSet(_) => false,
        })
        .map(|s| s.school.id.0)
        .collect();
    if matches!(unit, UnitRef::Class(..) | UnitRef::SchoolSet(_)) {
        return Err(ServiceError::BadRequest(
            "registry indicators are counted by school, 城乡, 学段 or the district".into(),
        ));
    }
    let rows = svc
        .once("registry::items".into(), async {
            Ok(Arc::new(store.registry_items(&Scope::District).await?))
        })
        .await?;
    let facts: Vec<ItemFact<'_>> = rows
        .iter()
        .filter(|r| r.status == ReportStatus::Approved)
        .map(|r| ItemFact {
            school_id: r.school_id.map(|s| s.0),
            kind: &r.kind,
            level: r.level,
            awarded_on: &r.awarded_on,
        })
        .collect();
    Ok(Some(measure(
        &m,
        &facts,
        &in_unit,
        matches!(unit, UnitRef::District),
        year,
    )))
}
