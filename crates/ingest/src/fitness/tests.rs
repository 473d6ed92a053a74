//! Unit tests of the fitness sheet reader.
use wuyu_domain::{RowError, Sex};
use wuyu_standards::{FitnessGrade, FitnessInput, FitnessItem};

use super::*;
use crate::read_tables;
use wuyu_standards::FitnessItem as I;

/// Row number, input, errors, warnings.
type Read = (u32, Option<FitnessInput>, Vec<RowError>, Vec<RowError>);

fn sheet_rows(file: &str, bytes: &[u8]) -> Vec<Read> {
    let tables = read_tables(file, bytes).unwrap();
    let sheet = find_fitness_sheet(file, &tables).unwrap();
    sheet
        .rows()
        .map(|r| (r.number, r.input, r.errors, r.warnings))
        .collect()
}

fn value(item: FitnessItem, text: &str) -> Result<Option<f64>, String> {
    parse_field_value(FitnessField::Item(item), text)
}

#[test]
fn code_layout_csv_reads_exact_values_and_keeps_other_columns() {
    let csv = "student_no,name,grade,sex,height_cm,weight_kg,vital_capacity,run_50m,sit_and_reach,rope_skip_1min,sit_up_1min,shuttle_50x8\n\
               S001,张三,5,M,140.5,35.2,2000,9.8,5.5,120,30,105\n\
               S002,李四,1,女,120,22,900,11.5,-1.2,80,,\n";
    let tables = read_tables("a.csv", csv.as_bytes()).unwrap();
    let sheet = find_fitness_sheet("a.csv", &tables).unwrap();
    assert_eq!(sheet.layout(), FitnessLayout::Code);
    let rows: Vec<_> = sheet.rows().collect();
    let r = &rows[0];
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let i = r.input.unwrap();
    assert_eq!(i.grade, FitnessGrade::school(5).unwrap());
    assert_eq!(i.sex, Sex::Male);
    assert_eq!((i.height_cm, i.weight_kg), (Some(140.5), Some(35.2)));
    assert_eq!(i.run_50m, Some(9.8));
    assert_eq!(i.sit_and_reach, Some(5.5));
    assert_eq!(i.shuttle_50x8, Some(105.0));
    assert_eq!(r.cells.get(0), "S001");
    assert_eq!(r.cells.get(1), "张三");
    assert_eq!(r.number, 2);
    let i = rows[1].input.unwrap();
    assert_eq!(i.sex, Sex::Female);
    assert_eq!(i.sit_and_reach, Some(-1.2));
    assert_eq!(i.sit_up_1min, None);
}

#[test]
fn template_layout_xlsx() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("体测成绩").unwrap();
    let header = [
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
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    // 初一 boy: numbers as numbers, the 1000 m as text 3'55".
    ws.write_number(1, 0, 21).unwrap();
    ws.write_string(1, 1, "2101").unwrap();
    ws.write_string(1, 2, "初一(1)班").unwrap();
    ws.write_string(1, 3, "G110105201203051234").unwrap();
    ws.write_string(1, 4, "01").unwrap();
    ws.write_string(1, 5, "王五").unwrap();
    ws.write_number(1, 6, 1).unwrap();
    ws.write_string(1, 7, "2012-03-05").unwrap();
    ws.write_number(1, 8, 160.2).unwrap();
    ws.write_number(1, 9, 50.5).unwrap();
    ws.write_number(1, 10, 3200).unwrap();
    ws.write_number(1, 11, 8.1).unwrap();
    ws.write_number(1, 12, 205).unwrap();
    ws.write_number(1, 13, 8.5).unwrap();
    ws.write_string(1, 15, "3'55\"").unwrap();
    ws.write_number(1, 17, 6).unwrap();
    ws.write_number(1, 20, 4.8).unwrap();
    ws.write_number(1, 21, 5.0).unwrap();
    // 高二 girl (年级编号 32), 800 m as 3:40.
    ws.write_number(2, 0, 32).unwrap();
    ws.write_number(2, 6, 2).unwrap();
    ws.write_number(2, 8, 162).unwrap();
    ws.write_number(2, 9, 52).unwrap();
    ws.write_number(2, 10, 2800).unwrap();
    ws.write_number(2, 11, 9.1).unwrap();
    ws.write_number(2, 12, 170).unwrap();
    ws.write_number(2, 13, 12).unwrap();
    ws.write_string(2, 14, "3:40").unwrap();
    ws.write_number(2, 16, 40).unwrap();
    let bytes = wb.save_to_buffer().unwrap();

    let tables = read_tables("t.xlsx", &bytes).unwrap();
    let sheet = find_fitness_sheet("t.xlsx", &tables).unwrap();
    assert_eq!(sheet.layout(), FitnessLayout::Template);
    let rows: Vec<_> = sheet.rows().collect();
    assert!(
        rows.iter().all(|r| r.errors.is_empty()),
        "{:?}",
        rows[0].errors
    );
    let boy = rows[0].input.unwrap();
    assert_eq!(boy.grade, FitnessGrade::school(7).unwrap());
    assert_eq!(boy.sex, Sex::Male);
    assert_eq!(boy.run_1000m, Some(235.0));
    assert_eq!(boy.pull_up, Some(6.0));
    assert_eq!(boy.height_cm, Some(160.2));
    assert_eq!(rows[0].eyes[0].uncorrected_acuity, Some(4.8));
    assert_eq!(rows[0].cells.get(3), "G110105201203051234");
    let girl = rows[1].input.unwrap();
    assert_eq!(girl.grade, FitnessGrade::school(11).unwrap());
    assert_eq!(girl.run_800m, Some(220.0));
    assert_eq!(girl.sit_up_1min, Some(40.0));
}

