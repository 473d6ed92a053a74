//! 师德评价 of named teachers: a round about teachers is answered through one-time codes, each
//! issued for one teacher, and reported per teacher over the one 师德 scale — under the
//! audience's minimum respondents (30 parents, 10 colleagues, never under 5) a teacher shows
//! only n. A named teacher's results are staff data: [`Capability::ViewTeacherSurveyResults`]
//! within the scope, and every read is audited. The appraisal takes its parent and peer
//! components from here ([`teacher_sources`]).
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use wuyu_analytics::satisfaction::{MinRespondents, ScaleResult, scale_result, scale_scores};
use wuyu_domain::{
    Capability, Questionnaire, QuestionnaireStatus, SchoolId, Scope, SurveyAbout, SurveyAudience,
    TeacherId, Viewer,
};
use wuyu_store::{AuditEntry, TeacherAnswers};

use super::school_year_at;
use crate::audit::Requester;
use crate::{Service, ServiceError};

/// A school's teachers: (工号, name) by id.
type TeacherNames = BTreeMap<TeacherId, (String, String)>;

/// One named teacher's result in a 师德 round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeacherResult {
    pub school_id: SchoolId,
    pub school_name: String,
    pub teacher_id: TeacherId,
    pub staff_no: String,
    pub name: String,
    /// Codes issued for the teacher.
    pub issued: usize,
    /// Answer sheets received.
    pub responses: usize,
    /// The scale over the round's items: `n` always; every number `None` when suppressed.
    pub scale: ScaleResult,
}

impl TeacherResult {
    pub fn suppressed(&self) -> bool {
        self.scale.suppressed()
    }
}

/// A 师德 round's per-teacher results, as far as the reader may see.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeacherResults {
    pub questionnaire: Questionnaire,
    pub min_n: usize,
    pub teachers: Vec<TeacherResult>,
}

/// The round's answers keyed as the results count them, and the reverse flags (all false once
/// keyed: the scale takes every item of the round).
fn scale_of(q: &Questionnaire, t: &TeacherAnswers, min: MinRespondents) -> ScaleResult {
    let k = q.items.len().max(1);
    let reverse: Vec<bool> = q.items.iter().map(|i| i.reverse).collect();
    scale_result(&t.answers, k, &reverse, min).unwrap_or(ScaleResult {
        items: k,
        n: 0,
        top2_rate: None,
        ci_low: None,
        ci_high: None,
        top3_rate: None,
        mean: None,
        index: None,
        alpha: None,
        alpha_n: 0,
    })
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Per-teacher results of a 师德 round: the district every school (or one), a school admin
/// their school; `teacher` narrows to one named teacher. The read is audited before anything
/// is returned (a read whose entry cannot be written fails).
pub async fn teacher_results(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    questionnaire: i64,
    school: Option<SchoolId>,
    teacher: Option<TeacherId>,
) -> Result<TeacherResults, ServiceError> {
    if !viewer.can(Capability::ViewTeacherSurveyResults) {
        return Err(ServiceError::Forbidden);
    }
    let school = match (&viewer.scope, school) {
        (Scope::District, s) => s,
        (Scope::School { school_id }, None) => Some(*school_id),
        (Scope::School { school_id }, Some(s)) if *school_id == s => Some(s),
        _ => return Err(ServiceError::Forbidden),
    };
    let store = svc.store();
    let q = store.questionnaire(questionnaire).await?;
    if q.about != SurveyAbout::Teacher {
        return Err(ServiceError::BadRequest(format!(
            "问卷“{}”评价的是学校，没有按教师的结果",
            q.title
        )));
    }
    let entity = match (school, teacher) {
        (Some(s), Some(t)) => format!("survey_teacher:{questionnaire}:{}:{}", s.0, t.0),
        (Some(s), None) => format!("survey_teacher:{questionnaire}:{}", s.0),
        (None, _) => format!("survey_teacher:{questionnaire}"),
    };
    crate::audit::append(
        svc,
        &AuditEntry {
            at: now_unix(),
            user_id: who.user_id,
            username: who.username.clone(),
            action: "read_teacher_survey".into(),
            school_id: school,
            entity,
            detail: String::new(),
            ip: who.ip.clone(),
        },
    )
    .await?;
    let mut answers = store
        .survey_teacher_answers(&viewer.scope, questionnaire)
        .await?;
    answers.retain(|a| {
        school.is_none_or(|s| a.school_id == s) && teacher.is_none_or(|t| a.teacher_id == t)
    });
    let min = MinRespondents::new(q.audience.min_respondents());
    // Each school's name and its teachers' (工号, name), read once.
    let mut names: HashMap<SchoolId, (String, TeacherNames)> = HashMap::new();
    let mut schools: Vec<SchoolId> = answers.iter().map(|a| a.school_id).collect();
    schools.dedup();
    for s in schools {
        let school_name = store.school(&viewer.scope, s).await?.name;
        let teachers = store
            .list_teachers(&viewer.scope, s)
            .await?
            .into_iter()
            .map(|t| (t.teacher_id, (t.staff_no, t.name)))
            .collect();
        names.insert(s, (school_name, teachers));
    }
    let mut out = Vec::with_capacity(answers.len());
    for a in &answers {
        let (school_name, teachers) = &names[&a.school_id];
        let (staff_no, name) = teachers
            .get(&a.teacher_id)
            .cloned()
            .unwrap_or_else(|| (String::new(), format!("教师 {}", a.teacher_id.0)));
        out.push(TeacherResult {
            school_id: a.school_id,
            school_name: school_name.clone(),
            teacher_id: a.teacher_id,
            staff_no,
            name,
            issued: a.issued,
            responses: a.responses(),
            scale: scale_of(&q, a, min),
        });
    }
    if teacher.is_some() && out.is_empty() {
        return Err(ServiceError::NotFound);
    }
    Ok(TeacherResults {
        min_n: min.get(),
        questionnaire: q,
        teachers: out,
    })
}

/// Where a survey-fed appraisal component came from: the round and its respondents.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SurveyOrigin {
    pub questionnaire_id: i64,
    /// Respondents with a score (the number the minimum was checked against).
    pub n: usize,
}

