//! Item analysis of one subject (难度, 区分度, 点二列相关, the heat map, knowledge points).
use wuyu_domain::{Exam, SchoolId, Viewer};
use wuyu_store::ItemReport;

use super::optional;
use crate::{Service, ServiceError};

/// The subject asked for (it must be one of the exam's, not 总分), or the first subject with
/// item points; `None` when no subject has any. `school` narrows the classes (district roles).
pub async fn item_report(
    svc: &Service,
    viewer: &Viewer,
    exam: &Exam,
    asked: Option<&str>,
    school: Option<SchoolId>,
) -> Result<(String, Option<ItemReport>), ServiceError> {
    let store = svc.store();
    if let Some(s) = asked.map(str::trim).filter(|s| !s.is_empty()) {
        if exam.subject(s).is_none() {
            return Err(ServiceError::BadRequest(format!("unknown subject {s}")));
        }
        let r = optional(store.exam_items(&viewer.scope, exam.id, s, school).await)?;
        return Ok((s.to_string(), r));
    }
    for s in &exam.subjects {
        if let Some(r) = optional(
            store
                .exam_items(&viewer.scope, exam.id, &s.name, school)
                .await,
        )? {
            return Ok((s.name.clone(), Some(r)));
        }
    }
    Ok((
        exam.subjects
            .first()
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        None,
    ))
}
