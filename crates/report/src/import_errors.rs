//! The error file of a rejected upload (`错误清单.xlsx`): first the list of every row error
//! (file, sheet, row, column, value, message, fix), then a copy of each sheet as read with the
//! bad cells filled red and the message as a note, so the user fixes the cells in place.
use rust_xlsxwriter::{Color, Format, FormatAlign, Note, Workbook, XlsxError};
use wuyu_domain::RowError;

/// The name of the error list sheet.
pub const ERROR_SHEET: &str = "错误清单";

/// Headers of the error list, in order.
pub const ERROR_HEADERS: [&str; 7] = ["文件", "工作表", "行", "列", "值", "问题", "修改建议"];

/// One sheet of the upload as read: its name, the header row number and header, and the
/// data rows with their spreadsheet row numbers.
pub struct SheetCopy {
    pub name: String,
    pub header_row: u32,
    pub header: Vec<String>,
    pub rows: Vec<(u32, Vec<String>)>,
}

/// One error with the fix suggested to the user.
pub struct ErrorLine<'a> {
    pub error: &'a RowError,
    pub fix: String,
}

/// The error workbook: the list, then the marked copies.
pub fn import_errors_xlsx(
    errors: &[ErrorLine<'_>],
    sheets: &[SheetCopy],
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xEEF2F7))
        .set_align(FormatAlign::Center);
    let bad = Format::new()
        .set_background_color(Color::RGB(0xFFC7CE))
        .set_font_color(Color::RGB(0x9C0006));

    let ws = wb.add_worksheet();
    ws.set_name(ERROR_SHEET)?;
    for (c, h) in ERROR_HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &head)?;
    }
    for (c, w) in [24.0, 12.0, 6.0, 14.0, 20.0, 50.0, 40.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    for (i, line) in errors.iter().enumerate() {
        let r = i as u32 + 1;
        let e = line.error;
        ws.write_string(r, 0, &e.file)?;
        ws.write_string(r, 1, &e.sheet)?;
        if e.row > 0 {
            ws.write_number(r, 2, f64::from(e.row))?;
        }
        ws.write_string(r, 3, &e.column)?;
        ws.write_string_with_format(r, 4, &e.value, &bad)?;
        ws.write_string(r, 5, &e.message_zh)?;
        ws.write_string(r, 6, &line.fix)?;
    }
    ws.set_freeze_panes(1, 0)?;

    let text = Format::new().set_num_format("@");
    for (k, sheet) in sheets.iter().enumerate() {
        let ws = wb.add_worksheet();
        // Sheet names must be unique and at most 31 characters; a CSV has no sheet name.
        let name = if sheet.name.is_empty() {
            "数据".to_string()
        } else {
            sheet.name.chars().take(28).collect()
        };
        ws.set_name(if name == ERROR_SHEET {
            format!("{name}{}", k + 1)
        } else {
            name
        })?;
        let hr = sheet.header_row.saturating_sub(1);
        for (c, h) in sheet.header.iter().enumerate() {
            ws.write_string_with_format(hr, c as u16, h, &head)?;
            ws.set_column_width(c as u16, 14)?;
        }
        for (number, cells) in &sheet.rows {
            for (c, v) in cells.iter().enumerate() {
                // Text, so 学籍号 and dates come back exactly as they were read.
                ws.write_string_with_format(number - 1, c as u16, v, &text)?;
            }
        }
        // The bad cells: the error's row and the column its header names; a whole-row
        // problem (no such column) marks the row's first cell.
        for line in errors
            .iter()
            .filter(|l| belongs(l.error, sheet, sheets.len()))
        {
            let e = line.error;
            if e.row == 0 {
                continue;
            }
            let col = sheet
                .header
                .iter()
                .position(|h| h == &e.column)
                .unwrap_or(0);
            let value = sheet
                .rows
                .iter()
                .find(|(n, _)| *n == e.row)
                .and_then(|(_, cells)| cells.get(col))
                .map_or(e.value.as_str(), String::as_str);
            ws.write_string_with_format(e.row - 1, col as u16, value, &bad)?;
            ws.insert_note(
                e.row - 1,
                col as u16,
                &Note::new(format!("{}\n{}", e.message_zh, line.fix)).set_author("wuyu"),
            )?;
        }
    }
    wb.save_to_buffer()
}

/// An error belongs to the sheet it names (a CSV's one sheet takes every error).
fn belongs(e: &RowError, sheet: &SheetCopy, sheets: usize) -> bool {
    sheets == 1 || e.sheet == sheet.name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_file_is_a_workbook() {
        let e = RowError {
            file: "名册.csv".into(),
            sheet: String::new(),
            row: 2,
            column: "性别".into(),
            value: "X".into(),
            message_zh: "性别只能是男或女".into(),
        };
        let lines = [ErrorLine {
            error: &e,
            fix: "改为 男 或 女".into(),
        }];
        let sheets = [SheetCopy {
            name: String::new(),
            header_row: 1,
            header: vec!["学籍号".into(), "性别".into()],
            rows: vec![(2, vec!["G1".into(), "X".into()])],
        }];
        let bytes = import_errors_xlsx(&lines, &sheets).unwrap();
        assert!(bytes.starts_with(b"PK"));
    }
}
