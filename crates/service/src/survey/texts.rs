//! Free-text answers (意见和建议): they may name a teacher, a child or the writer, so only
//! [`Capability::ViewSurveyTexts`] (the school's admin, district roles) reads them, within the
//! scope, and every read is audited before anything is returned.
use std::collections::BTreeMap;

use serde::Serialize;
use wuyu_domain::{Capability, Questionnaire, Scope, Viewer};
use wuyu_store::AuditEntry;

use crate::audit::Requester;
use crate::{Service, ServiceError};

/// One text answer with where it was given, never who gave it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextLine {
    pub school_name: String,
    pub item_code: String,
    pub item_text: String,
    pub text: String,
    pub submitted_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyTexts {
    pub questionnaire: Questionnaire,
    pub lines: Vec<TextLine>,
}

/// The text answers of a questionnaire the viewer's scope reaches: the district every school,
/// a school admin their own; by school, item and order of arrival.
pub async fn survey_texts(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    id: i64,
) -> Result<SurveyTexts, ServiceError> {
    if !viewer.can(Capability::ViewSurveyTexts)
        || !matches!(viewer.scope, Scope::District | Scope::School { .. })
    {
        return Err(ServiceError::Forbidden);
    }
    let store = svc.store();
    let q = store.questionnaire(id).await?;
    crate::audit::append(
        svc,
        &AuditEntry {
            at: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64),
            user_id: who.user_id,
            username: who.username.clone(),
            action: "read_survey_texts".into(),
            school_id: viewer.scope.school_id(),
            entity: format!("survey_text:{id}"),
            detail: String::new(),
            ip: who.ip.clone(),
        },
    )
    .await?;
    let answers = store.survey_text_answers(&viewer.scope, id).await?;
    let names: BTreeMap<i64, String> = store
        .list_schools(&viewer.scope)
        .await?
        .into_iter()
        .map(|s| (s.school.id.0, s.school.name))
        .collect();
    let lines = answers
        .into_iter()
        .map(|a| {
            let item = q.items.get(a.item);
            TextLine {
                school_name: names
                    .get(&a.school_id.0)
                    .cloned()
                    .unwrap_or_else(|| format!("学校 {}", a.school_id.0)),
                item_code: item.map(|i| i.code.clone()).unwrap_or_default(),
                item_text: item.map(|i| i.text.clone()).unwrap_or_default(),
                text: a.text,
                submitted_at: a.submitted_at,
            }
        })
        .collect();
    Ok(SurveyTexts {
        questionnaire: q,
        lines,
    })
}
