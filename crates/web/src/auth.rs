//! Who is calling: the session behind the cookie, its user and the user's scope. Handlers
//! take [`CurrentUser`] (pages: no session → redirect to /login) or [`ApiUser`] (API: no
//! session → 401 problem document).
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};
use wuyu_domain::{Role, Scope, User};
use wuyu_store::StoreError;

use crate::error::{ApiError, AppError};
use crate::session;
use crate::state::AppState;

/// The signed-in caller.
#[derive(Debug, Clone)]
pub(crate) struct CurrentUser {
    pub user: User,
    pub scope: Scope,
    pub csrf_token: String,
    /// SHA-256 of the cookie token: the session's key in the store.
    pub token_hash: String,
}

impl CurrentUser {
    pub fn role(&self) -> Role {
        self.user.role
    }
}

/// The session lookup of this request, cached in the request extensions so the CSRF guard and
/// the handler's extractor share one database round trip.
#[derive(Debug, Clone)]
pub(crate) struct SessionLookup(pub Option<Arc<CurrentUser>>);

pub(crate) fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Resolves (once per request) the live session the cookie names, if any.
pub(crate) async fn resolve(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &mut Extensions,
) -> Result<Option<Arc<CurrentUser>>, StoreError> {
    if let Some(SessionLookup(found)) = extensions.get::<SessionLookup>() {
        return Ok(found.clone());
    }
    let found = match session::token_from_headers(headers) {
        None => None,
        Some(token) => {
            let token_hash = session::token_hash(&token);
            match state.store.session(&token_hash, now_unix()).await? {
                None => None,
                Some(row) => {
                    let scope = state.store.scope_for(&row.user).await?;
                    Some(Arc::new(CurrentUser {
                        user: row.user,
                        scope,
                        csrf_token: row.csrf_token,
                        token_hash,
                    }))
                }
            }
        }
    };
    extensions.insert(SessionLookup(found.clone()));
    Ok(found)
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        resolve(state, &parts.headers, &mut parts.extensions)
            .await?
            .map(|u| u.as_ref().clone())
            .ok_or(AppError::Unauthenticated)
    }
}

/// The signed-in caller of an API endpoint.
#[derive(Debug, Clone)]
pub(crate) struct ApiUser(pub CurrentUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        CurrentUser::from_request_parts(parts, state)
            .await
            .map(ApiUser)
            .map_err(ApiError)
    }
}

/// The caller if signed in (sign-in and sign-out pages).
#[derive(Debug, Clone)]
pub(crate) struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Ok(MaybeUser(
            resolve(state, &parts.headers, &mut parts.extensions)
                .await?
                .map(|u| u.as_ref().clone()),
        ))
    }
}

/// The peer address. Forwarded-for headers are not trusted: any client can set them.
#[derive(Debug, Clone)]
pub(crate) struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ci| ci.0.ip().to_string())
                .unwrap_or_else(|| "unknown".to_string()),
        ))
    }
}
