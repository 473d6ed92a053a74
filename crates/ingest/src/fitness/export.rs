/*!
A school's fitness results written back in the national upload template's layout (XLSX or
UTF-8 CSV), so a school reports upward from wuyu without retyping: 年级编号, 班级编号, 班级名称,
学籍号, 民族代码, 姓名, 性别 (1 = 男, 2 = 女), 出生日期, 身高, 体重, the items in the template's
order and the vision fields. The long runs are written as 分'秒" (3'40"), the form the template
asks for; empty cells are items not tested. [`read_fitness_batch`](crate::read_fitness_batch)
reads the file back to the same measures (a test checks it), given the test date.
*/
use std::io::Write;

use rust_xlsxwriter::{Format, Workbook};
use time::Date;
use wuyu_domain::{EthnicityCode, FitnessMeasures, Grade, Sex};

use crate::IngestError;

/// One student's row of the template.
#[derive(Debug, Clone, Copy)]
pub struct TemplateRow<'a> {
    pub grade: Grade,
    /// 班级编号: the class's number within its grade.
    pub class_no: u32,
    pub class_name: &'a str,
    pub student_no: &'a str,
    pub ethnicity: Option<EthnicityCode>,
    pub name: &'a str,
    pub sex: Sex,
    pub birth_date: Date,
    pub measures: &'a FitnessMeasures,
}

/// The template's headers, in order.
pub const TEMPLATE_HEADER: [&str; 24] = [
    "年级编号",
    "班级编号",
    "班级名称",
    "学籍号",
    "民族代码",
    "姓名",
    "性别",
    "出生日期",
    "身高",
    "体重",
    "肺活量",
    "50米跑",
    "立定跳远",
    "坐位体前屈",
    "800米跑",
    "1000米跑",
    "一分钟仰卧起坐",
    "引体向上",
    "一分钟跳绳",
    "50米×8往返跑",
    "左眼裸眼视力",
    "右眼裸眼视力",
    "左眼等效球镜",
    "右眼等效球镜",
];

/// First column holding a measure (身高).
const FIRST_MEASURE: usize = 8;

/// A cell: text, or a number Excel may keep numeric.
enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

/// The cells of one row, in [`TEMPLATE_HEADER`] order.
fn cells(r: &TemplateRow<'_>) -> [Cell; 24] {
    let m = r.measures;
    let num = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Number);
    let time = |v: Option<f64>| v.map_or(Cell::Empty, |s| Cell::Text(minutes_seconds(s)));
    let d = r.birth_date;
    [
        Cell::Text(r.grade.template_code().to_string()),
        Cell::Text(r.class_no.to_string()),
        Cell::Text(r.class_name.to_string()),
        Cell::Text(r.student_no.to_string()),
        r.ethnicity
            .map_or(Cell::Empty, |e| Cell::Text(format!("{:02}", e.get()))),
        Cell::Text(r.name.to_string()),
        Cell::Text(
            match r.sex {
                Sex::Male => "1",
                Sex::Female => "2",
            }
            .to_string(),
        ),
        Cell::Text(format!(
            "{:04}-{:02}-{:02}",
            d.year(),
            u8::from(d.month()),
            d.day()
        )),
        num(m.height_cm),
        num(m.weight_kg),
        num(m.vital_capacity),
        num(m.run_50m),
        num(m.standing_long_jump),
        num(m.sit_and_reach),
        time(m.run_800m),
        time(m.run_1000m),
        num(m.sit_up_1min),
        num(m.pull_up),
        num(m.rope_skip_1min),
        time(m.shuttle_50x8),
        num(m.acuity_left),
        num(m.acuity_right),
        num(m.se_left),
        num(m.se_right),
    ]
}

/// 220 → `3'40"`, 95.5 → `1'35.5"`.
fn minutes_seconds(total: f64) -> String {
    let minutes = (total / 60.0).floor();
    let seconds = total - minutes * 60.0;
    // Hundredths, so binary noise (95.49999…) never shows.
    let seconds = (seconds * 100.0).round() / 100.0;
    if seconds < 10.0 {
        format!("{minutes}'0{seconds}\"")
    } else {
        format!("{minutes}'{seconds}\"")
    }
}

/// Writes the rows as a UTF-8 CSV with a BOM (Excel on Chinese Windows detects it).
pub fn write_fitness_template_csv<'a>(
    rows: impl IntoIterator<Item = TemplateRow<'a>>,
    out: impl Write,
) -> std::io::Result<()> {
    let mut out = out;
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(1 << 16)
        .from_writer(out);
    w.write_record(TEMPLATE_HEADER)?;
    let mut line: Vec<String> = Vec::with_capacity(TEMPLATE_HEADER.len());
    for r in rows {
        line.clear();
        line.extend(cells(&r).into_iter().map(|c| match c {
            Cell::Text(s) => crate::csv_cell(&s).into_owned(),
            Cell::Number(v) => v.to_string(),
            Cell::Empty => String::new(),
        }));
        w.write_record(&line)?;
    }
    w.flush()?;
    Ok(())
}

/// Writes the rows as an XLSX workbook with one sheet, 学生体质健康数据: codes, 学籍号 and dates as
/// text (so Excel keeps leading zeros and long numbers), measures as numbers.
pub fn write_fitness_template_xlsx<'a>(
    rows: impl IntoIterator<Item = TemplateRow<'a>>,
) -> Result<Vec<u8>, IngestError> {
    let xlsx = |e: rust_xlsxwriter::XlsxError| IngestError::Xlsx {
        detail: e.to_string(),
    };
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("学生体质健康数据").map_err(xlsx)?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for (c, h) in TEMPLATE_HEADER.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, *h, &bold).map_err(xlsx)?;
        if (c as usize) < FIRST_MEASURE {
            ws.set_column_format(c, &text).map_err(xlsx)?;
        }
    }
    for (i, r) in rows.into_iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(|_| IngestError::Xlsx {
            detail: "超过 Excel 的行数上限".into(),
        })?;
        for (c, cell) in cells(&r).into_iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => ws.write_string(row, c, s).map_err(xlsx)?,
                Cell::Number(v) => ws.write_number(row, c, v).map_err(xlsx)?,
                Cell::Empty => continue,
            };
        }
    }
    ws.set_freeze_panes(1, 0).map_err(xlsx)?;
    wb.save_to_buffer().map_err(xlsx)
}

#[cfg(test)]
mod tests {
    use super::minutes_seconds;

    #[test]
    fn long_runs_are_written_as_minutes_and_seconds() {
        assert_eq!(minutes_seconds(220.0), "3'40\"");
        assert_eq!(minutes_seconds(95.5), "1'35.5\"");
        assert_eq!(minutes_seconds(245.0), "4'05\"");
        assert_eq!(minutes_seconds(60.0), "1'00\"");
    }
}
