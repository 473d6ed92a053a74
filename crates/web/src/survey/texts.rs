//! 意见和建议: the free-text answers of a questionnaire, for the school's admin (their school)
//! and district roles only; every read is audited by the service before anything is shown.
use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use wuyu_service::audit::Requester;
use wuyu_service::survey;

use crate::access::{Require, cap};
use crate::auth::ClientIp;
use crate::error::AppError;
use crate::state::AppState;
use crate::view::{Chrome, render};

pub(crate) struct Line {
    school: String,
    item: String,
    text: String,
}

#[derive(Template)]
#[template(path = "survey_texts.html")]
struct Page {
    chrome: Chrome,
    id: i64,
    title: String,
    lines: Vec<Line>,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewSurveyTexts>,
    ClientIp(ip): ClientIp,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Response, AppError> {
    let Path(id) = p.map_err(|_| AppError::NotFound)?;
    let who = Requester::user(&me.user, &ip);
    let r = survey::survey_texts(&state.svc, &me.viewer(), &who, id).await?;
    let page = Page {
        chrome: Chrome::new(&me, "/surveys"),
        id,
        title: r.questionnaire.title.clone(),
        lines: r
            .lines
            .into_iter()
            .map(|l| Line {
                school: l.school_name,
                item: format!("{}. {}", l.item_code, l.item_text),
                text: l.text,
            })
            .collect(),
    };
    Ok(render(&page)?.into_response())
}
