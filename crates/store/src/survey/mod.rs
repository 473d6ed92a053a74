//! Surveys (issue 15): questionnaires, anonymous response links per school, and the responses.
//! A response stores no identity: only the school its link belongs to, the time, and one
//! character per item. Reads of answers take the caller's scope (district: every school; a
//! school admin: their school; other scopes: `Forbidden`).
use wuyu_analytics::satisfaction::Answer;
use wuyu_domain::{
    ClassId, NewQuestionnaire, OtherAnswers, Questionnaire, QuestionnaireStatus, SchoolId, Scope,
    TeacherId,
};

use crate::StoreFuture;

/// One school's answers to a questionnaire, row-major: `items` answers per response.
#[derive(Debug, Clone, PartialEq)]
pub struct SchoolAnswers {
    pub school_id: SchoolId,
    pub items: usize,
    pub answers: Vec<Answer>,
}

impl SchoolAnswers {
    pub fn responses(&self) -> usize {
        self.answers.len() / self.items.max(1)
    }
}

/// One class's answers to a questionnaire (responses through a class's link or codes).
#[derive(Debug, Clone, PartialEq)]
pub struct ClassAnswers {
    pub school_id: SchoolId,
    pub class_id: ClassId,
    pub items: usize,
    pub answers: Vec<Answer>,
}

/// One named teacher's answers to a 师德 round (responses through the codes issued for the
/// teacher), with how many codes were issued for them.
#[derive(Debug, Clone, PartialEq)]
pub struct TeacherAnswers {
    pub school_id: SchoolId,
    pub teacher_id: TeacherId,
    pub issued: usize,
    pub items: usize,
    pub answers: Vec<Answer>,
}

impl TeacherAnswers {
    pub fn responses(&self) -> usize {
        self.answers.len() / self.items.max(1)
    }
}

/// What a one-time code opens.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenCode {
    pub questionnaire: Questionnaire,
    pub school_id: SchoolId,
    /// The teacher a 师德 code is about.
    pub teacher_id: Option<TeacherId>,
    pub used: bool,
}

/// What an anonymous link opens: the questionnaire, the school and, for a class's link, the
/// class.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyLink {
    pub questionnaire: Questionnaire,
    pub school_id: SchoolId,
    pub class_id: Option<ClassId>,
}

/// One issued one-time answer code, for the printed sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyCode {
    pub code: String,
    pub class_id: Option<ClassId>,
    /// The teacher a 师德 code is about.
    pub teacher_id: Option<TeacherId>,
    pub used: bool,
}

/// How many codes a school was issued for a questionnaire and how many were answered: the
/// response rate's denominator and numerator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeCounts {
    pub school_id: SchoolId,
    pub issued: usize,
    pub used: usize,
}

/// How one school's (or class's) respondents answered one choice item: how many answered it
/// and how many picked each option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceTally {
    pub school_id: SchoolId,
    /// The class of the link or code answered through, if any.
    pub class_id: Option<ClassId>,
    /// The item's index in the questionnaire.
    pub item: usize,
    pub answered: usize,
    /// One count per option, in the item's order.
    pub picks: Vec<usize>,
}

/// One free-text answer, without anything about who wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextAnswer {
    pub school_id: SchoolId,
    pub item: usize,
    pub text: String,
    pub submitted_at: i64,
}

/// Answers packed one character per item: `1`…`5`, `?` for 不了解, `-` for blank.
pub(crate) fn pack(answers: &[Answer]) -> String {
    answers
        .iter()
        .map(|a| match a {
            Answer::Point(p) => char::from(b'0' + p),
            Answer::Unknown => '?',
            Answer::Blank => '-',
        })
        .collect()
}

pub(crate) fn unpack(text: &str, out: &mut Vec<Answer>) -> Option<()> {
    for c in text.bytes() {
        out.push(match c {
            b'1'..=b'5' => Answer::Point(c - b'0'),
            b'?' => Answer::Unknown,
            b'-' => Answer::Blank,
            _ => return None,
        });
    }
    Some(())
}

