//! Sign-in and sign-out. Sign-in rotates the session (any session the request carried is
//! deleted) and is limited per (address, username), per address, and slowed per username
//! (see `ratelimit`).
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wuyu_service::accounts;
use wuyu_service::store_types::NewSession;

use crate::assets;
use crate::audit;
use crate::auth::{ClientIp, MaybeUser, now_unix};
use crate::error::AppError;
use crate::password;
use crate::ratelimit;
use crate::session;
use crate::state::AppState;
use crate::view::render;

/// Longest username or password looked at; longer input cannot be a real account and would
/// only make hashing expensive.
const MAX_USERNAME: usize = 64;
const MAX_PASSWORD: usize = 256;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    error: Option<String>,
    username: String,
    css_url: String,
}

impl LoginPage {
    fn new(error: Option<String>, username: &str) -> Self {
        Self {
            error,
            username: username.to_string(),
            css_url: assets::url("app.css"),
        }
    }
}

pub(crate) async fn form(MaybeUser(me): MaybeUser) -> Result<Response, AppError> {
    if me.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    Ok(render(&LoginPage::new(None, ""))?.into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    let username: String = f.username.trim().chars().take(MAX_USERNAME).collect();
    let failed = |status: StatusCode, message: &str| -> Result<Response, AppError> {
        Ok((
            status,
            render(&LoginPage::new(Some(message.to_string()), &username))?,
        )
            .into_response())
    };

    if let Err(wait) = state.limiter.try_attempt(&ip, &username) {
        tracing::warn!(%ip, %username, wait_secs = wait.as_secs(), "sign-in limited");
        let message = format!("登录失败次数过多，请 {}后再试。", ratelimit::wait_zh(wait));
        let mut resp = failed(StatusCode::TOO_MANY_REQUESTS, &message)?;
        // Whole seconds, rounded up: a client that waits this long is let through.
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        return Ok(resp);
    }

    let creds = if username.is_empty() {
        None
    } else {
        accounts::credentials(&state.svc, &username).await?
    };
    let password = f.password;
    let hash = creds.as_ref().map(|c| c.password_hash.clone());
    // Each argon2 check takes ~19 MiB and a core for tens of milliseconds: a few at a time,
    // the rest wait their turn (a school signing in at 8 o'clock), and a flood gets 503.
    let Ok(Ok(_permit)) = tokio::time::timeout(
        crate::state::HASH_WAIT,
        state.hash_permits.clone().acquire_owned(),
    )
    .await
    else {
        let mut resp = failed(StatusCode::SERVICE_UNAVAILABLE, "服务器繁忙，请稍后再试。")?;
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return Ok(resp);
    };
    let ok = tokio::task::spawn_blocking(move || {
        if password.chars().count() > MAX_PASSWORD {
            return password::verify_dummy(&password);
        }
        match hash {
            Some(h) => password::verify_password(&password, &h),
            // Same work for unknown users: timing must not reveal which usernames exist.
            None => password::verify_dummy(&password),
        }
    })
    .await?;

    let creds = match creds {
        Some(c) if ok => c,
        other => {
            let mut e = audit::entry(
                other.as_ref().map(|c| &c.user),
                &username,
                "login_failed",
                &ip,
            );
            e.detail = if other.is_some() {
                "wrong password"
            } else {
                "unknown user"
            }
            .into();
            wuyu_service::audit::append(&state.svc, &e).await?;
            return failed(StatusCode::UNAUTHORIZED, "用户名或密码错误");
        }
    };
    if !creds.active {
        let mut e = audit::entry(Some(&creds.user), &username, "login_failed", &ip);
        e.detail = "inactive user".into();
        wuyu_service::audit::append(&state.svc, &e).await?;
        return failed(StatusCode::FORBIDDEN, "该账号已停用，请联系管理员。");
    }
    // A school role without its school (or similar) cannot get a scope: say so now instead of
    // failing every page after sign-in.
    if let Err(e) = accounts::sign_in_scope(&state.svc, &creds.user).await? {
        tracing::warn!(user = %creds.user.username, error = %e, "account has no valid scope");
        let mut entry = audit::entry(Some(&creds.user), &username, "login_failed", &ip);
        entry.detail = "account misconfigured".into();
        wuyu_service::audit::append(&state.svc, &entry).await?;
        return failed(
            StatusCode::FORBIDDEN,
            "账号配置有误（未绑定学校），请联系管理员。",
        );
    }
    state.limiter.record_success(&ip, &username);

    let cookie = start_session(&state, creds.user.id, &headers).await?;
    let mut e = audit::entry(Some(&creds.user), &username, "login", &ip);
    e.school_id = creds.user.school_id;
    wuyu_service::audit::append(&state.svc, &e).await?;
    tracing::info!(user = %creds.user.username, %ip, "signed in");

    // A one-time password (an admin's reset, a bulk account) is changed before anything else.
    let next = if creds.must_change_password {
        crate::auth::CHANGE_PASSWORD_PATH
    } else {
        "/"
    };
    let mut resp = Redirect::to(next).into_response();
    resp.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(resp)
}

/// Issues a fresh session for `user` and answers its `Set-Cookie` value. Rotation: whatever
/// session the browser brought is ended first.
pub(crate) async fn start_session(
    state: &AppState,
    user: wuyu_domain::UserId,
    headers: &HeaderMap,
) -> Result<HeaderValue, AppError> {
    if let Some(old) = session::token_from_headers(headers) {
        accounts::delete_session(&state.svc, &session::token_hash(&old)).await?;
    }
    let token =
        session::random_token().map_err(|e| AppError::Internal(format!("getrandom: {e}")))?;
    let csrf_token =
        session::random_token().map_err(|e| AppError::Internal(format!("getrandom: {e}")))?;
    let now = now_unix();
    let ttl = state.settings.session_ttl_secs;
    accounts::create_session(
        &state.svc,
        &NewSession {
            token_hash: session::token_hash(&token),
            user_id: user,
            csrf_token,
            created_at: now,
            expires_at: now.saturating_add(ttl),
        },
    )
    .await?;
    if let Err(e) = accounts::delete_expired_sessions(&state.svc, now).await {
        tracing::warn!(error = %e, "could not delete expired sessions");
    }
    let cookie = session::set_cookie(&token, ttl, state.settings.secure_cookies);
    HeaderValue::from_str(&cookie).map_err(|e| AppError::Internal(format!("cookie: {e}")))
}

pub(crate) async fn logout(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    MaybeUser(me): MaybeUser,
) -> Result<Response, AppError> {
    if let Some(me) = me {
        accounts::delete_session(&state.svc, &me.token_hash).await?;
        let mut e = audit::entry(Some(&me.user), "", "logout", &ip);
        e.school_id = me.user.school_id;
        wuyu_service::audit::append(&state.svc, &e).await?;
    }
    let mut resp = Redirect::to("/login").into_response();
    let cookie = session::clear_cookie(state.settings.secure_cookies);
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}
