//! Imports through the service on both backends (a fresh SQLite file, and a fresh database on
//! the PostgreSQL server `WUYU_TEST_PG_URL` names; without it the PostgreSQL half is skipped,
//! and under `CI=true` it fails): CSV files written here go in as bytes and a file name, the
//! counts come back as the CLI prints them, a bad row names file, row, column and value and
//! leaves the store as it was, and a preview writes nothing.
use std::sync::Arc;

use wuyu_domain::{
    ExamId, ExamLevel, ExamSubject, Grade, NewExam, SchoolCode, Scope, Term, TermPart,
};
use wuyu_service::exam::import::{
    NO_SCORE_ROWS, import_exam_items, import_exam_scores, preview_exam_items, preview_exam_scores,
};
use wuyu_service::file::UploadedFile;
use wuyu_service::fitness::{import_fitness, preview_fitness};
use wuyu_service::import::{ImportActor, ImportOutcome, ReadCount};
use wuyu_service::roster::{import_roster, preview_roster};
use wuyu_service::{Service, ServiceError};
use wuyu_store::Store;

const SCHOOLS: &str = "学校代码,学校名称,学段,城乡\n\
    3301990001,城关第一中学,初中,城区\n\
    3301990002,青石镇中学,初中,农村\n";
const CLASSES: &str = "学校代码,年级,班级\n3301990001,7,1班\n3301990001,8,1班\n3301990002,8,1班\n";
const STUDENTS: &str = "学校代码,年级,班级,学籍号,姓名,性别,出生日期\n\
    3301990001,8,1班,G0000000001,张三,男,2012-03-05\n\
    3301990001,8,1班,G0000000002,李四,女,2012-04-06\n\
    3301990002,8,1班,G0000000004,赵六,女,2012-06-08\n\
    3301990001,7,1班,G0000000005,钱七,男,2013-07-09\n";

fn csv(name: &str, body: &str) -> UploadedFile {
    UploadedFile::new(name, body.as_bytes().to_vec())
}

fn operator() -> ImportActor {
    ImportActor::Operator("tester".into())
}

/// What a user would count after an import: import records and students of both schools.
async fn counts(store: &dyn Store) -> (usize, usize) {
    let imports = store.list_imports(1000).await.unwrap().len();
    let mut students = 0;
    for s in store.list_schools(&Scope::District).await.unwrap() {
        students += store
            .list_students(&Scope::District, s.school.id, None)
            .await
            .unwrap()
            .len();
    }
    (imports, students)
}

async fn roster(svc: &Service, store: &dyn Store) {
    // A preview reads and checks, counts and shows the first rows, and writes nothing.
    let preview = preview_roster(&csv("students.csv", STUDENTS), None).unwrap();
    assert!(preview.errors.is_empty(), "{:?}", preview.errors);
    assert!(preview.counts.contains(&ReadCount {
        kind: "students",
        n: 4
    }));
    assert_eq!(preview.sample.students.len(), 4);
    assert_eq!(
        preview.sample.students[0].student_no.as_str(),
        "G0000000001"
    );
    assert_eq!(preview.notes.encoding, Some("UTF-8"));
    assert_eq!(counts(store).await, (0, 0));

    let mut summaries = Vec::new();
    for (name, body) in [
        ("schools.csv", SCHOOLS),
        ("classes.csv", CLASSES),
        ("students.csv", STUDENTS),
    ] {
        let out = import_roster(svc, &operator(), &csv(name, body), None)
            .await
            .unwrap();
        summaries.push(out.imported().cloned().expect("imported"));
    }
    assert_eq!(summaries[0].schools_added, 2);
    assert_eq!(summaries[1].classes_added, 3);
    assert_eq!(summaries[2].students_added, 4);
    assert_eq!(summaries[2].students_updated, 0);
    assert_eq!(counts(store).await, (3, 4));
    let record = &store.list_imports(10).await.unwrap()[0];
    assert_eq!(record.username, "tester");
    assert_eq!(record.file_name, "students.csv");
    assert_eq!(
        record.file_sha256,
        csv("students.csv", STUDENTS).sha256(),
        "the file is hashed once, by UploadedFile"
    );

    // A bad date in the reader: rejected, the error names file, row, column and value.
    let bad = format!("{STUDENTS}3301990001,8,1班,G0000000009,孙八,男,2012-13-40\n");
    let out = import_roster(svc, &operator(), &csv("bad.csv", &bad), None)
        .await
        .unwrap();
    let errors = out.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(
        (e.file.as_str(), e.row, e.column.as_str(), e.value.as_str()),
        ("bad.csv", 6, "出生日期", "2012-13-40")
    );
    assert_eq!(counts(store).await, (3, 4));
    // The import centre gets the same as JSON.
    let json = serde_json::to_value(&out).unwrap();
    assert_eq!(json["status"], "rejected");
    assert_eq!(json["errors"][0]["row"], 6);
    assert_eq!(json["errors"][0]["value"], "2012-13-40");

    // A class the store does not know: rejected at the store's resolution step, the same way.
    let bad = "学校代码,年级,班级,学籍号,姓名,性别,出生日期\n\
               3301990001,8,9班,G0000000009,孙八,男,2012-03-05\n";
    let out = import_roster(
        svc,
        &ImportActor::User("admin".into()),
        &csv("b2.csv", bad),
        None,
    )
    .await
    .unwrap();
    assert!(matches!(out, ImportOutcome::Rejected { .. }));
    let e = &out.errors()[0];
    assert_eq!((e.file.as_str(), e.row), ("b2.csv", 2), "{e:?}");
    assert!(e.value.contains("9班"), "{e:?}");
    assert_eq!(counts(store).await, (3, 4));

    // A file that cannot be read at all is not a row problem.
    let err = import_roster(svc, &operator(), &csv("x.xlsx", "not a workbook"), None)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::BadRequest(_)), "{err:?}");
}

