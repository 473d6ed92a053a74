//! 公示 and sign-off of a class's semester archive: the 班主任 opens the window (working days,
//! a district setting) once nothing awaits review; from then on the class's records of that
//! term are frozen. Families and teachers object (质疑) to a record during the window; the
//! 班主任 answers; after the window the 班主任 signs, then the 校长 (the school's account),
//! which locks the term. The 公示 list shows what was done, never private information: no
//! 学籍号, no ID number, no 家访 record, no return reason. Staff who may read the class's records
//! get each line's evidence files as names and hashes (the API links them to the audited
//! download); the page does not list them. Every step is audited.
use serde::Serialize;
use time::Date;
use wuyu_domain::{
    ActivityCategory, Capability, ClassId, PublicityStage, RecordState, Role, SchoolId, Scope,
    StudentId, Term, Viewer,
};
use wuyu_store::AuditEntry;
use wuyu_store::archive::{Confirmation, EvidenceRef, Objection, Publicity, Signer};

use super::card::CardSignature;
use super::{now_unix, store_error};
use crate::audit::{Requester, append};
use crate::staff::publicity_last_day;
use crate::{Service, ServiceError};

/// One line of the 公示 list: who, what, when, how long. Nothing private.
#[derive(Debug, Clone, Serialize)]
pub struct PublicLine {
    pub record_id: i64,
    pub student_id: StudentId,
    pub student: String,
    pub category_zh: &'static str,
    pub date: String,
    pub hours: String,
    pub organiser: String,
    pub description: String,
    /// The record's evidence files (no bytes); downloading one goes through the audited
    /// route, which checks the reader's rights again.
    pub evidence: Vec<EvidenceRef>,
}

/// A class's 公示 of one term as its page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PublicityView {
    pub class_id: ClassId,
    pub term: Term,
    /// `None`: not opened yet.
    pub publicity: Option<Publicity>,
    pub stage: Option<PublicityStage>,
    pub stage_zh: String,
    /// The approved records shown in 公示 (a parent: their own child's only).
    pub lines: Vec<PublicLine>,
    pub objections: Vec<Objection>,
    /// The students whose families confirmed the archive (a parent: their own child), with
    /// who confirmed and when.
    pub confirmations: Vec<Confirmation>,
    /// What the viewer may do now.
    pub may_open: bool,
    pub may_object: bool,
    pub may_answer: bool,
    pub may_sign: bool,
}

/// Records shown in 公示: approved, and not a 家访 (a home visit is the family's private
/// matter, recorded for the school only).
fn public(category: ActivityCategory, state: RecordState) -> bool {
    state == RecordState::Approved && category != ActivityCategory::HomeVisit
}

pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

async fn audit(
    svc: &Service,
    who: &Requester,
    action: &str,
    school: SchoolId,
    entity: String,
    detail: String,
) -> Result<(), ServiceError> {
    append(
        svc,
        &AuditEntry {
            at: now_unix(),
            user_id: who.user_id,
            username: who.username.clone(),
            action: action.into(),
            school_id: Some(school),
            entity,
            detail,
            ip: who.ip.clone(),
        },
    )
    .await
}

/// Whether the viewer acts as this class's 班主任 (a teacher) or as the school (its admin).
async fn heads_class(svc: &Service, viewer: &Viewer, class: ClassId) -> Result<bool, ServiceError> {
    if !viewer.can(Capability::ReviewActivities) {
        return Ok(false);
    }
    Ok(match super::records::review_scope(svc, viewer).await? {
        Scope::Classes { class_ids, .. } => class_ids.contains(&class),
        _ => true,
    })
}

