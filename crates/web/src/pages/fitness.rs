//! 体质健康 (issue 3, monitoring): `/fitness` (the overview of the caller's scope, with each
//! item), `/fitness/export.xlsx` (its table as XLSX), and the PE teacher's class view
//! `/schools/{id}/classes/{class_id}/fitness`. The student's history is built here and shown
//! on the student page.
//!
//! Every number comes from the store's fitness reads with the caller's scope (the same calls
//! as the API); this module only formats them. Rates are shown as percentages with one
//! decimal, "—" where the store answers `None` (no denominator).
use askama::Template;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use wuyu_domain::{ClassId, Role, SchoolId, Scope, Term};
use wuyu_standards::{BmiCategory, FitnessItem};
use wuyu_store::{
    ClassFitnessRow, FitnessGroupBy, FitnessGroupKey, FitnessItemRow, FitnessRecord,
    FitnessSummaryRow, FitnessTargets,
};

use crate::audit;
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::pages::path_ids;
use crate::pages::school::class_label;
use crate::state::AppState;
use crate::view::{Chrome, format_date, masked_student_no, render, script_json};

/// The stored fitness targets; the defaults when none (or an unreadable value) is stored.
async fn load_targets(state: &AppState) -> Result<FitnessTargets, AppError> {
    let stored = state.store.setting(FitnessTargets::KEY).await?;
    Ok(stored
        .and_then(|v| match serde_json::from_str::<FitnessTargets>(&v) {
            Ok(t) if t.is_valid() => Some(t),
            Ok(_) => {
                tracing::warn!("setting {} ignored: rates outside 0–1", FitnessTargets::KEY);
                None
            }
            Err(e) => {
                tracing::warn!("setting {} ignored: {e}", FitnessTargets::KEY);
                None
            }
        })
        .unwrap_or_default())
}

// --- formatting ------------------------------------------------------------------------------

/// A rate as a percentage with one decimal, "—" without a denominator.
pub(crate) fn pct(r: Option<f64>) -> String {
    r.map_or_else(|| "—".to_string(), |r| format!("{:.1}%", r * 100.0))
}

/// A number with one decimal, "—" for none.
pub(crate) fn one(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.1}"))
}

/// Change of a rate since the previous term, in percentage points.
pub(crate) struct Delta {
    pub text: String,
    /// CSS class: `up`, `down` or empty.
    pub class: &'static str,
}

pub(crate) fn delta(now: Option<f64>, before: Option<f64>) -> Delta {
    match (now, before) {
        (Some(n), Some(b)) => {
            let d = (n - b) * 100.0;
            // Compare what is shown: a change that rounds to 0.0 is no change.
            let shown = format!("{:.1}", d.abs());
            if shown == "0.0" {
                Delta {
                    text: "持平".into(),
                    class: "",
                }
            } else if d > 0.0 {
                Delta {
                    text: format!("▲{shown}"),
                    class: "up",
                }
            } else {
                Delta {
                    text: format!("▼{shown}"),
                    class: "down",
                }
            }
        }
        _ => Delta {
            text: "—".into(),
            class: "",
        },
    }
}

fn unit_zh(item: FitnessItem) -> &'static str {
    match item.unit() {
        "kg/m2" => "kg/m²",
        "ml" => "毫升",
        "s" => "秒",
        "cm" => "厘米",
        "count" => "次",
        other => other,
    }
}

/// A raw result as written on a test sheet.
pub(crate) fn item_value(item: FitnessItem, v: f64) -> String {
    match item.unit() {
        "count" | "ml" => format!("{v:.0}"),
        _ => format!("{v:.1}"),
    }
}

// --- query and terms -------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub(crate) struct FitnessQuery {
    pub term: Option<String>,
    pub by: Option<String>,
    /// District roles: one school's grades and classes (the drill-down from the school table).
    pub school: Option<i64>,
}

/// The term asked for, or the latest with records; `None` when there are none at all.
pub(crate) fn pick_term(terms: &[Term], asked: Option<&str>) -> Result<Option<Term>, AppError> {
    match asked.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Term::parse_code(s)
            .map(Some)
            .map_err(|_| AppError::BadRequest),
        None => Ok(terms.last().copied()),
    }
}

/// The last term with records before `term`.
pub(crate) fn previous_term(terms: &[Term], term: Term) -> Option<Term> {
    terms.iter().copied().filter(|t| *t < term).max()
}

