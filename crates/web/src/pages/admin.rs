//! `/admin/users` and `/admin/audit`: district administrators only. Every user change is
//! audited.
use askama::Template;
use axum::Form;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wuyu_domain::AdminToken;
use wuyu_domain::{Role, SchoolId, UserId};
use wuyu_service::audit::AuditQuery;
use wuyu_service::export::{Cell, Table, text};
use wuyu_service::store_types::AuditFilter;
use wuyu_service::store_types::NewUser;
use wuyu_service::{ServiceError, accounts, roster};

use crate::access::{Require, cap};
use crate::audit;
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::export;
use crate::pages::path_ids;
use crate::password;
use crate::state::AppState;
use crate::view::{Chrome, format_time, render};

use wuyu_service::accounts::{AccountError, AccountSpec, MIN_PASSWORD_CHARS};

pub(crate) struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
    pub school: String,
    pub active: bool,
    pub is_me: bool,
}

pub(crate) struct OptionView {
    pub value: String,
    pub label: String,
}

/// What the create form had, to show it again after an error.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CreateUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    school_id: String,
    /// 工号 of the teacher record (teachers).
    #[serde(default)]
    teacher_staff_no: String,
    /// 学籍号 of the child (parents).
    #[serde(default)]
    student_no: String,
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserView>,
    roles: Vec<OptionView>,
    schools: Vec<OptionView>,
    error: Option<String>,
    form: CreateUserForm,
    min_password: usize,
}

async fn users_page(
    state: &AppState,
    me: &CurrentUser,
    error: Option<String>,
    mut form: CreateUserForm,
) -> Result<Response, AppError> {
    let users = accounts::list_users(&state.svc, admin_token(me)?).await?;
    let schools = roster::schools(&state.svc, &me.viewer()).await?;
    form.password.clear(); // never echoed back
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = UsersPage {
        chrome: Chrome::new(me, "/admin/users"),
        users: users
            .into_iter()
            .map(|u| UserView {
                id: u.user.id.0,
                is_me: u.user.id == me.user.id,
                username: u.user.username,
                display_name: u.user.display_name,
                role: u.user.role.label_zh(),
                school: u.school_name.unwrap_or_default(),
                active: u.active,
            })
            .collect(),
        roles: Role::ALL
            .into_iter()
            .map(|r| OptionView {
                value: r.code().to_string(),
                label: r.label_zh().to_string(),
            })
            .collect(),
        schools: schools
            .into_iter()
            .map(|s| OptionView {
                value: s.school.id.to_string(),
                label: s.school.name,
            })
            .collect(),
        error,
        form,
        min_password: MIN_PASSWORD_CHARS,
    };
    Ok((status, render(&page)?).into_response())
}

pub(crate) async fn users(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageUsers>,
) -> Result<Response, AppError> {
    users_page(&state, &me, None, CreateUserForm::default()).await
}

/// Why a creation was refused: a message for the admin, or a store failure (a 500).
enum Invalid {
    Msg(String),
    Store(ServiceError),
}

impl From<&str> for Invalid {
    fn from(m: &str) -> Self {
        Invalid::Msg(m.to_string())
    }
}

impl From<String> for Invalid {
    fn from(m: String) -> Self {
        Invalid::Msg(m)
    }
}

impl From<ServiceError> for Invalid {
    fn from(e: ServiceError) -> Self {
        Invalid::Store(e)
    }
}

