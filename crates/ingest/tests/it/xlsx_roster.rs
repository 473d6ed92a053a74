//! XLSX rosters as Excel users make them: numbers and dates as typed cells, several sheets,
//! sheets named Sheet1, and the classic Excel accident of a 身份证号 stored as a number.
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use time::macros::date;
use wuyu_domain::{Location, Sex, Stage};
use wuyu_ingest::{IngestError, RosterOptions, read_roster};

use crate::{id, only_error, read};

fn workbook(build: impl FnOnce(&mut Workbook) -> Result<(), XlsxError>) -> Vec<u8> {
    let mut wb = Workbook::new();
    build(&mut wb).unwrap();
    wb.save_to_buffer().unwrap()
}

fn strings(ws: &mut Worksheet, row: u32, cells: &[&str]) -> Result<(), XlsxError> {
    for (c, v) in cells.iter().enumerate() {
        if !v.is_empty() {
            ws.write_string(row, c as u16, *v)?;
        }
    }
    Ok(())
}

#[test]
fn a_whole_roster_workbook() {
    let a = id("31011220120305123");
    let sn = format!("G{a}");
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let bytes = workbook(|wb| {
        let ws = wb.add_worksheet().set_name("学校")?;
        strings(ws, 0, &["学校代码", "学校名称", "学段", "城乡", "教育集团"])?;
        strings(ws, 1, &["3101120001", "实验中学", "初中", "农村", ""])?;

        let ws = wb.add_worksheet().set_name("班级")?;
        strings(ws, 0, &["学校代码", "年级", "班级"])?;
        strings(ws, 1, &["3101120001", "", "3班"])?;
        ws.write_number(1, 1, 7)?;

        let ws = wb.add_worksheet().set_name("学生")?;
        strings(
            ws,
            0,
            &[
                "学校代码",
                "年级",
                "班级",
                "学籍号",
                "姓名",
                "性别",
                "出生日期",
                "身份证号",
                "民族代码",
            ],
        )?;
        strings(
            ws,
            1,
            &["3101120001", "", "3班", &sn, "张三", "男", "", &a, ""],
        )?;
        ws.write_number(1, 1, 7)?;
        ws.write_datetime_with_format(1, 6, ExcelDateTime::from_ymd(2012, 3, 5)?, &date_fmt)?;
        ws.write_number(1, 8, 1)?;

        let ws = wb.add_worksheet().set_name("教师")?;
        strings(ws, 0, &["学校代码", "工号", "姓名", "性别"])?;
        strings(ws, 1, &["3101120001", "", "王老师", "女"])?;
        ws.write_number(1, 1, 1001)?;

        let ws = wb.add_worksheet().set_name("任课")?;
        strings(ws, 0, &["学校代码", "工号", "年级", "班级", "科目", "比例"])?;
        strings(ws, 1, &["3101120001", "1001", "七年级", "3班", "语文", ""])?;
        ws.write_number(1, 5, 0.5)?;
        Ok(())
    });
    let r = read("名册.xlsx", &bytes);
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    assert_eq!(r.encoding, None);
    assert_eq!(r.rows_read, 5);
    let b = &r.batch;
    assert_eq!(b.record_count(), 5);
    assert_eq!(b.schools[0].stage, Stage::Junior);
    assert_eq!(b.schools[0].location, Location::Rural);
    assert_eq!(
        b.classes[0].grade.get(),
        7,
        "a number cell 7 reads as grade 7"
    );
    let s = &b.students[0];
    assert_eq!(
        s.birth_date,
        date!(2012 - 03 - 05),
        "a date cell reads as its date"
    );
    assert_eq!(s.student_no.as_str(), sn);
    assert_eq!(s.id_card_no.as_ref().unwrap().as_str(), a);
    assert_eq!(s.sex, Sex::Male);
    assert_eq!(s.ethnicity.unwrap().get(), 1);
    assert_eq!((s.origin.sheet.as_str(), s.origin.row), ("学生", 2));
    assert_eq!(b.teachers[0].staff_no, "1001", "no trailing .0 on numbers");
    assert_eq!(b.assignments[0].staff_no, "1001");
    assert_eq!(b.assignments[0].share, 0.5);
}