/// Why a response is refused, in Chinese for the respondent; `None` when it may be stored.
pub(crate) fn refusal(
    q: &Questionnaire,
    answers: &[Answer],
    other: &OtherAnswers,
) -> Option<String> {
    match q.status {
        QuestionnaireStatus::Published => {}
        QuestionnaireStatus::Draft => return Some("问卷尚未发布，不能作答".into()),
        QuestionnaireStatus::Closed => return Some("问卷已结束，不再接受作答".into()),
    }
    if answers.len() != q.items.len() {
        return Some(format!(
            "答卷题数（{}）与问卷（{}）不符",
            answers.len(),
            q.items.len()
        ));
    }
    for (item, a) in q.items.iter().zip(answers) {
        let ok = match a {
            Answer::Point(p) => (1..=5).contains(p),
            Answer::Unknown => item.allow_unknown,
            Answer::Blank => true,
        };
        if !ok {
            return Some(format!("“{}”的答案不在选项之中", item.text));
        }
    }
    let likert: Vec<bool> = answers.iter().map(|a| *a != Answer::Blank).collect();
    if let Some(why) = other.refusal(&q.items, &likert) {
        return Some(why);
    }
    if answers.iter().all(|a| *a == Answer::Blank) && other.is_empty() {
        return Some("问卷一题都没有作答".into());
    }
    None
}

/// A response with 5-point answers only.
static NO_OTHER: OtherAnswers = OtherAnswers::NONE;

