//! The archive's XLSX exports: a class's records of a term (the 班主任's page) and the
//! coverage table (the coverage page), each a thin layout of the same read model the page
//! shows. Rates are written as fractions with a percentage format.
use wuyu_domain::Term;
use wuyu_report::exam::{Cell, NumFormat, Sheet, sheets_xlsx};

use super::{ClassArchive, CoverageRow};
use crate::ServiceError;

/// A workbook and its file name.
pub struct ArchiveExport {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub rows: usize,
}

/// Headers of [`class_records_xlsx`].
pub const RECORD_HEADERS: [&str; 11] = [
    "学生",
    "类别",
    "日期",
    "结束日期",
    "时长（小时）",
    "其中路程",
    "组织单位",
    "活动内容",
    "录入人",
    "状态",
    "退回原因",
];

/// Headers of [`coverage_xlsx`] after the unit column.
pub const COVERAGE_HEADERS: [&str; 7] = [
    "学生数",
    "艺术活动覆盖率",
    "校外实践覆盖率",
    "劳动时长达标率",
    "人均志愿服务时长",
    "艺术测评优秀率",
    "艺术测评合格率",
];

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn hours(t: wuyu_domain::Tenths) -> Cell {
    Cell::Number(f64::from(t.0) / 10.0, NumFormat::One)
}

fn xlsx(sheet: Sheet) -> Result<Vec<u8>, ServiceError> {
    sheets_xlsx(&[sheet]).map_err(|e| ServiceError::Internal(format!("xlsx: {e}")))
}

/// Every record of the class in the term, in every state, as the page lists them.
pub fn class_records_xlsx(a: &ClassArchive) -> Result<ArchiveExport, ServiceError> {
    let class = format!("{}{}", a.class.grade.label_zh(), a.class.name);
    let rows: Vec<Vec<Cell>> = a
        .records
        .iter()
        .map(|r| {
            vec![
                text(&r.student_name),
                text(r.category.label_zh()),
                text(r.date.to_string()),
                r.end_date.map_or(Cell::Empty, |d| text(d.to_string())),
                hours(r.hours),
                hours(r.travel),
                text(&r.organiser),
                text(&r.description),
                text(format!("{}（{}）", r.entered_by, r.entrant.label_zh())),
                text(r.state.label_zh()),
                r.return_reason.as_deref().map_or(Cell::Empty, text),
            ]
        })
        .collect();
    let n = rows.len();
    let bytes = xlsx(Sheet {
        name: "写实记录".into(),
        title: format!("{class} · 综合素质写实记录 · {}", a.term.label_zh()),
        headers: RECORD_HEADERS.map(String::from).to_vec(),
        rows,
    })?;
    Ok(ArchiveExport {
        file_name: format!("{class}-写实记录-{}.xlsx", a.term.label_zh()),
        bytes,
        rows: n,
    })
}

/// The coverage table: schools (`by_class` false) or classes.
pub fn coverage_xlsx(
    rows: &[CoverageRow],
    term: Term,
    by_class: bool,
) -> Result<ArchiveExport, ServiceError> {
    let unit = if by_class { "班级" } else { "学校" };
    let pct = |v: Option<f64>| v.map_or(Cell::Empty, |v| Cell::Number(v, NumFormat::Percent));
    let lines: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            vec![
                text(&r.label),
                Cell::Number(r.students as f64, NumFormat::Int),
                pct(r.art_coverage),
                pct(r.off_campus_rate),
                pct(r.labor_met_rate),
                r.volunteer_hours_per_student
                    .map_or(Cell::Empty, |v| Cell::Number(v, NumFormat::One)),
                pct(r.art_excellent_rate),
                pct(r.art_pass_rate),
            ]
        })
        .collect();
    let mut headers = vec![unit.to_string()];
    headers.extend(COVERAGE_HEADERS.map(String::from));
    let bytes = xlsx(Sheet {
        name: "综合素质覆盖".into(),
        title: format!("综合素质覆盖（按{unit}） · {}", term.label_zh()),
        headers,
        rows: lines,
    })?;
    Ok(ArchiveExport {
        file_name: format!("综合素质覆盖-按{unit}-{}.xlsx", term.label_zh()),
        bytes,
        rows: rows.len(),
    })
}
