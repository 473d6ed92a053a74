/*!
CSV injection (OWASP “CSV Injection”): a spreadsheet opening a CSV runs a cell that starts with
`=`, `+`, `-` or `@` as a formula (and tab or CR can hide such a start), so every text cell
wuyu writes to a CSV passes through [`csv_cell`], which prefixes `'` to such a cell. Excel and
WPS show the quote-prefixed cell as plain text.

One exception, by choice: a cell that is entirely a plain decimal number with a leading minus
(`-3.5`, a 坐位体前屈 below the toes, an 等效球镜 of `-2.25`) stays as is, so it is still a
number when the sheet is opened. Such a cell cannot be a formula: it has no operator after
the sign, no letters, no reference. Anything more (`-2+3`, `-1e5`, `-A1`, `+5`) is quoted.
XLSX output needs none of this: cells are written as strings or numbers, never formulas.
*/
use std::borrow::Cow;

/// `cell` made safe to open in a spreadsheet (see the module docs).
pub fn csv_cell(cell: &str) -> Cow<'_, str> {
    let Some(first) = cell.chars().next() else {
        return Cow::Borrowed(cell);
    };
    let risky = matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r');
    if !risky || is_negative_number(cell) {
        return Cow::Borrowed(cell);
    }
    Cow::Owned(format!("'{cell}"))
}

/// The cell a reader should use for what [`csv_cell`] wrote: the guard's `'` removed again
/// (only before a character the guard quotes, so a cell the user began with `'` stays).
pub fn csv_uncell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// `-` then digits, optionally `.` and more digits; nothing else.
fn is_negative_number(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('-') else {
        return false;
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, "0"));
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    digits(int) && digits(frac)
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn formula_starts_are_quoted() {
        for (cell, want) in [
            (
                "=HYPERLINK(\"http://x\",\"点我\")",
                "'=HYPERLINK(\"http://x\",\"点我\")",
            ),
            ("+1+1", "'+1+1"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("-", "'-"),
            ("-1e5", "'-1e5"),
            ("-1.", "'-1."),
            ("-.5", "'-.5"),
            ("+5", "'+5"),
            ("-A1", "'-A1"),
        ] {
            assert_eq!(csv_cell(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn ordinary_cells_and_negative_numbers_are_unchanged() {
        for cell in [
            "",
            "张三",
            "G0000000001",
            "3'40\"",
            "12.5",
            "-3.5",
            "-2",
            "-0.25",
            "1班",
            "a=b",
            " =1",
            "'=1",
        ] {
            assert_eq!(csv_cell(cell), cell, "{cell:?}");
        }
    }
}
