//! `/fitness` (the overview of the caller's scope, with each item), `/fitness/export.xlsx`
//! (one of its tables as XLSX) and `/schools/{id}/fitness/upload.xlsx` (the national upload
//! file). Rates are shown as percentages with one decimal, "—" without a denominator.
use askama::Template;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use wuyu_domain::{Role, SchoolId, Stage, Term};
use wuyu_monitor::display::{Precision, shown_percent};
use wuyu_service::audit::Requester;
use wuyu_service::fitness::{
    self as svc, GroupLine, Overview, StageLine, SummaryQuery, TargetCheck, TemplateFormat,
    group_header,
};
use wuyu_service::store_types::{FitnessGroupBy, FitnessItemStat, FitnessSummaryRow};
use wuyu_standards::BmiCategory;

use super::format::{Delta, TermOption, delta, item_value, one, pct, term_options, unit_zh};
use crate::access::{Require, cap};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::pages::path_ids;
use crate::state::AppState;
use crate::view::{Chrome, render, script_json};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct FitnessQuery {
    pub term: Option<String>,
    pub by: Option<String>,
    /// District roles: one school's grades and classes (the drill-down from the school table).
    pub school: Option<i64>,
    /// The school table's order: a [`SortKey`] code, and `asc` / `desc`.
    pub sort: Option<String>,
    pub dir: Option<String>,
}

/// A column the school table can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SortKey {
    Stage,
    Tested,
    Pass,
    Excellent,
    Myopia,
}

impl SortKey {
    const ALL: [SortKey; 5] = [
        SortKey::Stage,
        SortKey::Tested,
        SortKey::Pass,
        SortKey::Excellent,
        SortKey::Myopia,
    ];

