//! Who is calling: the session behind the cookie, its user and the user's scope. Handlers
//! take [`CurrentUser`] (pages: no session → redirect to /login) or [`ApiUser`] (API: no
//! session → 401 problem document).
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};
use wuyu_domain::{Role, Scope, User};
use wuyu_service::ServiceError;
use wuyu_service::accounts;

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
    /// The account holds a one-time password: only 修改密码 (and sign-out) until it is changed.
    pub must_change_password: bool,
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
) -> Result<Option<Arc<CurrentUser>>, ServiceError> {
    if let Some(SessionLookup(found)) = extensions.get::<SessionLookup>() {
        return Ok(found.clone());
    }
    let found = match session::token_from_headers(headers) {
        None => None,
        Some(token) => live_session(state, session::token_hash(&token)).await?,
    };
    extensions.insert(SessionLookup(found.clone()));
    Ok(found)
}

/// The session behind `token_hash` if it is live: not past its absolute lifetime (the store
/// checks) nor idle longer than the idle timeout (ended here). Activity moves the idle clock,
/// written at most every minute (or a quarter of the timeout) to spare the database.
async fn live_session(
    state: &AppState,
    token_hash: String,
) -> Result<Option<Arc<CurrentUser>>, ServiceError> {
    let now = now_unix();
    let Some(mut row) = accounts::session(&state.svc, &token_hash, now).await? else {
        return Ok(None);
    };
    let idle = state.settings.session_idle_secs;
    if now - row.last_seen_at > idle {
        accounts::delete_session(&state.svc, &token_hash).await?;
        tracing::info!(user = %row.user.username, "session ended after idle timeout");
        return Ok(None);
    }
    if now - row.last_seen_at >= (idle / 4).min(60) {
        accounts::touch_session(&state.svc, &token_hash, now).await?;
    }
    // A parent's pages show the child chosen in this session (see `accounts::children`).
    if let Some((school, student)) = row.child {
        row.user.school_id = Some(school);
        row.user.student_id = Some(student);
    }
    let scope = accounts::scope_for(&state.svc, &row.user).await?;
    Ok(Some(Arc::new(CurrentUser {
        user: row.user,
        scope,
        csrf_token: row.csrf_token,
        token_hash,
        must_change_password: row.must_change_password,
    })))
}

/// Where an account with a one-time password is sent, and the one page it may use.
pub(crate) const CHANGE_PASSWORD_PATH: &str = "/account/password";

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let me = resolve(state, &parts.headers, &mut parts.extensions)
            .await?
            .map(|u| u.as_ref().clone())
            .ok_or(AppError::Unauthenticated)?;
        if me.must_change_password && parts.uri.path() != CHANGE_PASSWORD_PATH {
            return Err(AppError::PasswordChangeRequired);
        }
        Ok(me)
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

/// The client's address: the peer, or — when the peer is a trusted reverse proxy — the
/// right-most `X-Forwarded-For` entry that is not itself a trusted proxy. Anything left of
/// that is client-supplied and never believed.
#[derive(Debug, Clone)]
pub(crate) struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ci| ci.0.ip());
        Ok(ClientIp(client_ip(
            peer,
            &parts.headers,
            &state.settings.trusted_proxies,
        )))
    }
}

pub(crate) fn client_ip(
    peer: Option<std::net::IpAddr>,
    headers: &HeaderMap,
    trusted: &[std::net::IpAddr],
) -> String {
    let Some(peer) = peer else {
        return "unknown".to_string();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let hops: Vec<std::net::IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|h| h.trim().parse().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .map_or_else(|| peer.to_string(), ToString::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: std::net::IpAddr = "10.0.0.2".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.7, 10.0.0.2"),
        );
        // Not configured: the peer is the client, whatever the header says.
        assert_eq!(client_ip(Some(proxy), &h, &[]), "10.0.0.2");
        // Configured: the right-most untrusted hop; the spoofed 6.6.6.6 is ignored.
        assert_eq!(client_ip(Some(proxy), &h, &[proxy]), "203.0.113.7");
        // A direct client cannot use the header.
        let direct: std::net::IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(client_ip(Some(direct), &h, &[proxy]), "198.51.100.1");
        assert_eq!(
            client_ip(Some(proxy), &HeaderMap::new(), &[proxy]),
            "10.0.0.2"
        );
        assert_eq!(client_ip(None, &h, &[proxy]), "unknown");
    }
}
