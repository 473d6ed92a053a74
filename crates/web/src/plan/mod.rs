//! 目标任务 in the web: `/plan` (every target of a year with its verdicts, filtered by 育),
//! `/plan/targets/{key}` (one target for every unit, schools furthest behind first) and their
//! API twins under `/api/v1/plan`; `/plan/reports` (指标填报: entries, the 待审核 queue, the
//! year's lock, reopening one school, due dates and the overdue list) and its API twin;
//! `/plan/registry` (名录: designations, bases and events, counted into the targets) and its API
//! twin. Each handler makes one call to `wuyu_service::plan`.
mod api;
mod deadlines;
mod edit;
mod evidence_form;
pub(crate) mod glance;
mod pages;
mod registry;
mod registry_api;
mod reports;
mod reports_api;
mod sets;

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The plan pages.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/plan", get(pages::overview))
        .route("/plan/targets/{key}", get(pages::target))
        .route("/plan/targets/{key}/edit", get(edit::form).post(edit::save))
        .route("/plan/reports", get(reports::reports).post(reports::submit))
        .route("/plan/reports/review", post(reports::review))
        .route("/plan/reports/lock", post(reports::lock))
        .route("/plan/reports/reopen", post(deadlines::reopen))
        .route("/plan/reports/due", post(deadlines::due))
        .route("/plan/reports/evidence", get(reports::evidence))
        .route(
            "/plan/registry",
            get(registry::registry).post(registry::add),
        )
        .route("/plan/sets", get(sets::sets).post(sets::save))
        .route("/plan/registry/review", post(registry::review))
        .route("/plan/registry/evidence", get(registry::evidence))
}

/// The plan API routes, for the API document.
pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::plan_status))
        .routes(routes!(api::plan_target))
        .routes(routes!(
            reports_api::plan_reports,
            reports_api::plan_report_submit
        ))
        .routes(routes!(reports_api::plan_report_review))
        .routes(routes!(reports_api::plan_lock))
        .routes(routes!(reports_api::plan_reopen))
        .routes(routes!(reports_api::plan_due))
        .routes(routes!(registry_api::plan_registry))
        .routes(routes!(registry_api::plan_registry_review))
}

/// Query of the plan pages and API: the plan year and (pages, API list) a 育.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PlanQuery {
    /// The plan year (2025 = the 2024–2025 school year); the plan's latest year when left out.
    #[serde(default, deserialize_with = "crate::exam::empty_as_none")]
    pub year: Option<i32>,
    /// One 育: `moral`, `academic`, `physical`, `aesthetic`, `labor` or `general`.
    #[serde(default, deserialize_with = "crate::exam::empty_as_none")]
    pub domain: Option<String>,
}

/// The 育 a query names; an unknown one is a bad request.
pub(crate) fn domain_of(
    q: &PlanQuery,
) -> Result<Option<wuyu_monitor::plan::Domain>, crate::error::AppError> {
    match q.domain.as_deref() {
        None => Ok(None),
        Some(d) => wuyu_monitor::plan::Domain::parse(d)
            .map(Some)
            .ok_or(crate::error::AppError::BadRequest),
    }
}
