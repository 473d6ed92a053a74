//! 审计日志 (audit): appending finished entries and listing the latest. The edge builds an
//! entry (it knows the client address); a sensitive read whose entry cannot be written fails.
use wuyu_domain::AdminToken;
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
