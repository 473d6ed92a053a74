//! 教师考核 in the web: `GET /api/v1/staff/appraisal/{school}/{year}` — a school's appraisal
//! with its cap arithmetic (a teacher: their own row only), one call to
//! `wuyu_service::staff::appraisal`, audited by the store.
mod api;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The staff API routes, for the API document.
pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::appraisal))
}
