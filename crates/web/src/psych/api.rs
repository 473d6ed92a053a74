//! `GET /api/v1/psych/aggregates?year=`: the suppressed counts by school and attention level,
//! the same service call as the page and the XLSX download. No individual is ever returned.
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use wuyu_service::audit::Requester;
use wuyu_service::psych::{self, AggregateRow};

use crate::access::{ApiRequire, cap};
use crate::auth::ClientIp;
use crate::error::{ApiError, AppError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AggregatesQuery {
    /// 学年 (2024 = 2024–2025); the current school year when absent.
    year: Option<i32>,
}

/// One school's (or the total's) counts; `null` where suppressed (fewer than 10 students, or
/// a cell the hidden one could be worked out from).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AggregateRowDto {
    pub school_name: String,
    /// 学段 code.
    pub stage: String,
    /// `urban` or `rural`.
    pub location: String,
    /// Screened students by attention level 0, 1, 2, 3.
    pub levels: Vec<Option<i64>>,
    pub screened: Option<i64>,
    pub consented: Option<i64>,
    pub not_consented: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AggregatesDto {
    pub school_year: i32,
    /// Cells below this many students are suppressed.
    pub suppress_below: u64,
    pub rows: Vec<AggregateRowDto>,
    pub total: AggregateRowDto,
}

fn dto(r: &AggregateRow) -> AggregateRowDto {
    AggregateRowDto {
        school_name: r.school_name.clone(),
        stage: r.stage.code().to_string(),
        location: r.location.code().to_string(),
        levels: r.levels.iter().map(|c| c.0).collect(),
        screened: r.screened.0,
        consented: r.consented.0,
        not_consented: r.not_consented.0,
    }
}

/// The year asked for, or the current school year; outside 2000–2100 is a bad request.
pub(crate) fn school_year(year: Option<i32>) -> Result<i32, AppError> {
    match year {
        Some(y) if (2000..=2100).contains(&y) => Ok(y),
        Some(_) => Err(AppError::BadRequest),
        None => Ok(super::pages::current_school_year()),
    }
}

/// Screening counts by school and attention level for leaders, small cells suppressed.
#[utoipa::path(
    get,
    path = "/api/v1/psych/aggregates",
    tag = "psych",
    operation_id = "psych_aggregates",
    security(("session" = [])),
    params(AggregatesQuery),
    responses(
        (status = 200, description = "心理健康统计（小于 10 人的格子不公布）", body = AggregatesDto),
        (status = 400, description = "参数无效", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn aggregates(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ViewPsychAggregates>,
    ClientIp(ip): ClientIp,
    q: Result<Query<AggregatesQuery>, QueryRejection>,
) -> Result<Json<AggregatesDto>, ApiError> {
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let year = school_year(q.year)?;
    let who = Requester::user(&me.user, &ip);
    let agg = psych::aggregates(&state.svc, &me.viewer(), &who, year)
        .await
        .map_err(AppError::from)?;
    Ok(Json(AggregatesDto {
        school_year: agg.school_year,
        suppress_below: psych::SUPPRESS_BELOW,
        rows: agg.rows.iter().map(dto).collect(),
        total: dto(&agg.total),
    }))
}
