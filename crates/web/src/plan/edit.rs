//! `/plan/targets/{key}/edit`: the district admin edits one target's unit, the units it
//! applies to and its yearly values; a refused value shows the form again with the reason.
use askama::Template;
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use wuyu_monitor::plan::PlanIndicator;
use wuyu_service::ServiceError;
use wuyu_service::audit::Requester;
use wuyu_service::plan::{PlanEdit, edit_indicator, plan};

use crate::access::{Require, cap};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::state::AppState;
use crate::view::{Chrome, render};

#[derive(Template)]
#[template(path = "plan_edit.html")]
struct EditPage {
    chrome: Chrome,
    name: String,
    source: &'static str,
    action: String,
    back_href: String,
    unit: String,
    scope: String,
    targets: Vec<(i32, String)>,
    error: Option<String>,
    notice: Option<String>,
}

fn edit_page(me: &CurrentUser, ind: &PlanIndicator, form: &PlanEdit) -> EditPage {
    EditPage {
        chrome: Chrome::new(me, "/plan"),
        name: ind.name.clone(),
        source: ind.source().label_zh(),
        action: format!("/plan/targets/{}/edit", ind.key),
        back_href: format!("/plan/targets/{}", ind.key),
        unit: form.unit.clone(),
        scope: form.scope.clone(),
        targets: form.targets.clone(),
        error: None,
        notice: None,
    }
}

fn current(ind: &PlanIndicator, years: &[i32]) -> PlanEdit {
    PlanEdit {
        unit: ind.unit.clone(),
        scope: ind.scope.clone(),
        targets: years
            .iter()
            .map(|y| (*y, ind.targets.get(y).map(|c| c.text()).unwrap_or_default()))
            .collect(),
    }
}

pub(crate) async fn form(
    State(state): State<AppState>,
    Require(me, _): Require<cap::EditPlan>,
    key: Result<Path<String>, PathRejection>,
) -> Result<Response, AppError> {
    let Path(key) = key.map_err(|_| AppError::NotFound)?;
    let p = plan(&state.svc).await?;
    let ind = p.indicator(&key).ok_or(AppError::NotFound)?;
    Ok(render(&edit_page(&me, ind, &current(ind, &p.years)))?.into_response())
}

pub(crate) async fn save(
    State(state): State<AppState>,
    Require(me, _): Require<cap::EditPlan>,
    ClientIp(ip): ClientIp,
    key: Result<Path<String>, PathRejection>,
    form: Result<axum::Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, AppError> {
    let Path(key) = key.map_err(|_| AppError::NotFound)?;
    let axum::Form(fields) = form.map_err(|_| AppError::BadRequest)?;
    let p = plan(&state.svc).await?;
    let ind = p.indicator(&key).ok_or(AppError::NotFound)?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let edit = PlanEdit {
        unit: field("unit").unwrap_or_default(),
        scope: field("scope").unwrap_or_default(),
        targets: p
            .years
            .iter()
            .filter_map(|y| field(&format!("target_{y}")).map(|v| (*y, v)))
            .collect(),
    };
    let who = Requester::user(&me.user, &ip);
    match edit_indicator(&state.svc, &me.viewer(), &who, &key, &edit).await {
        Ok(_) => Ok(Redirect::to(&format!("/plan/targets/{key}")).into_response()),
        Err(ServiceError::BadRequest(why)) => {
            let mut page = edit_page(&me, ind, &edit);
            page.error = Some(why);
            Ok((StatusCode::BAD_REQUEST, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
