//! Monthly progress (调度): a snapshot per month of every target × unit's verdict, kept so a
//! target's trajectory and a quarter's changes read the numbers as they stood then.
use serde::{Deserialize, Serialize};
pub use wuyu_monitor::bulletin::SnapshotLine;

use crate::StoreFuture;

/// A month that has a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub plan_year: i32,
    pub taken_at: i64,
    pub taken_by: String,
    pub lines: u64,
}

/// One month's snapshot to write.
#[derive(Debug, Clone, Copy)]
pub struct NewSnapshot<'a> {
    pub month: &'a str,
    pub plan_year: i32,
    pub taken_at: i64,
    pub taken_by: &'a str,
    pub lines: &'a [SnapshotLine],
}

pub trait BulletinStore: Send + Sync {
    /// Writes a month's snapshot in one transaction. `replace`: an existing snapshot of the month
    /// is replaced; otherwise it is kept and nothing is written. Returns whether it wrote.
    fn save_snapshot<'a>(&'a self, snap: NewSnapshot<'a>, replace: bool) -> StoreFuture<'a, bool>;

    /// Every month with a snapshot, oldest first.
    fn snapshot_months(&self) -> StoreFuture<'_, Vec<SnapshotMonth>>;

    /// The lines of the months `from..=to` (`YYYY-MM`), optionally of one indicator, as
    /// (month, line), by month then indicator, district units first.
    fn snapshot_lines<'a>(
        &'a self,
        from: &'a str,
        to: &'a str,
        key: Option<&'a str>,
    ) -> StoreFuture<'a, Vec<(String, SnapshotLine)>>;
}
