//! An XLSX formula whose result was never calculated (a file written by a program, or saved
//! with calculation off) is a row error naming its cell, never read as blank (issue 9).
use rust_xlsxwriter::{Formula, Workbook};
use time::macros::date;
use wuyu_domain::{Term, TermPart};
use wuyu_ingest::{read_fitness_batch, read_tables};

/// A fitness sheet whose second student's 身高 is `=150+5` with the saved result `result`.
fn fitness_xlsx(result: &str) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("体测").unwrap();
    for (c, h) in ["学籍号", "年级", "性别", "身高", "体重", "50米跑"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, no) in [(1, "G0000000001"), (2, "G0000000002")] {
        ws.write_string(r, 0, no).unwrap();
        ws.write_number(r, 1, 8.0).unwrap();
        ws.write_string(r, 2, "女").unwrap();
        ws.write_number(r, 4, 46.0).unwrap();
        ws.write_number(r, 5, 9.0).unwrap();
    }
    ws.write_number(1, 3, 155.0).unwrap();
    write_formula(ws, 2, 3, "=150+5", result);
    wb.save_to_buffer().unwrap()
}

/// A formula cell with the saved result `result`; "" writes it as never calculated, the way
/// rust_xlsxwriter and LibreOffice mark a formula for recalculation.
pub fn write_formula(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    f: &str,
    result: &str,
) {
    if result.is_empty() {
        ws.set_formula_result_default("");
        ws.write_formula(row, col, Formula::new(f)).unwrap();
    } else {
        ws.write_formula(row, col, Formula::new(f).set_result(result))
            .unwrap();
    }
}

#[test]
fn an_uncalculated_formula_is_a_row_error_naming_its_cell() {
    let term = Term::new(2025, TermPart::Autumn).unwrap();
    let bytes = fitness_xlsx("");
    let read = read_fitness_batch("体测.xlsx", &bytes, term, Some(date!(2025 - 10 - 15))).unwrap();
    assert_eq!(read.errors.len(), 1, "{:#?}", read.errors);
    let e = &read.errors[0];
    assert_eq!(
        (e.sheet.as_str(), e.row, e.column.as_str(), e.value.as_str()),
        ("体测", 3, "身高", "=150+5")
    );
    assert!(e.message_zh.contains("D3"), "{}", e.message_zh);

    // The table keeps its shape: the other cells of the row read as written.
    let t = read_tables("体测.xlsx", &bytes).unwrap();
    let row = t.tables[0].row(1);
    assert_eq!((row.get(0), row.get(4)), ("G0000000002", "46"));

    // With its saved result, a formula reads as that result.
    let read = read_fitness_batch(
        "体测.xlsx",
        &fitness_xlsx("155"),
        term,
        Some(date!(2025 - 10 - 15)),
    )
    .unwrap();
    assert!(read.errors.is_empty(), "{:#?}", read.errors);
    assert_eq!(read.batch.records[1].measures.height_cm, Some(155.0));
}
