//! PlanEditStore for both backends (included by `sqlite.rs` and `postgres.rs`).
use std::collections::BTreeMap;

use wuyu_domain::SchoolId;
use wuyu_monitor::plan::{PlanIndicator, TargetCell};

use super::This;
use crate::backend::corrupt;
use crate::plan_edit::PlanEditStore;
use crate::{AuditEntry, StoreError, StoreFuture};

impl PlanEditStore for This {
    fn edit_plan_indicator<'a>(
        &'a self,
        i: &'a PlanIndicator,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let applies_to =
                serde_json::to_string(&i.applies_to).map_err(|e| corrupt("applies_to", e))?;
            let done = sqlx::query(
                "UPDATE plan_indicator SET unit = $1, kind = $2, scope = $3, applies_to = $4 \
                 WHERE key = $5",
            )
            .bind(&i.unit)
            .bind(i.kind.code())
            .bind(&i.scope)
            .bind(applies_to)
            .bind(&i.key)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            for (&year, cell) in &i.targets {
                let (kind, value, text) = match cell {
                    TargetCell::Empty => ("empty", None, String::new()),
                    TargetCell::Number(x) => ("number", Some(*x), String::new()),
                    TargetCell::Words(w) => ("words", None, w.clone()),
                };
                sqlx::query(
                    "INSERT INTO plan_target (indicator_key, unit, school_year, cell, value, text) \
                     VALUES ($1, '', $2, $3, $4, $5) \
                     ON CONFLICT (indicator_key, unit, school_year) DO UPDATE SET \
                     cell = excluded.cell, value = excluded.value, text = excluded.text",
                )
                .bind(&i.key)
                .bind(i64::from(year))
                .bind(kind)
                .bind(value)
                .bind(text)
                .execute(&mut *tx)
                .await?;
            }
            super::audit::insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn set_school_set<'a>(
        &'a self,
        name: &'a str,
        members: &'a [SchoolId],
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            sqlx::query("DELETE FROM plan_school_set WHERE name = $1")
                .bind(name)
                .execute(&mut *tx)
                .await?;
            for s in members {
                sqlx::query(
                    "INSERT INTO plan_school_set (name, school_id) VALUES ($1, $2) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(name)
                .bind(s.0)
                .execute(&mut *tx)
                .await?;
            }
            super::audit::insert_audit(&mut *tx, audit).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn school_sets(&self) -> StoreFuture<'_, BTreeMap<String, Vec<SchoolId>>> {
        Box::pin(async move {
            let rows: Vec<(String, i64)> = sqlx::query_as(
                "SELECT name, school_id FROM plan_school_set ORDER BY name, school_id",
            )
            .fetch_all(&self.pool)
            .await?;
            let mut sets: BTreeMap<String, Vec<SchoolId>> = BTreeMap::new();
            for (name, id) in rows {
                sets.entry(name).or_default().push(SchoolId(id));
            }
            Ok(sets)
        })
    }
}
