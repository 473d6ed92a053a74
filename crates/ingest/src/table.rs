/*!
A format-neutral sheet: a name, a trimmed header row and numbered rows of text cells, read from
CSV (any encoding [`decode`](crate::decode()) understands) or from every worksheet of an XLSX.

Row numbers are the ones a user sees in Excel (the header is usually row 1), so error lists can
point at cells. Fully blank rows are skipped but still counted, and so are title rows (one
filled cell) above the header. Cells live in one string buffer per sheet with an offset per
cell, so a million-row CSV costs a few large allocations rather than ten million small ones.

XLSX cells are turned into the text a user typed: integers without ".0", dates as yyyy-mm-dd,
other numbers as Excel displays them (15 significant digits). A number too long for Excel's 15
significant digits (a 身份证号 typed as a number) has already lost digits in the file; such cells
become [`CellIssue`]s instead of text, because a wrong ID is worse than a missing one.
*/
use std::io::Cursor;

use calamine::{Data, Reader, SheetType, SheetVisible, Xlsx};

use crate::IngestError;
use crate::decode::decode;

/// The container format of an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Comma- or tab-separated text.
    Csv,
    /// Office Open XML workbook (.xlsx, .xlsm).
    Xlsx,
}

/// Picks the format from the file extension, falling back to the content: a ZIP header means
/// XLSX, an OLE header means a legacy .xls (rejected with advice), anything else is text.
pub fn detect_format(file_name: &str, bytes: &[u8]) -> Result<FileFormat, IngestError> {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "txt" | "tsv" => return Ok(FileFormat::Csv),
        "xlsx" | "xlsm" => return Ok(FileFormat::Xlsx),
        "xls" => return Err(IngestError::LegacyXls),
        _ => {}
    }
    if bytes.starts_with(b"PK\x03\x04") {
        Ok(FileFormat::Xlsx)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Err(IngestError::LegacyXls)
    } else if looks_like_text(bytes) {
        Ok(FileFormat::Csv)
    } else {
        Err(IngestError::UnknownFormat {
            file_name: file_name.to_string(),
        })
    }
}

/// Text has no NUL bytes (except UTF-16, which announces itself with a BOM).
fn looks_like_text(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\xFF\xFE")
        || bytes.starts_with(b"\xFE\xFF")
        || !bytes[..bytes.len().min(4096)].contains(&0)
}

/// A cell whose value cannot be trusted as text, e.g. a long number Excel has truncated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellIssue {
    /// Index of the data row in [`Table::rows`].
    pub row_index: usize,
    pub col: usize,
    /// What the cell shows, for the error list.
    pub value: String,
    pub message_zh: String,
}

/// One sheet of an upload.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Worksheet name; empty for CSV.
    pub name: String,
    /// Hidden worksheets (often lookup lists) are skipped silently when not recognised.
    pub hidden: bool,
    /// The first row with at least two filled cells (rows above it are blank or titles),
    /// trimmed. Empty for an empty sheet.
    pub header: Vec<String>,
    /// 1-based row number of the header (0 for an empty sheet).
    pub header_row: u32,
    text: String,
    /// End offset in `text` of each cell, all rows concatenated.
    cell_ends: Vec<u32>,
    /// Per data row: spreadsheet row number and index of its first cell in `cell_ends`.
    rows: Vec<(u32, u32)>,
    issues: Vec<CellIssue>,
}

/// One data row of a [`Table`].
#[derive(Debug, Clone, Copy)]
pub struct RowRef<'a> {
    table: &'a Table,
    index: usize,
    /// 1-based spreadsheet row number.
    pub number: u32,
    first: usize,
    end: usize,
}

impl<'a> RowRef<'a> {
    /// The trimmed text of column `col`; empty when the row is shorter.
    pub fn get(&self, col: usize) -> &'a str {
        let i = self.first + col;
        if i >= self.end {
            return "";
        }
        let start = if i == 0 {
            0
        } else {
            self.table.cell_ends[i - 1] as usize
        };
        &self.table.text[start..self.table.cell_ends[i] as usize]
    }

    pub fn len(&self) -> usize {
        self.end - self.first
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The problem with column `col`, if its value could not be read faithfully.
    pub fn issue(&self, col: usize) -> Option<&'a CellIssue> {
        let issues = &self.table.issues;
        if issues.is_empty() {
            return None;
        }
        let from = issues.partition_point(|x| x.row_index < self.index);
        issues[from..]
            .iter()
            .take_while(|x| x.row_index == self.index)
            .find(|x| x.col == col)
    }

    pub fn cells(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..self.len()).map(|c| self.get(c))
    }
}