#[test]
fn an_id_card_number_typed_as_a_number_has_lost_digits() {
    let a = id("31011220120305123");
    let bytes = workbook(|wb| {
        let ws = wb.add_worksheet().set_name("学生")?;
        strings(
            ws,
            0,
            &[
                "学校代码",
                "年级",
                "班级",
                "学籍号",
                "姓名",
                "性别",
                "出生日期",
                "身份证号",
            ],
        )?;
        strings(
            ws,
            1,
            &[
                "3101120001",
                "7",
                "3班",
                "L2012000001",
                "张三",
                "男",
                "2012-03-05",
            ],
        )?;
        // What Excel stores when a user types 18 digits into a General cell.
        ws.write_number(1, 7, a.parse::<f64>().unwrap())?;
        Ok(())
    });
    let r = read("学生.xlsx", &bytes);
    let e = only_error(&r);
    assert_eq!(
        (e.sheet.as_str(), e.row, e.column.as_str()),
        ("学生", 2, "身份证号")
    );
    assert_eq!(e.value, "310112201203051000", "shows what Excel kept");
    assert!(e.message_zh.contains("15 位"), "{}", e.message_zh);
    assert!(
        e.message_zh.contains("文本"),
        "says how to fix: {}",
        e.message_zh
    );
    assert!(
        r.batch.students.is_empty(),
        "a truncated ID is never imported"
    );
}

#[test]
fn a_long_number_in_an_unused_column_is_ignored() {
    let bytes = workbook(|wb| {
        let ws = wb.add_worksheet().set_name("班级")?;
        strings(ws, 0, &["学校代码", "年级", "班级", "家长电话"])?;
        strings(ws, 1, &["3101120001", "7", "3班"])?;
        ws.write_number(1, 3, 1.2345678901234567e17)?;
        Ok(())
    });
    let r = read("班级.xlsx", &bytes);
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    assert_eq!(r.batch.classes.len(), 1);
}

#[test]
fn sheets_named_otherwise_are_recognised_by_their_headers() {
    let bytes = workbook(|wb| {
        let ws = wb.add_worksheet(); // "Sheet1"
        strings(
            ws,
            0,
            &[
                "学校代码",
                "年级",
                "班级",
                "学籍号",
                "姓名",
                "性别",
                "出生日期",
            ],
        )?;
        strings(
            ws,
            1,
            &[
                "3101120001",
                "7",
                "3班",
                "L2012000001",
                "张三",
                "男",
                "2012-03-05",
            ],
        )?;
        let ws = wb.add_worksheet().set_name("统计")?;
        strings(ws, 0, &["年级人数", "男生"])?;
        let ws = wb.add_worksheet().set_name("代码表")?;
        strings(ws, 0, &["代码", "名称"])?;
        ws.set_hidden(true);
        let ws = wb.add_worksheet().set_name("填写说明")?;
        strings(ws, 0, &["请按模板填写"])?;
        Ok(())
    });
    let r = read("upload.xlsx", &bytes);
    assert_eq!(r.batch.students.len(), 1);
    assert_eq!(r.batch.students[0].origin.sheet, "Sheet1");
    // The unknown visible sheet is reported, not dropped silently; hidden lists and
    // instructions are not.
    let e = only_error(&r);
    assert_eq!((e.sheet.as_str(), e.row), ("统计", 0));
    assert!(e.message_zh.contains("年级人数、男生"), "{}", e.message_zh);
}

#[test]
fn duplicate_student_no_across_sheets_names_the_other_sheet() {
    let bytes = workbook(|wb| {
        for name in ["七年级学生", "八年级学生"] {
            let ws = wb.add_worksheet().set_name(name)?;
            strings(
                ws,
                0,
                &[
                    "学校代码",
                    "年级",
                    "班级",
                    "学籍号",
                    "姓名",
                    "性别",
                    "出生日期",
                ],
            )?;
            strings(
                ws,
                1,
                &[
                    "3101120001",
                    "7",
                    "3班",
                    "L2012000001",
                    "张三",
                    "男",
                    "2012-03-05",
                ],
            )?;
        }
        Ok(())
    });
    let r = read("学生.xlsx", &bytes);
    let e = only_error(&r);
    assert_eq!(
        (e.sheet.as_str(), e.row, e.column.as_str()),
        ("八年级学生", 2, "学籍号")
    );
    assert!(
        e.message_zh.contains("工作表“七年级学生”第 2 行"),
        "{}",
        e.message_zh
    );
}

