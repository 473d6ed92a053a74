//! Anonymous links per school or class, to print: each link with its address and a QR code
//! (SVG, drawn here) that a parent scans from the notice to answer on a phone.
use askama::Template;
use axum::Form;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wuyu_domain::{ClassId, SchoolId};
use wuyu_service::ServiceError;
use wuyu_service::survey::{self, LinkSheet};

use crate::access::{Require, cap};
use crate::error::AppError;
use crate::qr::QrCode;
use crate::state::AppState;
use crate::view::{Chrome, render};

pub(crate) struct LinkView {
    /// 全校 or the class.
    class: String,
    url: String,
    /// The QR code as inline SVG, escaped by construction (built from our own numbers).
    qr_svg: String,
}

#[derive(Template)]
#[template(path = "survey_links.html")]
struct LinksPage {
    chrome: Chrome,
    sheet: LinkSheet,
    links: Vec<LinkView>,
    open: bool,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct SheetQuery {
    school: Option<i64>,
}

/// The address the printed link points at: this server as the browser reached it. A host
/// header with anything but host characters is not trusted and falls back to a relative
/// link, which the page shows but does not print as a QR code.
fn base_url(headers: &HeaderMap, secure: bool) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let ok = !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    ok.then(|| format!("{}://{host}", if secure { "https" } else { "http" }))
}

async fn show(
    state: &AppState,
    me: &crate::auth::CurrentUser,
    headers: &HeaderMap,
    (id, school): (i64, SchoolId),
    error: Option<String>,
) -> Result<Response, AppError> {
    let sheet = survey::link_sheet(&state.svc, &me.viewer(), id, school).await?;
    let base = base_url(headers, state.settings.secure_cookies);
    let links = sheet
        .links
        .iter()
        .map(|l| {
            let path = format!("{}l/{}", super::ANSWER_PREFIX, l.token);
            let class = if l.class.is_empty() {
                "全校".to_string()
            } else {
                l.class.clone()
            };
            let (url, qr_svg) = match &base {
                Some(b) => {
                    let url = format!("{b}{path}");
                    let title = format!("{} {} 问卷二维码", sheet.school_name, class);
                    // Past 213 bytes (a very long host name) the page shows the address only.
                    let svg = QrCode::encode(url.as_bytes())
                        .map(|q| q.svg(&title))
                        .unwrap_or_default();
                    (url, svg)
                }
                None => (path, String::new()),
            };
            LinkView { class, url, qr_svg }
        })
        .collect();
    let page = LinksPage {
        chrome: Chrome::new(me, "/surveys"),
        open: sheet.questionnaire.status == wuyu_domain::QuestionnaireStatus::Published,
        sheet,
        links,
        error,
    };
    Ok(render(&page)?.into_response())
}

/// A school's links with their QR codes, and the form to make one.
pub(crate) async fn sheet(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageSurveys>,
    headers: HeaderMap,
    p: Result<Path<i64>, PathRejection>,
    q: Result<Query<SheetQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Path(id) = p.map_err(|_| AppError::NotFound)?;
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let school = match q.school {
        Some(s) => SchoolId(s),
        None => me.scope.school_id().ok_or(AppError::BadRequest)?,
    };
    show(&state, &me, &headers, (id, school), None).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct CreateForm {
    #[serde(default)]
    school_id: String,
    #[serde(default)]
    class_id: String,
}

fn parse_id(text: &str) -> Result<Option<i64>, AppError> {
    match text.trim() {
        "" => Ok(None),
        t => t.parse().map(Some).map_err(|_| AppError::BadRequest),
    }
}

/// Makes a link for the school (empty class) or one class, then shows the school's links.
pub(crate) async fn create(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageSurveys>,
    headers: HeaderMap,
    p: Result<Path<i64>, PathRejection>,
    Form(f): Form<CreateForm>,
) -> Result<Response, AppError> {
    let Path(id) = p.map_err(|_| AppError::NotFound)?;
    let school = match parse_id(&f.school_id)? {
        Some(s) => SchoolId(s),
        None => me.scope.school_id().ok_or(AppError::BadRequest)?,
    };
    let class = parse_id(&f.class_id)?.map(ClassId);
    match survey::new_link(&state.svc, &me.viewer(), id, school, class).await {
        Ok(_) => {
            tracing::info!(user = %me.user.username, questionnaire = id, school = school.0, "survey link made");
            Ok(Redirect::to(&format!("/surveys/{id}/links?school={}", school.0)).into_response())
        }
        Err(ServiceError::BadRequest(m)) => {
            show(&state, &me, &headers, (id, school), Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}
