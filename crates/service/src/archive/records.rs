//! Recording and reviewing activity records: a teacher records one activity for a whole class
//! or a list of students; a parent for their own child; the 班主任 (or the school admin)
//! approves or returns with a reason. Every check runs before anything is written.
use std::collections::BTreeSet;

use time::Date;
use wuyu_domain::{
    ActivityCategory, Capability, ClassId, Entrant, HEAD_TEACHER_SUBJECT, RecordState, Role,
    SchoolClass, SchoolId, Scope, StudentId, Tenths, Term, Viewer,
};
use wuyu_monitor::archive::{RecordSpan, check_record};
use wuyu_store::archive::{ActivityRecord, NewActivity, Review};

use super::{now_unix, store_error};
use crate::audit::Requester;
use crate::file::UploadedFile;
use crate::{Service, ServiceError};

/// An activity as a form gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityInput {
    pub category: ActivityCategory,
    pub term: Term,
    pub date: Date,
    pub end_date: Option<Date>,
    pub hours: Tenths,
    pub travel: Tenths,
    pub organiser: String,
    pub description: String,
}

fn require(viewer: &Viewer, c: Capability) -> Result<(), ServiceError> {
    if viewer.can(c) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// Records `input` for each of `students` (one record each), all or nothing. A teacher's and
/// a school admin's records go to the 班主任 for review; a parent's are submitted the same way.
pub async fn record_activity(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    students: &[StudentId],
    input: &ActivityInput,
) -> Result<Vec<i64>, ServiceError> {
    record_activity_with_evidence(svc, viewer, who, school, students, input, &[]).await
}

/// [`record_activity`] with evidence files (photos, certificates), checked by content and
/// size before anything is written and stored with the records, all or nothing.
pub async fn record_activity_with_evidence(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    students: &[StudentId],
    input: &ActivityInput,
    files: &[UploadedFile],
) -> Result<Vec<i64>, ServiceError> {
    require(viewer, Capability::RecordActivities)?;
    let evidence = super::evidence::check_files(files).map_err(ServiceError::BadRequest)?;
    if students.is_empty() {
        return Err(ServiceError::BadRequest("请至少选择一名学生".into()));
    }
    if input.description.trim().is_empty() {
        return Err(ServiceError::BadRequest("活动内容不能为空".into()));
    }
    let span = RecordSpan {
        date: input.date,
        end_date: input.end_date,
    };
    check_record(span, input.hours, input.travel, input.term).map_err(|e| {
        ServiceError::BadRequest(format!("活动“{}”：{e}", input.description.trim()))
    })?;
    let entrant = match viewer.role() {
        Role::Parent => Entrant::Parent,
        _ => Entrant::Teacher,
    };
    let activity = NewActivity {
        category: input.category,
        term: input.term,
        date: input.date,
        end_date: input.end_date,
        hours: input.hours,
        travel: input.travel,
        organiser: input.organiser.trim().to_string(),
        description: input.description.trim().to_string(),
        entrant,
        entered_by: who.username.clone(),
        state: RecordState::Submitted,
    };
    svc.store()
        .record_activity_with_evidence(
            &viewer.scope,
            school,
            students,
            &activity,
            &evidence,
            now_unix(),
        )
        .await
        .map_err(store_error)
}

/// The scope a reviewer acts in: a teacher only the classes they are 班主任 of; a school
/// admin their school.
pub(super) async fn review_scope(svc: &Service, viewer: &Viewer) -> Result<Scope, ServiceError> {
    require(viewer, Capability::ReviewActivities)?;
    match (&viewer.scope, viewer.user.teacher_id) {
        (
            Scope::Classes {
                school_id,
                class_ids,
            },
            Some(me),
        ) => {
            let heads: BTreeSet<ClassId> = svc
                .store()
                .list_assignments(&viewer.scope, *school_id)
                .await?
                .into_iter()
                .filter(|a| a.teacher_id == me && a.subject == HEAD_TEACHER_SUBJECT)
                .map(|a| a.class_id)
                .filter(|c| class_ids.contains(c))
                .collect();
            Ok(Scope::Classes {
                school_id: *school_id,
                class_ids: heads,
            })
        }
        (Scope::Classes { .. }, None) => Err(ServiceError::Forbidden),
        (s, _) => Ok(s.clone()),
    }
}

/// The class a teacher's 写实记录 page opens on: the first class they are 班主任 of, else the
/// first class they teach; `None` for a teacher with no class. Other scopes have no class
/// of their own: `Forbidden`.
pub async fn home_class(
    svc: &Service,
    viewer: &Viewer,
) -> Result<Option<(SchoolId, ClassId)>, ServiceError> {
    require(viewer, Capability::RecordActivities)?;
    let Scope::Classes {
        school_id,
        class_ids,
    } = &viewer.scope
    else {
        return Err(ServiceError::Forbidden);
    };
    let head = match review_scope(svc, viewer).await {
        Ok(Scope::Classes { class_ids, .. }) => class_ids.first().copied(),
        _ => None,
    };
    Ok(head
        .or_else(|| class_ids.first().copied())
        .map(|c| (*school_id, c)))
}

/// Approves or returns submitted records (all or nothing).
pub async fn review(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    ids: &[i64],
    decision: &Review,
) -> Result<(), ServiceError> {
    let scope = review_scope(svc, viewer).await?;
    svc.store()
        .review_activities(&scope, school, ids, decision, &who.username, now_unix())
        .await
        .map_err(store_error)
}

/// Sends returned (or draft) records back for review.
pub async fn submit(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
    ids: &[i64],
) -> Result<(), ServiceError> {
    require(viewer, Capability::RecordActivities)?;
    svc.store()
        .submit_activities(&viewer.scope, school, ids)
        .await
        .map_err(store_error)
}

/// The 班主任's page: the class's records of a term, those awaiting review, and who has no
/// record at all this term.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClassArchive {
    pub class: SchoolClass,
    pub term: Term,
    pub records: Vec<ActivityRecord>,
    pub awaiting: Vec<ActivityRecord>,
    /// (id, name) of every student of the class, in roster order.
    pub students: Vec<(StudentId, String)>,
    /// (id, name) of students without any record this term.
    pub without_records: Vec<(StudentId, String)>,
    /// Whether the viewer may approve and return here.
    pub may_review: bool,
}

pub async fn class_archive(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
    class: ClassId,
    term: Term,
) -> Result<ClassArchive, ServiceError> {
    require(viewer, Capability::RecordActivities)?;
    let store = svc.store();
    let class_row = store.class(&viewer.scope, school, class).await?;
    let records = store
        .class_activities(&viewer.scope, school, class, term)
        .await?;
    let students = store
        .list_students(&viewer.scope, school, Some(class))
        .await?;
    let with: BTreeSet<StudentId> = records.iter().map(|r| r.student_id).collect();
    let students: Vec<(StudentId, String)> = students
        .into_iter()
        .map(|s| (s.id, s.name.as_str().to_string()))
        .collect();
    let without_records = students
        .iter()
        .filter(|(id, _)| !with.contains(id))
        .cloned()
        .collect();
    let may_review = match review_scope(svc, viewer).await {
        Ok(Scope::Classes { class_ids, .. }) => class_ids.contains(&class),
        Ok(_) => true,
        Err(_) => false,
    };
    let awaiting = records
        .iter()
        .filter(|r| r.state == RecordState::Submitted)
        .cloned()
        .collect();
    Ok(ClassArchive {
        class: class_row,
        term,
        records,
        awaiting,
        students,
        without_records,
        may_review,
    })
}
