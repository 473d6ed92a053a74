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

/// Which entries an audit search returns; a field left `None` matches every entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The account, exactly.
    pub username: Option<String>,
    /// The action code, exactly (`read_student_psych`).
    pub action: Option<String>,
    /// The entity or one under it: `student:1:2` finds that student (and `student:1:2:…`),
    /// `class:1` every class of school 1, never `student:1:20`.
    pub entity: Option<String>,
    pub school_id: Option<SchoolId>,
    /// From this instant (Unix seconds), inclusive.
    pub since: Option<i64>,
    /// Before this instant, exclusive.
    pub until: Option<i64>,
    /// Entries older than this id: the next page after one that ended there.
    pub before_id: Option<i64>,
}

impl AuditFilter {
    /// Whether entry `id` passes: the same test the SQL makes, for entries still queued.
    pub fn matches(&self, id: i64, e: &AuditEntry) -> bool {
        self.username.as_ref().is_none_or(|u| *u == e.username)
            && self.action.as_ref().is_none_or(|a| *a == e.action)
            && self.entity.as_ref().is_none_or(|p| {
                e.entity == *p
                    || e.entity
                        .strip_prefix(p.as_str())
                        .is_some_and(|rest| rest.starts_with(':'))
            })
            && self.school_id.is_none_or(|s| e.school_id == Some(s))
            && self.since.is_none_or(|t| e.at >= t)
            && self.until.is_none_or(|t| e.at < t)
            && self.before_id.is_none_or(|b| id < b)
    }
}

/// The audit log.
pub trait AuditStore: Send + Sync {
    fn append_audit<'a>(&'a self, entry: &'a AuditEntry) -> StoreFuture<'a, ()>;

    /// The newest `limit` entries.
    fn list_audit(&self, limit: i64) -> StoreFuture<'_, Vec<AuditRow>>;

    /// The newest `limit` entries that pass `filter`, newest first.
    fn search_audit<'a>(
        &'a self,
        filter: &'a AuditFilter,
        limit: i64,
    ) -> StoreFuture<'a, Vec<AuditRow>>;
}
