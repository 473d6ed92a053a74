//! 知情同意: the counsellor's sheet of a class for a campaign (record a paper form or the
//! student's assent) and the parent's own page (give, refuse or withdraw consent).
use askama::Template;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wuyu_domain::{ClassId, Scope, StudentId};
use wuyu_service::ServiceError;
use wuyu_service::audit::Requester;
use wuyu_service::psych::{self, ConsentChannel, ConsentInput, GuardianConsent};

use super::codes::{Choice, choices};
use crate::access::{Require, cap};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::state::AppState;
use crate::view::{Chrome, render};

#[derive(Debug, Deserialize)]
pub(crate) struct SheetQuery {
    campaign: Option<i64>,
    class: Option<i64>,
}

pub(crate) struct Line {
    student_id: i64,
    student_no: String,
    name: String,
    status: String,
    allowed: bool,
}

#[derive(Template)]
#[template(path = "psych_consent.html")]
struct ConsentPage {
    chrome: Chrome,
    message: String,
    campaigns: Vec<Choice>,
    classes: Vec<Choice>,
    campaign: i64,
    class: i64,
    class_label: String,
    allowed: usize,
    lines: Vec<Line>,
    today: String,
}

fn today() -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::now_utc()
        .to_offset(offset)
        .date()
        .to_string()
}

fn status_zh(c: &psych::ConsentRow) -> String {
    format!(
        "监护人{}，本人{}（{}，{}）",
        c.guardian.label_zh(),
        if c.assent {
            "同意"
        } else {
            "未表示同意"
        },
        c.decided_on,
        c.channel.label_zh()
    )
}

async fn sheet_page(
    state: &AppState,
    me: &CurrentUser,
    ip: &str,
    (campaign, class): (Option<i64>, Option<i64>),
    status: StatusCode,
    message: String,
) -> Result<Response, AppError> {
    let school = me.scope.school_id().ok_or(AppError::Forbidden)?;
    let who = Requester::user(&me.user, ip);
    let (campaigns, classes) = choices(state, me, school).await?;
    let mut page = ConsentPage {
        chrome: Chrome::new(me, "/psych"),
        message,
        campaign: campaign.or(campaigns.first().map(|c| c.id)).unwrap_or(0),
        class: class.unwrap_or(0),
        campaigns,
        classes,
        class_label: String::new(),
        allowed: 0,
        lines: Vec::new(),
        today: today(),
    };
    if let (Some(c), Some(k)) = (campaign, class) {
        match psych::consent_sheet(&state.svc, &me.viewer(), &who, school, c, ClassId(k)).await {
            Ok(sheet) => {
                page.class_label = sheet.class_label;
                page.allowed = sheet.allowed;
                page.lines = sheet
                    .lines
                    .iter()
                    .map(|l| Line {
                        student_id: l.student_id.0,
                        student_no: l.student_no.clone(),
                        name: l.name.clone(),
                        status: l.consent.as_ref().map_or("未记录".into(), status_zh),
                        allowed: l.consent.as_ref().is_some_and(|c| c.allows_screening()),
                    })
                    .collect();
            }
            Err(ServiceError::Conflict(m) | ServiceError::BadRequest(m)) => {
                page.message = m;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok((status, render(&page)?).into_response())
}

pub(crate) async fn sheet(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPsychRecords>,
    ClientIp(ip): ClientIp,
    q: Result<Query<SheetQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    sheet_page(
        &state,
        &me,
        &ip,
        (q.campaign, q.class),
        StatusCode::OK,
        String::new(),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct RecordForm {
    campaign: i64,
    class: i64,
    student: i64,
    guardian: String,
    #[serde(default)]
    assent: Option<String>,
    decided_on: String,
    channel: String,
}

pub(crate) async fn record(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPsychRecords>,
    ClientIp(ip): ClientIp,
    Form(f): Form<RecordForm>,
) -> Result<Response, AppError> {
    let school = me.scope.school_id().ok_or(AppError::Forbidden)?;
    let who = Requester::user(&me.user, &ip);
    let back = (Some(f.campaign), Some(f.class));
    let (Some(guardian), Some(channel)) = (
        GuardianConsent::from_code(&f.guardian),
        ConsentChannel::from_code(&f.channel),
    ) else {
        return Err(AppError::BadRequest);
    };
    let input = ConsentInput {
        campaign_id: f.campaign,
        student_id: StudentId(f.student),
        guardian,
        assent: f.assent.is_some(),
        decided_on: f.decided_on,
        channel,
    };
    match psych::record_consent(&state.svc, &me.viewer(), &who, school, &input).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/psych/consent?campaign={}&class={}",
            f.campaign, f.class
        ))
        .into_response()),
        Err(ServiceError::BadRequest(m) | ServiceError::Conflict(m)) => {
            sheet_page(&state, &me, &ip, back, StatusCode::UNPROCESSABLE_ENTITY, m).await
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) struct ChildLine {
    campaign_id: i64,
    campaign: String,
    window: String,
    status: String,
    given: bool,
    closed: bool,
}

#[derive(Template)]
#[template(path = "psych_child_consent.html")]
struct ChildPage {
    chrome: Chrome,
    lines: Vec<ChildLine>,
}

fn child_of(me: &CurrentUser) -> Result<StudentId, AppError> {
    match &me.scope {
        Scope::Parent { student_ids, .. } => {
            student_ids.first().copied().ok_or(AppError::Forbidden)
        }
        _ => Err(AppError::Forbidden),
    }
}

/// The parent's page: each screening of the child, its decision, and the buttons to decide.
pub(crate) async fn child(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewChildPsychConsent>,
    ClientIp(ip): ClientIp,
) -> Result<Response, AppError> {
    let student = child_of(&me)?;
    let who = Requester::user(&me.user, &ip);
    let today = today();
    let rows = psych::child_consent_page(&state.svc, &me.viewer(), &who, student).await?;
    let page = ChildPage {
        chrome: Chrome::new(&me, "/psych/child-consent"),
        lines: rows
            .iter()
            .map(|r| ChildLine {
                campaign_id: r.campaign.id,
                campaign: r.campaign.name.clone(),
                window: format!("{} 至 {}", r.campaign.opens_on, r.campaign.closes_on),
                status: r.consent.as_ref().map_or("尚未答复".into(), |c| {
                    format!(
                        "{}（{}，{}）",
                        c.guardian.label_zh(),
                        c.decided_on,
                        c.channel.label_zh()
                    )
                }),
                given: r
                    .consent
                    .as_ref()
                    .is_some_and(|c| c.guardian == GuardianConsent::Given),
                closed: r.campaign.closes_on < today,
            })
            .collect(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct DecisionForm {
    campaign: i64,
    guardian: String,
}

pub(crate) async fn decide(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewChildPsychConsent>,
    ClientIp(ip): ClientIp,
    Form(f): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let student = child_of(&me)?;
    let guardian = GuardianConsent::from_code(&f.guardian).ok_or(AppError::BadRequest)?;
    let who = Requester::user(&me.user, &ip);
    psych::guardian_decision(
        &state.svc,
        &me.viewer(),
        &who,
        student,
        f.campaign,
        guardian,
    )
    .await?;
    Ok(Redirect::to("/psych/child-consent").into_response())
}
