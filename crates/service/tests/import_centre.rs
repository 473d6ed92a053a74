//! The import centre's use cases on both backends: a held upload writes nothing until confirm;
//! a school admin's rows of another school are row errors; confirm imports once, through the
//! same import use case as the CLI; the history and the stored file follow the scope; a bomb
//! is refused before anything is held.
use std::io::{Cursor, Write};
use std::sync::Arc;

use wuyu_domain::{Role, SchoolId, Scope, User, UserId, Viewer};
use wuyu_service::file::UploadedFile;
use wuyu_service::import_centre::{self as centre, ImportKind, ImportParams};
use wuyu_service::{Service, ServiceError};
use wuyu_store::{Store, UploadStatus};
use wuyu_testkit::district;

fn viewer(id: i64, role: Role, scope: Scope) -> Viewer {
    Viewer::new(
        User {
            id: UserId(id),
            username: format!("user{id}"),
            display_name: format!("用户{id}"),
            role,
            school_id: scope.school_id(),
            teacher_id: None,
            student_id: None,
        },
        scope,
    )
}

const ROSTER: &str = "学校代码,年级,班级,学籍号,姓名,性别,出生日期\n\
    S001,7,1班,A2024070199,新同学,男,2012-03-05\n\
    S002,1,1班,B2024010199,外校生,女,2018-03-05\n";

async fn names(store: &dyn Store, school: i64) -> Vec<String> {
    store
        .list_students(&Scope::District, SchoolId(school), None)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name.to_string())
        .collect()
}

fn bomb() -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    let chunk = vec![b'0'; 1024 * 1024];
    for _ in 0..(centre::MAX_UNPACKED_BYTES / 1024 / 1024 + 1) {
        w.write_all(&chunk).unwrap();
    }
    w.finish().unwrap().into_inner()
}

