//! 月度调度 and 季度通报 in the web: `/plan/progress` (each target's monthly trajectory from
//! the months' snapshots), `/plan/bulletin?quarter=&format=` (the bulletin as PDF or XLSX) and
//! their API twins under `/api/v1/plan`. Each handler makes one call to
//! `wuyu_service::bulletin`.
mod api;
mod pages;

use axum::Router;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/plan/progress", get(pages::progress))
        .route("/plan/bulletin", get(pages::bulletin))
}

pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::plan_progress))
        .routes(routes!(api::plan_bulletin))
}

/// Query of the progress page and API.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ProgressQuery {
    /// One indicator (the plan's key): every unit of it; without it, the district-level lines
    /// of every target (a school admin: their own school's).
    #[serde(default, deserialize_with = "crate::exam::empty_as_none")]
    pub key: Option<String>,
    /// `xlsx`: the page as a workbook (the page only; the API answers JSON).
    #[serde(default, deserialize_with = "crate::exam::empty_as_none")]
    pub format: Option<String>,
}

/// Query of the bulletin download and API.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct BulletinQuery {
    /// The quarter of a 季度通报, e.g. `2025Q3`.
    #[serde(default, deserialize_with = "crate::exam::empty_as_none")]
    pub quarter: Option<String>,
    /// The plan year of a 年终总结 instead (2025 = the 2024–2025 school year).
    #[serde(default, deserialize_with = "crate::exam::empty_as_none")]
    pub year: Option<String>,
    /// `pdf` or `xlsx` (downloads only).
    #[serde(default)]
    pub format: Option<String>,
}

/// The period asked for: a plan year (年终总结) or a quarter (通报).
fn period_of(q: &BulletinQuery) -> Result<wuyu_monitor::bulletin::Period, crate::error::AppError> {
    use wuyu_monitor::bulletin::{Period, Quarter};
    let bad = |_| crate::error::AppError::BadRequest;
    match (&q.year, &q.quarter) {
        (Some(y), _) => Ok(Period::Year(
            y.trim()
                .parse()
                .map_err(|_| crate::error::AppError::BadRequest)?,
        )),
        (None, Some(quarter)) => Ok(Period::Quarter(Quarter::parse(quarter).map_err(bad)?)),
        (None, None) => Err(crate::error::AppError::BadRequest),
    }
}
