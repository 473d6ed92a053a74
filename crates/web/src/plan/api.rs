//! The plan API: `GET /api/v1/plan` (every target × unit of a year, as the /plan page) and
//! `GET /api/v1/plan/targets/{key}` (one target, units furthest behind first).
use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use serde::Serialize;
use utoipa::ToSchema;
use wuyu_service::plan::{PlanStatus, StatusLine, by_gap, plan_status as read_status};

use super::{PlanQuery, domain_of};
use crate::access::{ApiRequire, cap};
use crate::error::{ApiError, AppError, Problem};
use crate::state::AppState;

/// One target × unit.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PlanLineDto {
    /// The plan's key of the indicator.
    pub key: String,
    pub name: String,
    /// 育: `moral`, `academic`, `physical`, `aesthetic`, `labor` or `general`.
    pub domain: String,
    /// `computed` or `reported`.
    pub source: String,
    /// The plan's unit text, e.g. `% of schools`.
    pub unit_text: String,
    /// `district`, `stage`, `school`, `school_set` or `group`.
    pub unit_kind: String,
    pub school_id: Option<i64>,
    pub school_code: Option<String>,
    /// The unit as pages show it.
    pub unit_label: String,
    /// `>=`, `<=`, `=` or `≈`.
    pub comparator: String,
    /// The target as the plan writes it (rates in percent).
    pub target: String,
    /// `met`, `not_met`, `awaiting_report`, `awaiting_review`, `no_data` or `too_few`.
    pub verdict: String,
    pub verdict_zh: String,
    /// The value as shown, in the plan's unit (rates in percent).
    pub value: Option<f64>,
    pub n: Option<u64>,
    /// Value minus target in the good direction, as shown: negative = behind.
    pub gap: Option<f64>,
    /// The data behind the value (the fitness term or the exam).
    pub as_of: Option<String>,
}

/// The plan's status for one year.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PlanStatusDto {
    pub year: i32,
    pub years: Vec<i32>,
    /// Indicators without a target for the year.
    pub without_target: usize,
    pub lines: Vec<PlanLineDto>,
}

fn code<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl From<StatusLine> for PlanLineDto {
    fn from(l: StatusLine) -> Self {
        Self {
            domain: l.domain.code().to_string(),
            source: code(&l.source),
            unit_kind: l.unit.kind.to_string(),
            school_id: l.unit.school_id,
            school_code: l.unit.school_code,
            unit_label: l.unit.label,
            comparator: l.comparator.code().to_string(),
            verdict: code(&l.verdict),
            verdict_zh: l.verdict_zh.to_string(),
            key: l.key,
            name: l.name,
            unit_text: l.unit_text,
            target: l.target,
            value: l.value,
            n: l.n,
            gap: l.gap,
            as_of: l.as_of,
        }
    }
}

fn dto(s: PlanStatus) -> PlanStatusDto {
    PlanStatusDto {
        year: s.year,
        years: s.years,
        without_target: s.without_target,
        lines: s.lines.into_iter().map(PlanLineDto::from).collect(),
    }
}

/// Every target of the year × every unit it applies to, with its verdict (a school admin: their
/// own school's). The same service call as the /plan page.
#[utoipa::path(
    get,
    path = "/api/v1/plan",
    tag = "plan",
    operation_id = "plan_status",
    security(("session" = [])),
    params(PlanQuery),
    responses(
        (status = 200, description = "目标任务完成情况", body = PlanStatusDto),
        (status = 400, description = "参数无效", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn plan_status(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ViewPlan>,
    q: Result<Query<PlanQuery>, QueryRejection>,
) -> Result<Json<PlanStatusDto>, ApiError> {
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let domain = domain_of(&q)?;
    let mut s = read_status(&state.svc, &me.viewer(), q.year, None)
        .await
        .map_err(AppError::from)?;
    if let Some(d) = domain {
        s.lines.retain(|l| l.domain == d);
    }
    Ok(Json(dto(s)))
}

/// One target of the year for every unit it applies to, furthest behind first.
#[utoipa::path(
    get,
    path = "/api/v1/plan/targets/{key}",
    tag = "plan",
    operation_id = "plan_target",
    security(("session" = [])),
    params(("key" = String, Path, description = "The plan's key of the indicator"), PlanQuery),
    responses(
        (status = 200, description = "一项目标的各单位完成情况", body = PlanStatusDto),
        (status = 400, description = "参数无效", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "没有这项指标", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn plan_target(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ViewPlan>,
    key: Result<Path<String>, PathRejection>,
    q: Result<Query<PlanQuery>, QueryRejection>,
) -> Result<Json<PlanStatusDto>, ApiError> {
    let Path(key) = key.map_err(|_| AppError::NotFound)?;
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let mut s = read_status(&state.svc, &me.viewer(), q.year, Some(&key))
        .await
        .map_err(AppError::from)?;
    by_gap(&mut s.lines);
    Ok(Json(dto(s)))
}
