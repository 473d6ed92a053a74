//! 考试分析 (issue 4): the exam list, the district overview (or one school's class comparison),
//! a class's student list, the item analysis and the parallel-class alerts, with their XLSX
//! exports and the exam API. The student page's exam history is built in [`history`].
//!
//! Handlers are thin: they parse the request, check the capability (`Require<cap::…>`), call
//! one function of `wuyu_service::exam` and render its read model. Tables are built by the
//! service as sheets; the page shows a sheet's cells formatted by `wuyu_monitor::display` (the
//! rounding the XLSX number formats apply), and the export writes the same sheet, so a page
//! and its export cannot disagree.
//!
//! Ranks come with the service's ranks token only (district roles and school admins, never
//! with the district setting `hide_ranks`); when they are hidden, tables keep the store's
//! order (by school or class) instead of an order that would give the ranking away.
pub(crate) mod alerts;
pub(crate) mod api;
pub(crate) mod charts;
pub(crate) mod class;
pub(crate) mod history;
pub(crate) mod items;
pub(crate) mod lines;
pub(crate) mod list;
pub(crate) mod overview;

use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wuyu_domain::{Capability, Exam, ExamLevel, Viewer};
use wuyu_monitor::display::{Precision, shown, shown_percent};
use wuyu_service::exam::export::XlsxFile;
use wuyu_service::exam::sheets::{Cell, NumFormat, Sheet};
use wuyu_service::exam::sheets::{not_rankable_zh, va_sheet};
use wuyu_service::exam::va::ValueAdded;
use wuyu_service::store_types::TOTAL;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

/// The caller as the service sees them, if their role has `c`. Handlers with a path check it
/// after the path parses (an id that does not parse names nothing: 404 for everyone).
pub(crate) fn require(me: &CurrentUser, c: Capability) -> Result<Viewer, AppError> {
    let viewer = me.viewer();
    if viewer.can(c) {
        Ok(viewer)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The exam pages and their XLSX exports.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/exams", get(list::list))
        .route("/exams/alerts", get(alerts::alerts))
        .route("/exams/alerts/export.xlsx", get(alerts::export))
        .route("/exams/alerts/decision", post(alerts::decide))
        .route("/exams/{id}", get(overview::exam))
        .route("/exams/{id}/lines", get(lines::show).post(lines::save))
        .route("/exams/{id}/export.xlsx", get(overview::export))
        .route(
            "/exams/{id}/classes/export.xlsx",
            get(overview::export_classes),
        )
        .route("/exams/{id}/items", get(items::items))
        .route("/exams/{id}/items/export.xlsx", get(items::export))
        .route(
            "/exams/{id}/schools/{school_id}/classes/{class_id}",
            get(class::class_view),
        )
        .route(
            "/exams/{id}/schools/{school_id}/classes/{class_id}/export.xlsx",
            get(class::export),
        )
}

/// The exam routes of the JSON API.
pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list_exams))
        .routes(routes!(api::parallel_alerts))
        .routes(routes!(api::exam_units))
        .routes(routes!(api::exam_value_added))
        .routes(routes!(api::exam_items))
        .routes(routes!(api::exam_students))
}

// --- formatting ------------------------------------------------------------------------------

/// A number as the XLSX format shows it: the one display rule (四舍五入 at the format's
/// precision).
pub(crate) fn fmt_num(v: f64, f: NumFormat) -> String {
    // `+ 0.0` turns a negative zero (−0.001 rounded) into 0: "-0.00" is not a number to show.
    let r = |p: Precision, x: f64| shown(x, p) + 0.0;
    match f {
        NumFormat::Int => format!("{:.0}", r(Precision::Int, v)),
        NumFormat::One => format!("{:.1}", r(Precision::One, v)),
        NumFormat::Two => format!("{:.2}", r(Precision::Two, v)),
        NumFormat::Three => format!("{:.3}", r(Precision::Three, v)),
        NumFormat::Percent => format!("{:.2}%", shown_percent(v, Precision::Two) + 0.0),
    }
}

/// A cell's text on the page: "—" for an empty cell.
pub(crate) fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Text(t) => t.clone(),
        Cell::Number(v, f) if v.is_finite() => fmt_num(*v, *f),
        Cell::Number(..) | Cell::Empty => "—".into(),
    }
}

