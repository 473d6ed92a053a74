//! CSV rosters: every sheet kind, every encoding, and each kind of bad row a user makes.
use encoding_rs::GB18030;
use time::macros::date;
use wuyu_domain::{Location, SchoolCode, Sex, Stage};
use wuyu_ingest::{IngestError, RosterOptions, read_roster};

use crate::{id, id_with_bad_check, only_error, read, students_csv};

fn two_students() -> String {
    let a = id("31011220120305123");
    students_csv(&[
        &format!("3101120001,7,3班,G{a},张三,男,2012-03-05,{a},01"),
        "3101120001,七年级,3班,L2012000002,李四,女,2012/7/9,,",
    ])
}

fn check_two_students(r: &wuyu_ingest::RosterRead) {
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    assert_eq!(r.rows_read, 2);
    let s = &r.batch.students;
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].school_code.as_str(), "3101120001");
    assert_eq!(s[0].grade.get(), 7);
    assert_eq!(s[0].class_name, "3班");
    assert_eq!(s[0].student_no.as_str(), "G310112201203051233");
    assert_eq!(s[0].name.as_str(), "张三");
    assert_eq!(s[0].sex, Sex::Male);
    assert_eq!(s[0].birth_date, date!(2012 - 03 - 05));
    assert_eq!(
        s[0].id_card_no.as_ref().unwrap().as_str(),
        id("31011220120305123")
    );
    assert_eq!(s[0].ethnicity.unwrap().get(), 1);
    assert_eq!((s[0].origin.sheet.as_str(), s[0].origin.row), ("", 2));
    assert_eq!(s[1].grade.get(), 7, "七年级 is grade 7");
    assert_eq!(s[1].birth_date, date!(2012 - 07 - 09));
    assert_eq!(s[1].id_card_no, None);
    assert_eq!(s[1].ethnicity, None);
    assert_eq!(s[1].origin.row, 3);
    assert!(r.batch.schools.is_empty() && r.batch.classes.is_empty());
}

#[test]
fn students_in_utf8() {
    let r = read("学生.csv", two_students().as_bytes());
    assert_eq!(r.encoding, Some("UTF-8"));
    check_two_students(&r);
    assert_eq!(r.file_sha256.len(), 64);
}

#[test]
fn students_in_utf8_with_bom() {
    let bytes = [b"\xEF\xBB\xBF".as_slice(), two_students().as_bytes()].concat();
    let r = read("学生.csv", &bytes);
    assert_eq!(r.encoding, Some("UTF-8"));
    check_two_students(&r);
}

#[test]
fn students_in_gb18030_with_chinese_headers() {
    let text = two_students();
    let (bytes, _, _) = GB18030.encode(&text);
    let r = read("export.csv", &bytes);
    assert_eq!(r.encoding, Some("GB18030"));
    check_two_students(&r);
}

#[test]
fn utf16_tab_separated_text_from_excel() {
    let text = two_students().replace(',', "\t");
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let r = read("学生.txt", &bytes);
    assert_eq!(r.encoding, Some("UTF-16"));
    check_two_students(&r);
}

#[test]
fn the_file_hash_identifies_the_bytes() {
    let a = read("学生.csv", two_students().as_bytes());
    let b = read(
        "学生.csv",
        two_students().replace("张三", "张叁").as_bytes(),
    );
    assert_ne!(a.file_sha256, b.file_sha256);
    // SHA-256 of the empty-ish reference is stable: recompute to be sure it is the bytes' hash.
    use sha2::Digest;
    let want: String = sha2::Sha256::digest(two_students().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(a.file_sha256, want);
}

#[test]
fn schools_with_aliases() {
    let csv = "学校代码,学校名称,学段,城乡类别,教育集团\n\
               3101120001,实验小学,小学,城区,实验教育集团\n\
               3101120002,东湖中学,完全中学,农村,\n";
    let r = read("schools.csv", csv.as_bytes());
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    let s = &r.batch.schools;
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].code.as_str(), "3101120001");
    assert_eq!(s[0].name, "实验小学");
    assert_eq!(s[0].stage, Stage::Primary);
    assert_eq!(s[0].location, Location::Urban);
    assert_eq!(s[0].school_group.as_deref(), Some("实验教育集团"));
    assert_eq!(s[1].stage, Stage::Complete);
    assert_eq!(s[1].location, Location::Rural);
    assert_eq!(s[1].school_group, None);
}

