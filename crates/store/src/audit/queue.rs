//! SQLite's audit queue (issue 16). SQLite has one writer: while an import holds the write lock
//! (seconds to minutes), a sensitive read could not write its audit entry and would wait for
//! the import, or fail after the busy timeout. Instead, such an entry goes to a second SQLite
//! file beside the database (`<db>-audit-queue`, WAL, its own lock, written in well under a
//! millisecond) and is moved into `audit_log` as soon as the write lock is free.
//!
//! Nothing is lost or repeated across a crash: an entry is committed to the queue file before
//! the page is answered, and the move inserts the entries and advances `audit_queue_mark` in
//! one transaction of the main database; the queue rows at or below the mark are deleted
//! afterwards, and any left over by a crash are skipped by the mark. Readers of the log
//! (`list_audit`, the break-glass review) show the entries still queued as well.
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use tokio::sync::Mutex;
use wuyu_domain::{SchoolId, UserId};

use super::audit::insert_audit;
use crate::StoreError;
use crate::model::AuditEntry;

/// Queue columns in the order of [`QueueTuple`].
const QUEUE_SELECT: &str =
    "SELECT id, at, user_id, username, action, school_id, entity, detail, ip FROM audit_queue";

type QueueTuple = (
    i64,
    i64,
    Option<i64>,
    String,
    String,
    Option<i64>,
    String,
    String,
    String,
);

fn entry(r: QueueTuple) -> (i64, AuditEntry) {
    (
        r.0,
        AuditEntry {
            at: r.1,
            user_id: r.2.map(UserId),
            username: r.3,
            action: r.4,
            school_id: r.5.map(SchoolId),
            entity: r.6,
            detail: r.7,
            ip: r.8,
        },
    )
}

pub(crate) struct AuditQueue {
    pool: SqlitePool,
    /// A background move is waiting for the write lock (at most one needed at a time).
    move_scheduled: AtomicBool,
    /// Entries may be queued: a direct write moves them first, so the log keeps its order.
    maybe_pending: AtomicBool,
}

/// The queue file of the database at `db`.
pub(crate) fn queue_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-audit-queue");
    PathBuf::from(name)
}

