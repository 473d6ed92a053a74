//! 考号 (issue 9): marking systems export 考号, not 学籍号. An exam's 考号 list, imported or
//! generated with the pre-filled template, lets score and item sheets with a 考号 column and no
//! 学籍号 be matched; on both backends, through the service the CLI uses.
use std::sync::Arc;

use wuyu_domain::{ExamId, ExamLevel, ExamSubject, Grade, NewExam, Scope, Term, TermPart};
use wuyu_service::Service;
use wuyu_service::exam::import::{
    import_exam_candidates, import_exam_items, import_exam_scores, score_template,
};
use wuyu_service::file::UploadedFile;
use wuyu_service::import::{ImportActor, ImportOutcome};
use wuyu_service::roster::import_roster;
use wuyu_store::Store;

const SCHOOLS: &str = "学校代码,学校名称,学段,城乡\n\
    3301990001,城关第一中学,初中,城区\n3301990002,青石镇中学,初中,农村\n";
const CLASSES: &str = "学校代码,年级,班级\n3301990001,8,1班\n3301990002,8,1班\n3301990001,7,1班\n";
const STUDENTS: &str = "学校代码,年级,班级,学籍号,姓名,性别,出生日期\n\
    3301990001,8,1班,G0000000001,张三,男,2012-03-05\n\
    3301990001,8,1班,G0000000002,李四,女,2012-04-06\n\
    3301990002,8,1班,G0000000003,王五,男,2012-05-07\n\
    3301990001,7,1班,G0000000009,钱七,男,2013-07-09\n";

fn file(name: &str, body: impl AsRef<[u8]>) -> UploadedFile {
    UploadedFile::new(name, body.as_ref().to_vec())
}

fn operator() -> ImportActor {
    ImportActor::Operator("tester".into())
}

async fn new_exam(svc: &Service, name: &str) -> ExamId {
    svc.store()
        .create_exam(&NewExam {
            name: name.into(),
            date: time::macros::date!(2026 - 01 - 15),
            term: Term::new(2025, TermPart::Autumn).unwrap(),
            level: ExamLevel::District,
            grade: Grade::new(8).unwrap(),
            subjects: vec![
                ExamSubject {
                    name: "语文".into(),
                    full_marks: 120.0,
                },
                ExamSubject {
                    name: "数学".into(),
                    full_marks: 20.0,
                },
            ],
            baseline: None,
        })
        .await
        .unwrap()
}

/// Every stored mark of the exam as "学籍号 subject score".
async fn marks(store: &dyn Store, exam: ExamId) -> Vec<String> {
    let scope = Scope::District;
    let mut out = Vec::new();
    for s in store.list_schools(&scope).await.unwrap() {
        for r in store
            .exam_students(&scope, exam, s.school.id, None)
            .await
            .unwrap_or_default()
        {
            for m in r.subjects {
                if let Some(score) = m.score.filter(|_| m.subject != wuyu_store::exam::TOTAL) {
                    out.push(format!("{} {} {score}", r.student_no, m.subject));
                }
            }
        }
    }
    out.sort();
    out
}