/// A teacher's appraisal components from the year's 师德 rounds, only where reported (not
/// suppressed).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TeacherSurveySources {
    /// The parents'/students' round: the 0–100 index of its items.
    pub parent: Option<(f64, SurveyOrigin)>,
    /// The colleagues' round: each respondent's own score on 0–100, so the appraisal's
    /// trimmed peer mean (§6.2: drop the highest and the lowest with ≥ 5 raters) applies to
    /// them as to uploaded ratings — one colleague's extreme sheet is blunted, which the
    /// round's plain index would not do.
    pub peer: Option<(Vec<f64>, SurveyOrigin)>,
}

/// Two decimals: a score as stored and shown.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The 师德 rounds (published or closed) started in `year`, newest first, for one audience
/// group: parents'/students' or colleagues'.
async fn rounds_of(
    svc: &Service,
    year: i32,
    peers: bool,
) -> Result<Vec<Questionnaire>, ServiceError> {
    let mut rounds: Vec<Questionnaire> = svc
        .store()
        .list_questionnaires()
        .await?
        .into_iter()
        .filter(|q| {
            q.about == SurveyAbout::Teacher
                && q.status != QuestionnaireStatus::Draft
                && (q.audience == SurveyAudience::Teachers) == peers
                && school_year_at(q.created_at) == year
        })
        .collect();
    rounds.sort_by_key(|q| std::cmp::Reverse((q.created_at, q.id)));
    Ok(rounds)
}

/// Every teacher of `school` reported in the year's 师德 rounds, with the components the
/// appraisal may take: the newest round that reports the teacher wins. Internal to the
/// appraisal use case, whose caller manages the school's appraisal.
pub async fn teacher_sources(
    svc: &Service,
    school: SchoolId,
    year: i32,
) -> Result<HashMap<TeacherId, TeacherSurveySources>, ServiceError> {
    let store = svc.store();
    let scope = Scope::School { school_id: school };
    let mut out: HashMap<TeacherId, TeacherSurveySources> = HashMap::new();
    for peers in [false, true] {
        for q in rounds_of(svc, year, peers).await? {
            let min = MinRespondents::new(q.audience.min_respondents());
            let k = q.items.len().max(1);
            let reverse: Vec<bool> = q.items.iter().map(|i| i.reverse).collect();
            for a in store.survey_teacher_answers(&scope, q.id).await? {
                let entry = out.entry(a.teacher_id).or_default();
                if (peers && entry.peer.is_some()) || (!peers && entry.parent.is_some()) {
                    continue;
                }
                let scale = scale_of(&q, &a, min);
                let Some(index) = scale.index else {
                    continue;
                };
                let origin = SurveyOrigin {
                    questionnaire_id: q.id,
                    n: scale.n,
                };
                if peers {
                    let ratings = scale_scores(&a.answers, k, &reverse)
                        .map_err(|e| ServiceError::Internal(e.to_string()))?
                        .into_iter()
                        .flatten()
                        .map(|x| round2(100.0 * (x - 1.0) / 4.0))
                        .collect();
                    entry.peer = Some((ratings, origin));
                } else {
                    entry.parent = Some((round2(index), origin));
                }
            }
        }
    }
    out.retain(|_, s| s.parent.is_some() || s.peer.is_some());
    Ok(out)
}
