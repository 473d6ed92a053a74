//! Editing one indicator of the stored plan in the browser (district admin): its unit, the
//! units it applies to and its yearly targets, written with the audit entry that records the
//! old and new values, in one transaction; and the school sets the district names (学校组).
use std::collections::BTreeMap;

use wuyu_domain::SchoolId;
use wuyu_monitor::plan::PlanIndicator;

use crate::{AuditEntry, StoreFuture};

pub trait PlanEditStore: Send + Sync {
    /// Replaces the unit, kind, scope, units and yearly targets of the stored indicator with
    /// `indicator`'s (its key names it; other fields are kept). `NotFound` without it.
    fn edit_plan_indicator<'a>(
        &'a self,
        indicator: &'a PlanIndicator,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()>;

    /// Replaces the members of the school set `name` (no members: the set is removed).
    fn set_school_set<'a>(
        &'a self,
        name: &'a str,
        members: &'a [SchoolId],
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()>;

    /// The stored school sets with their members (by school id).
    fn school_sets(&self) -> StoreFuture<'_, BTreeMap<String, Vec<SchoolId>>>;
}
