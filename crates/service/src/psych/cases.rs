//! Crisis cases: the counsellor's list with overdue steps, and every step audited.
use serde::Serialize;
use wuyu_domain::{SchoolId, StudentId, Viewer};
use wuyu_store::AuditRow;
use wuyu_store::psych::{Assignee, CaseRow, DAY, StepDone, StepKind};

use super::audit::{counsellor, now_unix, record};
use crate::audit::Requester;
use crate::{Service, ServiceError};

/// The counsellor's case page: every case, the overdue steps, and break-glass reads of the
/// school's records.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub cases: Vec<CaseRow>,
    /// (case id, student name, step) of every step past due and not done, in open cases.
    pub overdue: Vec<(i64, String, wuyu_store::psych::CaseStep)>,
    pub break_glass: Vec<AuditRow>,
    pub now: i64,
}

pub async fn cases(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
) -> Result<CaseView, ServiceError> {
    let token = counsellor(svc, viewer, who, school, "psych_cases").await?;
    let cases = svc.store().cases(&token).await?;
    let break_glass = svc.store().break_glass_log(&token).await?;
    record(
        svc,
        who,
        "psych_read_cases",
        Some(school),
        format!("school:{}", school.0),
        format!("rows={}", cases.len()),
    )
    .await?;
    let now = now_unix();
    let overdue = cases
        .iter()
        .filter(|c| !c.closed)
        .flat_map(|c| {
            c.steps
                .iter()
                .filter(|s| s.is_overdue(now))
                .map(|s| (c.id, c.student_name.clone(), s.clone()))
        })
        .collect();
    Ok(CaseView {
        cases,
        overdue,
        break_glass,
        now,
    })
}

pub async fn open_case(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    student: StudentId,
) -> Result<i64, ServiceError> {
    let token = counsellor(svc, viewer, who, school, "psych_case:new").await?;
    let id = svc
        .store()
        .open_case(&token, student, &who.username, now_unix())
        .await?;
    record(
        svc,
        who,
        "psych_open_case",
        Some(school),
        format!("psych_case:{id}"),
        format!("student={}", student.0),
    )
    .await?;
    Ok(id)
}

/// A step as the counsellor reports it done.
#[derive(Debug, Clone, Default)]
pub struct StepReport {
    pub note: String,
    /// For 转介: the named medical institution.
    pub institution: Option<String>,
}

/// Marks a step done; a 转介 needs the named institution.
pub async fn complete_step(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    (case, seq): (i64, i32),
    report: &StepReport,
) -> Result<(), ServiceError> {
    let token = counsellor(svc, viewer, who, school, &format!("psych_case:{case}")).await?;
    let institution = report
        .institution
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let steps = svc.store().cases(&token).await?;
    let step = steps
        .iter()
        .find(|c| c.id == case)
        .and_then(|c| c.steps.iter().find(|s| s.seq == seq))
        .ok_or(ServiceError::NotFound)?;
    if step.kind == StepKind::Referral && institution.is_none() {
        return Err(ServiceError::BadRequest(
            "转介必须填写接收的医疗机构名称".into(),
        ));
    }
    svc.store()
        .complete_step(
            &token,
            case,
            seq,
            &StepDone {
                at: now_unix(),
                by: who.username.clone(),
                note: report.note.trim().to_string(),
                institution: institution.map(str::to_string),
            },
        )
        .await?;
    record(
        svc,
        who,
        "psych_complete_step",
        Some(school),
        format!("psych_case:{case}"),
        format!("step={seq} kind={}", step.kind.code()),
    )
    .await
}

/// Adds a follow-up due in `days` days, for the counsellor or given to the 班主任.
pub async fn follow_up(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    case: i64,
    assignee: Assignee,
    days: i64,
) -> Result<i32, ServiceError> {
    let token = counsellor(svc, viewer, who, school, &format!("psych_case:{case}")).await?;
    if !(0..=365).contains(&days) {
        return Err(ServiceError::BadRequest(format!(
            "期限“{days}”天无效：应为 0–365"
        )));
    }
    let seq = svc
        .store()
        .add_step(
            &token,
            case,
            StepKind::FollowUp,
            assignee,
            now_unix() + days * DAY,
        )
        .await?;
    record(
        svc,
        who,
        "psych_add_step",
        Some(school),
        format!("psych_case:{case}"),
        format!("step={seq} assignee={}", assignee.code()),
    )
    .await?;
    Ok(seq)
}

/// Closes a case; never without an outcome.
pub async fn close_case(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    case: i64,
    outcome: &str,
) -> Result<(), ServiceError> {
    let token = counsellor(svc, viewer, who, school, &format!("psych_case:{case}")).await?;
    if outcome.trim().is_empty() {
        return Err(ServiceError::BadRequest("结案必须填写结果".into()));
    }
    svc.store()
        .close_case(&token, case, outcome, &who.username, now_unix())
        .await?;
    record(
        svc,
        who,
        "psych_close_case",
        Some(school),
        format!("psych_case:{case}"),
        String::new(),
    )
    .await
}
