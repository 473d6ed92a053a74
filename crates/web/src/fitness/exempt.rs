//! `/schools/{id}/students/{sid}/fitness/{term}/exempt`: 免测, one student excused from a
//! term's test with the reason (GET shows the form and any 免测 in force; POST marks or lifts
//! it through the service, audited).
use askama::Template;
use axum::Form;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wuyu_domain::{SchoolId, StudentId, Term};
use wuyu_service::ServiceError;
use wuyu_service::audit::Requester;
use wuyu_service::fitness::{exempt, exemption, lift_exemption};

use crate::access::{Require, cap};
use crate::audit;
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::pages::path_ids;
use crate::state::AppState;
use crate::view::{Chrome, render};

#[derive(Template)]
#[template(path = "fitness_exempt.html")]
struct ExemptPage {
    chrome: Chrome,
    name: String,
    back_href: String,
    action: String,
    term_label: String,
    /// The 免测 in force: reason, who, when.
    current: Option<(String, String, String)>,
    reason: String,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ExemptForm {
    #[serde(default)]
    reason: String,
    /// `lift` ends the 免测; anything else marks it.
    #[serde(default)]
    step: String,
}

type Fixer = Require<cap::FixFitnessRecords>;

fn ids(
    p: Result<Path<(i64, i64, String)>, PathRejection>,
) -> Result<(SchoolId, StudentId, Term), AppError> {
    let (school, student, term) = path_ids(p)?;
    let term = Term::parse_code(&term).map_err(|_| AppError::NotFound)?;
    Ok((SchoolId(school), StudentId(student), term))
}

async fn page(
    state: &AppState,
    me: &CurrentUser,
    ip: &str,
    (school, student, term): (SchoolId, StudentId, Term),
    reason: String,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ExemptPage, AppError> {
    let viewer = me.viewer();
    let s = state
        .svc
        .store()
        .student(&viewer.scope, school, student)
        .await
        .map_err(ServiceError::from)?;
    let current = exemption(&state.svc, &viewer, school, student, term)
        .await?
        .map(|e| {
            let at = time::OffsetDateTime::from_unix_timestamp(e.recorded_at)
                .map(|t| t.date().to_string())
                .unwrap_or_default();
            (e.reason, e.recorded_by, at)
        });
    // A named child's exemption reason is health data: every reader is recorded.
    let mut e = audit::entry(Some(&me.user), "", "read_fitness_exemption", ip);
    e.school_id = Some(school);
    e.entity = format!("student:{}", student.0);
    e.detail = term.code();
    wuyu_service::audit::append(&state.svc, &e).await?;
    Ok(ExemptPage {
        chrome: Chrome::new(me, "/fitness"),
        name: s.name.to_string(),
        back_href: format!(
            "/schools/{school}/classes/{}/fitness?term={}",
            s.class_id,
            term.code()
        ),
        action: format!(
            "/schools/{school}/students/{}/fitness/{}/exempt",
            student.0,
            term.code()
        ),
        term_label: term.label_zh(),
        current,
        reason,
        notice,
        error,
    })
}

pub(crate) async fn form(
    State(state): State<AppState>,
    Require(me, _): Fixer,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64, String)>, PathRejection>,
) -> Result<Response, AppError> {
    let key = ids(p)?;
    let page = page(&state, &me, &ip, key, String::new(), None, None).await?;
    Ok(render(&page)?.into_response())
}

pub(crate) async fn save(
    State(state): State<AppState>,
    Require(me, _): Fixer,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64, String)>, PathRejection>,
    Form(f): Form<ExemptForm>,
) -> Result<Response, AppError> {
    let key = ids(p)?;
    let (school, student, term) = key;
    let who = Requester::user(&me.user, &ip);
    let viewer = me.viewer();
    let done = if f.step == "lift" {
        lift_exemption(&state.svc, &viewer, &who, school, student, term)
            .await
            .map(|lifted| {
                if lifted {
                    "已取消免测，该生回到补测名单。"
                } else {
                    "该生本学期没有免测。"
                }
            })
    } else {
        exempt(&state.svc, &viewer, &who, school, student, term, &f.reason)
            .await
            .map(|removed| {
                if removed {
                    "已记为免测，并删除了该生本学期的体测记录（原值已记入审计日志）。"
                } else {
                    "已记为免测。"
                }
            })
    };
    match done {
        Ok(notice) => {
            let page = page(
                &state,
                &me,
                &ip,
                key,
                String::new(),
                Some(notice.into()),
                None,
            )
            .await?;
            Ok(render(&page)?.into_response())
        }
        Err(ServiceError::BadRequest(why)) => {
            let page = page(&state, &me, &ip, key, f.reason, None, Some(why)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
