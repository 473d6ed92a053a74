//! Fixtures of the store's story tests (`stories.rs`, `exams.rs`, `exam_speed.rs`): a fresh
//! SQLite file or PostgreSQL database per story, and the `story!` macro that runs a story
//! against both. Under `CI=true` a missing PostgreSQL fails the PostgreSQL half instead of
//! skipping it.
#![allow(dead_code)]
use std::sync::Arc;

use wuyu_domain::{Origin, SchoolCode};
use wuyu_store::{ImportMeta, PgStore, SqliteStore, Store};

pub struct TempDb {
    pub store: Arc<dyn Store>,
    /// Where the database is (a SQLite file path or a PostgreSQL URL), for a test that must
    /// reach under the store.
    pub url: String,
    cleanup: Option<Box<dyn FnOnce() + Send>>,
}

impl Drop for TempDb {
    fn drop(&mut self) {
        if let Some(f) = self.cleanup.take() {
            f();
        }
    }
}

pub async fn sqlite() -> TempDb {
    let dir = std::env::temp_dir().join(format!(
        "wuyu-store-test-{}-{}",
        std::process::id(),
        unique()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("wuyu.db").to_str().unwrap().to_string();
    let store = SqliteStore::open(&path).await.unwrap();
    store.migrate().await.unwrap();
    TempDb {
        store: Arc::new(store),
        url: format!("sqlite:{path}"),
        cleanup: Some(Box::new(move || {
            let _ = std::fs::remove_dir_all(dir);
        })),
    }
}

/// A fresh database on the test server, or `None` when no server is configured outside CI.
pub async fn postgres() -> Option<TempDb> {
    let Ok(url) = std::env::var("WUYU_TEST_PG_URL") else {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(
            !ci,
            "CI=true but WUYU_TEST_PG_URL is not set: PostgreSQL tests must run in CI"
        );
        eprintln!("WUYU_TEST_PG_URL not set: skipping the PostgreSQL half");
        return None;
    };
    let name = format!("wuyu_test_{}_{}", std::process::id(), unique());
    let admin = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .unwrap();
    let db_url = match url.rfind('/') {
        Some(i) if i > url.find("://").map_or(0, |j| j + 2) => format!("{}/{name}", &url[..i]),
        _ => format!("{url}/{name}"),
    };
    let store = PgStore::connect(&db_url).await.unwrap();
    store.migrate().await.unwrap();
    let pool = store.pool().clone();
    Some(TempDb {
        store: Arc::new(store),
        url: db_url,
        cleanup: Some(Box::new(move || {
            // Drop the database from a fresh runtime thread: Drop cannot await.
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    pool.close().await;
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&admin)
                    .await;
                });
            })
            .join()
            .unwrap();
        })),
    })
}

pub fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    t * 1000 + N.fetch_add(1, Ordering::Relaxed)
}

/// Runs one story against both backends.
#[allow(unused_macros)]
macro_rules! story {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = super::sqlite().await;
                super::$name(db.store.as_ref()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = super::postgres().await {
                    super::$name(db.store.as_ref()).await;
                }
            }
        }
    };
}

pub fn o(sheet: &str, row: u32) -> Origin {
    Origin {
        sheet: sheet.into(),
        row,
    }
}

pub fn code(s: &str) -> SchoolCode {
    SchoolCode::parse(s).unwrap()
}

pub fn meta(file: &str) -> ImportMeta {
    ImportMeta {
        username: "tester".into(),
        file_name: file.into(),
        file_sha256: "ab".repeat(32),
        at: 1_700_000_000,
    }
}
