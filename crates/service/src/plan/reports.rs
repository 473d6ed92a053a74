//! Reported indicators (填报): a school admin (or the district, for the district's own lines)
//! enters a value of a reported target for a plan year with a note and optionally an evidence
//! file; the district approves it or returns it with a reason; a plan year can be locked.
//! Approved values reach the verdicts through the indicator registry (`plan` source). Every
//! step lands with its audit entry.
use serde::Serialize;
use wuyu_domain::{Capability, School, SchoolId, Scope, Viewer};
use wuyu_ingest::evidence::check_evidence;
use wuyu_monitor::indicator::{IndicatorKey, IndicatorValue, Period, UnitRef};
use wuyu_monitor::plan::{IndicatorSource, Plan, PlanIndicator, TargetCell, UnitKind};
use wuyu_monitor::plan_report::{Cadence, DueRule, ReportStatus, parse_reported_value};
use wuyu_store::plan_report::{Evidence, NewReport, PeriodLock, Reopen, ReportRow, Review};
use wuyu_store::{AuditEntry, StoreError};

use super::deadlines::{china_date, china_today, due_rules};
use super::status::{Roster, applies_to_school, school_year_of};
use crate::audit::Requester;
use crate::file::UploadedFile;
use crate::{Service, ServiceError};

/// The longest note or return reason accepted, in characters.
pub const MAX_NOTE: usize = 500;

/// A store refusal carries a Chinese message for the user: a bad request, not a fault.
pub(super) fn refused(e: StoreError) -> ServiceError {
    match e {
        StoreError::Refused(why) => ServiceError::BadRequest(why),
        other => other.into(),
    }
}

pub(super) fn need(viewer: &Viewer, cap: Capability) -> Result<(), ServiceError> {
    if viewer.can(cap) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

pub(super) fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// What a school (or the district) enters for one reported target.
#[derive(Debug, Clone)]
pub struct ReportInput {
    pub key: String,
    /// The plan year (2025 = the 2024–2025 school year).
    pub year: i32,
    /// `None`: the district's own line (district roles only).
    pub school: Option<SchoolId>,
    /// The value as typed (`85`, `85%`).
    pub value: String,
    pub note: String,
    pub evidence: Option<UploadedFile>,
}

pub(super) fn checked_text(text: &str, what: &str, required: bool) -> Result<String, ServiceError> {
    let t = text.trim();
    if required && t.is_empty() {
        return Err(ServiceError::BadRequest(format!("请填写{what}")));
    }
    if t.chars().count() > MAX_NOTE {
        return Err(ServiceError::BadRequest(format!(
            "{what}不能超过 {MAX_NOTE} 字"
        )));
    }
    Ok(t.to_string())
}

/// The reported indicator `key` of the plan with a target for `year`, or why not.
fn reported<'p>(plan: &'p Plan, key: &str, year: i32) -> Result<&'p PlanIndicator, ServiceError> {
    let ind = plan.indicator(key).ok_or(ServiceError::NotFound)?;
    if ind.source() != IndicatorSource::Reported {
        return Err(ServiceError::BadRequest(format!(
            "“{}”由系统计算，不需要填报",
            ind.name
        )));
    }
    if !plan.years.contains(&year) {
        return Err(ServiceError::BadRequest(format!(
            "任务分解表没有 {year} 年的目标"
        )));
    }
    Ok(ind)
}

async fn schools(svc: &Service) -> Result<Roster, ServiceError> {
    Roster::load(svc).await
}

/// Whether the unit (`None`: the district) is one `ind` is judged for.
fn applies(ind: &PlanIndicator, school: Option<SchoolId>, schools: &Roster) -> bool {
    match school {
        None => ind
            .applies_to
            .contains(&wuyu_monitor::plan::AppliesTo::District),
        Some(id) => schools
            .schools
            .iter()
            .find(|s| s.id == id)
            .is_some_and(|s| applies_to_school(ind, s, schools)),
    }
}