const FITNESS: &str = "student_no,grade,sex,height_cm,weight_kg,vital_capacity,run_50m,sit_and_reach,sit_up_1min,standing_long_jump,run_800m\n\
    G0000000002,8,F,155.0,46.0,2300,9.0,12.0,40,175,230\n\
    G0000000004,8,F,158.0,50.0,2400,9.2,10.0,38,170,\n";

async fn fitness(svc: &Service, store: &dyn Store) {
    let term = Term::new(2025, TermPart::Autumn).unwrap();
    let date = Some(time::macros::date!(2025 - 10 - 15));
    let before = counts(store).await;

    let preview = preview_fitness(&csv("fitness.csv", FITNESS), term, date).unwrap();
    assert!(preview.errors.is_empty(), "{:?}", preview.errors);
    assert_eq!(
        preview.counts,
        vec![ReadCount {
            kind: "records",
            n: 2
        }]
    );
    assert_eq!(preview.sample.records.len(), 2);
    assert_eq!(counts(store).await, before);

    // An unknown 学籍号 is the store's row error: nothing written.
    let bad = format!("{FITNESS}G9999999999,8,F,150,40,1800,9.5,5,30,180,240\n");
    let out = import_fitness(svc, &operator(), &csv("bad.csv", &bad), term, date)
        .await
        .unwrap();
    let e = &out.errors()[0];
    assert_eq!((e.file.as_str(), e.row), ("bad.csv", 4), "{e:?}");
    assert_eq!(e.value, "G9999999999");
    assert_eq!(counts(store).await, before);

    // The counts `wuyu import fitness` prints: 2 records, 1 complete, 1 without 800米, 2 schools.
    let out = import_fitness(svc, &operator(), &csv("fitness.csv", FITNESS), term, date)
        .await
        .unwrap();
    let s = out.imported().expect("imported");
    assert_eq!(
        (s.records_written, s.complete, s.incomplete, s.schools),
        (2, 1, 1, 2)
    );
    assert_eq!(s.terms, vec!["2025-autumn".to_string()]);
    let json = serde_json::to_value(&out).unwrap();
    assert_eq!(json["status"], "imported");
    assert_eq!(json["summary"]["records_written"], 2);
    assert_eq!(counts(store).await.0, before.0 + 1);
    assert_eq!(
        store.fitness_terms(&Scope::District).await.unwrap(),
        vec![term]
    );
}