pub(crate) struct TermOption {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

fn term_options(terms: &[Term], term: Option<Term>) -> Vec<TermOption> {
    let mut all: Vec<Term> = terms.to_vec();
    if let Some(t) = term.filter(|t| !all.contains(t)) {
        all.push(t);
        all.sort();
    }
    all.into_iter()
        .rev()
        .map(|t| TermOption {
            code: t.code(),
            label: t.label_zh(),
            selected: Some(t) == term,
        })
        .collect()
}

fn query(q: Result<Query<FitnessQuery>, QueryRejection>) -> Result<FitnessQuery, AppError> {
    q.map(|Query(q)| q).map_err(|_| AppError::BadRequest)
}

// --- the overview ----------------------------------------------------------------------------

/// One row of a summary table (also the headline, with an empty label).
pub(crate) struct GroupRow {
    pub label: String,
    pub href: Option<String>,
    pub rank: Option<usize>,
    pub enrolled: i64,
    pub tested: i64,
    pub incomplete: i64,
    pub test_rate: String,
    pub pass_rate: String,
    pub good_rate: String,
    pub excellent_rate: String,
    pub fail_rate: String,
    pub mean_total: String,
    pub overweight_rate: String,
    pub obese_rate: String,
    pub stunting_rate: String,
    pub wasting_rate: String,
    pub myopia_rate: String,
    pub pass_delta: Delta,
    pub excellent_delta: Delta,
}

fn group_row(
    row: &FitnessSummaryRow,
    label: String,
    href: Option<String>,
    before: Option<&FitnessSummaryRow>,
) -> GroupRow {
    GroupRow {
        label,
        href,
        rank: None,
        enrolled: row.enrolled,
        tested: row.tested,
        incomplete: row.incomplete_count,
        test_rate: pct(row.test_rate),
        pass_rate: pct(row.pass_rate),
        good_rate: pct(row.good_or_better_rate),
        excellent_rate: pct(row.excellent_rate),
        fail_rate: pct(row.fail_rate),
        mean_total: one(row.mean_year_total),
        overweight_rate: pct(row.overweight_rate),
        obese_rate: pct(row.obese_rate),
        stunting_rate: pct(row.stunting_rate),
        wasting_rate: pct(row.wasting_rate),
        myopia_rate: pct(row.myopia_rate),
        pass_delta: delta(row.pass_rate, before.and_then(|b| b.pass_rate)),
        excellent_delta: delta(row.excellent_rate, before.and_then(|b| b.excellent_rate)),
    }
}

/// The label of a group, as the tables and the export show it.
pub(crate) fn group_label(by: FitnessGroupBy, key: &FitnessGroupKey) -> String {
    match by {
        FitnessGroupBy::District => "合计".into(),
        FitnessGroupBy::School => key.school_name.clone().unwrap_or_default(),
        FitnessGroupBy::Grade => key
            .grade
            .map(|g| g.label_zh().to_string())
            .unwrap_or_default(),
        FitnessGroupBy::Class => match (key.grade, &key.class_name) {
            (Some(g), Some(n)) => format!("{} {n}", g.label_zh()),
            (_, n) => n.clone().unwrap_or_default(),
        },
        FitnessGroupBy::Sex => key
            .sex
            .map(|s| s.label_zh().to_string())
            .unwrap_or_default(),
        FitnessGroupBy::Location => key
            .location
            .map(|l| l.label_zh().to_string())
            .unwrap_or_default(),
    }
}

/// The column header of a grouping.
pub(crate) fn group_header(by: FitnessGroupBy) -> &'static str {
    match by {
        FitnessGroupBy::District => "范围",
        FitnessGroupBy::School => "学校",
        FitnessGroupBy::Grade => "年级",
        FitnessGroupBy::Class => "班级",
        FitnessGroupBy::Sex => "性别",
        FitnessGroupBy::Location => "城乡",
    }
}

fn group_href(by: FitnessGroupBy, key: &FitnessGroupKey, term: Term) -> Option<String> {
    match (by, key.school_id, key.class_id) {
        (FitnessGroupBy::School, Some(s), _) => {
            Some(format!("/fitness?school={s}&term={}", term.code()))
        }
        (FitnessGroupBy::Class, Some(s), Some(c)) => Some(format!(
            "/schools/{s}/classes/{c}/fitness?term={}",
            term.code()
        )),
        _ => None,
    }
}

