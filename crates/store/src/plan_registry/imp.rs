//! PlanRegistryStore for both backends (included by `sqlite.rs` and `postgres.rs`).
// Row tuples are spelled out as sqlx reads them, next to the query that selects them.
#![allow(clippy::type_complexity)]

use sqlx::AssertSqlSafe;
use wuyu_domain::{SchoolId, Scope};
use wuyu_monitor::plan_registry::RegistryLevel;
use wuyu_monitor::plan_report::ReportStatus;

use super::{Db, This};
use crate::backend::corrupt;
use crate::plan_registry::{NewRegistryItem, PlanRegistryStore, RegistryItem};
use crate::plan_report::{Evidence, Review};
use crate::{AuditEntry, StoreError, StoreFuture};

const ITEM_SELECT: &str = "SELECT id, school_id, kind, level, title, awarded_on, note, status, \
     reason, submitted_by, submitted_at, reviewed_by, reviewed_at, evidence_name, \
     evidence_sha256, evidence_size FROM plan_registry_item";

type ItemTuple = (
    i64,
    Option<i64>,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

fn item_row(r: ItemTuple) -> Result<RegistryItem, StoreError> {
    Ok(RegistryItem {
        id: r.0,
        school_id: r.1.map(SchoolId),
        level: RegistryLevel::from_code(&r.3).ok_or_else(|| corrupt("registry level", &r.3))?,
        status: ReportStatus::from_code(&r.7).ok_or_else(|| corrupt("registry status", &r.7))?,
        kind: r.2,
        title: r.4,
        awarded_on: r.5,
        note: r.6,
        reason: r.8,
        submitted_by: r.9,
        submitted_at: r.10,
        reviewed_by: r.11,
        reviewed_at: r.12,
        evidence_name: r.13,
        evidence_sha256: r.14,
        evidence_size: r.15,
    })
}

async fn one_item(
    tx: &mut sqlx::Transaction<'static, Db>,
    id: i64,
) -> Result<Option<RegistryItem>, StoreError> {
    let row: Option<ItemTuple> =
        sqlx::query_as(AssertSqlSafe(format!("{ITEM_SELECT} WHERE id = $1")))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    row.map(item_row).transpose()
}

/// The audit entry with the item's id in its entity.
fn with_id(audit: &AuditEntry, id: i64) -> AuditEntry {
    AuditEntry {
        entity: format!("plan_registry:{id}"),
        ..audit.clone()
    }
}

impl PlanRegistryStore for This {
    fn add_registry_item<'a>(
        &'a self,
        item: &'a NewRegistryItem,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, RegistryItem> {
        Box::pin(async move {
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let (next,): (i64,) =
                sqlx::query_as("SELECT COALESCE(MAX(id), 0) + 1 FROM plan_registry_item")
                    .fetch_one(&mut *tx)
                    .await?;
            let (status, reviewed_by, reviewed_at) = if item.approved {
                (ReportStatus::Approved, Some(&item.by), Some(item.at))
            } else {
                (ReportStatus::Submitted, None, None)
            };
            let e = item.evidence.as_ref();
            sqlx::query(
                "INSERT INTO plan_registry_item (id, school_id, kind, level, title, awarded_on, \
                 note, status, reason, submitted_by, submitted_at, reviewed_by, reviewed_at, \
                 evidence_name, evidence_type, evidence_sha256, evidence_size, evidence) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', $9, $10, $11, $12, $13, $14, $15, \
                 $16, $17)",
            )
            .bind(next)
            .bind(item.school_id.map(|s| s.0))
            .bind(&item.kind)
            .bind(item.level.code())
            .bind(&item.title)
            .bind(&item.awarded_on)
            .bind(&item.note)
            .bind(status.code())
            .bind(&item.by)
            .bind(item.at)
            .bind(reviewed_by)
            .bind(reviewed_at)
            .bind(e.map(|e| e.name.clone()))
            .bind(e.map(|e| e.content_type.clone()))
            .bind(e.map(|e| e.sha256.clone()))
            .bind(e.map(|e| e.bytes.len() as i64))
            .bind(e.map(|e| e.bytes.clone()))
            .execute(&mut *tx)
            .await?;
            super::audit::insert_audit(&mut *tx, &with_id(audit, next)).await?;
            let row = one_item(&mut tx, next).await?.ok_or(StoreError::NotFound)?;
            tx.commit().await?;
            Ok(row)
        })
    }

    fn review_registry_item<'a>(
        &'a self,
        id: i64,
        review: &'a Review,
        by: &'a str,
        at: i64,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, RegistryItem> {
        Box::pin(async move {
            let _guard = self.write_lock.lock().await;
            let mut tx = self.begin_write().await?;
            let old = one_item(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
            if old.status != ReportStatus::Submitted {
                return Err(StoreError::Refused(format!(
                    "这条名录{}，不在待审核状态",
                    old.status.label_zh()
                )));
            }
            let (status, reason) = match review {
                Review::Approve => (ReportStatus::Approved, ""),
                Review::Return { reason } => (ReportStatus::Returned, reason.as_str()),
            };
            sqlx::query(
                "UPDATE plan_registry_item SET status = $1, reason = $2, reviewed_by = $3, \
                 reviewed_at = $4 WHERE id = $5",
            )
            .bind(status.code())
            .bind(reason)
            .bind(by)
            .bind(at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            super::audit::insert_audit(&mut *tx, &with_id(audit, id)).await?;
            let row = one_item(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
            tx.commit().await?;
            Ok(row)
        })
    }

    fn registry_items<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, Vec<RegistryItem>> {
        Box::pin(async move {
            let school = match scope {
                Scope::District => None,
                Scope::School { school_id } => Some(school_id.0),
                _ => return Err(StoreError::Forbidden),
            };
            let rows: Vec<ItemTuple> = sqlx::query_as(AssertSqlSafe(format!(
                "{ITEM_SELECT} WHERE ($1 IS NULL OR school_id = $1) \
                 ORDER BY awarded_on DESC, id DESC"
            )))
            .bind(school)
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter().map(item_row).collect()
        })
    }

    fn registry_evidence<'a>(&'a self, scope: &'a Scope, id: i64) -> StoreFuture<'a, Evidence> {
        Box::pin(async move {
            let row: Option<(
                Option<i64>,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<Vec<u8>>,
            )> = sqlx::query_as(
                "SELECT school_id, evidence_name, evidence_type, evidence_sha256, evidence \
                 FROM plan_registry_item WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
            let Some((school, name, content_type, sha256, bytes)) = row else {
                return Err(StoreError::NotFound);
            };
            match scope {
                Scope::District => {}
                Scope::School { school_id } if school == Some(school_id.0) => {}
                _ => return Err(StoreError::Forbidden),
            }
            match (name, content_type, sha256, bytes) {
                (Some(name), Some(content_type), Some(sha256), Some(bytes)) => Ok(Evidence {
                    name,
                    content_type,
                    sha256,
                    bytes,
                }),
                _ => Err(StoreError::NotFound),
            }
        })
    }
}
