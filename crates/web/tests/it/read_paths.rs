//! Issue 16, the read paths: the district pages keep their read models between requests but
//! show an import at once, and an audited page answers while an import holds SQLite's write
//! lock, its audit entry kept (queued, then moved into the log) rather than waited for.
use std::sync::Arc;
use std::time::{Duration, Instant};

use time::macros::date;
use wuyu_domain::{Location, RosterBatch, Sex, Stage};
use wuyu_store::{ImportMeta, SqliteStore, Store};
use wuyu_testkit::district::{self, class, school, student};

use crate::support::*;

async fn page(app: &TestApp, path: &str, s: &Session) -> String {
    let resp = app.send(get(path).cookie(&s.cookie).build()).await;
    assert_eq!(resp.status(), 200, "{path}");
    body_text(resp).await
}

#[tokio::test]
async fn an_import_shows_on_the_district_pages_at_once() {
    let app = TestApp::new().await;
    let s = app.login("district").await;
    let home = page(&app, "/", &s).await;
    let fitness = page(&app, "/fitness", &s).await;
    // Served again from the kept read models: the same page.
    assert_eq!(page(&app, "/", &s).await, home);
    assert_eq!(page(&app, "/fitness", &s).await, fitness);
    assert!(!home.contains("缓存检验中学") && !fitness.contains("缓存检验中学"));

    app.add_tested_school("3301990077", "缓存检验中学", &[4, 3, 0])
        .await;
    let home = page(&app, "/", &s).await;
    assert!(home.contains("缓存检验中学"), "the new school on 区级总览");
    let fitness = page(&app, "/fitness", &s).await;
    assert!(
        fitness.contains("缓存检验中学"),
        "the new school's results on /fitness"
    );
}

/// A database path for the probe below: the fixture's store, opened here so the test knows
/// where the file is.
async fn app_at(dir: &TempDir) -> TestApp {
    let db = dir.path().join("wuyu.db");
    let store = SqliteStore::open(db.to_str().unwrap()).await.unwrap();
    let store: Arc<dyn Store> = Arc::new(store);
    store.migrate().await.unwrap();
    let ids = district::load(store.as_ref()).await;
    let mut app = TestApp::bare(
        wuyu_web::router(Arc::clone(&store), wuyu_web::WebSettings::default()),
        store,
        TempDir::new(),
    );
    app.ids = ids;
    app
}

/// Does a connection of its own get the write lock (no import between BEGIN and COMMIT)?
async fn write_locked(probe: &sqlx::SqlitePool) -> bool {
    let mut conn = probe.acquire().await.unwrap();
    match sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
        Ok(_) => {
            sqlx::query("ROLLBACK").execute(&mut *conn).await.unwrap();
            false
        }
        Err(_) => true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audited_page_answers_while_an_import_holds_the_write_lock() {
    let dir = TempDir::new();
    let app = app_at(&dir).await;
    let s = app.login("district").await;
    let path = format!("/schools/{}/students/{}", app.ids.school_a, app.ids.child);
    page(&app, &path, &s).await;
    let audited = |log: &[wuyu_store::AuditRow]| {
        log.iter()
            .filter(|r| r.entry.action == "read_student" && r.entry.username == "district")
            .count()
    };
    assert_eq!(audited(&app.store.list_audit(100).await.unwrap()), 1);

    // A new school of 30,000 students: an import that holds the lock for a while.
    let code = "3301990088";
    let batch = RosterBatch {
        schools: vec![school(
            code,
            "导入中学",
            Stage::Junior,
            Location::Urban,
            None,
        )],
        classes: (1..=60)
            .map(|c| class(code, 7, &format!("{c}班")))
            .collect(),
        students: (0..30_000)
            .map(|i| {
                student(
                    code,
                    7,
                    &format!("{}班", i % 60 + 1),
                    &format!("{code}2024{i:06}"),
                    "学生",
                    if i % 2 == 0 { Sex::Male } else { Sex::Female },
                    date!(2012 - 03 - 05),
                    None,
                )
            })
            .collect(),
        ..Default::default()
    };
    let store = Arc::clone(&app.store);
    let import = tokio::spawn(async move {
        let meta = ImportMeta {
            username: "importer".into(),
            file_name: "big.csv".into(),
            file_sha256: "4".repeat(64),
            at: 0,
        };
        store.import_roster(&batch, &meta).await
    });
    let probe = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(dir.path().join("wuyu.db"))
                .busy_timeout(Duration::ZERO),
        )
        .await
        .unwrap();
    let wait = Instant::now();
    while !write_locked(&probe).await {
        assert!(!import.is_finished(), "the import ended before it was seen");
        assert!(wait.elapsed() < Duration::from_secs(60));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    let t = Instant::now();
    page(&app, &path, &s).await;
    let took = t.elapsed();
    assert!(
        took < Duration::from_millis(200),
        "{took:?} during the import"
    );
    assert!(
        write_locked(&probe).await && !import.is_finished(),
        "the import was over before the page: inconclusive"
    );
    // Already in the log as read (from the queue), while the import still runs.
    assert_eq!(audited(&app.store.list_audit(100).await.unwrap()), 2);

    import.await.unwrap().unwrap();
    let log = app.store.list_audit(100).await.unwrap();
    assert_eq!(audited(&log), 2, "once, not twice, after the import");
    // The queued entry is moved into audit_log in the background once the lock is free.
    let wait = Instant::now();
    loop {
        let (in_table,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'read_student' AND username = 'district'",
        )
        .fetch_one(&probe)
        .await
        .unwrap();
        if in_table == 2 {
            break;
        }
        assert!(in_table < 2, "moved twice");
        assert!(wait.elapsed() < Duration::from_secs(10), "never moved");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(audited(&app.store.list_audit(100).await.unwrap()), 2);
}
