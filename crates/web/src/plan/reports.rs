//! 指标填报 in the browser: `/plan/reports?year=` — a school admin's reported targets (what is
//! due, what is waiting, what was returned and why) with a form per target; for the district
//! its own lines, the 待审核 queue (approve / return with a reason) and the year's lock.
//! `POST /plan/reports` (multipart, with the evidence file), `POST /plan/reports/review`,
//! `POST /plan/reports/lock`; `GET /plan/reports/evidence` hands out a stored file.
use askama::Template;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wuyu_domain::{Capability, SchoolId};
use wuyu_monitor::plan::UnitKind;
use wuyu_monitor::plan_report::ReportStatus;
use wuyu_service::ServiceError;
use wuyu_service::audit::Requester;
use wuyu_service::plan::{Cadence, EvidenceKind, MAX_EVIDENCE_BYTES, Review};
use wuyu_service::plan::{
    ReportInput, ReportItem, lock_year, report_evidence, reporting, review_report, submit_report,
};

use crate::access::{Require, cap};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::exam::query;
use crate::import_centre::download;

use super::evidence_form;
use crate::state::AppState;
use crate::view::{Chrome, format_time, render};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReportsQuery {
    #[serde(default, deserialize_with = "crate::exam::empty_as_none")]
    pub year: Option<i32>,
    /// What was just done (`submitted`, `approved`, `returned`, `locked`), for the notice.
    #[serde(default)]
    pub done: Option<String>,
}

pub(crate) struct ItemView {
    pub key: String,
    pub name: String,
    pub unit_text: String,
    pub unit_label: String,
    /// The unit's school id for forms (empty: the district's own line).
    pub school: String,
    pub target: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub value: String,
    pub value_input: String,
    pub note: String,
    pub reason: String,
    pub evidence_name: String,
    pub evidence_href: Option<String>,
    pub submitted: String,
    /// The unit may enter or change it now (the service decides: lock, reopen, approval).
    pub editable: bool,
    /// 每年 / 每季度 / 每月.
    pub cadence: &'static str,
    /// The next due date (or the last one), `2025-07-15`.
    pub due: String,
    pub overdue: bool,
    /// In the district's queue: the year is open, or reopened for this school.
    pub reviewable: bool,
}

fn item_view(i: &ReportItem, year: i32) -> ItemView {
    let r = i.report.as_ref();
    let school = i.school_id.map(|s| s.0.to_string()).unwrap_or_default();
    let pct = if i.kind == UnitKind::Rate { "%" } else { "" };
    ItemView {
        key: i.key.clone(),
        name: i.name.clone(),
        unit_text: i.unit_text.clone(),
        unit_label: i.unit_label.clone(),
        target: format!(
            "{} {}{}",
            i.comparator,
            i.target,
            if i.target.parse::<f64>().is_ok() {
                pct
            } else {
                ""
            }
        ),
        state: i.state_zh,
        state_class: match r.map(|r| r.status) {
            Some(ReportStatus::Approved) => "target-met",
            Some(ReportStatus::Returned) => "target-missed",
            _ => "",
        },
        value: r.map_or("—".into(), |r| format!("{}{pct}", r.value)),
        value_input: r.map(|r| r.value.to_string()).unwrap_or_default(),
        note: r.map(|r| r.note.clone()).unwrap_or_default(),
        reason: r.map(|r| r.reason.clone()).unwrap_or_default(),
        evidence_name: r.and_then(|r| r.evidence_name.clone()).unwrap_or_default(),
        evidence_href: r.filter(|r| r.evidence_name.is_some()).map(|_| {
            format!(
                "/plan/reports/evidence?key={}&year={year}&school={school}",
                i.key
            )
        }),
        submitted: r.map_or(String::new(), |r| {
            format!("{}，{}", r.submitted_by, format_time(r.submitted_at))
        }),
        editable: i.may_enter,
        cadence: i.cadence.label_zh(),
        due: i.due.map(|d| d.to_string()).unwrap_or_default(),
        overdue: i.overdue,
        reviewable: false,
        school,
    }
}

pub(crate) struct ReopenView {
    pub school: i64,
    pub school_name: String,
    pub reason: String,
    pub by: String,
    pub at: String,
}

pub(crate) struct RuleView {
    pub key: String,
    pub name: String,
    /// (code, label, selected)
    pub cadences: Vec<(&'static str, &'static str, bool)>,
    pub day: u8,
}

pub(crate) struct LockView {
    pub reason: String,
    pub locked_by: String,
    pub locked_at: String,
}

