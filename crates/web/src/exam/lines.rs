//! `/exams/{id}/lines`: the score lines an exam's rates use (优秀 / 良好 / 及格 / 低分), and the
//! district admin's form to give the exam its own lines or restore the district's. A change
//! recomputes the exam's statistics at once.
use askama::Template;
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wuyu_analytics::descriptive::Line;
use wuyu_domain::{Capability, ExamId};
use wuyu_service::audit::Requester;
use wuyu_service::exam::lines::{ExamLines, lines, lines_zh, may_set_lines, set_lines};

use super::overview::ExamHeader;
use super::require;
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::pages::path_ids;
use crate::state::AppState;
use crate::view::{Chrome, render};

#[derive(Template)]
#[template(path = "exam_lines.html")]
struct LinesPage {
    chrome: Chrome,
    exam: ExamHeader,
    in_use: String,
    own: bool,
    district: String,
    can_set: bool,
    /// The form's values, in percent of full marks.
    excellent: String,
    good: String,
    pass: String,
    low: String,
    error: Option<String>,
}

fn percent(l: Option<Line>) -> String {
    match l {
        Some(Line::Fraction(f)) => format!("{}", (f * 1000.0).round() / 10.0),
        _ => String::new(),
    }
}

async fn page(
    state: &AppState,
    me: &CurrentUser,
    id: ExamId,
    error: Option<String>,
) -> Result<Response, AppError> {
    let viewer = require(me, Capability::ViewExams)?;
    let exam = wuyu_service::exam::exam(&state.svc, &viewer, id).await?;
    let l: ExamLines = lines(&state.svc, &viewer, id).await?;
    let u = l.in_use();
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let p = LinesPage {
        chrome: Chrome::new(me, &format!("/exams/{id}/lines")),
        exam: ExamHeader::new(&exam),
        in_use: lines_zh(u),
        own: l.own.is_some(),
        district: lines_zh(&l.district),
        can_set: may_set_lines(&viewer),
        excellent: percent(Some(u.excellent)),
        good: percent(u.good),
        pass: percent(Some(u.pass)),
        low: percent(Some(u.low)),
        error,
    };
    Ok((status, render(&p)?).into_response())
}

pub(crate) async fn show(
    State(state): State<AppState>,
    me: CurrentUser,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Response, AppError> {
    page(&state, &me, ExamId(path_ids(p)?), None).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct LinesForm {
    #[serde(default)]
    excellent: String,
    #[serde(default)]
    good: String,
    #[serde(default)]
    pass: String,
    #[serde(default)]
    low: String,
    /// Present: restore the district's lines.
    #[serde(default)]
    district: Option<String>,
}

/// A percent field: "85" or "85%"; empty is `None`.
fn field(name: &str, v: &str) -> Result<Option<f64>, String> {
    let t = v.trim().trim_end_matches(['%', '％']).trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .map(|x| Some(x / 100.0))
        .ok_or_else(|| format!("{name}“{v}”不是数字，请填写满分的百分比，如 85"))
}

fn parse(f: &LinesForm) -> Result<Option<wuyu_analytics::descriptive::RateLines>, String> {
    if f.district.is_some() {
        return Ok(None);
    }
    let excellent = field("优秀线", &f.excellent)?;
    let good = field("良好线", &f.good)?;
    let pass = field("及格线", &f.pass)?;
    let low = field("低分线", &f.low)?;
    let (Some(e), Some(p), Some(l)) = (excellent, pass, low) else {
        return Err("请填写优秀线、及格线和低分线（良好线可留空）".into());
    };
    wuyu_service::settings::score_lines(e, good, p, l).map(Some)
}

pub(crate) async fn save(
    State(state): State<AppState>,
    me: CurrentUser,
    ClientIp(ip): ClientIp,
    p: Result<Path<i64>, PathRejection>,
    form: Result<axum::Form<LinesForm>, FormRejection>,
) -> Result<Response, AppError> {
    let id = ExamId(path_ids(p)?);
    let viewer = me.viewer();
    if !may_set_lines(&viewer) {
        return Err(AppError::Forbidden);
    }
    let axum::Form(f) = form.map_err(|_| AppError::BadRequest)?;
    match parse(&f) {
        Err(msg) => page(&state, &me, id, Some(msg)).await,
        Ok(new) => {
            set_lines(
                &state.svc,
                &viewer,
                &Requester::user(&me.user, &ip),
                id,
                new,
            )
            .await?;
            Ok(Redirect::to(&format!("/exams/{id}/lines")).into_response())
        }
    }
}
