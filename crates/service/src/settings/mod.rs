//! 区级设置 (district settings): the typed settings, validated by the store on write.
use wuyu_domain::{AdminToken, District};
use wuyu_store::{DistrictSettings, StoreError};

use crate::{Service, ServiceError};

pub async fn district_settings(svc: &Service) -> Result<DistrictSettings, ServiceError> {
    Ok(svc.store().district_settings().await?)
}

/// Writes every setting; an invalid value is refused and nothing is written.
pub async fn set_district_settings(
    svc: &Service,
    _admin: AdminToken,
    settings: &DistrictSettings,
) -> Result<(), ServiceError> {
    svc.store()
        .set_district_settings(settings)
        .await
        .map_err(|e| match e {
            StoreError::InvalidSetting(_) => ServiceError::BadRequest(e.to_string()),
            other => other.into(),
        })
}

/// The district's own record (its name), if set up.
pub async fn district(svc: &Service) -> Result<Option<District>, ServiceError> {
    Ok(svc.store().district().await?)
}