/// The unit a viewer may enter values for: their own school, or (district roles) the
/// district's own line or, acting for it, any school.
pub(super) fn unit_of(
    viewer: &Viewer,
    asked: Option<SchoolId>,
) -> Result<Option<SchoolId>, ServiceError> {
    match (&viewer.scope, asked) {
        (Scope::District, unit) => Ok(unit),
        (Scope::School { school_id }, None) => Ok(Some(*school_id)),
        (Scope::School { school_id }, Some(s)) if s == *school_id => Ok(Some(s)),
        _ => Err(ServiceError::Forbidden),
    }
}

fn entity(key: &str, school: Option<SchoolId>, school_year: i32) -> String {
    format!(
        "plan_report:{key}:{}:{school_year}",
        school.map_or("district".to_string(), |s| s.0.to_string())
    )
}

/// Enters a value for a reported target: 待审核 until the district decides.
pub async fn submit_report(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    input: &ReportInput,
) -> Result<ReportRow, ServiceError> {
    need(viewer, Capability::SubmitPlanReports)?;
    let school = unit_of(viewer, input.school)?;
    let plan = svc.store().plan().await?;
    let ind = reported(&plan, &input.key, input.year)?;
    if !applies(ind, school, &schools(svc).await?) {
        return Err(ServiceError::BadRequest(format!(
            "“{}”不适用于{}",
            ind.name,
            if school.is_some() {
                "这所学校"
            } else {
                "全区"
            }
        )));
    }
    let value = parse_reported_value(&input.value, ind.kind)
        .map_err(|m| ServiceError::BadRequest(format!("“{}”的填报值：{m}", ind.name)))?;
    let note = checked_text(&input.note, "情况说明", true)?;
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
        None => None,
    };
    let school_year = school_year_of(input.year);
    let at = now();
    // A quarterly or monthly value approved in an earlier period is refreshed in this one.
    let rule = due_rules(svc).await?.remove(&ind.key).unwrap_or_default();
    let refresh_approved = match svc
        .store()
        .approved_plan_value(&ind.key, school, school_year)
        .await?
    {
        Some(a) => rule.may_refresh(school_year, china_date(at), china_date(a.approved_at)),
        None => false,
    };
    let report = NewReport {
        school_id: school,
        indicator_key: ind.key.clone(),
        school_year,
        value,
        note,
        evidence,
        refresh_approved,
        by: who.username.clone(),
        at,
    };
    let audit = AuditEntry {
        at,
        user_id: who.user_id,
        username: who.username.clone(),
        action: "plan_report_submit".into(),
        school_id: school,
        entity: entity(&ind.key, school, school_year),
        detail: format!(
            "year={} value={value} evidence={}",
            input.year,
            report
                .evidence
                .as_ref()
                .map_or("无".to_string(), |e| format!(
                    "{} sha256={}",
                    e.name, e.sha256
                ))
        ),
        ip: who.ip.clone(),
    };
    svc.store()
        .submit_plan_report(&report, &audit)
        .await
        .map_err(refused)
}

/// Approves a submitted value, or returns it with a reason (required).
pub async fn review_report(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: Option<SchoolId>,
    key: &str,
    year: i32,
    review: &Review,
) -> Result<ReportRow, ServiceError> {
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
    let school_year = school_year_of(year);
    let at = now();
    let audit = AuditEntry {
        at,
        user_id: who.user_id,
        username: who.username.clone(),
        action: match review {
            Review::Approve => "plan_report_approve",
            Review::Return { .. } => "plan_report_return",
        }
        .into(),
        school_id: school,
        entity: entity(key, school, school_year),
        detail: match &review {
            Review::Approve => format!("year={year}"),
            Review::Return { reason } => format!("year={year} reason={reason}"),
        },
        ip: who.ip.clone(),
    };
    svc.store()
        .review_plan_report(school, key, school_year, &review, &who.username, at, &audit)
        .await
        .map_err(refused)
}

