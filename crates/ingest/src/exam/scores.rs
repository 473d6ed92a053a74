//! Score sheets: one row per student, one column per subject (see the [module docs](super)).
use wuyu_domain::{Exam, ExamScoreBatch, NewExamScoreRow, Origin, RowError, SubjectMark};

use super::subjects::{HeaderKind, classify};
use super::{
    BadCell, CandidateNumbers, Cell, Ctx, SeenStudents, fmt_num, list_headers, parse_cell,
    pick_sheet, plain_number, read_student_no, require_student_no, same_points,
};
use crate::IngestError;
use crate::names::{NamedRow, name_column, named_row};
use crate::roster::sha256_hex;
use crate::table::read_tables;

/// What [`read_exam_scores`] found in a file.
#[derive(Debug, Clone)]
pub struct ExamScoresRead {
    /// The rows without errors, in file order. Import it only when `errors` is empty.
    pub batch: ExamScoreBatch,
    /// Every problem found, in file order (header problems first).
    pub errors: Vec<RowError>,
    /// The text encoding of a CSV ("UTF-8", "GB18030" or "UTF-16"); `None` for XLSX.
    pub encoding: Option<&'static str>,
    /// SHA-256 of the file bytes, lower-case hex, for the import log.
    pub file_sha256: String,
    /// The worksheet read (empty for CSV).
    pub sheet: String,
    /// Data rows of the sheet (blank rows not counted).
    pub rows_read: usize,
    /// Headers that are neither 学籍号 nor a subject (姓名, 班级, 考号, 总分 …), passed over.
    pub ignored_columns: Vec<String>,
    /// The 姓名 of each row that has one, to check against the roster before writing.
    pub names: Vec<NamedRow>,
}

/// Reads a score sheet for `exam`: see the [module docs](super) for the layout and values.
/// `Err` only when the file cannot be read at all; every problem with a header, row or cell is
/// in [`ExamScoresRead::errors`].
pub fn read_exam_scores(
    bytes: &[u8],
    file_name: &str,
    exam: &Exam,
) -> Result<ExamScoresRead, IngestError> {
    read_exam_scores_keyed(bytes, file_name, exam, &CandidateNumbers::default())
}

