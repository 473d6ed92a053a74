//! Integration tests of wuyu-ingest: real CSV and XLSX files are built in each test (CSV
//! bytes in several encodings, XLSX with rust_xlsxwriter) and read back through the public API.
//! One test binary for the crate, to save link time.

mod csv_roster;
mod csv_safe;
mod decode;
mod exam_items;
mod exam_scores;
mod fitness_template;
mod formulas;
mod mutations;
mod properties;
mod round_trip;
mod template;
mod xlsx_roster;

use wuyu_domain::{IdCardNo, RowError};
use wuyu_ingest::{RosterOptions, RosterRead, read_roster};

/// A valid 身份证号 from its first 17 digits.
pub fn id(first17: &str) -> String {
    let b: &[u8; 17] = first17.as_bytes().try_into().unwrap();
    format!("{first17}{}", IdCardNo::check_char(b))
}

/// The same number with a wrong check character.
pub fn id_with_bad_check(first17: &str) -> String {
    let good = id(first17);
    let last = good.chars().last().unwrap();
    let wrong = if last == '0' { '1' } else { '0' };
    format!("{first17}{wrong}")
}

pub const STUDENT_HEADER: &str = "学校代码,年级,班级,学籍号,姓名,性别,出生日期,身份证号,民族代码";

/// A students CSV with the standard header and the given data lines.
pub fn students_csv(rows: &[&str]) -> String {
    let mut s = String::from(STUDENT_HEADER);
    s.push('\n');
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

pub fn read(file_name: &str, bytes: &[u8]) -> RosterRead {
    read_roster(file_name, bytes, &RosterOptions::default()).unwrap()
}

/// Asserts there is exactly one error and returns it.
#[track_caller]
pub fn only_error(r: &RosterRead) -> &RowError {
    assert_eq!(r.errors.len(), 1, "{:#?}", r.errors);
    &r.errors[0]
}
