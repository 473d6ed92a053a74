//! AuditStore for both backends (included by `sqlite.rs` and `postgres.rs`).

use sqlx::AssertSqlSafe;

use super::This;
use crate::audit::{AUDIT_SELECT, AuditFilter, AuditTuple, audit_row};
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
/// after the log's last id, in the order they will get there (all of them, so a number stays
/// the same whatever the filter: the next page starts where the last one ended).
pub(crate) async fn with_queued(
    store: &This,
    rows: Vec<AuditRow>,
    keep: impl Fn(i64, &AuditEntry) -> bool,
    limit: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    let queued: Vec<AuditEntry> = store.pending_audit().await?;
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
        .filter(|r| keep(r.id, &r.entry))
        .collect();
    out.extend(rows);
    out.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(out)
}

/// The WHERE clause of `filter` with its values in placeholder order (`$1` is the limit).
fn where_of(filter: &AuditFilter) -> (String, Vec<Bound>) {
    let mut conds: Vec<String> = Vec::new();
    let mut binds: Vec<Bound> = Vec::new();
    let mut add = |cond: &dyn Fn(usize) -> String, v: Bound| {
        conds.push(cond(binds.len() + 2));
        binds.push(v);
    };
    if let Some(u) = &filter.username {
        add(&|n| format!("username = ${n}"), Bound::Text(u.clone()));
    }
    if let Some(a) = &filter.action {
        add(&|n| format!("action = ${n}"), Bound::Text(a.clone()));
    }
    if let Some(p) = &filter.entity {
        // The entity or one under it (`student:1:2` and `student:1:2:…`, not `student:1:20`),
        // without LIKE: `_` and `%` in an entity are ordinary characters.
        add(
            &|n| format!("(entity = ${n} OR substr(entity, 1, length(${n}) + 1) = ${n} || ':')"),
            Bound::Text(p.clone()),
        );
    }
    if let Some(s) = filter.school_id {
        add(&|n| format!("school_id = ${n}"), Bound::Int(s.0));
    }
    if let Some(t) = filter.since {
        add(&|n| format!("at >= ${n}"), Bound::Int(t));
    }
    if let Some(t) = filter.until {
        add(&|n| format!("at < ${n}"), Bound::Int(t));
    }
    if let Some(b) = filter.before_id {
        add(&|n| format!("id < ${n}"), Bound::Int(b));
    }
    let clause = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    (clause, binds)
}

/// A value bound to a filter's placeholder.
enum Bound {
    Text(String),
    Int(i64),
}

impl AuditStore for This {
    fn append_audit<'a>(&'a self, e: &'a AuditEntry) -> StoreFuture<'a, ()> {
        Box::pin(self.append_audit_entry(e))
    }

    fn list_audit(&self, limit: i64) -> StoreFuture<'_, Vec<AuditRow>> {
        Box::pin(async move { self.search(&AuditFilter::default(), limit).await })
    }

    fn search_audit<'a>(
        &'a self,
        filter: &'a AuditFilter,
        limit: i64,
    ) -> StoreFuture<'a, Vec<AuditRow>> {
        Box::pin(self.search(filter, limit))
    }
}

impl This {
    async fn search(&self, filter: &AuditFilter, limit: i64) -> Result<Vec<AuditRow>, StoreError> {
        self.settle_audit().await;
        // A move committing between reading the log and the queue would hide its entries
        // from this one listing: read again when the mark moved meanwhile.
        let mark = || async {
            let m: Result<(i64,), _> = sqlx::query_as("SELECT moved_upto FROM audit_queue_mark")
                .fetch_one(&self.pool)
                .await;
            m.map(|m| m.0).unwrap_or(0)
        };
        let (clause, binds) = where_of(filter);
        let sql = format!("{AUDIT_SELECT}{clause} ORDER BY id DESC LIMIT $1");
        for _ in 0..3 {
            let before = mark().await;
            let mut q = sqlx::query_as::<_, AuditTuple>(AssertSqlSafe(sql.clone())).bind(limit);
            for b in &binds {
                q = match b {
                    Bound::Text(t) => q.bind(t.clone()),
                    Bound::Int(i) => q.bind(*i),
                };
            }
            let rows: Vec<AuditRow> = q
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(audit_row)
                .collect();
            let listed = with_queued(self, rows, |id, e| filter.matches(id, e), limit).await?;
            if mark().await == before {
                return Ok(listed);
            }
        }
        Err(StoreError::Conflict("audit log moving; try again".into()))
    }
}
