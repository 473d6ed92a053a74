//! `/schools/{id}/classes/{class_id}/archive/publicity`: a class's 公示 of one term — the
//! window, the approved records shown (nothing private), objections with the 班主任's answers,
//! and the two signatures (班主任, then 校长). One POST takes the step (`open`, `answer`,
//! `sign`); a refusal is shown on the page in Chinese with 422. The service audits each step.
//! `/schools/{id}/students/{student_id}/archive/objections`: a family objects to a record.
use askama::Template;
use axum::Form;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wuyu_domain::{ClassId, PublicityStage, SchoolId, StudentId, Term};
use wuyu_service::ServiceError;
use wuyu_service::archive::{self, PublicityView};
use wuyu_service::audit::Requester;

use crate::access::{Require, cap};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::pages::path_ids;
use crate::roster::school::class_label;
use crate::state::AppState;
use crate::view::{Chrome, render};

pub(crate) struct ObjectionRow {
    id: i64,
    record_id: i64,
    student: String,
    raised_by: String,
    text: String,
    answer: Option<String>,
    answered_by: String,
}

#[derive(Template)]
#[template(path = "archive_publicity.html")]
struct PublicityPage {
    chrome: Chrome,
    heading: String,
    records_href: String,
    action: String,
    term_code: String,
    term_label: String,
    stage: String,
    window: Option<String>,
    /// (who, "name · date").
    signatures: Vec<(&'static str, String)>,
    may_open: bool,
    may_sign: bool,
    may_answer: bool,
    sign_label: &'static str,
    days: u32,
    objections: Vec<ObjectionRow>,
    /// Students whose families confirmed the archive (家长确认).
    confirmed: usize,
    lines: Vec<archive::PublicLine>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    term: Option<String>,
    done: Option<String>,
}

fn term_of(code: Option<&str>) -> Result<Term, AppError> {
    match code.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Term::parse_code(t).map_err(|_| AppError::BadRequest),
        None => Term::of_date(archive::today()).map_err(|_| AppError::BadRequest),
    }
}

async fn build(
    state: &AppState,
    me: &CurrentUser,
    (school, class): (SchoolId, ClassId),
    term: Term,
    notice: Option<String>,
    error: Option<String>,
) -> Result<PublicityPage, AppError> {
    let viewer = me.viewer();
    let v: PublicityView =
        archive::publicity(&state.svc, &viewer, school, class, term, archive::today()).await?;
    let heading = match state.svc.store().class(&viewer.scope, school, class).await {
        Ok(c) => format!("{} · 综合素质档案公示", class_label(&c)),
        Err(_) => "综合素质档案公示".into(),
    };
    let days = state
        .svc
        .store()
        .district_settings()
        .await
        .map_err(ServiceError::from)?
        .archive_publicity_days
        .0;
    let base = format!("/schools/{school}/classes/{}/archive", class.0);
    let mut signatures = Vec::new();
    if let Some(p) = &v.publicity {
        if let Some((n, d)) = &p.head_signed {
            signatures.push(("班主任", format!("{n} · {d}")));
        }
        if let Some((n, d)) = &p.principal_signed {
            signatures.push(("校长", format!("{n} · {d}")));
        }
    }
    Ok(PublicityPage {
        chrome: Chrome::new(me, &format!("{base}/publicity")),
        heading,
        records_href: format!("{base}?term={}", term.code()),
        action: format!("{base}/publicity"),
        term_code: term.code(),
        term_label: term.label_zh(),
        stage: v.stage_zh.clone(),
        window: v
            .publicity
            .as_ref()
            .map(|p| format!("{} 至 {}", p.starts_on, p.ends_on)),
        signatures,
        may_open: v.may_open,
        may_sign: v.may_sign,
        may_answer: v.may_answer,
        sign_label: match v.stage {
            Some(PublicityStage::HeadSigned) => "校长签字（签字后归档锁定）",
            _ => "班主任签字",
        },
        days,
        confirmed: v.confirmations.len(),
        objections: v
            .objections
            .iter()
            .map(|o| ObjectionRow {
                id: o.id,
                record_id: o.record_id,
                student: o.student_name.clone(),
                raised_by: o.raised_by.clone(),
                text: o.text.clone(),
                answer: o.answer.clone(),
                answered_by: o.answered_by.clone().unwrap_or_default(),
            })
            .collect(),
        lines: v.lines,
        notice,
        error,
    })
}

