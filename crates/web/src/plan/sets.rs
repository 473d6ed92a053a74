//! `/plan/sets`: the school sets (学校组) a district names for its plan, with their members;
//! the district admin ticks a set's schools (`POST /plan/sets`). A target's 范围
//! `学校组:名称` is judged for each member.
use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wuyu_domain::{Capability, SchoolId};
use wuyu_service::ServiceError;
use wuyu_service::audit::Requester;
use wuyu_service::plan::{SchoolSetView, school_sets, set_school_set};

use crate::access::{Require, cap};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::exam::query;
use crate::state::AppState;
use crate::view::{Chrome, render};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SetsQuery {
    #[serde(default)]
    pub done: Option<String>,
}

pub(crate) struct SetView {
    pub name: String,
    pub by_rule: bool,
    pub members: String,
    /// (school id, name, ticked) for the edit form.
    pub schools: Vec<(i64, String, bool)>,
}

#[derive(Template)]
#[template(path = "plan_sets.html")]
struct SetsPage {
    chrome: Chrome,
    error: Option<String>,
    notice: bool,
    sets: Vec<SetView>,
    /// Every school, for a new set.
    schools: Vec<(i64, String)>,
    can_edit: bool,
}

async fn page(
    state: &AppState,
    me: &CurrentUser,
    error: Option<String>,
    notice: bool,
) -> Result<SetsPage, AppError> {
    let viewer = me.viewer();
    let sets = school_sets(&state.svc, &viewer).await?;
    let schools: Vec<(i64, String)> = wuyu_service::roster::schools(&state.svc, &viewer)
        .await?
        .into_iter()
        .map(|s| (s.school.id.0, s.school.name))
        .collect();
    let view = |s: &SchoolSetView| SetView {
        name: s.name.clone(),
        by_rule: s.by_rule,
        members: if s.members.is_empty() {
            "（还没有学校）".into()
        } else {
            s.members
                .iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join("、")
        },
        schools: schools
            .iter()
            .map(|(id, n)| (*id, n.clone(), s.members.iter().any(|m| m.id.0 == *id)))
            .collect(),
    };
    Ok(SetsPage {
        chrome: Chrome::new(me, "/plan"),
        error,
        notice,
        sets: sets.iter().map(view).collect(),
        schools,
        can_edit: viewer.can(Capability::EditPlan) && viewer.scope.is_district(),
    })
}

pub(crate) async fn sets(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPlan>,
    q: Result<Query<SetsQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = query(q)?;
    let p = page(&state, &me, None, q.done.is_some()).await?;
    Ok(render(&p)?.into_response())
}

/// `POST /plan/sets`: `name` and a `school_{id}` field per ticked school.
pub(crate) async fn save(
    State(state): State<AppState>,
    Require(me, _): Require<cap::EditPlan>,
    ClientIp(ip): ClientIp,
    form: Result<axum::Form<HashMap<String, String>>, FormRejection>,
) -> Result<Response, AppError> {
    let axum::Form(f) = form.map_err(|_| AppError::BadRequest)?;
    let name = f.get("name").cloned().unwrap_or_default();
    let mut members = Vec::new();
    for k in f.keys() {
        if let Some(id) = k.strip_prefix("school_") {
            members.push(SchoolId(id.parse().map_err(|_| AppError::BadRequest)?));
        }
    }
    members.sort_by_key(|s| s.0);
    let who = Requester::user(&me.user, &ip);
    match set_school_set(&state.svc, &me.viewer(), &who, &name, &members).await {
        Ok(()) => Ok(Redirect::to("/plan/sets?done=1").into_response()),
        Err(ServiceError::BadRequest(why)) => {
            let p = page(&state, &me, Some(why), false).await?;
            Ok((StatusCode::BAD_REQUEST, render(&p)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
