//! 自建问卷: the district builds a questionnaire from rows of a form (题目, 题型, 选项, 维度,
//! 反向, 不了解, 必答, 上限) and publishes it; a refused form comes back filled in, with the
//! reason naming the row.
use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use wuyu_domain::{BuilderRow, SurveyAudience};
use wuyu_service::survey;

use crate::access::{Require, cap};
use crate::auth::{CurrentUser, now_unix};
use crate::error::AppError;
use crate::state::AppState;
use crate::view::{Chrome, render};

/// Question rows the form offers (blank ones are skipped).
const ROWS: usize = 12;

#[derive(Template)]
#[template(path = "survey_builder.html")]
struct BuilderPage {
    chrome: Chrome,
    title: String,
    audience: String,
    audiences: Vec<(&'static str, &'static str)>,
    rows: Vec<BuilderRow>,
    error: Option<String>,
}

fn page(
    me: &CurrentUser,
    title: String,
    audience: String,
    rows: Vec<BuilderRow>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let page = BuilderPage {
        chrome: Chrome::new(me, "/surveys"),
        title,
        audience,
        audiences: SurveyAudience::ALL
            .iter()
            .map(|a| (a.code(), a.label_zh()))
            .collect(),
        rows,
        error,
    };
    let status = if page.error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /surveys/new`: an empty builder.
pub(crate) async fn form(
    Require(me, _): Require<cap::ManageSurveys>,
) -> Result<Response, AppError> {
    // Questionnaires are the district's (the service refuses a school's save too).
    if !me.scope.is_district() {
        return Err(AppError::Forbidden);
    }
    let mut rows = vec![BuilderRow::default(); ROWS];
    for r in &mut rows {
        r.kind = "likert".into();
        r.required = true;
    }
    page(&me, String::new(), "parents".into(), rows, None)
}

/// The rows as posted: `text_1`, `kind_1`, … ; an unticked box is absent.
fn rows_of(f: &HashMap<String, String>) -> Vec<BuilderRow> {
    let get = |k: &str, i: usize| f.get(&format!("{k}_{i}")).cloned().unwrap_or_default();
    (1..=ROWS)
        .map(|i| BuilderRow {
            text: get("text", i),
            kind: get("kind", i),
            options: get("options", i),
            scale: get("scale", i),
            reverse: f.contains_key(&format!("reverse_{i}")),
            allow_unknown: f.contains_key(&format!("unknown_{i}")),
            required: f.contains_key(&format!("required_{i}")),
            limit: get("limit", i),
        })
        .collect()
}

/// `POST /surveys/new`: publishes the questionnaire, or shows the form again with the reason.
pub(crate) async fn create(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageSurveys>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let title = f.get("title").cloned().unwrap_or_default();
    let audience = f.get("audience").cloned().unwrap_or_default();
    let rows = rows_of(&f);
    match survey::build_round(
        &state.svc,
        &me.viewer(),
        &title,
        &audience,
        &rows,
        now_unix(),
    )
    .await
    {
        Ok(id) => {
            tracing::info!(user = %me.user.username, questionnaire = id, "questionnaire built");
            Ok(Redirect::to("/surveys").into_response())
        }
        Err(wuyu_service::ServiceError::BadRequest(why)) => {
            page(&me, title, audience, rows, Some(why))
        }
        Err(e) => Err(e.into()),
    }
}