fn ids(p: Result<Path<(i64, i64)>, PathRejection>) -> Result<(SchoolId, ClassId), AppError> {
    let (s, c) = path_ids(p)?;
    Ok((SchoolId(s), ClassId(c)))
}

fn done_notice(done: Option<&str>) -> Option<String> {
    Some(
        match done? {
            "open" => "已开始公示，本班本学期的写实记录已冻结。",
            "answer" => "已答复质疑。",
            "sign" => "已签字。",
            _ => return None,
        }
        .to_string(),
    )
}

pub(crate) async fn page(
    State(state): State<AppState>,
    Require(me, _): Require<cap::RecordActivities>,
    p: Result<Path<(i64, i64)>, PathRejection>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let key = ids(p)?;
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let term = term_of(q.term.as_deref())?;
    let page = build(&state, &me, key, term, done_notice(q.done.as_deref()), None).await?;
    Ok(render(&page)?.into_response())
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

pub(crate) async fn step(
    State(state): State<AppState>,
    Require(me, _): Require<cap::RecordActivities>,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64)>, PathRejection>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let key @ (school, class) = ids(p)?;
    let term = term_of(Some(field(&fields, "term")))?;
    let viewer = me.viewer();
    let who = Requester::user(&me.user, &ip);
    let svc = &state.svc;
    let today = archive::today();
    let step = field(&fields, "step");
    let done = match step {
        "open" => archive::open_publicity(svc, &viewer, &who, school, class, term, today)
            .await
            .map(|_| ()),
        "answer" => {
            let id: i64 = field(&fields, "id")
                .trim()
                .parse()
                .map_err(|_| AppError::BadRequest)?;
            archive::answer_objection(svc, &viewer, &who, school, id, field(&fields, "answer"))
                .await
        }
        "sign" => archive::sign_publicity(svc, &viewer, &who, school, class, term, today).await,
        _ => return Err(AppError::BadRequest),
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!(
            "/schools/{}/classes/{}/archive/publicity?term={}&done={step}",
            school.0,
            class.0,
            term.code()
        ))
        .into_response()),
        Err(ServiceError::BadRequest(why)) => {
            let page = build(&state, &me, key, term, None, Some(why)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A family (or a teacher) objects to one of the student's records in 公示; back to the
/// archive page, which shows the outcome.
/// `POST /schools/{id}/students/{student_id}/archive/confirm` (`term`): a parent confirms
/// their child's archive of the term while it is in 公示.
pub(crate) async fn confirm(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ConfirmArchive>,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64)>, PathRejection>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (school, student) = path_ids(p)?;
    let term = wuyu_domain::Term::parse_code(field(&fields, "term").trim())
        .map_err(|_| AppError::BadRequest)?;
    let who = Requester::user(&me.user, &ip);
    let back = format!("/schools/{school}/students/{student}/archive");
    match archive::confirm_archive(
        &state.svc,
        &me.viewer(),
        &who,
        SchoolId(school),
        StudentId(student),
        term,
        archive::today(),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("{back}?done=confirmed")).into_response()),
        Err(e) => refused_on_student_page(&state, &me, &ip, (school, student), e).await,
    }
}

/// A family's step refused: the child's archive page with the reason (422), or the error.
async fn refused_on_student_page(
    state: &AppState,
    me: &CurrentUser,
    ip: &str,
    (school, student): (i64, i64),
    e: ServiceError,
) -> Result<Response, AppError> {
    let ServiceError::BadRequest(why) = e else {
        return Err(e.into());
    };
    let ids = (SchoolId(school), StudentId(student));
    super::pages::student_page(state, me, ip, ids, None, None, Some(why), None)
        .await
        .map(|html| (StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
}

pub(crate) async fn object(
    State(state): State<AppState>,
    Require(me, _): Require<cap::RecordActivities>,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64)>, PathRejection>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (school, student) = path_ids(p)?;
    let record: i64 = field(&fields, "record")
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let who = Requester::user(&me.user, &ip);
    let back = format!("/schools/{school}/students/{student}/archive");
    match archive::object(
        &state.svc,
        &me.viewer(),
        &who,
        SchoolId(school),
        record,
        field(&fields, "text"),
        archive::today(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("{back}?done=objected")).into_response()),
        Err(e) => refused_on_student_page(&state, &me, &ip, (school, student), e).await,
    }
}
