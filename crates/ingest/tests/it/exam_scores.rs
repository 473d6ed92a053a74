//! Score sheets (one row per student, one column per subject) as teachers and marking systems
//! write them: CSV in UTF-8 and GB18030, XLSX with numeric cells, header aliases, 缺考 and blank
//! cells, and each kind of bad cell or header with the message the user sees.
use encoding_rs::GB18030;
use rust_xlsxwriter::Workbook;
use time::macros::date;
use wuyu_domain::{
    Exam, ExamId, ExamLevel, ExamSubject, Grade, RowError, SubjectMark, Term, TermPart,
};
use wuyu_ingest::{ExamScoresRead, IngestError, read_exam_scores, write_exam_score_template};

pub fn exam(subjects: &[(&str, f64)]) -> Exam {
    Exam {
        id: ExamId(7),
        name: "2025学年第一学期期末".into(),
        date: date!(2026 - 01 - 15),
        term: Term::new(2025, TermPart::Autumn).unwrap(),
        level: ExamLevel::District,
        grade: Grade::new(8).unwrap(),
        subjects: subjects
            .iter()
            .map(|(n, f)| ExamSubject {
                name: n.to_string(),
                full_marks: *f,
            })
            .collect(),
        baseline: None,
    }
}

fn grade8() -> Exam {
    exam(&[
        ("语文", 120.0),
        ("数学", 120.0),
        ("英语", 120.0),
        ("道德与法治", 100.0),
    ])
}

fn read(name: &str, bytes: &[u8]) -> ExamScoresRead {
    read_exam_scores(bytes, name, &grade8()).unwrap()
}

/// Exactly one error, returned.
#[track_caller]
fn only_error(r: &ExamScoresRead) -> &RowError {
    assert_eq!(r.errors.len(), 1, "{:#?}", r.errors);
    &r.errors[0]
}

const GOOD: &str = "\
学籍号,姓名,班级,考号,语文,数学(120分),英语成绩,政治,总分,排名
G20120001,张三,1班,80101,98.5,缺考,110,88,,1
G20120002,李四,1班,80102,0,120,,缺考(病假),,2
g20120003,王五,2班,80103,１０２．５,99分,缺,免考,,3
";

fn check_good(r: &ExamScoresRead) {
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    let b = &r.batch;
    assert_eq!(b.exam, ExamId(7));
    assert_eq!(b.subjects, ["语文", "数学", "英语", "道德与法治"]);
    assert_eq!(
        r.ignored_columns,
        ["姓名", "班级", "考号", "总分", "排名"],
        "passed over, not read"
    );
    assert_eq!(b.rows.len(), 3);
    use SubjectMark::{Absent, Score};
    assert_eq!(b.rows[0].student_no.as_str(), "G20120001");
    assert_eq!(
        b.rows[0].marks,
        [
            Some(Score(98.5)),
            Some(Absent),
            Some(Score(110.0)),
            Some(Score(88.0))
        ]
    );
    assert_eq!(
        b.rows[1].marks,
        [Some(Score(0.0)), Some(Score(120.0)), None, Some(Absent)],
        "0 is a score, blank is not taken, 缺考(病假) is absent"
    );
    assert_eq!(b.rows[2].student_no.as_str(), "G20120003", "upper-cased");
    assert_eq!(
        b.rows[2].marks,
        [Some(Score(102.5)), Some(Score(99.0)), Some(Absent), None],
        "full-width digits, 分, 缺, 免考"
    );
    assert_eq!(b.rows[0].origin.row, 2);
    assert_eq!(b.rows[2].origin.row, 4);
    assert_eq!(r.rows_read, 3);
    assert_eq!(r.file_sha256.len(), 64);
}

#[test]
fn a_utf8_csv_with_aliases_absences_and_blanks() {
    let r = read("期末成绩.csv", GOOD.as_bytes());
    assert_eq!(r.encoding, Some("UTF-8"));
    assert_eq!(r.sheet, "");
    check_good(&r);
}

