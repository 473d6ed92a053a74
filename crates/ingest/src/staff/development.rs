//! Teachers' development sheets (modules.md §4): training courses (学时, the 666 programme's
//! 普及/骨干/高端) and titles (骨干教师, 学科带头人, 名师 with level and year). Every cell is
//! checked and a bad one is a Chinese row error naming sheet, row, column and value; the
//! caller refuses a file with any error. Teachers are named by 学校代码 + 工号 and resolved
//! against the roster by the service.
use std::collections::HashMap;

use rust_xlsxwriter::{Format, Workbook};
use wuyu_domain::RowError;

use super::levels::parse_decimal;
use crate::IngestError;
use crate::table::Table;

/// One column: the Chinese header we write, other headers accepted, and a note for the
/// template.
#[derive(Debug, Clone, Copy)]
pub struct DevColumn {
    pub zh: &'static str,
    pub aliases: &'static [&'static str],
    pub note_zh: &'static str,
}

const fn col(zh: &'static str, aliases: &'static [&'static str], note: &'static str) -> DevColumn {
    DevColumn {
        zh,
        aliases,
        note_zh: note,
    }
}

pub const TRAINING_COLUMNS: [DevColumn; 7] = [
    col("学校代码", &["学校", "school"], "本校的学校代码"),
    col("工号", &["教职工号", "staff_no"], "花名册中的教师工号"),
    col(
        "培训项目",
        &["课程", "培训名称", "course"],
        "培训或课程名称",
    ),
    col("培训日期", &["日期", "taken_on"], "开始日期，如 2025-03-15"),
    col("学时", &["培训学时", "hours"], "0–1000 的学时数"),
    col(
        "培训层级",
        &["层级", "level"],
        "普及、骨干 或 高端（666 工程）",
    ),
    col("培训机构", &["主办单位", "provider"], "举办培训的单位"),
];

pub const TITLE_COLUMNS: [DevColumn; 5] = [
    col("学校代码", &["学校", "school"], "本校的学校代码"),
    col("工号", &["教职工号", "staff_no"], "花名册中的教师工号"),
    col(
        "称号",
        &["荣誉称号", "title"],
        "骨干教师、学科带头人 或 名师",
    ),
    col("级别", &["称号级别", "level"], "区级、市级、省级 或 国家级"),
    col("认定年度", &["年度", "year"], "认定的年份，如 2024"),
];

/// The 666 programme's levels, as the store spells them.
pub const TRAINING_LEVELS: [(&str, &str); 3] =
    [("general", "普及"), ("key", "骨干"), ("advanced", "高端")];
pub const TITLE_KINDS: [(&str, &str); 3] = [
    ("key_teacher", "骨干教师"),
    ("subject_leader", "学科带头人"),
    ("master_teacher", "名师"),
];
pub const TITLE_LEVELS: [(&str, &str); 4] = [
    ("district", "区级"),
    ("city", "市级"),
    ("province", "省级"),
    ("national", "国家级"),
];

/// A training course as read.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingLine {
    pub row: u32,
    pub school: String,
    pub staff_no: String,
    pub course: String,
    /// ISO date.
    pub taken_on: String,
    pub hours: f64,
    /// A code of [`TRAINING_LEVELS`].
    pub level: &'static str,
    pub provider: String,
}

/// A title as read.
#[derive(Debug, Clone, PartialEq)]
pub struct TitleLine {
    pub row: u32,
    pub school: String,
    pub staff_no: String,
    /// A code of [`TITLE_KINDS`].
    pub title: &'static str,
    /// A code of [`TITLE_LEVELS`].
    pub level: &'static str,
    pub year: i32,
}

/// A sheet as read: lines of the rows without errors, and every error.
#[derive(Debug, Clone, Default)]
pub struct DevRead<T> {
    pub lines: Vec<T>,
    pub errors: Vec<RowError>,
}

