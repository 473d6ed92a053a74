//! 教师发展 pages: `GET /staff/development` (a teacher: their own training, titles and 工作室
//! with the cycle's hours against the district's requirement; a school admin: every teacher of
//! the school, with the forms; district roles: one school chosen from the list) and the forms
//! `POST /staff/development/{school}/training|title|studio`, each one call to
//! `wuyu_service::staff::records`. A refused form shows the page again with the Chinese reason.
use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wuyu_domain::{Capability, SchoolId};
use wuyu_service::ServiceError;
use wuyu_service::audit::Requester;
use wuyu_service::staff::records::{
    self, Records, StudioForm, TeacherRecords, TitleForm, TrainingForm,
};

use crate::access::{Require, cap};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::exam::query;
use crate::pages::path_ids;
use crate::state::AppState;
use crate::view::{Chrome, render};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DevQuery {
    #[serde(default, deserialize_with = "crate::exam::empty_as_none")]
    school: Option<i64>,
    #[serde(default, deserialize_with = "crate::exam::empty_as_none")]
    year: Option<i32>,
    #[serde(default)]
    done: Option<String>,
}

struct Line {
    staff_no: String,
    name: String,
    hours: String,
    met: bool,
    training: Vec<[String; 5]>,
    titles: Vec<String>,
    studios: Vec<String>,
}

fn line(t: &TeacherRecords) -> Line {
    Line {
        staff_no: t.teacher.staff_no.clone(),
        name: t.teacher.name.clone(),
        hours: format!("{:.1}", t.cycle_hours),
        met: t.met,
        training: t
            .training
            .iter()
            .map(|r| {
                [
                    r.taken_on.clone(),
                    r.course.clone(),
                    format!("{:.1}", r.hours),
                    r.level.label_zh().to_string(),
                    r.provider.clone(),
                ]
            })
            .collect(),
        titles: t
            .titles
            .iter()
            .map(|r| {
                format!(
                    "{}{}（{} 年）",
                    r.level.label_zh(),
                    r.title.label_zh(),
                    r.year
                )
            })
            .collect(),
        studios: t
            .studios
            .iter()
            .map(|r| {
                format!(
                    "{}（{}{}，{} 年加入）",
                    r.studio,
                    r.level.label_zh(),
                    r.role.label_zh(),
                    r.joined_year
                )
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "staff_development.html")]
struct DevPage {
    chrome: Chrome,
    school_id: i64,
    school: String,
    /// District roles choose the school: (id, name, selected).
    schools: Vec<(i64, String, bool)>,
    year: i32,
    cycle: String,
    required: u32,
    met: usize,
    teachers: Vec<Line>,
    own: bool,
    can_manage: bool,
    error: Option<String>,
    notice: Option<&'static str>,
}

fn notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "training" => Some("已登记培训记录。"),
        "title" => Some("已登记称号。"),
        "studio" => Some("已登记工作室。"),
        _ => None,
    }
}

fn this_year() -> i32 {
    super::pages::today().year()
}

