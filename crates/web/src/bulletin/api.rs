//! `GET /api/v1/plan/progress` (each target's monthly trajectory) and
//! `GET /api/v1/plan/bulletin?quarter=` (the quarterly bulletin as data; `?year=` the year-end
//! summary), the same service
//! calls as the page and the download.
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};

use wuyu_monitor::bulletin::Period;
use wuyu_service::bulletin::{bulletin, year_summary};

use super::{BulletinQuery, ProgressQuery, period_of};
use crate::access::{ApiRequire, cap};
use crate::error::{ApiError, AppError, Problem};
use crate::state::AppState;

/// Each target × unit across the last twelve months with a snapshot: `months` (`YYYY-MM`) and
/// `rows`, each with one cell per month (`null` where that month has no line).
#[utoipa::path(
    get,
    path = "/api/v1/plan/progress",
    tag = "plan",
    operation_id = "plan_progress",
    security(("session" = [])),
    params(ProgressQuery),
    responses(
        (status = 200, description = "各项目标逐月变化", body = serde_json::Value),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "没有这项指标", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn plan_progress(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ViewPlan>,
    q: Result<Query<ProgressQuery>, QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let p = wuyu_service::bulletin::progress(&state.svc, &me.viewer(), q.key.as_deref())
        .await
        .map_err(AppError::from)?;
    Ok(Json(
        serde_json::to_value(p).map_err(|e| AppError::Internal(e.to_string()))?,
    ))
}

/// The quarterly bulletin (`quarter`) or year-end summary (`year`) as data: targets by 育 with
/// verdicts, changes since the previous period's snapshot, schools furthest behind (district
/// roles).
#[utoipa::path(
    get,
    path = "/api/v1/plan/bulletin",
    tag = "plan",
    operation_id = "plan_bulletin",
    security(("session" = [])),
    params(BulletinQuery),
    responses(
        (status = 200, description = "季度通报", body = serde_json::Value),
        (status = 400, description = "参数无效", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn plan_bulletin(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::PlanBulletin>,
    q: Result<Query<BulletinQuery>, QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let b = match period_of(&q)? {
        Period::Quarter(quarter) => bulletin(&state.svc, &me.viewer(), quarter).await,
        Period::Year(year) => year_summary(&state.svc, &me.viewer(), year).await,
    }
    .map_err(AppError::from)?;
    Ok(Json(
        serde_json::to_value(b).map_err(|e| AppError::Internal(e.to_string()))?,
    ))
}
