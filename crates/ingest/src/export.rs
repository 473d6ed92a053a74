/*!
Writing a students CSV that [`read_roster`](crate::read_roster) reads back to the same records:
UTF-8 with a BOM (so Excel on Chinese Windows detects the encoding) and the template's Chinese
headers.

Caveat for people, not programs: Excel opening any CSV turns an 18-digit 身份证号 into a
15-digit number. The file itself is correct; for editing in Excel use the XLSX template.
*/
use std::io::Write;

use wuyu_domain::roster::NewStudent;

use crate::csv_cell;

/// The students CSV header, in the order the columns are written.
pub const STUDENT_CSV_HEADER: [&str; 9] = [
    "学校代码",
    "年级",
    "班级",
    "学籍号",
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "民族代码",
];

/// Writes `students` as a UTF-8-with-BOM CSV: grade as 1–12, sex as 男/女, dates as
/// yyyy-mm-dd, 民族代码 as two digits, empty cells for missing optional values.
pub fn write_students_csv(students: &[NewStudent], mut out: impl Write) -> std::io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(1 << 16)
        .from_writer(out);
    w.write_record(STUDENT_CSV_HEADER)?;
    let mut grade = String::with_capacity(2);
    let mut date = String::with_capacity(10);
    let mut eth = String::with_capacity(2);
    for s in students {
        use std::fmt::Write as _;
        grade.clear();
        write!(grade, "{}", s.grade.get()).expect("write to String");
        date.clear();
        let d = s.birth_date;
        write!(
            date,
            "{:04}-{:02}-{:02}",
            d.year(),
            u8::from(d.month()),
            d.day()
        )
        .expect("write to String");
        eth.clear();
        if let Some(e) = s.ethnicity {
            write!(eth, "{:02}", e.get()).expect("write to String");
        }
        // Free text (class and person names) could start like a formula.
        w.write_record([
            s.school_code.as_str(),
            &grade,
            &csv_cell(&s.class_name),
            s.student_no.as_str(),
            &csv_cell(s.name.as_str()),
            s.sex.label_zh(),
            &date,
            s.id_card_no.as_ref().map_or("", |i| i.as_str()),
            &eth,
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error())?.flush()
}
