//! The reporting API: `GET /api/v1/plan/reports?year=` (the viewer's reported targets and, for
//! district reviewers, the 待审核 queue — the /plan/reports page's data), `POST
//! /api/v1/plan/reports` (enter a value; evidence files go through the page's upload form),
//! `POST /api/v1/plan/reports/review` and `POST /api/v1/plan/locks`. Refusals answer 400 with
//! the Chinese reason in `detail`.
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use wuyu_domain::SchoolId;
use wuyu_service::ServiceError;
use wuyu_service::audit::Requester;
use wuyu_service::plan::{
    Cadence, ReportInput, ReportItem, close_reopen, lock_year, reopen_school, reporting,
    review_report, set_due, submit_report,
};
use wuyu_service::plan::{ReportRow, Review};

use crate::access::{ApiRequire, cap};
use crate::auth::ClientIp;
use crate::error::{ApiError, AppError, Problem};
use crate::state::AppState;

/// A reported value as stored.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReportDto {
    pub value: f64,
    pub note: String,
    /// `submitted`, `approved` or `returned`.
    pub status: String,
    /// Why it was returned (empty otherwise).
    pub reason: String,
    pub submitted_by: String,
    pub submitted_at: i64,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<i64>,
    pub evidence_name: Option<String>,
    pub evidence_sha256: Option<String>,
    pub evidence_size: Option<i64>,
}

/// One reported target of a unit.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReportItemDto {
    pub key: String,
    pub name: String,
    pub unit_text: String,
    /// `>=`-style symbol as shown (`≥`, `≤`, `=`, `≈`).
    pub comparator: String,
    pub target: String,
    /// `None`: the district's own line.
    pub school_id: Option<i64>,
    pub unit_label: String,
    /// 待填报 / 待审核 / 已退回 / 已通过.
    pub state_zh: String,
    /// `yearly`, `quarterly` or `monthly`.
    pub cadence: String,
    /// The next due date (or the last one), `2025-07-15`.
    pub due: Option<String>,
    /// A due date passed without a (fresh) value, or a returned value was not entered again.
    pub overdue: bool,
    /// The unit may enter or change the value now.
    pub may_enter: bool,
    pub report: Option<ReportDto>,
}

/// A locked year reopened for one school.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReopenDto {
    pub school_id: i64,
    pub reason: String,
    pub reopened_by: String,
    pub reopened_at: i64,
}

/// A plan year's reporting for the caller.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReportingDto {
    pub year: i32,
    pub years: Vec<i32>,
    /// Why the year is locked, if it is.
    pub locked_reason: Option<String>,
    pub items: Vec<ReportItemDto>,
    /// District reviewers: submissions waiting for review.
    pub queue: Vec<ReportItemDto>,
    /// District reviewers: every school's overdue targets.
    pub overdue: Vec<ReportItemDto>,
    /// Schools the locked year is reopened for (a school: its own).
    pub reopens: Vec<ReopenDto>,
}

fn report_dto(r: ReportRow) -> ReportDto {
    ReportDto {
        value: r.value,
        note: r.note,
        status: r.status.code().into(),
        reason: r.reason,
        submitted_by: r.submitted_by,
        submitted_at: r.submitted_at,
        reviewed_by: r.reviewed_by,
        reviewed_at: r.reviewed_at,
        evidence_name: r.evidence_name,
        evidence_sha256: r.evidence_sha256,
        evidence_size: r.evidence_size,
    }
}

fn item_dto(i: ReportItem) -> ReportItemDto {
    ReportItemDto {
        key: i.key,
        name: i.name,
        unit_text: i.unit_text,
        comparator: i.comparator.into(),
        target: i.target,
        school_id: i.school_id.map(|s| s.0),
        unit_label: i.unit_label,
        state_zh: i.state_zh.into(),
        cadence: i.cadence.code().into(),
        due: i.due.map(|d| d.to_string()),
        overdue: i.overdue,
        may_enter: i.may_enter,
        report: i.report.map(report_dto),
    }
}

