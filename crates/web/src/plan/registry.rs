//! 名录 in the browser: `/plan/registry` — a school's designations, bases and events with the
//! form to enter one (with its award document); for the district every school's items, the
//! 待审核 queue (approve / return with a reason) and its own entries, approved as entered.
//! `POST /plan/registry` (multipart, with the evidence file), `POST /plan/registry/review`;
//! `GET /plan/registry/evidence?id=` hands out a stored file.
use askama::Template;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wuyu_domain::{Capability, SchoolId};
use wuyu_monitor::plan_report::ReportStatus;
use wuyu_service::ServiceError;
use wuyu_service::audit::Requester;
use wuyu_service::plan::{
    EvidenceKind, MAX_EVIDENCE_BYTES, REGISTRY_KINDS, RegistryInput, RegistryItem, RegistryLevel,
    Review, add_item, item_evidence, items, review_item,
};

use super::reports::school_of;
use crate::access::{Require, cap};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::exam::query;
use crate::import_centre::download;

use super::evidence_form;
use crate::state::AppState;
use crate::view::{Chrome, format_time, render};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RegistryQuery {
    /// What was just done (`added`, `approved`, `returned`), for the notice.
    #[serde(default)]
    pub done: Option<String>,
}

pub(crate) struct ItemView {
    pub id: i64,
    pub school: String,
    pub kind: String,
    pub level: &'static str,
    pub title: String,
    pub awarded_on: String,
    pub note: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub reason: String,
    pub evidence_name: String,
    pub entered: String,
}

#[derive(Template)]
#[template(path = "plan_registry.html")]
struct RegistryPage {
    chrome: Chrome,
    error: Option<String>,
    notice: Option<&'static str>,
    items: Vec<ItemView>,
    queue: Vec<ItemView>,
    /// (kind, number of approved items) — what counts into the plan.
    tally: Vec<(String, usize)>,
    kinds: &'static [&'static str],
    levels: Vec<&'static str>,
    /// District reviewers: the schools, for entering an item for one.
    schools: Vec<(i64, String)>,
    can_submit: bool,
    can_review: bool,
    max_mb: usize,
    today: String,
}

fn item_view(i: &RegistryItem, school_name: &dyn Fn(Option<SchoolId>) -> String) -> ItemView {
    ItemView {
        id: i.id,
        school: school_name(i.school_id),
        kind: i.kind.clone(),
        level: i.level.label_zh(),
        title: i.title.clone(),
        awarded_on: i.awarded_on.clone(),
        note: i.note.clone(),
        state: i.status.label_zh(),
        state_class: match i.status {
            ReportStatus::Approved => "target-met",
            ReportStatus::Returned => "target-missed",
            ReportStatus::Submitted => "",
        },
        reason: i.reason.clone(),
        evidence_name: i.evidence_name.clone().unwrap_or_default(),
        entered: format!("{}，{}", i.submitted_by, format_time(i.submitted_at)),
    }
}

async fn page(
    state: &AppState,
    me: &CurrentUser,
    error: Option<String>,
    done: Option<&str>,
) -> Result<RegistryPage, AppError> {
    let viewer = me.viewer();
    let list = items(&state.svc, &viewer).await?;
    let district = viewer.scope.is_district();
    let all_schools: Vec<(i64, String)> = wuyu_service::roster::schools(&state.svc, &viewer)
        .await?
        .into_iter()
        .map(|s| (s.school.id.0, s.school.name))
        .collect();
    let name_of = |id: Option<SchoolId>| match id {
        None => "全区".to_string(),
        Some(id) => all_schools
            .iter()
            .find(|(s, _)| *s == id.0)
            .map_or_else(|| id.0.to_string(), |(_, n)| n.clone()),
    };
    let mut tally: Vec<(String, usize)> = Vec::new();
    for i in list.iter().filter(|i| i.status == ReportStatus::Approved) {
        match tally.iter_mut().find(|(k, _)| *k == i.kind) {
            Some((_, n)) => *n += 1,
            None => tally.push((i.kind.clone(), 1)),
        }
    }
    tally.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let can_review = viewer.can(Capability::ReviewPlanReports) && district;
    Ok(RegistryPage {
        chrome: Chrome::new(me, "/plan/registry"),
        error,
        notice: match done {
            Some("added") if can_review => Some("已登记（区里登记的直接生效）。"),
            Some("added") => Some("已提交，等待区里审核。"),
            Some("approved") => Some("已审核通过，计入目标任务。"),
            Some("returned") => Some("已退回，学校会看到退回理由。"),
            _ => None,
        },
        queue: list
            .iter()
            .filter(|i| i.status == ReportStatus::Submitted)
            .map(|i| item_view(i, &name_of))
            .collect(),
        items: list.iter().map(|i| item_view(i, &name_of)).collect(),
        tally,
        kinds: &REGISTRY_KINDS,
        levels: RegistryLevel::ALL.iter().map(|l| l.label_zh()).collect(),
        schools: if can_review {
            all_schools.clone()
        } else {
            Vec::new()
        },
        can_submit: viewer.can(Capability::SubmitPlanReports),
        can_review,
        max_mb: MAX_EVIDENCE_BYTES / (1024 * 1024),
        today: wuyu_service::plan::deadlines::china_today().to_string(),
    })
}

