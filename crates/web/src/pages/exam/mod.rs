//! 考试分析 (issue 4): the exam list, the district overview (or one school's class comparison),
//! a class's student list, the item analysis and the parallel-class alerts, with their XLSX
//! exports. The student page's exam history is built in [`history`].
//!
//! Every number comes from the store's exam reads with the caller's scope (statistics are
//! computed at import); this module formats and lays them out. Tables are built once as
//! [`wuyu_report::exam::Sheet`]s: the page shows the sheet's cells formatted the way the XLSX
//! formats them (means and scores with two decimals, rates as percentages with two decimals,
//! 四舍五入), and the export writes the same sheet, so a page and its export cannot disagree.
//!
//! Ranks are shown only when [`crate::pages::fitness::shows_ranks`] allows (district roles and
//! school admins, never with the district setting `hide_ranks`); when they are hidden, tables
//! keep the store's order (by school or class) instead of an order that would give the ranking
//! away.
pub(crate) mod alerts;
pub(crate) mod charts;
pub(crate) mod class;
pub(crate) mod history;
pub(crate) mod items;
pub(crate) mod list;
pub(crate) mod overview;

use askama::Template;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wuyu_analytics::round::round_half_away;
use wuyu_analytics::value_added::{GroupVa, VaClass};
use wuyu_domain::{Exam, ExamLevel, SchoolId, Scope};
use wuyu_report::exam::{Cell, NumFormat, Sheet};
use wuyu_store::exam::TOTAL;
use wuyu_store::{StoreError, ValueAddedReport};

use crate::error::AppError;
use crate::state::AppState;

// --- formatting ------------------------------------------------------------------------------

/// A number as the XLSX format shows it (四舍五入 at the format's precision).
pub(crate) fn fmt_num(v: f64, f: NumFormat) -> String {
    // `+ 0.0` turns a negative zero (−0.001 rounded) into 0: "-0.00" is not a number to show.
    let r = |d: u32, x: f64| round_half_away(x, d) + 0.0;
    match f {
        NumFormat::Int => format!("{:.0}", r(0, v)),
        NumFormat::One => format!("{:.1}", r(1, v)),
        NumFormat::Two => format!("{:.2}", r(2, v)),
        NumFormat::Three => format!("{:.3}", r(3, v)),
        NumFormat::Percent => format!("{:.2}%", r(2, v * 100.0)),
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

pub(crate) fn va_class_zh(c: Option<VaClass>) -> &'static str {
    match c {
        Some(VaClass::Above) => "显著高于平均",
        Some(VaClass::Below) => "显著低于平均",
        Some(VaClass::Ns) => "与平均无显著差异",
        None => "人数不足，不判定",
    }
}

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

/// The subject asked for (a subject of the exam or 总分), 总分 by default.
pub(crate) fn pick_subject(exam: &Exam, asked: Option<&str>) -> Result<String, AppError> {
    match asked.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(TOTAL.to_string()),
        Some(s) if s == TOTAL || exam.subject(s).is_some() => Ok(s.to_string()),
        Some(_) => Err(AppError::BadRequest),
    }
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

/// The school a request is about: `?school=` for district roles (it must exist), the caller's
/// own school for everyone else (naming another school is refused).
pub(crate) async fn focus_school(
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
        _ => Ok(scope.school_id()),
    }
}

/// A read that may legitimately not exist (no baseline, no item points): `None` then.
pub(crate) fn optional<T>(r: Result<T, StoreError>) -> Result<Option<T>, AppError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
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

pub(crate) fn xlsx_error(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("xlsx: {e}"))
}

// --- value-added -----------------------------------------------------------------------------

/// Competition ranks (1, 2, 2, 4) of the units by EB estimate at three decimals; suppressed
/// units and units without an estimate get none.
pub(crate) fn va_ranks(groups: &[GroupVa]) -> Vec<Option<u32>> {
    let v: Vec<Option<f64>> = groups
        .iter()
        .map(|g| {
            g.shrunken
                .filter(|_| !g.suppressed)
                .map(|x| round_half_away(x, 3))
        })
        .collect();
    v.iter()
        .map(|me| me.map(|m| 1 + v.iter().flatten().filter(|o| **o > m).count() as u32))
        .collect()
}

