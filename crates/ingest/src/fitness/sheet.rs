//! Finding the fitness sheets of an upload and reading them row by row into scorer inputs,
//! with every problem of a row as a [`RowError`].
use thiserror::Error;
use wuyu_domain::{RowError, Sex, parse_date};
use wuyu_standards::{EyeExam, FitnessGrade, FitnessInput, FitnessItem, applies};

use super::bounds::{Check, check};
use super::fields::{Eye, FIELD_COUNT, FitnessField, FitnessLayout};
use super::values::{normalize_value, parse_field_value};
use crate::schema::normalize_header;
use crate::table::{RowRef, Table, Tables};

/// Why a sheet cannot be read as fitness results at all.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum FitnessSheetError {
    #[error(
        "文件中没有可识别的体质健康成绩表：{found}。需要年级（年级编号 或 grade）、性别（性别 或 sex）两列，以及身高、体重或至少一个测试项目（如 50米跑 / run_50m）的列"
    )]
    NoFitnessSheet { found: String },
    #[error("工作表“{sheet}”中“{first}”和“{second}”是同一项（{field}），请删去其中一列")]
    DuplicateColumn {
        sheet: String,
        first: String,
        second: String,
        field: &'static str,
    },
}

/// How the numbers in a `grade` / `年级` column are coded, from the column as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GradeCoding {
    /// Only school grades (1–10) besides 11/12: 11 and 12 are 高二, 高三.
    School,
    /// Only template codes (13–16, 21–23, …) besides 11/12: 11 and 12 are 一、二年级.
    Template,
    /// Neither or both: 11 and 12 are ambiguous.
    Unknown,
}

/// A sheet recognised as fitness results, ready to read row by row.
#[derive(Debug, Clone)]
pub struct FitnessSheet<'t> {
    file: String,
    table: &'t Table,
    cols: [Option<usize>; FIELD_COUNT],
    coding: GradeCoding,
    layout: FitnessLayout,
    /// 测试日期 / 出生日期 columns: passed through by the scorer, but an impossible date
    /// (2024-13-01) is an error wherever the sheet is read.
    date_cols: Vec<usize>,
}

/// Headers (after [`normalize_header`]) of the date columns a fitness sheet may carry.
const DATE_HEADERS: [&str; 5] = [
    "测试日期",
    "test_date",
    "体测日期",
    "出生日期",
    "birth_date",
];

/// Finds the first fitness sheet of an upload (CSV: the only table; XLSX: the first worksheet
/// whose headers qualify).
pub fn find_fitness_sheet<'t>(
    file_name: &str,
    tables: &'t Tables,
) -> Result<FitnessSheet<'t>, FitnessSheetError> {
    Ok(find_fitness_sheets(file_name, tables)?.remove(0))
}

/// Every fitness sheet of an upload, in workbook order; an error if there is none. Hidden or
/// unrecognised sheets (lookup lists, notes) are skipped.
pub fn find_fitness_sheets<'t>(
    file_name: &str,
    tables: &'t Tables,
) -> Result<Vec<FitnessSheet<'t>>, FitnessSheetError> {
    let mut found = Vec::new();
    for t in &tables.tables {
        if let Some(sheet) = FitnessSheet::new(file_name, t)? {
            found.push(sheet);
        }
    }
    if found.is_empty() {
        let seen: Vec<String> = tables
            .tables
            .iter()
            .filter(|t| !t.hidden)
            .map(|t| {
                let name = if t.name.is_empty() {
                    "表头".to_string()
                } else {
                    format!("工作表“{}”的表头", t.name)
                };
                let header: Vec<&str> = t.header.iter().take(12).map(String::as_str).collect();
                format!("{name}为 {}", header.join("、"))
            })
            .collect();
        return Err(FitnessSheetError::NoFitnessSheet {
            found: if seen.is_empty() {
                "文件里没有数据".to_string()
            } else {
                seen.join("；")
            },
        });
    }
    Ok(found)
}

