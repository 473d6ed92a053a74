//! A family's own entries (家长填报): a parent enters their child's 家务劳动 check-ins and 志愿服务
//! with hours on a phone-sized form; they arrive submitted, for the 班主任 to approve or return
//! with a reason. Only those two categories; hours not negative, a day never over 24 hours
//! (with what the child already has that day), dates inside the term; only the family's own
//! child. Every problem is refused in Chinese before anything is written.
use wuyu_domain::{ActivityCategory, Capability, Role, SchoolId, StudentId, Tenths, Term, Viewer};

use super::form::{ActivityForm, ClassRecordError, FieldError, err, parse_activity};
use super::records::record_activity_with_evidence;
use crate::audit::Requester;
use crate::file::UploadedFile;
use crate::{Service, ServiceError};

/// What a family may enter themselves; the school records everything else.
pub const FAMILY_CATEGORIES: [ActivityCategory; 2] =
    [ActivityCategory::LaborHome, ActivityCategory::Volunteer];

/// Records a family's entry for `student` in `term`, submitted for review, with its evidence
/// files. Returns the new record's id.
#[allow(clippy::too_many_arguments)]
pub async fn record_family_entry(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    student: StudentId,
    term: Term,
    form: &ActivityForm,
    files: &[UploadedFile],
) -> Result<i64, ClassRecordError> {
    if !viewer.can(Capability::RecordActivities) {
        return Err(ServiceError::Forbidden.into());
    }
    // Only the family's own child (a teacher: a student of their classes), before anything.
    let not_yours = || {
        let why = if viewer.role() == Role::Parent {
            "这名学生不是您绑定的孩子，不能为其填报，未保存"
        } else {
            "这名学生不在您可录入的班级内，未保存"
        };
        ClassRecordError::Fields(vec![err("student", why)])
    };
    match svc.store().student(&viewer.scope, school, student).await {
        Ok(_) => {}
        Err(wuyu_store::StoreError::Forbidden | wuyu_store::StoreError::NotFound) => {
            return Err(not_yours());
        }
        Err(e) => return Err(ServiceError::from(e).into()),
    }
    let mut errors: Vec<FieldError> = Vec::new();
    let input = parse_activity(form, term);
    if let Some(c) = ActivityCategory::parse(&form.category)
        && !FAMILY_CATEGORIES.contains(&c)
    {
        errors.push(err(
            "category",
            format!(
                "“{}”由学校记录，家庭只能填报家务劳动或志愿服务",
                c.label_zh()
            ),
        ));
    }
    if let Err(e) = &input {
        errors.extend(e.iter().cloned());
    }
    if let Err(why) = super::evidence::check_files(files) {
        errors.push(err("evidence", why));
    }
    let already = match &input {
        Ok(i) => svc
            .store()
            .student_hours_on(&viewer.scope, school, student, i.date)
            .await
            .map_err(ServiceError::from)?,
        Err(_) => Tenths(0),
    };
    if let Ok(i) = &input
        && i.end_date.is_none()
        && already.0 + i.hours.0 > 240
    {
        errors.push(err(
            "hours",
            format!(
                "{} 已记录 {already} 小时，再加 {} 小时就超过一天 24 小时",
                i.date, i.hours
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(ClassRecordError::Fields(errors));
    }
    let input = input.map_err(ClassRecordError::Fields)?;
    match record_activity_with_evidence(svc, viewer, who, school, &[student], &input, files).await {
        Ok(ids) => Ok(ids[0]),
        Err(ServiceError::Forbidden | ServiceError::NotFound) => Err(not_yours()),
        Err(e) => Err(e.into()),
    }
}