#[test]
fn a_gb18030_csv_from_excel() {
    let (bytes, _, bad) = GB18030.encode(GOOD);
    assert!(!bad);
    assert!(std::str::from_utf8(&bytes).is_err());
    let r = read("期末成绩.csv", &bytes);
    assert_eq!(r.encoding, Some("GB18030"));
    check_good(&r);
}

#[test]
fn a_title_row_and_a_utf8_bom_are_skipped() {
    let text = format!("\u{FEFF}八年级期末成绩汇总,,,,\n{GOOD}");
    let r = read("成绩.csv", text.as_bytes());
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    let plain = read("成绩.csv", GOOD.as_bytes());
    assert_eq!(r.batch.subjects, plain.batch.subjects);
    for (a, b) in r.batch.rows.iter().zip(&plain.batch.rows) {
        assert_eq!(a.marks, b.marks);
        assert_eq!(
            a.origin.row,
            b.origin.row + 1,
            "rows keep their spreadsheet numbers"
        );
    }
}

#[test]
fn an_xlsx_with_numeric_cells_and_an_instructions_sheet() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("说明").unwrap();
    ws.write_string(0, 0, "填表说明").unwrap();
    ws.write_string(1, 0, "缺考填缺考").unwrap();
    ws.write_string(1, 1, "第二列").unwrap();
    let ws = wb.add_worksheet().set_name("成绩").unwrap();
    for (c, h) in ["学籍号", "姓名", "语文", "数学", "英语"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "G20120001").unwrap();
    ws.write_string(1, 1, "张三").unwrap();
    ws.write_number(1, 2, 98.5).unwrap();
    ws.write_number(1, 3, 120).unwrap();
    ws.write_string(1, 4, "缺考").unwrap();
    // A 学籍号 typed as a number (all digits, short enough to survive).
    ws.write_number(2, 0, 20120002).unwrap();
    ws.write_number(2, 2, 0).unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let r = read("成绩.xlsx", &bytes);
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    assert_eq!(r.encoding, None);
    assert_eq!(r.sheet, "成绩", "the 说明 sheet is not read");
    assert_eq!(r.batch.subjects, ["语文", "数学", "英语"]);
    let rows = &r.batch.rows;
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0].marks,
        [
            Some(SubjectMark::Score(98.5)),
            Some(SubjectMark::Score(120.0)),
            Some(SubjectMark::Absent)
        ]
    );
    assert_eq!(rows[1].student_no.as_str(), "20120002");
    assert_eq!(rows[1].marks, [Some(SubjectMark::Score(0.0)), None, None]);
    assert_eq!(rows[1].origin.sheet, "成绩");
    assert_eq!(rows[1].origin.row, 3);
}

#[test]
fn the_first_sheet_of_an_xlsx_without_a_成绩_sheet() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "学籍号").unwrap();
    ws.write_string(0, 1, "语文").unwrap();
    ws.write_string(1, 0, "G20120001").unwrap();
    ws.write_number(1, 1, 77).unwrap();
    let ws = wb.add_worksheet().set_name("统计").unwrap();
    ws.write_string(0, 0, "平均分").unwrap();
    ws.write_string(0, 1, "77").unwrap();
    let r = read("x.xlsx", &wb.save_to_buffer().unwrap());
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    assert_eq!(r.sheet, "Sheet1");
    assert_eq!(r.batch.rows.len(), 1);
}

#[test]
fn a_long_学籍号_stored_as_a_number_is_refused() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "学籍号").unwrap();
    ws.write_string(0, 1, "语文").unwrap();
    ws.write_number(1, 0, 110105201203051234.0).unwrap();
    ws.write_number(1, 1, 90).unwrap();
    let r = read("x.xlsx", &wb.save_to_buffer().unwrap());
    let e = only_error(&r);
    assert_eq!((e.row, e.column.as_str()), (2, "学籍号"));
    assert!(e.message_zh.contains("15 位"), "{}", e.message_zh);
    assert!(r.batch.rows.is_empty());
}