impl<'t> FitnessSheet<'t> {
    /// Recognises `table` as a fitness sheet: `Ok(None)` when it is not one (too few fitness
    /// columns), an error when it is one but a field has two columns.
    pub fn new(file_name: &str, table: &'t Table) -> Result<Option<Self>, FitnessSheetError> {
        let mut cols: [Option<usize>; FIELD_COUNT] = [None; FIELD_COUNT];
        let (mut template, mut code) = (0, 0);
        for (i, h) in table.header.iter().enumerate() {
            let Some(f) = FitnessField::from_header(h) else {
                continue;
            };
            let slot = f.slot();
            if let Some(first) = cols[slot] {
                return Err(FitnessSheetError::DuplicateColumn {
                    sheet: table.name.clone(),
                    first: table.header[first].clone(),
                    second: h.clone(),
                    field: f.header_zh(),
                });
            }
            cols[slot] = Some(i);
            // Code names are ASCII; the template's headers are Chinese.
            if normalize_header(h).is_ascii() {
                code += 1;
            } else {
                template += 1;
            }
        }
        let has = |f: FitnessField| cols[f.slot()].is_some();
        let measured = [FitnessField::HeightCm, FitnessField::WeightKg]
            .into_iter()
            .chain(FitnessField::ALL[5..15].iter().copied())
            .any(has);
        let graded = has(FitnessField::GradeCode) || has(FitnessField::Grade);
        if !(graded && has(FitnessField::Sex) && measured) {
            return Ok(None);
        }
        let layout = match (template, code) {
            (_, 0) => FitnessLayout::Template,
            (0, _) => FitnessLayout::Code,
            _ => FitnessLayout::Mixed,
        };
        let coding = cols[FitnessField::Grade.slot()].map_or(GradeCoding::Unknown, |c| {
            grade_coding(table.rows().map(|r| r.get(c)))
        });
        let date_cols = (0..table.header.len())
            .filter(|&i| DATE_HEADERS.contains(&normalize_header(&table.header[i]).as_str()))
            .collect();
        Ok(Some(FitnessSheet {
            file: file_name.to_string(),
            table,
            cols,
            coding,
            layout,
            date_cols,
        }))
    }

