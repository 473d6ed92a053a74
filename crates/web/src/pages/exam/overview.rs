//! `/exams/{id}`: for district roles the district overview (headline 三率一分 per subject,
//! 城乡 and 学段, every school with composite, rank and gaps, score distributions, the
//! value-added caterpillar plot); for school admins and teachers — and for district roles with
//! `?school=` — one school's class comparison with the parallel classes and class value-added.
//! `/exams/{id}/export.xlsx` and `/exams/{id}/classes/export.xlsx` export those tables.
use askama::Template;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use wuyu_analytics::round::round_half_away;
use wuyu_domain::{Exam, ExamId, Location, SchoolId};
use wuyu_report::exam::{Sheet, UnitColumns, UnitLine, overview_sheet, unit_sheet};
use wuyu_store::exam::TOTAL;
use wuyu_store::{ExamUnitFilter, ExamUnitKind, ExamUnitStat, SubjectStat, ValueAddedReport};

use super::{
    ExamQuery, SubjectOption, TableView, VaView, charts, focus_school, level_zh, optional, pct,
    pick_subject, query, subject_options, subjects_label, two, va_class_zh, xlsx_error,
    xlsx_response,
};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::fitness::shows_ranks;
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

/// A unit's statistic in one subject.
pub(crate) fn stat<'a>(u: &'a ExamUnitStat, subject: &str) -> Option<&'a SubjectStat> {
    u.subjects.iter().find(|s| s.subject == subject)
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
    let f = |x: f64| super::fmt_full(round_half_away(x, 2));
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

