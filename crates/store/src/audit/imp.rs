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

impl AuditStore for This {
    fn append_audit<'a>(&'a self, e: &'a AuditEntry) -> StoreFuture<'a, ()> {
        Box::pin(insert_audit(&self.pool, e))
    }

    fn list_audit(&self, limit: i64) -> StoreFuture<'_, Vec<AuditRow>> {
        Box::pin(async move {
            let rows: Vec<AuditTuple> = sqlx::query_as(AssertSqlSafe(format!(
                "{AUDIT_SELECT} ORDER BY id DESC LIMIT $1"
            )))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
            Ok(rows.into_iter().map(audit_row).collect())
        })
    }
}
