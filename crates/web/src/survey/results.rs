//! The results page and its XLSX export: per unit (全区, 城乡, 学段, each school) the answers,
//! the response rate and each dimension's 满意率; per item of the first unit the §7 numbers. A
//! unit under the audience's minimum shows no numbers.
use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use wuyu_analytics::satisfaction::Reported;
use wuyu_domain::OVERALL_ITEM;
use wuyu_service::survey::{self, SurveyResults};

use crate::access::{Require, cap};
use crate::error::AppError;
use crate::exam::xlsx_response;
use crate::state::AppState;
use crate::view::{Chrome, render};

/// A rate as the page shows it, `—` when suppressed or undefined.
fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{:.1}%", v * 100.0))
}

pub(crate) struct UnitRow {
    name: String,
    responses: usize,
    issued: String,
    response_rate: String,
    /// One per dimension, then the overall item.
    rates: Vec<String>,
    suppressed: bool,
}

/// A choice item of the first unit: its valid n and each option's count and share.
pub(crate) struct ChoiceRow {
    code: String,
    text: String,
    multiple: bool,
    n: usize,
    suppressed: bool,
    /// (label, count, share) as shown.
    options: Vec<(String, String, String)>,
}

pub(crate) struct ItemRow {
    code: String,
    text: String,
    n: usize,
    top2: String,
    ci: String,
    top3: String,
    mean: String,
    index: String,
    unknown: String,
}

#[derive(Template)]
#[template(path = "survey_results.html")]
struct ResultsPage {
    chrome: Chrome,
    id: i64,
    title: String,
    version: i32,
    audience: &'static str,
    status: &'static str,
    open: bool,
    district: bool,
    /// A 师德 round: the per-teacher page exists.
    teachers: bool,
    min_n: usize,
    rate_headers: Vec<String>,
    units: Vec<UnitRow>,
    item_unit: String,
    items: Vec<ItemRow>,
    choices: Vec<ChoiceRow>,
    /// The questionnaire has text items and the viewer may read them.
    texts: bool,
}

fn item_row(code: &str, text: &str, r: &Reported) -> ItemRow {
    let s = r.stats.as_ref();
    ItemRow {
        code: code.into(),
        text: text.into(),
        n: r.n,
        top2: pct(s.map(|s| s.top2_rate)),
        ci: s.map_or_else(
            || "—".into(),
            |s| format!("{:.1}–{:.1}%", s.ci_low * 100.0, s.ci_high * 100.0),
        ),
        top3: pct(s.map(|s| s.top3_rate)),
        mean: s.map_or_else(|| "—".into(), |s| format!("{:.2}", s.mean)),
        index: s.map_or_else(|| "—".into(), |s| format!("{:.1}", s.index)),
        unknown: pct(s.map(|s| s.unknown_share)),
    }
}

fn page_of(me: &crate::auth::CurrentUser, r: SurveyResults) -> ResultsPage {
    let texts = me.viewer().can(wuyu_domain::Capability::ViewSurveyTexts)
        && r.questionnaire
            .items
            .iter()
            .any(|i| matches!(i.kind, wuyu_domain::ItemKind::Text { .. }));
    let q = &r.questionnaire;
    let overall = q.items.iter().any(|i| i.code == OVERALL_ITEM);
    let mut rate_headers: Vec<String> = r
        .units
        .first()
        .map(|u| u.scales.iter().map(|s| s.name.clone()).collect())
        .unwrap_or_default();
    if overall {
        rate_headers.push("总体".into());
    }
    let units = r
        .units
        .iter()
        .map(|u| {
            let mut rates: Vec<String> = u.scales.iter().map(|s| pct(s.result.top2_rate)).collect();
            if overall {
                let item = u.items.iter().find(|i| i.code == OVERALL_ITEM);
                rates.push(pct(item
                    .and_then(|i| i.reported.stats)
                    .map(|s| s.top2_rate)));
            }
            UnitRow {
                name: u.name.clone(),
                responses: u.responses,
                issued: if u.codes_issued > 0 {
                    u.codes_issued.to_string()
                } else {
                    "—".into()
                },
                response_rate: pct(u.response_rate),
                suppressed: u.items.iter().all(|i| i.reported.suppressed()),
                rates,
            }
        })
        .collect();
    let first = r.units.first();
    ResultsPage {
        chrome: Chrome::new(me, "/surveys"),
        id: q.id,
        title: q.title.clone(),
        version: q.version,
        audience: q.audience.label_zh(),
        status: q.status.label_zh(),
        open: q.status == wuyu_domain::QuestionnaireStatus::Published,
        district: matches!(me.scope, wuyu_domain::Scope::District),
        teachers: q.about == wuyu_domain::SurveyAbout::Teacher,
        min_n: r.min_n,
        rate_headers,
        units,
        item_unit: first.map(|u| u.name.clone()).unwrap_or_default(),
        items: first
            .map(|u| {
                u.items
                    .iter()
                    .map(|i| item_row(&i.code, &i.text, &i.reported))
                    .collect()
            })
            .unwrap_or_default(),
        choices: first
            .map(|u| {
                u.choices
                    .iter()
                    .map(|c| ChoiceRow {
                        code: c.code.clone(),
                        text: c.text.clone(),
                        multiple: c.multiple,
                        n: c.n,
                        suppressed: c.suppressed,
                        options: c
                            .options
                            .iter()
                            .map(|o| {
                                (
                                    o.label.clone(),
                                    o.count.map_or_else(|| "—".into(), |n| n.to_string()),
                                    pct(o.share),
                                )
                            })
                            .collect(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        texts,
    }
}

pub(crate) async fn page(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewSurveyResults>,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Response, AppError> {
    let Path(id) = p.map_err(|_| AppError::NotFound)?;
    let r = survey::survey_results(&state.svc, &me.viewer(), id).await?;
    Ok(render(&page_of(&me, r))?.into_response())
}

pub(crate) async fn export(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewSurveyResults>,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Response, AppError> {
    let Path(id) = p.map_err(|_| AppError::NotFound)?;
    let r = survey::survey_results(&state.svc, &me.viewer(), id).await?;
    let f = survey::results_xlsx(&r)?;
    Ok(xlsx_response(f.bytes, &f.file_name))
}
