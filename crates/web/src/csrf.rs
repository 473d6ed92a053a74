//! CSRF protection for unsafe methods (POST, PUT, PATCH, DELETE):
//! 1. the request must be same-origin: `Sec-Fetch-Site: same-origin|none`, or, from browsers
//!    that do not send it, an `Origin` equal to the `Host`;
//! 2. if it carries a session, it must also carry that session's CSRF token, in the header
//!    `X-CSRF-Token` (htmx, API clients) or the form field `csrf_token` (plain forms).
//!
//! The sign-in form has no session yet, and a survey answer (`/s/{code}`) is anonymous, its
//! one-time code the only key, so only the origin check applies to them.
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth;
use crate::error::{ApiError, AppError, is_api_path};
use crate::session::constant_time_eq;
use crate::state::AppState;

pub(crate) const HEADER: &str = "x-csrf-token";
pub(crate) const FIELD: &str = "csrf_token";
/// Largest form body read here; our forms are a few hundred bytes.
const FORM_LIMIT: usize = 64 * 1024;

pub(crate) async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(
        *req.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    ) {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    let api = is_api_path(&path);
    let reject = |why: &'static str| {
        tracing::warn!(%path, why, "CSRF check rejected a request");
        if api {
            ApiError(AppError::Csrf).into_response()
        } else {
            AppError::Csrf.into_response()
        }
    };
    if !same_origin(req.headers()) {
        return reject("cross-origin");
    }
    // Anonymous answers carry no session right (the one-time code in the path or the form is
    // the credential), so a signed-in teacher on the same computer does not block them.
    if path == "/login"
        || path == "/bind"
        || path.starts_with(crate::survey::ANSWER_PREFIX)
        || path == "/answer"
        || path == "/answer/submit"
    {
        return next.run(req).await;
    }

    let (mut parts, body) = req.into_parts();
    let user = match auth::resolve(&state, &parts.headers, &mut parts.extensions).await {
        Ok(u) => u,
        Err(e) => return AppError::from(e).into_response(),
    };
    let Some(user) = user else {
        // No session: the handler answers "sign in first".
        return next.run(Request::from_parts(parts, body)).await;
    };
    let expected = user.csrf_token.as_bytes();

    if let Some(sent) = parts.headers.get(HEADER) {
        if constant_time_eq(sent.as_bytes(), expected) {
            return next.run(Request::from_parts(parts, body)).await;
        }
        return reject("bad token header");
    }
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return reject("no token");
    }
    // Too large is not a forged request: say so (413) rather than "refresh and retry".
    let too_large = || {
        if api {
            ApiError(AppError::PayloadTooLarge).into_response()
        } else {
            AppError::PayloadTooLarge.into_response()
        }
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > FORM_LIMIT) {
        return too_large();
    }
    let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
        return too_large();
    };
    match form_field(&bytes, FIELD) {
        Some(sent) if constant_time_eq(sent, expected) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => reject("bad or missing token field"),
    }
}

fn same_origin(headers: &HeaderMap) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match get("sec-fetch-site") {
        Some(site) => site == "same-origin" || site == "none",
        None => match (get("origin"), get("host")) {
            (Some(origin), Some(host)) => origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
                .is_some_and(|o| o.eq_ignore_ascii_case(host)),
            _ => false,
        },
    }
}

/// The raw value of a urlencoded field. The token is hex, so no decoding is needed: an encoded
/// value simply does not match.
fn form_field<'a>(body: &'a [u8], name: &str) -> Option<&'a [u8]> {
    body.split(|b| *b == b'&').find_map(|pair| {
        let mut it = pair.splitn(2, |b| *b == b'=');
        (it.next()? == name.as_bytes()).then(|| it.next().unwrap_or_default())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn origin_rules() {
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(same_origin(&headers(&[("sec-fetch-site", "none")])));
        assert!(!same_origin(&headers(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://a"),
            ("host", "a")
        ])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(same_origin(&headers(&[
            ("origin", "http://wuyu.local:8080"),
            ("host", "wuyu.local:8080")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "http://evil.example"),
            ("host", "wuyu.local")
        ])));
        assert!(!same_origin(&headers(&[("host", "wuyu.local")])));
        assert!(!same_origin(&headers(&[
            ("origin", "null"),
            ("host", "null")
        ])));
    }

    #[test]
    fn form_field_finds_raw_values() {
        let body = b"a=1&csrf_token=abc&b=";
        assert_eq!(form_field(body, "csrf_token"), Some(&b"abc"[..]));
        assert_eq!(form_field(body, "b"), Some(&b""[..]));
        assert_eq!(form_field(body, "c"), None);
        assert_eq!(form_field(b"csrf_token", "csrf_token"), Some(&b""[..]));
    }
}