fn teachers_label(u: &ExamUnitStat, subject: &str) -> String {
    if subject == TOTAL {
        u.teachers
            .iter()
            .flat_map(|(s, names)| names.iter().map(move |n| format!("{s}·{n}")))
            .collect::<Vec<_>>()
            .join("、")
    } else {
        u.teachers
            .iter()
            .filter(|(s, _)| s == subject)
            .flat_map(|(_, names)| names.iter().cloned())
            .collect::<Vec<_>>()
            .join("、")
    }
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

// --- the tables (page and export) ------------------------------------------------------------

/// The schools of the district in one subject, ranked (and ordered by rank) when `ranks`.
pub(crate) fn schools_sheet(
    exam: &Exam,
    schools: &[ExamUnitStat],
    subject: &str,
    ranks: bool,
) -> (Sheet, Vec<usize>) {
    let mut order: Vec<usize> = (0..schools.len())
        .filter(|&i| stat(&schools[i], subject).is_some())
        .collect();
    if ranks {
        order.sort_by_key(|&i| {
            stat(&schools[i], subject)
                .and_then(|s| s.rank)
                .unwrap_or(u32::MAX)
        });
    }
    let lines: Vec<UnitLine<'_>> = order
        .iter()
        .filter_map(|&i| {
            let u = &schools[i];
            stat(u, subject).map(|s| UnitLine {
                label: u.unit.name.clone(),
                location: u
                    .unit
                    .location
                    .map(Location::label_zh)
                    .unwrap_or("")
                    .to_string(),
                teachers: String::new(),
                stat: s,
                diff_to_grade: None,
            })
        })
        .collect();
    let sheet = unit_sheet(
        subject,
        &format!("{} · {subject} · 各校三率一分", exam.name),
        "学校",
        UnitColumns {
            rank: ranks,
            location: true,
            teachers: false,
            diff_to_grade: false,
        },
        &lines,
    );
    (sheet, order)
}

/// 城区/农村 and each stage in one subject.
fn groups_sheet(exam: &Exam, overview: &[ExamUnitStat], subject: &str) -> Sheet {
    let lines: Vec<UnitLine<'_>> = overview
        .iter()
        .filter(|u| u.unit.kind != ExamUnitKind::District)
        .filter_map(|u| {
            stat(u, subject).map(|s| UnitLine {
                label: u.unit.name.clone(),
                location: String::new(),
                teachers: String::new(),
                stat: s,
                diff_to_grade: None,
            })
        })
        .collect();
    unit_sheet(
        subject,
        &format!("{} · {subject} · 城乡与学段", exam.name),
        "分组",
        UnitColumns::default(),
        &lines,
    )
}

/// A school's classes in one subject, each against the school's (the grade's) mean, then the
/// school's and the district's rows for comparison. Returns the sheet and, per row, the class
/// unit (`None` for the comparison rows).
pub(crate) fn classes_sheet<'a>(
    exam: &Exam,
    school_name: &str,
    classes: &'a [ExamUnitStat],
    school: Option<&'a ExamUnitStat>,
    district: Option<&'a ExamUnitStat>,
    subject: &str,
    ranks: bool,
) -> (Sheet, Vec<Option<&'a ExamUnitStat>>) {
    let grade_mean = school
        .and_then(|u| stat(u, subject))
        .and_then(|s| s.rates.mean)
        .map(|m| round_half_away(m, 2));
    // Comparison rows carry no rank: they are not classes.
    let comparison: Vec<(&str, SubjectStat)> = [("本校年级平均", school), ("全区", district)]
        .into_iter()
        .filter_map(|(label, u)| {
            u.and_then(|u| stat(u, subject)).map(|s| {
                let mut s = s.clone();
                s.rank = None;
                (label, s)
            })
        })
        .collect();
    let mut lines = Vec::new();
    let mut units = Vec::new();
    for u in classes {
        if let Some(s) = stat(u, subject) {
            lines.push(UnitLine {
                label: u.unit.name.clone(),
                location: String::new(),
                teachers: teachers_label(u, subject),
                stat: s,
                // Compared at the displayed precision (spec §0.2 and §5.3).
                diff_to_grade: s
                    .rates
                    .mean
                    .zip(grade_mean)
                    .map(|(m, g)| round_half_away(round_half_away(m, 2) - g, 2)),
            });
            units.push(Some(u));
        }
    }
    for (label, s) in &comparison {
        lines.push(UnitLine {
            label: (*label).to_string(),
            location: String::new(),
            teachers: String::new(),
            stat: s,
            diff_to_grade: None,
        });
        units.push(None);
    }
    let mut sheet = unit_sheet(
        subject,
        &format!("{} · {school_name} · {subject} · 班级比较", exam.name),
        "班级",
        UnitColumns {
            rank: ranks,
            location: false,
            teachers: true,
            diff_to_grade: true,
        },
        &lines,
    );
    if ranks {
        sheet.headers[0] = "年级内排名".into();
    }
    (sheet, units)
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
    // 403 for counsellors, parents and schools that did not sit the exam; 404 if none —
    // before the parameters are looked at.
    let exam = state.store.exam(&me.scope, id).await?;
    let q = query(q)?;
    let subject = pick_subject(&exam, q.subject.as_deref())?;
    let focus = focus_school(&state, &me.scope, q.school).await?;
    let show_ranks = shows_ranks(&state, me.role()).await?;
    match focus {
        None => district_view(&state, &me, exam, subject, show_ranks).await,
        Some(s) => school_view(&state, &me, exam, s, subject, show_ranks, q.school).await,
    }
}

