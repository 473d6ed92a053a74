//! `/plan?year=&domain=`: every target of the plan year with its verdicts — for district roles
//! one row per target with the district's verdict and how many schools meet or miss it; for a
//! school admin their own school's line. `/plan/targets/{key}?year=`: one target for every
//! unit, furthest behind first.
use std::collections::BTreeMap;

use askama::Template;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use wuyu_monitor::indicator::Verdict;
use wuyu_monitor::plan::{Domain, IndicatorSource, UnitKind};
use wuyu_service::plan::{StatusLine, by_gap, plan_status};

use super::{PlanQuery, domain_of};
use crate::access::{Require, cap};
use crate::error::AppError;
use crate::exam::query;
use crate::state::AppState;
use crate::view::{Chrome, render};

/// The CSS class of a verdict cell.
fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Met => "target-met",
        Verdict::NotMet => "target-missed",
        _ => "",
    }
}

/// A target as read: `≥ 30%`, `≤ 50%`, `≈ 10`, `= 20+20`.
fn target_text(l: &StatusLine) -> String {
    let unit = if l.kind == UnitKind::Rate && l.target.parse::<f64>().is_ok() {
        "%"
    } else {
        ""
    };
    format!("{} {}{unit}", l.comparator.symbol(), l.target)
}

fn gap_text(l: &StatusLine) -> String {
    match l.gap {
        Some(g) => {
            let unit = if l.kind == UnitKind::Rate {
                " 个百分点"
            } else {
                ""
            };
            format!("{g:+}{unit}")
        }
        None => "—".into(),
    }
}

/// One line as a table row.
pub(crate) struct LineView {
    pub unit: String,
    pub value: String,
    pub target: String,
    pub verdict: &'static str,
    pub verdict_class: &'static str,
    pub n: String,
    pub gap: String,
    pub as_of: String,
}

impl From<&StatusLine> for LineView {
    fn from(l: &StatusLine) -> Self {
        Self {
            unit: l.unit.label.clone(),
            value: l.value_text.clone(),
            target: target_text(l),
            verdict: l.verdict_zh,
            verdict_class: verdict_class(l.verdict),
            n: l.n.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
            gap: gap_text(l),
            as_of: l.as_of.clone().unwrap_or_else(|| "—".into()),
        }
    }
}

/// One target of the overview: its name and, for district roles, the district's line and the
/// tally of its schools; for a school admin, the school's line.
pub(crate) struct TargetRow {
    pub href: String,
    pub name: String,
    pub domain: &'static str,
    pub source: &'static str,
    pub target: String,
    /// The district's (or pooled 学段's) line, or the school's own.
    pub line: Option<LineView>,
    pub schools_met: usize,
    pub schools_missed: usize,
    pub schools_other: usize,
    pub has_schools: bool,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    chrome: Chrome,
    district_view: bool,
    has_plan: bool,
    year: i32,
    years: Vec<(i32, bool)>,
    domains: Vec<(&'static str, &'static str, bool)>,
    domain: String,
    rows: Vec<TargetRow>,
    met: usize,
    missed: usize,
    awaiting: usize,
    no_data: usize,
    without_target: usize,
}

pub(crate) async fn overview(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPlan>,
    q: Result<axum::extract::Query<PlanQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = query(q)?;
    let domain = domain_of(&q)?;
    let viewer = me.viewer();
    // The month's first opening records its 调度 snapshot; a failure must not hide the page.
    let month = wuyu_service::bulletin::this_month();
    if let Err(e) = wuyu_service::bulletin::ensure_month_snapshot(&state.svc, &viewer, month).await
    {
        tracing::warn!(error = %e, "monthly plan snapshot failed");
    }
    let mut status = plan_status(&state.svc, &viewer, q.year, None).await?;
    if let Some(d) = domain {
        status.lines.retain(|l| l.domain == d);
    }
    let district_view = viewer.scope.is_district();
    // Lines grouped by target, in plan order.
    let mut order: Vec<String> = Vec::new();
    let mut by_key: BTreeMap<String, Vec<&StatusLine>> = BTreeMap::new();
    for l in &status.lines {
        if !by_key.contains_key(&l.key) {
            order.push(l.key.clone());
        }
        by_key.entry(l.key.clone()).or_default().push(l);
    }
    let rows = order
        .iter()
        .map(|k| {
            let lines = &by_key[k];
            let first = lines[0];
            let schools: Vec<&&StatusLine> =
                lines.iter().filter(|l| l.unit.kind == "school").collect();
            let head = if district_view {
                lines.iter().find(|l| l.unit.kind != "school")
            } else {
                lines.first()
            };
            TargetRow {
                href: format!("/plan/targets/{k}?year={}", status.year),
                name: first.name.clone(),
                domain: first.domain_zh,
                source: match first.source {
                    IndicatorSource::Computed => "系统计算",
                    IndicatorSource::Reported => "填报",
                },
                target: target_text(first),
                line: head.map(|l| LineView::from(*l)),
                schools_met: schools.iter().filter(|l| l.verdict == Verdict::Met).count(),
                schools_missed: schools
                    .iter()
                    .filter(|l| l.verdict == Verdict::NotMet)
                    .count(),
                schools_other: schools
                    .iter()
                    .filter(|l| !matches!(l.verdict, Verdict::Met | Verdict::NotMet))
                    .count(),
                has_schools: district_view && !schools.is_empty(),
            }
        })
        .collect();
    let page = PlanPage {
        chrome: Chrome::new(&me, "/plan"),
        district_view,
        has_plan: !status.years.is_empty(),
        year: status.year,
        years: status
            .years
            .iter()
            .map(|y| (*y, *y == status.year))
            .collect(),
        domains: Domain::ALL
            .iter()
            .map(|d| (d.code(), d.label_zh(), Some(*d) == domain))
            .collect(),
        domain: domain.map(|d| d.code().to_string()).unwrap_or_default(),
        rows,
        met: status.count(Verdict::Met),
        missed: status.count(Verdict::NotMet),
        awaiting: status.count(Verdict::AwaitingReport) + status.count(Verdict::AwaitingReview),
        no_data: status.count(Verdict::NoData) + status.count(Verdict::TooFew),
        without_target: status.without_target,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "plan_target.html")]
