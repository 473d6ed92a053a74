//! The psych audit entries: who read or changed which record, written before the answer.
use wuyu_domain::{PsychToken, SchoolId, Viewer};
use wuyu_store::AuditEntry;

use crate::audit::{Requester, append};
use crate::{Service, ServiceError};

pub(crate) fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Writes one entry; the caller goes on only if it was written.
pub(crate) async fn record(
    svc: &Service,
    who: &Requester,
    action: &str,
    school: Option<SchoolId>,
    entity: String,
    detail: String,
) -> Result<(), ServiceError> {
    append(
        svc,
        &AuditEntry {
            at: now_unix(),
            user_id: who.user_id,
            username: who.username.clone(),
            action: action.to_string(),
            school_id: school,
            entity,
            detail,
            ip: who.ip.clone(),
        },
    )
    .await
}

/// The counsellor's token for `school`, or a refusal that is itself audited.
pub(crate) async fn counsellor(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    what: &str,
) -> Result<PsychToken, ServiceError> {
    match viewer.psych_token(school) {
        Some(t) => Ok(t),
        None => Err(refused(svc, viewer, who, Some(school), what).await),
    }
}

/// Audits a refused psych access and answers Forbidden.
pub(crate) async fn refused(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: Option<SchoolId>,
    what: &str,
) -> ServiceError {
    let detail = format!("role={} refused", viewer.role().code());
    match record(svc, who, "psych_denied", school, what.to_string(), detail).await {
        Ok(()) => ServiceError::Forbidden,
        Err(e) => e,
    }
}
