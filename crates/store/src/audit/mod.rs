//! Platform: the audit log.

use crate::StoreFuture;
use crate::model::*;

/// The audit log.
pub trait AuditStore: Send + Sync {
    fn append_audit<'a>(&'a self, entry: &'a AuditEntry) -> StoreFuture<'a, ()>;

    fn list_audit(&self, limit: i64) -> StoreFuture<'_, Vec<AuditRow>>;
}