async fn story(store: Arc<dyn Store>) {
    let ids = district::load(store.as_ref()).await;
    let svc = Service::new(Arc::clone(&store));
    let (a, b) = (ids.school_a, ids.school_b);
    let admin_a = viewer(
        101,
        Role::SchoolAdmin,
        Scope::School {
            school_id: SchoolId(a),
        },
    );
    let admin_b = viewer(
        102,
        Role::SchoolAdmin,
        Scope::School {
            school_id: SchoolId(b),
        },
    );
    let district_admin = viewer(100, Role::DistrictAdmin, Scope::District);
    let teacher = viewer(
        103,
        Role::Teacher,
        Scope::School {
            school_id: SchoolId(a),
        },
    );
    let none = ImportParams::default();
    let file = UploadedFile::new("名册.csv", ROSTER.as_bytes().to_vec());
    let before_a = names(store.as_ref(), a).await;
    let before_b = names(store.as_ref(), b).await;

    // Roles without the grant hold nothing.
    assert!(matches!(
        centre::hold(&svc, &teacher, ImportKind::Roster, &none, &file).await,
        Err(ServiceError::Forbidden)
    ));

    // School A's admin: the row of school B is an error naming row, column and value.
    let token = centre::hold(&svc, &admin_a, ImportKind::Roster, &none, &file)
        .await
        .unwrap();
    let p = centre::preview(&svc, &admin_a, &token).await.unwrap();
    assert_eq!(p.entry.status, UploadStatus::Pending);
    assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
    let e = &p.errors[0].error;
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_str()),
        (3, "学校代码", "S002")
    );
    assert!(!p.confirmable());
    // Someone else's token opens nothing.
    assert!(matches!(
        centre::preview(&svc, &district_admin, &token).await,
        Err(ServiceError::NotFound)
    ));
    // Confirm refuses the whole file: nothing of it is written.
    let done = centre::confirm(&svc, &admin_a, &token).await.unwrap();
    assert_eq!(done.entry.status, UploadStatus::Rejected);
    assert_eq!(done.errors.len(), 1);
    assert_eq!(names(store.as_ref(), a).await, before_a);
    assert_eq!(names(store.as_ref(), b).await, before_b);

    // The district imports the same file whole, but only on confirm.
    let token = centre::hold(&svc, &district_admin, ImportKind::Roster, &none, &file)
        .await
        .unwrap();
    let p = centre::preview(&svc, &district_admin, &token)
        .await
        .unwrap();
    assert!(p.confirmable(), "{:?}", p.errors);
    assert_eq!(p.sample.rows.len(), 2);
    assert_eq!(names(store.as_ref(), a).await, before_a);
    let done = centre::confirm(&svc, &district_admin, &token)
        .await
        .unwrap();
    assert_eq!(done.entry.status, UploadStatus::Imported);
    assert!(done.entry.import_id.is_some());
    assert!(
        done.entry.counts.contains("\"students_added\":2"),
        "{}",
        done.entry.counts
    );
    assert!(
        names(store.as_ref(), a)
            .await
            .contains(&"新同学".to_string())
    );
    assert!(
        names(store.as_ref(), b)
            .await
            .contains(&"外校生".to_string())
    );
    // Twice is once.
    assert!(matches!(
        centre::confirm(&svc, &district_admin, &token).await,
        Err(ServiceError::Conflict(_))
    ));
    let imports = store.list_imports(100).await.unwrap();
    assert_eq!(
        imports.iter().filter(|r| r.username == "user100").count(),
        1
    );

    // History by scope: school A sees its upload, school B none, the district both.
    let h_a = centre::history(&svc, &admin_a).await.unwrap();
    assert_eq!(h_a.len(), 1);
    assert!(centre::history(&svc, &admin_b).await.unwrap().is_empty());
    assert_eq!(
        centre::history(&svc, &district_admin).await.unwrap().len(),
        2
    );
    let (entry, bytes) = centre::stored_file(&svc, &admin_a, h_a[0].id)
        .await
        .unwrap();
    assert_eq!(entry.file_name, "名册.csv");
    assert_eq!(bytes, ROSTER.as_bytes());
    assert!(matches!(
        centre::stored_file(&svc, &admin_b, h_a[0].id).await,
        Err(ServiceError::Forbidden)
    ));

    // A decompression bomb is refused before anything is held.
    let bomb = UploadedFile::new("炸弹.xlsx", bomb());
    match centre::hold(&svc, &admin_a, ImportKind::Roster, &none, &bomb).await {
        Err(ServiceError::BadRequest(m)) => assert!(m.contains("解压后超过"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        centre::history(&svc, &district_admin).await.unwrap().len(),
        2
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

/// A workbook of one sheet: a header row, then `rows` (every cell text).
fn xlsx(sheet: &str, header: &[&str], rows: &[Vec<&str>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

const RECORD_HEADER: [&str; 8] = [
    "学籍号",
    "类别",
    "日期",
    "结束日期",
    "时长",
    "路程时长",
    "组织单位",
    "活动内容",
];
const ART_HEADER: [&str; 4] = ["学籍号", "基础指标", "学业指标", "发展指标"];

/// Archive kinds: activity records and art assessments through the centre, each first with a
/// bad row (nothing written, the row named), then clean and confirmed; the district names
/// the school by code.
async fn archive_story(store: Arc<dyn Store>) {
    use wuyu_domain::{ClassId, RecordState, Term, TermPart};
    let ids = district::load(store.as_ref()).await;
    let svc = Service::new(Arc::clone(&store));
    let a = SchoolId(ids.school_a);
    let admin_a = viewer(101, Role::SchoolAdmin, Scope::School { school_id: a });
    let district_admin = viewer(100, Role::DistrictAdmin, Scope::District);
    let term = Term::new(2025, TermPart::Autumn).unwrap();
    let child = wuyu_testkit::child_student_no();
    let params = ImportParams {
        term: term.code(),
        ..Default::default()
    };
    let records = || async {
        store
            .class_activities(&Scope::District, a, ClassId(ids.class_a7_1), term)
            .await
            .unwrap()
    };

    // 30 hours in one day, and a 学籍号 of no student of school A.
    let bad = xlsx(
        "写实记录",
        &RECORD_HEADER,
        &[
            vec![
                &child,
                "志愿服务",
                "2025-10-15",
                "",
                "3",
                "1",
                "社区",
                "敬老院服务",
            ],
            vec![
                &child,
                "研学旅行",
                "2025-10-16",
                "",
                "30",
                "",
                "年级组",
                "博物馆研学",
            ],
            vec![
                "B2099999999",
                "艺术活动",
                "2025-10-17",
                "",
                "2",
                "",
                "",
                "合唱",
            ],
        ],
    );
    let file = UploadedFile::new("写实记录.xlsx", bad);
    let token = centre::hold(&svc, &admin_a, ImportKind::Activities, &params, &file)
        .await
        .unwrap();
    let p = centre::preview(&svc, &admin_a, &token).await.unwrap();
    let mut cells: Vec<(u32, String)> = p
        .errors
        .iter()
        .map(|e| (e.error.row, e.error.column.clone()))
        .collect();
    cells.sort();
    assert_eq!(
        cells,
        [(3, "时长".to_string()), (4, "学籍号".to_string())],
        "{:?}",
        p.errors
    );
    assert!(p.errors.iter().any(|e| e.error.message_zh.contains("30")));
    assert!(!p.confirmable());
    let done = centre::confirm(&svc, &admin_a, &token).await.unwrap();
    assert_eq!(done.entry.status, UploadStatus::Rejected);
    assert!(records().await.is_empty(), "nothing written");

    // Clean: two records, awaiting review.
    let good = xlsx(
        "写实记录",
        &RECORD_HEADER,
        &[
            vec![
                &child,
                "志愿服务",
                "2025-10-15",
                "",
                "3",
                "1",
                "社区",
                "敬老院服务",
            ],
            vec![
                &child,
                "研学旅行",
                "2025-10-16",
                "2025-10-17",
                "12",
                "",
                "年级组",
                "博物馆研学",
            ],
        ],
    );
    let file = UploadedFile::new("写实记录.xlsx", good);
    let token = centre::hold(&svc, &admin_a, ImportKind::Activities, &params, &file)
        .await
        .unwrap();
    let p = centre::preview(&svc, &admin_a, &token).await.unwrap();
    assert!(p.confirmable(), "{:?}", p.errors);
    assert_eq!(p.counts, [("写实记录", 2)]);
    let done = centre::confirm(&svc, &admin_a, &token).await.unwrap();
    assert_eq!(done.entry.status, UploadStatus::Imported);
    let r = records().await;
    assert_eq!(r.len(), 2);
    assert!(r.iter().all(|r| r.state == RecordState::Submitted));

    // Art: the district must name the school; a part over its maximum is a row error.
    let art = |basic: &'static str| {
        xlsx(
            "艺术素质测评",
            &ART_HEADER,
            &[
                vec![&child, basic, "45", "12"],
                vec!["A2024070102", "30", "30", "5"],
            ],
        )
    };
    let year = ImportParams {
        school_year: "2025".into(),
        ..Default::default()
    };
    let file = UploadedFile::new("艺术测评.xlsx", art("41"));
    match centre::hold(&svc, &district_admin, ImportKind::Art, &year, &file).await {
        Err(ServiceError::BadRequest(m)) => assert!(m.contains("学校代码"), "{m}"),
        other => panic!("{other:?}"),
    }
    let year = ImportParams {
        school: "S001".into(),
        ..year
    };
    let token = centre::hold(&svc, &district_admin, ImportKind::Art, &year, &file)
        .await
        .unwrap();
    let p = centre::preview(&svc, &district_admin, &token)
        .await
        .unwrap();
    assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
    let e = &p.errors[0].error;
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_str()),
        (2, "基础指标", "41")
    );
    let file = UploadedFile::new("艺术测评.xlsx", art("36"));
    let token = centre::hold(&svc, &district_admin, ImportKind::Art, &year, &file)
        .await
        .unwrap();
    let done = centre::confirm(&svc, &district_admin, &token)
        .await
        .unwrap();
    assert_eq!(
        done.entry.status,
        UploadStatus::Imported,
        "{:?}",
        done.errors
    );
    let audit = wuyu_store::AuditEntry {
        at: 0,
        user_id: None,
        username: "test".into(),
        action: "archive_read_student".into(),
        school_id: Some(a),
        entity: format!("student:{}", ids.child),
        detail: String::new(),
        ip: String::new(),
    };
    let rows = store
        .student_archive(
            &Scope::District,
            a,
            wuyu_domain::StudentId(ids.child),
            &audit,
        )
        .await
        .unwrap();
    // 36 + 45 + 12 = 93: 优秀.
    assert_eq!(rows.art.len(), 1);
    assert_eq!(rows.art[0].total, wuyu_domain::Tenths(930));
    assert_eq!(rows.art[0].level, wuyu_domain::ArtLevel::Excellent);

    // The templates carry the columns the reader wants.
    let (name, bytes) = centre::template(&svc, &admin_a, ImportKind::Activities, &params)
        .await
        .unwrap();
    assert_eq!(name, "综合素质写实记录导入模板.xlsx");
    let t = wuyu_ingest::read_tables(&name, &bytes).unwrap();
    assert!(
        t.tables
            .iter()
            .any(|t| t.header.iter().any(|h| h == "活动内容"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archive_kinds_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    archive_story(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archive_kinds_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        archive_story(Arc::clone(&db.store)).await;
    }
}

/// A large held file is read and checked off the runtime's threads: on a runtime with one
/// thread, other use cases keep answering while it is read; the first preview says it is
/// still being read (nothing confirmable yet), and a later one shows the file's counts.
async fn big_file_story(store: Arc<dyn Store>) {
    use std::time::{Duration, Instant};
    district::load(store.as_ref()).await;
    let svc = Service::new(Arc::clone(&store));
    let admin = viewer(100, Role::DistrictAdmin, Scope::District);
    const N: usize = 120_000;
    let mut csv = String::from("学校代码,年级,班级,学籍号,姓名,性别,出生日期\n");
    for i in 0..N {
        csv.push_str(&format!(
            "S001,7,1班,Z{:09},学生{i},{},2011-0{}-1{}\n",
            i,
            if i % 2 == 0 { "男" } else { "女" },
            i % 9 + 1,
            i % 10
        ));
    }
    let file = UploadedFile::new("全区新名册.csv", csv.into_bytes());
    let token = centre::hold(
        &svc,
        &admin,
        ImportKind::Roster,
        &ImportParams::default(),
        &file,
    )
    .await
    .unwrap();
    let started = Instant::now();
    let first = tokio::spawn({
        let (svc, admin, token) = (svc.clone(), admin.clone(), token.clone());
        async move { centre::preview(&svc, &admin, &token).await }
    });
    // Meanwhile the history page's use case, on the same single runtime thread.
    let (mut answered, mut slowest) = (0, Duration::ZERO);
    while !first.is_finished() {
        let t = Instant::now();
        centre::history(&svc, &admin).await.unwrap();
        slowest = slowest.max(t.elapsed());
        answered += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let first = first.await.unwrap().unwrap();
    let waited = started.elapsed();
    eprintln!(
        "first preview after {waited:?}: reading={} ({answered} other answers, slowest {slowest:?})",
        first.reading
    );
    assert!(
        answered >= 5 && slowest < Duration::from_millis(500),
        "{answered} answers in {waited:?}, slowest {slowest:?}"
    );
    if first.reading {
        assert!(!first.confirmable() && first.counts.is_empty());
    }
    // The reading goes on in the background and is kept: a later preview shows the file.
    let deadline = Instant::now() + Duration::from_secs(300);
    let done = loop {
        let p = centre::preview(&svc, &admin, &token).await.unwrap();
        if !p.reading {
            break p;
        }
        assert!(Instant::now() < deadline, "still reading after 300 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(done.confirmable(), "{:?}", done.errors.first());
    assert!(
        done.counts.iter().any(|(_, n)| *n == N),
        "{:?}",
        done.counts
    );
    // Kept: the next preview answers at once.
    let t = Instant::now();
    assert!(!centre::preview(&svc, &admin, &token).await.unwrap().reading);
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
}

// One worker thread: were the reading on it, nothing else could run until it ended.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_big_file_is_read_off_the_runtime_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    big_file_story(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_big_file_is_read_off_the_runtime_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        big_file_story(Arc::clone(&db.store)).await;
    }
}
