//! 审计日志 (audit): appending finished entries, recording bulk exports and listing the latest.
//! The edge builds an entry (it knows the client address); a sensitive read whose entry cannot
//! be written fails.
use wuyu_domain::{AdminToken, SchoolId, User, UserId};
use wuyu_store::{AuditEntry, AuditRow};

use crate::{Service, ServiceError};

pub async fn append(svc: &Service, entry: &AuditEntry) -> Result<(), ServiceError> {
    Ok(svc.store().append_audit(entry).await?)
}

/// The latest `limit` entries, newest first: the whole district's log, so admins only.
pub async fn list(
    svc: &Service,
    _admin: AdminToken,
    limit: i64,
) -> Result<Vec<AuditRow>, ServiceError> {
    Ok(svc.store().list_audit(limit).await?)
}

/// Who asks for an export, as the audit log names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requester {
    pub user_id: Option<UserId>,
    pub username: String,
    /// The client address; `cli` for the operator at the command line.
    pub ip: String,
}

impl Requester {
    /// A signed-in account from `ip`.
    pub fn user(user: &User, ip: &str) -> Self {
        Self {
            user_id: Some(user.id),
            username: user.username.clone(),
            ip: ip.to_string(),
        }
    }

    /// The operator at the command line, by the name they give (or their OS user).
    pub fn operator(name: &str) -> Self {
        Self {
            user_id: None,
            username: name.to_string(),
            ip: "cli".into(),
        }
    }
}

/// One bulk export of student data: what (`action`), the scope it covers (`school`, `entity`)
/// and how many rows it hands out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkExport {
    pub action: &'static str,
    pub school: Option<SchoolId>,
    pub entity: String,
    /// Anything else that names the data (a term, an exam), before the row count.
    pub detail: String,
    pub rows: usize,
}

/// The detail text of an export's entry: `… rows=N`, so the audit page (and a reviewer's
/// query) reads how much was handed out.
pub fn export_detail(detail: &str, rows: usize) -> String {
    if detail.is_empty() {
        format!("rows={rows}")
    } else {
        format!("{detail} rows={rows}")
    }
}

/// Writes the entry of `export` by `who`. Callers hand the file out only after this succeeds:
/// an export that cannot be audited is not made.
pub async fn record_export(
    svc: &Service,
    who: &Requester,
    export: &BulkExport,
) -> Result<(), ServiceError> {
    let entry = AuditEntry {
        at: now_unix(),
        user_id: who.user_id,
        username: who.username.clone(),
        action: export.action.to_string(),
        school_id: export.school,
        entity: export.entity.clone(),
        detail: export_detail(&export.detail, export.rows),
        ip: who.ip.clone(),
    };
    append(svc, &entry).await
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_row_count_ends_the_detail() {
        assert_eq!(export_detail("", 3), "rows=3");
        assert_eq!(
            export_detail("term=2025-autumn", 30),
            "term=2025-autumn rows=30"
        );
    }
}