/// Checks the form: the chosen school must be one the admin may see; the account rules are
/// [`resolve_account`]'s.
async fn validate(
    state: &AppState,
    me: &CurrentUser,
    f: &CreateUserForm,
) -> Result<NewUser, Invalid> {
    let school = match f.school_id.trim() {
        "" => None,
        t => {
            let id = SchoolId(t.parse::<i64>().map_err(|_| "请选择学校")?);
            match roster::school(&state.svc, &me.viewer(), id).await {
                Ok(_) => Some(id),
                Err(ServiceError::NotFound | ServiceError::Forbidden) => {
                    return Err("所选学校不存在".into());
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    let spec = AccountSpec {
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        role: Role::parse(&f.role).ok(),
        school,
        teacher_staff_no: Some(f.teacher_staff_no.clone()),
        student_no: Some(f.student_no.clone()),
        password: f.password.clone(),
    };
    let admin = admin_token(me).map_err(Invalid::Store)?;
    match accounts::resolve(&state.svc, admin, &spec).await {
        Ok(new) => Ok(new),
        Err(AccountError::Invalid(m)) => Err(Invalid::Msg(m)),
        Err(AccountError::Store(e)) => Err(Invalid::Store(e.into())),
    }
}

pub(crate) async fn create_user(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageUsers>,
    ClientIp(ip): ClientIp,
    Form(f): Form<CreateUserForm>,
) -> Result<Response, AppError> {
    let mut new = match validate(&state, &me, &f).await {
        Ok(n) => n,
        Err(Invalid::Msg(msg)) => return users_page(&state, &me, Some(msg), f).await,
        Err(Invalid::Store(e)) => return Err(e.into()),
    };
    let password = f.password.clone();
    new.password_hash =
        tokio::task::spawn_blocking(move || password::hash_password(&password)).await?;
    let id = match accounts::create_user(&state.svc, admin_token(&me)?, &new).await {
        Ok(id) => id,
        Err(ServiceError::Conflict(_)) => {
            return users_page(&state, &me, Some("用户名已存在".into()), f).await;
        }
        Err(e) => return Err(e.into()),
    };
    let mut e = audit::entry(Some(&me.user), "", "create_user", &ip);
    e.school_id = new.school_id;
    e.entity = format!("user:{id}");
    e.detail = format!("username={} role={}", new.username, new.role.code());
    wuyu_service::audit::append(&state.svc, &e).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

pub(crate) async fn activate_user(
    state: State<AppState>,
    Require(me, _): Require<cap::ManageUsers>,
    ip: ClientIp,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Response, AppError> {
    set_active(state, me, ip, p, true).await
}

pub(crate) async fn deactivate_user(
    state: State<AppState>,
    Require(me, _): Require<cap::ManageUsers>,
    ip: ClientIp,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Response, AppError> {
    set_active(state, me, ip, p, false).await
}

async fn set_active(
    State(state): State<AppState>,
    me: CurrentUser,
    ClientIp(ip): ClientIp,
    p: Result<Path<i64>, PathRejection>,
    active: bool,
) -> Result<Response, AppError> {
    let id = UserId(path_ids(p)?);
    if id == me.user.id && !active {
        let msg = "不能停用自己的账号".to_string();
        return users_page(&state, &me, Some(msg), CreateUserForm::default()).await;
    }
    let admin = admin_token(&me)?;
    let target = accounts::user(&state.svc, admin, id).await?;
    accounts::set_user_active(&state.svc, admin, id, active).await?;
    let action = if active {
        "activate_user"
    } else {
        "deactivate_user"
    };
    let mut e = audit::entry(Some(&me.user), "", action, &ip);
    e.school_id = target.school_id;
    e.entity = format!("user:{id}");
    e.detail = format!("username={}", target.username);
    wuyu_service::audit::append(&state.svc, &e).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

pub(crate) struct AuditView {
    pub at: String,
    pub username: String,
    pub action: String,
    pub school_id: String,
    pub entity: String,
    pub detail: String,
    pub ip: String,
}

/// The audit page's columns, in its XLSX too.
const AUDIT_HEADERS: [&str; 7] = ["时间", "用户", "操作", "学校", "对象", "详情", "IP"];

/// The newest entries the audit page lists and its XLSX holds. Capped, not streamed: the log
/// grows with every sign-in and read, and a download holds at most this many rows in memory.
const AUDIT_ROWS: i64 = 200;

impl AuditView {
    fn cells(self) -> Vec<Cell> {
        [
            self.at,
            self.username,
            self.action,
            self.school_id,
            self.entity,
            self.detail,
            self.ip,
        ]
        .into_iter()
        .map(text)
        .collect()
    }
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    chrome: Chrome,
    shown: i64,
    /// The search as typed, to fill the form again.
    q: AuditQuery,
    actions: Vec<OptionView>,
    /// Whether any field narrows the log.
    searching: bool,
    export_href: String,
    /// The next page (older entries of the same search), when this one is full.
    older_href: Option<String>,
    rows: Vec<AuditView>,
    /// Why the search could not run (a bad day or school), in Chinese.
    error: Option<String>,
    status: StatusCode,
}

/// Up to [`AUDIT_ROWS`] entries of the search as the page shows them (times in Beijing time,
/// actions in Chinese), newest first, with the oldest one's id for the next page.
async fn audit_rows(
    state: &AppState,
    me: &CurrentUser,
    filter: &AuditFilter,
) -> Result<(Vec<AuditView>, Option<i64>), AppError> {
    let rows =
        wuyu_service::audit::search(&state.svc, admin_token(me)?, filter, AUDIT_ROWS).await?;
    let oldest = (rows.len() as i64 == AUDIT_ROWS)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    let views = rows
        .into_iter()
        .map(|r| AuditView {
            at: format_time(r.entry.at),
            username: r.entry.username,
            action: audit::action_zh(&r.entry.action),
            school_id: r.entry.school_id.map(|s| s.to_string()).unwrap_or_default(),
            entity: r.entry.entity,
            detail: r.entry.detail,
            ip: r.entry.ip,
        })
        .collect();
    Ok((views, oldest))
}

/// The search's fields as a query string (without `before`), for the export and next-page links.
fn search_query(q: &AuditQuery) -> String {
    [
        ("user", &q.user),
        ("action", &q.action),
        ("entity", &q.entity),
        ("school", &q.school),
        ("from", &q.from),
        ("to", &q.to),
    ]
    .iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .map(|(k, v)| format!("{k}={}", percent_encoded(v.trim())))
    .collect::<Vec<_>>()
    .join("&")
}

/// `s` with every byte but letters, digits and `-._~` written as `%XX` (RFC 3986).
fn percent_encoded(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `/admin/audit`: the newest entries, or those of a search (who, what, which object or
/// school, which days), [`AUDIT_ROWS`] at a time with a link to the older ones.
pub(crate) async fn audit(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewAudit>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AppError> {
    // A day or school that is not one: the form again with the reason, nothing listed.
    let (rows, oldest, error) = match q.filter() {
        Ok(filter) => {
            let (rows, oldest) = audit_rows(&state, &me, &filter).await?;
            (rows, oldest, None)
        }
        Err(ServiceError::BadRequest(reason)) => (Vec::new(), None, Some(reason)),
        Err(e) => return Err(e.into()),
    };
    let query = search_query(&q);
    let joined = |extra: String| {
        [query.clone(), extra]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("&")
    };
    let export = joined(q.before.map(|b| format!("before={b}")).unwrap_or_default());
    let page = AuditPage {
        chrome: Chrome::new(&me, "/admin/audit"),
        shown: AUDIT_ROWS,
        actions: audit::action_options()
            .map(|(value, label)| OptionView {
                value: value.to_string(),
                label: label.to_string(),
            })
            .collect(),
        searching: !query.is_empty() || q.before.is_some(),
        export_href: if export.is_empty() {
            "/admin/audit.xlsx".into()
        } else {
            format!("/admin/audit.xlsx?{export}")
        },
        older_href: oldest.map(|id| format!("/admin/audit?{}", joined(format!("before={id}")))),
        rows,
        q,
        status: if error.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        },
        error,
    };
    Ok((page.status, render(&page)?).into_response())
}

/// `/admin/audit.xlsx`: the rows the page shows for the same search (at most [`AUDIT_ROWS`]).
pub(crate) async fn audit_xlsx(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewAudit>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let (rows, _) = audit_rows(&state, &me, &q.filter()?).await?;
    let searched = if search_query(&q).is_empty() && q.before.is_none() {
        format!("最近 {AUDIT_ROWS} 条")
    } else {
        format!("按条件查询，至多 {AUDIT_ROWS} 条")
    };
    export::table(Table {
        file_name: "审计日志.xlsx".into(),
        sheet: "审计日志".into(),
        title: format!("审计日志（{searched}，北京时间）"),
        headers: AUDIT_HEADERS.to_vec(),
        rows: rows.into_iter().map(AuditView::cells).collect(),
    })
}

/// The unscoped admin right of this caller (the route's extractor already checked the role).
fn admin_token(me: &CurrentUser) -> Result<AdminToken, ServiceError> {
    me.viewer().admin_token().ok_or(ServiceError::Forbidden)
}