/// Locks a plan year's reporting: no more entries, changes or reviews.
pub async fn lock_year(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    year: i32,
    reason: &str,
) -> Result<PeriodLock, ServiceError> {
    need(viewer, Capability::ReviewPlanReports)?;
    if !viewer.scope.is_district() {
        return Err(ServiceError::Forbidden);
    }
    let plan = svc.store().plan().await?;
    if !plan.years.contains(&year) {
        return Err(ServiceError::BadRequest(format!(
            "任务分解表没有 {year} 年的目标"
        )));
    }
    let lock = PeriodLock {
        school_year: school_year_of(year),
        reason: checked_text(reason, "锁定理由", true)?,
        locked_by: who.username.clone(),
        locked_at: now(),
    };
    let audit = AuditEntry {
        at: lock.locked_at,
        user_id: who.user_id,
        username: who.username.clone(),
        action: "plan_period_lock".into(),
        school_id: None,
        entity: format!("plan_year:{year}"),
        detail: format!("reason={}", lock.reason),
        ip: who.ip.clone(),
    };
    svc.store()
        .lock_plan_period(&lock, &audit)
        .await
        .map_err(refused)?;
    Ok(lock)
}

/// A report's evidence file, for the school that entered it and the district.
pub async fn report_evidence(
    svc: &Service,
    viewer: &Viewer,
    school: Option<SchoolId>,
    key: &str,
    year: i32,
) -> Result<Evidence, ServiceError> {
    need(viewer, Capability::ViewPlan)?;
    Ok(svc
        .store()
        .plan_report_evidence(&viewer.scope, school, key, school_year_of(year))
        .await?)
}

/// One reported target of a unit, with what has been entered for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportItem {
    pub key: String,
    pub name: String,
    pub unit_text: String,
    pub kind: UnitKind,
    pub comparator: &'static str,
    /// The year's target as the plan writes it.
    pub target: String,
    pub school_id: Option<SchoolId>,
    /// 全区 or the school's name.
    pub unit_label: String,
    pub report: Option<ReportRow>,
    /// 待填报 / 待审核 / 已退回 / 已通过.
    pub state_zh: &'static str,
    /// How often the value is due.
    pub cadence: Cadence,
    /// The next due date, or the last one when the school year has none left.
    pub due: Option<time::Date>,
    /// A due date has passed without a (fresh) value, or a returned value was not entered
    /// again.
    pub overdue: bool,
    /// The unit may enter or change the value now: the year is open (or reopened for it) and
    /// the value is not approved (unless reopened, or a periodic value due for a refresh).
    pub may_enter: bool,
}

/// The reporting of a plan year for the viewer: a school admin's reported targets (what is
/// due, what was returned and why); the district's queue of submissions waiting for review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reporting {
    pub year: i32,
    pub years: Vec<i32>,
    pub lock: Option<PeriodLock>,
    /// The viewer's own unit's reported targets (a school; the district's own lines).
    pub items: Vec<ReportItem>,
    /// District reviewers: every submission waiting for review.
    pub queue: Vec<ReportItem>,
    /// District reviewers: every unit's overdue targets, school by school.
    pub overdue: Vec<ReportItem>,
    /// The schools the locked year is reopened for (a school sees its own only).
    pub reopens: Vec<Reopen>,
    /// District reviewers: every reported indicator of the year with its due rule.
    pub rules: Vec<DueLine>,
}

/// A reported indicator's due rule, for the district's settings form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DueLine {
    pub key: String,
    pub name: String,
    pub rule: DueRule,
}

impl Reporting {
    /// How many of the viewer's own targets are in `state_zh`.
    pub fn count(&self, state_zh: &str) -> usize {
        self.items.iter().filter(|i| i.state_zh == state_zh).count()
    }
}

/// When a unit's target is due and whether it is late, on `today`.
struct Due {
    rule: DueRule,
    school_year: i32,
    today: time::Date,
    /// The year is not locked (`None`), or locked and reopened for the unit (`Some(true)`).
    lock: Option<bool>,
}