async fn district_view(
    state: &AppState,
    me: &CurrentUser,
    exam: Exam,
    subject: String,
    show_ranks: bool,
) -> Result<Response, AppError> {
    let overview = state
        .store
        .exam_unit_stats(&me.scope, exam.id, ExamUnitFilter::Overview)
        .await?;
    let schools = state
        .store
        .exam_unit_stats(&me.scope, exam.id, ExamUnitFilter::Schools)
        .await?;
    let va = optional(
        state
            .store
            .exam_value_added(&me.scope, exam.id, &subject, ExamUnitKind::School, None)
            .await,
    )?;
    let district = overview
        .iter()
        .find(|u| u.unit.kind == ExamUnitKind::District);
    let mean_of = |loc: Location| {
        overview
            .iter()
            .find(|u| u.unit.kind == ExamUnitKind::Location && u.unit.location == Some(loc))
            .and_then(|u| stat(u, &subject))
            .and_then(|s| s.rates.mean)
            .map(|m| round_half_away(m, 2))
    };
    let urban_rural_gap = match (mean_of(Location::Urban), mean_of(Location::Rural)) {
        (Some(u), Some(r)) => format!(
            "城区平均分比农村{} {} 分。",
            if u >= r { "高" } else { "低" },
            two(Some((u - r).abs()))
        ),
        _ => String::new(),
    };
    let (schools_sheet, order) = schools_sheet(&exam, &schools, &subject, show_ranks);
    let hrefs: Vec<Option<String>> = order
        .iter()
        .map(|&i| {
            schools[i].unit.school_id.map(|s| {
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
            &groups_sheet(&exam, &overview, &subject),
            0,
            &[],
        )
        .html()?,
        urban_rural_gap,
        schools_table: TableView::from_sheet(
            "schools",
            &schools_sheet,
            usize::from(show_ranks),
            &hrefs,
        )
        .html()?,
        school_count: order.len(),
        show_ranks,
        histograms: district.map(histograms).unwrap_or_default(),
        va: VaView::build(
            va.as_ref(),
            show_ranks,
            "学校",
            &format!("{subject} 学校增值"),
        )?,
        export_href: format!("/exams/{}/export.xlsx", exam.id),
        items_href: format!("/exams/{}/items", exam.id),
        subject,
    };
    Ok(render(&page)?.into_response())
}

/// The one-line value-added of the school itself, from the district's school model.
fn school_va_line(report: Option<&ValueAddedReport>, school: SchoolId) -> Option<String> {
    let r = report?;
    let i = r.units.iter().position(|u| u.school_id == Some(school))?;
    let g = &r.groups[i];
    if g.suppressed {
        return Some(format!("本校匹配学生 {} 人，人数不足，不计算增值。", g.n));
    }
    let f = |v: Option<f64>| {
        v.map_or_else(
            || "—".into(),
            |v| super::fmt_num(v, wuyu_report::exam::NumFormat::Three),
        )
    };
    Some(format!(
        "本校增值（经验贝叶斯）{}，95%区间 [{}, {}]，{}（匹配 {} 人）。",
        f(g.shrunken),
        f(g.ci_low),
        f(g.ci_high),
        va_class_zh(g.class),
        g.n
    ))
}

async fn school_view(
    state: &AppState,
    me: &CurrentUser,
    exam: Exam,
    school: SchoolId,
    subject: String,
    show_ranks: bool,
    school_param: Option<i64>,
) -> Result<Response, AppError> {
    let school_name = state.store.school(&me.scope, school).await?.name;
    let overview = state
        .store
        .exam_unit_stats(&me.scope, exam.id, ExamUnitFilter::Overview)
        .await?;
    let schools = state
        .store
        .exam_unit_stats(&me.scope, exam.id, ExamUnitFilter::Schools)
        .await?;
    let classes = state
        .store
        .exam_unit_stats(&me.scope, exam.id, ExamUnitFilter::Classes(school))
        .await?;
    let class_va = optional(
        state
            .store
            .exam_value_added(
                &me.scope,
                exam.id,
                &subject,
                ExamUnitKind::Class,
                Some(school),
            )
            .await,
    )?;
    let school_va = optional(
        state
            .store
            .exam_value_added(&me.scope, exam.id, &subject, ExamUnitKind::School, None)
            .await,
    )?;
    let district = overview
        .iter()
        .find(|u| u.unit.kind == ExamUnitKind::District);
    let own = schools.iter().find(|u| u.unit.school_id == Some(school));
    let (sheet, units) = classes_sheet(
        &exam,
        &school_name,
        &classes,
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
        school_name,
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
        class_count: classes.len(),
        show_ranks,
        own_classes_only: matches!(me.scope, wuyu_domain::Scope::Classes { .. }),
        school_va: school_va_line(school_va.as_ref(), school),
        histograms: own.map(histograms).unwrap_or_default(),
        va: VaView::build(
            class_va.as_ref(),
            show_ranks,
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

/// `GET /exams/{id}/export.xlsx`: the district overview (全区, 城乡, 学段 in every subject), one
/// sheet of schools per subject (and 总分) as the page shows them, and the school value-added
/// of 总分. District roles only (a school's roles export their class comparison).
pub(crate) async fn export(
    State(state): State<AppState>,
    me: CurrentUser,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Response, AppError> {
    let id = ExamId(path_ids(p)?);
    let exam = state.store.exam(&me.scope, id).await?;
    if !me.scope.is_district() {
        return Err(AppError::Forbidden);
    }
    let show_ranks = shows_ranks(&state, me.role()).await?;
    let overview = state
        .store
        .exam_unit_stats(&me.scope, id, ExamUnitFilter::Overview)
        .await?;
    let schools = state
        .store
        .exam_unit_stats(&me.scope, id, ExamUnitFilter::Schools)
        .await?;
    let mut sheets = vec![overview_sheet(
        &format!("{} · 全区概况", exam.name),
        &overview,
    )];
    for subject in
        std::iter::once(TOTAL.to_string()).chain(exam.subjects.iter().map(|s| s.name.clone()))
    {
        sheets.push(schools_sheet(&exam, &schools, &subject, show_ranks).0);
    }
    if let Some(va) = optional(
        state
            .store
            .exam_value_added(&me.scope, id, TOTAL, ExamUnitKind::School, None)
            .await,
    )? {
        let sorted = show_ranks && va.rankable != Some(false);
        let order = super::va_order(&va, sorted);
        let ranks = super::va_ranks(&va.groups);
        sheets.push(super::va_sheet(
            &va,
            &order,
            sorted.then_some(ranks.as_slice()),
            "学校",
        ));
    }
    let bytes = wuyu_report::exam::sheets_xlsx(&sheets).map_err(xlsx_error)?;
    Ok(xlsx_response(bytes, &format!("exam-{id}-overview.xlsx")))
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
    let exam = state.store.exam(&me.scope, id).await?;
    let q = query(q)?;
    let school = focus_school(&state, &me.scope, q.school)
        .await?
        .ok_or(AppError::BadRequest)?;
    let show_ranks = shows_ranks(&state, me.role()).await?;
    let school_name = state.store.school(&me.scope, school).await?.name;
    let overview = state
        .store
        .exam_unit_stats(&me.scope, id, ExamUnitFilter::Overview)
        .await?;
    let schools = state
        .store
        .exam_unit_stats(&me.scope, id, ExamUnitFilter::Schools)
        .await?;
    let classes = state
        .store
        .exam_unit_stats(&me.scope, id, ExamUnitFilter::Classes(school))
        .await?;
    let district = overview
        .iter()
        .find(|u| u.unit.kind == ExamUnitKind::District);
    let own = schools.iter().find(|u| u.unit.school_id == Some(school));
    let sheets: Vec<Sheet> = std::iter::once(TOTAL.to_string())
        .chain(exam.subjects.iter().map(|s| s.name.clone()))
        .map(|subject| {
            classes_sheet(
                &exam,
                &school_name,
                &classes,
                own,
                district,
                &subject,
                show_ranks,
            )
            .0
        })
        .collect();
    let bytes = wuyu_report::exam::sheets_xlsx(&sheets).map_err(xlsx_error)?;
    Ok(xlsx_response(
        bytes,
        &format!("exam-{id}-school-{school}-classes.xlsx"),
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