impl AuditQueue {
    pub(crate) async fn open(db: &Path) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::new()
            .filename(queue_path(db))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // As the main database: a committed entry survives the process being killed.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(opts)
            .await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS audit_queue (\
             id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, user_id INTEGER, \
             username TEXT NOT NULL, action TEXT NOT NULL, school_id INTEGER, \
             entity TEXT NOT NULL, detail TEXT NOT NULL, ip TEXT NOT NULL)",
        )
        .execute(&pool)
        .await?;
        Ok(Self {
            pool,
            move_scheduled: AtomicBool::new(false),
            maybe_pending: AtomicBool::new(true),
        })
    }

    /// Commits `e` to the queue file.
    pub(crate) async fn push(&self, e: &AuditEntry) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_queue (at, user_id, username, action, school_id, entity, detail, ip) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(e.at)
        .bind(e.user_id.map(|u| u.0))
        .bind(&e.username)
        .bind(&e.action)
        .bind(e.school_id.map(|s| s.0))
        .bind(&e.entity)
        .bind(&e.detail)
        .bind(&e.ip)
        .execute(&self.pool)
        .await?;
        self.maybe_pending.store(true, Ordering::SeqCst);
        Ok(())
    }

    pub(crate) fn maybe_pending(&self) -> bool {
        self.maybe_pending.load(Ordering::SeqCst)
    }

    /// Entries not yet moved into `audit_log`, newest first.
    pub(crate) async fn pending(
        &self,
        main: &SqlitePool,
    ) -> Result<Vec<(i64, AuditEntry)>, StoreError> {
        // Not skipped on `maybe_pending`: a move clears it before its commit.
        let (mark,): (i64,) = sqlx::query_as("SELECT moved_upto FROM audit_queue_mark")
            .fetch_one(main)
            .await?;
        let rows: Vec<QueueTuple> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{QUEUE_SELECT} WHERE id > $1 ORDER BY id DESC"
        )))
        .bind(mark)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(entry).collect())
    }

    /// Moves the queued entries into `audit_log` through `conn` (a connection of the main
    /// database; the caller holds the process's write lock). Returns how many were moved.
    pub(crate) async fn move_into(
        &self,
        conn: &mut sqlx::SqliteConnection,
    ) -> Result<usize, StoreError> {
        // Cleared before reading: an entry pushed from here on sets it again.
        self.maybe_pending.store(false, Ordering::SeqCst);
        let result = self.move_locked(conn).await;
        if result.is_err() {
            self.maybe_pending.store(true, Ordering::SeqCst);
        }
        result
    }

    async fn move_locked(&self, conn: &mut sqlx::SqliteConnection) -> Result<usize, StoreError> {
        use sqlx::Connection;
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        let (mark,): (i64,) = sqlx::query_as("SELECT moved_upto FROM audit_queue_mark")
            .fetch_one(&mut *tx)
            .await?;
        let rows: Vec<QueueTuple> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{QUEUE_SELECT} WHERE id > $1 ORDER BY id"
        )))
        .bind(mark)
        .fetch_all(&self.pool)
        .await?;
        let Some(last) = rows.last().map(|r| r.0) else {
            tx.rollback().await?;
            return Ok(0);
        };
        let n = rows.len();
        for (_, e) in rows.into_iter().map(entry) {
            insert_audit(&mut *tx, &e).await?;
        }
        sqlx::query("UPDATE audit_queue_mark SET moved_upto = $1")
            .bind(last)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        // Housekeeping only: rows at or below the mark are never moved again.
        if let Err(e) = sqlx::query("DELETE FROM audit_queue WHERE id <= $1")
            .bind(last)
            .execute(&self.pool)
            .await
        {
            tracing::warn!(error = %e, "audit queue: moved entries not yet deleted");
        }
        tracing::debug!(moved = n, "audit queue moved into the audit log");
        Ok(n)
    }

    /// A queue file that was deleted or replaced starts its ids at 1 again, below the mark:
    /// such entries would be skipped. Start the ids above the mark instead.
    pub(crate) async fn keep_ids_above_mark(&self, main: &SqlitePool) -> Result<(), StoreError> {
        let (mark,): (i64,) = sqlx::query_as("SELECT moved_upto FROM audit_queue_mark")
            .fetch_one(main)
            .await?;
        let (max,): (i64,) = sqlx::query_as(
            "SELECT MAX(COALESCE((SELECT MAX(id) FROM audit_queue), 0), \
             COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit_queue'), 0))",
        )
        .fetch_one(&self.pool)
        .await?;
        if max < mark {
            tracing::warn!(mark, max, "audit queue ids restart above the moved mark");
            let mut tx = self.pool.begin().await?;
            sqlx::query("DELETE FROM sqlite_sequence WHERE name = 'audit_queue'")
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO sqlite_sequence (name, seq) VALUES ('audit_queue', $1)")
                .bind(mark)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(())
    }
}

/// Moves the queue in the background once the write lock is free (one task at a time; a failed
/// move is retried, and anything left is moved at the next start).
pub(crate) fn schedule_move(queue: &Arc<AuditQueue>, main: &SqlitePool, lock: &Arc<Mutex<()>>) {
    if queue.move_scheduled.swap(true, Ordering::SeqCst) {
        return;
    }
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        queue.move_scheduled.store(false, Ordering::SeqCst);
        return;
    };
    let (queue, main, lock) = (Arc::clone(queue), main.clone(), Arc::clone(lock));
    rt.spawn(async move {
        for attempt in 0..120 {
            let moved = {
                let _guard = lock.lock().await;
                queue.move_scheduled.store(false, Ordering::SeqCst);
                match main.acquire().await {
                    Ok(mut conn) => queue.move_into(&mut conn).await,
                    Err(e) => Err(e.into()),
                }
            };
            match moved {
                Ok(_) => return,
                Err(e) => {
                    tracing::warn!(error = %e, attempt, "audit queue: move failed, retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    });
}

/// SQLITE_BUSY or SQLITE_LOCKED (any extended code): another writer holds the lock.
pub(crate) fn is_busy(e: &StoreError) -> bool {
    match e {
        StoreError::Db(sqlx::Error::Database(d)) => d
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            .is_some_and(|c| matches!(c & 0xff, 5 | 6)),
        _ => false,
    }
}