impl Table {
    fn new(name: &str) -> Self {
        Table {
            name: name.to_string(),
            ..Table::default()
        }
    }

    /// Number of data rows (blank rows and the header excluded).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn row(&self, index: usize) -> RowRef<'_> {
        let (number, first) = self.rows[index];
        let end = self
            .rows
            .get(index + 1)
            .map_or(self.cell_ends.len(), |&(_, f)| f as usize);
        RowRef {
            table: self,
            index,
            number,
            first: first as usize,
            end,
        }
    }

    pub fn rows(&self) -> impl ExactSizeIterator<Item = RowRef<'_>> + '_ {
        (0..self.rows.len()).map(|i| self.row(i))
    }

    /// All cell issues, in row order.
    pub fn issues(&self) -> &[CellIssue] {
        &self.issues
    }
}

/// Appends rows to a [`Table`], dropping blank rows and titles and taking the first row with
/// two or more filled cells as the header.
struct Builder {
    table: Table,
    row_number: u32,
    row_first: usize,
    row_text_start: usize,
    row_issues_start: usize,
    /// Non-empty cells in the current row.
    row_filled: usize,
}

impl Builder {
    fn new(name: &str) -> Self {
        Builder {
            table: Table::new(name),
            row_number: 0,
            row_first: 0,
            row_text_start: 0,
            row_issues_start: 0,
            row_filled: 0,
        }
    }

    fn begin_row(&mut self, number: u32) {
        self.row_number = number;
        self.row_first = self.table.cell_ends.len();
        self.row_text_start = self.table.text.len();
        self.row_issues_start = self.table.issues.len();
        self.row_filled = 0;
    }

    fn push_cell(&mut self, cell: &str) -> Result<(), IngestError> {
        let cell = cell.trim();
        self.row_filled += usize::from(!cell.is_empty());
        self.table.text.push_str(cell);
        let end = u32::try_from(self.table.text.len()).map_err(|_| IngestError::TooLarge)?;
        self.table.cell_ends.push(end);
        Ok(())
    }

    /// A cell that shows `shown` but must not be used as a value.
    fn push_issue(&mut self, shown: &str, message_zh: String) -> Result<(), IngestError> {
        let col = self.table.cell_ends.len() - self.row_first;
        self.table.issues.push(CellIssue {
            row_index: self.table.rows.len(),
            col,
            value: shown.to_string(),
            message_zh,
        });
        self.push_cell(shown)
    }

    fn end_row(&mut self) {
        let t = &mut self.table;
        // Before the header, a row with a single filled cell is a title ("2024学年学生名册",
        // often merged across the columns), not a header: no roster sheet has one column.
        let title = t.header_row == 0 && self.row_filled == 1;
        if self.row_filled == 0 || title {
            t.text.truncate(self.row_text_start);
            t.cell_ends.truncate(self.row_first);
            t.issues.truncate(self.row_issues_start);
        } else if t.header_row == 0 {
            // The first non-blank row is the header: move it out of the cell buffer.
            let first = self.row_first;
            t.header = (first..t.cell_ends.len())
                .map(|i| {
                    let start = if i == 0 {
                        0
                    } else {
                        t.cell_ends[i - 1] as usize
                    };
                    t.text[start..t.cell_ends[i] as usize].to_string()
                })
                .collect();
            t.header_row = self.row_number;
            t.text.truncate(self.row_text_start);
            t.cell_ends.truncate(first);
            t.issues.truncate(self.row_issues_start);
        } else {
            t.rows.push((self.row_number, self.row_first as u32));
        }
    }

    fn finish(self) -> Table {
        self.table
    }
}

/// Every sheet of an upload, and the text encoding for CSV.
#[derive(Debug, Clone)]
pub struct Tables {
    pub format: FileFormat,
    /// `Some("UTF-8" | "GB18030" | "UTF-16")` for CSV, `None` for XLSX.
    pub encoding: Option<&'static str>,
    pub tables: Vec<Table>,
}

