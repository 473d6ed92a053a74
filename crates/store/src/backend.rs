//! The two backends. Their SQL is the same text (both accept `$1` placeholders), so each capability's
//! implementation file, included by `sqlite.rs` and `postgres.rs`, writes the `Store` implementation for each pool type; what differs (connection
//! set-up, migrations, how a write transaction starts) lives in each type's inherent impl.
//! This is not the `Any` driver: each backend is its own concrete, fully typed sqlx pool.
use std::sync::Arc;

pub use crate::postgres::PgStore;
pub use crate::sqlite::SqliteStore;
use crate::{Store, StoreError};

/// Rows per multi-row INSERT: 1,000 rows × ≤ 9 columns stays under SQLite's 32,766 and
/// PostgreSQL's 65,535 bind parameters.
pub(crate) const CHUNK: usize = 1000;

/// Rows per multi-row fitness upsert: 500 rows × 51 columns = 25,500 bind parameters.
pub(crate) const FITNESS_CHUNK: usize = 500;

/// Opens the store a URL names: `postgres://…` or `postgresql://…` for PostgreSQL, anything
/// else (`sqlite://path`, `sqlite:path` or a plain file path) for SQLite. Does not migrate.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url).await?))
    } else {
        Ok(Arc::new(SqliteStore::open(url).await?))
    }
}

pub(crate) fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// `INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)…` for `rows` rows of `cols` columns, or
/// with anonymous `?` placeholders when `numbered` is false. SQLite needs the anonymous form
/// here: it finds a numbered parameter's name by a linear scan, which makes binding thousands
/// of `$n` parameters quadratic (measured: 7,000 rows/s with `$n`).
pub(crate) fn multi_row_insert(
    head: &str,
    cols: usize,
    rows: usize,
    tail: &str,
    numbered: bool,
) -> String {
    let mut s = String::with_capacity(head.len() + rows * cols * 7 + tail.len());
    s.push_str(head);
    s.push_str(" VALUES ");
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push(',');
            }
            if numbered {
                n += 1;
                s.push('$');
                s.push_str(&n.to_string());
            } else {
                s.push('?');
            }
        }
        s.push(')');
    }
    s.push_str(tail);
    s
}

pub(crate) fn map_unique(e: sqlx::Error, what: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict(what.to_string())
        }
        _ => StoreError::Db(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_row_insert_numbers_every_placeholder() {
        assert_eq!(
            multi_row_insert(
                "INSERT INTO t (a, b)",
                2,
                2,
                " ON CONFLICT DO NOTHING",
                true
            ),
            "INSERT INTO t (a, b) VALUES ($1,$2),($3,$4) ON CONFLICT DO NOTHING"
        );
        assert_eq!(
            multi_row_insert("INSERT INTO t (a)", 1, 3, "", false),
            "INSERT INTO t (a) VALUES (?),(?),(?)"
        );
    }
}
