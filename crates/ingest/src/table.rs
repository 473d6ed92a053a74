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

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx};

use crate::IngestError;
use crate::decode::decode;
use crate::limits::{check_shared_strings, limits, shown_start};

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
    /// Cap on `text` plus 4 bytes per cell: the sheet cap for XLSX, the table cap for CSV
    /// ([`Limits`](crate::limits::Limits)).
    max_bytes: usize,
    row_number: u32,
    row_first: usize,
    row_text_start: usize,
    row_issues_start: usize,
    /// Non-empty cells in the current row.
    row_filled: usize,
    max_cell_chars: usize,
    max_rows: usize,
}

impl Builder {
    /// A builder for a CSV (callers reading XLSX set the sheet cap).
    fn new(name: &str) -> Self {
        let l = limits();
        Builder {
            table: Table::new(name),
            max_bytes: l.max_csv_table_bytes,
            max_cell_chars: l.max_cell_chars,
            max_rows: l.max_rows,
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
        // Bytes first: a cell cannot have more characters than bytes.
        let max_chars = self.max_cell_chars;
        if cell.len() > max_chars {
            let chars = cell.chars().count();
            if chars > max_chars {
                return Err(IngestError::CellTooLong {
                    place: self.place(),
                    chars,
                    limit: max_chars,
                    start: shown_start(cell),
                });
            }
        }
        let t = &self.table;
        if (t.text.len() + cell.len()).saturating_add(4 * (t.cell_ends.len() + 1)) > self.max_bytes
        {
            return Err(IngestError::SheetTooLarge {
                sheet: self.sheet_label(),
                limit_mb: self.max_bytes / (1024 * 1024),
            });
        }
        self.row_filled += usize::from(!cell.is_empty());
        self.table.text.push_str(cell);
        let end = u32::try_from(self.table.text.len()).map_err(|_| IngestError::TooLarge)?;
        self.table.cell_ends.push(end);
        Ok(())
    }

    /// `工作表“S” 单元格 B3` (or `单元格 B3` for CSV) for the cell about to be pushed.
    fn place(&self) -> String {
        let col = (self.table.cell_ends.len() - self.row_first) as u32;
        let cell = cell_name(self.row_number.saturating_sub(1), col);
        if self.table.name.is_empty() {
            format!("单元格 {cell}")
        } else {
            format!("工作表“{}” 单元格 {cell}", self.table.name)
        }
    }

    fn sheet_label(&self) -> String {
        if self.table.name.is_empty() {
            "文件".to_string()
        } else {
            format!("工作表“{}”", self.table.name)
        }
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

    fn end_row(&mut self) -> Result<(), IngestError> {
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
        if self.table.rows.len() > self.max_rows {
            return Err(IngestError::TooManyRows {
                sheet: self.sheet_label(),
                limit: self.max_rows,
            });
        }
        Ok(())
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
///
/// A large file is parsed on every core: it is cut at line breaks that end a row (found by
/// following the quotes, [`row_cuts`]), the pieces are parsed independently and joined in
/// order. If any piece fails, the whole text is parsed again in one pass, so a bad file gets
/// exactly the message (and row number) it always got.
pub fn read_csv(name: &str, text: &str) -> Result<Table, IngestError> {
    check_line_lengths(text.as_bytes())?;
    let first_line = text.lines().next().unwrap_or("");
    let tabs = first_line.matches('\t').count();
    let delimiter = if tabs > first_line.matches(',').count() {
        b'\t'
    } else {
        b','
    };
    let parts = parallel_parts(text.len());
    if parts > 1
        && let Some(table) = read_csv_parallel(name, text, delimiter, parts)
    {
        return Ok(table);
    }
    let mut b = Builder::new(name);
    read_csv_part(&mut b, text, delimiter)?;
    Ok(b.finish())
}

/// Below this size a CSV is parsed in one thread (starting threads would cost more).
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// How many parts to parse a text of `len` bytes in: one per worker thread.
fn parallel_parts(len: usize) -> usize {
    if len < PARALLEL_MIN_BYTES {
        return 1;
    }
    crate::worker_threads()
}

/// Offsets that cut `bytes` into about `parts` pieces of whole rows: 0, then just after a line
/// break outside any quoted cell at or past each k/parts of the text, then the end.
///
/// Quotes are followed the way the csv reader reads them: a quote opens a quoted cell only at
/// the start of a cell (after a delimiter or a line break); inside, a doubled quote is a quote
/// and a single one closes the cell. A quote elsewhere is an ordinary character.
fn row_cuts(bytes: &[u8], delimiter: u8, parts: usize) -> Vec<usize> {
    let mut cuts = vec![0usize];
    // Always outside a quoted cell.
    let mut pos = 0usize;
    'pieces: for k in 1..parts {
        let target = bytes.len() * k / parts;
        loop {
            let from = target.max(pos);
            let quote = memchr::memchr(b'"', &bytes[pos..]).map(|i| pos + i);
            let until = quote.map_or(bytes.len(), |q| q.max(from));
            if let Some(nl) = memchr::memchr(b'\n', &bytes[from.min(until)..until]) {
                let cut = from + nl + 1;
                if cut < bytes.len() {
                    cuts.push(cut);
                    pos = cut;
                    continue 'pieces;
                }
                break 'pieces;
            }
            let Some(q) = quote else {
                break 'pieces;
            };
            let opens =
                q == 0 || matches!(bytes[q - 1], b'\n' | b'\r') || bytes[q - 1] == delimiter;
            if !opens {
                pos = q + 1;
                continue;
            }
            // Skip the quoted cell.
            let mut p = q + 1;
            loop {
                match memchr::memchr(b'"', &bytes[p..]) {
                    // Unterminated: the rest of the file is one cell.
                    None => break 'pieces,
                    Some(i) if bytes.get(p + i + 1) == Some(&b'"') => p += i + 2,
                    Some(i) => {
                        pos = p + i + 1;
                        break;
                    }
                }
            }
        }
    }
    cuts.push(bytes.len());
    cuts
}

/// Parses the pieces between [`row_cuts`] on scoped threads and joins them in order. `None`
/// when the file should be read in one pass: a piece failed (the one pass reports it as
/// always), or the header is not in the first piece.
fn read_csv_parallel(name: &str, text: &str, delimiter: u8, parts: usize) -> Option<Table> {
    let cuts = row_cuts(text.as_bytes(), delimiter, parts);
    if cuts.len() < 3 {
        return None;
    }
    let share = limits().max_csv_table_bytes / (cuts.len() - 1) + 1;
    let results: Vec<Result<(Table, u64), IngestError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = cuts
            .windows(2)
            .enumerate()
            .map(|(k, w)| {
                let piece = &text[w[0]..w[1]];
                scope.spawn(move || {
                    let mut b = Builder::new(name);
                    // Each piece gets its share of the table cap, so the pieces together
                    // never hold more than one pass would; a piece over its share sends the
                    // file to the one pass, which refuses it or not by the whole cap.
                    b.max_bytes = share;
                    if k > 0 {
                        // Later pieces hold data rows only; the header is in the first.
                        b.table.header_row = u32::MAX;
                    }
                    let lines = read_csv_part(&mut b, piece, delimiter)?;
                    Ok((b.finish(), lines))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("CSV parser thread panicked"))
            .collect()
    });
    let mut pieces = Vec::with_capacity(results.len());
    for r in results {
        pieces.push(r.ok()?);
    }
    let mut pieces = pieces.into_iter();
    let (mut table, mut lines) = pieces.next()?;
    if table.header_row == 0 {
        return None;
    }
    let rest: usize = pieces.as_slice().iter().map(|(t, _)| t.text.len()).sum();
    table.text.reserve(rest);
    for (piece, piece_lines) in pieces {
        // Offsets stay u32: a text over 4 GB takes the one-pass path and its error.
        let text_offset = u32::try_from(table.text.len()).ok()?;
        let cell_offset = u32::try_from(table.cell_ends.len()).ok()?;
        let line_offset = u32::try_from(lines).ok()?;
        let row_offset = table.rows.len();
        table.text.push_str(&piece.text);
        u32::try_from(table.text.len()).ok()?;
        table
            .cell_ends
            .extend(piece.cell_ends.iter().map(|e| e + text_offset));
        table.rows.extend(
            piece
                .rows
                .iter()
                .map(|&(n, first)| (n + line_offset, first + cell_offset)),
        );
        table.issues.extend(piece.issues.into_iter().map(|mut i| {
            i.row_index += row_offset;
            i
        }));
        lines += piece_lines;
        if table.rows.len() > limits().max_rows {
            return None;
        }
    }
    Some(table)
}

/// Parses `text` into `b`, numbering rows from 1; returns how many rows (lines, not counting
/// line breaks inside quoted cells) the text spans.
fn read_csv_part(b: &mut Builder, text: &str, delimiter: u8) -> Result<u64, IngestError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
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
        b.end_row()?;
        newlines_in_cells += count_newlines(record.as_slice().as_bytes());
    }
    Ok(count_newlines(bytes) - newlines_in_cells)
}

/// Refuses text with a physical line over the line cap ([`Limits`](crate::limits::Limits)) before the CSV reader would
/// buffer it whole.
fn check_line_lengths(bytes: &[u8]) -> Result<(), IngestError> {
    let max = limits().max_csv_line_bytes;
    let mut start = 0usize;
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    for (line, end) in (1u64..).zip(ends) {
        if end - start > max {
            return Err(IngestError::LineTooLong {
                line,
                limit_kb: max / 1024,
            });
        }
        start = end + 1;
    }
    Ok(())
}

fn count_newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// Reads every worksheet of an XLSX/XLSM workbook (chart sheets are skipped).
///
/// Sheets are read cell by cell as they stream out of the archive, never as a dense range: a
/// workbook with one cell at A1 and one at XFD1048576, or with one long shared string in every
/// cell, would otherwise need gigabytes before a single row is checked.
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Table>, IngestError> {
    let max_sheet_bytes = limits().max_sheet_bytes;
    // The XLSX parser does arithmetic on cell references and sheet dimensions as the file
    // gives them; a damaged reference ("AAAAAAAAAAAAAAAA1", a reversed range) overflowed
    // inside it in the mutation runs. Whatever it trips over in a damaged file is the file's
    // fault: a whole-file error, never a crashed request.
    std::panic::catch_unwind(|| read_xlsx_capped(bytes, max_sheet_bytes)).unwrap_or_else(|_| {
        Err(IngestError::Xlsx {
            detail: "文件内部结构损坏（单元格位置或工作表范围无法解析）".to_string(),
        })
    })
}

fn read_xlsx_capped(bytes: &[u8], max_sheet_bytes: usize) -> Result<Vec<Table>, IngestError> {
    check_shared_strings(bytes)?;
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
    for (name, hidden) in sheets {
        let sheet_error = |e: calamine::XlsxError| IngestError::Xlsx {
            detail: format!("工作表“{name}”：{e}"),
        };
        let mut b = Builder::new(&name);
        b.table.hidden = hidden;
        b.max_bytes = max_sheet_bytes;
        let mut cells = wb.worksheet_cells_reader(&name).map_err(sheet_error)?;
        let mut row = RowBuffer::default();
        while let Some(cell) = cells.next_cell_with_formula().map_err(sheet_error)? {
            let (r, c) = cell.pos;
            // Excel's own limits; a position beyond them comes from a damaged reference.
            if r >= 1_048_576 || c >= 16_384 {
                return Err(IngestError::Xlsx {
                    detail: format!("工作表“{name}”中有单元格位置超出 Excel 的范围（文件已损坏）"),
                });
            }
            let uncached = cell
                .formula
                .as_deref()
                .filter(|f| !f.trim().is_empty())
                .filter(|_| match &cell.value {
                    DataRef::Empty => true,
                    DataRef::String(s) => s.is_empty(),
                    DataRef::SharedString(s) => s.is_empty(),
                    _ => false,
                });
            // Cells without a value (formatting only) do not widen the sheet.
            if uncached.is_none() && matches!(cell.value, DataRef::Empty) {
                continue;
            }
            if row.number != Some(r) {
                if row.number.is_some_and(|n| n > r) {
                    return Err(IngestError::Xlsx {
                        detail: format!(
                            "工作表“{name}”的行顺序错乱（第 {} 行出现在第 {} 行之后）",
                            r + 1,
                            row.number.unwrap_or(0) + 1
                        ),
                    });
                }
                row.flush(&mut b)?;
                row.number = Some(r);
            }
            match uncached {
                Some(f) => {
                    let msg = format!(
                        "单元格 {} 是公式（={f}）但文件中没有保存计算结果，不能当作空白读取：请在 Excel 中打开后保存，或把该列“选择性粘贴为数值”后重新上传",
                        cell_name(r, c)
                    );
                    row.push(c, &format!("={f}"), Some(msg));
                }
                None => {
                    let mut text = std::mem::take(&mut row.scratch);
                    let result = cell_text(&cell.value, &mut text);
                    row.push(c, &text, result.err());
                    row.scratch = text;
                }
            }
            row.check(&b)?;
        }
        row.flush(&mut b)?;
        let mut table = b.finish();
        table.drop_leading_columns(row.min_col);
        tables.push(table);
    }
    Ok(tables)
}

/// The cells of the row being read, by column, until the next row starts. Rows are written to
/// the [`Builder`] from column A; [`Table::drop_leading_columns`] removes the columns left of
/// the sheet's first used one at the end, as a range would start there.
#[derive(Default)]
struct RowBuffer {
    number: Option<u32>,
    text: String,
    /// Column, end offset in `text`, and the issue's message for a value not to be used.
    cells: Vec<(u32, usize, Option<String>)>,
    scratch: String,
    min_col: u32,
    seen: bool,
}

impl RowBuffer {
    fn push(&mut self, col: u32, text: &str, issue: Option<String>) {
        self.text.push_str(text);
        self.cells.push((col, self.text.len(), issue));
    }

    /// Keeps one row's buffer within a sheet's cap, whatever the row's width.
    fn check(&self, b: &Builder) -> Result<(), IngestError> {
        let (col, end, _) = self.cells.last().expect("a cell was pushed");
        let start = self
            .cells
            .len()
            .checked_sub(2)
            .map_or(0, |i| self.cells[i].1);
        let cell = &self.text[start..*end];
        let max_chars = b.max_cell_chars;
        if cell.len() > max_chars && cell.chars().count() > max_chars {
            let r = self.number.unwrap_or(0);
            return Err(IngestError::CellTooLong {
                place: format!("工作表“{}” 单元格 {}", b.table.name, cell_name(r, *col)),
                chars: cell.chars().count(),
                limit: max_chars,
                start: shown_start(cell),
            });
        }
        if self.text.len().saturating_add(4 * (*col as usize + 1)) > b.max_bytes {
            return Err(IngestError::SheetTooLarge {
                sheet: b.sheet_label(),
                limit_mb: b.max_bytes / (1024 * 1024),
            });
        }
        Ok(())
    }

    fn flush(&mut self, b: &mut Builder) -> Result<(), IngestError> {
        let Some(r) = self.number else {
            return Ok(());
        };
        if let Some(&(first, _, _)) = self.cells.first() {
            self.min_col = if self.seen {
                self.min_col.min(first)
            } else {
                first
            };
            self.seen = true;
        }
        b.begin_row(r + 1);
        let mut next = 0u32;
        let mut start = 0usize;
        for (col, end, issue) in self.cells.drain(..) {
            if col < next {
                return Err(IngestError::Xlsx {
                    detail: format!(
                        "工作表“{}”第 {} 行的单元格顺序错乱（{} 出现了两次或顺序颠倒）",
                        b.table.name,
                        r + 1,
                        cell_name(r, col)
                    ),
                });
            }
            for _ in next..col {
                b.push_cell("")?;
            }
            let text = &self.text[start..end];
            match issue {
                Some(msg) => b.push_issue(text, msg)?,
                None => b.push_cell(text)?,
            }
            start = end;
            next = col + 1;
        }
        self.text.clear();
        b.end_row()
    }
}

impl Table {
    /// Removes the first `n` columns, which are empty in every row (and the header).
    fn drop_leading_columns(&mut self, n: u32) {
        let n = n as usize;
        if n == 0 {
            return;
        }
        self.header.drain(..n.min(self.header.len()));
        let mut ends = Vec::with_capacity(self.cell_ends.len());
        for i in 0..self.rows.len() {
            let first = self.rows[i].1 as usize;
            let end = self
                .rows
                .get(i + 1)
                .map_or(self.cell_ends.len(), |&(_, f)| f as usize);
            self.rows[i].1 = ends.len() as u32;
            ends.extend_from_slice(&self.cell_ends[(first + n).min(end)..end]);
        }
        self.cell_ends = ends;
        for issue in &mut self.issues {
            issue.col -= n;
        }
    }
}

/// A header row for an error message: the non-empty names joined by "、", each cut to its first
/// 50 characters (a damaged file's "header" can be one huge cell), or "（无）".
pub(crate) fn list_headers(header: &[String]) -> String {
    let shown: Vec<String> = header
        .iter()
        .filter(|h| !h.is_empty())
        .map(|h| {
            let start = shown_start(h);
            if start.len() < h.len() {
                start + "…"
            } else {
                start
            }
        })
        .collect();
    if shown.is_empty() {
        "（无）".to_string()
    } else {
        shown.join("、")
    }
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
fn cell_text(cell: &DataRef<'_>, out: &mut String) -> Result<(), String> {
    use std::fmt::Write;
    out.clear();
    match cell {
        DataRef::Empty => {}
        DataRef::String(s) => out.push_str(s),
        DataRef::SharedString(s) => out.push_str(s),
        DataRef::Int(i) => write!(out, "{i}").expect("write to String"),
        DataRef::Float(f) => return float_text(*f, out),
        DataRef::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        DataRef::DateTime(dt) if dt.is_datetime() => {
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
        DataRef::DateTime(dt) => return float_text(dt.as_f64(), out),
        DataRef::DateTimeIso(s) => out.push_str(s.strip_suffix("T00:00:00").unwrap_or(s)),
        DataRef::DurationIso(s) => out.push_str(s),
        DataRef::Error(e) => {
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
    use crate::limits::{MAX_CELL_CHARS, MAX_CSV_LINE_BYTES};

    fn text(cell: DataRef<'static>) -> (String, bool) {
        let mut s = String::new();
        let ok = cell_text(&cell, &mut s).is_ok();
        (s, ok)
    }

    #[test]
    fn numbers_read_as_typed() {
        assert_eq!(text(DataRef::Float(7.0)), ("7".into(), true));
        assert_eq!(text(DataRef::Float(-3.0)), ("-3".into(), true));
        assert_eq!(text(DataRef::Float(0.5)), ("0.5".into(), true));
        assert_eq!(text(DataRef::Float(0.1 + 0.2)), ("0.3".into(), true));
        assert_eq!(text(DataRef::Int(2012)), ("2012".into(), true));
        assert_eq!(
            text(DataRef::Float(320102201203051.0)),
            ("320102201203051".into(), true)
        );
    }

    #[test]
    fn long_numbers_are_flagged_not_guessed() {
        let (shown, ok) = text(DataRef::Float(110105201203051234.0));
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

    /// A workbook written by hand (rust_xlsxwriter refuses what these tests need): one sheet
    /// "S" with `rows` as its sheetData and `strings` as the shared-string table.
    fn workbook(sst_attrs: &str, strings: &[String], rows: &str) -> Vec<u8> {
        use std::io::Write;
        let ns = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main""#;
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let pkg = "http://schemas.openxmlformats.org/package/2006/relationships";
        let sst: String = strings
            .iter()
            .map(|t| format!("<si><t>{t}</t></si>"))
            .collect();
        let parts = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#.to_string(),
            ),
            (
                "_rels/.rels",
                format!(r#"<?xml version="1.0"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
            ),
            (
                "xl/workbook.xml",
                format!(r#"<?xml version="1.0"?><workbook {ns} xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(r#"<?xml version="1.0"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#),
            ),
            (
                "xl/sharedStrings.xml",
                format!(r#"<?xml version="1.0"?><sst {ns} {sst_attrs}>{sst}</sst>"#),
            ),
            (
                "xl/worksheets/sheet1.xml",
                format!(r#"<?xml version="1.0"?><worksheet {ns}><sheetData>{rows}</sheetData></worksheet>"#),
            ),
        ];
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in parts {
            w.start_file(name, opts).unwrap();
            w.write_all(data.as_bytes()).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    /// `<c>` elements referring to shared string `index` in columns `cols` of row `r` (1-based).
    fn shared_row(r: u32, cols: std::ops::Range<u32>, index: usize) -> String {
        let cells: String = cols
            .map(|c| format!(r#"<c r="{}" t="s"><v>{index}</v></c>"#, cell_name(r - 1, c)))
            .collect();
        format!(r#"<row r="{r}">{cells}</row>"#)
    }

    #[test]
    fn a_long_shared_string_is_refused_at_its_first_cell() {
        // 8 MB of text in one shared string, used by every cell of 200 rows: read as a range
        // this needed gigabytes; now the first cell is refused.
        let strings = vec!["学籍号".to_string(), "y".repeat(8 * 1024 * 1024)];
        let rows: String = std::iter::once(shared_row(1, 0..2, 0))
            .chain((2..200).map(|r| shared_row(r, 0..8, 1)))
            .collect();
        let file = workbook(r#"count="1594" uniqueCount="2""#, &strings, &rows);
        assert!(file.len() < 100 * 1024, "{}", file.len());
        let err = read_xlsx(&file).unwrap_err();
        assert!(
            matches!(&err, IngestError::CellTooLong { place, chars, .. }
                if place == "工作表“S” 单元格 A2" && *chars == 8 * 1024 * 1024),
            "{err}"
        );
        // The message shows the start of the value, not all of it.
        let message = err.to_string();
        assert!(
            message.contains(&format!("“{}…”", "y".repeat(50))),
            "{message}"
        );
        assert!(message.chars().count() < 200, "{message}");
    }

    /// Found by the mutation runs: cell references the XLSX parser's arithmetic overflows on
    /// (a column of 16 letters, a row of 11 digits) are a whole-file error, not a panic.
    #[test]
    fn a_damaged_cell_reference_is_a_whole_file_error() {
        let strings = vec!["学籍号".to_string(), "x".to_string()];
        for bad in ["AAAAAAAAAAAAAAAA1", "A99999999999"] {
            let rows = format!(
                "{}{}",
                shared_row(1, 0..1, 0),
                shared_row(2, 0..1, 1).replace(r#"r="A2""#, &format!(r#"r="{bad}""#))
            );
            let err = read_xlsx(&workbook("", &strings, &rows)).unwrap_err();
            assert!(matches!(err, IngestError::Xlsx { .. }), "{bad}: {err}");
            assert!(
                err.to_string().contains("无法读取 Excel 文件"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn a_cell_at_the_last_column_and_row_costs_one_row() {
        let strings = vec!["学籍号".to_string(), "姓名".to_string(), "x".to_string()];
        let rows = format!(
            "{}{}",
            shared_row(1, 0..2, 0)
                .replace(r#"<c r="B1" t="s"><v>0</v>"#, r#"<c r="B1" t="s"><v>1</v>"#),
            shared_row(1_048_576, 16_383..16_384, 2)
        );
        let tables = read_xlsx(&workbook("", &strings, &rows)).unwrap();
        let t = &tables[0];
        assert_eq!(t.header, ["学籍号", "姓名"]);
        assert_eq!(t.len(), 1);
        let row = t.row(0);
        assert_eq!(row.number, 1_048_576);
        assert_eq!(row.len(), 16_384);
        assert_eq!(row.get(16_383), "x");
        assert_eq!(row.get(0), "");
    }

    #[test]
    fn a_sheet_starting_at_column_c_reads_from_column_c() {
        let strings: Vec<String> = ["学籍号", "姓名", "G001", "张三"].map(String::from).into();
        let rows = r#"<row r="2"><c r="C2" t="s"><v>0</v></c><c r="D2" t="s"><v>1</v></c></row><row r="3"><c r="C3" t="s"><v>2</v></c><c r="D3" t="s"><v>3</v></c><c r="E3"><f>SUM(A1)</f></c></row>"#;
        let tables = read_xlsx(&workbook("", &strings, rows)).unwrap();
        let t = &tables[0];
        assert_eq!(t.header, ["学籍号", "姓名"]);
        assert_eq!(t.header_row, 2);
        let row = t.row(0);
        assert_eq!((row.number, row.get(0), row.get(1)), (3, "G001", "张三"));
        // The uncalculated formula in E3 is the third column, named by its own cell.
        let issue = row.issue(2).expect("formula without a result");
        assert!(
            issue.message_zh.contains("单元格 E3"),
            "{}",
            issue.message_zh
        );
        assert_eq!(issue.value, "=SUM(A1)");
    }

    #[test]
    fn a_sheet_expanding_past_its_cap_is_refused() {
        // 1,000 cells of one 2,000-character string: 2 MB of text from a tiny file.
        let strings = vec!["学籍号".to_string(), "z".repeat(2000)];
        let rows: String = std::iter::once(shared_row(1, 0..2, 0))
            .chain((2..102).map(|r| shared_row(r, 0..10, 1)))
            .collect();
        let file = workbook("", &strings, &rows);
        assert!(read_xlsx_capped(&file, 4 * 1024 * 1024).is_ok());
        let err = read_xlsx_capped(&file, 1024 * 1024).unwrap_err();
        assert!(
            matches!(&err, IngestError::SheetTooLarge { sheet, limit_mb: 1 } if sheet == "工作表“S”"),
            "{err}"
        );
    }

    #[test]
    fn an_impossible_string_count_is_refused_not_reserved() {
        let strings = vec!["学籍号".to_string(), "姓名".to_string()];
        let file = workbook(
            r#"count="999999999999" uniqueCount="999999999999""#,
            &strings,
            &shared_row(1, 0..2, 0),
        );
        let err = read_xlsx(&file).unwrap_err();
        assert!(matches!(err, IngestError::Xlsx { .. }), "{err}");
        assert!(err.to_string().contains("999999999999"), "{err}");
    }

    #[test]
    fn a_csv_that_is_one_huge_line_is_refused_before_parsing() {
        let mut text = "学籍号,姓名\n".to_string();
        text.push_str(&"x".repeat(MAX_CSV_LINE_BYTES + 1));
        let err = read_csv("", &text).unwrap_err();
        assert!(
            matches!(
                err,
                IngestError::LineTooLong {
                    line: 2,
                    limit_kb: 2048
                }
            ),
            "{err}"
        );
        // Just under the cap, the line is read, and its one cell is then too long.
        let mut text = "学籍号,姓名\nG001,".to_string();
        text.push_str(&"名".repeat(MAX_CELL_CHARS + 1));
        let err = read_csv("", &text).unwrap_err();
        assert!(
            matches!(&err, IngestError::CellTooLong { place, chars, .. }
                if place == "单元格 B2" && *chars == MAX_CELL_CHARS + 1),
            "{err}"
        );
        // A cell of exactly Excel's limit is fine.
        let mut text = "学籍号,姓名\nG001,".to_string();
        text.push_str(&"名".repeat(MAX_CELL_CHARS));
        assert_eq!(
            read_csv("", &text).unwrap().row(0).get(1).chars().count(),
            MAX_CELL_CHARS
        );
    }

    fn one_pass(text: &str) -> Result<Table, IngestError> {
        let mut b = Builder::new("");
        read_csv_part(&mut b, text, b',')?;
        Ok(b.finish())
    }

    /// Rows as (number, cells), for comparing two readings.
    fn rows_of(t: &Table) -> Vec<(u32, Vec<&str>)> {
        t.rows().map(|r| (r.number, r.cells().collect())).collect()
    }

    /// A CSV with everything that makes cutting at line breaks wrong: quoted cells holding line
    /// breaks, delimiters and doubled quotes, quotes in the middle of unquoted cells, blank lines,
    /// CRLF and lone CR line ends, short and long rows, a title above the header.
    fn tricky_csv(rows: usize) -> String {
        let mut text = String::from("2024学年体测\r\n学籍号,备注,分数\r\n");
        let mut x: u32 = 12345;
        for i in 0..rows {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let note = match (x >> 16) % 9 {
                0 => "\"两行\n备注\"".to_string(),
                1 => "\"含\"\"引号\"\", 和逗号\"".to_string(),
                2 => "5寸\"屏".to_string(),
                3 => String::new(),
                4 => "\"\n\n\n\"".to_string(),
                5 => "\"a\"b".to_string(),
                _ => format!("备注{i}"),
            };
            text.push_str(&format!("G{i:06},{note},{}", x % 100));
            text.push_str(match (x >> 8) % 23 {
                0 => "\n\n",
                1 => "\r",
                2 => ",多余\n",
                _ => "\r\n",
            });
        }
        text
    }

    #[test]
    fn pieces_read_on_several_threads_join_like_one_pass() {
        let text = tricky_csv(40_000);
        let whole = one_pass(&text).unwrap();
        assert_eq!(whole.header, ["学籍号", "备注", "分数"]);
        assert!(whole.len() > 35_000);
        for parts in [2, 3, 4, 7, 16] {
            let cuts = row_cuts(text.as_bytes(), b',', parts);
            assert_eq!(cuts.len(), parts + 1, "{parts} parts: {cuts:?}");
            let joined = read_csv_parallel("", &text, b',', parts).expect("no failed piece");
            assert_eq!(joined.header, whole.header);
            assert_eq!(joined.header_row, whole.header_row);
            assert_eq!(rows_of(&joined), rows_of(&whole), "{parts} parts");
        }
        // What callers get (on one or on several cores) is the same.
        assert_eq!(rows_of(&read_csv("", &text).unwrap()), rows_of(&whole));
    }

    /// Random texts from the characters that matter to cutting (quotes, delimiters, every
    /// line end, a multi-byte character): wherever the cuts fall, the joined pieces must read
    /// exactly like one pass. `WUYU_CSV_CUT_CASES=N` runs N cases instead of the suite's 3,000.
    #[test]
    fn random_texts_cut_anywhere_read_like_one_pass() {
        let cases: u64 = std::env::var("WUYU_CSV_CUT_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(3_000);
        let alphabet = [
            "a", "b", ",", "\t", "\"", "\"\"", "\n", "\r", "\r\n", " ", "名", "1",
        ];
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |n: usize| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
        };
        for case in 0..cases {
            let len = 1 + next(400);
            let text: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let text = format!("h1,h2,h3\n{text}");
            let delimiter = if next(4) == 0 { b'\t' } else { b',' };
            let parts = 2 + next(6);
            let mut b = Builder::new("");
            let whole = read_csv_part(&mut b, &text, delimiter).map(|_| b.finish());
            let joined = read_csv_parallel("", &text, delimiter, parts);
            match (&whole, &joined) {
                (Ok(w), Some(j)) => {
                    assert_eq!(j.header, w.header, "case {case}: {text:?}");
                    assert_eq!(
                        rows_of(j),
                        rows_of(w),
                        "case {case}, {parts} parts: {text:?}"
                    );
                }
                // A failed piece, or the whole failing: the one pass answers.
                (_, None) => {}
                (Err(e), Some(_)) => panic!(
                    "case {case}: joined pieces read a text one pass refuses ({e}): {text:?}"
                ),
            }
        }
    }

    #[test]
    fn an_unclosed_quote_or_a_late_header_reads_in_one_pass() {
        let mut text = tricky_csv(20_000);
        text.push_str("G999999,\"never closed\n");
        text.push_str(&"1,2,3\n".repeat(1000));
        let cuts = row_cuts(text.as_bytes(), b',', 4);
        // Every cut is before the unclosed quote.
        let open = text.find("\"never").unwrap();
        assert!(
            cuts[1..cuts.len() - 1].iter().all(|&c| c < open),
            "{cuts:?}"
        );
        let whole = one_pass(&text).unwrap();
        assert_eq!(rows_of(&read_csv("", &text).unwrap()), rows_of(&whole));
        // 2 MB of blank lines before the header: the first piece has no header.
        let late = format!("{}a,b\n1,2\n", "\n".repeat(2 << 20));
        assert!(read_csv_parallel("", &late, b',', 2).is_none());
        let t = read_csv("", &late).unwrap();
        assert_eq!(t.header_row, (2 << 20) + 1);
        assert_eq!(rows_of(&t), [((2 << 20) + 2, vec!["1", "2"])]);
    }

    #[test]
    fn a_bad_cell_late_in_a_big_file_names_its_row() {
        let mut text = tricky_csv(30_000);
        text.push_str("\nG0,最后一行,1\n");
        let rows = one_pass(&text).unwrap();
        let last = rows.row(rows.len() - 1).number;
        text.push_str(&format!("G1,{}\n", "长".repeat(MAX_CELL_CHARS + 1)));
        assert!(read_csv_parallel("", &text, b',', 3).is_none());
        let err = read_csv("", &text).unwrap_err();
        assert!(
            matches!(&err, IngestError::CellTooLong { place, .. }
                if *place == format!("单元格 B{}", last + 1)),
            "{err} (last row {last})"
        );
        assert_eq!(err.to_string(), one_pass(&text).unwrap_err().to_string());
    }

    #[test]
    fn a_csv_of_empty_cells_is_capped_by_its_cells_not_its_text() {
        // 300,000 empty cells: one character of text, but 1.2 MB of cell offsets.
        let text = format!("a,b\n1{}\n", ",".repeat(300_000));
        let mut b = Builder::new("");
        b.max_bytes = 1024 * 1024;
        let err = read_csv_part(&mut b, &text, b',').unwrap_err();
        assert!(
            matches!(&err, IngestError::SheetTooLarge { sheet, limit_mb: 1 } if sheet == "文件"),
            "{err}"
        );
        // Under the default cap it reads.
        assert_eq!(read_csv("", &text).unwrap().row(0).len(), 300_001);
    }

    #[test]
    fn strings_used_by_many_cells_are_not_too_many() {
        // `count` counts the cells using the strings, not the strings: far more than fit.
        let strings: Vec<String> = ["学籍号", "性别", "男"].map(String::from).into();
        let rows: String = std::iter::once(
            shared_row(1, 0..2, 0)
                .replace(r#"<c r="B1" t="s"><v>0</v>"#, r#"<c r="B1" t="s"><v>1</v>"#),
        )
        .chain((2..=301).map(|r| shared_row(r, 1..2, 2)))
        .collect();
        let file = workbook(r#"count="302" uniqueCount="3""#, &strings, &rows);
        let t = &read_xlsx(&file).unwrap()[0];
        assert_eq!(t.header, ["学籍号", "性别"]);
        assert_eq!(t.len(), 300);
        assert_eq!(t.row(299).get(1), "男");
    }
}
