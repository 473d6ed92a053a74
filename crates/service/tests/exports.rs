//! Bulk exports of student data on both backends (a fresh SQLite file, and a fresh database on
//! the PostgreSQL server `WUYU_TEST_PG_URL` names; without it the PostgreSQL half is skipped,
//! under `CI=true` it fails): the national fitness upload file writes one audit entry naming
//! who, what, the school and how many students it hands out.
use std::sync::Arc;

use wuyu_domain::{SchoolId, Scope};
use wuyu_service::Service;
use wuyu_service::audit::Requester;
use wuyu_service::fitness::{EXPORT_ACTION, TemplateFormat, upload_template};
use wuyu_store::Store;
use wuyu_testkit::term_now;

/// Students of `school` with a record of [`term_now`], counted from the store directly.
async fn tested(store: &dyn Store, school: SchoolId) -> usize {
    let d = Scope::District;
    let mut n = 0;
    for st in store.list_students(&d, school, None).await.unwrap() {
        let records = store.student_fitness(&d, school, st.id).await.unwrap();
        n += usize::from(records.iter().any(|r| r.term == term_now()));
    }
    n
}

async fn story(store: Arc<dyn Store>) {
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let svc = Service::new(Arc::clone(&store));
    let a = SchoolId(ids.school_a);
    let before = store.list_audit(500).await.unwrap().len();

    let who = Requester::operator("tester");
    let (term, file) = upload_template(
        &svc,
        &who,
        &Scope::District,
        a,
        Some(&term_now().code()),
        TemplateFormat::Csv,
    )
    .await
    .unwrap();
    let want = tested(store.as_ref(), a).await;
    assert!(want > 0);
    assert_eq!(file.students, want);
    // The CSV has a header line and one line per student.
    let text = String::from_utf8(file.bytes).unwrap();
    assert_eq!(text.trim_end().lines().count(), want + 1);

    let rows = store.list_audit(500).await.unwrap();
    assert_eq!(rows.len(), before + 1, "one entry per export");
    let e = &rows[0].entry;
    assert_eq!(e.action, EXPORT_ACTION);
    assert_eq!(e.username, "tester");
    assert_eq!(e.user_id, None);
    assert_eq!(e.ip, "cli");
    assert_eq!(e.school_id, Some(a));
    assert_eq!(e.entity, format!("school:{a}"));
    assert_eq!(e.detail, format!("term={} rows={want}", term.code()));

    // A school the scope does not reach: refused, no file and no entry of an export.
    let outside = Scope::School {
        school_id: SchoolId(ids.school_b),
    };
    assert!(
        upload_template(&svc, &who, &outside, a, None, TemplateFormat::Xlsx)
            .await
            .is_err()
    );
    assert_eq!(store.list_audit(500).await.unwrap().len(), before + 1);
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
