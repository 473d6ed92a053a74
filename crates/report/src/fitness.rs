//! The fitness summary table as a workbook (`/fitness/export.xlsx`), laid out from the
//! service's summary read model.
use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook, XlsxError};
use wuyu_monitor::fitness::FitnessSummaryRow;

/// The name of the one worksheet of [`fitness_summary_xlsx`].
pub const FITNESS_SHEET: &str = "体质健康";

/// Column headers of [`fitness_summary_xlsx`] after the group column, in order.
pub const FITNESS_HEADERS: [&str; 13] = [
    "应测人数",
    "实测人数",
    "测试率",
    "合格率",
    "优良率",
    "优秀率",
    "不及格率",
    "平均学年总分",
    "超重率",
    "肥胖率",
    "生长迟缓率",
    "消瘦率",
    "近视率",
];

/// The header of the rank column, after [`FITNESS_HEADERS`], written when the table is ranked.
pub const FITNESS_RANK_HEADER: &str = "排名";

/// One row of the export: the group's label (学校, 班级, …), its summary and its rank (none:
/// not ranked, e.g. fewer than 10 students).
pub struct LabelledRow<'a> {
    pub label: String,
    pub row: &'a FitnessSummaryRow,
    pub rank: Option<usize>,
}

/// The fitness summary table as an XLSX workbook: one sheet, Chinese headers, a frozen header
/// row, rates as percentages with one decimal (the cell holds the fraction), empty cells where
/// a rate has no denominator. The cell holds the rate itself, so the API's number and the
/// export's agree exactly, and the `0.0%` format rounds half away from zero as the pages do.
/// A ranked table gets a last column 排名, empty for unranked rows.
pub fn fitness_summary_xlsx(
    title: &str,
    group_header: &str,
    rows: &[LabelledRow<'_>],
    ranked: bool,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(FITNESS_SHEET)?;
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xEEF2F7))
        .set_align(FormatAlign::Center);
    let pct = Format::new().set_num_format("0.0%");
    let one = Format::new().set_num_format("0.0");

    // Row 0: the title; row 1: the headers (frozen with the title above them).
    ws.write_string_with_format(0, 0, title, &Format::new().set_bold())?;
    ws.write_string_with_format(1, 0, group_header, &head)?;
    for (i, h) in FITNESS_HEADERS.iter().enumerate() {
        ws.write_string_with_format(1, col(i + 1), *h, &head)?;
    }
    let rank_col = col(FITNESS_HEADERS.len() + 1);
    if ranked {
        ws.write_string_with_format(1, rank_col, FITNESS_RANK_HEADER, &head)?;
    }
    ws.set_freeze_panes(2, 1)?;
    ws.set_column_width(0, 24)?;
    ws.set_column_range_width(1, col(FITNESS_HEADERS.len()), 12)?;

    for (r, lr) in rows.iter().enumerate() {
        let r = u32::try_from(r + 2).unwrap_or(u32::MAX);
        let s = lr.row;
        ws.write_string(r, 0, &lr.label)?;
        ws.write_number(r, 1, s.enrolled as f64)?;
        ws.write_number(r, 2, s.tested as f64)?;
        let rates = [
            s.test_rate,
            s.pass_rate,
            s.good_or_better_rate,
            s.excellent_rate,
            s.fail_rate,
        ];
        for (i, v) in rates.into_iter().enumerate() {
            if let Some(v) = v {
                ws.write_number_with_format(r, col(3 + i), v, &pct)?;
            }
        }
        if let Some(m) = s.mean_year_total {
            ws.write_number_with_format(r, 8, m, &one)?;
        }
        let health = [
            s.overweight_rate,
            s.obese_rate,
            s.stunting_rate,
            s.wasting_rate,
            s.myopia_rate,
        ];
        for (i, v) in health.into_iter().enumerate() {
            if let Some(v) = v {
                ws.write_number_with_format(r, col(9 + i), v, &pct)?;
            }
        }
        if let Some(rank) = lr.rank.filter(|_| ranked) {
            ws.write_number(r, rank_col, rank as f64)?;
        }
    }
    wb.save_to_buffer()
}

fn col(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_workbook() {
        let row = FitnessSummaryRow {
            enrolled: 10,
            tested: 8,
            test_rate: Some(0.8),
            ..Default::default()
        };
        let bytes = fitness_summary_xlsx(
            "t",
            "学校",
            &[LabelledRow {
                label: "一中".into(),
                row: &row,
                rank: None,
            }],
            false,
        )
        .unwrap();
        // An XLSX file is a zip archive.
        assert_eq!(&bytes[..2], b"PK");
    }
}
