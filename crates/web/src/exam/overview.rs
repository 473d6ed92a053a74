//! `/exams/{id}`: for district roles the district overview (headline 三率一分 per subject,
//! 城乡 and 学段, every school with composite, rank and gaps, score distributions, the
//! value-added caterpillar plot); for school admins and teachers — and for district roles with
//! `?school=` — one school's class comparison with the parallel classes and class value-added.
//! `/exams/{id}/export.xlsx` and `/exams/{id}/classes/export.xlsx` export those tables.
use askama::Template;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use wuyu_domain::{Capability, Exam, ExamId, Location, SchoolId};
use wuyu_monitor::display::{Precision, shown};
use wuyu_service::exam::overview::{district_overview, focus, school_view, stat};
use wuyu_service::exam::sheets::{
    NumFormat, Sheet, classes_sheet, groups_sheet, overview_sheet, schools_sheet,
};
use wuyu_service::exam::va::ValueAdded;
use wuyu_service::exam::{self as svc_exam, export, pick_subject};
use wuyu_service::store_types::{ExamUnitStat, SubjectStat};

use super::{
    ExamQuery, SubjectOption, TableView, VaView, charts, level_zh, pct, query, require,
    subject_options, subjects_label, two, va_class_zh, xlsx_file,
};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::path_ids;
use crate::state::AppState;
use crate::view::{Chrome, format_date, render, script_json};

// --- shared pieces ---------------------------------------------------------------------------

/// The exam's facts shown at the top of every exam page.
pub(crate) struct ExamHeader {
    pub id: i64,
    pub name: String,
    pub date: String,
    pub level: &'static str,
    pub grade: &'static str,
    pub subjects: String,
    pub baseline_href: Option<String>,
}

impl ExamHeader {
    pub fn new(e: &Exam) -> Self {
        Self {
            id: e.id.0,
            name: e.name.clone(),
            date: format_date(e.date),
            level: level_zh(e.level),
            grade: e.grade.label_zh(),
            subjects: subjects_label(e),
            baseline_href: e.baseline.map(|b| format!("/exams/{b}")),
        }
    }
}

/// The headline numbers of one unit in one subject (`data-stat` attributes on the page).
pub(crate) struct Headline {
    pub sat_enrolled: String,
    /// 统计人数: the denominator of the rates.
    pub n: usize,
    pub participation: String,
    pub mean: String,
    pub full_marks: String,
    pub excellent: String,
    pub pass: String,
    pub low: String,
    /// "全区 78.25" under each number on a school's page.
    pub compare: Option<HeadlineCompare>,
    /// The lines and the absent policy the rates were computed with, in words.
    pub rule: String,
}

pub(crate) struct HeadlineCompare {
    pub label: &'static str,
    pub participation: String,
    pub mean: String,
    pub excellent: String,
    pub pass: String,
    pub low: String,
}

