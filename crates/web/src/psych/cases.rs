//! The counsellor's case forms: complete a step, add a follow-up, close with an outcome. A
//! refused form re-renders the page with the reason.
use axum::Form;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wuyu_service::ServiceError;
use wuyu_service::audit::Requester;
use wuyu_service::psych::{self, Assignee, StepReport};

use super::pages::counsellor_page;
use crate::access::{Require, cap};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub(crate) struct StepForm {
    #[serde(default)]
    note: String,
    #[serde(default)]
    institution: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct FollowUpForm {
    days: i64,
    assignee: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CloseForm {
    #[serde(default)]
    outcome: String,
}

/// Back to the page, or the page again with the reason a form was refused.
async fn done(
    state: &AppState,
    me: &CurrentUser,
    ip: &str,
    r: Result<(), ServiceError>,
) -> Result<Response, AppError> {
    match r {
        Ok(()) => Ok(Redirect::to("/psych").into_response()),
        Err(ServiceError::BadRequest(m) | ServiceError::Conflict(m)) => {
            counsellor_page(state, me, ip, None, m).await
        }
        Err(e) => Err(e.into()),
    }
}

fn ids<T>(p: Result<Path<T>, PathRejection>) -> Result<T, AppError> {
    p.map(|Path(t)| t).map_err(|_| AppError::NotFound)
}

pub(crate) async fn complete_step(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPsychRecords>,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i32)>, PathRejection>,
    Form(f): Form<StepForm>,
) -> Result<Response, AppError> {
    let (case, seq) = ids(p)?;
    let school = me.scope.school_id().ok_or(AppError::Forbidden)?;
    let who = Requester::user(&me.user, &ip);
    let report = StepReport {
        note: f.note,
        institution: Some(f.institution),
    };
    let r =
        psych::complete_step(&state.svc, &me.viewer(), &who, school, (case, seq), &report).await;
    done(&state, &me, &ip, r).await
}

pub(crate) async fn follow_up(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPsychRecords>,
    ClientIp(ip): ClientIp,
    p: Result<Path<i64>, PathRejection>,
    Form(f): Form<FollowUpForm>,
) -> Result<Response, AppError> {
    let case = ids(p)?;
    let school = me.scope.school_id().ok_or(AppError::Forbidden)?;
    let assignee = Assignee::from_code(&f.assignee).ok_or(AppError::BadRequest)?;
    let who = Requester::user(&me.user, &ip);
    let r = psych::follow_up(
        &state.svc,
        &me.viewer(),
        &who,
        school,
        case,
        assignee,
        f.days,
    )
    .await
    .map(|_| ());
    done(&state, &me, &ip, r).await
}

pub(crate) async fn close(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPsychRecords>,
    ClientIp(ip): ClientIp,
    p: Result<Path<i64>, PathRejection>,
    Form(f): Form<CloseForm>,
) -> Result<Response, AppError> {
    let case = ids(p)?;
    let school = me.scope.school_id().ok_or(AppError::Forbidden)?;
    let who = Requester::user(&me.user, &ip);
    let r = psych::close_case(&state.svc, &me.viewer(), &who, school, case, &f.outcome).await;
    done(&state, &me, &ip, r).await
}