/// Reads an upload into tables: one for CSV, one per worksheet for XLSX.
pub fn read_tables(file_name: &str, bytes: &[u8]) -> Result<Tables, IngestError> {
    if bytes.is_empty() {
        return Err(IngestError::EmptyFile);
    }
    match detect_format(file_name, bytes)? {
        FileFormat::Csv => {
            let decoded = decode(bytes)?;
            let table = read_csv("", &decoded.text)?;
            Ok(Tables {
                format: FileFormat::Csv,
                encoding: Some(decoded.encoding),
                tables: vec![table],
            })
        }
        FileFormat::Xlsx => Ok(Tables {
            format: FileFormat::Xlsx,
            encoding: None,
            tables: read_xlsx(bytes)?,
        }),
    }
}

/// Parses CSV text. The delimiter is a comma unless the first line has more tabs than commas
/// (Excel's "Unicode 文本" export is tab-separated UTF-16).
pub fn read_csv(name: &str, text: &str) -> Result<Table, IngestError> {
    let first_line = text.lines().next().unwrap_or("");
    let tabs = first_line.matches('\t').count();
    let delimiter = if tabs > first_line.matches(',').count() {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut b = Builder::new(name);
    b.table.text.reserve(text.len());
    let mut record = csv::StringRecord::new();
    let bytes = text.as_bytes();
    // Row numbers are counted by hand: the csv reader skips empty lines without counting them
    // in the record's position, and a line break inside a quoted cell is not a new row.
    let mut counted = 0usize;
    let mut newlines_before: u64 = 0;
    let mut newlines_in_cells: u64 = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(IngestError::Csv {
                    line: e.position().map_or(0, |p| p.line()),
                    detail: e.to_string(),
                });
            }
        }
        let mut start = record
            .position()
            .map_or(counted, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX))
            .clamp(counted, bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\n' | b'\r') {
            start += 1;
        }
        newlines_before += count_newlines(&bytes[counted..start]);
        counted = start;
        let number = u32::try_from(newlines_before + 1 - newlines_in_cells)
            .map_err(|_| IngestError::TooLarge)?;
        b.begin_row(number);
        for field in &record {
            b.push_cell(field)?;
        }
        b.end_row();
        newlines_in_cells += count_newlines(record.as_slice().as_bytes());
    }
    Ok(b.finish())
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Reads every worksheet of an XLSX/XLSM workbook (chart sheets are skipped).
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Table>, IngestError> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| IngestError::Xlsx {
        detail: e.to_string(),
    })?;
    let sheets: Vec<(String, bool)> = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| (s.name.clone(), s.visible != SheetVisible::Visible))
        .collect();
    let mut tables = Vec::with_capacity(sheets.len());
    let mut scratch = String::new();
    for (name, hidden) in sheets {
        let range = wb.worksheet_range(&name).map_err(|e| IngestError::Xlsx {
            detail: format!("工作表“{name}”：{e}"),
        })?;
        let formulas = wb.worksheet_formula(&name).map_err(|e| IngestError::Xlsx {
            detail: format!("工作表“{name}”：{e}"),
        })?;
        let uncached = uncached_formulas(&range, &formulas);
        let mut b = Builder::new(&name);
        b.table.hidden = hidden;
        if uncached.is_empty() {
            let first_row = range.start().map_or(0, |(r, _)| r);
            for (i, row) in range.rows().enumerate() {
                let number = first_row + i as u32 + 1;
                b.begin_row(number);
                for cell in row {
                    match cell_text(cell, &mut scratch) {
                        Ok(()) => b.push_cell(&scratch)?,
                        Err(msg) => b.push_issue(&scratch, msg)?,
                    }
                }
                b.end_row();
            }
        } else {
            read_with_uncached(&mut b, &range, &uncached, &mut scratch)?;
        }
        tables.push(b.finish());
    }
    Ok(tables)
}

/// Formula cells whose saved result is missing or empty, by absolute (row, column), with
/// their formula. A file written by a program (or saved with calculation off) can hold
/// formulas Excel never calculated; their "value" is not blank but unknown. A formula whose
/// result really is "" cannot be told apart from one never calculated (LibreOffice and
/// rust_xlsxwriter write "" to mean "recalculate"), so both are refused.
fn uncached_formulas(
    values: &calamine::Range<Data>,
    formulas: &calamine::Range<String>,
) -> std::collections::BTreeMap<(u32, u32), String> {
    let Some((r0, c0)) = formulas.start() else {
        return Default::default();
    };
    formulas
        .used_cells()
        .filter(|(_, _, f)| !f.trim().is_empty())
        .map(|(r, c, f)| ((r0 + r as u32, c0 + c as u32), f))
        .filter(|(pos, _)| match values.get_value(*pos) {
            None | Some(Data::Empty) => true,
            Some(Data::String(s)) => s.is_empty(),
            Some(_) => false,
        })
        .map(|(pos, f)| (pos, f.clone()))
        .collect()
}