/// The class's 公示 of `term` on `today`.
pub async fn publicity(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
    class: ClassId,
    term: Term,
    today: Date,
) -> Result<PublicityView, ServiceError> {
    if !viewer.can(Capability::RecordActivities) {
        return Err(ServiceError::Forbidden);
    }
    let store = svc.store();
    let p = store
        .class_publicities(&viewer.scope, school, class)
        .await?
        .into_iter()
        .find(|p| p.term == term);
    let stage = p.as_ref().map(|p| {
        PublicityStage::on(
            today,
            p.ends_on,
            p.head_signed.is_some(),
            p.principal_signed.is_some(),
        )
    });
    let is_parent = viewer.role() == Role::Parent;
    let (lines, objections) = match (&p, is_parent) {
        (None, _) => (Vec::new(), Vec::new()),
        // A parent objects from their child's archive page (an audited read); here they see
        // the window and the objections to their own child's records.
        (Some(_), true) => (
            Vec::new(),
            store.objections(&viewer.scope, school, class, term).await?,
        ),
        (Some(_), false) => {
            let lines = store
                .class_activities(&viewer.scope, school, class, term)
                .await?
                .into_iter()
                .filter(|r| public(r.category, r.state))
                .map(|r| line(&r))
                .collect();
            let objections = store.objections(&viewer.scope, school, class, term).await?;
            (lines, objections)
        }
    };
    let confirmations = match &p {
        Some(_) => {
            store
                .archive_confirmations(&viewer.scope, school, class, term)
                .await?
        }
        None => Vec::new(),
    };
    let head = heads_class(svc, viewer, class).await?;
    let school_admin = viewer.role() == Role::SchoolAdmin;
    Ok(PublicityView {
        class_id: class,
        term,
        stage_zh: stage.map_or("未公示".into(), |s| s.label_zh().to_string()),
        may_open: p.is_none() && head,
        may_object: stage == Some(PublicityStage::Open),
        may_answer: head
            && stage.is_some_and(|s| matches!(s, PublicityStage::Open | PublicityStage::Ended)),
        may_sign: match stage {
            Some(PublicityStage::Ended) => head && !school_admin,
            Some(PublicityStage::HeadSigned) => school_admin,
            _ => false,
        },
        publicity: p,
        stage,
        lines,
        objections,
        confirmations,
    })
}

/// A family confirms their child's archive of `term` during its class's 公示 (家长确认无误):
/// parents only, their own child only; confirming again changes nothing. Audited.
#[allow(clippy::too_many_arguments)] // one use case, each argument a separate fact
pub async fn confirm(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    student: StudentId,
    term: Term,
    today: Date,
) -> Result<(), ServiceError> {
    if !viewer.can(Capability::ConfirmArchive) {
        return Err(ServiceError::Forbidden);
    }
    svc.store()
        .confirm_archive(
            &viewer.scope,
            school,
            student,
            term,
            &who.username,
            today,
            now_unix(),
        )
        .await
        .map_err(store_error)?;
    audit(
        svc,
        who,
        "archive_confirm",
        school,
        format!("student:{}:{}", school.0, student.0),
        format!("term={}", term.code()),
    )
    .await
}

fn line(r: &wuyu_store::archive::ActivityRecord) -> PublicLine {
    PublicLine {
        record_id: r.id,
        student_id: r.student_id,
        student: r.student_name.clone(),
        category_zh: r.category.label_zh(),
        date: match r.end_date {
            Some(e) => format!("{} 至 {e}", r.date),
            None => r.date.to_string(),
        },
        hours: r.hours.to_string(),
        organiser: r.organiser.clone(),
        description: r.description.clone(),
        evidence: r.evidence.clone(),
    }
}

/// The 班主任 (or the school) opens the class's 公示 of `term` from `today`, for the
/// district's working days.
pub async fn open_publicity(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    class: ClassId,
    term: Term,
    today: Date,
) -> Result<Publicity, ServiceError> {
    if !heads_class(svc, viewer, class).await? {
        return Err(ServiceError::Forbidden);
    }
    let days = svc
        .store()
        .district_settings()
        .await?
        .archive_publicity_days
        .0;
    let p = Publicity {
        school_id: school,
        class_id: class,
        term,
        opened_by: who.username.clone(),
        starts_on: today,
        ends_on: publicity_last_day(today, days),
        head_signed: None,
        principal_signed: None,
    };
    svc.store()
        .open_publicity(&viewer.scope, &p, now_unix())
        .await
        .map_err(store_error)?;
    audit(
        svc,
        who,
        "archive_publicity_open",
        school,
        format!("class:{}", class.0),
        format!("term={} ends_on={}", term.code(), p.ends_on),
    )
    .await?;
    Ok(p)
}