    pub fn table(&self) -> &'t Table {
        self.table
    }

    pub fn layout(&self) -> FitnessLayout {
        self.layout
    }

    /// The column index of a field, if the sheet has it.
    pub fn column(&self, field: FitnessField) -> Option<usize> {
        self.cols[field.slot()]
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Every data row, read.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = FitnessRow<'t>> + '_ {
        self.table.rows().map(|r| self.read_row(r))
    }

    /// Reads one row: every cell is checked, so all of a row's problems are reported at once.
    pub fn read_row(&self, row: RowRef<'t>) -> FitnessRow<'t> {
        let mut out = FitnessRow {
            number: row.number,
            cells: row,
            input: None,
            eyes: [EyeExam::default(); 2],
            errors: Vec::new(),
            warnings: Vec::new(),
        };
        let mut cx = RowCx {
            sheet: self,
            row,
            errors: &mut out.errors,
            warnings: &mut out.warnings,
        };

        // A cell that cannot be read faithfully (an uncalculated formula, an Excel error
        // value) is reported once, here; the checks below skip its column.
        for c in 0..row.len() {
            if let Some(issue) = row.issue(c) {
                let e = cx.problem(c, issue.message_zh.clone());
                cx.errors.push(RowError {
                    value: issue.value.clone(),
                    ..e
                });
            }
        }

        for &c in &self.date_cols {
            let v = cx.cell(c);
            if let (false, Err(e)) = (v.is_empty(), parse_date(v)) {
                let msg = format!("{}无效：{e}", self.table.header[c]);
                cx.error(c, msg);
            }
        }

        let grade = self.read_grade(&mut cx);
        let sex = self.column(FitnessField::Sex).and_then(|c| {
            let v = cx.cell(c);
            if v.is_empty() {
                cx.error(c, "性别为空，应为 男 / 女（或 1 / 2、M / F）".to_string());
                return None;
            }
            match Sex::parse(v) {
                Ok(s) => Some(s),
                Err(_) => {
                    cx.error(
                        c,
                        format!("性别“{v}”无法识别，应为 男 / 女（或 1 / 2、M / F）"),
                    );
                    None
                }
            }
        });

        let height = self.measure(&mut cx, FitnessField::HeightCm);
        let weight = self.measure(&mut cx, FitnessField::WeightKg);
        if let (Some(h), Some(w)) = (height, weight) {
            check_bmi(&mut cx, self, h, w);
        }
        let mut items = [None; FitnessItem::COUNT];
        for item in FitnessItem::ALL.into_iter().skip(1) {
            items[item.index()] = self.measure(&mut cx, FitnessField::Item(item));
        }
        for (e, eye) in [Eye::Left, Eye::Right].into_iter().enumerate() {
            out_eye(&mut cx, self, eye, &mut out.eyes[e]);
        }

        if let (Some(grade), Some(sex)) = (grade, sex) {
            for item in FitnessItem::ALL.into_iter().skip(1) {
                if items[item.index()].is_some() && !applies(item, grade, sex) {
                    let c = self
                        .column(FitnessField::Item(item))
                        .expect("a value comes from a column");
                    cx.error(
                        c,
                        format!(
                            "{}{}生不测{}，请删去此成绩或核对年级、性别",
                            grade.label_zh(),
                            sex.label_zh(),
                            item.name_zh()
                        ),
                    );
                }
            }
            if cx.errors.is_empty() {
                let mut input = FitnessInput::new(grade, sex);
                input.height_cm = height;
                input.weight_kg = weight;
                for item in FitnessItem::ALL.into_iter().skip(1) {
                    input
                        .set(item, items[item.index()])
                        .expect("only BMI cannot be set");
                }
                out.input = Some(input);
            }
        }
        // A message shows at most the start of a huge cell (the mutation runs found the whole
        // value repeated).
        wuyu_domain::shorten_values(&mut out.errors);
        wuyu_domain::shorten_values(&mut out.warnings);
        out
    }

    fn read_grade(&self, cx: &mut RowCx<'_, 't>) -> Option<FitnessGrade> {
        let by_code = self.column(FitnessField::GradeCode).and_then(|c| {
            let v = cx.cell(c);
            let g = v
                .parse::<u8>()
                .ok()
                .and_then(FitnessGrade::from_template_code);
            if g.is_none() {
                cx.error(
                    c,
                    if v.is_empty() {
                        "年级编号为空".to_string()
                    } else {
                        format!("年级编号“{v}”无效")
                    } + "，应为 11–16（一至六年级）、21–23（初一至初三）、31–33（高一至高三）或 41–44（大一至大四）",
                );
            }
            g.map(|g| (c, g))
        });
        let by_grade = self.column(FitnessField::Grade).and_then(|c| {
            let v = cx.cell(c);
            match parse_grade(v, self.coding) {
                Ok(g) => Some((c, g)),
                Err(msg) => {
                    cx.error(c, msg);
                    None
                }
            }
        });
        match (by_code, by_grade) {
            (Some((_, a)), Some((c, b))) if a != b => {
                cx.error(
                    c,
                    format!(
                        "年级与年级编号不一致：年级编号是{}，年级是{}",
                        a.label_zh(),
                        b.label_zh()
                    ),
                );
                None
            }
            (Some((_, g)), _) | (None, Some((_, g))) => Some(g),
            (None, None) => None,
        }
    }

    /// Parses and checks one measured value; records errors and warnings.
    fn measure(&self, cx: &mut RowCx<'_, 't>, field: FitnessField) -> Option<f64> {
        let c = self.column(field)?;
        let text = cx.cell(c);
        match parse_field_value(field, text) {
            Ok(None) => None,
            Ok(Some(v)) => match check(field, v) {
                Check::Ok => Some(v),
                Check::Warning(m) => {
                    cx.warning(c, m);
                    Some(v)
                }
                Check::Error(m) => {
                    cx.error(c, m);
                    None
                }
            },
            Err(m) => {
                cx.error(c, m);
                None
            }
        }
    }
}

fn out_eye<'t>(cx: &mut RowCx<'_, 't>, sheet: &FitnessSheet<'t>, eye: Eye, out: &mut EyeExam) {
    out.uncorrected_acuity = sheet.measure(cx, FitnessField::Acuity(eye));
    let sphere = sheet.measure(cx, FitnessField::Sphere(eye));
    let cylinder = sheet.measure(cx, FitnessField::Cylinder(eye));
    let se = sheet.measure(cx, FitnessField::SphericalEquivalent(eye));
    out.spherical_equivalent = se.or(match (sphere, cylinder) {
        (Some(s), Some(c)) => Some(wuyu_standards::spherical_equivalent(s, c)),
        // Without a cylinder column, a sphere alone is the whole refraction.
        (Some(s), None) if sheet.column(FitnessField::Cylinder(eye)).is_none() => Some(s),
        _ => None,
    });
}

fn check_bmi(cx: &mut RowCx<'_, '_>, sheet: &FitnessSheet<'_>, h: f64, w: f64) {
    let bmi = w / (h / 100.0).powi(2);
    let c = sheet
        .column(FitnessField::WeightKg)
        .expect("weight was read");
    if !(7.0..=70.0).contains(&bmi) {
        cx.error(
            c,
            format!(
                "身高 {h} 厘米、体重 {w} 千克算得体重指数 {bmi:.1}，不可能（应在 7–70 之间），请核对身高和体重"
            ),
        );
    } else if !(10.0..=45.0).contains(&bmi) {
        cx.warning(
            c,
            format!(
                "身高 {h} 厘米、体重 {w} 千克算得体重指数 {bmi:.1}，超出常见范围（10–45），请核对"
            ),
        );
    }
}