/// The slow path for a sheet with uncalculated formulas: every cell of the bounding box of
/// values and those formulas, each formula without a result an issue naming its cell.
fn read_with_uncached(
    b: &mut Builder,
    range: &calamine::Range<Data>,
    uncached: &std::collections::BTreeMap<(u32, u32), String>,
    scratch: &mut String,
) -> Result<(), IngestError> {
    let (mut lo, mut hi) = (
        range.start().unwrap_or((u32::MAX, u32::MAX)),
        range.end().unwrap_or((0, 0)),
    );
    for &(r, c) in uncached.keys() {
        lo = (lo.0.min(r), lo.1.min(c));
        hi = (hi.0.max(r), hi.1.max(c));
    }
    for r in lo.0..=hi.0 {
        b.begin_row(r + 1);
        // Columns start where the values do, as on the fast path.
        for c in lo.1..=hi.1 {
            if let Some(f) = uncached.get(&(r, c)) {
                let msg = format!(
                    "单元格 {} 是公式（={f}）但文件中没有保存计算结果，不能当作空白读取：请在 Excel 中打开后保存，或把该列“选择性粘贴为数值”后重新上传",
                    cell_name(r, c)
                );
                b.push_issue(&format!("={f}"), msg)?;
                continue;
            }
            match cell_text(range.get_value((r, c)).unwrap_or(&Data::Empty), scratch) {
                Ok(()) => b.push_cell(scratch)?,
                Err(msg) => b.push_issue(scratch, msg)?,
            }
        }
        b.end_row();
    }
    Ok(())
}

/// `A1`-style name of a zero-based cell position.
fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(row + 1).to_string()
}

/// Excel keeps 15 significant digits; integers at or above this may have lost digits.
const EXACT_LIMIT: f64 = 1e15;

/// Writes the text a user sees for `cell` into `out`; `Err` carries the Chinese reason when
/// the value must not be used (`out` then holds what the cell shows).
fn cell_text(cell: &Data, out: &mut String) -> Result<(), String> {
    use std::fmt::Write;
    out.clear();
    match cell {
        Data::Empty => {}
        Data::String(s) => out.push_str(s),
        Data::Int(i) => write!(out, "{i}").expect("write to String"),
        Data::Float(f) => return float_text(*f, out),
        Data::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, hh, mm, ss, ms) = dt.to_ymd_hms_milli();
            if dt.as_f64() < 1.0 {
                // A time of day without a date.
                write!(out, "{hh:02}:{mm:02}:{ss:02}").expect("write to String");
            } else {
                write!(out, "{y:04}-{m:02}-{d:02}").expect("write to String");
                if (hh, mm, ss, ms) != (0, 0, 0, 0) {
                    write!(out, " {hh:02}:{mm:02}:{ss:02}").expect("write to String");
                }
            }
        }
        Data::DateTime(dt) => return float_text(dt.as_f64(), out),
        Data::DateTimeIso(s) => out.push_str(s.strip_suffix("T00:00:00").unwrap_or(s)),
        Data::DurationIso(s) => out.push_str(s),
        Data::Error(e) => {
            write!(out, "{e}").expect("write to String");
            return Err(format!(
                "单元格是 Excel 错误值 {e}（通常是公式出错），请改成实际的值"
            ));
        }
    }
    Ok(())
}