/// Questionnaires, links and responses.
pub trait SurveyStore: Send + Sync {
    /// Stores a draft questionnaire (checked with [`NewQuestionnaire::check`]; an invalid one
    /// is `Refused`); returns its id.
    fn create_questionnaire<'a>(
        &'a self,
        q: &'a NewQuestionnaire,
        now: i64,
    ) -> StoreFuture<'a, i64>;

    /// One questionnaire (`NotFound`).
    fn questionnaire(&self, id: i64) -> StoreFuture<'_, Questionnaire>;

    /// Every questionnaire, newest first.
    fn list_questionnaires(&self) -> StoreFuture<'_, Vec<Questionnaire>>;

    /// Edits a questionnaire: a draft is changed in place (its id is returned); a published or
    /// closed one is left as it is, with the answers given to it, and the edit becomes a new
    /// draft version (its new id is returned).
    fn revise_questionnaire<'a>(
        &'a self,
        id: i64,
        q: &'a NewQuestionnaire,
        now: i64,
    ) -> StoreFuture<'a, i64>;

    /// draft → published, or published → closed; anything else is a `Conflict`.
    fn set_questionnaire_status(&self, id: i64, status: QuestionnaireStatus)
    -> StoreFuture<'_, ()>;

    /// An anonymous link of a published questionnaire for one school, or one of its classes
    /// (`Conflict` when the questionnaire is not published or the token is taken; `Refused`
    /// for a 师德 round, which only codes answer).
    fn create_survey_link<'a>(
        &'a self,
        questionnaire_id: i64,
        school_id: SchoolId,
        class_id: Option<ClassId>,
        token: &'a str,
    ) -> StoreFuture<'a, ()>;

    /// What a link token opens; `None` for an unknown token.
    fn survey_link<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Option<SurveyLink>>;

    /// The links of a questionnaire for one school, as (token, class), school-wide first; the
    /// scope must reach the school (else `Forbidden`).
    fn survey_links<'a>(
        &'a self,
        scope: &'a Scope,
        questionnaire_id: i64,
        school_id: SchoolId,
    ) -> StoreFuture<'a, Vec<(String, Option<ClassId>)>>;

    /// Stores one response through a link, in one transaction, or nothing: an unknown token
    /// is `NotFound`; a draft or closed questionnaire, a wrong number of answers, 不了解 on an
    /// item without it, or an empty form is `Refused`.
    fn submit_survey_response<'a>(
        &'a self,
        token: &'a str,
        answers: &'a [Answer],
        now: i64,
    ) -> StoreFuture<'a, ()> {
        self.submit_survey_response_with(token, answers, &NO_OTHER, now)
    }

    /// As [`SurveyStore::submit_survey_response`], with the choice and text answers, stored in
    /// the response's transaction; answers that do not fit their items are `Refused`.
    fn submit_survey_response_with<'a>(
        &'a self,
        token: &'a str,
        answers: &'a [Answer],
        other: &'a OtherAnswers,
        now: i64,
    ) -> StoreFuture<'a, ()>;

    /// Stores fresh one-time codes of a published questionnaire for one school (and class),
    /// all or none: `Conflict` when the questionnaire is not published or a code is taken.
    /// A 师德 round's codes name one teacher of the school, a school round's none (`Refused`
    /// otherwise, in Chinese).
    fn issue_survey_codes<'a>(
        &'a self,
        questionnaire_id: i64,
        school_id: SchoolId,
        class_id: Option<ClassId>,
        teacher_id: Option<TeacherId>,
        codes: &'a [String],
        now: i64,
    ) -> StoreFuture<'a, ()>;

    /// The codes of a questionnaire for one school, in issue order; the scope must reach the
    /// school (district or its admin, else `Forbidden`).
    fn survey_codes<'a>(
        &'a self,
        scope: &'a Scope,
        questionnaire_id: i64,
        school_id: SchoolId,
    ) -> StoreFuture<'a, Vec<SurveyCode>>;

    /// What a code opens: the questionnaire, the school, the teacher of a 师德 code and
    /// whether the code was used; `None` for an unknown code.
    fn survey_code<'a>(&'a self, code: &'a str) -> StoreFuture<'a, Option<OpenCode>>;

    /// Stores one response through a one-time code and marks the code used, in one
    /// transaction, or nothing: an unknown code is `NotFound`; a used code, a draft or closed
    /// questionnaire or answers outside the options are `Refused`.
    fn submit_survey_code<'a>(
        &'a self,
        code: &'a str,
        answers: &'a [Answer],
        now: i64,
    ) -> StoreFuture<'a, ()> {
        self.submit_survey_code_with(code, answers, &NO_OTHER, now)
    }

    /// As [`SurveyStore::submit_survey_code`], with the choice and text answers.
    fn submit_survey_code_with<'a>(
        &'a self,
        code: &'a str,
        answers: &'a [Answer],
        other: &'a OtherAnswers,
        now: i64,
    ) -> StoreFuture<'a, ()>;

    /// The choice items' counts per school and class the scope reaches (district or a school
    /// admin, else `Forbidden`), by school, class, item.
    fn survey_choice_tallies<'a>(
        &'a self,
        scope: &'a Scope,
        questionnaire_id: i64,
    ) -> StoreFuture<'a, Vec<ChoiceTally>>;

    /// The free-text answers of the schools the scope reaches, by school, item and order of
    /// arrival. Callers check the right to read them and audit the read.
    fn survey_text_answers<'a>(
        &'a self,
        scope: &'a Scope,
        questionnaire_id: i64,
    ) -> StoreFuture<'a, Vec<TextAnswer>>;

    /// Issued and used codes of a questionnaire per school the scope reaches.
    fn survey_code_counts<'a>(
        &'a self,
        scope: &'a Scope,
        questionnaire_id: i64,
    ) -> StoreFuture<'a, Vec<CodeCounts>>;

    /// The answers to a questionnaire per school the scope reaches, by school id.
    fn survey_answers<'a>(
        &'a self,
        scope: &'a Scope,
        questionnaire_id: i64,
    ) -> StoreFuture<'a, Vec<SchoolAnswers>>;

    /// The answers to a 师德 round per named teacher of the schools the scope reaches (every
    /// teacher with codes, answered or not), by school and teacher id.
    fn survey_teacher_answers<'a>(
        &'a self,
        scope: &'a Scope,
        questionnaire_id: i64,
    ) -> StoreFuture<'a, Vec<TeacherAnswers>>;

    /// The answers given through a class's link or codes, per class of the schools the scope
    /// reaches, by school and class id.
    fn survey_class_answers<'a>(
        &'a self,
        scope: &'a Scope,
        questionnaire_id: i64,
    ) -> StoreFuture<'a, Vec<ClassAnswers>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_stored_before_choice_items_read_as_five_point_items() {
        let old: Vec<wuyu_domain::SurveyItem> = serde_json::from_str(
            r#"[{"code":"Q1","text":"总体","reverse":false,"allow_unknown":true,"scale":null}]"#,
        )
        .unwrap();
        assert_eq!(old[0].kind, wuyu_domain::ItemKind::Likert);
        assert!(!old[0].required);
    }

    #[test]
    fn packing_round_trips() {
        let a = [
            Answer::Point(5),
            Answer::Unknown,
            Answer::Blank,
            Answer::Point(1),
        ];
        let text = pack(&a);
        assert_eq!(text, "5?-1");
        let mut back = Vec::new();
        unpack(&text, &mut back).unwrap();
        assert_eq!(back, a);
        assert!(unpack("6", &mut back).is_none());
    }
}
