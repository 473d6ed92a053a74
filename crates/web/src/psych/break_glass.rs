//! 紧急查阅 (break-glass): a district admin opens one student's psychological record with a
//! written reason. The reason is audited before anything is read and shows on the school
//! counsellor's page; without one nothing is shown.
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wuyu_domain::SchoolId;
use wuyu_service::ServiceError;
use wuyu_service::audit::Requester;
use wuyu_service::psych;

use super::codes::Choice;
use crate::access::{Require, cap};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::state::AppState;
use crate::view::{Chrome, format_time, render};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct BreakGlassForm {
    #[serde(default)]
    school: i64,
    #[serde(default)]
    student_no: String,
    #[serde(default)]
    reason: String,
}

pub(crate) struct ResultLine {
    campaign: String,
    submitted: String,
    level: String,
    phq: String,
    gad: String,
    asq: String,
}

pub(crate) struct CaseLine {
    opened: String,
    state: String,
    steps: Vec<String>,
    /// The case's counselling records as date, kind and counsellor: the notes are not shown.
    sessions: Vec<String>,
}

#[derive(Template)]
#[template(path = "psych_break_glass.html")]
struct BreakGlassPage {
    chrome: Chrome,
    message: String,
    schools: Vec<Choice>,
    form: BreakGlassForm,
    student: String,
    results: Vec<ResultLine>,
    cases: Vec<CaseLine>,
    min_reason: usize,
}

async fn render_page(
    state: &AppState,
    me: &CurrentUser,
    status: StatusCode,
    mut page: BreakGlassPage,
) -> Result<Response, AppError> {
    page.schools = wuyu_service::roster::schools(&state.svc, &me.viewer())
        .await?
        .into_iter()
        .map(|s| Choice {
            id: s.school.id.0,
            label: s.school.name,
        })
        .collect();
    Ok((status, render(&page)?).into_response())
}

fn empty(me: &CurrentUser, form: BreakGlassForm, message: String) -> BreakGlassPage {
    BreakGlassPage {
        chrome: Chrome::new(me, "/psych/aggregates"),
        message,
        schools: Vec::new(),
        form,
        student: String::new(),
        results: Vec::new(),
        cases: Vec::new(),
        min_reason: wuyu_domain::access::MIN_BREAK_GLASS_REASON,
    }
}

pub(crate) async fn form(
    State(state): State<AppState>,
    Require(me, _): Require<cap::PsychBreakGlass>,
) -> Result<Response, AppError> {
    let page = empty(&me, BreakGlassForm::default(), String::new());
    render_page(&state, &me, StatusCode::OK, page).await
}

/// Any signed-in user may post: the service refuses those without the grant and audits the
/// attempt (an analyst trying to read a child's record is something to review).
pub(crate) async fn open(
    State(state): State<AppState>,
    me: CurrentUser,
    ClientIp(ip): ClientIp,
    Form(f): Form<BreakGlassForm>,
) -> Result<Response, AppError> {
    let who = Requester::user(&me.user, &ip);
    let r = psych::break_glass_by_student_no(
        &state.svc,
        &me.viewer(),
        &who,
        SchoolId(f.school),
        &f.student_no,
        &f.reason,
    )
    .await;
    let (name, rec) = match r {
        Ok(v) => v,
        Err(ServiceError::BadRequest(m) | ServiceError::Conflict(m)) => {
            let page = empty(&me, f, m);
            return render_page(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, page).await;
        }
        Err(e) => return Err(e.into()),
    };
    let mut page = empty(&me, f, String::new());
    page.student = name;
    page.results = rec
        .responses
        .iter()
        .map(|r| {
            let s = &r.result;
            ResultLine {
                campaign: r.campaign_name.clone(),
                submitted: format_time(r.submitted_at),
                level: format!("{} {}", s.level.number(), s.level.label_zh()),
                phq: s
                    .phq
                    .and_then(|p| p.total)
                    .map_or("—".into(), |t| t.to_string()),
                gad: s
                    .gad
                    .and_then(|g| g.total)
                    .map_or("—".into(), |t| t.to_string()),
                asq: s.asq.map_or("—".into(), |a| a.label_zh().to_string()),
            }
        })
        .collect();
    page.cases = rec
        .cases
        .iter()
        .map(|c| CaseLine {
            opened: format_time(c.opened_at),
            state: if c.closed {
                format!("已结案：{}", c.outcome.clone().unwrap_or_default())
            } else {
                "处理中".into()
            },
            steps: c
                .steps
                .iter()
                .map(|s| {
                    let done = s
                        .done_at
                        .map_or("未完成".into(), |t| format!("{} 完成", format_time(t)));
                    format!("{}：{}", s.kind.label_zh(), done)
                })
                .collect(),
            sessions: rec
                .sessions
                .iter()
                .filter(|m| m.case_id == c.id)
                .map(|m| format!("{} {}（{}）", m.held_on, m.kind.label_zh(), m.recorded_by))
                .collect(),
        })
        .collect();
    render_page(&state, &me, StatusCode::OK, page).await
}