#[test]
fn every_documented_time_form() {
    for (text, secs) in [
        ("3'40\"", 220.0),
        ("3′40″", 220.0),
        ("3’40”", 220.0),
        ("3'40", 220.0),
        ("3'40''", 220.0),
        ("3'5\"", 185.0),
        ("3'40.5\"", 220.5),
        ("3分40秒", 220.0),
        ("3分40", 220.0),
        ("3:40", 220.0),
        ("3:40.2", 220.2),
        ("0:03:40", 220.0),
        ("00:03:40", 220.0),
        ("220", 220.0),
        ("220.5", 220.5),
        ("220秒", 220.0),
        ("220s", 220.0),
        ("220\"", 220.0),
        ("３：４０", 220.0),
        (" 3 ' 40 \" ", 220.0),
    ] {
        assert_eq!(value(I::Run800m, text), Ok(Some(secs)), "{text}");
    }
    for (text, secs) in [
        ("9.8", 9.8),
        ("9.8秒", 9.8),
        ("9.8s", 9.8),
        ("9.8\"", 9.8),
        ("10", 10.0),
    ] {
        assert_eq!(value(I::Run50m, text), Ok(Some(secs)), "{text}");
    }
    for empty in ["", "-", "/", "缺测", "免测"] {
        assert_eq!(value(I::Run1000m, empty), Ok(None));
    }
}

#[test]
fn ambiguous_and_malformed_times_are_errors_never_guesses() {
    for text in ["3.40", "3.4", "4", "59.9"] {
        let e = value(I::Run800m, text).unwrap_err();
        assert!(e.contains("有歧义"), "{text}: {e}");
    }
    for text in [
        "3:4",
        "3'60\"",
        "3'",
        "3:40:00:00",
        "abc",
        "1e3",
        "3'-5\"",
        "inf",
    ] {
        assert!(value(I::Run1000m, text).is_err(), "{text}");
    }
    for text in ["0'09\"", "0:09", "9'8"] {
        assert!(value(I::Run50m, text).is_err(), "{text}");
    }
    // Excel's 3:40 → 03:40:00: explained, not read as 3 h 40 min.
    let e = value(I::Run800m, "03:40:00").unwrap_err();
    assert!(e.contains("3 小时 40 分"), "{e}");
    assert!(value(I::PullUp, "5.5").is_err());
    assert_eq!(value(I::PullUp, "5次"), Ok(Some(5.0)));
    assert_eq!(value(I::VitalCapacity, "2500ml"), Ok(Some(2500.0)));
}

#[test]
fn ambiguous_time_in_a_row_names_row_column_and_value() {
    let csv = "grade,sex,run_800m\n8,F,3.40\n";
    let rows = sheet_rows("a.csv", csv.as_bytes());
    let (number, input, errors, _) = &rows[0];
    assert_eq!(*number, 2);
    assert!(input.is_none());
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].row, 2);
    assert_eq!(errors[0].column, "run_800m");
    assert_eq!(errors[0].value, "3.40");
    assert!(errors[0].message_zh.contains("有歧义"));
}

