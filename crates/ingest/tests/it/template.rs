//! The downloadable template: its sheets and headers, and that an untouched template imports
//! as nothing at all (no errors to confuse a user who uploads it by mistake).
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use wuyu_ingest::schema::SheetKind;
use wuyu_ingest::{RosterOptions, read_roster, write_roster_template};

#[test]
fn the_template_has_instructions_first_then_one_sheet_per_kind() {
    let bytes = write_roster_template().unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(&bytes)).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["说明", "学校", "班级", "学生", "教师", "任课"]
    );
    let students = wb.worksheet_range("学生").unwrap();
    let header: Vec<String> = students
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        header,
        [
            "学校代码",
            "年级",
            "班级",
            "学籍号",
            "姓名",
            "性别",
            "出生日期",
            "身份证号",
            "民族",
            "曾用名",
            "学籍状态",
            "状态日期",
            "特殊群体"
        ]
    );
    let teachers = wb.worksheet_range("教师").unwrap();
    let header: Vec<String> = teachers
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        header,
        [
            "学校代码",
            "工号",
            "姓名",
            "性别",
            "任教学科",
            "专兼职",
            "出生年份"
        ]
    );
    let classes = wb.worksheet_range("班级").unwrap();
    let header: Vec<String> = classes
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header, ["学校代码", "年级", "班级", "班级类型"]);
    assert_eq!(students.height(), 1, "only the header row");
    for kind in SheetKind::ALL {
        let range = wb.worksheet_range(kind.label_zh()).unwrap();
        let first = range.rows().next().unwrap();
        assert!(first.iter().all(|c| matches!(c, Data::String(_))));
    }
    let help = wb.worksheet_range("说明").unwrap();
    let text: String = help.rows().flatten().map(|c| c.to_string()).collect();
    assert!(
        text.contains("身份证号"),
        "the instructions explain the ID column"
    );
    assert!(text.contains("文本格式"));
    assert!(
        text.contains("科目写“班主任”"),
        "the instructions say where the 班主任 goes"
    );
}

#[test]
fn reading_the_untouched_template_gives_nothing_and_no_errors() {
    let bytes = write_roster_template().unwrap();
    let r = read_roster("名册导入模板.xlsx", &bytes, &RosterOptions::default()).unwrap();
    assert!(r.batch.is_empty());
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    assert_eq!(r.rows_read, 0);
}