#[test]
fn classes_teachers_and_assignments() {
    let classes = "学校代码,年级,班级名称\n3101120001,1,1班\n3101120001,一年级,2班\n";
    let r = read("c.csv", classes.as_bytes());
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    assert_eq!(r.batch.classes.len(), 2);
    assert_eq!(r.batch.classes[1].grade.get(), 1);
    assert_eq!(r.batch.classes[1].name, "2班");

    let teachers =
        "学校代码,教师工号,姓名,性别\n3101120001,T001,王老师,女\n3101120001,T002,赵老师,\n";
    let r = read("t.csv", teachers.as_bytes());
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    let t = &r.batch.teachers;
    assert_eq!(t.len(), 2);
    assert_eq!(
        (t[0].staff_no.as_str(), t[0].sex),
        ("T001", Some(Sex::Female))
    );
    assert_eq!(t[1].sex, None);

    let assignments = "学校代码,工号,年级,班级,学科,比例\n\
                       3101120001,T001,1,1班,语文,\n\
                       3101120001,T001,1,2班,数学,50%\n\
                       3101120001,T002,1,2班,数学,0.5\n";
    let r = read("a.csv", assignments.as_bytes());
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    let a = &r.batch.assignments;
    assert_eq!(a.len(), 3);
    assert_eq!((a[0].subject.as_str(), a[0].share), ("语文", 1.0));
    assert_eq!(a[1].share, 0.5);
    assert_eq!(a[2].share, 0.5);
}

#[test]
fn glossary_code_names_work_as_headers() {
    let a = id("31011220120305123");
    let csv = format!(
        "school_code,grade,class_name,student_no,name,sex,birth_date,id_card_no,ethnicity\n\
         3101120001,7,3班,G{a},张三,M,20120305,{a},1\n"
    );
    let r = read("students.csv", csv.as_bytes());
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    assert_eq!(r.batch.students[0].sex, Sex::Male);
    assert_eq!(r.batch.students[0].ethnicity.unwrap().get(), 1);
}

#[test]
fn ethnicity_by_name() {
    let csv = "学校代码,年级,班级,学籍号,学生姓名,性别,出生年月日,民族\n\
               3101120001,7,3班,L2012000001,马一,男,2012-01-01,回族\n\
               3101120001,7,3班,L2012000002,马二,男,2012-01-01,汉\n\
               3101120001,7,3班,L2012000003,马三,男,2012-01-01,火星族\n";
    let r = read("学生.csv", csv.as_bytes());
    let e = only_error(&r);
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_str()),
        (4, "民族", "火星族")
    );
    assert!(e.message_zh.contains("无法识别"), "{}", e.message_zh);
    assert_eq!(r.batch.students[0].ethnicity.unwrap().get(), 3);
    assert_eq!(r.batch.students[1].ethnicity.unwrap().get(), 1);
}

#[test]
fn a_missing_column_is_one_error_naming_it_and_the_headers_found() {
    let csv = "学校代码,年级,班级,姓名,性别,出生日期\n\
               3101120001,7,3班,张三,男,2012-03-05\n\
               3101120001,7,3班,李四,女,2012-03-06\n";
    let r = read("学生名册.csv", csv.as_bytes());
    let e = only_error(&r);
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_str()),
        (0, "学籍号", "")
    );
    assert!(
        e.message_zh.contains("缺少必填列“学籍号”"),
        "{}",
        e.message_zh
    );
    assert!(
        e.message_zh
            .contains("学校代码、年级、班级、姓名、性别、出生日期"),
        "lists the headers found: {}",
        e.message_zh
    );
    assert!(r.batch.is_empty());
    assert_eq!(r.rows_read, 2);
}

#[test]
fn a_duplicate_student_no_is_reported_on_the_later_row() {
    let csv = students_csv(&[
        "3101120001,7,3班,L2012000001,张三,男,2012-03-05,,",
        "3101120001,7,3班,L2012000002,李四,女,2012-03-06,,",
        "3101120001,7,4班,l2012000001,张三,男,2012-03-05,,",
    ]);
    let r = read("学生.csv", csv.as_bytes());
    let e = only_error(&r);
    assert_eq!(e.row, 4);
    assert_eq!(e.column, "学籍号");
    assert_eq!(e.value, "l2012000001");
    assert!(e.message_zh.contains("第 2 行重复"), "{}", e.message_zh);
    assert_eq!(r.batch.students.len(), 2, "the first occurrence is kept");
    assert_eq!(r.batch.students[0].class_name, "3班");
}

