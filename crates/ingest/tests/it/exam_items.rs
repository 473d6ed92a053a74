//! Item-level sheets from marking systems with their 双向细目表: in the same workbook or a
//! separate file, question headers written in the usual ways, 缺考 rows, the 总分 check, and
//! every kind of error.
use encoding_rs::GB18030;
use rust_xlsxwriter::{Workbook, Worksheet};
use wuyu_domain::RowError;
use wuyu_ingest::{ExamItemsRead, IngestError, read_exam_items};

use crate::exam_scores::exam;

fn math() -> wuyu_domain::Exam {
    exam(&[("语文", 120.0), ("数学", 20.0)])
}

fn strings(ws: &mut Worksheet, row: u32, cells: &[&str]) {
    for (c, v) in cells.iter().enumerate() {
        if v.is_empty() {
            continue;
        }
        match v.parse::<f64>() {
            // Numbers as Excel stores them, except 题号 like "1" that stay text on purpose
            // in the blueprint (written by the caller with a leading ').
            Ok(n) => ws.write_number(row, c as u16, n).unwrap(),
            Err(_) => ws
                .write_string(row, c as u16, v.trim_start_matches('\''))
                .unwrap(),
        };
    }
}

/// A workbook with an item sheet and (optionally) a 双向细目表 sheet.
fn workbook(items: &[&[&str]], blueprint: Option<&[&[&str]]>) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("小题得分").unwrap();
    for (r, row) in items.iter().enumerate() {
        strings(ws, r as u32, row);
    }
    if let Some(bp) = blueprint {
        let ws = wb.add_worksheet().set_name("双向细目表").unwrap();
        for (r, row) in bp.iter().enumerate() {
            strings(ws, r as u32, row);
        }
    }
    wb.save_to_buffer().unwrap()
}

/// 20 points: 1 (4), 2 (4), 3(1) (5), 3(2) (7).
const BLUEPRINT: &[&[&str]] = &[
    &["题号", "题型", "分值", "知识点", "难度"],
    &["一、选择题", "", "", "", ""],
    &["1", "选择", "4", "有理数、绝对值", "易"],
    &["2", "选择", "4", "数轴", "易"],
    &["二、解答题", "", "", "", ""],
    &["3(1)", "解答", "5", "一元一次方程，应用题", "中"],
    &["3(2)", "解答", "7", "", "难"],
    &["合计", "", "20", "", ""],
];

fn read(bytes: &[u8]) -> ExamItemsRead {
    read_exam_items(bytes, "数学小题分.xlsx", &math(), "数学", None).unwrap()
}

#[track_caller]
fn only_error(r: &ExamItemsRead) -> &RowError {
    assert_eq!(r.errors.len(), 1, "{:#?}", r.errors);
    &r.errors[0]
}

