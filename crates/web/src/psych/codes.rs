//! The counsellor's answer-code sheet: choose a campaign and a class, print the codes. The
//! codes are shown once, on the sheet; issuing again replaces the unused ones.
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wuyu_domain::ClassId;
use wuyu_service::ServiceError;
use wuyu_service::audit::Requester;
use wuyu_service::psych::{self, CodeSheet};

use crate::access::{Require, cap};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::state::AppState;
use crate::view::{Chrome, render};

pub(crate) struct Choice {
    pub(crate) id: i64,
    pub(crate) label: String,
}

#[derive(Template)]
#[template(path = "psych_codes.html")]
struct CodesPage {
    chrome: Chrome,
    message: String,
    campaigns: Vec<Choice>,
    classes: Vec<Choice>,
    sheet: Option<CodeSheet>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct IssueForm {
    campaign: i64,
    class: i64,
}

/// The school's campaigns and classes, for the choosers of the codes and consent pages.
pub(crate) async fn choices(
    state: &AppState,
    me: &CurrentUser,
    school: wuyu_domain::SchoolId,
) -> Result<(Vec<Choice>, Vec<Choice>), AppError> {
    let campaigns = psych::campaigns(&state.svc, &me.viewer(), school)
        .await?
        .into_iter()
        .map(|c| Choice {
            id: c.id,
            label: format!("{}（{} 至 {}）", c.name, c.opens_on, c.closes_on),
        })
        .collect();
    let classes = wuyu_service::roster::classes(&state.svc, &me.viewer(), school)
        .await?
        .into_iter()
        .map(|c| Choice {
            id: c.summary.class.id.0,
            label: format!(
                "{}{}",
                c.summary.class.grade.label_zh(),
                c.summary.class.name
            ),
        })
        .collect();
    Ok((campaigns, classes))
}

async fn codes_page(
    state: &AppState,
    me: &CurrentUser,
    status: StatusCode,
    message: String,
    sheet: Option<CodeSheet>,
) -> Result<Response, AppError> {
    let school = me.scope.school_id().ok_or(AppError::Forbidden)?;
    let (campaigns, classes) = choices(state, me, school).await?;
    let page = CodesPage {
        chrome: Chrome::new(me, "/psych"),
        message,
        campaigns,
        classes,
        sheet,
    };
    Ok((status, render(&page)?).into_response())
}

pub(crate) async fn form(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPsychRecords>,
) -> Result<Response, AppError> {
    codes_page(&state, &me, StatusCode::OK, String::new(), None).await
}

pub(crate) async fn issue(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPsychRecords>,
    ClientIp(ip): ClientIp,
    Form(f): Form<IssueForm>,
) -> Result<Response, AppError> {
    let school = me.scope.school_id().ok_or(AppError::Forbidden)?;
    let who = Requester::user(&me.user, &ip);
    match psych::issue_codes(
        &state.svc,
        &me.viewer(),
        &who,
        school,
        f.campaign,
        ClassId(f.class),
    )
    .await
    {
        Ok(sheet) => codes_page(&state, &me, StatusCode::OK, String::new(), Some(sheet)).await,
        Err(ServiceError::BadRequest(m) | ServiceError::Conflict(m)) => {
            codes_page(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, m, None).await
        }
        Err(e) => Err(e.into()),
    }
}