/// Competition ranks (1, 2, 2, 4) by mean 学年总分, highest first, among the rows of the same
/// grade (classes are compared with their parallel classes only; schools have no grade key
/// and are ranked together); groups without a mean get no rank.
fn rank_rows(rows: &mut [GroupRow], source: &[FitnessSummaryRow]) {
    for (i, row) in rows.iter_mut().enumerate() {
        let me = &source[i];
        row.rank = me.mean_year_total.map(|m| {
            1 + source
                .iter()
                .filter(|o| o.key.grade == me.key.grade)
                .filter_map(|o| o.mean_year_total)
                .filter(|o| *o > m)
                .count()
        });
    }
}

pub(crate) struct GroupTable {
    pub title: &'static str,
    pub rank_header: &'static str,
    pub header: &'static str,
    pub show_rank: bool,
    pub export_href: String,
    pub rows: Vec<GroupRow>,
}

pub(crate) struct ItemLine {
    pub name: &'static str,
    pub unit: &'static str,
    pub tested: i64,
    pub mean_value: String,
    pub mean_score: String,
    pub pass_rate: String,
}

fn item_lines(rows: &[FitnessItemRow]) -> Vec<ItemLine> {
    let Some(row) = rows.first() else {
        return Vec::new();
    };
    row.items
        .iter()
        .filter(|s| s.tested > 0)
        .map(|s| ItemLine {
            name: s.item.name_zh(),
            unit: unit_zh(s.item),
            tested: s.tested,
            mean_value: s
                .mean_value
                .map_or_else(|| "—".into(), |v| item_value(s.item, v)),
            mean_score: one(s.mean_score),
            pass_rate: pct(s.pass_rate),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "fitness.html")]
struct FitnessPage {
    chrome: Chrome,
    scope_label: String,
    terms: Vec<TermOption>,
    term_label: String,
    has_data: bool,
    /// Back to the district view from one school's.
    back_href: Option<String>,
    /// The school the district view is narrowed to (kept by the term selector).
    school: Option<i64>,
    upload_href: Option<String>,
    previous_label: String,
    headline: Option<GroupRow>,
    excellent_target: String,
    excellent_met: Option<bool>,
    myopia_target: String,
    myopia_met: Option<bool>,
    tables: Vec<GroupTable>,
    breakdowns: Vec<GroupTable>,
    items: Vec<ItemLine>,
    trend_json: String,
    bmi_json: String,
}

/// The groupings of the main tables for a role: schools for district roles, grades and
/// classes for school roles.
fn main_groupings(scope: &Scope, school: Option<SchoolId>) -> &'static [FitnessGroupBy] {
    match (scope, school) {
        (Scope::District, None) => &[FitnessGroupBy::School],
        _ => &[FitnessGroupBy::Grade, FitnessGroupBy::Class],
    }
}

/// The school a request narrows to: `?school=` for district roles (it must exist), the
/// caller's own school otherwise (asking for another one is refused).
async fn focus_school(
    state: &AppState,
    scope: &Scope,
    asked: Option<i64>,
) -> Result<Option<SchoolId>, AppError> {
    let asked = asked.map(SchoolId);
    match (scope, asked) {
        (Scope::District, Some(s)) => {
            state.store.school(scope, s).await?;
            Ok(Some(s))
        }
        (Scope::District, None) => Ok(None),
        (_, Some(s)) if scope.school_id() != Some(s) => Err(AppError::Forbidden),
        _ => Ok(None),
    }
}

fn table_title(by: FitnessGroupBy) -> &'static str {
    match by {
        FitnessGroupBy::School => "各校体质健康",
        FitnessGroupBy::Grade => "各年级体质健康",
        FitnessGroupBy::Class => "各班体质健康",
        FitnessGroupBy::Sex => "按性别",
        FitnessGroupBy::Location => "按城乡",
        FitnessGroupBy::District => "合计",
    }
}

/// Whether this caller sees ranks: an authorised role, and the district has not hidden them.
pub(crate) async fn shows_ranks(state: &AppState, role: Role) -> Result<bool, AppError> {
    if !role.may_see_ranks() {
        return Ok(false);
    }
    let hidden = state.store.setting("hide_ranks").await?;
    Ok(hidden.as_deref().map(str::trim) != Some("true"))
}

