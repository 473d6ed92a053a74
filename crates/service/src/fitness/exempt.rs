//! 免测 (免予执行): a PE teacher or admin marks a student excused from a term's fitness test,
//! with the reason (an approved exemption, e.g. 因病免测). The student then has no record of
//! the term, leaves every rate's denominator (the standard's 实测人数 excludes them) and the
//! 补测名单; the record removed, if any, is kept in the audit entry. Lifting it puts the
//! student back on the 补测名单.
use time::OffsetDateTime;
use wuyu_domain::{Capability, SchoolId, StudentId, Term, Viewer};
use wuyu_store::{AuditEntry, FitnessExemption};

use crate::audit::Requester;
use crate::{Service, ServiceError};

/// The longest reason kept, in characters.
const REASON_MAX: usize = 200;

fn entry(
    who: &Requester,
    action: &str,
    school: SchoolId,
    student: StudentId,
    detail: String,
) -> AuditEntry {
    AuditEntry {
        at: OffsetDateTime::now_utc().unix_timestamp(),
        user_id: who.user_id,
        username: who.username.clone(),
        action: action.into(),
        school_id: Some(school),
        entity: format!("student:{}", student.0),
        detail,
        ip: who.ip.clone(),
    }
}

/// The student's 免测 of `term`, for the form.
pub async fn exemption(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
    student: StudentId,
    term: Term,
) -> Result<Option<FitnessExemption>, ServiceError> {
    if !viewer.can(Capability::FixFitnessRecords) {
        return Err(ServiceError::Forbidden);
    }
    Ok(svc
        .store()
        .fitness_exemption(&viewer.scope, school, student, term)
        .await?)
}

/// Marks the student 免测 for `term` (audited `exempt_fitness`); `BadRequest` in Chinese
/// for a missing or overlong reason, nothing written then. Returns whether a record of the
/// term was removed.
pub async fn exempt(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    student: StudentId,
    term: Term,
    reason: &str,
) -> Result<bool, ServiceError> {
    if !viewer.can(Capability::FixFitnessRecords) {
        return Err(ServiceError::Forbidden);
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ServiceError::BadRequest(
            "请填写免测原因（如：因病经校医证明免予执行）".into(),
        ));
    }
    if reason.chars().count() > REASON_MAX {
        return Err(ServiceError::BadRequest(format!(
            "免测原因最多 {REASON_MAX} 个字，现有 {} 个字",
            reason.chars().count()
        )));
    }
    let audit = entry(
        who,
        "exempt_fitness",
        school,
        student,
        format!("term={} 免测：{reason}", term.code()),
    );
    Ok(svc
        .store()
        .exempt_fitness(&viewer.scope, school, student, term, reason, &audit)
        .await?)
}

/// Ends the student's 免测 of `term` (audited `lift_fitness_exemption`); `false` when there
/// was none.
pub async fn lift_exemption(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    student: StudentId,
    term: Term,
) -> Result<bool, ServiceError> {
    if !viewer.can(Capability::FixFitnessRecords) {
        return Err(ServiceError::Forbidden);
    }
    let audit = entry(
        who,
        "lift_fitness_exemption",
        school,
        student,
        format!("term={}", term.code()),
    );
    Ok(svc
        .store()
        .lift_fitness_exemption(&viewer.scope, school, student, term, &audit)
        .await?)
}