#[test]
fn impossible_values_are_errors_and_unusual_ones_warnings() {
    let csv = "年级,性别,身高,体重,50米跑,一分钟跳绳,坐位体前屈\n\
               3,男,20,30,2.1,-5,3\n\
               3,男,1.35,30,9.5,100,3\n\
               3,男,215,60,25,300,3\n";
    let rows = sheet_rows("a.csv", csv.as_bytes());
    let msgs: Vec<String> = rows[0].2.iter().map(|e| e.message_zh.clone()).collect();
    assert_eq!(msgs.len(), 3, "{msgs:?}");
    assert!(msgs[0].starts_with("身高 20 厘米 不可能"), "{}", msgs[0]);
    assert!(msgs[1].starts_with("50米跑 2.1 秒 不可能"), "{}", msgs[1]);
    assert!(msgs[2].contains("不能为负"), "{}", msgs[2]);
    assert!(rows[1].2[0].message_zh.contains("以米为单位"));
    let (_, input, errors, warnings) = &rows[2];
    assert!(errors.is_empty());
    assert!(input.is_some());
    let cols: Vec<&str> = warnings.iter().map(|w| w.column.as_str()).collect();
    assert_eq!(cols, ["身高", "50米跑", "一分钟跳绳"]);
}

#[test]
fn grade_11_and_12_need_evidence() {
    let alone = sheet_rows("a.csv", "grade,sex,run_50m\n11,M,8\n12,F,9\n".as_bytes());
    assert!(alone.iter().all(|r| r.1.is_none()));
    assert!(alone[0].2[0].message_zh.contains("有歧义"));
    let school = sheet_rows("a.csv", "grade,sex,run_50m\n11,M,8\n3,F,9\n".as_bytes());
    assert_eq!(
        school[0].1.unwrap().grade,
        FitnessGrade::school(11).unwrap()
    );
    let codes = sheet_rows("a.csv", "grade,sex,run_50m\n11,M,10\n21,F,9\n".as_bytes());
    assert_eq!(codes[0].1.unwrap().grade, FitnessGrade::school(1).unwrap());
    assert_eq!(codes[1].1.unwrap().grade, FitnessGrade::school(7).unwrap());
    let named = sheet_rows("a.csv", "grade,sex,run_50m\n高二,M,8\n".as_bytes());
    assert_eq!(named[0].1.unwrap().grade, FitnessGrade::school(11).unwrap());
    let both = sheet_rows(
        "a.csv",
        "年级编号,年级,sex,run_50m\n21,初二,M,8\n".as_bytes(),
    );
    assert!(both[0].2[0].message_zh.contains("不一致"));
}

#[test]
fn an_item_the_student_does_not_take_is_an_error_on_its_column() {
    let rows = sheet_rows(
        "a.csv",
        "grade,sex,pull_up,run_800m\n8,F,5,\n8,M,5,\n".as_bytes(),
    );
    assert_eq!(rows[0].2[0].column, "pull_up");
    assert_eq!(
        rows[0].2[0].message_zh,
        "初二女生不测引体向上，请删去此成绩或核对年级、性别"
    );
    assert!(rows[1].1.is_some());
}

#[test]
fn gb18030_csv() {
    let text = "年级编号,性别,身高,体重,50米跑\n15,2,140,33,9.9\n";
    let (bytes, _, _) = encoding_rs::GB18030.encode(text);
    let rows = sheet_rows("a.csv", &bytes);
    let i = rows[0].1.unwrap();
    assert_eq!(i.grade, FitnessGrade::school(5).unwrap());
    assert_eq!(i.sex, Sex::Female);
    assert_eq!(i.run_50m, Some(9.9));
}

#[test]
fn sheet_level_problems() {
    let tables = read_tables("a.csv", "grade,sex,run_50m,50米跑\n1,M,9,9\n".as_bytes()).unwrap();
    let e = find_fitness_sheet("a.csv", &tables).unwrap_err();
    assert!(
        matches!(e, FitnessSheetError::DuplicateColumn { .. }),
        "{e}"
    );
    let tables = read_tables("a.csv", "学籍号,姓名\n1,张三\n".as_bytes()).unwrap();
    let e = find_fitness_sheet("a.csv", &tables).unwrap_err();
    assert!(e.to_string().contains("学籍号、姓名"), "{e}");
}

#[test]
fn vision_fields() {
    let rows = sheet_rows(
        "a.csv",
        "grade,sex,height_cm,左眼裸眼视力,右眼裸眼视力,左眼球镜,左眼柱镜,右眼球镜,右眼柱镜\n\
         4,M,130,4.8,1.0,-1.25,-0.5,,\n"
            .as_bytes(),
    );
    let errors = &rows[0].2;
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].message_zh.contains("五分记录"),
        "{}",
        errors[0].message_zh
    );
}