async fn scope_label(
    state: &AppState,
    me: &CurrentUser,
    focus: Option<SchoolId>,
) -> Result<String, AppError> {
    if let Some(s) = focus {
        return Ok(state.store.school(&me.scope, s).await?.name);
    }
    Ok(match &me.scope {
        Scope::District => state
            .store
            .district()
            .await?
            .map(|d| format!("{}（全区）", d.name))
            .unwrap_or_else(|| "全区".into()),
        scope => match scope.school_id() {
            Some(s) => {
                let name = state.store.school(scope, s).await?.name;
                if me.role() == Role::Teacher {
                    format!("{name} · 我任教的班级")
                } else {
                    name
                }
            }
            None => String::new(),
        },
    })
}

/// Rows of `by` for `term` with their rows of the previous term (matched by group).
async fn rows_with_change(
    state: &AppState,
    scope: &Scope,
    school: Option<SchoolId>,
    by: FitnessGroupBy,
    term: Term,
    previous: Option<Term>,
) -> Result<(Vec<FitnessSummaryRow>, Vec<GroupRow>), AppError> {
    let now = state.store.fitness_summary(scope, school, term, by).await?;
    let before = match previous {
        Some(p) => state.store.fitness_summary(scope, school, p, by).await?,
        None => Vec::new(),
    };
    let rows = now
        .iter()
        .map(|r| {
            let b = before.iter().find(|b| b.key == r.key);
            group_row(r, group_label(by, &r.key), group_href(by, &r.key, term), b)
        })
        .collect();
    Ok((now, rows))
}

pub(crate) async fn overview(
    State(state): State<AppState>,
    me: CurrentUser,
    q: Result<Query<FitnessQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = query(q)?;
    // Aggregates are closed to parents (their child's history is on the child's page) and
    // to counsellors (the store refuses them every fitness read).
    if matches!(me.scope, Scope::Parent { .. }) {
        return Err(AppError::Forbidden);
    }
    let focus = focus_school(&state, &me.scope, q.school).await?;
    let targets = load_targets(&state).await?;
    let terms = state.store.fitness_terms(&me.scope).await?;
    let term = pick_term(&terms, q.term.as_deref())?;
    let chrome = Chrome::new(&me, "/fitness");
    let scope_label = scope_label(&state, &me, focus).await?;
    let Some(term) = term else {
        let page = FitnessPage {
            chrome,
            scope_label,
            terms: Vec::new(),
            term_label: String::new(),
            has_data: false,
            back_href: None,
            school: focus.map(|s| s.0),
            upload_href: None,
            previous_label: String::new(),
            headline: None,
            excellent_target: pct(Some(targets.excellent_rate)),
            excellent_met: None,
            myopia_target: pct(Some(targets.myopia_rate_max)),
            myopia_met: None,
            tables: Vec::new(),
            breakdowns: Vec::new(),
            items: Vec::new(),
            trend_json: String::new(),
            bmi_json: String::new(),
        };
        return Ok(render(&page)?.into_response());
    };
    let previous = previous_term(&terms, term);
    let (district, headline) = rows_with_change(
        &state,
        &me.scope,
        focus,
        FitnessGroupBy::District,
        term,
        previous,
    )
    .await?;
    let headline_row = district.into_iter().next().unwrap_or_default();
    let show_ranks = shows_ranks(&state, me.role()).await?;

    let mut tables = Vec::new();
    let school_param = focus.map(|s| format!("&school={s}")).unwrap_or_default();
    for by in main_groupings(&me.scope, focus) {
        let (source, mut rows) =
            rows_with_change(&state, &me.scope, focus, *by, term, previous).await?;
        // Ranks of schools (district) or classes (school admin), never of grades.
        let ranked = show_ranks && matches!(by, FitnessGroupBy::School | FitnessGroupBy::Class);
        if ranked {
            rank_rows(&mut rows, &source);
            // Schools read top-down by rank (no mean: last); classes stay in grade order.
            if *by == FitnessGroupBy::School {
                rows.sort_by_key(|r| r.rank.unwrap_or(usize::MAX));
            }
        }
        tables.push(GroupTable {
            rank_header: if *by == FitnessGroupBy::Class {
                "年级内排名"
            } else {
                "排名"
            },
            title: table_title(*by),
            header: group_header(*by),
            show_rank: ranked,
            export_href: format!(
                "/fitness/export.xlsx?term={}&by={}{school_param}",
                term.code(),
                by.code()
            ),
            rows,
        });
    }
    let mut breakdowns = Vec::new();
    for by in [FitnessGroupBy::Location, FitnessGroupBy::Sex] {
        let (_, rows) = rows_with_change(&state, &me.scope, focus, by, term, previous).await?;
        breakdowns.push(GroupTable {
            rank_header: "",
            title: table_title(by),
            header: group_header(by),
            show_rank: false,
            export_href: format!(
                "/fitness/export.xlsx?term={}&by={}{school_param}",
                term.code(),
                by.code()
            ),
            rows,
        });
    }
    let items = state
        .store
        .fitness_item_summary(&me.scope, focus, term, FitnessGroupBy::District)
        .await?;

    // The trend: every term with records up to the one shown.
    let mut trend = Vec::new();
    for t in terms.iter().copied().filter(|t| *t <= term) {
        let rows = state
            .store
            .fitness_summary(&me.scope, focus, t, FitnessGroupBy::District)
            .await?;
        trend.push((t, rows.into_iter().next().unwrap_or_default()));
    }

    let page = FitnessPage {
        chrome,
        scope_label,
        terms: term_options(&terms, Some(term)),
        term_label: term.label_zh(),
        has_data: headline_row.tested > 0,
        back_href: focus.map(|_| format!("/fitness?term={}", term.code())),
        school: focus.map(|s| s.0),
        // The national upload file: one school's results (school admins, or a district role
        // looking at one school).
        upload_href: match (&me.scope, focus) {
            (Scope::District, Some(s)) | (&Scope::School { school_id: s }, _) => Some(format!(
                "/schools/{s}/fitness/upload.xlsx?term={}",
                term.code()
            )),
            _ => None,
        },
        previous_label: previous.map(Term::label_zh).unwrap_or_default(),
        excellent_target: pct(Some(targets.excellent_rate)),
        excellent_met: headline_row
            .excellent_rate
            .map(|r| r >= targets.excellent_rate - 1e-12),
        myopia_target: pct(Some(targets.myopia_rate_max)),
        myopia_met: headline_row
            .myopia_rate
            .map(|r| r <= targets.myopia_rate_max + 1e-12),
        headline: headline.into_iter().next(),
        tables,
        breakdowns,
        items: item_lines(&items),
        trend_json: script_json(&trend_chart(&trend, targets.excellent_rate)),
        bmi_json: script_json(&bmi_chart(&headline_row)),
    };
    Ok(render(&page)?.into_response())
}

