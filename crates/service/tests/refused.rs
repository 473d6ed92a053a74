//! Inputs that must be refused (issue 9), through the service the CLI and the import centre
//! share, on both backends: a file with a header and no data row is an error (roster,
//! fitness, exam scores, exam items), an XLSX formula whose result was never calculated is a
//! row error naming its cell (never read as blank), an impossible date is a row error, and in
//! every case nothing is written.
use std::sync::Arc;

use rust_xlsxwriter::Workbook;
use wuyu_domain::{ExamId, ExamLevel, ExamSubject, Grade, NewExam, Scope, Term, TermPart};
use wuyu_service::Service;
use wuyu_service::exam::import::{
    NO_ITEM_ROWS, NO_SCORE_ROWS, import_exam_items, import_exam_scores,
};
use wuyu_service::file::UploadedFile;
use wuyu_service::fitness::{NO_FITNESS_ROWS, import_fitness};
use wuyu_service::import::{ImportActor, ImportOutcome};
use wuyu_service::roster::{NO_ROSTER_ROWS, import_roster};
use wuyu_store::Store;

const SCHOOLS: &str = "学校代码,学校名称,学段,城乡\n3301990001,城关第一中学,初中,城区\n";
const CLASSES: &str = "学校代码,年级,班级\n3301990001,8,1班\n";
const STUDENTS: &str = "学校代码,年级,班级,学籍号,姓名,性别,出生日期\n\
    3301990001,8,1班,G0000000001,张三,男,2012-03-05\n\
    3301990001,8,1班,G0000000002,李四,女,2012-04-06\n";

fn file(name: &str, body: impl AsRef<[u8]>) -> UploadedFile {
    UploadedFile::new(name, body.as_ref().to_vec())
}

fn operator() -> ImportActor {
    ImportActor::Operator("tester".into())
}

fn term() -> Term {
    Term::new(2025, TermPart::Autumn).unwrap()
}

/// What "nothing written" means to a user: the import history, the students, every stored
/// mark of the exam and every fitness term.
async fn state(store: &dyn Store, exam: ExamId) -> (usize, usize, Vec<String>, usize) {
    let scope = Scope::District;
    let imports = store.list_imports(1000).await.unwrap().len();
    let mut students = 0;
    let mut marks = Vec::new();
    for s in store.list_schools(&scope).await.unwrap() {
        students += store
            .list_students(&scope, s.school.id, None)
            .await
            .unwrap()
            .len();
        for r in store
            .exam_students(&scope, exam, s.school.id, None)
            .await
            .unwrap_or_default()
        {
            for m in r.subjects {
                if m.score.is_some() || m.absent {
                    marks.push(format!("{} {} {:?}", r.student_no, m.subject, m.score));
                }
            }
        }
    }
    marks.sort();
    let terms = store.fitness_terms(&scope).await.unwrap().len();
    (imports, students, marks, terms)
}

/// The one file-level error of a rejected import.
#[track_caller]
fn only_error<S: std::fmt::Debug>(out: &ImportOutcome<S>, message: &str) {
    assert!(matches!(out, ImportOutcome::Rejected { .. }), "{out:?}");
    assert_eq!(out.errors().len(), 1, "{:?}", out.errors());
    assert_eq!(out.errors()[0].message_zh, message);
}

async fn seed(svc: &Service) -> ExamId {
    for (name, body) in [
        ("schools.csv", SCHOOLS),
        ("classes.csv", CLASSES),
        ("students.csv", STUDENTS),
    ] {
        let out = import_roster(svc, &operator(), &file(name, body), None)
            .await
            .unwrap();
        assert!(out.imported().is_some(), "{out:?}");
    }
    svc.store()
        .create_exam(&NewExam {
            name: "八年级期末".into(),
            date: time::macros::date!(2026 - 01 - 15),
            term: term(),
            level: ExamLevel::District,
            grade: Grade::new(8).unwrap(),
            subjects: vec![
                ExamSubject {
                    name: "语文".into(),
                    full_marks: 120.0,
                },
                ExamSubject {
                    name: "数学".into(),
                    full_marks: 120.0,
                },
            ],
            baseline: None,
        })
        .await
        .unwrap()
}

