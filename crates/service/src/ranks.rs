//! Whether a caller sees ranks — one rule for every capability: the role's grant
//! ([`Viewer::ranks_token`]) and the district's `hide_ranks` setting off.
use wuyu_domain::{RanksToken, Viewer};

use crate::{Service, ServiceError};

/// Whether the district has hidden every rank (the typed `hide_ranks` setting).
pub async fn ranks_hidden(svc: &Service) -> Result<bool, ServiceError> {
    Ok(svc.store().district_settings().await?.hide_ranks)
}

/// The ranks token when this caller may see ranks now; `None` otherwise.
pub async fn ranks_token(
    svc: &Service,
    viewer: &Viewer,
) -> Result<Option<RanksToken>, ServiceError> {
    let Some(token) = viewer.ranks_token() else {
        return Ok(None);
    };
    Ok((!ranks_hidden(svc).await?).then_some(token))
}

/// The ranks token for students' ranks (班级/年级名次): the rank rule above, and the
/// district's `show_student_ranks` on (off by default: the plans forbid 考试排名).
pub async fn student_ranks_token(
    svc: &Service,
    viewer: &Viewer,
) -> Result<Option<RanksToken>, ServiceError> {
    let Some(token) = viewer.ranks_token() else {
        return Ok(None);
    };
    let settings = svc.store().district_settings().await?;
    Ok((!settings.hide_ranks && settings.show_student_ranks).then_some(token))
}