async fn story(store: Arc<dyn Store>) {
    let svc = Service::new(store.clone());
    for (name, body) in [
        ("schools.csv", SCHOOLS),
        ("classes.csv", CLASSES),
        ("students.csv", STUDENTS),
    ] {
        let out = import_roster(&svc, &operator(), &file(name, body), None)
            .await
            .unwrap();
        assert!(out.imported().is_some(), "{out:?}");
    }
    let exam = new_exam(&svc, "期末").await;
    let by_candidate = "考号,姓名,语文\n080101,张三,91\n080201,王五,88\n";

    // Without a 考号 list, a 考号-only sheet cannot be matched: the error says what to do.
    let out = import_exam_scores(&svc, &operator(), exam, &file("阅卷.csv", by_candidate))
        .await
        .unwrap();
    assert!(matches!(out, ImportOutcome::Rejected { .. }));
    assert!(
        out.errors()[0].message_zh.contains("考号表"),
        "{:?}",
        out.errors()
    );

    // A bad list (an unknown 学籍号, then a 考号 twice) changes nothing.
    let bad = "学籍号,考号\nG0000000001,080101\nG0000000077,080102\n";
    let out = import_exam_candidates(&svc, &operator(), exam, &file("考号.csv", bad))
        .await
        .unwrap();
    let e = &out.errors()[0];
    assert_eq!((e.row, e.value.as_str()), (3, "G0000000077"), "{e:?}");
    let twice = "学籍号,考号\nG0000000001,080101\nG0000000002,080101\n";
    let out = import_exam_candidates(&svc, &operator(), exam, &file("考号.csv", twice))
        .await
        .unwrap();
    assert_eq!(out.errors()[0].row, 3, "{:?}", out.errors());
    assert!(store.exam_candidates(exam).await.unwrap().is_empty());

    let list = "学籍号,姓名,考号\nG0000000001,张三,080101\nG0000000002,李四,080102\nG0000000003,王五,080201\n";
    let out = import_exam_candidates(&svc, &operator(), exam, &file("考号.csv", list))
        .await
        .unwrap();
    let s = out.imported().expect("imported");
    assert_eq!((s.students, s.schools), (3, 2));
    assert_eq!(store.exam_candidates(exam).await.unwrap().len(), 3);

    // Now the marking system's 考号 export lands on the right students.
    let out = import_exam_scores(&svc, &operator(), exam, &file("阅卷.csv", by_candidate))
        .await
        .unwrap();
    assert!(out.imported().is_some(), "{:?}", out.errors());
    let blueprint = file("细目表.csv", "题号,分值,知识点\n1,8,有理数\n2,12,方程\n");
    let items = file("数学小题.csv", "准考证号,1,2\n080102,8,10\n");
    let out = import_exam_items(&svc, &operator(), exam, "数学", &items, Some(&blueprint))
        .await
        .unwrap();
    assert!(out.imported().is_some(), "{:?}", out.errors());
    assert_eq!(
        marks(store.as_ref(), exam).await,
        vec![
            "G0000000001 语文 91".to_string(),
            "G0000000002 数学 18".to_string(),
            "G0000000003 语文 88".to_string(),
        ]
    );
    // An unknown 考号 is a row error naming it (the name check comes after the reader's).
    let before = marks(store.as_ref(), exam).await;
    let out = import_exam_scores(
        &svc,
        &operator(),
        exam,
        &file(
            "阅卷.csv",
            "考号,姓名,语文\n080101,张三,95\n089999,某某,80\n080201,张三,70\n",
        ),
    )
    .await
    .unwrap();
    let got: Vec<(u32, &str, &str)> = out
        .errors()
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(got, vec![(3, "考号", "089999")], "{:?}", out.errors());
    assert_eq!(marks(store.as_ref(), exam).await, before);

    // Generated: the pre-filled template of a new exam lists the grade's students with a 考号.
    let other = new_exam(&svc, "期中").await;
    let bytes = score_template(&svc, other, true).await.unwrap();
    let t = wuyu_ingest::read_tables("模板.xlsx", &bytes).unwrap();
    let sheet = t.tables.iter().find(|t| t.name == "成绩").unwrap();
    assert_eq!(&sheet.header[..4], ["学籍号", "姓名", "班级", "考号"]);
    let rows: Vec<(String, String)> = sheet
        .rows()
        .map(|r| (r.get(0).to_string(), r.get(3).to_string()))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("G0000000001".to_string(), "000001".to_string()),
            ("G0000000002".to_string(), "000002".to_string()),
            ("G0000000003".to_string(), "000003".to_string()),
        ],
        "grade 8 only, in school and class order"
    );
    // Asked again, the same numbers (the list is stored, not redrawn).
    let again = score_template(&svc, other, true).await.unwrap();
    let t2 = wuyu_ingest::read_tables("模板.xlsx", &again).unwrap();
    assert_eq!(t2.tables[1].row(2).get(3), "000003");
    let out = import_exam_scores(
        &svc,
        &operator(),
        other,
        &file("阅卷.csv", "考号,语文\n000003,100\n"),
    )
    .await
    .unwrap();
    assert!(out.imported().is_some(), "{:?}", out.errors());
    assert_eq!(
        marks(store.as_ref(), other).await,
        vec!["G0000000003 语文 100".to_string()]
    );
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