async fn exam(svc: &Service, store: &dyn Store) {
    let exam = store
        .create_exam(&NewExam {
            name: "八年级期末".into(),
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
        .unwrap();
    let before = counts(store).await;
    let scores = "学籍号,姓名,语文,数学\n\
                  G0000000001,张三,98.5,缺考\n\
                  G0000000002,李四,0,20\n\
                  G0000000004,赵六,100,\n";

    let preview = preview_exam_scores(svc, exam, &csv("期末.csv", scores))
        .await
        .unwrap();
    assert!(preview.errors.is_empty(), "{:?}", preview.errors);
    assert_eq!(preview.counts, vec![ReadCount { kind: "rows", n: 3 }]);
    assert_eq!(preview.notes.ignored_columns, vec!["姓名".to_string()]);
    assert_eq!(
        preview.notes.subjects,
        vec!["语文".to_string(), "数学".to_string()]
    );
    assert_eq!(counts(store).await, before);

    // A score above full marks: the reader's row error, nothing written.
    let bad = scores.replace("0,20", "0,25");
    let out = import_exam_scores(svc, &operator(), exam, &csv("bad.csv", &bad))
        .await
        .unwrap();
    let e = &out.errors()[0];
    assert_eq!(
        (e.file.as_str(), e.row, e.column.as_str(), e.value.as_str()),
        ("bad.csv", 3, "数学", "25")
    );
    assert_eq!(counts(store).await, before);

    // The counts `wuyu import exam-scores` prints: 学生 3 名，成绩 5 条（缺考 1），2 所学校.
    let out = import_exam_scores(svc, &operator(), exam, &csv("期末.csv", scores))
        .await
        .unwrap();
    let s = out.imported().expect("imported");
    assert_eq!((s.students, s.marks, s.absent, s.schools), (3, 5, 1, 2));
    assert_eq!(serde_json::to_value(&out).unwrap()["summary"]["marks"], 5);

    // Item points with a blueprint file: the subject's score becomes the sum of the points.
    let blueprint = csv("细目表.csv", "题号,分值,知识点\n1,8,有理数\n2,12,方程\n");
    let items = csv(
        "数学小题分.csv",
        "学籍号,1,2\nG0000000001,8,10\nG0000000002,4,\n",
    );
    let preview = preview_exam_items(svc, exam, "数学", &items, Some(&blueprint))
        .await
        .unwrap();
    assert!(preview.errors.is_empty(), "{:?}", preview.errors);
    assert_eq!(preview.sample.items.len(), 2);
    assert_eq!(
        preview.notes.blueprint_source.as_deref(),
        Some("细目表.csv")
    );
    let out = import_exam_items(svc, &operator(), exam, "数学", &items, Some(&blueprint))
        .await
        .unwrap();
    let s = out.imported().expect("imported");
    assert_eq!((s.students, s.absent), (2, 0));
    let ImportOutcome::Imported { notes, .. } = &out else {
        panic!("imported: {out:?}")
    };
    assert_eq!(notes.items, Some(2));
    assert_eq!(notes.subjects, vec!["数学".to_string()]);

    // Without a 双向细目表 the operator is told about --blueprint; the import centre's user,
    // who has no such option, is not. Nothing is written either way.
    let before = counts(store).await;
    for (who, hinted) in [
        (operator(), true),
        (ImportActor::User("admin".into()), false),
    ] {
        let err = import_exam_items(svc, &who, exam, "数学", &items, None)
            .await
            .unwrap_err();
        let ServiceError::BadRequest(message) = err else {
            panic!("bad request: {err:?}")
        };
        assert!(message.starts_with("数学小题分.csv："), "{message}");
        assert_eq!(message.contains("--blueprint"), hinted, "{message}");
    }
    assert_eq!(counts(store).await, before);

    // A sheet with a header and no student row: one file-level error, the one the CLI maps.
    let out = import_exam_scores(svc, &operator(), exam, &csv("空表.csv", "学籍号,语文\n"))
        .await
        .unwrap();
    assert_eq!(out.errors().len(), 1, "{:?}", out.errors());
    assert_eq!(out.errors()[0].row, 0);
    assert_eq!(out.errors()[0].message_zh, NO_SCORE_ROWS);
    assert_eq!(counts(store).await, before);

    // An unknown exam is not found, before any file is read.
    let err = import_exam_scores(svc, &operator(), ExamId(9999), &csv("期末.csv", scores))
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::NotFound), "{err:?}");
}

async fn story(store: Arc<dyn Store>) {
    let svc = Service::new(store.clone());
    roster(&svc, store.as_ref()).await;
    fitness(&svc, store.as_ref()).await;
    exam(&svc, store.as_ref()).await;
    // The default school fills a sheet without 学校代码.
    let code = SchoolCode::parse("3301990002").unwrap();
    let body = "年级,班级\n9,1班\n";
    let out = import_roster(&svc, &operator(), &csv("classes.csv", body), Some(code))
        .await
        .unwrap();
    assert_eq!(out.imported().expect("imported").classes_added, 1);
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