/// The page of `school` (`None`: the viewer's own, or the district's first school).
async fn dev_page(
    state: &AppState,
    me: &CurrentUser,
    ip: &str,
    school: Option<i64>,
    year: i32,
    error: Option<String>,
    done: Option<&str>,
) -> Result<Response, AppError> {
    let viewer = me.viewer();
    let all = wuyu_service::roster::schools(&state.svc, &viewer).await?;
    let school = match (viewer.scope.school_id(), school) {
        (Some(own), _) => own,
        (None, Some(s)) => SchoolId(s),
        (None, None) => all.first().map(|s| s.school.id).ok_or(AppError::NotFound)?,
    };
    let who = Requester::user(&me.user, ip);
    let r: Records = records::records(&state.svc, &viewer, &who, school, year).await?;
    let name = wuyu_service::roster::school(&state.svc, &viewer, school)
        .await?
        .name;
    let own = viewer.user.teacher_id.is_some() && !viewer.can(Capability::ManageStaffAppraisal);
    let page = DevPage {
        chrome: Chrome::new(me, "/staff/development"),
        school_id: school.0,
        school: name,
        schools: if viewer.scope.is_district() {
            all.iter()
                .map(|s| (s.school.id.0, s.school.name.clone(), s.school.id == school))
                .collect()
        } else {
            Vec::new()
        },
        year,
        cycle: format!("{}–{} 年", r.cycle.first, r.cycle.last),
        required: r.required_hours,
        met: r.teachers.iter().filter(|t| t.met).count(),
        teachers: r.teachers.iter().map(line).collect(),
        own,
        can_manage: viewer.can(Capability::ManageStaffAppraisal),
        notice: notice(done),
        error: error.clone(),
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/development?school=&year=`.
pub(crate) async fn page(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewStaffAppraisal>,
    ClientIp(ip): ClientIp,
    q: Result<Query<DevQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = query(q)?;
    let year = q.year.unwrap_or_else(this_year);
    if !(2000..=2100).contains(&year) {
        return Err(AppError::BadRequest);
    }
    dev_page(&state, &me, &ip, q.school, year, None, q.done.as_deref()).await
}

/// Back to the page after a form: the notice, or the page with the reason.
async fn after(
    state: &AppState,
    me: &CurrentUser,
    ip: &str,
    school: i64,
    done: &str,
    r: Result<(), ServiceError>,
) -> Result<Response, AppError> {
    match r {
        Ok(()) => Ok(
            Redirect::to(&format!("/staff/development?school={school}&done={done}"))
                .into_response(),
        ),
        Err(ServiceError::BadRequest(why)) => {
            dev_page(state, me, ip, Some(school), this_year(), Some(why), None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct TrainingFields {
    #[serde(default)]
    staff_no: String,
    #[serde(default)]
    course: String,
    #[serde(default)]
    taken_on: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    provider: String,
}

/// `POST /staff/development/{school}/training`: one training course.
pub(crate) async fn training(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageStaffAppraisal>,
    ClientIp(ip): ClientIp,
    p: Result<Path<i64>, PathRejection>,
    form: Result<Form<TrainingFields>, FormRejection>,
) -> Result<Response, AppError> {
    let school = path_ids(p)?;
    let Form(f) = form.map_err(|_| AppError::BadRequest)?;
    let who = Requester::user(&me.user, &ip);
    let form = TrainingForm {
        staff_no: f.staff_no,
        course: f.course,
        taken_on: f.taken_on,
        hours: f.hours,
        level: f.level,
        provider: f.provider,
    };
    let r = records::add_training(&state.svc, &me.viewer(), &who, SchoolId(school), &form).await;
    after(&state, &me, &ip, school, "training", r).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct TitleFields {
    #[serde(default)]
    staff_no: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    year: String,
}

/// `POST /staff/development/{school}/title`: one title with its level and year.
pub(crate) async fn title(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageStaffAppraisal>,
    ClientIp(ip): ClientIp,
    p: Result<Path<i64>, PathRejection>,
    form: Result<Form<TitleFields>, FormRejection>,
) -> Result<Response, AppError> {
    let school = path_ids(p)?;
    let Form(f) = form.map_err(|_| AppError::BadRequest)?;
    let who = Requester::user(&me.user, &ip);
    let form = TitleForm {
        staff_no: f.staff_no,
        title: f.title,
        level: f.level,
        year: f.year,
    };
    let r = records::add_title(&state.svc, &me.viewer(), &who, SchoolId(school), &form).await;
    after(&state, &me, &ip, school, "title", r).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct StudioFields {
    #[serde(default)]
    staff_no: String,
    #[serde(default)]
    studio: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    year: String,
}

/// `POST /staff/development/{school}/studio`: a 工作室 membership.
pub(crate) async fn studio(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageStaffAppraisal>,
    ClientIp(ip): ClientIp,
    p: Result<Path<i64>, PathRejection>,
    form: Result<Form<StudioFields>, FormRejection>,
) -> Result<Response, AppError> {
    let school = path_ids(p)?;
    let Form(f) = form.map_err(|_| AppError::BadRequest)?;
    let who = Requester::user(&me.user, &ip);
    let form = StudioForm {
        staff_no: f.staff_no,
        studio: f.studio,
        role: f.role,
        level: f.level,
        year: f.year,
    };
    let r = records::add_studio(&state.svc, &me.viewer(), &who, SchoolId(school), &form).await;
    after(&state, &me, &ip, school, "studio", r).await
}