#[test]
fn a_bad_check_digit_names_the_expected_character() {
    let bad = id_with_bad_check("31011220120305123");
    let csv = students_csv(&[&format!(
        "3101120001,7,3班,L2012000001,张三,男,2012-03-05,{bad},"
    )]);
    let r = read("学生.csv", csv.as_bytes());
    let e = only_error(&r);
    assert_eq!((e.row, e.column.as_str()), (2, "身份证号"));
    assert_eq!(e.value, bad);
    assert!(
        e.message_zh.starts_with("身份证号：校验位错误"),
        "{}",
        e.message_zh
    );
    let right = id("31011220120305123").chars().last().unwrap();
    assert!(
        e.message_zh.contains(&format!("应为 {right}")),
        "{}",
        e.message_zh
    );
    assert!(r.batch.students.is_empty());
}

#[test]
fn a_birth_date_that_disagrees_with_the_id_card() {
    let a = id("31011220120305123");
    let csv = students_csv(&[&format!(
        "3101120001,7,3班,L2012000001,张三,男,2012-03-06,{a},"
    )]);
    let r = read("学生.csv", csv.as_bytes());
    let e = only_error(&r);
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_str()),
        (2, "出生日期", "2012-03-06")
    );
    assert!(
        e.message_zh.contains("2012-03-05") && e.message_zh.contains("不一致"),
        "{}",
        e.message_zh
    );
    assert!(r.batch.students.is_empty());
}

#[test]
fn a_bad_sex_and_a_bad_date_in_one_row_are_both_reported() {
    let csv = students_csv(&[
        "3101120001,7,3班,L2012000001,张三,男,2012-03-05,,",
        "3101120001,7,3班,L2012000002,李四,男性,2012-02-30,,",
    ]);
    let r = read("学生.csv", csv.as_bytes());
    assert_eq!(r.errors.len(), 2, "{:#?}", r.errors);
    let sex = &r.errors[0];
    assert_eq!(
        (sex.row, sex.column.as_str(), sex.value.as_str()),
        (3, "性别", "男性")
    );
    assert!(sex.message_zh.contains("男 / 女"), "{}", sex.message_zh);
    let date = &r.errors[1];
    assert_eq!(
        (date.row, date.column.as_str(), date.value.as_str()),
        (3, "出生日期", "2012-02-30")
    );
    assert!(date.message_zh.contains("无法识别"), "{}", date.message_zh);
    assert!(
        date.message_zh.contains("2015-09-01"),
        "shows the expected form"
    );
    assert_eq!(r.batch.students.len(), 1);
    assert_eq!(r.batch.students[0].name.as_str(), "张三");
}

#[test]
fn every_typed_column_is_checked() {
    let csv = students_csv(&[
        "31011 20001,13,3班,G1,,男,2012-03-05,,99",
        "3101120001,7,,L2012000002,李四,女,2012-03-06,123,",
    ]);
    let r = read("学生.csv", csv.as_bytes());
    let got: Vec<(u32, &str, &str)> = r
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (2, "学校代码", "31011 20001"),
            (2, "年级", "13"),
            (2, "学籍号", "G1"),
            (2, "姓名", ""),
            (2, "民族代码", "99"),
            (3, "班级", ""),
            (3, "身份证号", "123"),
        ]
    );
    assert!(r.errors[3].message_zh.contains("不能为空"));
    assert!(r.errors[6].message_zh.contains("18"));
    assert!(r.batch.is_empty());
}

#[test]
fn duplicate_schools_classes_and_staff_numbers() {
    let schools =
        "学校代码,学校名称,学段,城乡\n001,甲校,小学,城区\n002,乙校,初中,农村\n001,丙校,高中,城区\n";
    let r = read("学校.csv", schools.as_bytes());
    let e = only_error(&r);
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_str()),
        (4, "学校代码", "001")
    );
    assert!(e.message_zh.contains("第 2 行"), "{}", e.message_zh);

    let classes = "学校代码,年级,班级\n001,7,1班\n001,初一,1班\n002,7,1班\n";
    let r = read("班级.csv", classes.as_bytes());
    let e = only_error(&r);
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_str()),
        (3, "班级", "1班")
    );
    assert!(e.message_zh.contains("第 2 行"), "{}", e.message_zh);
    assert_eq!(
        r.batch.classes.len(),
        2,
        "same name in another school is fine"
    );

    let teachers = "学校代码,工号,姓名\n001,T1,王一\n002,T1,王二\n001,T1,王三\n";
    let r = read("教师.csv", teachers.as_bytes());
    let e = only_error(&r);
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_str()),
        (4, "工号", "T1")
    );
    assert!(e.message_zh.contains("第 2 行"), "{}", e.message_zh);
    assert_eq!(r.batch.teachers.len(), 2);
}

