//! A parent's children: 家长绑定 (a parent's first sign-in with a child's 学籍号 and the
//! school's binding code), 我的孩子 (add a child the same way; choose whose pages to see).
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wuyu_domain::StudentId;
use wuyu_service::accounts::{self, BindError, MIN_PASSWORD_CHARS, PASSWORD_RULE_ZH};
use wuyu_service::store_types::NewUser;

use crate::access::{Require, cap};
use crate::assets;
use crate::audit;
use crate::auth::{ClientIp, MaybeUser, now_unix};
use crate::error::AppError;
use crate::pages::login::start_session;
use crate::password;
use crate::ratelimit::wait_zh;
use crate::state::AppState;
use crate::view::{Chrome, render};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct BindForm {
    #[serde(default)]
    student_no: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm_password: String,
}

#[derive(Template)]
#[template(path = "bind.html")]
struct BindPage {
    css_url: String,
    rule: &'static str,
    min_password: usize,
    error: Option<String>,
    student_no: String,
    username: String,
    display_name: String,
}

fn bind_page(error: Option<String>, f: &BindForm) -> Result<Response, AppError> {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = BindPage {
        css_url: assets::url("app.css"),
        rule: PASSWORD_RULE_ZH,
        min_password: MIN_PASSWORD_CHARS,
        error,
        student_no: f.student_no.clone(),
        username: f.username.clone(),
        display_name: f.display_name.clone(),
    };
    Ok((status, render(&page)?).into_response())
}

pub(crate) async fn bind_form(MaybeUser(me): MaybeUser) -> Result<Response, AppError> {
    if me.is_some() {
        return Ok(Redirect::to("/account/children").into_response());
    }
    bind_page(None, &BindForm::default())
}

/// Opens a parent account with the child's 学籍号 and binding code, then signs it in.
pub(crate) async fn bind_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(f): Form<BindForm>,
) -> Result<Response, AppError> {
    let username = f.username.trim().to_string();
    let display_name = f.display_name.trim().to_string();
    if display_name.is_empty() || display_name.chars().count() > 50 {
        return bind_page(Some("请填写家长姓名（不超过 50 个字符）".into()), &f);
    }
    if username.is_empty()
        || username.chars().count() > accounts::MAX_USERNAME_CHARS
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return bind_page(Some("用户名只能包含英文字母、数字和 . _ -".into()), &f);
    }
    if f.password != f.confirm_password {
        return bind_page(Some("两次输入的密码不一致".into()), &f);
    }
    if let Err(m) = accounts::check_new_password(&username, "", &f.password) {
        return bind_page(Some(m), &f);
    }
    // Codes are guessable only slowly: the sign-in limits apply per address and 学籍号.
    let key = format!("bind:{}", f.student_no.trim());
    if let Err(wait) = state.limiter.try_attempt(&ip, &key) {
        return bind_page(
            Some(format!("尝试次数过多，请 {}后再试。", wait_zh(wait))),
            &f,
        );
    }
    let pw = f.password.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash_password(&pw)).await?;
    let new = NewUser {
        username: username.clone(),
        display_name,
        role: wuyu_domain::Role::Parent,
        password_hash: hash,
        school_id: None,
        teacher_id: None,
        student_id: None,
    };
    let user =
        match accounts::open_parent_account(&state.svc, &f.student_no, &f.code, new, now_unix())
            .await
        {
            Ok(u) => u,
            Err(BindError::Service(e)) => return Err(e.into()),
            Err(e) => {
                let mut a = audit::entry(None, &username, "bind_child_denied", &ip);
                a.detail = format!("student_no={}", f.student_no.trim());
                wuyu_service::audit::append(&state.svc, &a).await?;
                return bind_page(Some(e.to_string()), &f);
            }
        };
    state.limiter.record_success(&ip, &key);
    let creds = accounts::credentials(&state.svc, &username)
        .await?
        .ok_or(AppError::Internal("new parent account not found".into()))?;
    let mut a = audit::entry(Some(&creds.user), "", "open_parent_account", &ip);
    a.school_id = creds.user.school_id;
    a.entity = format!("user:{user}");
    a.detail = format!("student_no={}", f.student_no.trim());
    wuyu_service::audit::append(&state.svc, &a).await?;
    let cookie = start_session(&state, user, &headers).await?;
    let mut resp = Redirect::to("/").into_response();
    resp.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(resp)
}

pub(crate) struct ChildView {
    pub id: i64,
    pub name: String,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "account_children.html")]
struct ChildrenPage {
    chrome: Chrome,
    children: Vec<ChildView>,
    error: Option<String>,
}

async fn children_page(
    state: &AppState,
    me: &crate::auth::CurrentUser,
    error: Option<String>,
) -> Result<Response, AppError> {
    let rows = accounts::children(&state.svc, &me.viewer()).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ChildrenPage {
        chrome: Chrome::new(me, "/account/children"),
        children: rows
            .into_iter()
            .map(|c| ChildView {
                id: c.student_id.0,
                href: format!("/schools/{}/students/{}", c.school_id, c.student_id),
                current: me.user.student_id == Some(c.student_id),
                name: c.name,
            })
            .collect(),
        error,
    };
    Ok((status, render(&page)?).into_response())
}

pub(crate) async fn children(
    State(state): State<AppState>,
    Require(me, _): Require<cap::LinkChildren>,
) -> Result<Response, AppError> {
    children_page(&state, &me, None).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct AddChildForm {
    #[serde(default)]
    student_no: String,
    #[serde(default)]
    code: String,
}

pub(crate) async fn add_child(
    State(state): State<AppState>,
    Require(me, _): Require<cap::LinkChildren>,
    ClientIp(ip): ClientIp,
    Form(f): Form<AddChildForm>,
) -> Result<Response, AppError> {
    let key = format!("bind:{}", f.student_no.trim());
    if let Err(wait) = state.limiter.try_attempt(&ip, &key) {
        let msg = format!("尝试次数过多，请 {}后再试。", wait_zh(wait));
        return children_page(&state, &me, Some(msg)).await;
    }
    match accounts::add_child(&state.svc, &me.viewer(), &f.student_no, &f.code, now_unix()).await {
        Ok(student) => {
            state.limiter.record_success(&ip, &key);
            let mut a = audit::entry(Some(&me.user), "", "bind_child", &ip);
            a.entity = format!("student:{student}");
            a.detail = format!("student_no={}", f.student_no.trim());
            wuyu_service::audit::append(&state.svc, &a).await?;
            Ok(Redirect::to("/account/children").into_response())
        }
        Err(BindError::Service(e)) => Err(e.into()),
        Err(e) => {
            let mut a = audit::entry(Some(&me.user), "", "bind_child_denied", &ip);
            a.detail = format!("student_no={}", f.student_no.trim());
            wuyu_service::audit::append(&state.svc, &a).await?;
            children_page(&state, &me, Some(e.to_string())).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct ChooseForm {
    #[serde(default)]
    student_id: String,
}

/// Shows the chosen child's pages in this session.
pub(crate) async fn choose(
    State(state): State<AppState>,
    Require(me, _): Require<cap::LinkChildren>,
    Form(f): Form<ChooseForm>,
) -> Result<Response, AppError> {
    let student = StudentId(
        f.student_id
            .trim()
            .parse()
            .map_err(|_| AppError::BadRequest)?,
    );
    let child = accounts::choose_child(&state.svc, &me.viewer(), &me.token_hash, student).await?;
    Ok(Redirect::to(&format!(
        "/schools/{}/students/{}",
        child.school_id, child.student_id
    ))
    .into_response())
}
