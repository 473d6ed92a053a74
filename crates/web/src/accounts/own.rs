//! 修改密码: the caller changes their own password, giving the old one. A new password ends
//! every session of the account; this browser gets a fresh one.
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wuyu_service::accounts::{self, PASSWORD_RULE_ZH, check_new_password};

use crate::audit;
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::pages::login::start_session;
use crate::password;
use crate::state::AppState;
use crate::view::{Chrome, render};

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    chrome: Chrome,
    rule: &'static str,
    /// The account holds a one-time password: say why the page is shown.
    one_time: bool,
    error: Option<String>,
}

fn page(me: &CurrentUser, error: Option<String>) -> Result<Response, AppError> {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = PasswordPage {
        chrome: Chrome::new(me, crate::auth::CHANGE_PASSWORD_PATH),
        rule: PASSWORD_RULE_ZH,
        one_time: me.must_change_password,
        error,
    };
    Ok((status, render(&page)?).into_response())
}

pub(crate) async fn form(me: CurrentUser) -> Result<Response, AppError> {
    page(&me, None)
}

#[derive(Debug, Deserialize)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    old_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    me: CurrentUser,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Result<Response, AppError> {
    if f.new_password != f.confirm_password {
        return page(&me, Some("两次输入的新密码不一致".into()));
    }
    if let Err(msg) = check_new_password(&me.user.username, &f.old_password, &f.new_password) {
        return page(&me, Some(msg));
    }
    // The old password is a password guess like any other: the sign-in limits apply.
    if state.limiter.try_attempt(&ip, &me.user.username).is_err() {
        return page(&me, Some("尝试次数过多，请稍后再试。".into()));
    }
    let creds = accounts::credentials(&state.svc, &me.user.username)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let (old, new) = (f.old_password, f.new_password);
    let (ok, hash) = tokio::task::spawn_blocking(move || {
        if !password::verify_password(&old, &creds.password_hash) {
            return (false, String::new());
        }
        (true, password::hash_password(&new))
    })
    .await?;
    if !ok {
        let mut e = audit::entry(Some(&me.user), "", "change_password_denied", &ip);
        e.school_id = me.user.school_id;
        e.detail = "wrong old password".into();
        wuyu_service::audit::append(&state.svc, &e).await?;
        return page(&me, Some("原密码不正确".into()));
    }
    state.limiter.record_success(&ip, &me.user.username);
    accounts::change_own_password(&state.svc, &me.viewer(), &hash).await?;
    let mut e = audit::entry(Some(&me.user), "", "change_password", &ip);
    e.school_id = me.user.school_id;
    e.entity = format!("user:{}", me.user.id);
    wuyu_service::audit::append(&state.svc, &e).await?;
    // Every session ended with the old password; this browser continues in a fresh one.
    let cookie = start_session(&state, me.user.id, &headers).await?;
    let mut resp = Redirect::to("/").into_response();
    resp.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(resp)
}