/// A rate in percent, rounded to 0.1, for a chart (null without a denominator).
fn chart_pct(r: Option<f64>) -> Value {
    r.map_or(Value::Null, |r| json!((r * 1000.0).round() / 10.0))
}

pub(crate) fn trend_chart(trend: &[(Term, FitnessSummaryRow)], excellent_target: f64) -> Value {
    let labels: Vec<String> = trend.iter().map(|(t, _)| t.label_zh()).collect();
    let excellent: Vec<Value> = trend
        .iter()
        .map(|(_, r)| chart_pct(r.excellent_rate))
        .collect();
    let pass: Vec<Value> = trend.iter().map(|(_, r)| chart_pct(r.pass_rate)).collect();
    json!({
        "tooltip": {"trigger": "axis", "renderMode": "richText", "valueFormatter": null},
        "legend": {"top": 4},
        "grid": {"top": 48, "left": 56, "right": 24, "bottom": 56},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"interval": 0, "rotate": 20}},
        "yAxis": {"type": "value", "name": "%", "min": 0, "max": 100},
        "series": [
            {"name": "合格率", "type": "line", "data": pass, "connectNulls": false},
            {
                "name": "优秀率", "type": "line", "data": excellent,
                "markLine": {
                    "symbol": "none",
                    "lineStyle": {"type": "dashed"},
                    "label": {
                        "formatter": format!("优秀率目标 {}", pct(Some(excellent_target))),
                        "position": "insideEndTop"
                    },
                    "data": [{"yAxis": (excellent_target * 1000.0).round() / 10.0}]
                }
            }
        ],
    })
}

pub(crate) fn bmi_chart(r: &FitnessSummaryRow) -> Value {
    let cats = [
        (BmiCategory::Underweight, r.bmi_underweight),
        (BmiCategory::Normal, r.bmi_normal),
        (BmiCategory::Overweight, r.bmi_overweight),
        (BmiCategory::Obese, r.bmi_obese),
    ];
    json!({
        "tooltip": {"trigger": "axis", "renderMode": "richText"},
        "grid": {"top": 32, "left": 56, "right": 16, "bottom": 32},
        "xAxis": {"type": "category", "data": cats.iter().map(|(c, _)| c.label_zh()).collect::<Vec<_>>()},
        "yAxis": {"type": "value", "name": "人数"},
        "series": [{"name": "人数", "type": "bar", "data": cats.iter().map(|(_, n)| n).collect::<Vec<_>>(),
                    "label": {"show": true, "position": "top"}}],
    })
}

