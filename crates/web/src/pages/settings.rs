//! `/admin/settings`: the district's settings (ranks, fitness targets, exam lines, the
//! parallel-class rule, archive star hours and 公示 days) as a form for district administrators. Values are checked before
//! anything is stored (every problem listed in Chinese); each change is audited with its old
//! and new value; new exam settings recompute every exam.
use askama::Template;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wuyu_service::ServiceError;
use wuyu_service::audit::Requester;
use wuyu_service::settings::{SettingsInput, district_settings, save_district_settings};

use crate::access::{Require, cap};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::state::AppState;
use crate::view::{Chrome, render};

/// The form as posted; an unticked checkbox is absent.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SettingsForm {
    #[serde(default)]
    hide_ranks: Option<String>,
    #[serde(default)]
    show_student_ranks: Option<String>,
    #[serde(default)]
    fitness_excellent_pct: String,
    #[serde(default)]
    fitness_myopia_max_pct: String,
    #[serde(default)]
    excellent_pct: String,
    #[serde(default)]
    good_pct: String,
    #[serde(default)]
    pass_pct: String,
    #[serde(default)]
    low_pct: String,
    #[serde(default)]
    absent_as_zero: Option<String>,
    #[serde(default)]
    borderline_points: String,
    #[serde(default)]
    parallel_threshold_pct: String,
    #[serde(default)]
    parallel_cycle_years: String,
    #[serde(default)]
    parallel_min_events: String,
    #[serde(default)]
    parallel_min_level: String,
    #[serde(default)]
    star_hours: String,
    #[serde(default)]
    archive_publicity_days: String,
    #[serde(default)]
    training_cycle_hours: String,
    #[serde(default)]
    weight_org: String,
    #[serde(default)]
    weight_peer: String,
    #[serde(default)]
    weight_parent: String,
    #[serde(default)]
    weight_teaching: String,
    #[serde(default)]
    weight_workload: String,
    #[serde(default)]
    appraisal_teaching: String,
    #[serde(default)]
    crisis_phq_item9: String,
    #[serde(default)]
    focus_phq_item9: String,
    #[serde(default)]
    focus_phq_total: String,
    #[serde(default)]
    focus_gad_total: String,
    #[serde(default)]
    general_phq_total: String,
    #[serde(default)]
    general_gad_total: String,
    #[serde(default)]
    psych_scale_levels: String,
}

impl From<SettingsForm> for SettingsInput {
    fn from(f: SettingsForm) -> Self {
        SettingsInput {
            hide_ranks: f.hide_ranks.is_some(),
            show_student_ranks: f.show_student_ranks.is_some(),
            fitness_excellent_pct: f.fitness_excellent_pct,
            fitness_myopia_max_pct: f.fitness_myopia_max_pct,
            excellent_pct: f.excellent_pct,
            good_pct: f.good_pct,
            pass_pct: f.pass_pct,
            low_pct: f.low_pct,
            absent_as_zero: f.absent_as_zero.is_some(),
            borderline_points: f.borderline_points,
            parallel_threshold_pct: f.parallel_threshold_pct,
            parallel_cycle_years: f.parallel_cycle_years,
            parallel_min_events: f.parallel_min_events,
            parallel_min_level: f.parallel_min_level,
            star_hours: f.star_hours,
            archive_publicity_days: f.archive_publicity_days,
            training_cycle_hours: f.training_cycle_hours,
            appraisal_weight_pct: [
                f.weight_org,
                f.weight_peer,
                f.weight_parent,
                f.weight_teaching,
                f.weight_workload,
            ],
            appraisal_teaching: f.appraisal_teaching,
            psych_levels: [
                f.crisis_phq_item9,
                f.focus_phq_item9,
                f.focus_phq_total,
                f.focus_gad_total,
                f.general_phq_total,
                f.general_gad_total,
            ],
            psych_scale_levels: f.psych_scale_levels,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SavedQuery {
    /// How many settings the last save changed, and exams it recomputed.
    #[serde(default)]
    saved: Option<usize>,
    #[serde(default)]
    recomputed: Option<usize>,
}

#[derive(Template)]
#[template(path = "admin_settings.html")]
struct SettingsPage {
    chrome: Chrome,
    form: SettingsInput,
    errors: Vec<String>,
    notice: Option<String>,
    levels: Vec<(&'static str, &'static str)>,
    /// (field, label, value) of the attention-level thresholds.
    psych_levels: Vec<(&'static str, &'static str, String)>,
}

const LEVELS: [(&str, &str); 3] = [
    ("school", "校级及以上（校级、区级、市级考试和中考）"),
    ("district", "区级及以上"),
    ("city", "市级及以上"),
];

fn page(
    me: &CurrentUser,
    form: SettingsInput,
    errors: Vec<String>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let psych_levels = wuyu_service::settings::LEVEL_RULE_FIELDS
        .iter()
        .zip(&form.psych_levels)
        .map(|((field, label), v)| (*field, *label, v.clone()))
        .collect();
    let page = SettingsPage {
        chrome: Chrome::new(me, "/admin/settings"),
        psych_levels,
        form,
        errors,
        notice,
        levels: LEVELS.to_vec(),
    };
    Ok(render(&page)?.into_response())
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageSettings>,
    q: Result<Query<SavedQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let current = district_settings(&state.svc).await?;
    let notice = q.saved.map(|n| match (n, q.recomputed.unwrap_or(0)) {
        (0, _) => "没有修改任何设置。".to_string(),
        (n, 0) => format!("已保存 {n} 项设置。"),
        (n, k) => format!("已保存 {n} 项设置，并按新设置重新计算了 {k} 次考试。"),
    });
    page(
        &me,
        SettingsInput::from_settings(&current),
        Vec::new(),
        notice,
    )
}

pub(crate) async fn save(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ManageSettings>,
    ClientIp(ip): ClientIp,
    Form(f): Form<SettingsForm>,
) -> Result<Response, AppError> {
    let input = SettingsInput::from(f);
    let current = district_settings(&state.svc).await?;
    let new = match input.apply(&current) {
        Ok(s) => s,
        // Nothing is stored; the form comes back with what was typed and every problem.
        Err(errors) => return page(&me, input, errors, None),
    };
    let admin = me.viewer().admin_token().ok_or(ServiceError::Forbidden)?;
    let who = Requester::user(&me.user, &ip);
    let saved = match save_district_settings(&state.svc, admin, &who, &new).await {
        Ok(s) => s,
        // A mapping naming a scale or band not loaded: the form comes back, nothing stored.
        Err(ServiceError::BadRequest(e)) => return page(&me, input, vec![e], None),
        Err(e) => return Err(e.into()),
    };
    Ok(Redirect::to(&format!(
        "/admin/settings?saved={}&recomputed={}",
        saved.changed.len(),
        saved.exams_recomputed
    ))
    .into_response())
}