/// Where each column is, or the header errors.
fn locate(file: &str, table: &Table, columns: &[DevColumn]) -> Result<Vec<usize>, Vec<RowError>> {
    let err = |column: &str, message_zh: String| RowError {
        file: file.to_string(),
        sheet: table.name.clone(),
        row: table.header_row,
        column: column.to_string(),
        value: String::new(),
        message_zh,
    };
    let mut at = vec![None; columns.len()];
    let mut errors = Vec::new();
    for (c, h) in table.header.iter().enumerate() {
        let h = h.trim();
        if let Some(k) = columns
            .iter()
            .position(|s| s.zh == h || s.aliases.iter().any(|a| a.eq_ignore_ascii_case(h)))
        {
            if at[k].is_some() {
                errors.push(err(
                    h,
                    format!("“{}”列出现了两次，无法确定用哪一列", columns[k].zh),
                ));
            }
            at[k] = Some(c);
        }
    }
    for (k, spec) in columns.iter().enumerate() {
        if at[k].is_none() {
            errors.push(err(
                spec.zh,
                format!(
                    "缺少“{}”列；现有的列：{}",
                    spec.zh,
                    crate::table::list_headers(&table.header)
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(at.into_iter().flatten().collect())
    } else {
        Err(errors)
    }
}

/// Reads a row's cells, collecting its errors.
struct RowCells<'a> {
    file: &'a str,
    table: &'a Table,
    row: crate::table::RowRef<'a>,
    at: &'a [usize],
    columns: &'a [DevColumn],
    errors: Vec<RowError>,
}

impl RowCells<'_> {
    fn fail(&mut self, k: usize, why: String) {
        self.errors.push(RowError {
            file: self.file.to_string(),
            sheet: self.table.name.clone(),
            row: self.row.number,
            column: self.columns[k].zh.to_string(),
            value: self.row.get(self.at[k]).to_string(),
            message_zh: why,
        });
    }

    fn text(&mut self, k: usize) -> String {
        if let Some(issue) = self.row.issue(self.at[k]) {
            let why = issue.message_zh.clone();
            self.fail(k, why);
            return String::new();
        }
        let t = self.row.get(self.at[k]).trim().to_string();
        if t.is_empty() {
            self.fail(k, "不能为空".into());
        } else if t.chars().count() > 200 {
            self.fail(k, "超过 200 个字".into());
        }
        t
    }

    fn code(&mut self, k: usize, list: &[(&'static str, &'static str)]) -> &'static str {
        let t = self.text(k);
        if t.is_empty() {
            return "";
        }
        match list
            .iter()
            .find(|(c, zh)| *zh == t || c.eq_ignore_ascii_case(&t))
        {
            Some((c, _)) => c,
            None => {
                let names: Vec<&str> = list.iter().map(|(_, zh)| *zh).collect();
                self.fail(k, format!("不是可识别的值：应为 {}", names.join("、")));
                ""
            }
        }
    }

    fn date(&mut self, k: usize) -> String {
        let t = self.text(k).replace(['/', '.'], "-");
        if t.is_empty() {
            return t;
        }
        let fmt =
            time::macros::format_description!("[year]-[month padding:none]-[day padding:none]");
        match time::Date::parse(&t, fmt) {
            Ok(d) if (2000..=2100).contains(&d.year()) => d.to_string(),
            _ => {
                self.fail(k, "不是有效日期：请按 2025-03-15 的格式填写".into());
                String::new()
            }
        }
    }
}

fn each_row<T>(
    file: &str,
    table: &Table,
    columns: &[DevColumn],
    mut line: impl FnMut(&mut RowCells<'_>) -> T,
) -> DevRead<T> {
    let at = match locate(file, table, columns) {
        Ok(at) => at,
        Err(errors) => {
            return DevRead {
                lines: Vec::new(),
                errors,
            };
        }
    };
    let mut out = DevRead {
        lines: Vec::new(),
        errors: Vec::new(),
    };
    for row in table.rows() {
        let mut cells = RowCells {
            file,
            table,
            row,
            at: &at,
            columns,
            errors: Vec::new(),
        };
        let l = line(&mut cells);
        if cells.errors.is_empty() {
            out.lines.push(l);
        } else {
            out.errors.append(&mut cells.errors);
        }
    }
    out
}

/// Reads a training sheet; the same course of a teacher on one date twice is an error.
pub fn read_training(file: &str, table: &Table) -> DevRead<TrainingLine> {
    let mut seen: HashMap<(String, String, String, String), u32> = HashMap::new();
    each_row(file, table, &TRAINING_COLUMNS, |c| {
        let school = c.text(0);
        let staff_no = c.text(1);
        let course = c.text(2);
        let taken_on = c.date(3);
        let hours_text = c.text(4);
        let hours = match parse_decimal(&hours_text) {
            Some(h) if h > 0.0 && h <= 1000.0 => h,
            Some(_) => {
                c.fail(4, "超出 0–1000 学时的范围（须大于 0）".into());
                0.0
            }
            None if hours_text.is_empty() => 0.0,
            None => {
                c.fail(4, "不是数字".into());
                0.0
            }
        };
        let level = c.code(5, &TRAINING_LEVELS);
        let provider = c.text(6);
        let key = (
            school.clone(),
            staff_no.clone(),
            course.clone(),
            taken_on.clone(),
        );
        if c.errors.is_empty() {
            if let Some(first) = seen.get(&key) {
                c.fail(
                    2,
                    format!("与第 {first} 行重复：同一教师同一天的同一培训只能有一行"),
                );
            } else {
                seen.insert(key, c.row.number);
            }
        }
        TrainingLine {
            row: c.row.number,
            school,
            staff_no,
            course,
            taken_on,
            hours,
            level,
            provider,
        }
    })
}

/// Reads a titles sheet; the same title twice is an error.
pub fn read_titles(file: &str, table: &Table) -> DevRead<TitleLine> {
    let mut seen: HashMap<(String, String, &'static str, &'static str, i32), u32> = HashMap::new();
    each_row(file, table, &TITLE_COLUMNS, |c| {
        let school = c.text(0);
        let staff_no = c.text(1);
        let title = c.code(2, &TITLE_KINDS);
        let level = c.code(3, &TITLE_LEVELS);
        let year_text = c.text(4);
        let year = match year_text.trim_end_matches('年').parse::<i32>() {
            Ok(y) if (1980..=2100).contains(&y) => y,
            _ if year_text.is_empty() => 0,
            _ => {
                c.fail(4, "不是有效年份：应为 1980–2100 的四位数".into());
                0
            }
        };
        if c.errors.is_empty() {
            let key = (school.clone(), staff_no.clone(), title, level, year);
            if let Some(first) = seen.get(&key) {
                c.fail(2, format!("与第 {first} 行重复"));
            } else {
                seen.insert(key, c.row.number);
            }
        }
        TitleLine {
            row: c.row.number,
            school,
            staff_no,
            title,
            level,
            year,
        }
    })
}

/// A one-sheet template: the headers (bold, with a note each) and one example row.
pub fn write_dev_template(
    sheet: &str,
    columns: &[DevColumn],
    example: &[&str],
) -> Result<Vec<u8>, IngestError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet)?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for (i, c) in columns.iter().enumerate() {
        let col = u16::try_from(i).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, col, c.zh, &bold)?;
        ws.insert_note(
            0,
            col,
            &rust_xlsxwriter::Note::new(c.note_zh).add_author_prefix(false),
        )?;
        ws.set_column_format(col, &text)?;
        ws.set_column_width(col, 16)?;
        if let Some(v) = example.get(i) {
            ws.write_string(1, col, *v)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(wb.save_to_buffer()?)
}