fn item(
    ind: &PlanIndicator,
    target: &TargetCell,
    school: Option<&School>,
    report: Option<ReportRow>,
    due: &Due,
) -> ReportItem {
    let periods = due.rule.periods(due.school_year);
    let next = due
        .rule
        .next_due(due.school_year, due.today)
        .or(periods.last().copied());
    let overdue = due.rule.is_overdue(
        due.school_year,
        due.today,
        report
            .as_ref()
            .map(|r| (r.status, china_date(r.submitted_at))),
    );
    let may_enter = match due.lock {
        Some(false) => false,
        Some(true) => true,
        None => report.as_ref().is_none_or(|r| {
            r.status != ReportStatus::Approved
                || r.reviewed_at.is_some_and(|at| {
                    due.rule
                        .may_refresh(due.school_year, due.today, china_date(at))
                })
        }),
    };
    ReportItem {
        may_enter,
        cadence: due.rule.cadence,
        due: next.map(|p| p.due),
        overdue,
        key: ind.key.clone(),
        name: ind.name.clone(),
        unit_text: ind.unit.clone(),
        kind: ind.kind,
        comparator: ind.comparator.symbol(),
        target: target.text(),
        school_id: school.map(|s| s.id),
        unit_label: school.map_or("全区".into(), |s| s.name.clone()),
        state_zh: report.as_ref().map_or("待填报", |r| r.status.label_zh()),
        report,
    }
}

/// The viewer's reporting for `year` (the plan's latest when `None`), as of today.
pub async fn reporting(
    svc: &Service,
    viewer: &Viewer,
    year: Option<i32>,
) -> Result<Reporting, ServiceError> {
    reporting_on(svc, viewer, year, china_today()).await
}

/// The viewer's reporting for `year` as of `today` (what is due and overdue on that day).
pub async fn reporting_on(
    svc: &Service,
    viewer: &Viewer,
    year: Option<i32>,
    today: time::Date,
) -> Result<Reporting, ServiceError> {
    need(viewer, Capability::ViewPlan)?;
    let own: Option<SchoolId> = match &viewer.scope {
        Scope::District => None,
        Scope::School { school_id } => Some(*school_id),
        _ => return Err(ServiceError::Forbidden),
    };
    let plan = svc.store().plan().await?;
    let year = match year {
        Some(y) if plan.years.contains(&y) => y,
        Some(y) => {
            return Err(ServiceError::BadRequest(format!(
                "任务分解表没有 {y} 年的目标"
            )));
        }
        None => plan.years.last().copied().unwrap_or(0),
    };
    let school_year = school_year_of(year);
    let schools = schools(svc).await?;
    let mut reports = svc.store().plan_reports(&viewer.scope, school_year).await?;
    let own_school = own.and_then(|id| schools.schools.iter().find(|s| s.id == id));
    let rules = due_rules(svc).await?;
    let mut reopens = svc.store().plan_period_reopens(school_year).await?;
    reopens.retain(|r| own.is_none_or(|s| s == r.school_id));
    let lock = svc.store().plan_period_lock(school_year).await?;
    let own_lock = lock
        .as_ref()
        .map(|_| own.is_some_and(|s| reopens.iter().any(|r| r.school_id == s)));
    let due = |ind: &PlanIndicator| Due {
        rule: rules.get(&ind.key).copied().unwrap_or_default(),
        school_year,
        today,
        lock: own_lock,
    };
    let mut out = Reporting {
        year,
        years: plan.years.clone(),
        lock,
        items: Vec::new(),
        queue: Vec::new(),
        overdue: Vec::new(),
        reopens,
        rules: Vec::new(),
    };
    for ind in plan.indicators.iter().filter(|i| i.measure.is_none()) {
        let target = ind.targets.get(&year).cloned().unwrap_or(TargetCell::Empty);
        if target == TargetCell::Empty || !applies(ind, own, &schools) {
            continue;
        }
        let mine = reports
            .iter()
            .position(|r| r.indicator_key == ind.key && r.school_id == own)
            .map(|i| reports.swap_remove(i));
        out.items
            .push(item(ind, &target, own_school, mine, &due(ind)));
    }
    if viewer.can(Capability::ReviewPlanReports) && own.is_none() {
        out.rules = plan
            .indicators
            .iter()
            .filter(|i| i.source() == IndicatorSource::Reported)
            .filter(|i| {
                i.targets
                    .get(&year)
                    .is_some_and(|t| *t != TargetCell::Empty)
            })
            .map(|i| DueLine {
                key: i.key.clone(),
                name: i.name.clone(),
                rule: rules.get(&i.key).copied().unwrap_or_default(),
            })
            .collect();
        // Every school's overdue targets (a locked year has nothing left to chase).
        if out.lock.is_none() {
            out.overdue = overdue_schools(&plan, year, &schools, &reports, &due);
        }
        for r in reports
            .into_iter()
            .filter(|r| r.status == ReportStatus::Submitted)
        {
            let Some(ind) = plan.indicator(&r.indicator_key) else {
                continue;
            };
            let target = ind.targets.get(&year).cloned().unwrap_or(TargetCell::Empty);
            let school = r
                .school_id
                .and_then(|id| schools.schools.iter().find(|s| s.id == id));
            out.queue
                .push(item(ind, &target, school, Some(r), &due(ind)));
        }
    }
    Ok(out)
}