#[test]
fn every_bad_cell_is_reported_with_row_column_and_value() {
    let csv = "学籍号,语文,数学,英语\n\
        G20120001,abc,-3,121\n\
        G20120002,90,-,100.5\n\
        G20120003,95,95,95\n";
    let r = read("bad.csv", csv.as_bytes());
    let got: Vec<(u32, &str, &str)> = r
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (2, "语文", "abc"),
            (2, "数学", "-3"),
            (2, "英语", "121"),
            (3, "数学", "-"),
        ]
    );
    for e in &r.errors {
        assert_eq!(e.file, "bad.csv");
        assert_eq!(e.sheet, "");
    }
    let m: Vec<&str> = r.errors.iter().map(|e| e.message_zh.as_str()).collect();
    assert!(
        m[0].contains("语文成绩“abc”无法识别") && m[0].contains("0–120"),
        "{}",
        m[0]
    );
    assert!(
        m[0].contains("缺考"),
        "says how to write an absence: {}",
        m[0]
    );
    assert!(m[1].contains("不能为负数"), "{}", m[1]);
    assert!(m[2].contains("121 超过本科满分 120 分"), "{}", m[2]);
    let shown = r.errors[2].to_string();
    assert!(
        shown.contains("bad.csv")
            && shown.contains("第 2 行")
            && shown.contains("列“英语”")
            && shown.contains("值“121”"),
        "{shown}"
    );
    assert_eq!(r.batch.rows.len(), 1, "only the clean row is in the batch");
    assert_eq!(r.batch.rows[0].student_no.as_str(), "G20120003");
}

#[test]
fn a_subject_the_exam_does_not_have_is_an_error_not_ignored() {
    let csv = "学籍号,语文,物理,生物学成绩\nG20120001,90,80,70\n";
    let r = read("x.csv", csv.as_bytes());
    assert_eq!(r.errors.len(), 2, "{:#?}", r.errors);
    let e = &r.errors[0];
    assert_eq!((e.row, e.column.as_str()), (1, "物理"));
    assert!(
        e.message_zh.contains("没有科目“物理”") && e.message_zh.contains("语文（120 分）"),
        "{}",
        e.message_zh
    );
    assert!(r.errors[1].message_zh.contains("没有科目“生物”"));
}

#[test]
fn duplicate_and_empty_and_malformed_学籍号() {
    let csv = "学籍号,语文\n\
        G20120001,90\n\
        G20120002,91\n\
        g20120001,92\n\
        ,93\n\
        G-2012,94\n\
        1.10105E+17,95\n";
    let r = read("x.csv", csv.as_bytes());
    let got: Vec<(u32, &str)> = r.errors.iter().map(|e| (e.row, e.value.as_str())).collect();
    assert_eq!(
        got,
        [(4, "g20120001"), (5, ""), (6, "G-2012"), (7, "1.10105E+17")],
        "the value as written"
    );
    assert!(
        r.errors[0].message_zh.contains("与第 2 行重复"),
        "{}",
        r.errors[0].message_zh
    );
    assert!(r.errors[1].message_zh.contains("学籍号为空"));
    assert!(
        r.errors[1].message_zh.contains("统计行"),
        "hints at 平均分 rows"
    );
    assert!(
        r.errors[2].message_zh.contains("学籍号无效"),
        "{}",
        r.errors[2].message_zh
    );
    assert!(r.errors[3].message_zh.contains("科学计数法"));
    assert_eq!(r.batch.rows.len(), 2);
}