async fn refused_or(
    state: &AppState,
    me: &CurrentUser,
    e: ServiceError,
) -> Result<Response, AppError> {
    match e {
        ServiceError::BadRequest(why) => {
            let p = page(state, me, Some(why), None).await?;
            Ok((StatusCode::BAD_REQUEST, render(&p)?).into_response())
        }
        other => Err(other.into()),
    }
}

fn back(done: &str) -> Response {
    Redirect::to(&format!("/plan/registry?done={done}")).into_response()
}

pub(crate) async fn registry(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPlan>,
    q: Result<Query<RegistryQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = query(q)?;
    let p = page(&state, &me, None, q.done.as_deref()).await?;
    Ok(render(&p)?.into_response())
}

/// `POST /plan/registry` (multipart: school, kind, level, title, awarded_on, note, evidence).
pub(crate) async fn add(
    State(state): State<AppState>,
    Require(me, _): Require<cap::SubmitPlanReports>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let Some(f) = evidence_form::read(&headers, body).await? else {
        let why = evidence_form::too_large("认定文件");
        let p = page(&state, &me, Some(why), None).await?;
        return Ok((StatusCode::PAYLOAD_TOO_LARGE, render(&p)?).into_response());
    };
    let input = RegistryInput {
        school: school_of(&f.text("school"))?,
        kind: f.text("kind"),
        level: f.text("level"),
        title: f.text("title"),
        awarded_on: f.text("awarded_on"),
        note: f.text("note"),
        evidence: f.evidence,
    };
    let who = Requester::user(&me.user, &ip);
    match add_item(&state.svc, &me.viewer(), &who, &input).await {
        Ok(_) => Ok(back("added")),
        Err(e) => refused_or(&state, &me, e).await,
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct ReviewForm {
    id: i64,
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /plan/registry/review`: approve, or return with a reason.
pub(crate) async fn review(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ReviewPlanReports>,
    ClientIp(ip): ClientIp,
    form: Result<axum::Form<ReviewForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, AppError> {
    let axum::Form(f) = form.map_err(|_| AppError::BadRequest)?;
    let decision = Review::from_decision(&f.decision, f.reason).ok_or(AppError::BadRequest)?;
    let done = decision.outcome();
    let who = Requester::user(&me.user, &ip);
    match review_item(&state.svc, &me.viewer(), &who, f.id, &decision).await {
        Ok(_) => Ok(back(done)),
        Err(e) => refused_or(&state, &me, e).await,
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct EvidenceQuery {
    id: i64,
}

/// `GET /plan/registry/evidence?id=`: the stored file, to its school and the district.
pub(crate) async fn evidence(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPlan>,
    q: Result<Query<EvidenceQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let e = item_evidence(&state.svc, &me.viewer(), q.id).await?;
    let kind = EvidenceKind::of_content_type(&e.content_type)
        .ok_or_else(|| AppError::Internal(format!("evidence type {}", e.content_type)))?;
    Ok(download(e.bytes, &e.name, kind.content_type()))
}