/// Every school's reported targets that are overdue, school by school in roster order.
fn overdue_schools(
    plan: &Plan,
    year: i32,
    schools: &Roster,
    reports: &[ReportRow],
    due: &dyn Fn(&PlanIndicator) -> Due,
) -> Vec<ReportItem> {
    let by_unit: std::collections::HashMap<(&str, Option<SchoolId>), &ReportRow> = reports
        .iter()
        .map(|r| ((r.indicator_key.as_str(), r.school_id), r))
        .collect();
    let mut out = Vec::new();
    for school in &schools.schools {
        for ind in plan.indicators.iter().filter(|i| i.measure.is_none()) {
            let target = ind.targets.get(&year).cloned().unwrap_or(TargetCell::Empty);
            if target == TargetCell::Empty || !applies_to_school(ind, school, schools) {
                continue;
            }
            let report = by_unit
                .get(&(ind.key.as_str(), Some(school.id)))
                .map(|r| (*r).clone());
            let line = item(ind, &target, Some(school), report, &due(ind));
            if line.overdue {
                out.push(line);
            }
        }
    }
    out
}

/// The `plan` indicator source: the approved value of a reported indicator (the plan key)
/// for the district or one school in a school year, in the indicator's unit (a rate as a
/// fraction). Other units and periods have no reported values.
pub async fn indicator(
    svc: &Service,
    key: &IndicatorKey,
    unit: &UnitRef,
    period: Period,
) -> Result<Option<IndicatorValue>, ServiceError> {
    let school = match unit {
        UnitRef::District => None,
        UnitRef::School(id) => Some(*id),
        _ => return Ok(None),
    };
    let Period::SchoolYear(school_year) = period else {
        return Err(ServiceError::BadRequest(format!(
            "{} is reported per school year",
            key.as_str()
        )));
    };
    let approved = approved_values(svc, school_year).await?;
    Ok(approved
        .get(&(key.as_str().to_string(), school.map(|s| s.0)))
        .map(|(value, kind)| IndicatorValue {
            num: *value,
            den: if *kind == UnitKind::Rate { 100.0 } else { 1.0 },
            n: 1,
        }))
}

/// A school year's approved values by (plan key, school), in the indicator's unit kind.
type Approved = std::collections::HashMap<(String, Option<i64>), (f64, UnitKind)>;

/// Every approved value of a school year, read once per evaluation: the plan asks for every
/// reported target of every school in turn.
async fn approved_values(
    svc: &Service,
    school_year: i32,
) -> Result<std::sync::Arc<Approved>, ServiceError> {
    svc.once(format!("plan::approved:{school_year}"), async {
        let store = svc.store();
        let plan = store.plan().await?;
        let rows = store.plan_reports(&Scope::District, school_year).await?;
        Ok(std::sync::Arc::new(
            rows.into_iter()
                .filter(|r| r.status == ReportStatus::Approved)
                .filter_map(|r| {
                    let kind = plan.indicator(&r.indicator_key)?.kind;
                    Some(((r.indicator_key, r.school_id.map(|s| s.0)), (r.value, kind)))
                })
                .collect(),
        ))
    })
    .await
}
