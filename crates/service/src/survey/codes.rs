//! Survey rounds and one-time answer codes: the district starts a round from a standard
//! questionnaire, admins issue codes per school or class and print them, and anyone holding a
//! code answers once, without an account. A code is random and stored with no person, so an
//! answer cannot be traced to whoever received the slip.
use wuyu_analytics::satisfaction::Answer;
use wuyu_domain::{
    ClassId, OtherAnswers, Questionnaire, QuestionnaireStatus, SchoolId, Scope, SurveyAbout,
    TeacherId, Viewer,
};
use wuyu_store::StoreError;

use super::{manage, refused};
use crate::{Service, ServiceError};

/// Most codes issued at once: a big school's parents, printed on a few pages.
pub const MAX_CODES_PER_ISSUE: usize = 2000;
/// Characters of a code: no 0/O, 1/I/L, so it is read off paper without doubt.
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// 10 characters of 31: about 2⁴⁹ codes, far beyond guessing under the rate limit.
pub const CODE_LEN: usize = 10;

/// A fresh random code.
fn new_code() -> Result<String, ServiceError> {
    random_text(CODE_LEN)
}

/// `len` random characters of the code alphabet.
pub(super) fn random_text(len: usize) -> Result<String, ServiceError> {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 32];
    while out.len() < len {
        getrandom::fill(&mut buf).map_err(|e| ServiceError::Internal(e.to_string()))?;
        // Rejection keeps every character equally likely: 31 does not divide 256.
        for b in buf {
            let i = usize::from(b & 31);
            if i < ALPHABET.len() && out.len() < len {
                out.push(char::from(ALPHABET[i]));
            }
        }
    }
    Ok(out)
}

/// A code as a person may type it: case, spaces and dashes do not matter.
pub fn normalize_code(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// Starts a round: the district stores the standard questionnaire `template` and publishes it
/// at once, so codes can be issued. Returns the questionnaire's id.
pub async fn start_round(
    svc: &Service,
    viewer: &Viewer,
    template: &str,
    now: i64,
) -> Result<i64, ServiceError> {
    manage(viewer)?;
    if !matches!(viewer.scope, Scope::District) {
        return Err(ServiceError::Forbidden);
    }
    let t = wuyu_domain::survey_template(template)
        .ok_or_else(|| ServiceError::BadRequest(format!("没有名为“{template}”的问卷模板")))?;
    let store = svc.store();
    let id = store
        .create_questionnaire(&t.questionnaire(), now)
        .await
        .map_err(refused)?;
    store
        .set_questionnaire_status(id, QuestionnaireStatus::Published)
        .await?;
    Ok(id)
}

/// Publishes a questionnaire the district built from rows of the builder form (题目, 题型,
/// 选项, 维度, flags); the first bad row is a Chinese `BadRequest` and nothing is stored.
/// District only, as a round from a template: questionnaires are the district's.
pub async fn build_round(
    svc: &Service,
    viewer: &Viewer,
    title: &str,
    audience: &str,
    rows: &[wuyu_domain::BuilderRow],
    now: i64,
) -> Result<i64, ServiceError> {
    manage(viewer)?;
    if !matches!(viewer.scope, Scope::District) {
        return Err(ServiceError::Forbidden);
    }
    let q = wuyu_domain::build_questionnaire(title, audience, rows)
        .map_err(ServiceError::BadRequest)?;
    let store = svc.store();
    let id = store.create_questionnaire(&q, now).await.map_err(refused)?;
    store
        .set_questionnaire_status(id, QuestionnaireStatus::Published)
        .await?;
    Ok(id)
}

/// Issues `count` fresh codes of a published questionnaire about the school for a school (and
/// one of its classes); a school admin only for their school. Returns the codes.
pub async fn issue_codes(
    svc: &Service,
    viewer: &Viewer,
    questionnaire: i64,
    school: SchoolId,
    class: Option<ClassId>,
    count: usize,
    now: i64,
) -> Result<Vec<String>, ServiceError> {
    issue(
        svc,
        viewer,
        questionnaire,
        (school, class, None),
        count,
        now,
    )
    .await
}

/// Issues `count` fresh codes of a published 师德 round for one named teacher of a school:
/// each code's answer is about that teacher (the slip says whom). Returns the codes.
pub async fn issue_teacher_codes(
    svc: &Service,
    viewer: &Viewer,
    questionnaire: i64,
    school: SchoolId,
    teacher: TeacherId,
    count: usize,
    now: i64,
) -> Result<Vec<String>, ServiceError> {
    issue(
        svc,
        viewer,
        questionnaire,
        (school, None, Some(teacher)),
        count,
        now,
    )
    .await
}

async fn issue(
    svc: &Service,
    viewer: &Viewer,
    questionnaire: i64,
    (school, class, teacher): (SchoolId, Option<ClassId>, Option<TeacherId>),
    count: usize,
    now: i64,
) -> Result<Vec<String>, ServiceError> {
    manage(viewer)?;
    if viewer.scope.school_id().is_some_and(|s| s != school) {
        return Err(ServiceError::Forbidden);
    }
    if !(1..=MAX_CODES_PER_ISSUE).contains(&count) {
        return Err(ServiceError::BadRequest(format!(
            "答题码数量应为 1–{MAX_CODES_PER_ISSUE}，现在是 {count}"
        )));
    }
    let store = svc.store();
    // The school (and class) must exist within the caller's reach.
    store.school(&viewer.scope, school).await?;
    if let Some(c) = class {
        store.class(&viewer.scope, school, c).await?;
    }
    let q = store.questionnaire(questionnaire).await?;
    if q.status != QuestionnaireStatus::Published {
        return Err(ServiceError::BadRequest(format!(
            "问卷“{}”{}，不能发放答题码",
            q.title,
            q.status.label_zh()
        )));
    }
    for _ in 0..3 {
        let codes = (0..count)
            .map(|_| new_code())
            .collect::<Result<Vec<_>, _>>()?;
        match store
            .issue_survey_codes(questionnaire, school, class, teacher, &codes, now)
            .await
        {
            Ok(()) => return Ok(codes),
            // A collision of random codes: draw the whole batch again.
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(refused(e)),
        }
    }
    Err(ServiceError::Internal("survey codes kept colliding".into()))
}

/// One line of a printable code sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeLine {
    /// 三年级2班, or empty for a whole-school code.
    pub class: String,
    /// The teacher a 师德 code is about (name and 工号), or empty.
    pub teacher: String,
    pub code: String,
    pub used: bool,
}

