//! Platform: undoing the last import of a kind (issue 10). Every roster, fitness, exam-score
//! and exam-item import journals the rows it is about to overwrite (migrations 17 and 24: one
//! `*_undo` table per journaled table, and `import_touch` naming each school and part it
//! wrote); an undo puts the journaled rows back, removes what the import added, recomputes
//! what is derived from them, and marks the import undone, in one transaction with its audit
//! entry.
use serde::Serialize;
use wuyu_domain::Scope;

use crate::StoreFuture;
use crate::model::AuditEntry;

/// What an undo did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UndoSummary {
    pub import_id: i64,
    /// `import_record.kind` of the undone import.
    pub kind: String,
    /// Rows the import had written (or changed) that were taken out.
    pub removed: u64,
    /// Rows put back as they were before the import.
    pub restored: u64,
}

/// Undoing imports.
pub trait ImportUndoStore: Send + Sync {
    /// Undoes import `import_id`: restores every row it replaced and removes every row it
    /// added, recomputes the rollups or statistics built from them, marks the import (and its
    /// upload) undone and writes `audit`, all or nothing. `NotFound` for no such import;
    /// `Forbidden` when it wrote to a school outside `scope` (a school's admin undoes only
    /// their school's imports); `Refused` (a Chinese reason, nothing changed) when it was
    /// undone already, left no journal (one from before migration 17, or a roster import from
    /// before migration 24), a later import not undone wrote the same data, or (roster) other
    /// data or an account already refers to a row the import added.
    fn undo_import<'a>(
        &'a self,
        scope: &'a Scope,
        import_id: i64,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, UndoSummary>;
}