    fn code(self) -> &'static str {
        match self {
            SortKey::Stage => "stage",
            SortKey::Tested => "tested",
            SortKey::Pass => "pass",
            SortKey::Excellent => "excellent",
            SortKey::Myopia => "myopia",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// A rate order is a ranking: offered only where ranks are shown.
    fn ranks(self) -> bool {
        !matches!(self, SortKey::Stage)
    }
}

/// The sort a request asks for: `None` without one (the service's order); an unknown key is a
/// bad request.
fn sort_of(q: &FitnessQuery) -> Result<Option<(SortKey, bool)>, AppError> {
    let Some(code) = q.sort.as_deref().filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let key = SortKey::parse(code).ok_or(AppError::BadRequest)?;
    let desc = match q.dir.as_deref() {
        None | Some("") | Some("desc") => true,
        Some("asc") => false,
        Some(_) => return Err(AppError::BadRequest),
    };
    Ok(Some((key, desc)))
}

/// Orders the school rows by `key` (rows without a value last, then by school code).
fn sort_lines(lines: &mut [GroupLine], key: SortKey, desc: bool) {
    let value = |l: &GroupLine| -> Option<f64> {
        let r = &l.line.row;
        match key {
            SortKey::Stage => l.school_stage.map(|s| stage_order(s) as f64),
            SortKey::Tested => Some(r.tested as f64),
            SortKey::Pass => r.pass_rate,
            SortKey::Excellent => r.excellent_rate,
            SortKey::Myopia => r.myopia_rate,
        }
    };
    lines.sort_by(|a, b| {
        let by_value = match (value(a), value(b)) {
            (Some(x), Some(y)) if desc => y.total_cmp(&x),
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        by_value.then_with(|| a.line.row.key.school_code.cmp(&b.line.row.key.school_code))
    });
}

fn stage_order(s: Stage) -> u8 {
    match s {
        Stage::Primary => 0,
        Stage::NineYear => 1,
        Stage::Junior => 2,
        Stage::Complete => 3,
        Stage::Senior => 4,
    }
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
    /// The school's 学段 (school rows), else empty.
    pub stage: &'static str,
    pub excellent_verdict: VerdictView,
    pub myopia_verdict: VerdictView,
}

/// A row's verdict on one target: 达标 / 未达标, or "—" without data.
pub(crate) struct VerdictView {
    pub text: &'static str,
    /// `target-met`, `target-missed` or empty; `data-verdict` for tests and scripts.
    pub class: &'static str,
}

fn verdict_view(c: Option<TargetCheck>) -> VerdictView {
    match c.and_then(|c| c.met()) {
        Some(true) => VerdictView {
            text: "达标",
            class: "target-met",
        },
        Some(false) => VerdictView {
            text: "未达标",
            class: "target-missed",
        },
        None => VerdictView {
            text: "—",
            class: "",
        },
    }
}

fn group_row(g: &GroupLine, href: Option<String>) -> GroupRow {
    let row = &g.line.row;
    GroupRow {
        label: g.line.label.clone(),
        href,
        rank: g.line.rank,
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
        pass_delta: delta(g.pass_change()),
        excellent_delta: delta(g.excellent_change()),
        stage: g.school_stage.map_or("", Stage::label_zh),
        excellent_verdict: verdict_view(g.targets.map(|t| t.excellent)),
        myopia_verdict: verdict_view(g.targets.map(|t| t.myopia)),
    }
}

fn group_href(by: FitnessGroupBy, g: &GroupLine, term: Term) -> Option<String> {
    let key = &g.line.row.key;
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

pub(crate) struct GroupTable {
    pub title: &'static str,
    pub rank_header: &'static str,
    pub header: &'static str,
    pub show_rank: bool,
    pub export_href: String,
    pub rows: Vec<GroupRow>,
    /// The school table: a 学段 column and sortable headers.
    pub schools: bool,
    /// Rates may be sorted by (ranks are shown to this caller).
    pub rate_sort: bool,
    /// The page's address without a sort, for the header links.
    pub base_href: String,
    pub sort: Option<(SortKey, bool)>,
}

impl GroupTable {
    /// The link of a sortable header: descending first, then the other way.
    pub fn sort_href(&self, code: &str) -> String {
        let dir = match (self.sort, SortKey::parse(code)) {
            (Some((k, true)), Some(c)) if k == c => "asc",
            _ => "desc",
        };
        format!("{}&sort={code}&dir={dir}#schools", self.base_href)
    }

    /// May the table be sorted by `code` here?
    pub fn sortable(&self, code: &str) -> bool {
        self.schools && SortKey::parse(code).is_some_and(|k| self.rate_sort || !k.ranks())
    }

    /// `aria-sort` of a header.
    pub fn aria_sort(&self, code: &str) -> &'static str {
        match self.sort {
            Some((k, desc)) if k.code() == code => {
                if desc {
                    "descending"
                } else {
                    "ascending"
                }
            }
            _ => "none",
        }
    }
}

fn group_table(t: &svc::GroupTable, term: Term, school_param: &str) -> GroupTable {
    GroupTable {
        rank_header: if t.by == FitnessGroupBy::Class {
            "年级内排名"
        } else {
            "排名"
        },
        title: svc::table_title(t.by),
        header: group_header(t.by),
        show_rank: t.ranked,
        export_href: format!(
            "/fitness/export.xlsx?term={}&by={}{school_param}",
            term.code(),
            t.by.code()
        ),
        rows: t
            .lines
            .iter()
            .map(|g| group_row(g, group_href(t.by, g, term)))
            .collect(),
        schools: t.by == FitnessGroupBy::School,
        rate_sort: t.ranked,
        base_href: format!("/fitness?term={}{school_param}", term.code()),
        sort: None,
    }
}

/// One 学段's line of the page.
pub(crate) struct StageRow {
    pub label: &'static str,
    pub tested: i64,
    pub pass_rate: String,
    pub excellent_rate: String,
    pub myopia_rate: String,
    pub overweight_rate: String,
    pub excellent_verdict: VerdictView,
    pub myopia_verdict: VerdictView,
}

fn stage_row(s: &StageLine) -> StageRow {
    StageRow {
        label: s.stage.label_zh(),
        tested: s.row.tested,
        pass_rate: pct(s.row.pass_rate),
        excellent_rate: pct(s.row.excellent_rate),
        myopia_rate: pct(s.row.myopia_rate),
        overweight_rate: pct(s.row.overweight_rate),
        excellent_verdict: verdict_view(Some(s.targets.excellent)),
        myopia_verdict: verdict_view(Some(s.targets.myopia)),
    }
}

pub(crate) struct ItemLine {
    pub name: &'static str,
    pub unit: &'static str,
    pub tested: i64,
    pub mean_value: String,
    pub mean_score: String,
    pub pass_rate: String,
}

fn item_lines(items: &[FitnessItemStat]) -> Vec<ItemLine> {
    items
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
    stages: Vec<StageRow>,
    /// "60 所学校中 26 所优秀率未达标……" under the district's cards.
    tally: Option<String>,
    items: Vec<ItemLine>,
    trend_json: String,
    bmi_json: String,
}

/// What the page's heading says the view covers.
fn scope_label(me: &CurrentUser, o: &Overview) -> String {
    if o.drill_down.is_some() {
        return o.school_name.clone().unwrap_or_default();
    }
    if let Some(name) = &o.school_name {
        return if me.role() == Role::Teacher {
            format!("{name} · 我任教的班级")
        } else {
            name.clone()
        };
    }
    if me.scope.is_district() {
        return o
            .district_name
            .as_ref()
            .map(|d| format!("{d}（全区）"))
            .unwrap_or_else(|| "全区".into());
    }
    String::new()
}

pub(crate) async fn overview(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewFitness>,
    q: Result<Query<FitnessQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = query(q)?;
    let sort = sort_of(&q)?;
    let mut o = svc::overview(
        &state.svc,
        &me.viewer(),
        q.term.as_deref(),
        q.school.map(SchoolId),
    )
    .await?;
    let chrome = Chrome::new(&me, "/fitness");
    let mut page = FitnessPage {
        chrome,
        scope_label: scope_label(&me, &o),
        terms: Vec::new(),
        term_label: String::new(),
        has_data: false,
        back_href: None,
        school: o.drill_down.map(|s| s.0),
        upload_href: None,
        previous_label: String::new(),
        headline: None,
        excellent_target: pct(Some(o.excellent.target)),
        excellent_met: None,
        myopia_target: pct(Some(o.myopia.target)),
        myopia_met: None,
        tables: Vec::new(),
        breakdowns: Vec::new(),
        stages: Vec::new(),
        tally: None,
        items: Vec::new(),
        trend_json: String::new(),
        bmi_json: String::new(),
    };
    let Some(term) = o.term else {
        return Ok(render(&page)?.into_response());
    };
    let school_param = o
        .drill_down
        .map(|s| format!("&school={s}"))
        .unwrap_or_default();
    let head_row = o
        .headline
        .as_ref()
        .map(|h| h.line.row.clone())
        .unwrap_or_default();
    page.terms = term_options(&o.terms, Some(term));
    page.term_label = term.label_zh();
    page.has_data = head_row.tested > 0;
    page.back_href = o
        .drill_down
        .map(|_| format!("/fitness?term={}", term.code()));
    page.upload_href = o
        .upload_school
        .map(|s| format!("/schools/{s}/fitness/upload.xlsx?term={}", term.code()));
    page.previous_label = o.previous.map(Term::label_zh).unwrap_or_default();
    page.excellent_met = o.excellent.met();
    page.myopia_met = o.myopia.met();
    page.headline = o.headline.as_ref().map(|h| group_row(h, None));
    if let Some((key, desc)) = sort {
        for t in &mut o.tables {
            if t.by == FitnessGroupBy::School && (t.ranked || !key.ranks()) {
                sort_lines(&mut t.lines, key, desc);
            }
        }
    }
    page.tables = o
        .tables
        .iter()
        .map(|t| GroupTable {
            sort,
            ..group_table(t, term, &school_param)
        })
        .collect();
    page.stages = o.stages.iter().map(stage_row).collect();
    page.tally = o.tally.filter(|t| t.judged > 0).map(|t| {
        format!(
            "按学校看：{} 所学校中 {} 所优秀率未达标，{} 所近视率高于上限（见下方各校表）。",
            t.judged, t.excellent_missed, t.myopia_missed
        )
    });
    page.breakdowns = o
        .breakdowns
        .iter()
        .map(|t| group_table(t, term, &school_param))
        .collect();
    page.items = item_lines(&o.items);
    page.trend_json = script_json(&trend_chart(&o.trend, o.excellent.target));
    page.bmi_json = script_json(&bmi_chart(&head_row));
    Ok(render(&page)?.into_response())
}

/// A rate in percent as shown, for a chart (null without a denominator).
fn chart_pct(r: Option<f64>) -> Value {
    r.map_or(Value::Null, |r| json!(shown_percent(r, Precision::One)))
}

fn trend_chart(trend: &[(Term, FitnessSummaryRow)], excellent_target: f64) -> Value {
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
                    "data": [{"yAxis": shown_percent(excellent_target, Precision::One)}]
                }
            }
        ],
    })
}

