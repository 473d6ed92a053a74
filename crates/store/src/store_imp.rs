//! The supertrait's own methods for both backends.

use sqlx::AssertSqlSafe;

use super::{BACKEND, This};
use crate::StoreFuture;
use crate::backend::*;
use crate::prelude::*;

impl Store for This {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    fn data_version(&self) -> StoreFuture<'_, Option<u64>> {
        Box::pin(self.read_data_version())
    }

    fn migrate(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            sqlx::query(crate::migrate::CREATE_TABLE)
                .execute(&self.pool)
                .await?;
            let done: Vec<(i64,)> = sqlx::query_as("SELECT version FROM schema_migration")
                .fetch_all(&self.pool)
                .await?;
            for m in Self::migrations() {
                if done.iter().any(|d| d.0 == m.version) {
                    continue;
                }
                let mut tx = self.pool.begin().await?;
                sqlx::raw_sql(AssertSqlSafe(m.sql))
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO schema_migration (version, name, applied_at) \
                     VALUES ($1, $2, $3)",
                )
                .bind(m.version)
                .bind(m.name)
                .bind(now_unix())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                tracing::info!(version = m.version, name = m.name, "applied migration");
            }
            self.after_migrate().await
        })
    }
}
