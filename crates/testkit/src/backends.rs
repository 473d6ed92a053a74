//! The both-backends harness: a fresh SQLite file or PostgreSQL database per test, and the
//! [`story!`](crate::story) macro that runs one story against both. Outside CI a missing
//! PostgreSQL server is an honest skip (a line on stderr); under `CI=true` it fails.
use std::sync::Arc;

use wuyu_store::{PgStore, SqliteStore, Store};

use crate::TempDir;

/// A migrated, empty store that is deleted on drop.
pub struct TempDb {
    pub store: Arc<dyn Store>,
    /// Where the database is (a SQLite URL or a PostgreSQL URL), for a test that must reach
    /// under the store.
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

/// A fresh SQLite database in its own temp dir.
pub async fn sqlite() -> TempDb {
    let dir = TempDir::tagged("store-test");
    let path = dir.join("wuyu.db").to_str().unwrap().to_string();
    let store = SqliteStore::open(&path).await.unwrap();
    store.migrate().await.unwrap();
    TempDb {
        store: Arc::new(store),
        url: format!("sqlite:{path}"),
        cleanup: Some(Box::new(move || drop(dir))),
    }
}

/// Is this a CI run (`CI=true` or `CI=1`)?
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A fresh database on the test server (`WUYU_TEST_PG_URL`), or `None` when no server is
/// configured outside CI.
pub async fn postgres() -> Option<TempDb> {
    let Ok(url) = std::env::var("WUYU_TEST_PG_URL") else {
        assert!(
            !in_ci(),
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
    let db_url = database_url(&url, &name);
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

/// `url` with its database name replaced by `name` (or appended when it has none).
fn database_url(url: &str, name: &str) -> String {
    match url.rfind('/') {
        Some(i) if i > url.find("://").map_or(0, |j| j + 2) => format!("{}/{name}", &url[..i]),
        _ => format!("{url}/{name}"),
    }
}

/// A number no other call in this process returns (for database and file names).
pub fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    t * 1000 + N.fetch_add(1, Ordering::Relaxed)
}

/// Runs one story — an `async fn(&dyn Store)` in scope — against both backends, as two tests
/// `<story>::sqlite` and `<story>::postgres`.
#[macro_export]
macro_rules! story {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::sqlite().await;
                super::$name(db.store.as_ref()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = $crate::postgres().await {
                    super::$name(db.store.as_ref()).await;
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::database_url;

    #[test]
    fn the_database_name_replaces_the_one_in_the_url() {
        assert_eq!(
            database_url("postgres://u@h:5/postgres", "wuyu_t"),
            "postgres://u@h:5/wuyu_t"
        );
        assert_eq!(
            database_url("postgres://u@h:5", "wuyu_t"),
            "postgres://u@h:5/wuyu_t"
        );
    }
}
