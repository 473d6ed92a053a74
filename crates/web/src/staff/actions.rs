//! The appraisal's workflow steps from the browser, each one call to `wuyu_service::staff`
//! and back to the round page: the school uploads its inputs, records the committee's choice
//! and starts the 公示; the district approves, returns with a reason and answers appeals; a
//! teacher appeals and confirms having seen the result.
use axum::Form;
use axum::body::{Body, to_bytes};
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wuyu_domain::{SchoolId, TeacherId};
use wuyu_service::audit::Requester;
use wuyu_service::staff::{self, CommitteeChoice};

use super::pages::{refused_or, round_page, rounds_page, today};
use crate::access::{Require, cap};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::import_centre::multipart;
use crate::pages::path_ids;
use crate::state::AppState;

/// The largest inputs file taken: a school's teachers fit in far less.
const MAX_UPLOAD: usize = 4 * 1024 * 1024;

type P = Result<Path<(i64, i32)>, PathRejection>;

fn back(school: i64, year: i32, done: &str) -> Response {
    Redirect::to(&format!("/staff/appraisal/{school}/{year}?done={done}")).into_response()
}

/// Runs one step; a refusal shows the round with its reason.
async fn step(
    state: &AppState,
    me: &CurrentUser,
    ip: &str,
    (school, year): (i64, i32),
    done: &str,
    r: Result<(), wuyu_service::ServiceError>,
) -> Result<Response, AppError> {
    match r {
        Ok(()) => Ok(back(school, year, done)),
        Err(e) => refused_or(state, me, ip, SchoolId(school), year, e).await,
    }
}