#[test]
fn bad_school_values() {
    let csv = "学校代码,学校名称,学段,城乡\n001,甲校,大学,郊区\n";
    let r = read("学校.csv", csv.as_bytes());
    let cols: Vec<&str> = r.errors.iter().map(|e| e.column.as_str()).collect();
    assert_eq!(cols, ["学段", "城乡"]);
    assert!(r.errors[0].message_zh.contains("小学 / 初中"));
    assert!(r.errors[1].message_zh.contains("城区 / 农村"));
}

#[test]
fn bad_share() {
    let csv = "学校代码,工号,年级,班级,科目,比例\n001,T1,7,1班,语文,150%\n";
    let r = read("任课.csv", csv.as_bytes());
    let e = only_error(&r);
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_str()),
        (2, "比例", "150%")
    );
    assert!(e.message_zh.contains("0 到 1"), "{}", e.message_zh);
}

#[test]
fn default_school_fills_a_missing_school_code_column() {
    let csv = "年级,班级\n7,1班\n8,2班\n";
    let opts = RosterOptions {
        default_school: Some(SchoolCode::parse("3101120001").unwrap()),
    };
    let r = read_roster("班级.csv", csv.as_bytes(), &opts).unwrap();
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    assert!(
        r.batch
            .classes
            .iter()
            .all(|c| c.school_code.as_str() == "3101120001")
    );

    // Without a default the column is required.
    let r = read("班级.csv", csv.as_bytes());
    let e = only_error(&r);
    assert_eq!((e.row, e.column.as_str()), (0, "学校代码"));
}

#[test]
fn a_number_excel_wrote_in_scientific_notation() {
    let csv = students_csv(&["3101120001,7,3班,L2012000001,张三,男,2012-03-05,1.10105E+17,"]);
    let r = read("学生.csv", csv.as_bytes());
    let e = only_error(&r);
    assert_eq!(
        (e.column.as_str(), e.value.as_str()),
        ("身份证号", "1.10105E+17")
    );
    assert!(e.message_zh.contains("科学计数法"), "{}", e.message_zh);
    assert!(e.message_zh.contains("文本"), "{}", e.message_zh);
}

#[test]
fn extra_columns_blank_lines_and_quoted_cells() {
    let csv = "序号,学校代码,年级,班级,学籍号,姓名,性别,出生日期,备注\n\
               1,3101120001,7,3班,L2012000001,\"欧阳, 娜娜\",女,2012-03-05,\"转学\n生\"\n\
               \n\
               2,3101120001,7,3班,L2012000002,李四,女,2012-13-05,\n";
    let r = read("学生.csv", csv.as_bytes());
    assert_eq!(r.rows_read, 2);
    assert_eq!(r.batch.students[0].name.as_str(), "欧阳, 娜娜");
    // Row 2 spans two lines, row 3 is blank, so the bad date is on spreadsheet row 4.
    let e = only_error(&r);
    assert_eq!((e.row, e.column.as_str()), (4, "出生日期"));
}

#[test]
fn an_unrecognisable_csv_fails_with_its_headers() {
    let err = read_roster(
        "data.csv",
        "甲,乙,丙\n1,2,3\n".as_bytes(),
        &RosterOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, IngestError::NoRosterSheet { .. }));
    let msg = err.to_string();
    assert!(msg.contains("甲、乙、丙"), "{msg}");
    assert!(
        msg.contains("学籍号"),
        "says what a roster looks like: {msg}"
    );
}

#[test]
fn errors_carry_the_file_name() {
    let csv = students_csv(&["3101120001,7,3班,L2012000001,张三,男,2012-03-05,,XX"]);
    let r = read("七年级学生.csv", csv.as_bytes());
    let e = only_error(&r);
    assert_eq!(e.file, "七年级学生.csv");
    assert_eq!(e.sheet, "");
    assert_eq!(
        e.to_string(),
        "七年级学生.csv 第 2 行 列“民族代码” 值“XX”：民族代码“XX”无效，应为 01–56、97 或 98"
    );
}