/// A refusal's Chinese reason as a problem document; other errors as usual.
pub(super) fn problem(e: ServiceError) -> Response {
    match e {
        ServiceError::BadRequest(why) => {
            let p = Problem {
                kind: "about:blank".into(),
                title: "请求被拒绝".into(),
                status: 400,
                detail: why,
            };
            let mut resp = (StatusCode::BAD_REQUEST, Json(p)).into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/problem+json"),
            );
            resp
        }
        other => ApiError::from(other).into_response(),
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReportsQuery {
    /// The plan year (2025 = the 2024–2025 school year); the plan's latest when left out.
    #[serde(default, deserialize_with = "crate::exam::empty_as_none")]
    pub year: Option<i32>,
}

/// The caller's reported targets of the year (a school admin: their school's; the district:
/// its own lines and the queue of submissions waiting for review).
#[utoipa::path(
    get,
    path = "/api/v1/plan/reports",
    tag = "plan",
    operation_id = "plan_reports",
    security(("session" = [])),
    params(ReportsQuery),
    responses(
        (status = 200, description = "指标填报情况", body = ReportingDto),
        (status = 400, description = "参数无效", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn plan_reports(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ViewPlan>,
    q: Result<Query<ReportsQuery>, QueryRejection>,
) -> Result<Json<ReportingDto>, ApiError> {
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let r = reporting(&state.svc, &me.viewer(), q.year)
        .await
        .map_err(AppError::from)?;
    Ok(Json(ReportingDto {
        year: r.year,
        years: r.years,
        locked_reason: r.lock.map(|l| l.reason),
        items: r.items.into_iter().map(item_dto).collect(),
        queue: r.queue.into_iter().map(item_dto).collect(),
        overdue: r.overdue.into_iter().map(item_dto).collect(),
        reopens: r
            .reopens
            .into_iter()
            .map(|o| ReopenDto {
                school_id: o.school_id.0,
                reason: o.reason,
                reopened_by: o.reopened_by,
                reopened_at: o.reopened_at,
            })
            .collect(),
    }))
}

/// A value entered for a reported target.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct SubmitBody {
    pub key: String,
    pub year: i32,
    /// A school's id (district roles acting for it); left out: the caller's own unit.
    pub school_id: Option<i64>,
    /// The value as typed (`85`, `85%`).
    pub value: String,
    pub note: String,
}

/// Enters a value (待审核 until the district decides).
#[utoipa::path(
    post,
    path = "/api/v1/plan/reports",
    tag = "plan",
    operation_id = "plan_report_submit",
    security(("session" = [])),
    request_body = SubmitBody,
    responses(
        (status = 200, description = "已提交", body = ReportDto),
        (status = 400, description = "填报被拒绝（原因见 detail）", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn plan_report_submit(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::SubmitPlanReports>,
    ClientIp(ip): ClientIp,
    body: Result<Json<SubmitBody>, JsonRejection>,
) -> Response {
    let Ok(Json(b)) = body else {
        return ApiError(AppError::BadRequest).into_response();
    };
    let input = ReportInput {
        key: b.key,
        year: b.year,
        school: b.school_id.map(SchoolId),
        value: b.value,
        note: b.note,
        evidence: None,
    };
    let who = Requester::user(&me.user, &ip);
    match submit_report(&state.svc, &me.viewer(), &who, &input).await {
        Ok(r) => Json(report_dto(r)).into_response(),
        Err(e) => problem(e),
    }
}

/// The district's decision on a submitted value.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ReviewBody {
    pub key: String,
    pub year: i32,
    /// Left out: the district's own line.
    pub school_id: Option<i64>,
    /// `approve` or `return`.
    pub decision: String,
    /// Required when returning.
    #[serde(default)]
    pub reason: String,
}

/// Approves a submitted value or returns it with a reason.
#[utoipa::path(
    post,
    path = "/api/v1/plan/reports/review",
    tag = "plan",
    operation_id = "plan_report_review",
    security(("session" = [])),
    request_body = ReviewBody,
    responses(
        (status = 200, description = "已审核", body = ReportDto),
        (status = 400, description = "审核被拒绝（原因见 detail）", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "没有这项填报", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn plan_report_review(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ReviewPlanReports>,
    ClientIp(ip): ClientIp,
    body: Result<Json<ReviewBody>, JsonRejection>,
) -> Response {
    let Ok(Json(b)) = body else {
        return ApiError(AppError::BadRequest).into_response();
    };
    let Some(review) = Review::from_decision(&b.decision, b.reason) else {
        return ApiError(AppError::BadRequest).into_response();
    };
    let who = Requester::user(&me.user, &ip);
    let school = b.school_id.map(SchoolId);
    match review_report(
        &state.svc,
        &me.viewer(),
        &who,
        school,
        &b.key,
        b.year,
        &review,
    )
    .await
    {
        Ok(r) => Json(report_dto(r)).into_response(),
        Err(e) => problem(e),
    }
}

/// A plan year to lock.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct LockBody {
    pub year: i32,
    pub reason: String,
}

/// Locks a plan year's reporting: no more entries, changes or reviews.
#[utoipa::path(
    post,
    path = "/api/v1/plan/locks",
    tag = "plan",
    operation_id = "plan_lock",
    security(("session" = [])),
    request_body = LockBody,
    responses(
        (status = 204, description = "已锁定"),
        (status = 400, description = "锁定被拒绝（原因见 detail）", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn plan_lock(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ReviewPlanReports>,
    ClientIp(ip): ClientIp,
    body: Result<Json<LockBody>, JsonRejection>,
) -> Response {
    let Ok(Json(b)) = body else {
        return ApiError(AppError::BadRequest).into_response();
    };
    let who = Requester::user(&me.user, &ip);
    match lock_year(&state.svc, &me.viewer(), &who, b.year, &b.reason).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => problem(e),
    }
}

/// Reopens a locked year for one school, or locks it for the school again.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ReopenBody {
    pub year: i32,
    pub school_id: i64,
    /// `true`: reopen (a reason is required); `false`: lock it for the school again.
    pub open: bool,
    #[serde(default)]
    pub reason: String,
}

/// Reopens a locked plan year for one school so it can correct its values, or closes it again.
#[utoipa::path(
    post,
    path = "/api/v1/plan/reopens",
    tag = "plan",
    operation_id = "plan_reopen",
    security(("session" = [])),
    request_body = ReopenBody,
    responses(
        (status = 204, description = "已重新开放或重新锁定"),
        (status = 400, description = "被拒绝（原因见 detail）", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "学校未重新开放或不存在", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn plan_reopen(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ReviewPlanReports>,
    ClientIp(ip): ClientIp,
    body: Result<Json<ReopenBody>, JsonRejection>,
) -> Response {
    let Ok(Json(b)) = body else {
        return ApiError(AppError::BadRequest).into_response();
    };
    let who = Requester::user(&me.user, &ip);
    let school = SchoolId(b.school_id);
    let done = if b.open {
        reopen_school(&state.svc, &me.viewer(), &who, b.year, school, &b.reason)
            .await
            .map(|_| ())
    } else {
        close_reopen(&state.svc, &me.viewer(), &who, b.year, school).await
    };
    match done {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => problem(e),
    }
}

/// A reported target's 填报周期 and due day.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct DueBody {
    pub key: String,
    /// `yearly`, `quarterly` or `monthly`.
    pub cadence: String,
    /// 1–28: the day of the month after each period.
    pub day: u8,
}

/// Sets when a reported target is due.
#[utoipa::path(
    post,
    path = "/api/v1/plan/due",
    tag = "plan",
    operation_id = "plan_due",
    security(("session" = [])),
    request_body = DueBody,
    responses(
        (status = 204, description = "已保存"),
        (status = 400, description = "被拒绝（原因见 detail）", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "没有这项指标", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn plan_due(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ReviewPlanReports>,
    ClientIp(ip): ClientIp,
    body: Result<Json<DueBody>, JsonRejection>,
) -> Response {
    let Ok(Json(b)) = body else {
        return ApiError(AppError::BadRequest).into_response();
    };
    let Some(cadence) = Cadence::from_code(&b.cadence) else {
        return problem(ServiceError::BadRequest(format!(
            "填报周期应为 yearly、quarterly 或 monthly（填写的是 {}）",
            b.cadence
        )));
    };
    let who = Requester::user(&me.user, &ip);
    match set_due(&state.svc, &me.viewer(), &who, &b.key, cadence, b.day).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => problem(e),
    }
}