/// [`read_exam_scores`] for an exam with a 考号 list: a sheet with a 考号 column and no 学籍号
/// column is matched through `candidates`.
pub fn read_exam_scores_keyed(
    bytes: &[u8],
    file_name: &str,
    exam: &Exam,
    candidates: &CandidateNumbers,
) -> Result<ExamScoresRead, IngestError> {
    let file_sha256 = sha256_hex(bytes);
    let tables = read_tables(file_name, bytes)?;
    let mut out = ExamScoresRead {
        batch: ExamScoreBatch {
            exam: exam.id,
            subjects: Vec::new(),
            rows: Vec::new(),
        },
        errors: Vec::new(),
        encoding: tables.encoding,
        file_sha256,
        sheet: String::new(),
        rows_read: 0,
        ignored_columns: Vec::new(),
        names: Vec::new(),
    };
    let Some(index) = pick_sheet(&tables, &["成绩", "分数", "得分"], None) else {
        out.errors.push(RowError {
            file: file_name.to_string(),
            sheet: String::new(),
            row: 0,
            column: String::new(),
            value: String::new(),
            message_zh: "文件中没有可读的工作表".to_string(),
        });
        return Ok(out);
    };
    let table = &tables.tables[index];
    out.sheet = table.name.clone();
    out.rows_read = table.len();
    let mut cx = Ctx::new(file_name, &table.name);
    cx.candidates = Some(candidates);
    let Some(no_col) = require_student_no(&mut cx, table, "成绩表") else {
        out.errors = cx.errors;
        return Ok(out);
    };

    // Header: which column holds which of the exam's subjects.
    let mut columns: Vec<(usize, usize)> = Vec::new(); // (column, exam subject index)
    let mut foreign = false;
    for (c, h) in table.header.iter().enumerate() {
        if c == no_col || h.is_empty() {
            continue;
        }
        match classify(h, exam) {
            HeaderKind::Subject(s) => {
                if let Some(&(first, _)) = columns.iter().find(|&&(_, t)| t == s) {
                    cx.push(
                        table.header_row,
                        h,
                        "",
                        format!(
                            "列“{h}”与第 {} 列“{}”都是 {} 的成绩：每科只能有一列，请删除多余的一列",
                            first + 1,
                            table.header[first],
                            exam.subjects[s].name
                        ),
                    );
                } else {
                    columns.push((c, s));
                }
                let subject = &exam.subjects[s];
                if let Some(stated) = stated_full_marks(h)
                    && !same_points(stated, subject.full_marks)
                {
                    cx.push(
                        table.header_row,
                        h,
                        "",
                        format!(
                            "列名“{h}”注明满分 {} 分，但考试“{}”中 {} 的满分为 {} 分：请确认选对了考试，或改正列名",
                            fmt_num(stated),
                            exam.name,
                            subject.name,
                            fmt_num(subject.full_marks)
                        ),
                    );
                }
            }
            HeaderKind::ForeignSubject(name) => {
                foreign = true;
                cx.push(
                    table.header_row,
                    h,
                    "",
                    format!(
                        "考试“{}”没有科目“{name}”（本次考试的科目：{}）：请删除这一列；如果本次考试确有这一科，请先在考试设置中加上该科目及满分",
                        exam.name,
                        subject_list(exam)
                    ),
                );
            }
            HeaderKind::Other => out.ignored_columns.push(h.clone()),
        }
    }
    if columns.is_empty() {
        if !foreign {
            cx.push(
                table.header_row,
                "",
                "",
                format!(
                    "成绩表中没有本次考试科目的列：本次考试的科目为 {}，表头中现有的列：{}。列名应为科目名称，如“语文”或“语文成绩”",
                    subject_list(exam),
                    list_headers(&table.header)
                ),
            );
        }
        out.errors = cx.errors;
        return Ok(out);
    }
    out.batch.subjects = columns
        .iter()
        .map(|&(_, s)| exam.subjects[s].name.clone())
        .collect();

    let no_header = table.header[no_col].as_str();
    let name_col = name_column(table);
    let mut seen = SeenStudents::with_capacity(table.len());
    out.batch.rows.reserve(table.len());
    for row in table.rows() {
        let errors_before = cx.errors.len();
        let no = read_student_no(&mut cx, table, &row, no_col);
        let mut marks = Vec::with_capacity(columns.len());
        for &(c, s) in &columns {
            let subject = &exam.subjects[s];
            let header = table.header[c].as_str();
            if let Some(issue) = row.issue(c) {
                let msg = format!("{}成绩：{}", subject.name, issue.message_zh);
                cx.push(row.number, header, &issue.value, msg);
                continue;
            }
            let v = row.get(c);
            let full = || fmt_num(subject.full_marks);
            match parse_cell(v) {
                Ok(Cell::Blank) => marks.push(None),
                Ok(Cell::Absent) => marks.push(Some(SubjectMark::Absent)),
                Ok(Cell::Number(n)) if n > subject.full_marks => cx.push(
                    row.number,
                    header,
                    v,
                    format!(
                        "{}成绩 {v} 超过本科满分 {} 分：请核对成绩（满分在创建考试时设定）",
                        subject.name,
                        full()
                    ),
                ),
                Ok(Cell::Number(n)) => marks.push(Some(SubjectMark::Score(n))),
                Err(BadCell::Negative) => cx.push(
                    row.number,
                    header,
                    v,
                    format!(
                        "{}成绩不能为负数：请填写 0–{} 之间的分数",
                        subject.name,
                        full()
                    ),
                ),
                Err(BadCell::Unreadable) => cx.push(
                    row.number,
                    header,
                    v,
                    format!(
                        "{}成绩“{v}”无法识别：请填写 0–{} 之间的分数（可以有小数，如 87.5），缺考填“缺考”，未参加这一科留空",
                        subject.name,
                        full()
                    ),
                ),
            }
        }
        let Some(no) = no else { continue };
        if !seen.first(&mut cx, no_header, &no, row.get(no_col), row.number)
            || cx.errors.len() > errors_before
        {
            continue;
        }
        out.names.extend(named_row(table, name_col, &row, &no));
        out.batch.rows.push(NewExamScoreRow {
            origin: Origin {
                sheet: table.name.clone(),
                row: row.number,
            },
            student_no: no,
            marks,
        });
    }
    out.errors = cx.errors;
    wuyu_domain::shorten_values(&mut out.errors);
    Ok(out)
}

/// The full marks a header states in brackets: `数学(120分)`, `数学（满分120）`, `英语[150]`.
fn stated_full_marks(header: &str) -> Option<f64> {
    let open = header.find(['(', '（', '[', '【'])?;
    let bracket = header[open..].chars().next()?;
    let rest = &header[open + bracket.len_utf8()..];
    let close = rest.find([')', '）', ']', '】'])?;
    let t = rest[..close].trim();
    let t = t.strip_prefix("满分").unwrap_or(t).trim();
    let t = t.strip_suffix('分').unwrap_or(t).trim();
    let t = t.strip_prefix(['：', ':']).unwrap_or(t).trim();
    plain_number(t)
}

/// "语文（120 分）、数学（120 分）".
pub(super) fn subject_list(exam: &Exam) -> String {
    exam.subjects
        .iter()
        .map(|s| format!("{}（{} 分）", s.name, fmt_num(s.full_marks)))
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
mod tests {
    use super::stated_full_marks;

    #[test]
    fn full_marks_stated_in_a_header() {
        assert_eq!(stated_full_marks("数学(120分)"), Some(120.0));
        assert_eq!(stated_full_marks("数学（满分120）"), Some(120.0));
        assert_eq!(stated_full_marks("英语【满分：150分】"), Some(150.0));
        assert_eq!(stated_full_marks("物理[70]"), Some(70.0));
        assert_eq!(stated_full_marks("数学"), None);
        assert_eq!(stated_full_marks("数学(A卷)"), None);
        assert_eq!(stated_full_marks("数学(120"), None);
    }
}