fn bmi_chart(r: &FitnessSummaryRow) -> Value {
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

// --- downloads -------------------------------------------------------------------------------

/// An XLSX body with its download name.
fn xlsx(bytes: Vec<u8>, file_name: &str) -> Response {
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// `GET /fitness/export.xlsx?term=&by=&school=`: one table of the overview.
pub(crate) async fn export(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewFitness>,
    q: Result<Query<FitnessQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = query(q)?;
    let q = SummaryQuery {
        term: q.term,
        by: q.by,
        school: q.school.map(SchoolId),
    };
    let out = svc::summary_xlsx(&state.svc, &me.viewer(), &q).await?;
    let name = format!("fitness-{}-{}.xlsx", out.term.code(), out.by.code());
    Ok(xlsx(out.bytes, &name))
}

/// `GET /schools/{id}/fitness/upload.xlsx?term=`: the school's results of the term in the
/// national upload template's layout, for the roles that submit it (district admin, the
/// school's admin); every download is audited with its row count by the service.
pub(crate) async fn upload_template(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ExportFitnessUpload>,
    ClientIp(ip): ClientIp,
    p: Result<axum::extract::Path<i64>, PathRejection>,
    q: Result<Query<FitnessQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let school = SchoolId(path_ids(p)?);
    let q = query(q)?;
    let (term, export) = svc::upload_template(
        &state.svc,
        &Requester::user(&me.user, &ip),
        &me.scope,
        school,
        q.term.as_deref(),
        TemplateFormat::Xlsx,
    )
    .await?;
    let name = format!("fitness-upload-{school}-{}.xlsx", term.code());
    Ok(xlsx(export.bytes, &name))
}