#[test]
fn a_marking_export_with_its_blueprint_sheet() {
    let bytes = workbook(
        &[
            &[
                "学籍号",
                "姓名",
                "考号",
                "1",
                "2",
                "3(1)",
                "3(2)",
                "客观题",
                "总分",
                "状态",
            ],
            &[
                "G20120001",
                "张三",
                "8001",
                "4",
                "0",
                "2.5",
                "7",
                "4",
                "13.5",
                "",
            ],
            &["G20120002", "李四", "8002", "4", "", "5", "", "4", "9", ""],
            &["G20120003", "王五", "8003", "", "", "", "", "", "0", "缺考"],
            &[
                "G20120004",
                "赵六",
                "8004",
                "缺考",
                "缺考",
                "缺考",
                "缺考",
                "",
                "",
                "",
            ],
            &["G20120005", "钱七", "8005", "", "", "", "", "", "", ""],
        ],
        Some(BLUEPRINT),
    );
    let r = read(&bytes);
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    assert_eq!(r.sheet, "小题得分");
    assert_eq!(r.blueprint_source, "工作表“双向细目表”");
    let b = &r.batch;
    assert_eq!(b.subject, "数学");
    let items: Vec<(&str, f64, Vec<&str>)> = b
        .items
        .iter()
        .map(|i| {
            (
                i.item_no.as_str(),
                i.max_points,
                i.knowledge_points.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            ("1", 4.0, vec!["有理数", "绝对值"]),
            ("2", 4.0, vec!["数轴"]),
            ("3(1)", 5.0, vec!["一元一次方程", "应用题"]),
            ("3(2)", 7.0, vec![]),
        ]
    );
    assert_eq!(b.rows.len(), 4, "the all-blank row is left out");
    assert_eq!(
        b.rows[0].points,
        [Some(4.0), Some(0.0), Some(2.5), Some(7.0)]
    );
    assert!(!b.rows[0].absent);
    assert_eq!(b.rows[1].points, [Some(4.0), None, Some(5.0), None]);
    assert!(b.rows[2].absent, "状态 缺考");
    assert_eq!(b.rows[2].points, [None; 4]);
    assert!(b.rows[3].absent, "every question 缺考");
    assert_eq!(r.blank_rows, [6]);
    assert_eq!(r.ignored_columns, ["姓名", "考号", "客观题"]);
}

#[test]
fn a_separate_gb18030_blueprint_and_question_headers_in_other_spellings() {
    let items = "学籍号,第1题,T2,解答3(1)（5分）,第3(2)题,数学\n\
        G20120001,4,4,5,7,20\n\
        G20120002,0,0,0,0,0\n";
    let bp = "题号,满分,考点\n1,4,有理数\n2,4,数轴\n3（1）,5,方程\n3(2),7,\n";
    let (bp_bytes, _, _) = GB18030.encode(bp);
    let r = read_exam_items(
        items.as_bytes(),
        "items.csv",
        &math(),
        "数学",
        Some((&bp_bytes, "细目表.csv")),
    )
    .unwrap();
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    assert_eq!(r.encoding, Some("UTF-8"));
    assert_eq!(r.blueprint_source, "细目表.csv");
    assert_eq!(r.batch.items.len(), 4);
    assert_eq!(
        r.batch.items[2].item_no, "3（1）",
        "as printed in the blueprint"
    );
    assert_eq!(r.batch.items[2].knowledge_points, ["方程"]);
    assert_eq!(
        r.batch.rows[0].points,
        [Some(4.0), Some(4.0), Some(5.0), Some(7.0)]
    );
    assert_eq!(
        r.batch.rows[1].points,
        [Some(0.0); 4],
        "0 is a score, not 缺考"
    );
    assert!(r.ignored_columns.is_empty(), "数学 is the total column");
}

#[test]
fn section_prefixed_headers_match_plain_blueprint_numbers() {
    let items = "学籍号,选择1,选择2,解答3(1),解答3(2)\nG20120001,4,4,5,7\n";
    let bp = "题号,分值\n1,4\n2,4\n3(1),5\n3(2),7\n";
    let r = read_exam_items(
        items.as_bytes(),
        "items.csv",
        &math(),
        "数学",
        Some((bp.as_bytes(), "bp.csv")),
    )
    .unwrap();
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    assert_eq!(r.batch.rows[0].points.len(), 4);
}

#[test]
fn points_above_the_maximum_negative_or_unreadable_and_a_wrong_total() {
    let bytes = workbook(
        &[
            &["学籍号", "1", "2", "3(1)", "3(2)", "总分"],
            &["G20120001", "5", "-1", "x", "7", "20"],
            &["G20120002", "4", "4", "5", "7", "19"],
            &["G20120003", "4", "4", "5", "7", "20"],
        ],
        Some(BLUEPRINT),
    );
    let r = read(&bytes);
    let got: Vec<(u32, &str, &str)> = r
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (2, "1", "5"),
            (2, "2", "-1"),
            (2, "3(1)", "x"),
            (2, "总分", "20"),
            (3, "总分", "19"),
        ]
    );
    assert!(
        r.errors[0]
            .message_zh
            .contains("第 1 题得分 5 超过该题分值 4 分")
    );
    assert!(r.errors[1].message_zh.contains("不能为负数"));
    assert!(r.errors[2].message_zh.contains("无法识别"));
    assert!(
        r.errors[4]
            .message_zh
            .contains("总分 19 与各题得分之和 20 不一致"),
        "{}",
        r.errors[4].message_zh
    );
    assert_eq!(r.batch.rows.len(), 1);
}

#[test]
fn questions_missing_from_either_side() {
    let bytes = workbook(
        &[
            &["学籍号", "1", "2", "3(1)", "4"],
            &["G20120001", "4", "4", "5", "1"],
        ],
        Some(BLUEPRINT),
    );
    let r = read(&bytes);
    let got: Vec<(u32, &str)> = r
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str()))
        .collect();
    assert_eq!(got, [(1, "4"), (1, "3(2)")], "{:#?}", r.errors);
    assert!(r.errors[0].message_zh.contains("第 4 题不在双向细目表中"));
    assert!(r.errors[0].message_zh.contains("1、2、3(1)、3(2)"));
    assert!(
        r.errors[1]
            .message_zh
            .contains("第 3(2) 题在小题得分表中没有对应的列")
    );
}

