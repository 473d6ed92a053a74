//! Which school a request is about — one rule for every capability.
use wuyu_domain::{SchoolId, Scope};
use wuyu_store::Store;

use crate::ServiceError;

/// `?school=` for district roles (the school must exist), the caller's own school for
/// everyone else; a school role naming another school is refused. `None`: the whole district.
pub async fn focus_school(
    store: &dyn Store,
    scope: &Scope,
    asked: Option<SchoolId>,
) -> Result<Option<SchoolId>, ServiceError> {
    match (scope, asked) {
        (Scope::District, Some(s)) => {
            store.school(scope, s).await?;
            Ok(Some(s))
        }
        (Scope::District, None) => Ok(None),
        (_, Some(s)) if scope.school_id() != Some(s) => Err(ServiceError::Forbidden),
        _ => Ok(scope.school_id()),
    }
}