// --- XLSX export -----------------------------------------------------------------------------

pub(crate) async fn export(
    State(state): State<AppState>,
    me: CurrentUser,
    q: Result<Query<FitnessQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = query(q)?;
    if matches!(me.scope, Scope::Parent { .. }) {
        return Err(AppError::Forbidden);
    }
    let focus = focus_school(&state, &me.scope, q.school).await?;
    let terms = state.store.fitness_terms(&me.scope).await?;
    let term = pick_term(&terms, q.term.as_deref())?.ok_or(AppError::NotFound)?;
    let main = main_groupings(&me.scope, focus);
    let by = match q.by.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => FitnessGroupBy::parse(s).ok_or(AppError::BadRequest)?,
        None => main[main.len() - 1],
    };
    let rows = state
        .store
        .fitness_summary(&me.scope, focus, term, by)
        .await?;
    let labelled: Vec<wuyu_report::LabelledRow<'_>> = rows
        .iter()
        .map(|r| wuyu_report::LabelledRow {
            label: group_label(by, &r.key),
            row: r,
        })
        .collect();
    let title = format!("体质健康 · {} · {}", term.label_zh(), table_title(by));
    let bytes = wuyu_report::fitness_summary_xlsx(&title, group_header(by), &labelled)
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    let disposition = format!(
        "attachment; filename=\"fitness-{}-{}.xlsx\"",
        term.code(),
        by.code()
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// `GET /schools/{id}/fitness/upload.xlsx?term=`: the school's results of the term in the
/// national upload template's layout (district roles and the school's admin; a teacher gets
/// their own classes; parents and counsellors are refused by the store).
pub(crate) async fn upload_template(
    State(state): State<AppState>,
    me: CurrentUser,
    p: Result<Path<i64>, PathRejection>,
    q: Result<Query<FitnessQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let school = SchoolId(path_ids(p)?);
    let q = query(q)?;
    if matches!(me.scope, Scope::Parent { .. } | Scope::Counsellor { .. }) {
        return Err(AppError::Forbidden);
    }
    state.store.school(&me.scope, school).await?;
    let terms = state.store.fitness_terms(&me.scope).await?;
    let term = pick_term(&terms, q.term.as_deref())?.ok_or(AppError::NotFound)?;
    let export = wuyu_report::fitness_upload_template(
        state.store.as_ref(),
        &me.scope,
        school,
        term,
        wuyu_report::TemplateFormat::Xlsx,
    )
    .await
    .map_err(|e| match e {
        wuyu_report::TemplateExportError::Store(e) => AppError::from(e),
        e => AppError::Internal(format!("upload template: {e}")),
    })?;
    let mut resp = export.bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    let disposition = format!(
        "attachment; filename=\"fitness-upload-{school}-{}.xlsx\"",
        term.code()
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

// --- the PE teacher's class view ----------------------------------------------------------

pub(crate) struct ScoreCell {
    pub text: String,
    pub title: String,
    pub fail: bool,
}

pub(crate) struct ClassStudentRow {
    pub href: String,
    pub student_no: String,
    pub name: String,
    pub sex: &'static str,
    /// 已测 / 缺测 / 未完成.
    pub status: &'static str,
    pub status_class: &'static str,
    pub standard_score: String,
    pub bonus: String,
    pub year_total: String,
    pub level: &'static str,
    pub cells: Vec<ScoreCell>,
    pub failed: String,
    pub missing: String,
}

#[derive(Template)]
#[template(path = "class_fitness.html")]
struct ClassFitnessPage {
    chrome: Chrome,
    school_href: String,
    school_name: String,
    class_href: String,
    heading: String,
    terms: Vec<TermOption>,
    term_label: String,
    has_term: bool,
    item_names: Vec<&'static str>,
    rows: Vec<ClassStudentRow>,
    enrolled: usize,
    tested: usize,
    missing_test: usize,
    incomplete: usize,
    with_failed_item: usize,
}

fn class_student_row(
    school: SchoolId,
    items: &[FitnessItem],
    r: &ClassFitnessRow,
) -> ClassStudentRow {
    let s = &r.student;
    let base = |status, status_class| ClassStudentRow {
        href: format!("/schools/{school}/students/{}", s.id),
        student_no: masked_student_no(&s.student_no),
        name: s.name.to_string(),
        sex: s.sex.label_zh(),
        status,
        status_class,
        standard_score: "—".into(),
        bonus: "—".into(),
        year_total: "—".into(),
        level: "—",
        cells: items
            .iter()
            .map(|_| ScoreCell {
                text: "—".into(),
                title: String::new(),
                fail: false,
            })
            .collect(),
        failed: String::new(),
        missing: String::new(),
    };
    let Some(rec) = &r.record else {
        return base("缺测", "missing");
    };
    let mut row = if rec.complete {
        base("已测", "")
    } else {
        base("未完成", "incomplete")
    };
    row.standard_score = one(rec.standard_score);
    row.bonus = rec.bonus_total.to_string();
    row.year_total = one(rec.year_total);
    row.level = rec.level.map_or("—", |l| l.label_zh());
    for (cell, item) in row.cells.iter_mut().zip(items) {
        if let Some(res) = rec.item(*item) {
            cell.text = res.score.to_string();
            cell.title = format!("{} {}", item_value(*item, res.value), unit_zh(*item));
            cell.fail = res.score < 60;
        }
    }
    row.failed = rec
        .failed_items()
        .map(FitnessItem::name_zh)
        .collect::<Vec<_>>()
        .join("、");
    row.missing = rec
        .missing
        .iter()
        .map(|i| i.name_zh())
        .collect::<Vec<_>>()
        .join("、");
    row
}

pub(crate) async fn class_view(
    State(state): State<AppState>,
    me: CurrentUser,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64)>, PathRejection>,
    q: Result<Query<FitnessQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let (id, class_id) = path_ids(p)?;
    let (id, class_id) = (SchoolId(id), ClassId(class_id));
    let q = query(q)?;
    let school = state.store.school(&me.scope, id).await?;
    let class = state.store.class(&me.scope, id, class_id).await?;
    let terms = state.store.fitness_terms(&me.scope).await?;
    let term = pick_term(&terms, q.term.as_deref())?;
    let rows = match term {
        Some(t) => {
            state
                .store
                .class_fitness(&me.scope, id, class_id, t)
                .await?
        }
        None => Vec::new(),
    };
    // Health data of named children: record every reader.
    let mut e = audit::entry(Some(&me.user), "", "read_class_fitness", &ip);
    e.school_id = Some(id);
    e.entity = format!("class:{id}:{class_id}");
    e.detail = term.map(Term::code).unwrap_or_default();
    state.store.append_audit(&e).await?;

    let items: Vec<FitnessItem> = FitnessItem::ALL
        .into_iter()
        .filter(|i| {
            rows.iter()
                .filter_map(|r| r.record.as_ref())
                .any(|rec| rec.item(*i).is_some() || rec.missing.contains(i))
        })
        .collect();
    let records: Vec<&FitnessRecord> = rows.iter().filter_map(|r| r.record.as_ref()).collect();
    let page = ClassFitnessPage {
        chrome: Chrome::new(&me, "/fitness"),
        school_href: format!("/schools/{id}"),
        school_name: school.name,
        class_href: format!("/schools/{id}/classes/{class_id}"),
        heading: class_label(&class),
        terms: term_options(&terms, term),
        term_label: term.map(Term::label_zh).unwrap_or_default(),
        has_term: term.is_some(),
        item_names: items.iter().map(|i| i.name_zh()).collect(),
        enrolled: rows.len(),
        tested: records.len(),
        missing_test: rows.len() - records.len(),
        incomplete: records.iter().filter(|r| !r.complete).count(),
        with_failed_item: records
            .iter()
            .filter(|r| r.failed_items().next().is_some())
            .count(),
        rows: rows
            .iter()
            .map(|r| class_student_row(id, &items, r))
            .collect(),
    };
    Ok(render(&page)?.into_response())
}

// --- a student's history (student page) ---------------------------------------------------

pub(crate) struct HistoryItem {
    pub name: &'static str,
    pub value: String,
    pub score: u8,
    pub bonus: String,
    pub fail: bool,
}

pub(crate) struct TermHistory {
    pub label: String,
    pub test_date: String,
    pub grade: &'static str,
    pub age: String,
    pub height_weight: String,
    pub items: Vec<HistoryItem>,
    pub bmi: String,
    pub bmi_category: &'static str,
    pub standard_score: String,
    pub bonus: String,
    pub year_total: String,
    pub level: &'static str,
    pub status: &'static str,
    pub missing: String,
    pub weight_status: &'static str,
    pub malnutrition: &'static str,
    pub vision_status: &'static str,
    pub vision: String,
}

fn opt(v: Option<f64>, unit: &str) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.1}{unit}"))
}