#[test]
fn blueprint_errors() {
    let bp: &[&[&str]] = &[
        &["题号", "分值", "知识点"],
        &["1", "4", ""],
        &["2", "零", ""],
        &["2", "4", ""],
        &["3", "", ""],
        &["", "3", ""],
    ];
    let bytes = workbook(
        &[&["学籍号", "1", "2", "3"], &["G20120001", "1", "1", "1"]],
        Some(bp),
    );
    let r = read(&bytes);
    let got: Vec<(u32, &str, &str)> = r
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (3, "分值", "零"),
            (4, "题号", "2"),
            (5, "分值", ""),
            (6, "题号", "")
        ],
        "{:#?}",
        r.errors
    );
    assert!(r.errors.iter().all(|e| e.sheet == "双向细目表"));
    assert!(r.errors[0].message_zh.contains("分值“零”无效"));
    assert!(r.errors[1].message_zh.contains("重复"));
    assert!(r.errors[2].message_zh.contains("第 3 题没有分值"));
}

#[test]
fn the_blueprint_must_add_up_to_the_full_marks() {
    let bp: &[&[&str]] = &[&["题号", "分值"], &["1", "4"], &["2", "4"], &["合计", "9"]];
    let bytes = workbook(&[&["学籍号", "1", "2"], &["G20120001", "1", "1"]], Some(bp));
    let r = read(&bytes);
    let m: Vec<&str> = r.errors.iter().map(|e| e.message_zh.as_str()).collect();
    assert_eq!(m.len(), 2, "{m:#?}");
    assert!(
        m[0].contains("合计行的分值 9 与各题分值之和 8 不一致"),
        "{}",
        m[0]
    );
    assert!(
        m[1].contains("合计 8 分") && m[1].contains("数学 的满分 20 分"),
        "{}",
        m[1]
    );
}

#[test]
fn 缺考_next_to_points() {
    let bytes = workbook(
        &[
            &["学籍号", "1", "2", "3(1)", "3(2)", "备注"],
            &["G20120001", "4", "缺考", "", "", ""],
            &["G20120002", "4", "", "", "", "缺考"],
        ],
        Some(BLUEPRINT),
    );
    let r = read(&bytes);
    let got: Vec<(u32, &str)> = r
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str()))
        .collect();
    assert_eq!(got, [(2, "2"), (3, "备注")]);
    assert!(r.errors[0].message_zh.contains("部分题目为“缺考”"));
    assert!(
        r.errors[1]
            .message_zh
            .contains("标记为缺考，但有 1 道题有得分")
    );
}

#[test]
fn no_blueprint_and_an_unknown_subject_fail_the_file() {
    let bytes = workbook(&[&["学籍号", "1"], &["G20120001", "1"]], None);
    let err = read_exam_items(&bytes, "x.xlsx", &math(), "数学", None).unwrap_err();
    assert!(matches!(err, IngestError::NoBlueprint { .. }), "{err:?}");
    assert!(err.to_string().contains("双向细目表"));
    let err = read_exam_items(&bytes, "x.xlsx", &math(), "物理", None).unwrap_err();
    assert!(
        matches!(err, IngestError::UnknownExamSubject { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("没有科目“物理”"), "{err}");
}

#[test]
fn duplicate_学籍号_and_a_missing_学籍号_column() {
    let bytes = workbook(
        &[
            &["学籍号", "1", "2", "3(1)", "3(2)"],
            &["G20120001", "4", "4", "5", "7"],
            &["G20120001", "4", "4", "5", "6"],
        ],
        Some(BLUEPRINT),
    );
    let e = only_error(&read(&bytes)).clone();
    assert_eq!((e.row, e.value.as_str()), (3, "G20120001"));
    assert!(e.message_zh.contains("与第 2 行重复"));

    let bytes = workbook(
        &[
            &["准考证号", "1", "2", "3(1)", "3(2)"],
            &["8001", "4", "4", "5", "7"],
        ],
        Some(BLUEPRINT),
    );
    let r = read(&bytes);
    let e = only_error(&r);
    assert!(
        e.message_zh.contains("“准考证号”不是学籍号"),
        "{}",
        e.message_zh
    );
}
