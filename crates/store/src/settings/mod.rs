//! Platform: the district record and the district settings.
use wuyu_domain::District;

use crate::StoreFuture;

/// The district and its settings.
pub trait SettingsStore: Send + Sync {
    fn district(&self) -> StoreFuture<'_, Option<District>>;

    fn set_district<'a>(&'a self, district: &'a District) -> StoreFuture<'a, ()>;

    fn setting<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<String>>;

    fn set_setting<'a>(&'a self, key: &'a str, value: &'a str) -> StoreFuture<'a, ()>;
}
