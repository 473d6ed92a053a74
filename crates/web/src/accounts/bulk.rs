//! 批量开通: teacher accounts from the roster (username = 工号) and a class's binding codes for
//! parents, each answered as a sheet to print and hand out (the passwords and codes are shown
//! only there). Audited.
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wuyu_domain::{ClassId, SchoolId};
use wuyu_service::accounts::{self, BindingSheet, IssuedAccount, SkippedTeacher};

use crate::access::{Require, cap};
use crate::audit;
use crate::auth::{ClientIp, now_unix};
use crate::error::AppError;
use crate::password;
use crate::state::AppState;
use crate::view::{Chrome, render};

#[derive(Debug, Deserialize)]
pub(crate) struct SchoolForm {
    #[serde(default)]
    school_id: String,
    #[serde(default)]
    class_id: String,
}

/// The school the form names; a school admin's own school when it names none.
fn school_of(me: &crate::auth::CurrentUser, f: &SchoolForm) -> Result<SchoolId, AppError> {
    match f.school_id.trim() {
        "" => me.scope.school_id().ok_or(AppError::BadRequest),
        t => t.parse().map(SchoolId).map_err(|_| AppError::BadRequest),
    }
}

#[derive(Template)]
#[template(path = "account_teachers_sheet.html")]
struct TeachersSheet {
    chrome: Chrome,
    issued: Vec<IssuedAccount>,
    skipped: Vec<SkippedTeacher>,
}

pub(crate) async fn open_teachers(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageAccounts>,
    ClientIp(ip): ClientIp,
    Form(f): Form<SchoolForm>,
) -> Result<Response, AppError> {
    let school = school_of(&me, &f)?;
    let plan = accounts::plan_teacher_accounts(&state.svc, &me.viewer(), school).await?;
    let passwords: Vec<String> = plan.accounts.iter().map(|a| a.password.clone()).collect();
    let hashes = tokio::task::spawn_blocking(move || {
        passwords
            .iter()
            .map(|p| password::hash_password(p))
            .collect::<Vec<_>>()
    })
    .await?;
    accounts::open_teacher_accounts(&state.svc, &me.viewer(), &plan, hashes).await?;
    let (issued, skipped) = (plan.accounts, plan.skipped);
    let mut e = audit::entry(Some(&me.user), "", "open_teacher_accounts", &ip);
    e.school_id = Some(school);
    e.entity = format!("school:{school}");
    e.detail = format!(
        "opened={} skipped={} usernames={}",
        issued.len(),
        skipped.len(),
        issued
            .iter()
            .map(|a| a.username.as_str())
            .collect::<Vec<_>>()
            .join(",")
    );
    wuyu_service::audit::append(&state.svc, &e).await?;
    let page = TeachersSheet {
        chrome: Chrome::new(&me, "/accounts"),
        issued,
        skipped,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "account_binding_sheet.html")]
struct BindingSheetPage {
    chrome: Chrome,
    sheet: BindingSheet,
}

pub(crate) async fn binding_codes(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageAccounts>,
    ClientIp(ip): ClientIp,
    Form(f): Form<SchoolForm>,
) -> Result<Response, AppError> {
    let school = school_of(&me, &f)?;
    let class = ClassId(
        f.class_id
            .trim()
            .parse()
            .map_err(|_| AppError::BadRequest)?,
    );
    let sheet =
        accounts::issue_binding_codes(&state.svc, &me.viewer(), school, class, now_unix()).await?;
    let mut e = audit::entry(Some(&me.user), "", "issue_binding_codes", &ip);
    e.school_id = Some(school);
    e.entity = format!("class:{school}:{class}");
    e.detail = format!("{} codes for {}", sheet.rows.len(), sheet.class_name);
    wuyu_service::audit::append(&state.svc, &e).await?;
    let page = BindingSheetPage {
        chrome: Chrome::new(&me, "/accounts"),
        sheet,
    };
    Ok(render(&page)?.into_response())
}