#[derive(Template)]
#[template(path = "plan_reports.html")]
struct ReportsPage {
    chrome: Chrome,
    has_plan: bool,
    year: i32,
    years: Vec<(i32, bool)>,
    scope_label: &'static str,
    own_title: &'static str,
    error: Option<String>,
    notice: Option<&'static str>,
    lock: Option<LockView>,
    items: Vec<ItemView>,
    queue: Vec<ItemView>,
    /// District reviewers: every school's overdue targets.
    overdue: Vec<ItemView>,
    /// Schools the locked year is reopened for (a school: its own).
    reopens: Vec<ReopenView>,
    /// District reviewers: the schools, for the reopen form.
    schools: Vec<(i64, String)>,
    /// District reviewers: each reported indicator's due rule.
    rules: Vec<RuleView>,
    due: usize,
    submitted: usize,
    returned: usize,
    approved: usize,
    can_submit: bool,
    can_review: bool,
    max_mb: usize,
}

/// The page for `year`, with an error (a refused entry) or a notice (what was just done).
async fn page(
    state: &AppState,
    me: &CurrentUser,
    year: Option<i32>,
    error: Option<String>,
    done: Option<&str>,
) -> Result<ReportsPage, AppError> {
    let viewer = me.viewer();
    let r = reporting(&state.svc, &viewer, year).await?;
    let district = viewer.scope.is_district();
    let can_review = viewer.can(Capability::ReviewPlanReports) && district;
    let schools: Vec<(i64, String)> = if can_review {
        wuyu_service::roster::schools(&state.svc, &viewer)
            .await?
            .into_iter()
            .map(|s| (s.school.id.0, s.school.name))
            .collect()
    } else {
        Vec::new()
    };
    let name_of = |id: SchoolId| {
        schools
            .iter()
            .find(|(s, _)| *s == id.0)
            .map_or_else(|| "本校".to_string(), |(_, n)| n.clone())
    };
    let reopens = r
        .reopens
        .iter()
        .map(|o| ReopenView {
            school: o.school_id.0,
            school_name: name_of(o.school_id),
            reason: o.reason.clone(),
            by: o.reopened_by.clone(),
            at: format_time(o.reopened_at),
        })
        .collect();
    let rules = r
        .rules
        .iter()
        .map(|l| RuleView {
            key: l.key.clone(),
            name: l.name.clone(),
            cadences: Cadence::ALL
                .iter()
                .map(|c| (c.code(), c.label_zh(), *c == l.rule.cadence))
                .collect(),
            day: l.rule.day,
        })
        .collect();
    Ok(ReportsPage {
        chrome: Chrome::new(me, "/plan/reports"),
        has_plan: !r.years.is_empty(),
        year: r.year,
        years: r.years.iter().map(|y| (*y, *y == r.year)).collect(),
        scope_label: if district { "全区" } else { "本校" },
        own_title: if district {
            "全区填报的指标"
        } else {
            "本校需填报的指标"
        },
        error,
        notice: match done {
            Some("submitted") => Some("已提交，等待区里审核。"),
            Some("approved") => Some("已审核通过。"),
            Some("returned") => Some("已退回，学校会看到退回理由。"),
            Some("locked") => Some("本年度填报已锁定。"),
            Some("reopened") => Some("已为这所学校重新开放填报。"),
            Some("reclosed") => Some("这所学校的填报已重新锁定。"),
            Some("due") => Some("填报周期已保存。"),
            _ => None,
        },
        lock: r.lock.as_ref().map(|l| LockView {
            reason: l.reason.clone(),
            locked_by: l.locked_by.clone(),
            locked_at: format_time(l.locked_at),
        }),
        due: r.count("待填报"),
        submitted: r.count("待审核"),
        returned: r.count("已退回"),
        approved: r.count("已通过"),
        items: r.items.iter().map(|i| item_view(i, r.year)).collect(),
        queue: r
            .queue
            .iter()
            .map(|i| ItemView {
                reviewable: r.lock.is_none()
                    || r.reopens.iter().any(|o| Some(o.school_id) == i.school_id),
                ..item_view(i, r.year)
            })
            .collect(),
        overdue: r.overdue.iter().map(|i| item_view(i, r.year)).collect(),
        reopens,
        schools,
        rules,
        can_submit: viewer.can(Capability::SubmitPlanReports),
        can_review,
        max_mb: MAX_EVIDENCE_BYTES / (1024 * 1024),
    })
}

