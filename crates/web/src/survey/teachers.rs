//! 师德评价 results per named teacher (`/surveys/{id}/teachers`, its API twin): staff data,
//! for the school's admin and district roles only, each read audited by the service. A
//! teacher under the minimum respondents shows only n.
use askama::Template;
use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use wuyu_domain::{SchoolId, TeacherId};
use wuyu_service::audit::Requester;
use wuyu_service::survey::{self, TeacherResults};

use crate::access::{ApiRequire, Require, cap};
use crate::auth::ClientIp;
use crate::error::{ApiError, AppError, Problem};
use crate::state::AppState;
use crate::view::{Chrome, render};

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct TeacherQuery {
    /// One school (a school admin: their own, the default).
    school: Option<i64>,
    /// One named teacher of that school.
    teacher: Option<i64>,
}

pub(crate) struct Row {
    school: String,
    teacher: String,
    staff_no: String,
    issued: usize,
    n: usize,
    suppressed: bool,
    index: String,
    top2: String,
    ci: String,
    alpha: String,
    href: String,
}

#[derive(Template)]
#[template(path = "survey_teachers.html")]
struct Page {
    chrome: Chrome,
    id: i64,
    title: String,
    audience: &'static str,
    min_n: usize,
    rows: Vec<Row>,
}

async fn read(
    state: &AppState,
    me: &crate::auth::CurrentUser,
    ip: &str,
    id: i64,
    q: &TeacherQuery,
) -> Result<TeacherResults, AppError> {
    if q.teacher.is_some() && q.school.is_none() && me.scope.school_id().is_none() {
        return Err(AppError::BadRequest);
    }
    let who = Requester::user(&me.user, ip);
    Ok(survey::teacher_results(
        &state.svc,
        &me.viewer(),
        &who,
        id,
        q.school.map(SchoolId),
        q.teacher.map(TeacherId),
    )
    .await?)
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{:.1}%", v * 100.0))
}

pub(crate) async fn page(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewTeacherSurveyResults>,
    ClientIp(ip): ClientIp,
    p: Result<Path<i64>, PathRejection>,
    q: Result<Query<TeacherQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Path(id) = p.map_err(|_| AppError::NotFound)?;
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let r = read(&state, &me, &ip, id, &q).await?;
    let rows = r
        .teachers
        .iter()
        .map(|t| {
            let s = &t.scale;
            Row {
                school: t.school_name.clone(),
                teacher: t.name.clone(),
                staff_no: t.staff_no.clone(),
                issued: t.issued,
                n: s.n,
                suppressed: t.suppressed(),
                index: s.index.map_or_else(|| "—".into(), |v| format!("{v:.1}")),
                top2: pct(s.top2_rate),
                ci: match (s.ci_low, s.ci_high) {
                    (Some(l), Some(h)) => format!("{:.1}–{:.1}%", l * 100.0, h * 100.0),
                    _ => "—".into(),
                },
                alpha: s
                    .alpha
                    .filter(|_| !t.suppressed())
                    .map_or_else(|| "—".into(), |a| format!("{a:.2}")),
                href: format!(
                    "/surveys/{id}/teachers?school={}&teacher={}",
                    t.school_id.0, t.teacher_id.0
                ),
            }
        })
        .collect();
    let page = Page {
        chrome: Chrome::new(&me, "/surveys"),
        id,
        title: r.questionnaire.title.clone(),
        audience: r.questionnaire.audience.label_zh(),
        min_n: r.min_n,
        rows,
    };
    Ok(render(&page)?.into_response())
}

/// One teacher's 师德 result; numbers are null when suppressed (only n is given).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TeacherResultDto {
    pub school_id: i64,
    pub teacher_id: i64,
    pub staff_no: String,
    pub name: String,
    pub codes_issued: usize,
    pub responses: usize,
    /// Respondents with a score (≥ 50 % of the items answered on a scale point).
    pub n: usize,
    pub suppressed: bool,
    /// 满意度指数 0–100 over the round's items.
    pub index: Option<f64>,
    pub top2_rate: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TeacherResultsDto {
    pub questionnaire_id: i64,
    pub title: String,
    /// `parents`, `students` or `teachers` (同事互评).
    pub audience: String,
    pub min_n: usize,
    pub teachers: Vec<TeacherResultDto>,
}

/// A 师德 round's results per named teacher (district roles; a school admin: their school).
/// Every read is audited.
#[utoipa::path(
    get,
    path = "/api/v1/surveys/{id}/teachers",
    tag = "surveys",
    operation_id = "survey_teacher_results",
    security(("session" = [])),
    params(("id" = i64, Path, description = "The 师德 round's id"), TeacherQuery),
    responses(
        (status = 200, description = "按教师的师德评价结果", body = TeacherResultsDto),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "没有这份问卷或这位教师", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn api(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ViewTeacherSurveyResults>,
    ClientIp(ip): ClientIp,
    p: Result<Path<i64>, PathRejection>,
    q: Result<Query<TeacherQuery>, QueryRejection>,
) -> Result<Json<TeacherResultsDto>, ApiError> {
    let Path(id) = p.map_err(|_| AppError::NotFound)?;
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let r = read(&state, &me, &ip, id, &q).await?;
    Ok(Json(TeacherResultsDto {
        questionnaire_id: r.questionnaire.id,
        title: r.questionnaire.title.clone(),
        audience: r.questionnaire.audience.code().into(),
        min_n: r.min_n,
        teachers: r
            .teachers
            .into_iter()
            .map(|t| TeacherResultDto {
                school_id: t.school_id.0,
                teacher_id: t.teacher_id.0,
                suppressed: t.suppressed(),
                staff_no: t.staff_no,
                name: t.name,
                codes_issued: t.issued,
                responses: t.responses,
                n: t.scale.n,
                index: t.scale.index,
                top2_rate: t.scale.top2_rate,
                ci_low: t.scale.ci_low,
                ci_high: t.scale.ci_high,
            })
            .collect(),
    }))
}
