//! The 班主任's flag list: levels and the tasks given to them, for the classes they are 班主任
//! of (from the roster's 任课 rows with subject 班主任). Never answers or scores.
use std::collections::BTreeSet;

use wuyu_domain::{ClassId, HEAD_TEACHER_SUBJECT, Viewer};
use wuyu_store::psych::FlagRow;

use super::audit::{record, refused};
use crate::audit::Requester;
use crate::{Service, ServiceError};

pub async fn class_flags(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
) -> Result<Vec<FlagRow>, ServiceError> {
    let school = viewer.scope.school_id();
    let heads: BTreeSet<ClassId> = match (school, viewer.user.teacher_id) {
        (Some(s), Some(me)) if viewer.can(wuyu_domain::Capability::ViewPsychFlags) => svc
            .store()
            .list_assignments(&viewer.scope, s)
            .await?
            .into_iter()
            .filter(|a| a.teacher_id == me && a.subject == HEAD_TEACHER_SUBJECT)
            .map(|a| a.class_id)
            .collect(),
        _ => BTreeSet::new(),
    };
    let Some(token) = viewer.flags_token(&heads) else {
        return Err(refused(svc, viewer, who, school, "psych_flags").await);
    };
    let rows = svc.store().class_flags(&token).await?;
    let classes: Vec<String> = token.classes().iter().map(|c| c.0.to_string()).collect();
    record(
        svc,
        who,
        "psych_read_flags",
        school,
        format!("classes:{}", classes.join(",")),
        format!("rows={}", rows.len()),
    )
    .await?;
    Ok(rows)
}
