//! Surveys (issue 15): questionnaires managed by the district and school admins, answered
//! anonymously through a per-school link, and results through the §7 statistics with the
//! minimum respondents of the questionnaire's audience.
//!
//! Who: [`Capability::ManageSurveys`] builds, publishes, closes and links questionnaires (a
//! school admin links only their school); [`Capability::ViewSurveyResults`] reads results
//! within the scope. Answering needs no account: the link's token is the only key.
use wuyu_analytics::satisfaction::Answer;
use wuyu_domain::{
    Capability, ClassId, NewQuestionnaire, OtherAnswers, Questionnaire, QuestionnaireStatus,
    SchoolId, Viewer,
};
use wuyu_store::StoreError;

use crate::{Service, ServiceError};

mod codes;
mod export;
mod indicators;
mod links;
mod results;
mod teachers;
mod texts;

pub use codes::{
    CODE_LEN, CodeLine, CodeSheet, MAX_CODES_PER_ISSUE, OpenForm, build_round, code_sheet,
    issue_codes, issue_teacher_codes, normalize_code, open_code, start_round, submit_code,
    submit_code_with,
};
pub use export::results_xlsx;
pub use indicators::{indicator, parents_round, school_year_at};
pub use links::{LINK_LEN, LinkForm, LinkLine, LinkSheet, link_sheet, new_link, open_link};
pub use results::{
    ChoiceResult, ItemResult, OptionShare, ScaleOut, SurveyResults, UnitKind, UnitResults,
    survey_results,
};
pub use teachers::{
    SurveyOrigin, TeacherResult, TeacherResults, TeacherSurveySources, teacher_results,
    teacher_sources,
};
pub use texts::{SurveyTexts, TextLine, survey_texts};

fn manage(viewer: &Viewer) -> Result<(), ServiceError> {
    if viewer.can(Capability::ManageSurveys) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// A store refusal carries a Chinese message for the user: a bad request, not a fault.
fn refused(e: StoreError) -> ServiceError {
    match e {
        StoreError::Refused(why) => ServiceError::BadRequest(why),
        other => other.into(),
    }
}

/// Stores a draft questionnaire.
pub async fn create_questionnaire(
    svc: &Service,
    viewer: &Viewer,
    q: &NewQuestionnaire,
    now: i64,
) -> Result<i64, ServiceError> {
    manage(viewer)?;
    svc.store()
        .create_questionnaire(q, now)
        .await
        .map_err(refused)
}

/// Every questionnaire, newest first, for those who manage or read surveys.
pub async fn list(svc: &Service, viewer: &Viewer) -> Result<Vec<Questionnaire>, ServiceError> {
    if !viewer.can(Capability::ManageSurveys) && !viewer.can(Capability::ViewSurveyResults) {
        return Err(ServiceError::Forbidden);
    }
    Ok(svc.store().list_questionnaires().await?)
}

/// Publishes a draft or closes a published questionnaire.
pub async fn set_status(
    svc: &Service,
    viewer: &Viewer,
    id: i64,
    status: QuestionnaireStatus,
) -> Result<(), ServiceError> {
    manage(viewer)?;
    Ok(svc.store().set_questionnaire_status(id, status).await?)
}

/// An anonymous link for one school, or one of its classes, under a given token; a school
/// admin only for their own school.
pub async fn create_link(
    svc: &Service,
    viewer: &Viewer,
    id: i64,
    (school, class): (SchoolId, Option<ClassId>),
    token: &str,
) -> Result<(), ServiceError> {
    manage(viewer)?;
    if viewer.scope.school_id().is_some_and(|s| s != school) {
        return Err(ServiceError::Forbidden);
    }
    Ok(svc
        .store()
        .create_survey_link(id, school, class, token)
        .await?)
}

/// One anonymous response through a link: stored whole, or refused with a Chinese reason.
pub async fn submit(
    svc: &Service,
    token: &str,
    answers: &[Answer],
    now: i64,
) -> Result<(), ServiceError> {
    submit_with(svc, token, answers, &OtherAnswers::default(), now).await
}

/// One anonymous response through a link with its choice and text answers.
pub async fn submit_with(
    svc: &Service,
    token: &str,
    answers: &[Answer],
    other: &OtherAnswers,
    now: i64,
) -> Result<(), ServiceError> {
    svc.store()
        .submit_survey_response_with(token, answers, other, now)
        .await
        .map_err(refused)
}
