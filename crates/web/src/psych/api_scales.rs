//! `GET /api/v1/psych/scales`: the district's scale definitions with their versions, as the
//! 量表定义 page lists them (district admins and counsellors). Loading stays on the page and
//! the CLI, where the file's validation errors are read.
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use wuyu_service::audit::Requester;
use wuyu_service::psych;

use crate::access::{ApiRequire, cap};
use crate::auth::ClientIp;
use crate::error::{ApiError, AppError, Problem};
use crate::state::AppState;

/// One stored version of a district scale.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ScaleVersionDto {
    pub code: String,
    /// 1, 2, …: a new version for each load with different content.
    pub version: i32,
    pub name: String,
    /// The version text inside the file.
    pub source_version: String,
    /// The JSON exactly as loaded.
    pub definition: String,
    pub sha256: String,
    pub licence: String,
    pub loaded_by: String,
    /// Unix seconds.
    pub loaded_at: i64,
    /// Campaigns that pin this version.
    pub campaigns: i64,
}

/// The district's scale definitions, newest version first within each code.
#[utoipa::path(
    get,
    path = "/api/v1/psych/scales",
    tag = "psych",
    operation_id = "psych_scales",
    security(("session" = [])),
    responses(
        (status = 200, description = "区级自定义量表及其版本", body = Vec<ScaleVersionDto>),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn scales(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ViewPsychScales>,
    ClientIp(ip): ClientIp,
) -> Result<Json<Vec<ScaleVersionDto>>, ApiError> {
    let who = Requester::user(&me.user, &ip);
    let all = psych::scales(&state.svc, &me.viewer(), &who)
        .await
        .map_err(AppError::from)?;
    Ok(Json(
        all.into_iter()
            .map(|s| ScaleVersionDto {
                code: s.code,
                version: s.version,
                name: s.name,
                source_version: s.source_version,
                definition: s.definition,
                sha256: s.sha256,
                licence: s.licence,
                loaded_by: s.loaded_by,
                loaded_at: s.loaded_at,
                campaigns: s.campaigns,
            })
            .collect(),
    ))
}
