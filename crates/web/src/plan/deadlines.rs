//! The district's reporting settings on /plan/reports: `POST /plan/reports/reopen` (reopen a
//! locked year for one school with a reason, or lock it again) and `POST /plan/reports/due`
//! (a reported target's 填报周期 and due day).
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::response::Response;
use serde::Deserialize;
use wuyu_service::audit::Requester;
use wuyu_service::plan::{Cadence, close_reopen, reopen_school, set_due};

use super::reports::{back, refused_or, school_of};
use crate::access::{Require, cap};
use crate::auth::ClientIp;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub(crate) struct ReopenForm {
    year: i32,
    school: String,
    /// `reopen` or `close`.
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /plan/reports/reopen`.
pub(crate) async fn reopen(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ReviewPlanReports>,
    ClientIp(ip): ClientIp,
    form: Result<axum::Form<ReopenForm>, FormRejection>,
) -> Result<Response, AppError> {
    let axum::Form(f) = form.map_err(|_| AppError::BadRequest)?;
    let school = school_of(&f.school)?.ok_or(AppError::BadRequest)?;
    let who = Requester::user(&me.user, &ip);
    let viewer = me.viewer();
    let done = match f.decision.as_str() {
        "reopen" => reopen_school(&state.svc, &viewer, &who, f.year, school, &f.reason)
            .await
            .map(|_| "reopened"),
        "close" => close_reopen(&state.svc, &viewer, &who, f.year, school)
            .await
            .map(|()| "reclosed"),
        _ => return Err(AppError::BadRequest),
    };
    match done {
        Ok(done) => Ok(back(f.year, done)),
        Err(e) => refused_or(&state, &me, Some(f.year), e).await,
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct DueForm {
    year: i32,
    key: String,
    cadence: String,
    day: u8,
}

/// `POST /plan/reports/due`.
pub(crate) async fn due(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ReviewPlanReports>,
    ClientIp(ip): ClientIp,
    form: Result<axum::Form<DueForm>, FormRejection>,
) -> Result<Response, AppError> {
    let axum::Form(f) = form.map_err(|_| AppError::BadRequest)?;
    let cadence = Cadence::from_code(&f.cadence).ok_or(AppError::BadRequest)?;
    let who = Requester::user(&me.user, &ip);
    match set_due(&state.svc, &me.viewer(), &who, &f.key, cadence, f.day).await {
        Ok(_) => Ok(back(f.year, "due")),
        Err(e) => refused_or(&state, &me, Some(f.year), e).await,
    }
}
