//! PlanStore for both backends (included by `sqlite.rs` and `postgres.rs`).
// Row tuples are spelled out as sqlx reads them, next to the query that selects them.
#![allow(clippy::type_complexity)]

use std::collections::BTreeMap;

use wuyu_monitor::indicator::{Comparator, IndicatorKey};
use wuyu_monitor::plan::{Domain, Plan, PlanIndicator, TargetCell, UnitKind};

use super::This;
use crate::backend::{corrupt, now_unix};
use crate::plan::{PlanImportSummary, PlanStore};
use crate::{ImportMeta, StoreFuture};

impl PlanStore for This {
    fn plan(&self) -> StoreFuture<'_, Plan> {
        Box::pin(async move {
            let rows: Vec<(
                String,
                String,
                String,
                String,
                String,
                String,
                String,
                Option<String>,
                String,
                String,
                String,
                String,
                String,
                Option<i64>,
            )> = sqlx::query_as(
                "SELECT key, name, unit, kind, comparator, scope, applies_to, measure, \
                 data_to_compute, seed_file, seed_phrase, note, domain, min_n \
                 FROM plan_indicator ORDER BY position",
            )
            .fetch_all(&self.pool)
            .await?;
            let targets: Vec<(String, i64, String, Option<f64>, String)> = sqlx::query_as(
                "SELECT indicator_key, school_year, cell, value, text FROM plan_target \
                 WHERE unit = '' ORDER BY indicator_key, school_year",
            )
            .fetch_all(&self.pool)
            .await?;
            let mut by_key: BTreeMap<String, BTreeMap<i32, TargetCell>> = BTreeMap::new();
            let mut years = std::collections::BTreeSet::new();
            for (key, year, cell, value, text) in targets {
                let year = i32::try_from(year).map_err(|e| corrupt("plan_target year", e))?;
                let cell = match (cell.as_str(), value) {
                    ("empty", _) => TargetCell::Empty,
                    ("number", Some(v)) => TargetCell::Number(v),
                    ("words", _) => TargetCell::Words(text),
                    _ => return Err(corrupt("plan_target", format!("{key} {year}: {cell}"))),
                };
                years.insert(year);
                by_key.entry(key).or_default().insert(year, cell);
            }
            let mut plan = Plan {
                years: years.into_iter().collect(),
                indicators: Vec::with_capacity(rows.len()),
            };
            for r in rows {
                let (key, name, unit, kind, cmp, scope, applies_to, measure) =
                    (r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7);
                let bad = |what: &str| corrupt("plan_indicator", format!("{key}: {what}"));
                let domain = Domain::parse(&r.12).ok_or_else(|| bad(&r.12))?;
                let min_n =
                    r.13.map(u32::try_from)
                        .transpose()
                        .map_err(|e| bad(&e.to_string()))?;
                plan.indicators.push(PlanIndicator {
                    targets: by_key.remove(&key).unwrap_or_default(),
                    kind: UnitKind::from_code(&kind).ok_or_else(|| bad(&kind))?,
                    comparator: Comparator::parse(&cmp).ok_or_else(|| bad(&cmp))?,
                    applies_to: serde_json::from_str(&applies_to)
                        .map_err(|e| bad(&e.to_string()))?,
                    measure: measure.map(IndicatorKey),
                    key,
                    name,
                    unit,
                    scope,
                    data_to_compute: r.8,
                    seed_file: r.9,
                    seed_phrase: r.10,
                    note: r.11,
                    domain,
                    min_n,
                });
            }
            Ok(plan)
        })
    }

    fn replace_plan<'a>(
        &'a self,
        plan: &'a Plan,
        meta: &'a ImportMeta,
    ) -> StoreFuture<'a, PlanImportSummary> {
        Box::pin(async move {
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let before: Vec<(String,)> = sqlx::query_as("SELECT key FROM plan_indicator")
                .fetch_all(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM plan_target")
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM plan_indicator")
                .execute(&mut *tx)
                .await?;
            let mut summary = PlanImportSummary {
                indicators: plan.indicators.len() as u64,
                removed: before
                    .iter()
                    .filter(|(k,)| plan.indicator(k).is_none())
                    .count() as u64,
                ..PlanImportSummary::default()
            };
            for (position, i) in plan.indicators.iter().enumerate() {
                let applies_to =
                    serde_json::to_string(&i.applies_to).map_err(|e| corrupt("applies_to", e))?;
                sqlx::query(
                    "INSERT INTO plan_indicator (key, position, name, unit, kind, comparator, \
                     scope, applies_to, measure, data_to_compute, seed_file, seed_phrase, note, domain, \
                     min_n) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                )
                .bind(&i.key)
                .bind(position as i64)
                .bind(&i.name)
                .bind(&i.unit)
                .bind(i.kind.code())
                .bind(i.comparator.code())
                .bind(&i.scope)
                .bind(applies_to)
                .bind(i.measure.as_ref().map(|m| m.as_str()))
                .bind(&i.data_to_compute)
                .bind(&i.seed_file)
                .bind(&i.seed_phrase)
                .bind(&i.note)
                .bind(i.domain.code())
                .bind(i.min_n.map(i64::from))
                .execute(&mut *tx)
                .await?;
                summary.computed += u64::from(i.measure.is_some());
                for (&year, cell) in &i.targets {
                    let (kind, value, text) = match cell {
                        TargetCell::Empty => ("empty", None, String::new()),
                        TargetCell::Number(x) => ("number", Some(*x), String::new()),
                        TargetCell::Words(w) => ("words", None, w.clone()),
                    };
                    summary.targets += u64::from(kind != "empty");
                    sqlx::query(
                        "INSERT INTO plan_target (indicator_key, unit, school_year, cell, value, \
                         text) VALUES ($1, '', $2, $3, $4, $5)",
                    )
                    .bind(&i.key)
                    .bind(i64::from(year))
                    .bind(kind)
                    .bind(value)
                    .bind(text)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            let json = serde_json::to_string(&summary).map_err(|e| corrupt("import summary", e))?;
            let (import_id,): (i64,) = sqlx::query_as(
                "INSERT INTO import_record (at, username, kind, file_name, file_sha256, records, \
                 summary) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(if meta.at == 0 { now_unix() } else { meta.at })
            .bind(&meta.username)
            .bind("plan")
            .bind(&meta.file_name)
            .bind(&meta.file_sha256)
            .bind(summary.indicators as i64)
            .bind(json)
            .fetch_one(&mut *tx)
            .await?;
            summary.import_id = import_id;
            tx.commit().await?;
            Ok(summary)
        })
    }
}