/// An optional number with two decimals, "—" for none.
pub(crate) fn two(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| fmt_num(v, NumFormat::Two))
}

/// An optional rate as a percentage with two decimals, "—" for none.
pub(crate) fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| fmt_num(v, NumFormat::Percent))
}

pub(crate) fn level_zh(l: ExamLevel) -> &'static str {
    l.name_zh()
}

/// "语文 120、数学 100".
pub(crate) fn subjects_label(e: &Exam) -> String {
    e.subjects
        .iter()
        .map(|s| format!("{} {}", s.name, fmt_full(s.full_marks)))
        .collect::<Vec<_>>()
        .join("、")
}

/// Full marks without a needless ".0".
pub(crate) fn fmt_full(f: f64) -> String {
    if f.fract() == 0.0 {
        format!("{f:.0}")
    } else {
        format!("{f}")
    }
}

pub(crate) use wuyu_service::exam::sheets::va_class_zh;

// --- tables ----------------------------------------------------------------------------------

pub(crate) struct CellView {
    pub text: String,
    /// CSS classes: `num` for numbers, `absent` for 缺考, `borderline`, `flag`.
    pub class: String,
    pub title: String,
}

pub(crate) struct RowView {
    pub cells: Vec<CellView>,
    /// The link of the label column.
    pub href: Option<String>,
    pub class: &'static str,
}

pub(crate) struct HeaderView {
    pub text: String,
    pub num: bool,
}

/// A table of a page, rendered on its own (and embedded with `|safe`, escaping done here).
#[derive(Template)]
#[template(path = "exam_table.html")]
pub(crate) struct TableView {
    /// `data-table` attribute, for tests and scripts.
    pub id: &'static str,
    pub headers: Vec<HeaderView>,
    pub rows: Vec<RowView>,
    /// The column whose cell links to `href`.
    pub link_col: usize,
    pub empty: &'static str,
}

impl TableView {
    /// The sheet's cells as page text, links on `link_col` where `hrefs` has one.
    pub fn from_sheet(
        id: &'static str,
        sheet: &Sheet,
        link_col: usize,
        hrefs: &[Option<String>],
    ) -> Self {
        let numeric: Vec<bool> = (0..sheet.headers.len())
            .map(|c| {
                sheet
                    .rows
                    .iter()
                    .find_map(|r| match r.get(c) {
                        Some(Cell::Number(..)) => Some(true),
                        Some(Cell::Text(t)) if !t.is_empty() && t != "缺考" => Some(false),
                        _ => None,
                    })
                    .unwrap_or(false)
            })
            .collect();
        // Long text wraps instead of pushing the numbers off a phone's screen.
        let wrap: Vec<bool> = sheet
            .headers
            .iter()
            .map(|h| matches!(h.as_str(), "任课教师" | "知识点" | "提示"))
            .collect();
        let rows = sheet
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| RowView {
                cells: r
                    .iter()
                    .enumerate()
                    .map(|(c, cell)| {
                        let mut class = String::new();
                        if numeric.get(c).copied().unwrap_or(false) {
                            class.push_str("num");
                        }
                        if matches!(cell, Cell::Text(t) if t == "缺考") {
                            class.push_str(" absent");
                        }
                        if wrap.get(c).copied().unwrap_or(false) {
                            class.push_str(" wrap");
                        }
                        CellView {
                            text: cell_text(cell),
                            class: class.trim().to_string(),
                            title: String::new(),
                        }
                    })
                    .collect(),
                href: hrefs.get(i).cloned().flatten(),
                class: "",
            })
            .collect();
        Self {
            id,
            headers: sheet
                .headers
                .iter()
                .zip(&numeric)
                .map(|(h, n)| HeaderView {
                    text: h.clone(),
                    num: *n,
                })
                .collect(),
            rows,
            link_col,
            empty: "暂无数据。",
        }
    }

    pub fn html(&self) -> Result<String, AppError> {
        Ok(self.render()?)
    }
}

// --- queries and choices ---------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ExamQuery {
    pub subject: Option<String>,
    /// District roles: one school's view (an empty value, as a form's "全区" sends it: none).
    #[serde(default, deserialize_with = "empty_as_none")]
    pub school: Option<i64>,
}

