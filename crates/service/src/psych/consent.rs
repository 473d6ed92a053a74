//! The consent pages: the counsellor's sheet of a class (who has consent, who does not) and
//! a parent's own decision from the parent account. Screening needs the guardian's consent
//! and the student's assent (modules.md §3); a student without both is not screened.
use serde::Serialize;
use wuyu_domain::{ClassId, SchoolId, StudentId, Viewer};
use wuyu_store::psych::{Campaign, ConsentRow, GuardianConsent};
use wuyu_store::psych_work::GuardianDecision;

use super::audit::{counsellor, now_unix, record, refused};
use crate::audit::Requester;
use crate::{Service, ServiceError};

/// One student of the class and their decision, if recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsentLine {
    pub student_id: StudentId,
    pub student_no: String,
    pub name: String,
    pub consent: Option<ConsentRow>,
}

/// A class's consent sheet for one campaign.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsentSheet {
    pub class_label: String,
    pub lines: Vec<ConsentLine>,
    /// Students who may be screened (consent given with assent).
    pub allowed: usize,
}

pub async fn consent_sheet(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    campaign: i64,
    class: ClassId,
) -> Result<ConsentSheet, ServiceError> {
    let token = counsellor(svc, viewer, who, school, "psych_consent").await?;
    let students = svc.store().code_students(&token, campaign, class).await?;
    let rows = super::records::consents(svc, viewer, who, school, campaign).await?;
    let lines: Vec<ConsentLine> = students
        .iter()
        .map(|s| ConsentLine {
            student_id: s.student_id,
            student_no: s.student_no.clone(),
            name: s.name.clone(),
            consent: rows.iter().find(|r| r.student_id == s.student_id).cloned(),
        })
        .collect();
    Ok(ConsentSheet {
        class_label: students
            .first()
            .map(|s| s.class_label.clone())
            .unwrap_or_default(),
        allowed: students.iter().filter(|s| s.consent_ok).count(),
        lines,
    })
}

/// A campaign of the parent's child with the decision recorded for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChildConsent {
    pub campaign: Campaign,
    pub consent: Option<ConsentRow>,
}

/// The parent's page: every campaign of the child with its decision. Audited.
pub async fn child_consent_page(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    student: StudentId,
) -> Result<Vec<ChildConsent>, ServiceError> {
    let rows = super::records::child_consents(svc, viewer, who, student).await?;
    let campaigns = svc.store().child_campaigns(&viewer.scope, student).await?;
    Ok(campaigns
        .into_iter()
        .map(|c| ChildConsent {
            consent: rows.iter().find(|r| r.campaign_id == c.id).cloned(),
            campaign: c,
        })
        .collect())
}

/// A parent gives, refuses or withdraws consent for their own child. Audited.
pub async fn guardian_decision(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    student: StudentId,
    campaign: i64,
    guardian: GuardianConsent,
) -> Result<(), ServiceError> {
    let school = viewer.scope.school_id();
    if !viewer.can(wuyu_domain::Capability::ViewChildPsychConsent) {
        return Err(refused(svc, viewer, who, school, &format!("student:{}", student.0)).await);
    }
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let today = time::OffsetDateTime::now_utc()
        .to_offset(offset)
        .date()
        .to_string();
    let d = GuardianDecision {
        campaign_id: campaign,
        student_id: student,
        guardian,
        decided_on: today,
        by: who.username.clone(),
        at: now_unix(),
    };
    match svc.store().guardian_decision(&viewer.scope, &d).await {
        Ok(()) => {}
        Err(wuyu_store::StoreError::Forbidden) => {
            return Err(refused(svc, viewer, who, school, &format!("student:{}", student.0)).await);
        }
        Err(e) => return Err(e.into()),
    }
    record(
        svc,
        who,
        "psych_guardian_decision",
        school,
        format!("student:{}", student.0),
        format!("campaign={campaign} guardian={}", guardian.code()),
    )
    .await
}
