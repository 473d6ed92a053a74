//! SettingsStore for both backends (included by `sqlite.rs` and `postgres.rs`).

use wuyu_domain::District;

use super::This;
use crate::prelude::*;
use crate::{StoreError, StoreFuture};

impl SettingsStore for This {
    fn district(&self) -> StoreFuture<'_, Option<District>> {
        Box::pin(async move {
            let row: Option<(String, String)> =
                sqlx::query_as("SELECT code, name FROM district WHERE id = 1")
                    .fetch_optional(&self.pool)
                    .await?;
            Ok(row.map(|(code, name)| District { code, name }))
        })
    }

    fn set_district<'a>(&'a self, d: &'a District) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO district (id, code, name) VALUES (1, $1, $2) \
                 ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name",
            )
            .bind(&d.code)
            .bind(&d.name)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
    }

    fn setting<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<String>> {
        Box::pin(async move {
            let row: Option<(String,)> = sqlx::query_as("SELECT value FROM setting WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
            Ok(row.map(|r| r.0))
        })
    }

    fn set_setting<'a>(&'a self, key: &'a str, value: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let value = crate::settings::district::checked(key, value)
                .map_err(StoreError::InvalidSetting)?;
            sqlx::query(
                "INSERT INTO setting (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(&value)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
    }
}
