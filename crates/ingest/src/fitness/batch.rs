//! A fitness upload as a [`FitnessBatch`] for one term: every fitness sheet of the file, each
//! row keyed by its 学籍号, with the row's 测试日期 or a default date. Grade and sex are read as
//! the stateless scorer reads them; the store checks them against the roster and scores.
use thiserror::Error;
use time::Date;
use wuyu_domain::{
    FitnessBatch, FitnessMeasures, NewFitnessRecord, Origin, RowError, StudentNo, Term, parse_date,
};

use crate::IngestError;
use crate::fitness::{FitnessSheetError, find_fitness_sheets};
use crate::names::{NamedRow, name_column, named_row};
use crate::schema::normalize_header;

/// Why a fitness file cannot be read at all (row problems are [`FitnessRead::errors`]).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum FitnessFileError {
    #[error("{file}：{source}")]
    Read { file: String, source: IngestError },
    #[error("{file}：{source}")]
    Sheet {
        file: String,
        source: FitnessSheetError,
    },
    #[error("{sheet} 没有“学籍号”列（或 student_no）：体测成绩按学籍号对应到学生，请加上该列")]
    NoStudentNo { sheet: String },
    #[error(
        "{sheet} 没有“测试日期”列（或 test_date）：请在表中加上测试日期，或导入时给出测试日期（命令行 --test-date YYYY-MM-DD）"
    )]
    NoTestDate { sheet: String },
    #[error("测试日期 {date} 不在 {term} 内：请核对测试日期或学期")]
    TestDateOutsideTerm { date: Date, term: String },
}

/// What a fitness file holds: the records that could be read, every row error (the batch must
/// not be imported unless `errors` is empty) and how many values were implausible (warnings).
#[derive(Debug, Default)]
pub struct FitnessRead {
    pub batch: FitnessBatch,
    pub errors: Vec<RowError>,
    pub warnings: Vec<RowError>,
    /// The 姓名 of each record that has one, to check against the roster before writing.
    pub names: Vec<NamedRow>,
}

/// Reads every fitness sheet of `bytes` (CSV in any supported encoding, or XLSX) as records of
/// `term`. A row's test date is its 测试日期 / test_date cell, else `default_date`.
pub fn read_fitness_batch(
    file_name: &str,
    bytes: &[u8],
    term: Term,
    default_date: Option<Date>,
) -> Result<FitnessRead, FitnessFileError> {
    let tables = crate::read_tables(file_name, bytes).map_err(|source| FitnessFileError::Read {
        file: file_name.to_string(),
        source,
    })?;
    let sheets =
        find_fitness_sheets(file_name, &tables).map_err(|source| FitnessFileError::Sheet {
            file: file_name.to_string(),
            source,
        })?;
    if let Some(date) = default_date.filter(|d| !term.contains(*d)) {
        return Err(FitnessFileError::TestDateOutsideTerm {
            date,
            term: term.describe_zh(),
        });
    }
    let mut out = FitnessRead::default();
    for sheet in &sheets {
        let t = sheet.table();
        let col = |names: &[&str]| {
            t.header
                .iter()
                .position(|h| names.contains(&normalize_header(h).as_str()))
        };
        let sheet_label = if t.name.is_empty() {
            file_name.to_string()
        } else {
            format!("{file_name} 工作表“{}”", t.name)
        };
        let no_col = col(&["学籍号", "student_no", "全国学籍号"]).ok_or_else(|| {
            FitnessFileError::NoStudentNo {
                sheet: sheet_label.clone(),
            }
        })?;
        let date_col = col(&["测试日期", "test_date", "体测日期"]);
        let name_col = name_column(t);
        if date_col.is_none() && default_date.is_none() {
            return Err(FitnessFileError::NoTestDate { sheet: sheet_label });
        }
        out.batch.records.reserve(sheet.len());
        for row in sheet.rows() {
            let problem = |c: usize, msg: String| RowError {
                file: file_name.to_string(),
                sheet: t.name.clone(),
                row: row.number,
                column: t.header[c].clone(),
                value: row.cells.get(c).to_string(),
                message_zh: msg,
            };
            let no = StudentNo::parse(row.cells.get(no_col));
            // A cell the sheet reader could not read is already among the row's errors.
            if let (Err(e), None) = (&no, row.cells.issue(no_col)) {
                out.errors.push(problem(no_col, format!("学籍号无效：{e}")));
            }
            let date = match date_col.map(|c| (c, row.cells.get(c))) {
                Some((c, _)) if row.cells.issue(c).is_some() => None,
                Some((c, v)) if !v.is_empty() => match parse_date(v) {
                    Ok(d) if !term.contains(d) => {
                        let msg = format!("测试日期不在 {} 内", term.describe_zh());
                        out.errors.push(problem(c, msg));
                        None
                    }
                    Ok(d) => Some(d),
                    // The sheet reader reports an impossible date among the row's errors.
                    Err(_) => None,
                },
                Some((c, _)) if default_date.is_none() => {
                    out.errors.push(problem(
                        c,
                        "测试日期为空：请填写，或导入时给出测试日期".to_string(),
                    ));
                    None
                }
                _ => default_date,
            };
            out.errors.extend(row.errors.iter().cloned());
            out.warnings.extend(row.warnings.iter().cloned());
            let (Ok(no), Some(date), Some(input)) = (no, date, row.input) else {
                continue;
            };
            let Some(grade) = input.grade.school_grade() else {
                out.errors.push(RowError {
                    file: file_name.to_string(),
                    sheet: t.name.clone(),
                    row: row.number,
                    column: "年级".into(),
                    value: input.grade.code().into(),
                    message_zh: "大学年级不能导入中小学学籍".into(),
                });
                continue;
            };
            out.names.extend(named_row(t, name_col, &row.cells, &no));
            let [left, right] = row.eyes;
            out.batch.records.push(NewFitnessRecord {
                origin: Origin {
                    sheet: t.name.clone(),
                    row: row.number,
                },
                student_no: no,
                term,
                test_date: date,
                grade: Some(grade),
                sex: Some(input.sex),
                measures: FitnessMeasures {
                    height_cm: input.height_cm,
                    weight_kg: input.weight_kg,
                    vital_capacity: input.vital_capacity,
                    run_50m: input.run_50m,
                    sit_and_reach: input.sit_and_reach,
                    rope_skip_1min: input.rope_skip_1min,
                    sit_up_1min: input.sit_up_1min,
                    shuttle_50x8: input.shuttle_50x8,
                    standing_long_jump: input.standing_long_jump,
                    pull_up: input.pull_up,
                    run_1000m: input.run_1000m,
                    run_800m: input.run_800m,
                    acuity_left: left.uncorrected_acuity,
                    acuity_right: right.uncorrected_acuity,
                    se_left: left.spherical_equivalent,
                    se_right: right.spherical_equivalent,
                },
            });
        }
    }
    wuyu_domain::shorten_values(&mut out.errors);
    Ok(out)
}
