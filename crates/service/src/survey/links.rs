//! Anonymous links per school or class: an admin makes a link (printed as a QR code on the
//! notice to parents), anyone with it answers without an account, and the answers carry the
//! school and class of the link, never a person. A link may be answered many times, so the
//! web layer limits answers per address and device against ballot stuffing.
use serde::Serialize;
use wuyu_domain::{ClassId, Questionnaire, QuestionnaireStatus, SchoolId, Scope, Viewer};
use wuyu_store::StoreError;

use super::codes::random_text;
use super::manage;
use crate::{Service, ServiceError};

/// Characters of a link token: 12 of 31, about 2⁵⁹, so links cannot be found by trying.
pub const LINK_LEN: usize = 12;

fn class_label(c: &wuyu_domain::SchoolClass) -> String {
    format!("{}{}", c.grade.label_zh(), c.name)
}

/// Makes a fresh link of a published questionnaire for a school (or one of its classes); a
/// school admin only for their school. Returns the token.
pub async fn new_link(
    svc: &Service,
    viewer: &Viewer,
    questionnaire: i64,
    school: SchoolId,
    class: Option<ClassId>,
) -> Result<String, ServiceError> {
    manage(viewer)?;
    if viewer.scope.school_id().is_some_and(|s| s != school) {
        return Err(ServiceError::Forbidden);
    }
    let store = svc.store();
    store.school(&viewer.scope, school).await?;
    if let Some(c) = class {
        store.class(&viewer.scope, school, c).await?;
    }
    let q = store.questionnaire(questionnaire).await?;
    if q.status != QuestionnaireStatus::Published {
        return Err(ServiceError::BadRequest(format!(
            "问卷“{}”{}，不能生成作答链接",
            q.title,
            q.status.label_zh()
        )));
    }
    for _ in 0..3 {
        let token = random_text(LINK_LEN)?;
        match store
            .create_survey_link(questionnaire, school, class, &token)
            .await
        {
            Ok(()) => return Ok(token),
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(super::refused(e)),
        }
    }
    Err(ServiceError::Internal(
        "survey link tokens kept colliding".into(),
    ))
}

/// One link of a school, for the printed notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkLine {
    pub token: String,
    /// 三年级2班, or empty for the whole school.
    pub class: String,
}

/// A school's links of one questionnaire and the classes a new link may be made for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkSheet {
    pub questionnaire: Questionnaire,
    pub school_id: SchoolId,
    pub school_name: String,
    pub links: Vec<LinkLine>,
    /// (class id, 三年级2班) of the school.
    pub classes: Vec<(i64, String)>,
}

pub async fn link_sheet(
    svc: &Service,
    viewer: &Viewer,
    questionnaire: i64,
    school: SchoolId,
) -> Result<LinkSheet, ServiceError> {
    manage(viewer)?;
    let store = svc.store();
    let q = store.questionnaire(questionnaire).await?;
    let school_row = store.school(&viewer.scope, school).await?;
    let classes = store.list_classes(&viewer.scope, school).await?;
    let links = store
        .survey_links(&viewer.scope, questionnaire, school)
        .await?
        .into_iter()
        .map(|(token, class)| LinkLine {
            token,
            class: class
                .and_then(|id| classes.iter().find(|k| k.class.id == id))
                .map(|k| class_label(&k.class))
                .unwrap_or_default(),
        })
        .collect();
    Ok(LinkSheet {
        questionnaire: q,
        school_id: school,
        school_name: school_row.name,
        links,
        classes: classes
            .iter()
            .map(|k| (k.class.id.0, class_label(&k.class)))
            .collect(),
    })
}

/// The form a link opens, for the respondent.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkForm {
    pub token: String,
    pub questionnaire: Questionnaire,
    pub school_name: String,
    /// The class of a class's link, else empty.
    pub class_name: String,
}

/// The form a link opens: `NotFound` for an unknown token, `BadRequest` with the Chinese
/// reason for a round that is not open.
pub async fn open_link(svc: &Service, token: &str) -> Result<LinkForm, ServiceError> {
    let store = svc.store();
    let Some(link) = store.survey_link(token).await? else {
        return Err(ServiceError::NotFound);
    };
    match link.questionnaire.status {
        QuestionnaireStatus::Published => {}
        QuestionnaireStatus::Closed => {
            return Err(ServiceError::BadRequest("问卷已结束，不再接受作答".into()));
        }
        QuestionnaireStatus::Draft => {
            return Err(ServiceError::BadRequest("问卷尚未发布，不能作答".into()));
        }
    }
    // Whoever holds the link sees the school's (and class's) name: no scope needed to read it.
    let school_name = store.school(&Scope::District, link.school_id).await?.name;
    let class_name = match link.class_id {
        Some(c) => class_label(&store.class(&Scope::District, link.school_id, c).await?),
        None => String::new(),
    };
    Ok(LinkForm {
        token: token.to_string(),
        questionnaire: link.questionnaire,
        school_name,
        class_name,
    })
}
