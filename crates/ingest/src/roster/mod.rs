/*!
Roster import: a CSV or XLSX file → a [`RosterBatch`] of validated records plus a list of
[`RowError`]s, one per bad cell, duplicate or missing column.

Which sheet holds what is decided by the sheet name (学校, 班级, 学生, 教师, 任课 or a name
containing one of them) or, for CSV and sheets named otherwise, by the header row; see
[`SheetKind`]. Columns are found by header, in any order, with the aliases of
[`schema`](crate::schema); unknown columns are ignored.

Checked here, within the file: every typed value (学籍号, 身份证号 with its check digit, dates,
性别, 年级, 学段, 城乡, 民族, 比例, …), a 身份证号 whose birth date disagrees with 出生日期, and
duplicates: 学籍号 (across all sheets), 学校代码, class (school, grade, name), 工号 within a
school, and the same assignment twice. A row with any error is left out of the batch; every
error names the file, sheet, row and column.

Not checked here: whether a class, school or teacher a row refers to exists. It may already be
in the database, so the store checks references against it inside the import transaction, using
each record's [`Origin`](wuyu_domain::Origin) to report the sheet and row. Whether the uploader may write to a
school is the caller's business too (compare the records' school codes with the user's scope).
*/
use std::fmt::Write as _;

use sha2::{Digest, Sha256};
use wuyu_domain::{BrokenKeys, RosterBatch, RowError, SchoolCode};

use crate::IngestError;
use crate::schema::SheetKind;
use crate::table::list_headers;
use crate::table::{FileFormat, Table, read_tables};

mod reader;
mod row;

use reader::Reader;

/// How to read a roster file.
#[derive(Debug, Clone, Default)]
pub struct RosterOptions {
    /// The school for rows of a sheet without a 学校代码 column (or with that cell empty), e.g.
    /// a school admin importing their own school's classes and students. Not used for the
    /// 学校 sheet, where the code is the record's key.
    pub default_school: Option<SchoolCode>,
}

/// What [`read_roster`] found in a file.
#[derive(Debug, Clone)]
pub struct RosterRead {
    /// Every row that passed all checks, in file order.
    pub batch: RosterBatch,
    /// Every problem found, in file order. Rows with errors are not in `batch`.
    pub errors: Vec<RowError>,
    /// The text encoding of a CSV ("UTF-8", "GB18030" or "UTF-16"); `None` for XLSX.
    pub encoding: Option<&'static str>,
    /// SHA-256 of the file bytes, lower-case hex, for the import log.
    pub file_sha256: String,
    /// Data rows read from recognised sheets (headers and blank rows not counted).
    pub rows_read: usize,
    /// Keys of rows left out for their errors, for the reference check of the others.
    pub broken: BrokenKeys,
}

/// Reads a roster file. `file_name` picks the format (by extension, else by content), names
/// the file in errors and, for a CSV whose header is not recognisable, hints at the sheet kind
/// (学生名册.csv).
pub fn read_roster(
    file_name: &str,
    bytes: &[u8],
    opts: &RosterOptions,
) -> Result<RosterRead, IngestError> {
    let file_sha256 = sha256_hex(bytes);
    let tables = read_tables(file_name, bytes)?;
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    let sheet_names = tables.tables.iter().map(|t| t.name.as_str()).collect();
    let mut r = Reader::new(file_name, opts, sheet_names);
    let mut recognised = 0;
    for (index, table) in tables.tables.iter().enumerate() {
        let kind = match tables.format {
            FileFormat::Csv => {
                SheetKind::from_headers(&table.header).or_else(|| SheetKind::from_sheet_name(stem))
            }
            FileFormat::Xlsx => SheetKind::from_sheet_name(&table.name)
                .or_else(|| SheetKind::from_headers(&table.header)),
        };
        match kind {
            Some(kind) => {
                recognised += 1;
                r.read_sheet(index, kind, table);
            }
            // Empty sheets, hidden lookup lists and instructions carry no roster data.
            None if table.header_row == 0 || table.hidden || table.name.contains("说明") => {}
            None => r.errors.push(RowError {
                file: file_name.to_string(),
                sheet: table.name.clone(),
                row: 0,
                column: String::new(),
                value: String::new(),
                message_zh: format!(
                    "无法识别这张工作表的内容，未导入（表头：{}）。如需导入，请把工作表命名为 学校 / 班级 / 学生 / 教师 / 任课 之一；如不需要，请删除该工作表",
                    list_headers(&table.header)
                ),
            }),
        }
    }
    if recognised == 0 {
        return Err(IngestError::NoRosterSheet {
            found: describe_tables(tables.format, &tables.tables),
        });
    }
    wuyu_domain::shorten_values(&mut r.errors);
    Ok(RosterRead {
        batch: r.batch,
        errors: r.errors,
        encoding: tables.encoding,
        file_sha256,
        rows_read: r.rows_read,
        broken: r.broken,
    })
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for b in digest {
        write!(hex, "{b:02x}").expect("write to String");
    }
    hex
}

fn describe_tables(format: FileFormat, tables: &[Table]) -> String {
    let parts: Vec<String> = tables
        .iter()
        .filter(|t| t.header_row != 0)
        .map(|t| match format {
            FileFormat::Csv => format!("表头为 {}", list_headers(&t.header)),
            FileFormat::Xlsx => format!("工作表“{}”的表头为 {}", t.name, list_headers(&t.header)),
        })
        .collect();
    if parts.is_empty() {
        "文件中没有任何数据".to_string()
    } else {
        parts.join("；")
    }
}
