//! Bulk exports of student data: the national fitness upload file goes only to the roles that
//! submit it (district admin, the school's admin), refused roles get 403 and no file, and every
//! download — the upload file, a class's exam marks, the parallel-class alerts — leaves one
//! audit entry with who, what, scope and row count, which the audit page reads in Chinese.
use std::io::Cursor;

use axum::body::to_bytes;
use calamine::{Reader, Xlsx, open_workbook_from_rs};
use wuyu_store::AuditRow;

use crate::support::{TestApp, body_text, get, term_now};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Status, content type and body of `path` as `who`.
async fn fetch(app: &TestApp, who: &str, path: &str) -> (u16, String, Vec<u8>) {
    let s = app.login(who).await;
    let resp = app.send(get(path).cookie(&s.cookie).build()).await;
    let status = resp.status().as_u16();
    let ctype = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    (status, ctype, body.to_vec())
}

/// Data rows of the first worksheet: its rows less the `head` rows above the data (the upload
/// template has one header row; the exam sheets a title and a header row).
fn data_rows(bytes: &[u8], head: usize) -> usize {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range.rows().count() - head
}

async fn audit(app: &TestApp) -> Vec<AuditRow> {
    app.store.list_audit(1000).await.unwrap()
}

/// The audit rows of exports (each `fetch` also signs in and opens a home page, which are
/// audited on their own).
async fn non_login(app: &TestApp) -> Vec<AuditRow> {
    audit(app)
        .await
        .into_iter()
        .filter(|r| r.entry.action.starts_with("export_"))
        .collect()
}

#[tokio::test]
async fn the_upload_file_goes_only_to_the_roles_that_submit_it_and_every_download_is_audited() {
    let app = TestApp::new().await;
    let a = app.ids.school_a;
    let path = format!(
        "/schools/{a}/fitness/upload.xlsx?term={}",
        term_now().code()
    );

    // Analysts, teachers, counsellors and parents: 403, no file, nothing audited as an export.
    let before = non_login(&app).await.len();
    for who in [
        "analyst",
        "teacher-a",
        "counsellor-a",
        "parent-a",
        "teacher-b",
    ] {
        let (status, ctype, body) = fetch(&app, who, &path).await;
        assert_eq!(status, 403, "{who}");
        assert_ne!(ctype, XLSX, "{who}");
        assert!(!body.starts_with(b"PK"), "{who} got a workbook");
    }
    assert_eq!(non_login(&app).await.len(), before);

    // The district admin and the school's admin: the file, and one entry each with its rows.
    for who in ["district", "school-a"] {
        let (status, ctype, body) = fetch(&app, who, &path).await;
        assert_eq!(status, 200, "{who}");
        assert_eq!(ctype, XLSX);
        let n = data_rows(&body, 1);
        assert!(n > 0);
        let rows = non_login(&app).await;
        let e = &rows[0].entry;
        assert_eq!(e.action, "export_fitness_upload");
        assert_eq!(e.username, who);
        assert_eq!(e.user_id.map(|u| u.0), Some(app.ids.users[who]));
        assert_eq!(e.school_id.map(|s| s.0), Some(a));
        assert_eq!(e.entity, format!("school:{a}"));
        assert_eq!(e.detail, format!("term={} rows={n}", term_now().code()));
        assert!(!e.ip.is_empty(), "the address is recorded");
    }

    // The page offers the download to the school's admin, not to a teacher or the analyst.
    let link = format!("/schools/{a}/fitness/upload.xlsx");
    let (_, _, html) = fetch(&app, "school-a", "/fitness").await;
    assert!(String::from_utf8(html).unwrap().contains(&link));
    let (_, _, html) = fetch(&app, "teacher-a", "/fitness").await;
    assert!(!String::from_utf8(html).unwrap().contains(&link));
    let (_, _, html) = fetch(&app, "analyst", &format!("/fitness?school={a}")).await;
    assert!(!String::from_utf8(html).unwrap().contains(&link));

    // The audit page names the export in Chinese.
    let (_, _, html) = fetch(&app, "district", "/admin/audit").await;
    let html = String::from_utf8(html).unwrap();
    // The rows, not the search form (whose options carry the codes as values).
    let table = &html[html.find("data-table=\"audit\"").unwrap()..];
    assert!(table.contains("导出国家体测上报表"), "{html}");
    assert!(!table.contains("export_fitness_upload"));
}

#[tokio::test]
async fn class_mark_and_alert_downloads_are_audited_with_their_row_counts() {
    let app = TestApp::with_exams().await;
    let (i, e) = (&app.ids, &app.ids.exams);
    let (a, c) = (i.school_a, i.class_a7_1);

    // A class's marks (names and 学籍号 of every student).
    let path = format!("/exams/{}/schools/{a}/classes/{c}/export.xlsx", e.midterm);
    let (status, _, body) = fetch(&app, "teacher-a", &path).await;
    assert_eq!(status, 200);
    let n = data_rows(&body, 2);
    assert!(n > 0);
    let rows = non_login(&app).await;
    let entry = &rows[0].entry;
    assert_eq!(entry.action, "export_class_exam");
    assert_eq!(entry.username, "teacher-a");
    assert_eq!(entry.entity, format!("class:{a}:{c}"));
    assert_eq!(entry.detail, format!("exam:{} rows={n}", e.midterm));

    // The parallel-class alerts (teacher names): refused to teachers, audited for the rest.
    let before = non_login(&app).await.len();
    let (status, _, body) = fetch(&app, "teacher-a", "/exams/alerts/export.xlsx").await;
    assert_eq!(status, 403);
    assert!(!body.starts_with(b"PK"));
    assert_eq!(non_login(&app).await.len(), before);
    let (status, _, body) = fetch(&app, "analyst", "/exams/alerts/export.xlsx").await;
    assert_eq!(status, 200);
    let n = data_rows(&body, 2);
    let rows = non_login(&app).await;
    assert_eq!(rows.len(), before + 1);
    let entry = &rows[0].entry;
    assert_eq!(entry.action, "export_alerts");
    assert_eq!(entry.username, "analyst");
    assert_eq!(entry.entity, "district");
    assert!(
        entry.detail.ends_with(&format!("rows={n}")),
        "{}",
        entry.detail
    );

    let s = app.login("district").await;
    let html = body_text(
        app.send(get("/admin/audit").cookie(&s.cookie).build())
            .await,
    )
    .await;
    assert!(html.contains("导出班级考试成绩") && html.contains("导出平行班比较预警"));
}
