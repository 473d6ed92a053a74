//! 心理健康 in the web: the counsellor's page (campaigns, results by attention level, crisis
//! cases with their steps, overdue steps, break-glass reads), the 班主任's flag list and the
//! suppressed aggregates. Every handler checks the capability, makes its `wuyu_service::psych`
//! calls (which audit every individual read) and renders.
mod answer;
mod api;
mod api_scales;
mod break_glass;
mod case;
mod cases;
mod codes;
mod consent;
mod correct;
mod pages;
mod scales;

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/psych", get(pages::counsellor))
        .route("/psych/codes", get(codes::form).post(codes::issue))
        .route("/psych/scales", get(scales::list).post(scales::load))
        .route("/psych/consent", get(consent::sheet).post(consent::record))
        .route("/psych/correct", get(correct::form).post(correct::save))
        .route(
            "/psych/child-consent",
            get(consent::child).post(consent::decide),
        )
        .route(
            "/psych/break-glass",
            get(break_glass::form).post(break_glass::open),
        )
        .route("/psych/cases/{id}", get(case::show))
        .route("/psych/cases/{id}/records", post(case::add_record))
        .route("/answer", get(answer::enter).post(answer::open))
        .route("/answer/submit", post(answer::submit))
        .route("/psych/flags", get(pages::flags))
        .route("/psych/aggregates", get(pages::aggregates))
        .route("/psych/aggregates.xlsx", get(pages::aggregates_xlsx))
        .route("/psych/cases/{id}/steps/{seq}", post(cases::complete_step))
        .route("/psych/cases/{id}/follow-ups", post(cases::follow_up))
        .route("/psych/cases/{id}/close", post(cases::close))
}

/// The psych API: aggregates, and the district's scale definitions (no individual data).
pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::aggregates))
        .routes(routes!(api_scales::scales))
}