#[test]
fn rows_keep_their_excel_numbers_across_blank_rows() {
    let bytes = workbook(|wb| {
        let ws = wb.add_worksheet().set_name("学生")?;
        strings(
            ws,
            0,
            &[
                "学校代码",
                "年级",
                "班级",
                "学籍号",
                "姓名",
                "性别",
                "出生日期",
            ],
        )?;
        strings(
            ws,
            1,
            &[
                "3101120001",
                "7",
                "3班",
                "L2012000001",
                "张三",
                "男",
                "2012-03-05",
            ],
        )?;
        strings(
            ws,
            5,
            &[
                "3101120001",
                "7",
                "3班",
                "L2012000002",
                "李四",
                "X",
                "2012-03-05",
            ],
        )?;
        Ok(())
    });
    let r = read("学生.xlsx", &bytes);
    let e = only_error(&r);
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_str()),
        (6, "性别", "X")
    );
}

#[test]
fn a_damaged_workbook_is_a_file_error() {
    let err = read_roster(
        "名册.xlsx",
        b"PK\x03\x04 not really a zip",
        &RosterOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, IngestError::Xlsx { .. }), "{err:?}");
    assert!(err.to_string().contains("无法读取 Excel 文件"));
}

#[test]
fn legacy_xls_is_refused_with_advice() {
    let err = read_roster("名册.xls", b"\xD0\xCF\x11\xE0", &RosterOptions::default()).unwrap_err();
    assert!(matches!(err, IngestError::LegacyXls));
    assert!(err.to_string().contains(".xlsx"));
    // Also without the extension, by the OLE signature.
    let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
    let err = read_roster("upload", &ole, &RosterOptions::default()).unwrap_err();
    assert!(matches!(err, IngestError::LegacyXls));
}

#[test]
fn xlsx_without_extension_is_detected_by_its_zip_signature() {
    let bytes = workbook(|wb| {
        let ws = wb.add_worksheet().set_name("班级")?;
        strings(ws, 0, &["学校代码", "年级", "班级"])?;
        strings(ws, 1, &["3101120001", "7", "3班"])?;
        Ok(())
    });
    let r = read("upload", &bytes);
    assert_eq!(r.batch.classes.len(), 1);
}

#[test]
fn a_workbook_with_nothing_recognisable() {
    let bytes = workbook(|wb| {
        let ws = wb.add_worksheet();
        strings(ws, 0, &["甲", "乙"])?;
        Ok(())
    });
    let err = read_roster("x.xlsx", &bytes, &RosterOptions::default()).unwrap_err();
    assert!(matches!(err, IngestError::NoRosterSheet { .. }));
    assert!(
        err.to_string().contains("工作表“Sheet1”的表头为 甲、乙"),
        "{err}"
    );
}

#[test]
fn a_merged_title_row_above_the_header() {
    let bytes = workbook(|wb| {
        let ws = wb.add_worksheet().set_name("学生")?;
        ws.merge_range(0, 0, 0, 6, "2024学年 七年级学生名册", &Format::new())?;
        strings(
            ws,
            1,
            &[
                "学校代码",
                "年级",
                "班级",
                "学籍号",
                "姓名",
                "性别",
                "出生日期",
            ],
        )?;
        strings(
            ws,
            2,
            &[
                "3101120001",
                "7",
                "3班",
                "L2012000001",
                "张三",
                "男",
                "2012-03-05",
            ],
        )?;
        strings(
            ws,
            3,
            &[
                "3101120001",
                "7",
                "3班",
                "L2012000002",
                "李四",
                "女",
                "2012-3-32",
            ],
        )?;
        Ok(())
    });
    let r = read("学生.xlsx", &bytes);
    assert_eq!(r.batch.students.len(), 1);
    assert_eq!(r.batch.students[0].origin.row, 3);
    let e = only_error(&r);
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_str()),
        (4, "出生日期", "2012-3-32")
    );
}
