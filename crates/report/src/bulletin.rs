//! The quarterly bulletin (通报) as a workbook and, with the `pdf` feature, as a PDF through
//! `wuyu-report-pdf`. Both lay out the one read model [`Bulletin`].
use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook, Worksheet, XlsxError};
use wuyu_monitor::bulletin::{Bulletin, BulletinRow};

/// Sheet names of [`bulletin_xlsx`], in order.
pub const SHEETS: [&str; 4] = ["目标完成情况", "各单位明细", "较上季度变化", "落后学校"];

fn header(ws: &mut Worksheet, row: u32, cols: &[&str]) -> Result<(), XlsxError> {
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xEEF2F7))
        .set_align(FormatAlign::Center);
    for (c, h) in cols.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, &head)?;
    }
    Ok(())
}

fn strings(ws: &mut Worksheet, row: u32, cells: &[&str]) -> Result<(), XlsxError> {
    for (c, v) in cells.iter().enumerate() {
        ws.write_string(row, c as u16, *v)?;
    }
    Ok(())
}

fn unit_cells(r: &BulletinRow) -> [&str; 6] {
    [&r.unit, &r.value, r.verdict_zh, &r.n, &r.gap, &r.as_of]
}

/// The bulletin as an XLSX workbook: the targets by 育 with the district's verdicts and the
/// schools' tally; every district-level and behind-school line; the changes since the last
/// quarter; the schools furthest behind. Values are written as the pages show them.
pub fn bulletin_xlsx(b: &Bulletin) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();

    let ws = wb.add_worksheet();
    ws.set_name(SHEETS[0])?;
    ws.write_string_with_format(0, 0, &b.title, &bold)?;
    ws.write_string(
        1,
        0,
        format!(
            "{}目标（{}）；数据：{}；生成日期：{}",
            b.plan_year, b.school_year_zh, b.data_from, b.generated_on
        ),
    )?;
    header(
        ws,
        3,
        &[
            "育",
            "指标",
            "来源",
            "目标",
            "全区数值",
            "全区结论",
            "达标学校",
            "未达标学校",
            "其他学校",
        ],
    )?;
    let mut row = 4;
    for s in &b.sections {
        for t in &s.targets {
            let head = t.heads.first();
            strings(
                ws,
                row,
                &[
                    s.domain_zh,
                    &t.name,
                    t.source_zh,
                    &t.target,
                    head.map_or("—", |h| h.value.as_str()),
                    head.map_or("—", |h| h.verdict_zh),
                ],
            )?;
            let others = t.schools.awaiting + t.schools.no_data;
            ws.write_number(row, 6, t.schools.met as f64)?;
            ws.write_number(row, 7, t.schools.not_met as f64)?;
            ws.write_number(row, 8, others as f64)?;
            row += 1;
        }
    }
    ws.set_freeze_panes(4, 0)?;
    ws.set_column_width(1, 36)?;

    let ws = wb.add_worksheet();
    ws.set_name(SHEETS[1])?;
    header(
        ws,
        0,
        &[
            "育",
            "指标",
            "目标",
            "单位",
            "数值",
            "结论",
            "人数",
            "差距",
            "数据截至",
        ],
    )?;
    let mut row = 1;
    for s in &b.sections {
        for t in &s.targets {
            for r in t.heads.iter().chain(&t.behind) {
                strings(ws, row, &[s.domain_zh, &t.name, &t.target])?;
                for (c, v) in unit_cells(r).iter().enumerate() {
                    ws.write_string(row, 3 + c as u16, *v)?;
                }
                row += 1;
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.set_column_width(1, 36)?;

    let ws = wb.add_worksheet();
    // 较上季度变化, or 较上年度变化 in a year-end summary.
    ws.set_name(format!("较{}变化", b.previous_zh))?;
    match &b.compared_with {
        Some(label) => {
            ws.write_string(0, 0, format!("与{label}比较"))?;
            header(
                ws,
                1,
                &[
                    "指标",
                    "单位",
                    b.previous_zh,
                    b.this_zh,
                    &format!("{}结论", b.previous_zh),
                    &format!("{}结论", b.this_zh),
                    "变化",
                ],
            )?;
            for (i, c) in b.changes.iter().enumerate() {
                strings(
                    ws,
                    2 + i as u32,
                    &[
                        &c.name,
                        &c.unit,
                        &c.before,
                        &c.after,
                        c.before_verdict_zh,
                        c.after_verdict_zh,
                        c.direction_zh,
                    ],
                )?;
            }
        }
        None => {
            ws.write_string(0, 0, format!("{}没有月度调度快照，无法比较", b.previous_zh))?;
        }
    }

    let ws = wb.add_worksheet();
    ws.set_name(SHEETS[3])?;
    header(
        ws,
        0,
        &["学校", "未达标目标数", "参与判定目标数", "未达标目标"],
    )?;
    for (i, l) in b.laggards.iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_string(r, 0, &l.school)?;
        ws.write_number(r, 1, l.missed as f64)?;
        ws.write_number(r, 2, l.judged as f64)?;
        ws.write_string(r, 3, l.targets.join("、"))?;
    }
    ws.set_column_width(3, 60)?;

    wb.save_to_buffer()
}

/// The bulletin as a PDF (typst, A4, title page, one section per 育).
pub fn bulletin_pdf(b: &Bulletin) -> Result<Vec<u8>, crate::pdf::PdfError> {
    crate::pdf::render(crate::pdf::Document::Bulletin, b)
}
