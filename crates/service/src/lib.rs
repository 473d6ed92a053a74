//! The use cases of wuyu, between the edges (`web`, `cli`) and the parts (`store`, `ingest`,
//! `report`, `monitor`): imports (bytes and a file name in, an outcome with counts and row
//! errors out), the read models that pages, API routes, XLSX exports and PDF sections render,
//! accounts and typed district settings.
//!
//! One module per capability, each the same shape: its read models (format-neutral: numbers,
//! not strings), the functions that build them for a [`Viewer`](wuyu_domain::Viewer), its
//! imports and exports, and its indicator source. A page, its API twin and its export call the
//! same function here, so they show the same numbers.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod archive;
pub mod audit;
pub mod bulletin;
mod error;
pub mod exam;
pub mod export;
pub mod file;
pub mod fitness;
pub mod focus;
pub mod import;
pub mod import_centre;
pub mod indicators;
pub mod plan;
pub mod psych;
pub mod ranks;
mod read_cache;
pub mod roster;
pub mod settings;
pub mod staff;
pub mod store_types;
pub mod survey;

use std::sync::Arc;

pub use error::ServiceError;
use wuyu_store::Store;

/// Everything the use cases need: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Service {
    store: Arc<dyn Store>,
    /// Read models kept while the data they were computed from is unchanged.
    cache: Arc<read_cache::ReadCache>,
    /// Held uploads read and checked in the background (the import centre's previews).
    readings: Arc<import_centre::Readings>,
}

impl Service {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            cache: Arc::default(),
            readings: Arc::default(),
        }
    }

    /// The store, for the use cases here and for tests that set up data; the edges call the
    /// use cases instead (`web` does not depend on the store).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }
}