/// Where a row's problems go.
struct RowCx<'a, 't> {
    sheet: &'a FitnessSheet<'t>,
    row: RowRef<'t>,
    errors: &'a mut Vec<RowError>,
    warnings: &'a mut Vec<RowError>,
}

impl<'t> RowCx<'_, 't> {
    fn cell(&self, col: usize) -> &'t str {
        self.row.get(col)
    }

    fn problem(&self, col: usize, message_zh: String) -> RowError {
        RowError {
            file: self.sheet.file.clone(),
            sheet: self.sheet.table.name.clone(),
            row: self.row.number,
            // A cell right of the header has no name: say which column it is.
            column: self
                .sheet
                .table
                .header
                .get(col)
                .cloned()
                .unwrap_or_else(|| format!("第 {} 列", col + 1)),
            value: self.row.get(col).to_string(),
            message_zh,
        }
    }

    fn error(&mut self, col: usize, message_zh: String) {
        if self.row.issue(col).is_some() {
            return;
        }
        let e = self.problem(col, message_zh);
        self.errors.push(e);
    }

    fn warning(&mut self, col: usize, message_zh: String) {
        let w = self.problem(col, message_zh);
        self.warnings.push(w);
    }
}

/// One data row, read.
#[derive(Debug, Clone)]
pub struct FitnessRow<'t> {
    /// 1-based spreadsheet row number.
    pub number: u32,
    /// The row as written, for passing through.
    pub cells: RowRef<'t>,
    /// The record to score; `Some` exactly when `errors` is empty.
    pub input: Option<FitnessInput>,
    /// Vision fields, left eye then right (empty when the sheet has none).
    pub eyes: [EyeExam; 2],
    /// Problems that stop the row from being scored.
    pub errors: Vec<RowError>,
    /// Possible but unusual values, for the teacher to confirm.
    pub warnings: Vec<RowError>,
}

/// The grade coding of a `grade` / `年级` column, from all its values.
fn grade_coding<'a>(values: impl Iterator<Item = &'a str>) -> GradeCoding {
    let (mut school, mut template) = (false, false);
    for v in values {
        match v.trim().parse::<u8>() {
            Ok(1..=10) => school = true,
            Ok(13..=16 | 21..=23 | 31..=33 | 41..=44) => template = true,
            _ => {}
        }
    }
    match (school, template) {
        (true, false) => GradeCoding::School,
        (false, true) => GradeCoding::Template,
        _ => GradeCoding::Unknown,
    }
}

fn parse_grade(v: &str, coding: GradeCoding) -> Result<FitnessGrade, String> {
    if v.is_empty() {
        return Err("年级为空，应为 1–12、年级编号（如 11、21）或 一年级…高三".to_string());
    }
    let v = normalize_value(v);
    let v = v.as_ref();
    if let Ok(n) = v.parse::<u8>() {
        return match (n, coding) {
            (1..=10, _) | (11 | 12, GradeCoding::School) => {
                Ok(FitnessGrade::school(n).expect("1–12"))
            }
            (11 | 12, GradeCoding::Template) => {
                Ok(FitnessGrade::from_template_code(n).expect("11, 12 are codes"))
            }
            (11 | 12, GradeCoding::Unknown) => Err(format!(
                "年级“{n}”有歧义：可能是{}（年级 {n}），也可能是年级编号 {n}（{}）。请写成 {} 或 {}，或把列名改为“年级编号”",
                FitnessGrade::school(n).expect("1–12").label_zh(),
                FitnessGrade::from_template_code(n)
                    .expect("code")
                    .label_zh(),
                FitnessGrade::school(n).expect("1–12").label_zh(),
                FitnessGrade::from_template_code(n)
                    .expect("code")
                    .label_zh(),
            )),
            _ => FitnessGrade::from_template_code(n).ok_or_else(|| {
                format!("年级“{n}”无效，应为 1–12 或年级编号 11–16、21–23、31–33、41–44")
            }),
        };
    }
    FitnessGrade::parse(v)
        .map_err(|_| format!("年级“{v}”无法识别，应为 1–12、年级编号（如 11、21）或 一年级…高三"))
}
