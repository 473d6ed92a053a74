//! AuditStore for both backends (included by `sqlite.rs` and `postgres.rs`).
// Row tuples are spelled out as sqlx reads them, next to the query that selects them.
#![allow(clippy::type_complexity)]

use wuyu_domain::{SchoolId, UserId};

use super::This;
use crate::StoreFuture;
use crate::model::*;
use crate::prelude::*;

impl AuditStore for This {
    fn append_audit<'a>(&'a self, e: &'a AuditEntry) -> StoreFuture<'a, ()> {
        Box::pin(async move {
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
            .execute(&self.pool)
            .await?;
            Ok(())
        })
    }

    fn list_audit(&self, limit: i64) -> StoreFuture<'_, Vec<AuditRow>> {
        Box::pin(async move {
            let rows: Vec<(
                i64,
                i64,
                Option<i64>,
                String,
                String,
                Option<i64>,
                String,
                String,
                String,
            )> = sqlx::query_as(
                "SELECT id, at, user_id, username, action, school_id, entity, detail, ip \
                     FROM audit_log ORDER BY id DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|r| AuditRow {
                    id: r.0,
                    entry: AuditEntry {
                        at: r.1,
                        user_id: r.2.map(UserId),
                        username: r.3,
                        action: r.4,
                        school_id: r.5.map(SchoolId),
                        entity: r.6,
                        detail: r.7,
                        ip: r.8,
                    },
                })
                .collect())
        })
    }
}
