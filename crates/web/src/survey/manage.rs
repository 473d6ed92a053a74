//! Rounds and codes: the list of questionnaires with the forms to start a round and issue
//! codes, the printable code sheet, and closing a round.
use askama::Template;
use axum::Form;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wuyu_domain::{
    ClassId, QuestionnaireStatus, SURVEY_TEMPLATES, SchoolId, Scope, SurveyAbout, TeacherId,
};
use wuyu_service::survey::{self, CodeSheet};

use crate::access::{Require, cap};
use crate::auth::now_unix;
use crate::error::AppError;
use crate::state::AppState;
use crate::view::{Chrome, render};

pub(crate) struct Row {
    id: i64,
    title: String,
    version: i32,
    audience: &'static str,
    status: &'static str,
    open: bool,
    /// A 师德 round: codes per teacher from the school's sheet, results per teacher.
    teachers: bool,
}

#[derive(Template)]
#[template(path = "surveys.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    /// (key, title) of the standard questionnaires; empty unless the district may start one.
    templates: Vec<(&'static str, &'static str)>,
    /// (id, name) of the schools the caller may issue codes for.
    schools: Vec<(i64, String)>,
    manage: bool,
    error: Option<String>,
}

async fn list_page(
    state: &AppState,
    me: &crate::auth::CurrentUser,
    error: Option<String>,
) -> Result<Response, AppError> {
    let viewer = me.viewer();
    let rows = survey::list(&state.svc, &viewer)
        .await?
        .into_iter()
        .map(|q| Row {
            id: q.id,
            open: q.status == QuestionnaireStatus::Published,
            teachers: q.about == SurveyAbout::Teacher,
            title: q.title,
            version: q.version,
            audience: q.audience.label_zh(),
            status: q.status.label_zh(),
        })
        .collect();
    let manage = viewer.can(wuyu_domain::Capability::ManageSurveys);
    let district = matches!(viewer.scope, Scope::District);
    let schools = if manage {
        state
            .svc
            .store()
            .list_schools(&viewer.scope)
            .await
            .map_err(wuyu_service::ServiceError::from)?
            .into_iter()
            .map(|s| (s.school.id.0, s.school.name))
            .collect()
    } else {
        Vec::new()
    };
    let page = ListPage {
        chrome: Chrome::new(me, "/surveys"),
        rows,
        templates: if manage && district {
            SURVEY_TEMPLATES.iter().map(|t| (t.key, t.title)).collect()
        } else {
            Vec::new()
        },
        schools,
        manage,
        error,
    };
    Ok(render(&page)?.into_response())
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewSurveyResults>,
) -> Result<Response, AppError> {
    list_page(&state, &me, None).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct StartForm {
    #[serde(default)]
    template: String,
}

/// Starts a round from a standard questionnaire (district only: the service refuses others).
pub(crate) async fn start(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageSurveys>,
    Form(f): Form<StartForm>,
) -> Result<Response, AppError> {
    match survey::start_round(&state.svc, &me.viewer(), &f.template, now_unix()).await {
        Ok(id) => {
            tracing::info!(user = %me.user.username, questionnaire = id, "survey round started");
            Ok(Redirect::to("/surveys").into_response())
        }
        Err(wuyu_service::ServiceError::BadRequest(m)) => list_page(&state, &me, Some(m)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct IssueForm {
    #[serde(default)]
    school_id: String,
    #[serde(default)]
    class_id: String,
    /// A 师德 round's teacher: an id, or `all` for every teacher of the school.
    #[serde(default)]
    teacher_id: String,
    #[serde(default)]
    count: String,
}

fn parse_id(text: &str) -> Result<Option<i64>, AppError> {
    match text.trim() {
        "" => Ok(None),
        t => t.parse().map(Some).map_err(|_| AppError::BadRequest),
    }
}

/// Issues codes for a school (or one class) and shows the school's sheet.
pub(crate) async fn issue(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageSurveys>,
    p: Result<Path<i64>, PathRejection>,
    Form(f): Form<IssueForm>,
) -> Result<Response, AppError> {
    let Path(id) = p.map_err(|_| AppError::NotFound)?;
    let school = match parse_id(&f.school_id)? {
        Some(s) => SchoolId(s),
        None => me.scope.school_id().ok_or(AppError::BadRequest)?,
    };
    let class = parse_id(&f.class_id)?.map(ClassId);
    let Ok(count) = f.count.trim().parse::<usize>() else {
        return list_page(
            &state,
            &me,
            Some(format!("答题码数量“{}”不是整数", f.count.trim())),
        )
        .await;
    };
    let viewer = me.viewer();
    let issued = match f.teacher_id.trim() {
        "" => survey::issue_codes(&state.svc, &viewer, id, school, class, count, now_unix()).await,
        "all" => {
            let teachers = survey::code_sheet(&state.svc, &viewer, id, school)
                .await?
                .teachers;
            let mut all = Vec::new();
            for (t, _) in teachers {
                let one = survey::issue_teacher_codes(
                    &state.svc,
                    &viewer,
                    id,
                    school,
                    TeacherId(t),
                    count,
                    now_unix(),
                )
                .await;
                match one {
                    Ok(c) => all.extend(c),
                    Err(e) => return issue_failed(&state, &me, e).await,
                }
            }
            Ok(all)
        }
        t => {
            let t = t.parse().map(TeacherId).map_err(|_| AppError::BadRequest)?;
            survey::issue_teacher_codes(&state.svc, &viewer, id, school, t, count, now_unix()).await
        }
    };
    match issued {
        Ok(codes) => {
            tracing::info!(user = %me.user.username, questionnaire = id, school = school.0, count = codes.len(), "survey codes issued");
            Ok(Redirect::to(&format!("/surveys/{id}/codes?school={}", school.0)).into_response())
        }
        Err(e) => issue_failed(&state, &me, e).await,
    }
}

/// A refused issue shows the list with the Chinese reason; anything else is an error page.
async fn issue_failed(
    state: &AppState,
    me: &crate::auth::CurrentUser,
    e: wuyu_service::ServiceError,
) -> Result<Response, AppError> {
    match e {
        wuyu_service::ServiceError::BadRequest(m) => list_page(state, me, Some(m)).await,
        e => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct SheetQuery {
    school: Option<i64>,
}

#[derive(Template)]
#[template(path = "survey_codes.html")]
struct SheetPage {
    chrome: Chrome,
    sheet: CodeSheet,
    school_id: i64,
    /// The round takes answers: codes may be issued.
    open: bool,
    /// A teacher's fewest answers to be reported, for the issue form's default count.
    min_n: usize,
    unused: usize,
    /// The answer page's address without the code, e.g. `/s/`.
    prefix: &'static str,
}

/// The printable sheet of a school's codes (used ones marked).
pub(crate) async fn sheet(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageSurveys>,
    p: Result<Path<i64>, PathRejection>,
    q: Result<Query<SheetQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Path(id) = p.map_err(|_| AppError::NotFound)?;
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let school = match q.school {
        Some(s) => SchoolId(s),
        None => me.scope.school_id().ok_or(AppError::BadRequest)?,
    };
    let sheet = survey::code_sheet(&state.svc, &me.viewer(), id, school).await?;
    let page = SheetPage {
        chrome: Chrome::new(&me, "/surveys"),
        unused: sheet.lines.iter().filter(|l| !l.used).count(),
        school_id: school.0,
        open: sheet.questionnaire.status == QuestionnaireStatus::Published,
        min_n: sheet.questionnaire.audience.min_respondents(),
        sheet,
        prefix: super::ANSWER_PREFIX,
    };
    Ok(render(&page)?.into_response())
}

/// Closes a round: no more answers.
pub(crate) async fn close(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageSurveys>,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Response, AppError> {
    let Path(id) = p.map_err(|_| AppError::NotFound)?;
    if !matches!(me.scope, Scope::District) {
        return Err(AppError::Forbidden);
    }
    survey::set_status(&state.svc, &me.viewer(), id, QuestionnaireStatus::Closed).await?;
    tracing::info!(user = %me.user.username, questionnaire = id, "survey round closed");
    Ok(Redirect::to("/surveys").into_response())
}
