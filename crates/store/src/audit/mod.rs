//! Platform: the audit log.

use wuyu_domain::{SchoolId, UserId};

use crate::StoreFuture;
use crate::model::*;

/// The audit log's columns as every reader selects them (`… FROM audit_log WHERE …`).
pub(crate) const AUDIT_SELECT: &str =
    "SELECT id, at, user_id, username, action, school_id, entity, detail, ip FROM audit_log";

/// One row of [`AUDIT_SELECT`] as sqlx reads it.
pub(crate) type AuditTuple = (
    i64,
    i64,
    Option<i64>,
    String,
    String,
    Option<i64>,
    String,
    String,
    String,
);

pub(crate) fn audit_row(r: AuditTuple) -> AuditRow {
    AuditRow {
        id: r.0,
        entry: AuditEntry {
            at: r.1,
            user_id: r.2.map(UserId),
            username: r.3,
            action: r.4,
            school_id: r.5.map(SchoolId),
            entity: r.6,
            detail: r.7,
            ip: r.8,
        },
    }
}

/// The audit log.
pub trait AuditStore: Send + Sync {
    fn append_audit<'a>(&'a self, entry: &'a AuditEntry) -> StoreFuture<'a, ()>;

    fn list_audit(&self, limit: i64) -> StoreFuture<'_, Vec<AuditRow>>;
}
