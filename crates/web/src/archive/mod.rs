//! 综合素质档案 in the web: the student's archive (five domains, hours, stars, art level,
//! fitness and marks without ranks; every read audited by the service) and the coverage page
//! (the district: schools; a school admin: classes).
mod api;
mod card;
mod class;
mod family;
mod pages;
mod publicity;
mod upload;

use axum::Router;
use axum::routing::{get, post};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The audited, rights-checked download of one evidence file.
fn evidence_href(school: wuyu_domain::SchoolId, record: i64, evidence: i64) -> String {
    format!("/schools/{school}/archive/records/{record}/evidence/{evidence}")
}

/// (file name, download link) of each of a record's evidence files.
fn evidence_links(r: &wuyu_service::archive::ArchiveRecord) -> Vec<(String, String)> {
    r.evidence
        .iter()
        .map(|e| (e.name.clone(), evidence_href(r.school_id, r.id, e.id)))
        .collect()
}

/// The archive API routes, for the API document.
pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::class_records))
        .routes(routes!(api::record))
        .routes(routes!(api::review))
        .routes(routes!(api::student))
        .routes(routes!(api::coverage))
        .routes(routes!(api::publicity))
        .routes(routes!(api::publicity_step))
        .routes(routes!(api::object))
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/schools/{id}/students/{student_id}/archive",
            get(pages::student),
        )
        .route(
            "/schools/{id}/students/{student_id}/archive/card.pdf",
            get(card::student),
        )
        .route(
            "/schools/{id}/classes/{class_id}/archive/cards.pdf",
            get(card::class),
        )
        .route(
            "/schools/{id}/students/{student_id}/archive/objections",
            post(publicity::object),
        )
        .route(
            "/schools/{id}/students/{student_id}/archive/confirm",
            post(publicity::confirm),
        )
        .route(
            "/schools/{id}/students/{student_id}/archive/entries",
            post(family::enter),
        )
        .route(
            "/schools/{id}/classes/{class_id}/archive/publicity",
            get(publicity::page).post(publicity::step),
        )
        .route(
            "/schools/{id}/archive/records/{record_id}/evidence/{evidence_id}",
            get(pages::evidence),
        )
        .route("/archive/coverage", get(pages::coverage))
        .route("/archive/coverage/export.xlsx", get(pages::coverage_export))
        .route(
            "/schools/{id}/classes/{class_id}/archive/export.xlsx",
            get(class::export),
        )
        .route(
            "/schools/{id}/classes/{class_id}/archive",
            get(class::page).post(class::record),
        )
        .route("/archive/class", get(class::home))
        .route(
            "/schools/{id}/classes/{class_id}/archive/review",
            post(class::review),
        )
}
