//! The registry of designations and counts (名录): items a school or the district enters with
//! evidence, reviewed by the district. Every write lands with its audit entry in one
//! transaction.
use serde::Serialize;
use wuyu_domain::{SchoolId, Scope};
use wuyu_monitor::plan_registry::RegistryLevel;
use wuyu_monitor::plan_report::ReportStatus;

use crate::plan_report::{Evidence, Review};
use crate::{AuditEntry, StoreFuture};

/// An item as entered.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRegistryItem {
    /// `None`: the district's own item.
    pub school_id: Option<SchoolId>,
    pub kind: String,
    pub level: RegistryLevel,
    /// 名称, e.g. "2024年市级劳动教育特色学校".
    pub title: String,
    /// `YYYY-MM-DD`.
    pub awarded_on: String,
    pub note: String,
    pub evidence: Option<Evidence>,
    /// The district's own entries are approved as they are entered.
    pub approved: bool,
    pub by: String,
    pub at: i64,
}

/// A stored item (the evidence's bytes are read on their own).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegistryItem {
    pub id: i64,
    pub school_id: Option<SchoolId>,
    pub kind: String,
    pub level: RegistryLevel,
    pub title: String,
    pub awarded_on: String,
    pub note: String,
    pub status: ReportStatus,
    /// Why it was returned (empty otherwise).
    pub reason: String,
    pub submitted_by: String,
    pub submitted_at: i64,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<i64>,
    pub evidence_name: Option<String>,
    pub evidence_sha256: Option<String>,
    pub evidence_size: Option<i64>,
}

pub trait PlanRegistryStore: Send + Sync {
    /// Enters an item (待审核, or approved when `approved`); the audit entry's entity is
    /// completed with the new id (`plan_registry:{id}`).
    fn add_registry_item<'a>(
        &'a self,
        item: &'a NewRegistryItem,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, RegistryItem>;

    /// Approves or returns a submitted item. Refused (Chinese) when it is not waiting for
    /// review; `NotFound` without it.
    fn review_registry_item<'a>(
        &'a self,
        id: i64,
        review: &'a Review,
        by: &'a str,
        at: i64,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, RegistryItem>;

    /// The items within `scope` (a school: its own; the district: all), newest first.
    fn registry_items<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, Vec<RegistryItem>>;

    /// An item's evidence file, within `scope`.
    fn registry_evidence<'a>(&'a self, scope: &'a Scope, id: i64) -> StoreFuture<'a, Evidence>;
}
