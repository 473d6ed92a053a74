//! The people fields of the roster: a school's teachers (任教学科, 专兼职, 出生年份, titles)
//! and a student's 特殊群体 flags, which are sensitive: only district and school admins and
//! the student's 班主任 read them, and every read is audited before it is answered.
use wuyu_domain::{
    Capability, HEAD_TEACHER_SUBJECT, Role, SchoolId, StudentFlag, StudentId, Viewer,
};
use wuyu_store::{AuditEntry, TeacherView};

use crate::audit::{Requester, append};
use crate::{Service, ServiceError};

/// A school's teachers, for the district and the school's administrators.
pub async fn teachers(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
) -> Result<Vec<TeacherView>, ServiceError> {
    let store = svc.store();
    store.school(&viewer.scope, school).await?;
    Ok(store.list_teachers(&viewer.scope, school).await?)
}

/// Whether the viewer may read this student's flags: the grant, the student in scope and, for
/// a teacher, being 班主任 of the student's class.
async fn may_read_flags(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
    student: StudentId,
) -> Result<bool, ServiceError> {
    if !viewer.can(Capability::ViewStudentFlags) {
        return Ok(false);
    }
    let store = svc.store();
    let st = store.student(&viewer.scope, school, student).await?;
    if viewer.user.role != Role::Teacher {
        return Ok(true);
    }
    let Some(me) = viewer.user.teacher_id else {
        return Ok(false);
    };
    Ok(store
        .list_assignments(&viewer.scope, school)
        .await?
        .iter()
        .any(|a| {
            a.teacher_id == me && a.class_id == st.class_id && a.subject == HEAD_TEACHER_SUBJECT
        }))
}

/// The student's 特殊群体 flags, audited; [`ServiceError::Forbidden`] for anyone else.
pub async fn student_flags(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    student: StudentId,
) -> Result<Vec<StudentFlag>, ServiceError> {
    if !may_read_flags(svc, viewer, school, student).await? {
        return Err(ServiceError::Forbidden);
    }
    let flags = svc.store().student_flags(school, student).await?;
    append(
        svc,
        &AuditEntry {
            at: crate::archive::now_unix(),
            user_id: who.user_id,
            username: who.username.clone(),
            action: "read_student_flags".into(),
            school_id: Some(school),
            entity: format!("student:{school}:{student}"),
            detail: format!("{} flags", flags.len()),
            ip: who.ip.clone(),
        },
    )
    .await?;
    Ok(flags)
}

/// [`student_flags`] for a page that shows the section only to those who may read it: `None`
/// instead of a refusal.
pub async fn student_flags_if_allowed(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    student: StudentId,
) -> Result<Option<Vec<StudentFlag>>, ServiceError> {
    match student_flags(svc, viewer, who, school, student).await {
        Ok(f) => Ok(Some(f)),
        Err(ServiceError::Forbidden) => Ok(None),
        Err(e) => Err(e),
    }
}
