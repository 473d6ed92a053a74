//! The registry API: `GET /api/v1/plan/registry` (the viewer's items: a school its own, the
//! district all — the /plan/registry page's data) and `POST /api/v1/plan/registry/review`.
//! Items are entered through the page's upload form, which carries the award document.
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use wuyu_service::audit::Requester;
use wuyu_service::plan::{RegistryItem, Review, items, review_item};

use super::reports_api::problem;
use crate::access::{ApiRequire, cap};
use crate::auth::ClientIp;
use crate::error::{ApiError, AppError, Problem};
use crate::state::AppState;

/// One registry item.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RegistryItemDto {
    pub id: i64,
    /// `None`: the district's own item.
    pub school_id: Option<i64>,
    /// 类型, e.g. 劳动特色学校.
    pub kind: String,
    /// 国 / 省 / 市 / 区.
    pub level: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub awarded_on: String,
    pub note: String,
    /// `submitted`, `approved` or `returned`.
    pub status: String,
    pub reason: String,
    pub submitted_by: String,
    pub submitted_at: i64,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<i64>,
    pub evidence_name: Option<String>,
    pub evidence_sha256: Option<String>,
}

fn dto(i: RegistryItem) -> RegistryItemDto {
    RegistryItemDto {
        id: i.id,
        school_id: i.school_id.map(|s| s.0),
        kind: i.kind,
        level: i.level.label_zh().into(),
        title: i.title,
        awarded_on: i.awarded_on,
        note: i.note,
        status: i.status.code().into(),
        reason: i.reason,
        submitted_by: i.submitted_by,
        submitted_at: i.submitted_at,
        reviewed_by: i.reviewed_by,
        reviewed_at: i.reviewed_at,
        evidence_name: i.evidence_name,
        evidence_sha256: i.evidence_sha256,
    }
}

/// The registry items the viewer may see, newest award first.
#[utoipa::path(
    get,
    path = "/api/v1/plan/registry",
    tag = "plan",
    operation_id = "plan_registry",
    security(("session" = [])),
    responses(
        (status = 200, description = "名录条目", body = [RegistryItemDto]),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn plan_registry(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ViewPlan>,
) -> Result<Json<Vec<RegistryItemDto>>, ApiError> {
    let list = items(&state.svc, &me.viewer())
        .await
        .map_err(AppError::from)?;
    Ok(Json(list.into_iter().map(dto).collect()))
}

/// A district decision on a school's item.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct RegistryReviewBody {
    pub id: i64,
    /// `approve` or `return`.
    pub decision: String,
    /// Required to return.
    #[serde(default)]
    pub reason: String,
}

/// Approves a school's item, or returns it with a reason.
#[utoipa::path(
    post,
    path = "/api/v1/plan/registry/review",
    tag = "plan",
    operation_id = "plan_registry_review",
    security(("session" = [])),
    request_body = RegistryReviewBody,
    responses(
        (status = 200, description = "已审核", body = RegistryItemDto),
        (status = 400, description = "审核被拒绝（原因见 detail）", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "没有这个条目", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn plan_registry_review(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ReviewPlanReports>,
    ClientIp(ip): ClientIp,
    body: Result<Json<RegistryReviewBody>, JsonRejection>,
) -> Response {
    let Ok(Json(b)) = body else {
        return ApiError(AppError::BadRequest).into_response();
    };
    let Some(review) = Review::from_decision(&b.decision, b.reason) else {
        return ApiError(AppError::BadRequest).into_response();
    };
    let who = Requester::user(&me.user, &ip);
    match review_item(&state.svc, &me.viewer(), &who, b.id, &review).await {
        Ok(i) => Json(dto(i)).into_response(),
        Err(e) => problem(e),
    }
}
