//! The PE teacher's lists of a class and term, read from the [class view](super::class_view):
//! 补测名单 (who still has to be tested: no record, or items missing), 单项不及格 (every item
//! scored under 60) and 不及格学生 (等级 不及格). The page shows their counts, the export
//! writes each as a workbook.
use wuyu_domain::{Student, StudentNo, Term};
use wuyu_report::exam::{Cell, NumFormat, Sheet, sheets_xlsx};
use wuyu_standards::{FitnessItem, Level};

use super::ClassView;
use crate::ServiceError;

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassList {
    Retest,
    FailedItems,
    Failing,
}

impl ClassList {
    pub const ALL: [ClassList; 3] = [
        ClassList::Retest,
        ClassList::FailedItems,
        ClassList::Failing,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ClassList::Retest => "retest",
            ClassList::FailedItems => "failed-items",
            ClassList::Failing => "failing",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }

    pub fn title_zh(self) -> &'static str {
        match self {
            ClassList::Retest => "补测名单",
            ClassList::FailedItems => "单项不及格名单",
            ClassList::Failing => "不及格学生名单",
        }
    }

    /// The columns after 学籍号, 姓名, 性别.
    pub fn headers_zh(self) -> &'static [&'static str] {
        match self {
            ClassList::Retest => &["情况", "需补测项目"],
            ClassList::FailedItems => &["项目", "成绩", "单项得分"],
            ClassList::Failing => &["标准分", "学年总分", "不及格项目"],
        }
    }
}

/// One line of a list: the student and the list's own columns.
#[derive(Debug, Clone)]
pub struct ListLine<'a> {
    pub student: &'a Student,
    pub cells: Vec<ListCell>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ListCell {
    Text(String),
    Number(f64),
}

fn names(items: impl Iterator<Item = FitnessItem>) -> String {
    items
        .map(FitnessItem::name_zh)
        .collect::<Vec<_>>()
        .join("、")
}

/// The lines of `list` for the class view `v`, in 学籍号 order.
pub fn class_list(v: &ClassView, list: ClassList) -> Vec<ListLine<'_>> {
    let mut out = Vec::new();
    for row in &v.rows {
        let line = |cells| ListLine {
            student: &row.student,
            cells,
        };
        match (list, &row.record) {
            // 免测 students are not to be tested.
            (ClassList::Retest, None) if row.exemption.is_some() => {}
            (ClassList::Retest, None) => out.push(line(vec![
                ListCell::Text("缺测".into()),
                ListCell::Text("全部项目".into()),
            ])),
            (ClassList::Retest, Some(r)) if !r.complete => out.push(line(vec![
                ListCell::Text("缺项".into()),
                ListCell::Text(names(r.missing.iter().copied())),
            ])),
            (ClassList::FailedItems, Some(r)) => {
                for item in r.failed_items() {
                    let Some(res) = r.item(item) else { continue };
                    out.push(line(vec![
                        ListCell::Text(item.name_zh().into()),
                        ListCell::Number(res.value),
                        ListCell::Number(f64::from(res.score)),
                    ]));
                }
            }
            (ClassList::Failing, Some(r)) if r.level == Some(Level::Fail) => {
                let num = |v: Option<f64>| v.map_or(ListCell::Text("—".into()), ListCell::Number);
                out.push(line(vec![
                    num(r.standard_score),
                    num(r.year_total),
                    ListCell::Text(names(r.failed_items())),
                ]));
            }
            _ => {}
        }
    }
    out
}

/// A list as a workbook.
pub struct ListExport {
    /// e.g. `7年级1班-补测名单-2024年秋季学期.xlsx`.
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub term: Term,
    pub rows: usize,
}

/// `list` of the class view `v` as a one-sheet workbook; `student_no` writes a 学籍号 as the
/// page shows it (masked where it holds an ID number). `NotFound` without a term.
pub fn class_list_xlsx(
    v: &ClassView,
    list: ClassList,
    student_no: impl Fn(&StudentNo) -> String,
) -> Result<ListExport, ServiceError> {
    let term = v.term.ok_or(ServiceError::NotFound)?;
    let lines = class_list(v, list);
    let mut headers: Vec<String> = ["学籍号", "姓名", "性别"].map(String::from).to_vec();
    headers.extend(list.headers_zh().iter().map(|h| h.to_string()));
    let rows: Vec<Vec<Cell>> = lines
        .iter()
        .map(|l| {
            let mut row = vec![
                Cell::Text(student_no(&l.student.student_no)),
                Cell::Text(l.student.name.to_string()),
                Cell::Text(l.student.sex.label_zh().into()),
            ];
            row.extend(l.cells.iter().map(|c| match c {
                ListCell::Text(t) => Cell::Text(t.clone()),
                ListCell::Number(n) => Cell::Number(*n, NumFormat::Two),
            }));
            row
        })
        .collect();
    let class = format!("{}{}", v.class.grade.label_zh(), v.class.name);
    let sheet = Sheet {
        name: list.title_zh().into(),
        title: format!(
            "{} {class} · {} · {}",
            v.school_name,
            list.title_zh(),
            term.label_zh()
        ),
        headers,
        rows,
    };
    let bytes = sheets_xlsx(&[sheet]).map_err(|e| ServiceError::Internal(format!("xlsx: {e}")))?;
    Ok(ListExport {
        file_name: format!("{class}-{}-{}.xlsx", list.title_zh(), term.label_zh()),
        bytes,
        term,
        rows: lines.len(),
    })
}
