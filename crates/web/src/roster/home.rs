//! `/`: the district overview for district roles; everyone else goes to their own page.
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use wuyu_domain::{Location, Role, Scope, Stage};
use wuyu_service::roster;
use wuyu_service::store_types::{OverviewCell, SchoolSummary};

use crate::auth::CurrentUser;
use crate::chart;
use crate::error::AppError;
use crate::plan::glance::{GlanceView, glance_view};
use crate::state::AppState;
use crate::view::{Chrome, render, script_json};

pub(crate) struct StageRow {
    pub stage: &'static str,
    pub urban_schools: i64,
    pub rural_schools: i64,
    pub schools: i64,
    pub urban_students: i64,
    pub rural_students: i64,
    pub students: i64,
}

pub(crate) struct SchoolRow {
    pub id: i64,
    pub name: String,
    pub stage: &'static str,
    pub location: &'static str,
    pub group: String,
    pub classes: i64,
    pub students: i64,
}

#[derive(Template)]
#[template(path = "district.html")]
struct DistrictPage {
    chrome: Chrome,
    district_name: String,
    total_schools: i64,
    total_classes: i64,
    total_students: i64,
    stage_rows: Vec<StageRow>,
    chart_json: String,
    schools: Vec<SchoolRow>,
    glance: Option<GlanceView>,
}

#[derive(Template)]
#[template(path = "no_child.html")]
struct NoChildPage {
    chrome: Chrome,
}

pub(crate) async fn home(
    State(state): State<AppState>,
    me: CurrentUser,
) -> Result<Response, AppError> {
    match (&me.scope, me.role()) {
        (Scope::District, _) => district(&state, &me).await,
        (
            Scope::Parent {
                school_id,
                student_ids,
            },
            _,
        ) => match student_ids.first() {
            Some(s) => {
                Ok(Redirect::to(&format!("/schools/{school_id}/students/{s}")).into_response())
            }
            None => Ok(render(&NoChildPage {
                chrome: Chrome::new(&me, "/"),
            })?
            .into_response()),
        },
        (scope, Role::SchoolAdmin | Role::Counsellor | Role::Teacher) => match scope.school_id() {
            Some(s) => Ok(Redirect::to(&format!("/schools/{s}")).into_response()),
            None => Err(AppError::Forbidden),
        },
        _ => Err(AppError::Forbidden),
    }
}

async fn district(state: &AppState, me: &CurrentUser) -> Result<Response, AppError> {
    let roster::DistrictHome {
        district_name,
        cells,
        schools,
    } = roster::district_home(&state.svc, &me.viewer()).await?;
    let page = DistrictPage {
        chrome: Chrome::new(me, "/"),
        district_name,
        total_schools: cells.iter().map(|c| c.schools).sum(),
        total_classes: cells.iter().map(|c| c.classes).sum(),
        total_students: cells.iter().map(|c| c.students).sum(),
        stage_rows: stage_rows(&cells),
        chart_json: script_json(&chart::students_by_stage_and_location(&cells)),
        schools: schools.into_iter().map(school_row).collect(),
        glance: glance_view(state, me, None).await?,
    };
    Ok(render(&page)?.into_response())
}

fn stage_rows(cells: &[OverviewCell]) -> Vec<StageRow> {
    Stage::ALL
        .into_iter()
        .filter(|s| cells.iter().any(|c| c.stage == *s))
        .map(|stage| {
            let sum = |loc: Option<Location>, f: fn(&OverviewCell) -> i64| -> i64 {
                cells
                    .iter()
                    .filter(|c| c.stage == stage && loc.is_none_or(|l| c.location == l))
                    .map(f)
                    .sum()
            };
            StageRow {
                stage: stage.label_zh(),
                urban_schools: sum(Some(Location::Urban), |c| c.schools),
                rural_schools: sum(Some(Location::Rural), |c| c.schools),
                schools: sum(None, |c| c.schools),
                urban_students: sum(Some(Location::Urban), |c| c.students),
                rural_students: sum(Some(Location::Rural), |c| c.students),
                students: sum(None, |c| c.students),
            }
        })
        .collect()
}

fn school_row(s: SchoolSummary) -> SchoolRow {
    SchoolRow {
        id: s.school.id.0,
        name: s.school.name,
        stage: s.school.stage.label_zh(),
        location: s.school.location.label_zh(),
        group: s.school.school_group.unwrap_or_default(),
        classes: s.class_count,
        students: s.student_count,
    }
}
