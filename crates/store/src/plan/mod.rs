//! The plan (任务分解表): indicator definitions and yearly targets, district reference data.
//! An import replaces the whole plan in one transaction.
use serde::{Deserialize, Serialize};
use wuyu_monitor::plan::Plan;

use crate::{ImportMeta, StoreFuture};

/// What a plan import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanImportSummary {
    pub import_id: i64,
    pub indicators: u64,
    /// Computed indicators (the rest are reported).
    pub computed: u64,
    /// Target cells with a number or words (empty cells are not counted).
    pub targets: u64,
    /// Indicators of the previous plan that the new one no longer has.
    pub removed: u64,
}

pub trait PlanStore: Send + Sync {
    /// The stored plan (empty before any import).
    fn plan(&self) -> StoreFuture<'_, Plan>;

    /// Replaces the plan with `plan` and records the import, in one transaction.
    fn replace_plan<'a>(
        &'a self,
        plan: &'a Plan,
        meta: &'a ImportMeta,
    ) -> StoreFuture<'a, PlanImportSummary>;
}
