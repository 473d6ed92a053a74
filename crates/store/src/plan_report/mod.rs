//! Reported indicators (填报): a value per plan indicator, unit and school year with evidence,
//! its review (approve / return with a reason) and the school year's lock. Every write lands
//! with its audit entry in one transaction.
use serde::Serialize;
use wuyu_domain::{SchoolId, Scope};
use wuyu_monitor::plan::UnitKind;
use wuyu_monitor::plan_report::{DueRule, ReportStatus};

use crate::{AuditEntry, StoreFuture};

/// An evidence file as stored: its name, media type, SHA-256 and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub name: String,
    pub content_type: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
}

/// A value entered for a reported target.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReport {
    /// `None`: the district's own line.
    pub school_id: Option<SchoolId>,
    pub indicator_key: String,
    pub school_year: i32,
    /// In the indicator's unit as the plan writes it (a rate in percent).
    pub value: f64,
    pub note: String,
    /// A resubmission without a file keeps the file already stored.
    pub evidence: Option<Evidence>,
    /// An approved value may be replaced: a quarterly or monthly target's value is refreshed
    /// each period (the service decides from the due rule).
    pub refresh_approved: bool,
    pub by: String,
    pub at: i64,
}

/// A stored report (the evidence's bytes are read on their own).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRow {
    pub school_id: Option<SchoolId>,
    pub indicator_key: String,
    pub school_year: i32,
    pub value: f64,
    pub note: String,
    pub status: ReportStatus,
    /// Why it was returned (empty otherwise).
    pub reason: String,
    pub submitted_by: String,
    pub submitted_at: i64,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<i64>,
    pub evidence_name: Option<String>,
    pub evidence_sha256: Option<String>,
    pub evidence_size: Option<i64>,
}

/// The district's decision on a submitted report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Review {
    Approve,
    Return { reason: String },
}

impl Review {
    /// The decision as forms and the API send it: `approve`, or `return` with its reason.
    pub fn from_decision(decision: &str, reason: String) -> Option<Review> {
        match decision {
            "approve" => Some(Review::Approve),
            "return" => Some(Review::Return { reason }),
            _ => None,
        }
    }

    /// The state the reviewed entry is in afterwards (`approved` or `returned`).
    pub fn outcome(&self) -> &'static str {
        match self {
            Review::Approve => "approved",
            Review::Return { .. } => "returned",
        }
    }
}

/// A locked school year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodLock {
    pub school_year: i32,
    pub reason: String,
    pub locked_by: String,
    pub locked_at: i64,
}

/// A locked school year reopened for one school.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reopen {
    pub school_year: i32,
    pub school_id: SchoolId,
    pub reason: String,
    pub reopened_by: String,
    pub reopened_at: i64,
}

/// An approved value as the indicator registry reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ApprovedValue {
    pub value: f64,
    /// The indicator's unit kind in the stored plan (a rate is read in percent).
    pub kind: UnitKind,
    pub approved_at: i64,
}

pub trait PlanReportStore: Send + Sync {
    /// Enters (or re-enters, after a return or before review) a value: status 待审核. Refused
    /// (`StoreError::Refused`, Chinese) when the school year is locked or the value is already
    /// approved.
    fn submit_plan_report<'a>(
        &'a self,
        report: &'a NewReport,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ReportRow>;

    /// Approves or returns a submitted report. Refused when the year is locked or the report
    /// is not waiting for review; `NotFound` without such a report.
    #[allow(clippy::too_many_arguments)]
    fn review_plan_report<'a>(
        &'a self,
        school_id: Option<SchoolId>,
        indicator_key: &'a str,
        school_year: i32,
        review: &'a Review,
        by: &'a str,
        at: i64,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ReportRow>;

    /// Locks a school year (refused when it is locked already).
    fn lock_plan_period<'a>(
        &'a self,
        lock: &'a PeriodLock,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()>;

    fn plan_period_lock(&self, school_year: i32) -> StoreFuture<'_, Option<PeriodLock>>;

    /// Reopens a locked school year for one school: it may enter and correct values (an
    /// approved one too) until closed again. Refused when the year is not locked or the school
    /// is already reopened.
    fn reopen_plan_period<'a>(
        &'a self,
        reopen: &'a Reopen,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()>;

    /// Closes a school's reopening again (`NotFound` when it is not reopened).
    fn close_plan_reopen<'a>(
        &'a self,
        school_year: i32,
        school_id: SchoolId,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()>;

    /// The schools a locked school year is reopened for.
    fn plan_period_reopens(&self, school_year: i32) -> StoreFuture<'_, Vec<Reopen>>;

    /// Sets a reported indicator's due rule.
    fn set_plan_due<'a>(
        &'a self,
        indicator_key: &'a str,
        rule: DueRule,
        audit: &'a AuditEntry,
    ) -> StoreFuture<'a, ()>;

    /// The due rules set (indicators without one are due yearly by default).
    fn plan_due_rules(&self) -> StoreFuture<'_, Vec<(String, DueRule)>>;

    /// The reports of a school year within `scope` (a school: its own; the district: all).
    fn plan_reports<'a>(
        &'a self,
        scope: &'a Scope,
        school_year: i32,
    ) -> StoreFuture<'a, Vec<ReportRow>>;

    /// A report's evidence file, within `scope`.
    fn plan_report_evidence<'a>(
        &'a self,
        scope: &'a Scope,
        school_id: Option<SchoolId>,
        indicator_key: &'a str,
        school_year: i32,
    ) -> StoreFuture<'a, Evidence>;

    /// The approved value of a reported indicator for a unit and school year, if any.
    fn approved_plan_value<'a>(
        &'a self,
        indicator_key: &'a str,
        school_id: Option<SchoolId>,
        school_year: i32,
    ) -> StoreFuture<'a, Option<ApprovedValue>>;
}