pub(crate) fn headline(s: &SubjectStat, other: Option<(&'static str, &SubjectStat)>) -> Headline {
    let r = &s.rates;
    Headline {
        sat_enrolled: format!("{} / {}", r.sat, r.enrolled),
        n: r.n,
        participation: pct(r.participation_rate),
        mean: two(r.mean),
        full_marks: super::fmt_full(r.full_marks),
        excellent: pct(r.excellent_rate),
        pass: pct(r.pass_rate),
        low: pct(r.low_rate),
        rule: rule_zh(r),
        compare: other.map(|(label, o)| HeadlineCompare {
            label,
            participation: pct(o.rates.participation_rate),
            mean: two(o.rates.mean),
            excellent: pct(o.rates.excellent_rate),
            pass: pct(o.rates.pass_rate),
            low: pct(o.rates.low_rate),
        }),
    }
}

/// "优秀 ≥ 96 分、良好 ≥ 84 分、及格 ≥ 72 分、低分 < 48 分（满分 120）；缺考…".
fn rule_zh(r: &wuyu_analytics::descriptive::RateSummary) -> String {
    let f = |x: f64| super::fmt_full(shown(x, Precision::Two));
    let good = r
        .good_line
        .map(|g| format!("良好 ≥ {} 分、", f(g)))
        .unwrap_or_default();
    let absent = match r.absent_policy {
        wuyu_analytics::descriptive::AbsentPolicy::Exclude => "缺考学生不计入各率和平均分",
        wuyu_analytics::descriptive::AbsentPolicy::CountAsZero => {
            "本区规定缺考按 0 分计入各率和平均分"
        }
    };
    format!(
        "优秀 ≥ {} 分、{good}及格 ≥ {} 分、低分 < {} 分（满分 {}）；{absent}，参考率 = 实考 / 应考。",
        f(r.excellent_line),
        f(r.pass_line),
        f(r.low_line),
        f(r.full_marks)
    )
}

pub(crate) struct ChartView {
    pub id: String,
    pub json: String,
    pub label: String,
}

/// One distribution chart per subject (and 总分) of a unit.
fn histograms(u: &ExamUnitStat) -> Vec<ChartView> {
    u.subjects
        .iter()
        .enumerate()
        .map(|(i, s)| ChartView {
            id: format!("chart-hist-{i}"),
            json: script_json(&charts::histogram(s)),
            label: format!("{}成绩分布直方图", s.subject),
        })
        .collect()
}

/// Drops the first column of a sheet (the 范围 of the overview sheet, on the page where the
/// table is about the district only).
fn without_first_column(mut s: Sheet) -> Sheet {
    s.headers.remove(0);
    for r in &mut s.rows {
        if !r.is_empty() {
            r.remove(0);
        }
    }
    s
}

// --- the page --------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "exam.html")]
struct DistrictPage {
    chrome: Chrome,
    exam: ExamHeader,
    /// Always `None` here (the school view keeps `?school=` in its form).
    school_param: Option<i64>,
    subjects: Vec<SubjectOption>,
    subject: String,
    headline: Option<Headline>,
    subjects_table: String,
    groups_table: String,
    urban_rural_gap: String,
    schools_table: String,
    school_count: usize,
    show_ranks: bool,
    histograms: Vec<ChartView>,
    va: VaView,
    export_href: String,
    items_href: String,
}

#[derive(Template)]
#[template(path = "exam_school.html")]
struct SchoolPage {
    chrome: Chrome,
    exam: ExamHeader,
    school_name: String,
    back_href: Option<String>,
    /// District roles: keep `?school=` in the subject form.
    school_param: Option<i64>,
    subjects: Vec<SubjectOption>,
    subject: String,
    headline: Option<Headline>,
    classes_table: String,
    class_count: usize,
    show_ranks: bool,
    own_classes_only: bool,
    school_va: Option<String>,
    histograms: Vec<ChartView>,
    va: VaView,
    export_href: String,
    items_href: String,
}

pub(crate) async fn exam(
    State(state): State<AppState>,
    me: CurrentUser,
    p: Result<Path<i64>, PathRejection>,
    q: Result<Query<ExamQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let id = ExamId(path_ids(p)?);
    let viewer = require(&me, Capability::ViewExams)?;
    // 403 for counsellors, parents and schools that did not sit the exam; 404 if none —
    // before the parameters are looked at.
    let exam = svc_exam::exam(&state.svc, &viewer, id).await?;
    let q = query(q)?;
    let subject = pick_subject(&exam, q.subject.as_deref())?;
    match focus(&state.svc, &viewer, q.school).await? {
        None => district_view(&state, &me, exam, subject).await,
        Some(s) => school_page(&state, &me, exam, s, subject, q.school).await,
    }
}

async fn district_view(
    state: &AppState,
    me: &CurrentUser,
    exam: Exam,
    subject: String,
) -> Result<Response, AppError> {
    let view = district_overview(&state.svc, &me.viewer(), &exam, &subject).await?;
    let show_ranks = view.schools.ranks_shown();
    let district = view.district();
    let urban_rural_gap = match (
        view.location_mean(Location::Urban),
        view.location_mean(Location::Rural),
    ) {
        (Some(u), Some(r)) => format!(
            "城区平均分比农村{} {} 分。",
            if u >= r { "高" } else { "低" },
            two(Some((u - r).abs()))
        ),
        _ => String::new(),
    };
    let sheet = schools_sheet(&exam, &view.schools);
    let hrefs: Vec<Option<String>> = view
        .schools
        .rows
        .iter()
        .map(|row| {
            row.school_id.map(|s| {
                format!(
                    "/exams/{}?school={s}&subject={}",
                    exam.id,
                    urlencode(&subject)
                )
            })
        })
        .collect();
    let subjects_table = match district {
        Some(d) => TableView::from_sheet(
            "subjects",
            &without_first_column(overview_sheet("", std::slice::from_ref(d))),
            usize::MAX,
            &[],
        )
        .html()?,
        None => String::new(),
    };
    let page = DistrictPage {
        chrome: Chrome::new(me, "/exams"),
        exam: ExamHeader::new(&exam),
        school_param: None,
        subjects: subject_options(&exam, &subject, true),
        headline: district
            .and_then(|d| stat(d, &subject))
            .map(|s| headline(s, None)),
        subjects_table,
        groups_table: TableView::from_sheet(
            "groups",
            &groups_sheet(&exam, &view.overview.units, &subject),
            0,
            &[],
        )
        .html()?,
        urban_rural_gap,
        schools_table: TableView::from_sheet("schools", &sheet, usize::from(show_ranks), &hrefs)
            .html()?,
        school_count: view.schools.rows.len(),
        show_ranks,
        histograms: district.map(histograms).unwrap_or_default(),
        va: VaView::build(view.va.as_ref(), "学校", &format!("{subject} 学校增值"))?,
        export_href: format!("/exams/{}/export.xlsx", exam.id),
        items_href: format!("/exams/{}/items", exam.id),
        subject,
    };
    Ok(render(&page)?.into_response())
}

/// The one-line value-added of the school itself, from the district's school model.
fn school_va_line(va: Option<&ValueAdded>, school: SchoolId) -> Option<String> {
    let r = &va?.report;
    let i = r.units.iter().position(|u| u.school_id == Some(school))?;
    let g = &r.groups[i];
    if g.suppressed {
        return Some(format!("本校匹配学生 {} 人，人数不足，不计算增值。", g.n));
    }
    let f = |v: Option<f64>| v.map_or_else(|| "—".into(), |v| super::fmt_num(v, NumFormat::Three));
    Some(format!(
        "本校增值（经验贝叶斯）{}，95%区间 [{}, {}]，{}（匹配 {} 人）。",
        f(g.shrunken),
        f(g.ci_low),
        f(g.ci_high),
        va_class_zh(g.class),
        g.n
    ))
}

async fn school_page(
    state: &AppState,
    me: &CurrentUser,
    exam: Exam,
    school: SchoolId,
    subject: String,
    school_param: Option<i64>,
) -> Result<Response, AppError> {
    let view = school_view(&state.svc, &me.viewer(), &exam, school, Some(&subject)).await?;
    let show_ranks = view.classes.ranks_shown();
    let district = view.district();
    let own = view.own.as_ref();
    let (sheet, units) = classes_sheet(
        &exam,
        &view.school_name,
        &view.classes.units,
        own,
        district,
        &subject,
        show_ranks,
    );
    let hrefs: Vec<Option<String>> = units
        .iter()
        .map(|u| {
            u.and_then(|u| u.unit.class_id)
                .filter(|c| me.scope.can_view_class(school, *c))
                .map(|c| {
                    format!(
                        "/exams/{}/schools/{school}/classes/{c}?subject={}",
                        exam.id,
                        urlencode(&subject)
                    )
                })
        })
        .collect();
    let school_q = school_param
        .map(|s| format!("?school={s}"))
        .unwrap_or_default();
    let page = SchoolPage {
        chrome: Chrome::new(me, "/exams"),
        exam: ExamHeader::new(&exam),
        school_name: view.school_name.clone(),
        back_href: school_param
            .map(|_| format!("/exams/{}?subject={}", exam.id, urlencode(&subject))),
        school_param,
        subjects: subject_options(&exam, &subject, true),
        headline: own.and_then(|u| stat(u, &subject)).map(|s| {
            headline(
                s,
                district
                    .and_then(|d| stat(d, &subject))
                    .map(|d| ("全区", d)),
            )
        }),
        classes_table: TableView::from_sheet("classes", &sheet, usize::from(show_ranks), &hrefs)
            .html()?,
        class_count: view.classes.units.len(),
        show_ranks,
        own_classes_only: matches!(me.scope, wuyu_domain::Scope::Classes { .. }),
        school_va: school_va_line(view.school_va.as_ref(), school),
        histograms: own.map(histograms).unwrap_or_default(),
        va: VaView::build(
            view.class_va.as_ref(),
            "班级",
            &format!("{subject} 班级增值"),
        )?,
        export_href: format!("/exams/{}/classes/export.xlsx{school_q}", exam.id),
        items_href: format!("/exams/{}/items{school_q}", exam.id),
        subject,
    };
    Ok(render(&page)?.into_response())
}

/// Percent-encodes a query value (subject names are Chinese).
pub(crate) fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char);
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