/// `POST /staff/appraisal/{school}/{year}/import` (multipart: `file`, the levels layout).
pub(crate) async fn import(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageStaffAppraisal>,
    ClientIp(ip): ClientIp,
    p: P,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let (school, year) = path_ids(p)?;
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(multipart::boundary)
        .ok_or(AppError::BadRequest)?;
    let Ok(bytes) = to_bytes(body, MAX_UPLOAD).await else {
        let why = format!("文件超过 {} MB 的上限", MAX_UPLOAD / (1024 * 1024));
        let page = round_page(&state, &me, &ip, SchoolId(school), year, Some(why), None).await?;
        return Ok((StatusCode::PAYLOAD_TOO_LARGE, page).into_response());
    };
    let parts = multipart::parse(&boundary, &bytes).map_err(|_| AppError::BadRequest)?;
    let Some((name, data)) = parts
        .into_iter()
        .find(|p| p.name == "file")
        .and_then(|p| p.file_name.filter(|n| !n.is_empty()).map(|n| (n, p.data)))
    else {
        let why = "请选择要上传的考核数据文件（CSV 或 XLSX）".to_string();
        return round_page(&state, &me, &ip, SchoolId(school), year, Some(why), None).await;
    };
    let who = Requester::user(&me.user, &ip);
    let r = staff::import_appraisal(
        &state.svc,
        &me.viewer(),
        &who,
        SchoolId(school),
        year,
        &data,
        &name,
    )
    .await
    .map(|_| ());
    step(&state, &me, &ip, (school, year), "imported", r).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct CommitteeForm {
    teacher: i64,
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /staff/appraisal/{school}/{year}/committee`: the committee's choice with its reason.
pub(crate) async fn committee(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageStaffAppraisal>,
    ClientIp(ip): ClientIp,
    p: P,
    form: Result<Form<CommitteeForm>, FormRejection>,
) -> Result<Response, AppError> {
    let (school, year) = path_ids(p)?;
    let Form(f) = form.map_err(|_| AppError::BadRequest)?;
    let choice = match f.decision.as_str() {
        "excellent" => CommitteeChoice::Excellent,
        "qualified" => CommitteeChoice::Qualified,
        _ => return Err(AppError::BadRequest),
    };
    let who = Requester::user(&me.user, &ip);
    let r = staff::decide_committee(
        &state.svc,
        &me.viewer(),
        &who,
        SchoolId(school),
        year,
        TeacherId(f.teacher),
        choice,
        &f.reason,
    )
    .await;
    step(&state, &me, &ip, (school, year), "decided", r).await
}

/// `POST /staff/appraisal/{school}/{year}/redraft`: the draft composed again with the
/// district's current weights.
pub(crate) async fn redraft(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageStaffAppraisal>,
    ClientIp(ip): ClientIp,
    p: P,
) -> Result<Response, AppError> {
    let (school, year) = path_ids(p)?;
    let who = Requester::user(&me.user, &ip);
    let r = staff::redraft_appraisal(&state.svc, &me.viewer(), &who, SchoolId(school), year)
        .await
        .map(|_| ());
    step(&state, &me, &ip, (school, year), "redrafted", r).await
}

/// `POST /staff/appraisal/{school}/{year}/publicise`: the school submits its proposal to 公示.
pub(crate) async fn publicise(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageStaffAppraisal>,
    ClientIp(ip): ClientIp,
    p: P,
) -> Result<Response, AppError> {
    let (school, year) = path_ids(p)?;
    let who = Requester::user(&me.user, &ip);
    let r = staff::publicise(
        &state.svc,
        &me.viewer(),
        &who,
        SchoolId(school),
        year,
        today(),
    )
    .await
    .map(|_| ());
    step(&state, &me, &ip, (school, year), "publicised", r).await
}

/// `POST /staff/appraisal/{school}/{year}/approve`: the district approves after the 公示.
pub(crate) async fn approve(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ApproveStaffAppraisal>,
    ClientIp(ip): ClientIp,
    p: P,
) -> Result<Response, AppError> {
    let (school, year) = path_ids(p)?;
    let who = Requester::user(&me.user, &ip);
    let r = staff::approve(
        &state.svc,
        &me.viewer(),
        &who,
        SchoolId(school),
        year,
        today(),
    )
    .await;
    step(&state, &me, &ip, (school, year), "approved", r).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct TextForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    teacher: Option<i64>,
}

/// `POST /staff/appraisal/{school}/{year}/return`: back to the school's draft with a reason.
pub(crate) async fn return_round(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ApproveStaffAppraisal>,
    ClientIp(ip): ClientIp,
    p: P,
    form: Result<Form<TextForm>, FormRejection>,
) -> Result<Response, AppError> {
    let (school, year) = path_ids(p)?;
    let Form(f) = form.map_err(|_| AppError::BadRequest)?;
    let who = Requester::user(&me.user, &ip);
    let r = staff::return_round(
        &state.svc,
        &me.viewer(),
        &who,
        SchoolId(school),
        year,
        &f.text,
    )
    .await;
    step(&state, &me, &ip, (school, year), "returned", r).await
}

/// `POST /staff/appraisal/{school}/{year}/answer`: the district's answer to an appeal.
pub(crate) async fn answer(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ApproveStaffAppraisal>,
    ClientIp(ip): ClientIp,
    p: P,
    form: Result<Form<TextForm>, FormRejection>,
) -> Result<Response, AppError> {
    let (school, year) = path_ids(p)?;
    let Form(f) = form.map_err(|_| AppError::BadRequest)?;
    let teacher = f.teacher.ok_or(AppError::BadRequest)?;
    let who = Requester::user(&me.user, &ip);
    let r = staff::answer_appeal(
        &state.svc,
        &me.viewer(),
        &who,
        SchoolId(school),
        year,
        TeacherId(teacher),
        &f.text,
    )
    .await;
    step(&state, &me, &ip, (school, year), "answered", r).await
}

/// `POST /staff/appraisal/{school}/{year}/appeal`: a teacher asks for 复核/申诉.
pub(crate) async fn appeal(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewStaffAppraisal>,
    ClientIp(ip): ClientIp,
    p: P,
    form: Result<Form<TextForm>, FormRejection>,
) -> Result<Response, AppError> {
    let (school, year) = path_ids(p)?;
    let Form(f) = form.map_err(|_| AppError::BadRequest)?;
    let who = Requester::user(&me.user, &ip);
    let r = staff::appeal(
        &state.svc,
        &me.viewer(),
        &who,
        SchoolId(school),
        year,
        &f.text,
    )
    .await;
    step(&state, &me, &ip, (school, year), "appealed", r).await
}

/// `POST /staff/appraisal/{school}/{year}/confirm`: the teacher has seen the result.
pub(crate) async fn confirm(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewStaffAppraisal>,
    ClientIp(ip): ClientIp,
    p: P,
) -> Result<Response, AppError> {
    let (school, year) = path_ids(p)?;
    let who = Requester::user(&me.user, &ip);
    let r = staff::confirm(&state.svc, &me.viewer(), &who, SchoolId(school), year).await;
    step(&state, &me, &ip, (school, year), "confirmed", r).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct PoolForm {
    year: i32,
}

/// `POST /staff/appraisal/pool`: the district pools the small schools' drafts of a year.
pub(crate) async fn pool(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ApproveStaffAppraisal>,
    ClientIp(ip): ClientIp,
    form: Result<Form<PoolForm>, FormRejection>,
) -> Result<Response, AppError> {
    let Form(f) = form.map_err(|_| AppError::BadRequest)?;
    let who = Requester::user(&me.user, &ip);
    match staff::pool_small_schools(&state.svc, &me.viewer(), &who, f.year).await {
        Ok(r) => {
            let mut notice = format!(
                "区统筹完成：{} 所名额为 0 的学校合并计算，N = {}，优秀上限 ⌊20% × {}⌋ = {} 名；定为优秀 {} 名，需集体研究 {} 名。",
                r.schools, r.pool_n, r.pool_n, r.pool_cap, r.excellent, r.committee
            );
            if r.skipped > 0 {
                notice.push_str(&format!("另有 {} 所已公示或已审定，未参加。", r.skipped));
            }
            rounds_page(&state, &me, f.year, Some(notice)).await
        }
        Err(wuyu_service::ServiceError::BadRequest(why)) => {
            let page = rounds_page(&state, &me, f.year, Some(why)).await?;
            Ok((StatusCode::BAD_REQUEST, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