#[test]
fn without_a_学籍号_column_the_考号_is_not_taken_for_one() {
    let csv = "考号,姓名,语文\n80101,张三,90\n";
    let r = read("x.csv", csv.as_bytes());
    let e = only_error(&r);
    assert_eq!((e.row, e.column.as_str()), (1, "学籍号"));
    assert!(e.message_zh.contains("缺少“学籍号”列"), "{}", e.message_zh);
    assert!(
        e.message_zh.contains("“考号”不是学籍号"),
        "{}",
        e.message_zh
    );
    assert!(r.batch.rows.is_empty());
}

#[test]
fn a_sheet_without_any_subject_of_the_exam() {
    let csv = "学籍号,姓名,总分\nG20120001,张三,300\n";
    let r = read("x.csv", csv.as_bytes());
    let e = only_error(&r);
    assert!(
        e.message_zh.contains("没有本次考试科目的列"),
        "{}",
        e.message_zh
    );
    assert!(e.message_zh.contains("语文（120 分）"), "{}", e.message_zh);
}

#[test]
fn a_header_stating_other_full_marks_is_the_wrong_exam() {
    let csv = "学籍号,语文(120分),数学（满分150）\nG20120001,90,140\n";
    let r = read("x.csv", csv.as_bytes());
    let e = r
        .errors
        .iter()
        .find(|e| e.row == 1)
        .expect("a header error");
    assert_eq!(e.column, "数学（满分150）");
    assert!(
        e.message_zh.contains("注明满分 150 分") && e.message_zh.contains("数学 的满分为 120 分"),
        "{}",
        e.message_zh
    );
    assert_eq!(r.errors.len(), 2, "and 140 is above 120: {:#?}", r.errors);
}

#[test]
fn two_columns_for_one_subject() {
    let csv = "学籍号,语文,语文成绩\nG20120001,90,91\n";
    let r = read("x.csv", csv.as_bytes());
    let e = only_error(&r);
    assert_eq!(e.column, "语文成绩");
    assert!(e.message_zh.contains("每科只能有一列"), "{}", e.message_zh);
}

#[test]
fn an_empty_file_and_an_empty_sheet() {
    assert!(matches!(
        read_exam_scores(b"", "x.csv", &grade8()),
        Err(IngestError::EmptyFile)
    ));
    let r = read("x.csv", b"\n\n");
    assert!(only_error(&r).message_zh.contains("没有数据"));
}

#[test]
fn the_template_reads_back_as_nothing_and_names_every_subject() {
    let e = grade8();
    let bytes = write_exam_score_template(&e).unwrap();
    let r = read_exam_scores(&bytes, "模板.xlsx", &e).unwrap();
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    assert_eq!(r.sheet, "成绩");
    assert!(r.batch.rows.is_empty());
    assert_eq!(r.batch.subjects, ["语文", "数学", "英语", "道德与法治"]);
    assert_eq!(r.ignored_columns, ["姓名", "班级"]);

    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(&bytes)).unwrap();
    assert_eq!(wb.sheet_names(), ["说明", "成绩"]);
    let sheet = wb.worksheet_range("成绩").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[0], "学籍号");
    assert_eq!(header[3], "语文（满分120）");
    let help: String = wb
        .worksheet_range("说明")
        .unwrap()
        .rows()
        .flatten()
        .map(|c| c.to_string())
        .collect();
    assert!(
        help.contains("缺考") && help.contains("道德与法治（满分 100 分）"),
        "{help}"
    );

    // Filled in, it imports.
    let mut filled = Workbook::new();
    let ws = filled.add_worksheet().set_name("成绩").unwrap();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    ws.write_string(1, 0, "G20120001").unwrap();
    ws.write_number(1, 3, 118).unwrap();
    ws.write_string(1, 6, "缺考").unwrap();
    let r = read_exam_scores(&filled.save_to_buffer().unwrap(), "t.xlsx", &e).unwrap();
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    assert_eq!(
        r.batch.rows[0].marks,
        [
            Some(SubjectMark::Score(118.0)),
            None,
            None,
            Some(SubjectMark::Absent)
        ]
    );
}
