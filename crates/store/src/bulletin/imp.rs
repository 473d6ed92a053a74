//! BulletinStore for both backends (included by `sqlite.rs` and `postgres.rs`).
// Row tuples are spelled out as sqlx reads them, next to the query that selects them.
#![allow(clippy::type_complexity)]

use wuyu_monitor::indicator::Verdict;

use super::This;
use crate::StoreFuture;
use crate::backend::corrupt;
use crate::bulletin::{BulletinStore, NewSnapshot, SnapshotLine, SnapshotMonth};

/// The verdict's stable code, as its serde name (`not_met`).
fn verdict_code(v: Verdict) -> Result<String, crate::StoreError> {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        other => Err(corrupt("verdict", format!("{other:?}"))),
    }
}

fn verdict_of(code: &str) -> Result<Verdict, crate::StoreError> {
    serde_json::from_value(serde_json::Value::String(code.to_string()))
        .map_err(|e| corrupt("plan_snapshot verdict", e))
}

impl BulletinStore for This {
    fn save_snapshot<'a>(&'a self, snap: NewSnapshot<'a>, replace: bool) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            if replace {
                sqlx::query("DELETE FROM plan_snapshot WHERE month = $1")
                    .bind(snap.month)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM plan_snapshot_month WHERE month = $1")
                    .bind(snap.month)
                    .execute(&mut *tx)
                    .await?;
            }
            let header = sqlx::query(
                "INSERT INTO plan_snapshot_month (month, plan_year, taken_at, taken_by, lines) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (month) DO NOTHING",
            )
            .bind(snap.month)
            .bind(i64::from(snap.plan_year))
            .bind(snap.taken_at)
            .bind(snap.taken_by)
            .bind(snap.lines.len() as i64)
            .execute(&mut *tx)
            .await?;
            if header.rows_affected() == 0 {
                // Another request took this month's snapshot first.
                return Ok(false);
            }
            for l in snap.lines {
                sqlx::query(
                    "INSERT INTO plan_snapshot (school_id, month, indicator_key, unit_kind, \
                     unit_label, verdict, value, value_text, target, n, gap, as_of) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )
                .bind(l.school_id.unwrap_or(0))
                .bind(snap.month)
                .bind(&l.key)
                .bind(&l.unit_kind)
                .bind(&l.unit_label)
                .bind(verdict_code(l.verdict)?)
                .bind(l.value)
                .bind(&l.value_text)
                .bind(&l.target)
                .bind(l.n.map(|n| n as i64))
                .bind(l.gap)
                .bind(&l.as_of)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    fn snapshot_months(&self) -> StoreFuture<'_, Vec<SnapshotMonth>> {
        Box::pin(async move {
            let rows: Vec<(String, i64, i64, String, i64)> = sqlx::query_as(
                "SELECT month, plan_year, taken_at, taken_by, lines FROM plan_snapshot_month \
                 ORDER BY month",
            )
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(|(month, year, taken_at, taken_by, lines)| {
                    Ok(SnapshotMonth {
                        month,
                        plan_year: i32::try_from(year)
                            .map_err(|e| corrupt("plan_snapshot_month year", e))?,
                        taken_at,
                        taken_by,
                        lines: lines.max(0) as u64,
                    })
                })
                .collect()
        })
    }

    fn snapshot_lines<'a>(
        &'a self,
        from: &'a str,
        to: &'a str,
        key: Option<&'a str>,
    ) -> StoreFuture<'a, Vec<(String, SnapshotLine)>> {
        Box::pin(async move {
            let rows: Vec<(
                String,
                String,
                String,
                i64,
                String,
                String,
                Option<f64>,
                String,
                String,
                Option<i64>,
                Option<f64>,
                Option<String>,
            )> = sqlx::query_as(
                "SELECT month, indicator_key, unit_kind, school_id, unit_label, verdict, value, \
                 value_text, target, n, gap, as_of FROM plan_snapshot \
                 WHERE month >= $1 AND month <= $2 AND ($3 IS NULL OR indicator_key = $3) \
                 ORDER BY month, indicator_key, school_id, unit_kind, unit_label",
            )
            .bind(from)
            .bind(to)
            .bind(key)
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(|r| {
                    Ok((
                        r.0,
                        SnapshotLine {
                            key: r.1,
                            unit_kind: r.2,
                            school_id: (r.3 != 0).then_some(r.3),
                            unit_label: r.4,
                            verdict: verdict_of(&r.5)?,
                            value: r.6,
                            value_text: r.7,
                            target: r.8,
                            n: r.9.map(|n| n.max(0) as u64),
                            gap: r.10,
                            as_of: r.11,
                        },
                    ))
                })
                .collect()
        })
    }
}