async fn empty_files(svc: &Service, exam: ExamId) {
    let store = svc.store();
    let before = state(store.as_ref(), exam).await;
    // Header only, and a header followed by blank lines.
    for body in [
        "学校代码,年级,班级,学籍号,姓名,性别,出生日期\n",
        "学校代码,年级,班级,学籍号,姓名,性别,出生日期\n,,,,,,\n\n",
    ] {
        let out = import_roster(svc, &operator(), &file("学生.csv", body), None)
            .await
            .unwrap();
        only_error(&out, NO_ROSTER_ROWS);
        assert_eq!(out.errors()[0].file, "学生.csv");
    }
    let out = import_fitness(
        svc,
        &operator(),
        &file("体测.csv", "学籍号,年级,性别,身高,体重,50米跑\n"),
        term(),
        Some(time::macros::date!(2025 - 10 - 15)),
    )
    .await
    .unwrap();
    only_error(&out, NO_FITNESS_ROWS);
    let out = import_exam_scores(svc, &operator(), exam, &file("成绩.csv", "学籍号,语文\n"))
        .await
        .unwrap();
    only_error(&out, NO_SCORE_ROWS);
    let blueprint = file("细目表.csv", "题号,分值,知识点\n1,60,有理数\n2,60,方程\n");
    let out = import_exam_items(
        svc,
        &operator(),
        exam,
        "数学",
        &file("小题.csv", "学籍号,1,2\n"),
        Some(&blueprint),
    )
    .await
    .unwrap();
    only_error(&out, NO_ITEM_ROWS);
    // An XLSX whose only sheet has a header and nothing else.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("成绩").unwrap();
    ws.write_string(0, 0, "学籍号").unwrap();
    ws.write_string(0, 1, "语文").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let out = import_exam_scores(svc, &operator(), exam, &file("成绩.xlsx", bytes))
        .await
        .unwrap();
    only_error(&out, NO_SCORE_ROWS);
    assert_eq!(state(store.as_ref(), exam).await, before, "nothing written");
}

