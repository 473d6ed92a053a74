//! The parallel-class rule (spec §5.3) for the teachers of the viewer's school (district
//! roles: every school, or one), over the three school years ending with `year`.
use std::collections::HashMap;

use wuyu_analytics::compare::AlertStatus;
use wuyu_domain::{Capability, SchoolId, Viewer};
use wuyu_report::exam::alerts_sheet;
use wuyu_store::{AlertDecision, AlertDecisionKind, AuditEntry, TeacherAlert};

use crate::audit::Requester;

use super::export::{XlsxFile, xlsx};
use super::overview::focus;
use crate::{Service, ServiceError};

/// The alerts with their schools' names, flagged first, then 样本不足, then the rest.
#[derive(Debug, Clone)]
pub struct Alerts {
    pub year: i32,
    /// School years with exams (and `year`), oldest first.
    pub years: Vec<i32>,
    pub alerts: Vec<TeacherAlert>,
    /// Aligned with `alerts`.
    pub school_names: Vec<String>,
    pub focus: Option<SchoolId>,
    /// The focused school's name.
    pub focus_name: Option<String>,
}

fn status_order(s: AlertStatus) -> u8 {
    match s {
        AlertStatus::Flagged => 0,
        AlertStatus::InsufficientEvents => 1,
        AlertStatus::NotFlagged => 2,
    }
}

/// The alerts of the cycle ending with `year` (default: the latest school year with exams).
pub async fn alerts(
    svc: &Service,
    viewer: &Viewer,
    year: Option<i32>,
    school: Option<i64>,
) -> Result<Alerts, ServiceError> {
    // Teachers, counsellors and parents: refused before anything is read.
    if !viewer.can(Capability::ViewExamAlerts) {
        return Err(ServiceError::Forbidden);
    }
    let store = svc.store();
    let focus = focus(svc, viewer, school).await?;
    let exams = store.list_exams(&viewer.scope).await?;
    let mut years: Vec<i32> = exams
        .iter()
        .map(|e| i32::from(e.exam.term.school_year))
        .collect();
    years.sort_unstable();
    years.dedup();
    let year = match year {
        Some(y) if (2000..=2100).contains(&y) => y,
        Some(y) => return Err(ServiceError::BadRequest(format!("year {y}"))),
        None => years
            .last()
            .copied()
            .unwrap_or_else(|| time::OffsetDateTime::now_utc().year()),
    };
    if !years.contains(&year) {
        years.push(year);
        years.sort_unstable();
    }
    let district_focus = if viewer.scope.is_district() {
        focus
    } else {
        None
    };
    let mut alerts = store
        .parallel_alerts(&viewer.scope, district_focus, year)
        .await?;
    let names: HashMap<SchoolId, String> = store
        .list_schools(&viewer.scope)
        .await?
        .into_iter()
        .map(|s| (s.school.id, s.school.name))
        .collect();
    // Within a status, the strongest evidence first: the smallest chance of being below that
    // often with no real difference.
    alerts.sort_by(|a, b| {
        status_order(a.alert.status)
            .cmp(&status_order(b.alert.status))
            .then(
                a.alert
                    .chance
                    .unwrap_or(1.0)
                    .total_cmp(&b.alert.chance.unwrap_or(1.0)),
            )
            .then(a.school_id.cmp(&b.school_id))
            .then(a.teacher_name.cmp(&b.teacher_name))
            .then(a.subject.cmp(&b.subject))
    });
    let school_names = alerts
        .iter()
        .map(|a| {
            names
                .get(&a.school_id)
                .cloned()
                .unwrap_or_else(|| a.school_id.to_string())
        })
        .collect();
    let focus_name = match focus {
        Some(s) => Some(store.school(&viewer.scope, s).await?.name),
        None => None,
    };
    Ok(Alerts {
        focus_name,
        year,
        years,
        alerts,
        school_names,
        focus,
    })
}

/// `parallel-alerts-{year}.xlsx`: one row per teacher and exam (the evidence).
pub async fn alerts_xlsx(
    svc: &Service,
    viewer: &Viewer,
    year: Option<i32>,
    school: Option<i64>,
) -> Result<XlsxFile, ServiceError> {
    let a = alerts(svc, viewer, year, school).await?;
    let sheet = alerts_sheet(
        &format!(
            "平行班比较预警（{}–{}学年为止的三个学年；仅供人工复核，不是自动判定）",
            a.year,
            a.year + 1
        ),
        &a.alerts,
        &a.school_names,
    );
    xlsx(&[sheet], format!("parallel-alerts-{}.xlsx", a.year))
}

/// The decision a district admin records on one teacher's alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionInput {
    pub school: SchoolId,
    pub teacher: wuyu_domain::TeacherId,
    pub subject: String,
    pub year: i32,
    pub kind: AlertDecisionKind,
    pub reason: String,
}

/// The longest reason kept (characters).
const MAX_REASON: usize = 500;

/// Records `input` as `who`'s decision on the alert it names, with an audit entry saying what
/// it replaced. The alert must be on the list of that cycle; a reason is required, since the
/// plan's consequences (低聘, 调离) fall on a person.
pub async fn decide(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    input: &DecisionInput,
) -> Result<AlertDecision, ServiceError> {
    if !viewer.can(Capability::DecideExamAlerts) {
        return Err(ServiceError::Forbidden);
    }
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(ServiceError::BadRequest("请填写处理理由".into()));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(ServiceError::BadRequest(format!(
            "处理理由不能超过 {MAX_REASON} 字"
        )));
    }
    let current = svc
        .store()
        .parallel_alerts(&viewer.scope, Some(input.school), input.year)
        .await?
        .into_iter()
        .find(|t| t.teacher_id == input.teacher && t.subject == input.subject)
        .ok_or(ServiceError::NotFound)?;
    let decision = AlertDecision {
        school_id: input.school,
        teacher_id: input.teacher,
        subject: input.subject.clone(),
        evaluation_year: input.year,
        kind: input.kind,
        reason: reason.to_string(),
        decided_by: who.username.clone(),
        decided_at: time::OffsetDateTime::now_utc().unix_timestamp(),
    };
    let previous = current
        .decision
        .as_ref()
        .map_or("无", |d| d.kind.label_zh());
    let audit = AuditEntry {
        at: decision.decided_at,
        user_id: who.user_id,
        username: who.username.clone(),
        action: "alert_decision".into(),
        school_id: Some(input.school),
        entity: format!("teacher:{}", input.teacher.0),
        detail: format!(
            "subject={} year={} decision={} previous={previous} reason={}",
            input.subject,
            input.year,
            input.kind.label_zh(),
            decision.reason
        ),
        ip: who.ip.clone(),
    };
    svc.store().record_alert_decision(&decision, &audit).await?;
    Ok(decision)
}