pub(crate) fn term_history(r: &FitnessRecord) -> TermHistory {
    let m = &r.measures;
    TermHistory {
        label: r.term.label_zh(),
        test_date: format_date(r.test_date),
        grade: r.grade.label_zh(),
        age: format!("{:.1}", r.age_years),
        height_weight: format!(
            "{} / {}",
            opt(m.height_cm, " 厘米"),
            opt(m.weight_kg, " 千克")
        ),
        items: r
            .items
            .iter()
            .map(|i| HistoryItem {
                name: i.item.name_zh(),
                value: format!("{} {}", item_value(i.item, i.value), unit_zh(i.item)),
                score: i.score,
                bonus: if i.item.has_bonus() {
                    i.bonus.to_string()
                } else {
                    String::new()
                },
                fail: i.score < 60,
            })
            .collect(),
        bmi: one(r.bmi),
        bmi_category: r.bmi_category.map_or("—", |c| c.label_zh()),
        standard_score: one(r.standard_score),
        bonus: r.bonus_total.to_string(),
        year_total: one(r.year_total),
        level: r.level.map_or("—", |l| l.label_zh()),
        status: if r.complete { "完整" } else { "未完成" },
        missing: r
            .missing
            .iter()
            .map(|i| i.name_zh())
            .collect::<Vec<_>>()
            .join("、"),
        weight_status: r.weight_status.map_or("—", |w| w.label_zh()),
        malnutrition: r.malnutrition.map_or("—", |w| w.label_zh()),
        vision_status: r.vision_status.map_or("未筛查", |w| w.label_zh()),
        vision: if m.acuity_left.is_none() && m.acuity_right.is_none() {
            String::new()
        } else {
            format!(
                "左 {} / 右 {}",
                m.acuity_left
                    .map_or_else(|| "—".into(), |v| format!("{v:.1}")),
                m.acuity_right
                    .map_or_else(|| "—".into(), |v| format!("{v:.1}"))
            )
        },
    }
}

