//! Platform: the district record and the district settings, typed ([`DistrictSettings`]) and
//! checked before they are stored.
use wuyu_domain::District;

use crate::{StoreError, StoreFuture};

pub mod district;

pub use district::DistrictSettings;

/// The district and its settings.
pub trait SettingsStore: Send + Sync {
    fn district(&self) -> StoreFuture<'_, Option<District>>;

    fn set_district<'a>(&'a self, district: &'a District) -> StoreFuture<'a, ()>;

    /// The raw stored value of one setting (`None`: not set, the default applies).
    fn setting<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<String>>;

    /// Stores one setting after checking it ([`district::checked`]): an unknown key or a
    /// value that breaks its rule is [`StoreError::InvalidSetting`] and nothing is stored. The
    /// value is stored normalised (JSON with every field).
    fn set_setting<'a>(&'a self, key: &'a str, value: &'a str) -> StoreFuture<'a, ()>;

    /// Every district setting, typed; defaults for what is not stored (or no longer valid).
    fn district_settings(&self) -> StoreFuture<'_, DistrictSettings> {
        Box::pin(async move {
            let mut stored = Vec::new();
            for key in district::KEYS {
                if let Some(v) = self.setting(key).await? {
                    stored.push((key, v));
                }
            }
            Ok(DistrictSettings::from_stored(
                stored.iter().map(|(k, v)| (*k, v.as_str())),
            ))
        })
    }

    /// Stores every district setting, each checked first; nothing is stored when one fails.
    fn set_district_settings<'a>(&'a self, settings: &'a DistrictSettings) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let pairs = settings.to_stored().map_err(StoreError::InvalidSetting)?;
            for (key, value) in &pairs {
                self.set_setting(key, value).await?;
            }
            Ok(())
        })
    }
}
