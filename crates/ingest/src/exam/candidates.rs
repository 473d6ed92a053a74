//! An exam's 考号 list (考号表): one row per student, 学籍号 and 考号, as a school or the
//! marking system exports it. Every row is checked; a 学籍号 or 考号 twice is an error.
use std::collections::HashMap;

use wuyu_domain::{NewCandidate, Origin, RowError, parse_candidate_no};

use super::{
    CANDIDATE_HEADERS, Ctx, SeenStudents, pick_sheet, read_student_no, require_student_no,
};
use crate::IngestError;
use crate::names::{NamedRow, name_column, named_row};
use crate::schema::normalize_header;
use crate::table::read_tables;

/// What [`read_exam_candidates`] found in a file.
#[derive(Debug, Clone, Default)]
pub struct CandidatesRead {
    /// The rows without errors, in file order. Import them only when `errors` is empty.
    pub rows: Vec<NewCandidate>,
    pub errors: Vec<RowError>,
    /// The text encoding of a CSV; `None` for XLSX.
    pub encoding: Option<&'static str>,
    /// The worksheet read (empty for CSV).
    pub sheet: String,
    /// The 姓名 of each row that has one, to check against the roster.
    pub names: Vec<NamedRow>,
}

/// Reads a 考号 list. `Err` only when the file cannot be read at all.
pub fn read_exam_candidates(bytes: &[u8], file_name: &str) -> Result<CandidatesRead, IngestError> {
    let tables = read_tables(file_name, bytes)?;
    let mut out = CandidatesRead {
        encoding: tables.encoding,
        ..CandidatesRead::default()
    };
    let Some(index) = pick_sheet(&tables, &["考号", "考号表"], None) else {
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
    let mut cx = Ctx::new(file_name, &table.name);
    let Some(no_col) = require_student_no(&mut cx, table, "考号表") else {
        out.errors = cx.errors;
        return Ok(out);
    };
    let Some(cand_col) = table
        .header
        .iter()
        .position(|h| CANDIDATE_HEADERS.contains(&normalize_header(h).as_str()))
    else {
        cx.push(
            table.header_row,
            "考号",
            "",
            "考号表缺少“考号”列（也可写作 准考证号、考生号）：每行一名学生的学籍号和考号".into(),
        );
        out.errors = cx.errors;
        return Ok(out);
    };
    let name_col = name_column(table);
    let no_header = table.header[no_col].as_str();
    let cand_header = table.header[cand_col].as_str();
    let mut seen = SeenStudents::with_capacity(table.len());
    let mut seen_cand: HashMap<String, u32> = HashMap::with_capacity(table.len());
    for row in table.rows() {
        let errors_before = cx.errors.len();
        let no = read_student_no(&mut cx, table, &row, no_col);
        let raw = row.get(cand_col);
        let cand = match (row.issue(cand_col), parse_candidate_no(raw)) {
            (Some(issue), _) => {
                let msg = format!("考号：{}", issue.message_zh);
                cx.push(row.number, cand_header, &issue.value, msg);
                None
            }
            (None, Err(e)) => {
                let msg = format!("考号无效：{e}（应为 1–30 位英文字母、数字或横线）");
                cx.push(row.number, cand_header, raw, msg);
                None
            }
            (None, Ok(c)) => match seen_cand.get(&c) {
                Some(&earlier) => {
                    let msg = format!("考号 {c} 与第 {earlier} 行重复：一个考号只能对应一名学生");
                    cx.push(row.number, cand_header, raw, msg);
                    None
                }
                None => {
                    seen_cand.insert(c.clone(), row.number);
                    Some(c)
                }
            },
        };
        let (Some(no), Some(cand)) = (no, cand) else {
            continue;
        };
        if !seen.first(&mut cx, no_header, &no, row.get(no_col), row.number)
            || cx.errors.len() > errors_before
        {
            continue;
        }
        out.names.extend(named_row(table, name_col, &row, &no));
        out.rows.push(NewCandidate {
            origin: Origin {
                sheet: table.name.clone(),
                row: row.number,
            },
            student_no: no,
            candidate_no: cand,
        });
    }
    if cx.errors.is_empty() && out.rows.is_empty() {
        cx.push(
            0,
            "",
            "",
            "考号表中没有数据行（只有表头或全是空行），未导入".into(),
        );
    }
    out.errors = cx.errors;
    wuyu_domain::shorten_values(&mut out.errors);
    Ok(out)
}