/// A number parameter that a form may send empty.
pub(crate) fn empty_as_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let s: Option<String> = Option::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => t.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

pub(crate) fn query<T: Default>(q: Result<Query<T>, QueryRejection>) -> Result<T, AppError> {
    q.map(|Query(q)| q).map_err(|_| AppError::BadRequest)
}

pub(crate) struct SubjectOption {
    pub name: String,
    pub selected: bool,
}

/// 总分 first, then the exam's subjects in order.
pub(crate) fn subject_options(exam: &Exam, selected: &str, with_total: bool) -> Vec<SubjectOption> {
    let mut names: Vec<String> = Vec::new();
    if with_total {
        names.push(TOTAL.to_string());
    }
    names.extend(exam.subjects.iter().map(|s| s.name.clone()));
    names
        .into_iter()
        .map(|name| SubjectOption {
            selected: name == selected,
            name,
        })
        .collect()
}

/// An XLSX download.
pub(crate) fn xlsx_response(bytes: Vec<u8>, file_name: &str) -> Response {
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

/// The service's XLSX file as a download.
pub(crate) fn xlsx_file(f: XlsxFile) -> Response {
    xlsx_response(f.bytes, &f.file_name)
}

// --- value-added -----------------------------------------------------------------------------

/// What a page shows about value-added.
pub(crate) struct VaView {
    /// No baseline exam: nothing to show but the note.
    pub available: bool,
    pub note: String,
    pub model_label: String,
    pub baseline_note: String,
    /// "学校间无可检测差异，不排名" when the store says the units may not be ranked.
    pub not_rankable: Option<&'static str>,
    pub table_html: String,
    pub chart_json: String,
    pub points: usize,
}

impl VaView {
    pub fn unavailable(note: &str) -> Self {
        Self {
            available: false,
            note: note.to_string(),
            model_label: String::new(),
            baseline_note: String::new(),
            not_rankable: None,
            table_html: String::new(),
            chart_json: String::new(),
            points: 0,
        }
    }

    /// The service's value-added (`None`: no baseline), ranked as the caller may see it.
    pub fn build(
        va: Option<&ValueAdded>,
        unit_header: &str,
        chart_title: &str,
    ) -> Result<Self, AppError> {
        let Some(va) = va else {
            return Ok(Self::unavailable(
                "本次考试未设置入口考试（基线），无法计算增值。",
            ));
        };
        let r = &va.report;
        let rankable = r.rankable != Some(false);
        let sheet = va_sheet(va, unit_header);
        let table = TableView::from_sheet("va", &sheet, usize::from(va.ranked), &[]);
        let chart = charts::caterpillar(r, &va.order, chart_title);
        let points = chart["series"][0]["data"].as_array().map_or(0, Vec::len);
        Ok(Self {
            available: true,
            // The no-variation message is shown as `not_rankable` instead.
            note: if rankable {
                r.message.clone().unwrap_or_default()
            } else {
                String::new()
            },
            model_label: r.model_label.clone(),
            baseline_note: format!("匹配学生 {} 人（本次与入口考试均有成绩）", r.n),
            not_rankable: (!rankable).then(|| not_rankable_zh(r.level)),
            table_html: if r.groups.is_empty() {
                String::new()
            } else {
                table.html()?
            },
            chart_json: if points > 0 {
                crate::view::script_json(&chart)
            } else {
                String::new()
            },
            points,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_rounded_half_away_from_zero_like_the_xlsx() {
        assert_eq!(fmt_num(78.125, NumFormat::Two), "78.13");
        assert_eq!(fmt_num(-0.125, NumFormat::Two), "-0.13");
        assert_eq!(fmt_num(0.30125, NumFormat::Percent), "30.13%");
        assert_eq!(fmt_num(55.05, NumFormat::One), "55.1");
        assert_eq!(fmt_num(12.0, NumFormat::Int), "12");
        assert_eq!(fmt_num(-0.0, NumFormat::Percent), "0.00%");
        assert_eq!(fmt_num(-0.001, NumFormat::Two), "0.00");
        assert_eq!(cell_text(&Cell::Empty), "—");
        assert_eq!(fmt_full(120.0), "120");
        assert_eq!(fmt_full(7.5), "7.5");
    }
}
