//! 账号管理: the accounts an admin manages (a district admin: all; a school admin: their
//! school's), and resetting one to a one-time password shown once. Audited.
use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use wuyu_domain::{SchoolId, UserId};
use wuyu_service::{accounts, roster};

use crate::access::{Require, cap};
use crate::audit;
use crate::auth::ClientIp;
use crate::error::AppError;
use crate::pages::path_ids;
use crate::password;
use crate::ratelimit::wait_zh;
use crate::state::AppState;
use crate::view::{Chrome, render};

pub(crate) struct AccountView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
    pub school: String,
    pub active: bool,
    pub one_time: bool,
    /// How long sign-in is held back for this account right now (slow-down or lock).
    pub limited: Option<String>,
}

pub(crate) struct OptionView {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    chrome: Chrome,
    accounts: Vec<AccountView>,
    /// District admins choose the school whose accounts to open in bulk.
    schools: Vec<OptionView>,
    /// The school of the bulk section, once known.
    bulk_school: Option<i64>,
    classes: Vec<OptionView>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct AccountsQuery {
    #[serde(default)]
    school: String,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageAccounts>,
    Query(q): Query<AccountsQuery>,
) -> Result<Response, AppError> {
    let rows = accounts::managed_accounts(&state.svc, &me.viewer()).await?;
    let viewer = me.viewer();
    let bulk_school = match (me.scope.school_id(), q.school.trim()) {
        (Some(own), _) => Some(own),
        (None, "") => None,
        (None, t) => Some(SchoolId(t.parse().map_err(|_| AppError::BadRequest)?)),
    };
    let schools = if me.scope.is_district() {
        roster::schools(&state.svc, &viewer)
            .await?
            .into_iter()
            .map(|s| OptionView {
                value: s.school.id.to_string(),
                selected: bulk_school == Some(s.school.id),
                label: s.school.name,
            })
            .collect()
    } else {
        Vec::new()
    };
    let classes = match bulk_school {
        None => Vec::new(),
        Some(s) => roster::school_view(&state.svc, &viewer, s)
            .await?
            .classes
            .into_iter()
            .map(|c| OptionView {
                value: c.class.id.to_string(),
                selected: false,
                label: format!(
                    "{}{}（{} 人）",
                    c.class.grade.label_zh(),
                    c.class.name,
                    c.student_count
                ),
            })
            .collect(),
    };
    let page = AccountsPage {
        chrome: Chrome::new(&me, "/accounts"),
        accounts: rows
            .into_iter()
            .filter(|r| r.user.id != me.user.id)
            .map(|r| AccountView {
                id: r.user.id.0,
                display_name: r.user.display_name,
                role: r.user.role.label_zh(),
                school: r.school_name.unwrap_or_default(),
                active: r.active,
                one_time: r.must_change_password,
                limited: state.limiter.status(&r.user.username).map(wait_zh),
                username: r.user.username,
            })
            .collect(),
        schools,
        bulk_school: bulk_school.map(|s| s.0),
        classes,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "account_reset.html")]
struct ResetPage {
    chrome: Chrome,
    username: String,
    display_name: String,
    password: String,
}

/// Resets the account's password to a fresh one-time password and shows it once: the admin
/// hands it over, the user must change it at sign-in.
pub(crate) async fn reset(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageAccounts>,
    ClientIp(ip): ClientIp,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Response, AppError> {
    let id = UserId(path_ids(p)?);
    if id == me.user.id {
        // One's own password is changed knowing the old one, on 修改密码.
        return Err(AppError::Forbidden);
    }
    // Checked before the (slow) hashing: a refused reset costs nothing.
    accounts::managed_account(&state.svc, &me.viewer(), id).await?;
    let once =
        accounts::one_time_password().map_err(|e| AppError::Internal(format!("getrandom: {e}")))?;
    let plain = once.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash_password(&plain)).await?;
    let target = accounts::reset_password(&state.svc, &me.viewer(), id, &hash).await?;
    let mut e = audit::entry(Some(&me.user), "", "reset_password", &ip);
    e.school_id = target.school_id;
    e.entity = format!("user:{id}");
    e.detail = format!("username={}", target.username);
    wuyu_service::audit::append(&state.svc, &e).await?;
    let page = ResetPage {
        chrome: Chrome::new(&me, "/accounts"),
        username: target.username,
        display_name: target.display_name,
        password: once,
    };
    Ok(render(&page)?.into_response())
}

/// 解除锁定: lifts the sign-in slow-down and address locks on the account at once (e.g. the
/// user mistyped their own password too often). Audited.
pub(crate) async fn unlock(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageAccounts>,
    ClientIp(ip): ClientIp,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Response, AppError> {
    let id = UserId(path_ids(p)?);
    let target = accounts::managed_account(&state.svc, &me.viewer(), id).await?;
    let lifted = state.limiter.unlock(&target.username);
    let mut e = audit::entry(Some(&me.user), "", "unlock_user", &ip);
    e.school_id = target.school_id;
    e.entity = format!("user:{id}");
    e.detail = format!(
        "username={}{}",
        target.username,
        if lifted { "" } else { " (was not limited)" }
    );
    wuyu_service::audit::append(&state.svc, &e).await?;
    Ok(Redirect::to("/accounts").into_response())
}