struct TargetPage {
    chrome: Chrome,
    name: String,
    domain: &'static str,
    unit_text: String,
    year: i32,
    back_href: String,
    lines: Vec<LineView>,
    missed: usize,
    /// 编辑目标, for the district admin.
    edit_href: Option<String>,
    /// The first unit's value against its target in each plan year (ECharts JSON; empty
    /// when no year has a value).
    trend_json: String,
    trend_label: String,
    /// Every unit with a value against the target (a bullet chart; empty with fewer than 2).
    units_json: String,
    units_rows: usize,
}

/// The chart's numbers: a rate as the plan writes it (percent), anything else as it is.
fn target_number(l: &StatusLine) -> Option<f64> {
    l.target.parse::<f64>().ok()
}

pub(crate) async fn target(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPlan>,
    key: Result<Path<String>, PathRejection>,
    q: Result<axum::extract::Query<PlanQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Path(key) = key.map_err(|_| AppError::NotFound)?;
    let q = query(q)?;
    let viewer = me.viewer();
    let mut status = plan_status(&state.svc, &viewer, q.year, Some(&key)).await?;
    // The trend follows the first unit (the district, or the school's own line) year by year.
    let followed = status.lines.first().map(|l| l.unit.label.clone());
    let mut trend = Vec::new();
    for &y in &status.years {
        // The shown year is already computed; the others once each.
        let other;
        let s = if y == status.year {
            &status
        } else {
            other = plan_status(&state.svc, &viewer, Some(y), Some(&key)).await?;
            &other
        };
        let line = s
            .lines
            .iter()
            .find(|l| Some(&l.unit.label) == followed.as_ref());
        trend.push((y, line.and_then(|l| l.value), line.and_then(target_number)));
    }
    let units: Vec<(String, f64)> = status
        .lines
        .iter()
        .filter_map(|l| l.value.map(|v| (l.unit.label.clone(), v)))
        .collect();
    let goal = status.lines.first().and_then(target_number);
    by_gap(&mut status.lines);
    let first = status.lines.first();
    let suffix = first.map_or("", |l| if l.kind == UnitKind::Rate { "%" } else { "" });
    let page = TargetPage {
        chrome: Chrome::new(&me, "/plan"),
        name: first.map(|l| l.name.clone()).unwrap_or_else(|| key.clone()),
        domain: first.map_or("", |l| l.domain_zh),
        unit_text: first.map(|l| l.unit_text.clone()).unwrap_or_default(),
        year: status.year,
        back_href: format!("/plan?year={}", status.year),
        missed: status.count(Verdict::NotMet),
        lines: status.lines.iter().map(LineView::from).collect(),
        edit_href: me
            .viewer()
            .can(wuyu_domain::Capability::EditPlan)
            .then(|| format!("/plan/targets/{key}/edit")),
        trend_json: if trend.iter().any(|(_, v, _)| v.is_some()) {
            crate::view::script_json(&crate::chart::plan_trend(suffix, &trend))
        } else {
            String::new()
        },
        trend_label: followed.unwrap_or_default(),
        units_json: if units.len() >= 2 {
            crate::view::script_json(&crate::chart::plan_units(&units, goal))
        } else {
            String::new()
        },
        units_rows: units.len(),
    };
    Ok(render(&page)?.into_response())
}
