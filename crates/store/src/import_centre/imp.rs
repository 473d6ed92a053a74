//! ImportCentreStore for both backends (included by `sqlite.rs` and `postgres.rs`).
// Row tuples are spelled out as sqlx reads them, next to the query that selects them.
#![allow(clippy::type_complexity)]

use wuyu_domain::{SchoolId, Scope, UserId};

use super::This;
use crate::StoreError;
use crate::StoreFuture;
use crate::import_centre::*;

const COLUMNS: &str = "id, token, kind, params, school_id, user_id, username, file_name, \
     file_sha256, file_size, uploaded_at, expires_at, status, counts, error_count, import_id, \
     finished_at, stage, errors, \
     (SELECT r.journal_dropped_at FROM import_record r WHERE r.id = import_upload.import_id)";

/// A row of [`COLUMNS`] (more columns than sqlx reads into a tuple).
type Row = <super::Db as sqlx::Database>::Row;

fn entry(r: &Row) -> Result<UploadEntry, StoreError> {
    use sqlx::Row as _;
    let id: i64 = r.try_get(0)?;
    let status: String = r.try_get(12)?;
    let status = UploadStatus::from_code(&status)
        .ok_or_else(|| StoreError::Corrupt(format!("import_upload {id}: status {status}")))?;
    Ok(UploadEntry {
        id,
        token: r.try_get(1)?,
        kind: r.try_get(2)?,
        params: r.try_get(3)?,
        school_id: r.try_get::<Option<i64>, _>(4)?.map(SchoolId),
        user_id: UserId(r.try_get(5)?),
        username: r.try_get(6)?,
        file_name: r.try_get(7)?,
        file_sha256: r.try_get(8)?,
        file_size: r.try_get(9)?,
        uploaded_at: r.try_get(10)?,
        expires_at: r.try_get(11)?,
        status,
        counts: r.try_get(13)?,
        error_count: r.try_get(14)?,
        import_id: r.try_get(15)?,
        finished_at: r.try_get(16)?,
        stage: r.try_get(17)?,
        errors: r.try_get(18)?,
        journal_dropped: r.try_get::<Option<i64>, _>(19)?.is_some(),
    })
}

/// An entry with its file (the column after [`COLUMNS`]).
fn with_file(r: &Row) -> Result<(UploadEntry, Vec<u8>), StoreError> {
    use sqlx::Row as _;
    Ok((entry(r)?, r.try_get(20)?))
}

impl ImportCentreStore for This {
    fn hold_upload<'a>(&'a self, u: &'a NewUpload) -> StoreFuture<'a, i64> {
        Box::pin(async move {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO import_upload (token, kind, params, school_id, user_id, username, \
                 file_name, file_sha256, file_size, file, uploaded_at, expires_at, status) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending') \
                 RETURNING id",
            )
            .bind(&u.token)
            .bind(&u.kind)
            .bind(&u.params)
            .bind(u.school_id.map(|s| s.0))
            .bind(u.user_id.0)
            .bind(&u.username)
            .bind(&u.file_name)
            .bind(&u.file_sha256)
            .bind(i64::try_from(u.file.len()).unwrap_or(i64::MAX))
            .bind(&u.file)
            .bind(u.uploaded_at)
            .bind(u.expires_at)
            .fetch_one(&self.pool)
            .await?;
            Ok(id)
        })
    }

    fn held_upload<'a>(
        &'a self,
        token: &'a str,
    ) -> StoreFuture<'a, Option<(UploadEntry, Vec<u8>)>> {
        Box::pin(async move {
            let sql = format!("SELECT {COLUMNS}, file FROM import_upload WHERE token = $1");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(token)
                .fetch_optional(&self.pool)
                .await?;
            row.as_ref().map(with_file).transpose()
        })
    }

    fn claim_upload(&self, id: i64) -> StoreFuture<'_, bool> {
        Box::pin(async move {
            let done = sqlx::query(
                "UPDATE import_upload SET status = 'running', stage = 'read' \
                 WHERE id = $1 AND status = 'pending'",
            )
            .bind(id)
            .execute(&self.pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    fn set_upload_stage<'a>(&'a self, id: i64, stage: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            sqlx::query("UPDATE import_upload SET stage = $1 WHERE id = $2")
                .bind(stage)
                .bind(id)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
    }

    fn finish_upload<'a>(&'a self, id: i64, r: &'a UploadResult) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let done = sqlx::query(
                "UPDATE import_upload SET status = $1, counts = $2, error_count = $3, \
                 import_id = $4, finished_at = $5, stage = '', errors = $7 \
                 WHERE id = $6 AND status = 'running'",
            )
            .bind(r.status.code())
            .bind(&r.counts)
            .bind(r.error_count)
            .bind(r.import_id)
            .bind(r.finished_at)
            .bind(id)
            .bind(&r.errors)
            .execute(&self.pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    fn expire_uploads(&self, now: i64) -> StoreFuture<'_, u64> {
        Box::pin(async move {
            let done = sqlx::query(
                "UPDATE import_upload SET status = 'expired', file = $1, finished_at = $2 \
                 WHERE status = 'pending' AND expires_at < $2",
            )
            .bind(Vec::<u8>::new())
            .bind(now)
            .execute(&self.pool)
            .await?;
            Ok(done.rows_affected())
        })
    }

    fn list_uploads<'a>(
        &'a self,
        scope: &'a Scope,
        limit: i64,
    ) -> StoreFuture<'a, Vec<UploadEntry>> {
        Box::pin(async move {
            let rows: Vec<Row> = match scope {
                Scope::District => {
                    let sql =
                        format!("SELECT {COLUMNS} FROM import_upload ORDER BY id DESC LIMIT $1");
                    sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(limit)
                        .fetch_all(&self.pool)
                        .await?
                }
                Scope::School { school_id } => {
                    let sql = format!(
                        "SELECT {COLUMNS} FROM import_upload WHERE school_id = $1 \
                         ORDER BY id DESC LIMIT $2"
                    );
                    sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(school_id.0)
                        .bind(limit)
                        .fetch_all(&self.pool)
                        .await?
                }
                _ => return Err(StoreError::Forbidden),
            };
            rows.iter().map(entry).collect()
        })
    }

    fn upload_file<'a>(
        &'a self,
        scope: &'a Scope,
        id: i64,
    ) -> StoreFuture<'a, (UploadEntry, Vec<u8>)> {
        Box::pin(async move {
            let sql = format!("SELECT {COLUMNS}, file FROM import_upload WHERE id = $1");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?;
            let (entry, file) = with_file(&row)?;
            let allowed = match scope {
                Scope::District => true,
                Scope::School { school_id } => entry.school_id == Some(*school_id),
                _ => false,
            };
            if !allowed {
                return Err(StoreError::Forbidden);
            }
            Ok((entry, file))
        })
    }
}
