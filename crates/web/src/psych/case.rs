//! One crisis case's page: its steps and its counselling records (心理档案), with the form to
//! add a record. The school's counsellor only; each view is audited by the service.
use askama::Template;
use axum::Form;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wuyu_service::ServiceError;
use wuyu_service::audit::Requester;
use wuyu_service::psych::{self, CounsellingInput, CounsellingKind};

use crate::access::{Require, cap};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::state::AppState;
use crate::view::{Chrome, format_time, render};

pub(crate) struct StepLine {
    label: &'static str,
    due: String,
    done: String,
    overdue: bool,
}

pub(crate) struct RecordLine {
    held_on: String,
    kind: &'static str,
    summary: String,
    next_step: String,
    by: String,
}

#[derive(Template)]
#[template(path = "psych_case.html")]
struct CasePage {
    chrome: Chrome,
    message: String,
    id: i64,
    student: String,
    class_label: String,
    opened: String,
    closed: bool,
    outcome: String,
    steps: Vec<StepLine>,
    records: Vec<RecordLine>,
    kinds: Vec<(&'static str, &'static str)>,
    form: RecordForm,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RecordForm {
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    next_step: String,
}

async fn case_page(
    state: &AppState,
    me: &CurrentUser,
    ip: &str,
    id: i64,
    message: String,
    form: RecordForm,
) -> Result<Response, AppError> {
    let school = me.scope.school_id().ok_or(AppError::Forbidden)?;
    let who = Requester::user(&me.user, ip);
    let f = psych::case_file(&state.svc, &me.viewer(), &who, school, id).await?;
    let status = if message.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CasePage {
        chrome: Chrome::new(me, "/psych"),
        message,
        id,
        student: f.case.student_name.clone(),
        class_label: f.case.class_label.clone(),
        opened: format_time(f.case.opened_at),
        closed: f.case.closed,
        outcome: f.case.outcome.clone().unwrap_or_default(),
        steps: f
            .case
            .steps
            .iter()
            .map(|s| StepLine {
                label: s.kind.label_zh(),
                due: format_time(s.due_at),
                done: s.done_at.map(format_time).unwrap_or_default(),
                overdue: s.is_overdue(f.now),
            })
            .collect(),
        records: f
            .records
            .iter()
            .map(|r| RecordLine {
                held_on: r.held_on.clone(),
                kind: r.kind.label_zh(),
                summary: r.summary.clone(),
                next_step: r.next_step.clone(),
                by: r.recorded_by.clone(),
            })
            .collect(),
        kinds: CounsellingKind::ALL
            .iter()
            .map(|k| (k.code(), k.label_zh()))
            .collect(),
        form,
    };
    Ok((status, render(&page)?).into_response())
}

fn case_id(p: Result<Path<i64>, PathRejection>) -> Result<i64, AppError> {
    p.map(|Path(id)| id).map_err(|_| AppError::NotFound)
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPsychRecords>,
    ClientIp(ip): ClientIp,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Response, AppError> {
    let id = case_id(p)?;
    case_page(&state, &me, &ip, id, String::new(), RecordForm::default()).await
}

pub(crate) async fn add_record(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPsychRecords>,
    ClientIp(ip): ClientIp,
    p: Result<Path<i64>, PathRejection>,
    Form(f): Form<RecordForm>,
) -> Result<Response, AppError> {
    let id = case_id(p)?;
    let school = me.scope.school_id().ok_or(AppError::Forbidden)?;
    let who = Requester::user(&me.user, &ip);
    let input = CounsellingInput {
        held_on: f.held_on.clone(),
        kind: f.kind.clone(),
        summary: f.summary.clone(),
        next_step: f.next_step.clone(),
    };
    match psych::add_counselling(&state.svc, &me.viewer(), &who, school, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/psych/cases/{id}")).into_response()),
        Err(ServiceError::BadRequest(m) | ServiceError::Conflict(m)) => {
            case_page(&state, &me, &ip, id, m, f).await
        }
        Err(e) => Err(e.into()),
    }
}
