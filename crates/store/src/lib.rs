//! Storage for wuyu: the [`Store`] supertrait (one sub-trait and folder per capability) and its two implementations, SQLite (the embedded
//! default: one file, WAL, foreign keys on) and PostgreSQL (servers), each with its own
//! migrations.
//!
//! Every per-school table has `school_id` in its primary key so the schema shards by school
//! on Citus unchanged. Every read takes the caller's [`Scope`]; a handler never filters by
//! hand. Imports run in one transaction: they land whole or not at all.
#![forbid(unsafe_code)]
// Each capability's backend file is compiled once per backend (`sqlite.rs`, `postgres.rs`),
// on purpose: one copy of the code, two concrete pool types.
#![allow(clippy::duplicate_mod)]

pub mod accounts;
pub mod archive;
pub mod audit;
mod backend;
pub mod bulletin;
mod error;
pub mod exam;
pub mod fitness;
pub mod import_centre;
pub mod import_undo;
mod migrate;
pub mod model;
pub mod plan;
pub mod plan_edit;
pub mod plan_registry;
pub mod plan_report;
mod postgres;
pub mod psych;
pub mod psych_work;
pub mod roster;
pub mod settings;
mod sqlite;
pub mod staff;
pub mod survey;

use std::future::Future;
use std::pin::Pin;

pub use accounts::AccountStore;
pub use archive::ArchiveStore;
pub use audit::{AuditFilter, AuditStore};
pub use backend::{PgStore, SqliteStore, connect};
pub use bulletin::{BulletinStore, NewSnapshot, SnapshotLine, SnapshotMonth};
pub use error::StoreError;
pub use exam::{
    AlertDecision, AlertDecisionKind, Borderline, CandidateImportSummary, CandidateStudent,
    ExamImportSummary, ExamSettings, ExamStore, ExamStudentRow, ExamSummary, ExamUnit,
    ExamUnitFilter, ExamUnitKind, ExamUnitStat, ItemReport, StudentExamRow, StudentMark,
    SubjectStat, TeacherAlert, ValueAddedReport,
};
pub use fitness::{
    ClassFitnessRow, FitnessExemption, FitnessGroupBy, FitnessGroupKey, FitnessImportSummary,
    FitnessItemResult, FitnessItemRow, FitnessItemStat, FitnessRecord, FitnessStore,
    FitnessSummaryRow, FitnessTargets,
};
pub use import_centre::{ImportCentreStore, NewUpload, UploadEntry, UploadResult, UploadStatus};
pub use import_undo::{ImportUndoStore, UndoSummary};
pub use model::*;
pub use plan::{PlanImportSummary, PlanStore};
pub use plan_edit::PlanEditStore;
pub use plan_registry::PlanRegistryStore;
pub use plan_report::PlanReportStore;
pub use psych::PsychStore;
pub use psych::scales::PsychScaleStore;
pub use psych_work::PsychWorkStore;
pub use roster::RosterStore;
pub use settings::{DistrictSettings, SettingsStore};
pub use staff::StaffStore;
pub use survey::{
    ChoiceTally, ClassAnswers, CodeCounts, OpenCode, SchoolAnswers, SurveyCode, SurveyLink,
    SurveyStore, TeacherAnswers, TextAnswer,
};

/// Every capability's store trait, for callers of `Arc<dyn Store>`: `use wuyu_store::prelude::*;`.
pub mod prelude {
    pub use crate::ArchiveStore;
    pub use crate::BulletinStore;
    pub use crate::ImportCentreStore;
    pub use crate::ImportUndoStore;
    pub use crate::PlanEditStore;
    pub use crate::PlanRegistryStore;
    pub use crate::PlanReportStore;
    pub use crate::PlanStore;
    pub use crate::PsychScaleStore;
    pub use crate::PsychWorkStore;
    pub use crate::StaffStore;
    pub use crate::SurveyStore;
    pub use crate::{
        AccountStore, AuditStore, ExamStore, FitnessStore, PsychStore, RosterStore, SettingsStore,
        Store,
    };
}

/// A boxed future, so `Store` can be used as `Arc<dyn Store>`.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Everything wuyu reads and writes: one sub-trait per capability. Reads take the caller's
/// scope and answer [`StoreError::Forbidden`] outside it and [`StoreError::NotFound`] for what
/// does not exist.
pub trait Store:
    RosterStore
    + FitnessStore
    + ExamStore
    + AccountStore
    + AuditStore
    + SettingsStore
    + ImportCentreStore
    + ImportUndoStore
    + SurveyStore
    + PsychStore
    + PsychWorkStore
    + PsychScaleStore
    + PlanStore
    + ArchiveStore
    + StaffStore
    + PlanReportStore
    + PlanRegistryStore
    + PlanEditStore
    + BulletinStore
    + Send
    + Sync
    + 'static
{
    /// "sqlite" or "postgres".
    fn backend(&self) -> &'static str;

    /// Applies the backend's pending migrations.
    fn migrate(&self) -> StoreFuture<'_, ()>;

    /// A number that changes whenever a write to the database commits, from this process or
    /// another: what cached read models are checked against. `None` when the backend has no
    /// such number that is both cheap and exact (read models are then always computed).
    fn data_version(&self) -> StoreFuture<'_, Option<u64>>;
}