/// 学年总分 across terms (null for an INCOMPLETE term, which has no total).
pub(crate) fn year_total_chart(records: &[FitnessRecord]) -> Value {
    let labels: Vec<String> = records.iter().map(|r| r.term.label_zh()).collect();
    let data: Vec<Value> = records
        .iter()
        .map(|r| r.year_total.map_or(Value::Null, |v| json!(v)))
        .collect();
    json!({
        "tooltip": {"trigger": "axis", "renderMode": "richText"},
        "grid": {"top": 40, "left": 48, "right": 24, "bottom": 56},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"interval": 0, "rotate": 20}},
        "yAxis": {"type": "value", "name": "学年总分", "min": 0, "max": 120},
        "series": [{"name": "学年总分", "type": "line", "data": data,
                    "label": {"show": true, "position": "top"}}],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_changes_are_formatted_for_people() {
        assert_eq!(pct(Some(0.3)), "30.0%");
        assert_eq!(pct(Some(0.12345)), "12.3%");
        assert_eq!(pct(None), "—");
        assert_eq!(delta(Some(0.35), Some(0.30)).text, "▲5.0");
        assert_eq!(delta(Some(0.30), Some(0.35)).class, "down");
        assert_eq!(delta(Some(0.3), Some(0.3004)).text, "持平");
        assert_eq!(delta(None, Some(0.3)).text, "—");
    }

    #[test]
    fn the_previous_term_is_the_last_one_with_records_before() {
        let t = |s| Term::parse_code(s).unwrap();
        let terms = [t("2023-autumn"), t("2023-spring"), t("2024-autumn")];
        assert_eq!(
            previous_term(&terms, t("2024-autumn")),
            Some(t("2023-spring"))
        );
        assert_eq!(previous_term(&terms, t("2023-autumn")), None);
        assert_eq!(pick_term(&terms, None).unwrap(), Some(t("2024-autumn")));
        assert!(pick_term(&terms, Some("nonsense")).is_err());
    }
}
