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