/// A score sheet with a formula in 数学 for 李四: its result `result` ("" = never calculated).
fn sheet_with_formula(result: &str) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("成绩").unwrap();
    for (c, h) in ["学籍号", "姓名", "语文", "数学"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "G0000000001").unwrap();
    ws.write_string(1, 1, "张三").unwrap();
    ws.write_number(1, 2, 98.0).unwrap();
    ws.write_number(1, 3, 100.0).unwrap();
    ws.write_string(2, 0, "G0000000002").unwrap();
    ws.write_string(2, 1, "李四").unwrap();
    ws.write_number(2, 2, 90.0).unwrap();
    // "" writes the formula as never calculated (rust_xlsxwriter's and LibreOffice's mark).
    let formula = rust_xlsxwriter::Formula::new("=60+20");
    if result.is_empty() {
        ws.set_formula_result_default("");
        ws.write_formula(2, 3, formula).unwrap();
    } else {
        ws.write_formula(2, 3, formula.set_result(result)).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

async fn formulas(svc: &Service, exam: ExamId) {
    let store = svc.store();
    let before = state(store.as_ref(), exam).await;
    // Saved by a program that does not calculate: the result is unknown, not blank.
    let out = import_exam_scores(
        svc,
        &operator(),
        exam,
        &file("成绩.xlsx", sheet_with_formula("")),
    )
    .await
    .unwrap();
    assert!(matches!(out, ImportOutcome::Rejected { .. }), "{out:?}");
    let e = &out.errors()[0];
    assert_eq!(
        (e.file.as_str(), e.sheet.as_str(), e.row, e.column.as_str()),
        ("成绩.xlsx", "成绩", 3, "数学"),
        "{e:?}"
    );
    assert!(e.message_zh.contains("D3"), "names the cell: {e:?}");
    assert!(e.message_zh.contains("没有保存计算结果"), "{e:?}");
    assert_eq!(e.value, "=60+20");
    assert_eq!(state(store.as_ref(), exam).await, before, "nothing written");

    // Calculated and saved (as Excel does): the saved result is the value.
    let out = import_exam_scores(
        svc,
        &operator(),
        exam,
        &file("成绩.xlsx", sheet_with_formula("80")),
    )
    .await
    .unwrap();
    assert!(out.imported().is_some(), "{:?}", out.errors());
    let (.., marks, _) = state(store.as_ref(), exam).await;
    assert!(
        marks.contains(&"G0000000002 数学 Some(80.0)".to_string()),
        "{marks:?}"
    );
}

async fn impossible_dates(svc: &Service, exam: ExamId) {
    let store = svc.store();
    let before = state(store.as_ref(), exam).await;
    for (date, row) in [("2025-13-01", 3), ("2025-02-30", 3)] {
        let body = format!(
            "学籍号,年级,性别,身高,体重,50米跑,测试日期\n\
             G0000000001,8,男,160,50,8.5,2025-10-15\n\
             G0000000002,8,女,155,46,9.0,{date}\n"
        );
        let out = import_fitness(svc, &operator(), &file("体测.csv", body), term(), None)
            .await
            .unwrap();
        assert_eq!(out.errors().len(), 1, "{:?}", out.errors());
        let e = &out.errors()[0];
        assert_eq!(
            (e.row, e.column.as_str(), e.value.as_str()),
            (row, "测试日期", date)
        );
    }
    assert_eq!(state(store.as_ref(), exam).await, before, "nothing written");
}

/// 张三 is G0000000001 and 李四 G0000000002; a sheet that swaps the names (a mistyped 学籍号
/// would do the same) puts marks on the wrong child, so it is refused whole.
async fn names(svc: &Service, exam: ExamId) {
    let store = svc.store();
    let before = state(store.as_ref(), exam).await;
    let scores = "学籍号,姓名,语文
G0000000001,张三,91
G0000000002,张三,92
";
    let out = import_exam_scores(svc, &operator(), exam, &file("成绩.csv", scores))
        .await
        .unwrap();
    assert_eq!(out.errors().len(), 1, "{:?}", out.errors());
    let e = &out.errors()[0];
    assert_eq!(
        (e.file.as_str(), e.row, e.column.as_str(), e.value.as_str()),
        ("成绩.csv", 3, "姓名", "张三")
    );
    assert!(e.message_zh.contains("G0000000002"), "{e:?}");
    assert!(
        !e.message_zh.contains("李四"),
        "the roster's name is not revealed: {e:?}"
    );

    let blueprint = file("细目表.csv", "题号,分值,知识点\n1,60,有理数\n2,60,方程\n");
    let items = "学籍号,学生姓名,1,2\nG0000000001,李四,50,40\n";
    let out = import_exam_items(
        svc,
        &operator(),
        exam,
        "数学",
        &file("小题.csv", items),
        Some(&blueprint),
    )
    .await
    .unwrap();
    assert_eq!(out.errors().len(), 1, "{:?}", out.errors());
    assert_eq!(
        (out.errors()[0].row, out.errors()[0].column.as_str()),
        (2, "学生姓名")
    );

    let fitness = "学籍号,姓名,年级,性别,身高,体重,50米跑\nG0000000002,王五,8,女,155,46,9.0\n";
    let out = import_fitness(
        svc,
        &operator(),
        &file("体测.csv", fitness),
        term(),
        Some(time::macros::date!(2025 - 10 - 15)),
    )
    .await
    .unwrap();
    assert_eq!(out.errors().len(), 1, "{:?}", out.errors());
    assert_eq!(out.errors()[0].value, "王五");
    assert_eq!(state(store.as_ref(), exam).await, before, "nothing written");

    // The same names spelt with spaces, and a sheet without a name column, are accepted.
    let ok = "学籍号,姓名,语文\nG0000000001,张　三,91\nG0000000002, 李 四 ,92\n";
    let out = import_exam_scores(svc, &operator(), exam, &file("成绩.csv", ok))
        .await
        .unwrap();
    assert!(out.imported().is_some(), "{:?}", out.errors());
    let out = import_exam_scores(
        svc,
        &operator(),
        exam,
        &file("成绩.csv", "学籍号,语文\nG0000000002,93\n"),
    )
    .await
    .unwrap();
    assert!(out.imported().is_some(), "{:?}", out.errors());
}

async fn story(store: Arc<dyn Store>) {
    let svc = Service::new(store);
    let exam = seed(&svc).await;
    empty_files(&svc, exam).await;
    impossible_dates(&svc, exam).await;
    names(&svc, exam).await;
    formulas(&svc, exam).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    let db = wuyu_testkit::sqlite().await;
    story(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        story(Arc::clone(&db.store)).await;
    }
}