/// A refused step shows the page again with the Chinese reason; anything else is an error.
pub(super) async fn refused_or(
    state: &AppState,
    me: &CurrentUser,
    year: Option<i32>,
    e: ServiceError,
) -> Result<Response, AppError> {
    match e {
        ServiceError::BadRequest(why) => {
            let p = page(state, me, year, Some(why), None).await?;
            Ok((StatusCode::BAD_REQUEST, render(&p)?).into_response())
        }
        other => Err(other.into()),
    }
}

pub(super) fn back(year: i32, done: &str) -> Response {
    Redirect::to(&format!("/plan/reports?year={year}&done={done}")).into_response()
}

pub(crate) async fn reports(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPlan>,
    q: Result<Query<ReportsQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = query(q)?;
    let p = page(&state, &me, q.year, None, q.done.as_deref()).await?;
    Ok(render(&p)?.into_response())
}

pub(super) fn school_of(text: &str) -> Result<Option<SchoolId>, AppError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse()
        .map(|id| Some(SchoolId(id)))
        .map_err(|_| AppError::BadRequest)
}

/// `POST /plan/reports` (multipart: key, year, school, value, note, evidence).
pub(crate) async fn submit(
    State(state): State<AppState>,
    Require(me, _): Require<cap::SubmitPlanReports>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let Some(f) = evidence_form::read(&headers, body).await? else {
        let why = evidence_form::too_large("佐证文件");
        let p = page(&state, &me, None, Some(why), None).await?;
        return Ok((StatusCode::PAYLOAD_TOO_LARGE, render(&p)?).into_response());
    };
    let input = ReportInput {
        key: f.text("key"),
        year: match f.text("year").as_str() {
            "" => 0,
            y => y.parse().map_err(|_| AppError::BadRequest)?,
        },
        school: school_of(&f.text("school"))?,
        value: f.text("value"),
        note: f.text("note"),
        evidence: f.evidence,
    };
    let who = Requester::user(&me.user, &ip);
    match submit_report(&state.svc, &me.viewer(), &who, &input).await {
        Ok(_) => Ok(back(input.year, "submitted")),
        Err(e) => refused_or(&state, &me, Some(input.year), e).await,
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct ReviewForm {
    key: String,
    year: i32,
    #[serde(default)]
    school: String,
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /plan/reports/review`: approve, or return with a reason.
pub(crate) async fn review(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ReviewPlanReports>,
    ClientIp(ip): ClientIp,
    form: Result<axum::Form<ReviewForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, AppError> {
    let axum::Form(f) = form.map_err(|_| AppError::BadRequest)?;
    let decision =
        Review::from_decision(&f.decision, f.reason.clone()).ok_or(AppError::BadRequest)?;
    let done = decision.outcome();
    let who = Requester::user(&me.user, &ip);
    let school = school_of(&f.school)?;
    match review_report(
        &state.svc,
        &me.viewer(),
        &who,
        school,
        &f.key,
        f.year,
        &decision,
    )
    .await
    {
        Ok(_) => Ok(back(f.year, done)),
        Err(e) => refused_or(&state, &me, Some(f.year), e).await,
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct LockForm {
    year: i32,
    #[serde(default)]
    reason: String,
}

/// `POST /plan/reports/lock`: lock the year's reporting with a reason.
pub(crate) async fn lock(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ReviewPlanReports>,
    ClientIp(ip): ClientIp,
    form: Result<axum::Form<LockForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, AppError> {
    let axum::Form(f) = form.map_err(|_| AppError::BadRequest)?;
    let who = Requester::user(&me.user, &ip);
    match lock_year(&state.svc, &me.viewer(), &who, f.year, &f.reason).await {
        Ok(_) => Ok(back(f.year, "locked")),
        Err(e) => refused_or(&state, &me, Some(f.year), e).await,
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct EvidenceQuery {
    key: String,
    year: i32,
    #[serde(default)]
    school: String,
}

/// `GET /plan/reports/evidence?key=&year=&school=`: the stored file, to the school that
/// entered it and the district.
pub(crate) async fn evidence(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPlan>,
    q: Result<Query<EvidenceQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let school = school_of(&q.school)?;
    let e = report_evidence(&state.svc, &me.viewer(), school, &q.key, q.year).await?;
    let kind = EvidenceKind::of_content_type(&e.content_type)
        .ok_or_else(|| AppError::Internal(format!("evidence type {}", e.content_type)))?;
    Ok(download(e.bytes, &e.name, kind.content_type()))
}
