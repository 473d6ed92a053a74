//! The embedded SQLite backend: the capability implementations (one copy of the code each,
//! written against [`This`]) instantiated for [`SqliteStore`], and what only SQLite does.
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use tokio::sync::Mutex;
use wuyu_domain::Exam;

use crate::StoreError;
use crate::backend::{CHUNK, corrupt};
use crate::exam::rows::*;
use crate::migrate::{self, Migration};
use sqlx::AssertSqlSafe;

pub(crate) type This = SqliteStore;
pub(crate) type Db = sqlx::Sqlite;
pub(crate) const BACKEND: &str = "sqlite";
/// SQLite binds anonymous `?` placeholders in multi-row inserts (see
/// [`crate::backend::multi_row_insert`]).
pub(crate) const NUMBERED_PARAMS: bool = false;
/// OR ROLLBACK ends the whole transaction on a constraint failure (an import is all or nothing
/// anyway), so the student INSERTs need no statement journal either.
pub(crate) const INSERT: &str = "INSERT OR ROLLBACK";

#[path = "accounts/imp.rs"]
mod accounts;
#[path = "archive/imp.rs"]
mod archive;
#[path = "audit/imp.rs"]
mod audit;
#[path = "bulletin/imp.rs"]
mod bulletin;
#[path = "exam/imp.rs"]
mod exam;
#[path = "exam/candidates.rs"]
mod exam_candidates;
#[path = "exam/load.rs"]
mod exam_load;
#[path = "exam/write.rs"]
mod exam_write;
#[path = "fitness/imp.rs"]
mod fitness;
#[path = "import_centre/imp.rs"]
mod import_centre;
#[path = "import_undo/imp.rs"]
mod import_undo;
#[path = "plan/imp.rs"]
mod plan;
#[path = "plan_edit/imp.rs"]
mod plan_edit;
#[path = "plan_report/imp.rs"]
mod plan_report;
#[path = "psych/imp.rs"]
mod psych;
#[path = "psych_work/imp.rs"]
mod psych_work;
#[path = "roster/imp.rs"]
mod roster;
#[path = "settings/imp.rs"]
mod settings;
#[path = "staff/imp.rs"]
mod staff;
#[path = "store_imp.rs"]
mod store_imp;
#[path = "survey/imp.rs"]
mod survey;

/// The embedded default: one SQLite file in WAL mode with foreign keys on.
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
    /// SQLite has one writer; imports also take this lock so they queue instead of failing
    /// with SQLITE_BUSY.
    pub(crate) write_lock: Mutex<()>,
}

impl SqliteStore {
    pub async fn open(url_or_path: &str) -> Result<Self, StoreError> {
        let opts = if url_or_path.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url_or_path)?
        } else {
            SqliteConnectOptions::new().filename(url_or_path)
        }
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(30))
        // 64 MiB page cache per connection (the default is 2 MiB): bulk imports update three
        // indexes in 学籍号 order, and a small cache turns that into disk reads.
        .pragma("cache_size", "-65536")
        .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await?;
        Ok(Self {
            pool,
            write_lock: Mutex::new(()),
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    fn migrations() -> &'static [Migration] {
        migrate::SQLITE
    }

    /// Foreign keys are checked at commit instead of per statement: every row was resolved
    /// against the snapshot already, and per-statement checks make SQLite keep a statement
    /// journal (a copy of every page each multi-row INSERT touches).
    pub(crate) async fn prepare_bulk(
        tx: &mut sqlx::Transaction<'static, Db>,
    ) -> Result<(), StoreError> {
        sqlx::query("PRAGMA defer_foreign_keys = ON")
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// IMMEDIATE takes the write lock up front, so the snapshot an import reads cannot change
    /// before it writes.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Db>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }
}

impl SqliteStore {
    /// Inserts the marks (sorted in primary-key order, so each run is one school and subject):
    /// multi-row VALUES with anonymous placeholders, the subject bound once per statement.
    pub(crate) async fn exam_write_marks(
        tx: &mut sqlx::Transaction<'static, Db>,
        exam: &Exam,
        import_id: i64,
        rows: &[ScoreW],
    ) -> Result<(), StoreError> {
        let mut start = 0;
        while start < rows.len() {
            let first = &rows[start];
            let mut end = start + 1;
            while end < rows.len()
                && end - start < CHUNK
                && rows[end].subject == first.subject
                && rows[end].school_id == first.school_id
            {
                end += 1;
            }
            let chunk = &rows[start..end];
            let mut sql = format!(
                "INSERT INTO exam_score (school_id, exam_id, subject, student_id, class_id, \
                 absent, score, item_points, import_id) \
                 SELECT column1, {}, ?, column2, column3, column4, column5, column6, {import_id} \
                 FROM (VALUES ",
                exam.id.0
            );
            for k in 0..chunk.len() {
                sql.push_str(if k == 0 {
                    "(?,?,?,?,?,?)"
                } else {
                    ",(?,?,?,?,?,?)"
                });
            }
            sql.push(')');
            let mut q = sqlx::query(AssertSqlSafe(sql)).bind(&exam.subjects[first.subject].name);
            for r in chunk {
                q = q
                    .bind(r.school_id)
                    .bind(r.student_id)
                    .bind(r.class_id)
                    .bind(r.absent)
                    .bind(r.score)
                    .bind(&r.item_points);
            }
            q.execute(&mut **tx).await?;
            start = end;
        }
        Ok(())
    }

    /// The batch's students: one JSON array of 学籍号 looked up through the 学籍号 index
    /// (CROSS JOIN keeps the array as the outer loop), one aggregated text back.
    pub(crate) async fn exam_lookup_students(
        conn: &mut sqlx::SqliteConnection,
        nos: &[&str],
    ) -> Result<Option<String>, StoreError> {
        let list = serde_json::to_string(nos).map_err(|e| corrupt("student numbers", e))?;
        let row: (Option<String>,) = sqlx::query_as(
            "SELECT string_agg(s.student_no || ' ' || CAST(s.school_id AS TEXT) || ' ' || \
               CAST(s.id AS TEXT) || ' ' || CAST(s.class_id AS TEXT), ',') \
             FROM json_each($1) j CROSS JOIN student s ON s.student_no = j.value",
        )
        .bind(list)
        .fetch_one(&mut *conn)
        .await?;
        Ok(row.0)
    }
}
