//! The exam tables as sheets (cells with numbers and their display format): the page shows a
//! sheet's cells formatted by `wuyu_monitor::display`, the export writes the same sheet, so a
//! page and its export cannot disagree.
use wuyu_analytics::value_added::VaClass;
use wuyu_domain::{Exam, Location};
use wuyu_monitor::display::{Precision, shown};
use wuyu_report::exam::{UnitColumns, UnitLine, unit_sheet};
use wuyu_store::exam::TOTAL;
use wuyu_store::{ExamUnitKind, ExamUnitStat, SubjectStat};

use super::overview::{SchoolsTable, stat};
use super::va::ValueAdded;

/// The sheet vocabulary and labels the edges render, so they need no writer of their own.
pub use wuyu_report::exam::{
    Cell, ITEM_HEADERS, NumFormat, Sheet, alert_status_zh, borderline_label, event_outcome_zh,
    item_flags, overview_sheet,
};

/// The schools of the district in one subject, with a rank column when ranks are shown.
pub fn schools_sheet(exam: &Exam, table: &SchoolsTable) -> Sheet {
    let lines: Vec<UnitLine<'_>> = table
        .rows
        .iter()
        .map(|l| UnitLine {
            label: l.name.clone(),
            location: l.location.map(Location::label_zh).unwrap_or("").to_string(),
            teachers: String::new(),
            stat: &l.stat,
            diff_to_grade: None,
        })
        .collect();
    unit_sheet(
        &table.subject,
        &format!("{} · {} · 各校三率一分", exam.name, table.subject),
        "学校",
        UnitColumns {
            rank: table.ranks_shown(),
            location: true,
            teachers: false,
            diff_to_grade: false,
        },
        &lines,
    )
}

/// 城区/农村 and each stage in one subject.
pub fn groups_sheet(exam: &Exam, overview: &[ExamUnitStat], subject: &str) -> Sheet {
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

/// "语文·张老师、数学·李老师" for 总分, the subject's teachers otherwise.
pub fn teachers_label(u: &ExamUnitStat, subject: &str) -> String {
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

/// A school's classes in one subject, each against the school's (the grade's) mean, then the
/// school's and the district's rows for comparison. Returns the sheet and, per row, the class
/// unit (`None` for the comparison rows).
pub fn classes_sheet<'a>(
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
        .map(|m| shown(m, Precision::Two));
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
                    .map(|(m, g)| shown(shown(m, Precision::Two) - g, Precision::Two)),
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

pub fn va_class_zh(c: Option<VaClass>) -> &'static str {
    match c {
        Some(VaClass::Above) => "显著高于平均",
        Some(VaClass::Below) => "显著低于平均",
        Some(VaClass::Ns) => "与平均无显著差异",
        None => "人数不足，不判定",
    }
}

/// The message shown instead of ranks when the store finds no between-unit variation.
pub fn not_rankable_zh(level: ExamUnitKind) -> &'static str {
    match level {
        ExamUnitKind::Class => "班级间无可检测差异，不排名",
        _ => "学校间无可检测差异，不排名",
    }
}

/// The value-added table (same for page and export): units in display order, with a rank
/// column when ranked.
pub fn va_sheet(va: &ValueAdded, unit_header: &str) -> Sheet {
    let report = &va.report;
    let mut headers: Vec<String> = Vec::new();
    if va.ranked {
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
    let rows = va
        .order
        .iter()
        .map(|&i| {
            let g = &report.groups[i];
            let name = report
                .units
                .get(i)
                .map(|u| u.name.clone())
                .unwrap_or_else(|| g.group.clone());
            let mut row = Vec::new();
            if va.ranked {
                row.push(
                    va.rank(i)
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