/// A family (their own child's record) or a teacher objects to a record in 公示.
pub async fn object(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    record: i64,
    text: &str,
    today: Date,
) -> Result<i64, ServiceError> {
    if !viewer.can(Capability::RecordActivities) {
        return Err(ServiceError::Forbidden);
    }
    if text.chars().count() > 500 {
        return Err(ServiceError::BadRequest("质疑理由最多 500 字".into()));
    }
    let id = svc
        .store()
        .raise_objection(
            &viewer.scope,
            school,
            record,
            &who.username,
            text,
            today,
            now_unix(),
        )
        .await
        .map_err(store_error)?;
    audit(
        svc,
        who,
        "archive_objection",
        school,
        format!("record:{record}"),
        format!("objection={id}"),
    )
    .await?;
    Ok(id)
}

/// The 班主任 (or the school) answers an objection.
pub async fn answer(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    objection: i64,
    text: &str,
) -> Result<(), ServiceError> {
    let scope = {
        if !viewer.can(Capability::ReviewActivities) {
            return Err(ServiceError::Forbidden);
        }
        super::records::review_scope(svc, viewer).await?
    };
    if text.chars().count() > 500 {
        return Err(ServiceError::BadRequest("答复最多 500 字".into()));
    }
    svc.store()
        .answer_objection(&scope, school, objection, &who.username, text, now_unix())
        .await
        .map_err(store_error)?;
    audit(
        svc,
        who,
        "archive_objection_answer",
        school,
        format!("objection:{objection}"),
        String::new(),
    )
    .await
}

/// Signs the class's semester archive: a teacher as its 班主任 (after the window), the
/// school's account as 校长 (after the 班主任). The signature carries the signer's name.
pub async fn sign(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    class: ClassId,
    term: Term,
    today: Date,
) -> Result<(), ServiceError> {
    if !heads_class(svc, viewer, class).await? {
        return Err(ServiceError::Forbidden);
    }
    let signer = match viewer.role() {
        Role::Teacher => Signer::HeadTeacher,
        Role::SchoolAdmin => Signer::Principal,
        _ => return Err(ServiceError::Forbidden),
    };
    svc.store()
        .sign_publicity(
            &viewer.scope,
            school,
            class,
            term,
            signer,
            &viewer.user.display_name,
            today,
        )
        .await
        .map_err(store_error)?;
    audit(
        svc,
        who,
        match signer {
            Signer::HeadTeacher => "archive_sign_head",
            Signer::Principal => "archive_sign_principal",
        },
        school,
        format!("class:{}", class.0),
        format!("term={}", term.code()),
    )
    .await
}

/// The signature lines of a class's report cards: every signed term's 班主任 and 校长, with
/// names and dates; empty when nothing is signed.
pub(crate) async fn card_signatures(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
    class: ClassId,
) -> Result<Vec<CardSignature>, ServiceError> {
    let all = match svc
        .store()
        .class_publicities(&viewer.scope, school, class)
        .await
    {
        Ok(p) => p,
        // A scope that cannot see the class's 公示 still gets the card, unsigned.
        Err(wuyu_store::StoreError::Forbidden) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut out = Vec::new();
    for p in all {
        let label = p.term.label_zh();
        for (role, signed) in [("班主任", &p.head_signed), ("校长", &p.principal_signed)] {
            if let Some((name, on)) = signed {
                out.push(CardSignature {
                    role: format!("{role}（{label}）"),
                    name: name.clone(),
                    date: on.to_string(),
                });
            }
        }
    }
    Ok(out)
}