/// A school's codes of one questionnaire, to print and cut into slips.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSheet {
    pub questionnaire: Questionnaire,
    pub school_name: String,
    pub lines: Vec<CodeLine>,
    /// (teacher id, name（工号）) of the school, for a 师德 round's issue form.
    pub teachers: Vec<(i64, String)>,
}

pub async fn code_sheet(
    svc: &Service,
    viewer: &Viewer,
    questionnaire: i64,
    school: SchoolId,
) -> Result<CodeSheet, ServiceError> {
    manage(viewer)?;
    let store = svc.store();
    let q = store.questionnaire(questionnaire).await?;
    let school_row = store.school(&viewer.scope, school).await?;
    let classes = store.list_classes(&viewer.scope, school).await?;
    let codes = store
        .survey_codes(&viewer.scope, questionnaire, school)
        .await?;
    let teachers: Vec<(i64, String)> = if q.about == SurveyAbout::Teacher {
        store
            .list_teachers(&viewer.scope, school)
            .await?
            .into_iter()
            .map(|t| (t.teacher_id.0, format!("{}（{}）", t.name, t.staff_no)))
            .collect()
    } else {
        Vec::new()
    };
    let lines = codes
        .into_iter()
        .map(|c| CodeLine {
            class: c
                .class_id
                .and_then(|id| classes.iter().find(|k| k.class.id == id))
                .map(|k| format!("{}{}", k.class.grade.label_zh(), k.class.name))
                .unwrap_or_default(),
            teacher: c
                .teacher_id
                .and_then(|id| teachers.iter().find(|(t, _)| *t == id.0))
                .map(|(_, name)| name.clone())
                .unwrap_or_default(),
            code: c.code,
            used: c.used,
        })
        .collect();
    Ok(CodeSheet {
        questionnaire: q,
        school_name: school_row.name,
        lines,
        teachers,
    })
}

/// The form a code opens, for the respondent.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenForm {
    pub code: String,
    pub questionnaire: Questionnaire,
    pub school_name: String,
    /// The teacher a 师德 code asks about, by name (shown above the questions).
    pub teacher_name: Option<String>,
}

/// The form a code opens: `NotFound` for an unknown code, `BadRequest` with the Chinese reason
/// for a used code or a round that is not open.
pub async fn open_code(svc: &Service, code: &str) -> Result<OpenForm, ServiceError> {
    let code = normalize_code(code);
    let store = svc.store();
    let Some(wuyu_store::OpenCode {
        questionnaire: q,
        school_id: school,
        teacher_id,
        used,
    }) = store.survey_code(&code).await?
    else {
        return Err(ServiceError::NotFound);
    };
    if used {
        return Err(ServiceError::BadRequest(
            "此答题码已经使用过，每个答题码只能作答一次".into(),
        ));
    }
    match q.status {
        QuestionnaireStatus::Published => {}
        QuestionnaireStatus::Closed => {
            return Err(ServiceError::BadRequest("问卷已结束，不再接受作答".into()));
        }
        QuestionnaireStatus::Draft => {
            return Err(ServiceError::BadRequest("问卷尚未发布，不能作答".into()));
        }
    }
    // The school's name is shown to whoever holds the code: reading it needs no scope.
    let school_name = store.school(&Scope::District, school).await?.name;
    // Only the name is shown: whoever holds a teacher's code knows whom it is about.
    let teacher_name = match teacher_id {
        Some(t) => store
            .list_teachers(&Scope::District, school)
            .await?
            .into_iter()
            .find(|v| v.teacher_id == t)
            .map(|v| v.name),
        None => None,
    };
    Ok(OpenForm {
        code,
        questionnaire: q,
        school_name,
        teacher_name,
    })
}

/// One anonymous response through a one-time code: stored whole with the code marked used,
/// or refused with a Chinese reason and nothing stored.
pub async fn submit_code(
    svc: &Service,
    code: &str,
    answers: &[Answer],
    now: i64,
) -> Result<(), ServiceError> {
    submit_code_with(svc, code, answers, &OtherAnswers::default(), now).await
}

/// One response through a one-time code with its choice and text answers.
pub async fn submit_code_with(
    svc: &Service,
    code: &str,
    answers: &[Answer],
    other: &OtherAnswers,
    now: i64,
) -> Result<(), ServiceError> {
    let code = normalize_code(code);
    svc.store()
        .submit_survey_code_with(&code, answers, other, now)
        .await
        .map_err(refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_random_typeable_and_read_leniently() {
        let a = new_code().unwrap();
        let b = new_code().unwrap();
        assert_eq!(a.len(), CODE_LEN);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| ALPHABET.contains(&c)));
        assert_eq!(normalize_code(" abcd-efgh 23 "), "ABCDEFGH23");
    }
}
