//! 体质健康 in the web: the pages (`/fitness`, its XLSX export, the national upload file, the
//! PE teacher's class view), the student page's history section and the fitness API routes.
//! Every handler parses the request, checks the capability, makes one call to
//! `wuyu_service::fitness` and renders the answer.
mod api;
mod class;
mod exempt;
mod fix;
mod format;
mod history;
mod pages;

use axum::Router;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub(crate) use history::{TermHistory, term_history, year_total_chart};

/// The fitness pages and their downloads.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/fitness", get(pages::overview))
        .route("/fitness/export.xlsx", get(pages::export))
        .route(
            "/schools/{id}/fitness/upload.xlsx",
            get(pages::upload_template),
        )
        .route(
            "/schools/{id}/classes/{class_id}/fitness",
            get(class::class_view),
        )
        .route(
            "/schools/{id}/classes/{class_id}/fitness/lists/{list}",
            get(class::list_export),
        )
        .route(
            "/schools/{id}/students/{student_id}/fitness/{term}/fix",
            get(fix::form).post(fix::save),
        )
        .route(
            "/schools/{id}/students/{student_id}/fitness/{term}/exempt",
            get(exempt::form).post(exempt::save),
        )
}

/// The fitness API routes, for the API document.
pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::fitness_summary))
        .routes(routes!(api::student_fitness))
}
