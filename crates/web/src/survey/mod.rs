//! 满意度调查 in the web: the district starts a round from a standard questionnaire, admins
//! issue one-time answer codes per school or class, or make anonymous links per school or
//! class printed as QR codes; a parent, student or teacher answers on a phone at `/s/{code}`
//! or `/s/l/{token}` without an account, and the results page, its JSON twin and the XLSX
//! export show per unit (down to the class) and dimension the response rate and 满意率 with
//! small-group suppression.
mod answer;
mod api;
mod builder;
mod guard;
mod links;
mod manage;
mod results;
mod teachers;
mod texts;

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub(crate) use guard::{CodeGuard, MAX_LINK_ANSWERS};

/// Anonymous answer pages live under this prefix; CSRF needs no session token there.
pub(crate) const ANSWER_PREFIX: &str = "/s/";

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/surveys", get(manage::list).post(manage::start))
        .route("/surveys/new", get(builder::form).post(builder::create))
        .route("/surveys/{id}", get(results::page))
        .route("/surveys/{id}/export.xlsx", get(results::export))
        .route("/surveys/{id}/teachers", get(teachers::page))
        .route("/surveys/{id}/texts", get(texts::page))
        .route(
            "/surveys/{id}/codes",
            get(manage::sheet).post(manage::issue),
        )
        .route("/surveys/{id}/close", post(manage::close))
        .route("/surveys/{id}/links", get(links::sheet).post(links::create))
        .route("/s", get(answer::entry))
        .route("/s/{code}", get(answer::form).post(answer::submit))
        .route(
            "/s/l/{token}",
            get(answer::link_form).post(answer::link_submit),
        )
}

/// The survey API routes, for the API document.
pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::results))
        .routes(routes!(teachers::api))
}
