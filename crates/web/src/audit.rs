//! Building audit entries. Writes go through `Store::append_audit`; a sensitive read whose
//! audit row cannot be written fails rather than showing unaudited data.
use wuyu_domain::User;
use wuyu_service::store_types::AuditEntry;

use crate::auth::now_unix;

/// An entry for `action` by `user` (or an anonymous `username`, e.g. a failed sign-in) from
/// `ip`; callers fill in school, entity and detail.
pub(crate) fn entry(user: Option<&User>, username: &str, action: &str, ip: &str) -> AuditEntry {
    AuditEntry {
        at: now_unix(),
        user_id: user.map(|u| u.id),
        username: user.map_or_else(|| username.to_string(), |u| u.username.clone()),
        action: action.to_string(),
        school_id: None,
        entity: String::new(),
        detail: String::new(),
        ip: ip.to_string(),
    }
}