fn float_text(f: f64, out: &mut String) -> Result<(), String> {
    use std::fmt::Write;
    if f.fract() == 0.0 && f.abs() < EXACT_LIMIT {
        write!(out, "{}", f as i64).expect("write to String");
        return Ok(());
    }
    // What Excel shows: the value rounded to 15 significant digits.
    let sci = format!("{f:.14e}");
    if f.is_finite() && f.abs() >= EXACT_LIMIT {
        // Spell out the 15 kept digits followed by zeros, as Excel's formula bar does.
        let (mantissa, exp) = sci.split_once('e').expect("exponent format");
        let exp: usize = exp.parse().expect("positive exponent");
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        if f < 0.0 {
            out.push('-');
        }
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', exp + 1 - digits.len()));
        return Err(format!(
            "此单元格存成了数字，Excel 只保留 15 位有效数字，超过 15 位的号码（如身份证号、学籍号）末尾已变成 0（现为 {out}），无法还原。请把该列设为“文本”格式后重新录入原始号码（或在号码前加英文单引号 '）"
        ));
    }
    let shown: f64 = sci.parse().unwrap_or(f);
    write!(out, "{shown}").expect("write to String");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(cell: Data) -> (String, bool) {
        let mut s = String::new();
        let ok = cell_text(&cell, &mut s).is_ok();
        (s, ok)
    }

    #[test]
    fn numbers_read_as_typed() {
        assert_eq!(text(Data::Float(7.0)), ("7".into(), true));
        assert_eq!(text(Data::Float(-3.0)), ("-3".into(), true));
        assert_eq!(text(Data::Float(0.5)), ("0.5".into(), true));
        assert_eq!(text(Data::Float(0.1 + 0.2)), ("0.3".into(), true));
        assert_eq!(text(Data::Int(2012)), ("2012".into(), true));
        assert_eq!(
            text(Data::Float(320102201203051.0)),
            ("320102201203051".into(), true)
        );
    }

    #[test]
    fn long_numbers_are_flagged_not_guessed() {
        let (shown, ok) = text(Data::Float(110105201203051234.0));
        assert!(!ok);
        assert_eq!(shown, "110105201203051000");
    }

    #[test]
    fn blank_rows_are_skipped_and_rows_keep_their_numbers() {
        let t = read_csv("", "a,b\n\n1,2\n , \n3,4\n").unwrap();
        assert_eq!(t.header, ["a", "b"]);
        let rows: Vec<(u32, Vec<&str>)> =
            t.rows().map(|r| (r.number, r.cells().collect())).collect();
        assert_eq!(rows, [(3, vec!["1", "2"]), (5, vec!["3", "4"])]);
    }

    #[test]
    fn a_title_row_above_the_header_is_skipped() {
        let t = read_csv(
            "",
            "2024学年 七年级学生名册,,\n填表日期：2024-09-01\n学校代码,年级,班级\n001,7,1班\n",
        )
        .unwrap();
        assert_eq!(t.header, ["学校代码", "年级", "班级"]);
        assert_eq!(t.header_row, 3);
        assert_eq!(t.row(0).number, 4);
    }

    #[test]
    fn crlf_and_leading_blank_lines_are_numbered_like_excel() {
        let t = read_csv("", "\r\n\r\na,b\r\n\r\n1,2\r\n3,4\r\n").unwrap();
        assert_eq!(t.header_row, 3);
        let numbers: Vec<u32> = t.rows().map(|r| r.number).collect();
        assert_eq!(numbers, [5, 6]);
    }

    #[test]
    fn quoted_line_breaks_stay_in_one_row() {
        let t = read_csv("", "a,b\n\"x\ny\",1\n2,3\n").unwrap();
        assert_eq!(t.row(0).get(0), "x\ny");
        assert_eq!(t.row(0).number, 2);
        assert_eq!(t.row(1).number, 3);
    }

    #[test]
    fn tabs_are_detected_as_the_delimiter() {
        let t = read_csv("", "学校代码\t年级\n001\t7\n").unwrap();
        assert_eq!(t.header, ["学校代码", "年级"]);
        assert_eq!(t.row(0).get(1), "7");
        assert_eq!(t.row(0).get(5), "");
    }

    #[test]
    fn formats_by_extension_then_magic() {
        assert_eq!(detect_format("a.CSV", b"").unwrap(), FileFormat::Csv);
        assert_eq!(detect_format("a.xlsm", b"").unwrap(), FileFormat::Xlsx);
        assert_eq!(
            detect_format("upload", b"PK\x03\x04rest").unwrap(),
            FileFormat::Xlsx
        );
        assert_eq!(detect_format("upload", b"a,b\n").unwrap(), FileFormat::Csv);
        assert!(matches!(
            detect_format("a.xls", b""),
            Err(IngestError::LegacyXls)
        ));
        assert!(matches!(
            detect_format("x.bin", b"\x00\x01\x02"),
            Err(IngestError::UnknownFormat { .. })
        ));
    }
}
