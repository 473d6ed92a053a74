//! PsychScaleStore for both backends (included by `sqlite.rs` and `postgres.rs`).
use wuyu_domain::Scope;

use super::This;
use crate::psych::scales::*;
use crate::{StoreError, StoreFuture};

const SELECT: &str = "SELECT s.code, s.version, s.name, s.source_version, s.definition, s.sha256, \
     s.licence, s.loaded_by, s.loaded_at, \
     (SELECT COUNT(*) FROM psych_campaign c \
      WHERE c.custom_scale_code = s.code AND c.custom_scale_version = s.version) \
     FROM psych_scale s";

type Row = (
    String,
    i32,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
);

fn version(r: Row) -> ScaleVersion {
    ScaleVersion {
        code: r.0,
        version: r.1,
        name: r.2,
        source_version: r.3,
        definition: r.4,
        sha256: r.5,
        licence: r.6,
        loaded_by: r.7,
        loaded_at: r.8,
        campaigns: r.9,
    }
}

impl PsychScaleStore for This {
    fn load_scale<'a>(
        &'a self,
        scope: &'a Scope,
        s: &'a NewScaleVersion,
    ) -> StoreFuture<'a, ScaleLoad> {
        Box::pin(async move {
            if *scope != Scope::District {
                return Err(StoreError::Forbidden);
            }
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let same: Option<(i32,)> =
                sqlx::query_as("SELECT version FROM psych_scale WHERE code = $1 AND sha256 = $2")
                    .bind(&s.code)
                    .bind(&s.sha256)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some((v,)) = same {
                tx.rollback().await?;
                return Ok(ScaleLoad::Unchanged(v));
            }
            let (v,): (i32,) = sqlx::query_as(
                "INSERT INTO psych_scale (code, version, name, source_version, definition, \
                 sha256, licence, loaded_by, loaded_at) \
                 SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4, $5, $6, $7, $8 \
                 FROM psych_scale WHERE code = $1 RETURNING version",
            )
            .bind(&s.code)
            .bind(&s.name)
            .bind(&s.source_version)
            .bind(&s.definition)
            .bind(&s.sha256)
            .bind(&s.licence)
            .bind(&s.loaded_by)
            .bind(s.loaded_at)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(ScaleLoad::Added(v))
        })
    }

    fn scales<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, Vec<ScaleVersion>> {
        Box::pin(async move {
            if !matches!(scope, Scope::District | Scope::Counsellor { .. }) {
                return Err(StoreError::Forbidden);
            }
            let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT} ORDER BY s.code, s.version DESC"
            )))
            .fetch_all(&self.pool)
            .await?;
            Ok(rows.into_iter().map(version).collect())
        })
    }

    fn scale_version<'a>(&'a self, code: &'a str, v: i32) -> StoreFuture<'a, Option<ScaleVersion>> {
        Box::pin(async move {
            let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE s.code = $1 AND s.version = $2"
            )))
            .bind(code)
            .bind(v)
            .fetch_optional(&self.pool)
            .await?;
            Ok(row.map(version))
        })
    }
}
