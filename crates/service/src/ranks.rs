//! Whether a caller sees ranks — one rule for every capability: the role's grant
//! ([`Viewer::ranks_token`]) and the district's `hide_ranks` setting off.
use wuyu_domain::{RanksToken, Viewer};

use crate::{Service, ServiceError};

/// The district setting that hides every rank from every role.
pub const HIDE_RANKS: &str = "hide_ranks";

/// The ranks token when this caller may see ranks now; `None` otherwise.
pub async fn ranks_token(
    svc: &Service,
    viewer: &Viewer,
) -> Result<Option<RanksToken>, ServiceError> {
    let Some(token) = viewer.ranks_token() else {
        return Ok(None);
    };
    let hidden = svc.store().setting(HIDE_RANKS).await?;
    Ok((hidden.as_deref().map(str::trim) != Some("true")).then_some(token))
}
