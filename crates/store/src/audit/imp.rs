//! AuditStore for both backends (included by `sqlite.rs` and `postgres.rs`).

use sqlx::AssertSqlSafe;

use super::This;
use crate::audit::{AUDIT_SELECT, AuditTuple, audit_row};
use crate::model::*;
use crate::prelude::*;
use crate::{StoreError, StoreFuture};

/// Writes `e` through `ex`: the pool, or the transaction of a workflow step whose audit entry
/// must land with it (both or neither).
pub(crate) async fn insert_audit<'c, E>(ex: E, e: &AuditEntry) -> Result<(), StoreError>
where
    E: sqlx::Executor<'c, Database = super::Db>,
{
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, username, action, school_id, entity, detail, ip) \
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
    .execute(ex)
    .await?;
    Ok(())
}

/// `rows` (of `audit_log`, newest first) under the entries still queued that `keep` accepts
/// (SQLite during an import, see `audit/queue.rs`), at most `limit`. Queued entries are numbered
/// after the log's last id, in the order they will get there.
pub(crate) async fn with_queued(
    store: &This,
    rows: Vec<AuditRow>,
    keep: impl Fn(&AuditEntry) -> bool,
    limit: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    let queued: Vec<AuditEntry> = store
        .pending_audit()
        .await?
        .into_iter()
        .filter(|e| keep(e))
        .collect();
    if queued.is_empty() {
        return Ok(rows);
    }
    let (last,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM audit_log")
        .fetch_one(&store.pool)
        .await?;
    let n = queued.len() as i64;
    let mut out: Vec<AuditRow> = queued
        .into_iter()
        .enumerate()
        .map(|(k, entry)| AuditRow {
            id: last.unwrap_or(0) + n - k as i64,
            entry,
        })
        .collect();
    out.extend(rows);
    out.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(out)
}

impl AuditStore for This {
    fn append_audit<'a>(&'a self, e: &'a AuditEntry) -> StoreFuture<'a, ()> {
        Box::pin(self.append_audit_entry(e))
    }

    fn list_audit(&self, limit: i64) -> StoreFuture<'_, Vec<AuditRow>> {
        Box::pin(async move {
            self.settle_audit().await;
            // A move committing between reading the log and the queue would hide its entries
            // from this one listing: read again when the mark moved meanwhile.
            let mark = || async {
                let m: Result<(i64,), _> =
                    sqlx::query_as("SELECT moved_upto FROM audit_queue_mark")
                        .fetch_one(&self.pool)
                        .await;
                m.map(|m| m.0).unwrap_or(0)
            };
            for _ in 0..3 {
                let before = mark().await;
                let rows: Vec<AuditTuple> = sqlx::query_as(AssertSqlSafe(format!(
                    "{AUDIT_SELECT} ORDER BY id DESC LIMIT $1"
                )))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                let rows: Vec<AuditRow> = rows.into_iter().map(audit_row).collect();
                let listed = with_queued(self, rows, |_| true, limit).await?;
                if mark().await == before {
                    return Ok(listed);
                }
            }
            Err(StoreError::Conflict("audit log moving; try again".into()))
        })
    }
}
