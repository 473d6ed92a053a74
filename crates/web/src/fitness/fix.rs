//! `/schools/{id}/students/{sid}/fitness/{term}/fix`: 单条更正, one student's results of one
//! term in a form (GET shows it, POST saves, rescores and audits through the service).
use askama::Template;
use axum::Form;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use wuyu_domain::{SchoolId, StudentId, Term};
use wuyu_service::ServiceError;
use wuyu_service::audit::Requester;
use wuyu_service::fitness::{FIX_FIELDS, fix_form, fix_record};
use wuyu_service::import_centre::fix_zh;

use super::format::one;
use crate::access::{Require, cap};
use crate::audit;
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::pages::path_ids;
use crate::state::AppState;
use crate::view::{Chrome, render};

pub(crate) struct FieldView {
    pub code: &'static str,
    pub label: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "fitness_fix.html")]
struct FixPage {
    chrome: Chrome,
    name: String,
    back_href: String,
    action: String,
    exempt_href: String,
    term_label: String,
    test_date: String,
    standard_score: String,
    level: &'static str,
    missing: String,
    fields: Vec<FieldView>,
    notice: Option<String>,
    errors: Vec<String>,
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
    typed: Option<&[(String, String)]>,
    notice: Option<String>,
    errors: Vec<String>,
) -> Result<FixPage, AppError> {
    let (s, r) = fix_form(&state.svc, &me.viewer(), school, student, term).await?;
    // A named child's health data: every reader is recorded.
    let mut e = audit::entry(Some(&me.user), "", "read_fitness_fix_form", ip);
    e.school_id = Some(school);
    e.entity = format!("student:{}", student.0);
    e.detail = term.code();
    wuyu_service::audit::append(&state.svc, &e).await?;
    let mut m = r.measures;
    let fields = FIX_FIELDS
        .iter()
        .map(|(code, label)| {
            let stored = wuyu_service::fitness::measure(&mut m, code)
                .and_then(|v| *v)
                .map(|v| v.to_string())
                .unwrap_or_default();
            let value = typed
                .and_then(|t| t.iter().find(|(k, _)| k == code).map(|(_, v)| v.clone()))
                .unwrap_or(stored);
            FieldView { code, label, value }
        })
        .collect();
    Ok(FixPage {
        chrome: Chrome::new(me, "/fitness"),
        name: s.name.to_string(),
        back_href: format!("/schools/{school}/students/{}", student.0),
        action: format!(
            "/schools/{school}/students/{}/fitness/{}/fix",
            student.0,
            term.code()
        ),
        exempt_href: format!(
            "/schools/{school}/students/{}/fitness/{}/exempt",
            student.0,
            term.code()
        ),
        term_label: term.label_zh(),
        test_date: r.test_date.to_string(),
        standard_score: one(r.standard_score),
        level: r.level.map_or("—", |l| l.label_zh()),
        missing: r
            .missing
            .iter()
            .map(|i| i.name_zh())
            .collect::<Vec<_>>()
            .join("、"),
        fields,
        notice,
        errors,
    })
}

pub(crate) async fn form(
    State(state): State<AppState>,
    Require(me, _): Fixer,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64, String)>, PathRejection>,
) -> Result<Response, AppError> {
    let key = ids(p)?;
    let page = page(&state, &me, &ip, key, None, None, Vec::new()).await?;
    Ok(render(&page)?.into_response())
}

pub(crate) async fn save(
    State(state): State<AppState>,
    Require(me, _): Fixer,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64, String)>, PathRejection>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let key = ids(p)?;
    let who = Requester::user(&me.user, &ip);
    let (school, student, term) = key;
    let errors = match fix_record(
        &state.svc,
        &me.viewer(),
        &who,
        school,
        student,
        term,
        &fields,
    )
    .await
    {
        Ok(_) => {
            let page = page(
                &state,
                &me,
                &ip,
                key,
                None,
                Some("已保存并重新评分。".into()),
                Vec::new(),
            )
            .await?;
            return Ok(render(&page)?.into_response());
        }
        Err(ServiceError::BadRequest(why)) => vec![why],
        Err(ServiceError::Rejected(rows)) => rows
            .iter()
            .map(|r| format!("{}：{}（{}）", r.column, r.message_zh, fix_zh(r)))
            .collect(),
        Err(e) => return Err(e.into()),
    };
    let page = page(&state, &me, &ip, key, Some(&fields), None, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}
