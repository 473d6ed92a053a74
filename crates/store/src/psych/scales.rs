//! District-supplied scale definitions (modules.md §3): versions of a licensed instrument's
//! definition, loaded by the district under its own licence. A version never changes once
//! stored, since scores were computed with it; a campaign pins one version.
use serde::Serialize;
use wuyu_domain::Scope;

use crate::StoreFuture;

/// A definition to store: the JSON exactly as the district gave it, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewScaleVersion {
    pub code: String,
    pub name: String,
    /// The version text inside the file.
    pub source_version: String,
    pub definition: String,
    pub sha256: String,
    pub licence: String,
    pub loaded_by: String,
    pub loaded_at: i64,
}

/// One stored version of a district scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScaleVersion {
    pub code: String,
    pub version: i32,
    pub name: String,
    pub source_version: String,
    pub definition: String,
    pub sha256: String,
    pub licence: String,
    pub loaded_by: String,
    pub loaded_at: i64,
    /// Campaigns that name this version (it can then never be deleted).
    pub campaigns: i64,
}

/// What a load did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "version", rename_all = "snake_case")]
pub enum ScaleLoad {
    /// A new version was stored (1 for a new code).
    Added(i32),
    /// The same content is already stored as this version: nothing written.
    Unchanged(i32),
}

impl ScaleLoad {
    pub fn version(self) -> i32 {
        match self {
            ScaleLoad::Added(v) | ScaleLoad::Unchanged(v) => v,
        }
    }
}

/// Storage of district scale definitions.
pub trait PsychScaleStore: Send + Sync {
    /// Stores the next version of `s.code`, unless a version with the same SHA-256 exists.
    /// Only the district scope may load ([`crate::StoreError::Forbidden`] otherwise).
    fn load_scale<'a>(
        &'a self,
        scope: &'a Scope,
        s: &'a NewScaleVersion,
    ) -> StoreFuture<'a, ScaleLoad>;

    /// Every version, by code, newest version first: the district and counsellors.
    fn scales<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, Vec<ScaleVersion>>;

    /// One version, to score answers with (a definition holds no personal data; the student's
    /// answer form reads it without an account). `None` when it does not exist.
    fn scale_version<'a>(
        &'a self,
        code: &'a str,
        version: i32,
    ) -> StoreFuture<'a, Option<ScaleVersion>>;
}

/// A campaign's custom scale: the code and the pinned version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ScaleRef {
    pub code: String,
    pub version: i32,
}

/// The answers to a campaign's custom scale, scored at write with the pinned version; kept in
/// the response's stored JSON next to the built-in answers.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct CustomAnswers {
    pub scale: ScaleRef,
    /// `answers[i]` is item i + 1; `None` unanswered.
    pub answers: Vec<Option<i32>>,
    pub result: wuyu_standards::scales::CustomResult,
}