/// The order a value-added display uses: by EB estimate (highest first, suppressed last) when
/// ranks may be shown and the store says the units may be ranked; the store's order otherwise.
pub(crate) fn va_order(report: &ValueAddedReport, sorted: bool) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..report.groups.len()).collect();
    if sorted {
        idx.sort_by(|&a, &b| {
            let key = |i: usize| {
                let g = &report.groups[i];
                g.shrunken.filter(|_| !g.suppressed)
            };
            match (key(a), key(b)) {
                (Some(x), Some(y)) => y.total_cmp(&x),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => a.cmp(&b),
            }
        });
    }
    idx
}

/// The message shown instead of ranks when the store finds no between-unit variation.
pub(crate) fn not_rankable_zh(level: wuyu_store::ExamUnitKind) -> &'static str {
    match level {
        wuyu_store::ExamUnitKind::Class => "班级间无可检测差异，不排名",
        _ => "学校间无可检测差异，不排名",
    }
}

/// The value-added table (same for page and export): units in `order`, with a rank column
/// when `ranks` (and the store says they may be ranked).
pub(crate) fn va_sheet(
    report: &ValueAddedReport,
    order: &[usize],
    ranks: Option<&[Option<u32>]>,
    unit_header: &str,
) -> Sheet {
    let mut headers: Vec<String> = Vec::new();
    if ranks.is_some() {
        headers.push("增值排名".into());
    }
    headers.extend(
        [
            unit_header,
            "增值（经验贝叶斯）",
            "95%区间下限",
            "95%区间上限",
            "判定",
            "匹配人数",
            "原始增值",
            "信度λ",
        ]
        .map(String::from),
    );
    let rows = order
        .iter()
        .map(|&i| {
            let g = &report.groups[i];
            let name = report
                .units
                .get(i)
                .map(|u| u.name.clone())
                .unwrap_or_else(|| g.group.clone());
            let mut row = Vec::new();
            if let Some(r) = ranks {
                row.push(
                    r.get(i)
                        .copied()
                        .flatten()
                        .map_or(Cell::Empty, |k| Cell::Number(f64::from(k), NumFormat::Int)),
                );
            }
            let num = |v: Option<f64>| v.map_or(Cell::Empty, |v| Cell::Number(v, NumFormat::Three));
            row.extend([
                Cell::Text(name),
                num(g.shrunken),
                num(g.ci_low),
                num(g.ci_high),
                Cell::Text(if g.suppressed {
                    "人数不足，不计算".to_string()
                } else {
                    va_class_zh(g.class).to_string()
                }),
                Cell::Number(g.n as f64, NumFormat::Int),
                num(g.estimate),
                num(g.lambda),
            ]);
            row
        })
        .collect();
    Sheet {
        name: "增值评价".into(),
        title: format!("{} 增值评价 · {}", report.subject, report.model_label),
        headers,
        rows,
    }
}

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

    /// `show_ranks`: the caller may see ranks (role and district setting).
    pub fn build(
        report: Option<&ValueAddedReport>,
        show_ranks: bool,
        unit_header: &str,
        chart_title: &str,
    ) -> Result<Self, AppError> {
        let Some(r) = report else {
            return Ok(Self::unavailable(
                "本次考试未设置入口考试（基线），无法计算增值。",
            ));
        };
        let rankable = r.rankable != Some(false);
        let sorted = show_ranks && rankable;
        let order = va_order(r, sorted);
        let ranks = va_ranks(&r.groups);
        let sheet = va_sheet(r, &order, sorted.then_some(ranks.as_slice()), unit_header);
        let table = TableView::from_sheet("va", &sheet, usize::from(sorted), &[]);
        let chart = charts::caterpillar(r, &order, chart_title);
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

    fn g(shrunken: Option<f64>, suppressed: bool) -> GroupVa {
        GroupVa {
            group: String::new(),
            n: 10,
            estimate: shrunken,
            se: None,
            ci_low: None,
            ci_high: None,
            shrunken,
            lambda: None,
            class: None,
            suppressed,
        }
    }

    #[test]
    fn value_added_ranks_share_ties_and_skip_suppressed_units() {
        let groups = [
            g(Some(0.2), false),
            g(Some(-0.1), false),
            g(Some(0.2004), false),
            g(None, true),
            g(Some(0.5), true),
        ];
        assert_eq!(va_ranks(&groups), [Some(1), Some(3), Some(1), None, None]);
    }
}