// --- exports ---------------------------------------------------------------------------------

/// `GET /exams/{id}/export.xlsx`: the district overview, the schools per subject and the school
/// value-added (see `wuyu_service::exam::export::overview_xlsx`). District roles only.
pub(crate) async fn export(
    State(state): State<AppState>,
    me: CurrentUser,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Response, AppError> {
    let id = ExamId(path_ids(p)?);
    let viewer = require(&me, Capability::ViewExams)?;
    // The exam first (403/404 as for its page), then the export right.
    svc_exam::exam(&state.svc, &viewer, id).await?;
    require(&me, Capability::ExportDistrictExam)?;
    Ok(xlsx_file(
        export::overview_xlsx(&state.svc, &viewer, id).await?,
    ))
}

/// `GET /exams/{id}/classes/export.xlsx?school=`: a school's class comparison, one sheet per
/// subject (and 总分), as the school's page shows it. District roles name the school.
pub(crate) async fn export_classes(
    State(state): State<AppState>,
    me: CurrentUser,
    p: Result<Path<i64>, PathRejection>,
    q: Result<Query<ExamQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let id = ExamId(path_ids(p)?);
    let viewer = require(&me, Capability::ViewExams)?;
    // The exam first: 403/404 before the parameters are looked at.
    svc_exam::exam(&state.svc, &viewer, id).await?;
    let q = query(q)?;
    Ok(xlsx_file(
        export::classes_xlsx(&state.svc, &viewer, id, q.school).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_names_are_percent_encoded() {
        assert_eq!(urlencode("总分"), "%E6%80%BB%E5%88%86");
        assert_eq!(urlencode("a b"), "a%20b");
    }
}
