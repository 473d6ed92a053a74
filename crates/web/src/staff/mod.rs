//! 教师考核 in the web: the pages `/staff/appraisal` (the district's list of rounds) and
//! `/staff/appraisal/{school}/{year}` (one round with the actions the viewer may take), and
//! `GET /api/v1/staff/appraisal/{school}/{year}` — a school's appraisal with its cap
//! arithmetic (a teacher: their own row only), audited by the store.
mod actions;
mod api;
mod development;
mod pages;

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The staff pages and their workflow steps.
pub(crate) fn router() -> Router<AppState> {
    const ROUND: &str = "/staff/appraisal/{school}/{year}";
    Router::new()
        .route("/staff/appraisal", get(pages::rounds))
        .route("/staff/appraisal/pool", post(actions::pool))
        .route(ROUND, get(pages::round))
        .route(&format!("{ROUND}/publicity"), get(pages::publicity))
        .route(&format!("{ROUND}/publicity.pdf"), get(pages::publicity_pdf))
        .route(&format!("{ROUND}/export.xlsx"), get(pages::export))
        .route(&format!("{ROUND}/import"), post(actions::import))
        .route(&format!("{ROUND}/committee"), post(actions::committee))
        .route(&format!("{ROUND}/redraft"), post(actions::redraft))
        .route(&format!("{ROUND}/publicise"), post(actions::publicise))
        .route(&format!("{ROUND}/approve"), post(actions::approve))
        .route(&format!("{ROUND}/return"), post(actions::return_round))
        .route(&format!("{ROUND}/answer"), post(actions::answer))
        .route(&format!("{ROUND}/appeal"), post(actions::appeal))
        .route(&format!("{ROUND}/confirm"), post(actions::confirm))
        .route("/staff/development", get(development::page))
        .route(
            "/staff/development/{school}/training",
            post(development::training),
        )
        .route(
            "/staff/development/{school}/title",
            post(development::title),
        )
        .route(
            "/staff/development/{school}/studio",
            post(development::studio),
        )
}

/// The staff API routes, for the API document.
pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::appraisal))
}
