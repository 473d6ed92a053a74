//! The appraisal use cases. Rights: `ViewStaffAppraisal` to read (a teacher: their own row),
//! `ManageStaffAppraisal` to import and start the 公示 (a school admin: their school),
//! `ApproveStaffAppraisal` to approve and answer appeals; a teacher appeals and confirms only
//! their own result.
use std::collections::HashMap;

use serde::Serialize;
use time::Date;
use wuyu_analytics::appraisal::{
    AppraisalCase, AppraisalRules, AppraisalWeights, EventVa, Level, SourceValues, TeachingBasis,
    appraise, compose, exclusion, percentile_ranks, teacher_value_added, teaching_score,
};
use wuyu_analytics::compare::{AlertStatus, ParallelAlert};
use wuyu_domain::{Capability, RowError, SchoolId, Scope, TeacherId, Viewer};
use wuyu_ingest::staff::{RowSources, read_appraisal_input};
use wuyu_store::staff::{
    Appraisal, AppraisalInput, AppraisalRound, AppraisalRow, AppraisalState, CommitteeChoice,
    NewAppraisal, RoundSummary, ScoreBasis, ScoreSources, StaffReader, SurveySource,
};
use wuyu_store::{AuditEntry, StoreError, TeacherAlert};

use super::publicity::{PUBLICITY_WORKING_DAYS, publicity_last_day};
use crate::audit::Requester;
use crate::{Service, ServiceError};

/// The cap arithmetic a page shows: nothing decided silently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapArithmetic {
    pub n_base: u32,
    /// The quota in percent (20, 25 or 15).
    pub quota_percent: u32,
    /// q·N with two decimals, e.g. "2.40".
    pub product: String,
    pub cap: u32,
    pub excellent: usize,
    pub committee: usize,
}

/// A school's appraisal as the reader may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppraisalView {
    pub round: AppraisalRound,
    pub rows: Vec<AppraisalRow>,
    pub arithmetic: CapArithmetic,
    /// The parallel-class alerts (trust issue) of the cycle ending with the appraisal's year
    /// that were flagged or have a recorded decision, for the teachers the reader sees: part of
    /// the teacher's appraisal file, never an input to the level.
    pub alerts: Vec<TeacherAlert>,
    /// Composed rows whose weights are not what the district's current weights give for the
    /// same sources: the weights changed after the draft (a redraft brings them in line).
    pub reweighted: usize,
}

/// Would the district's `current` weights compose this row with other weights than it was?
fn reweighted(row: &AppraisalInput, current: &AppraisalWeights) -> bool {
    let s = &row.sources;
    let Some(used) = s.weights.filter(|_| s.score_basis == ScoreBasis::Composed) else {
        return false;
    };
    let values = SourceValues {
        org: row.org_score,
        peer_ratings: s.peer_ratings.clone(),
        parent: s.parent_score,
        teaching: s.teaching_score,
        workload: s.workload_score,
    };
    match compose(&values, current) {
        Ok(Some(now)) => now
            .weights
            .iter()
            .zip(used)
            .any(|(a, b)| (a - b).abs() > 1e-9),
        // Nothing to compose with now: a redraft would say so.
        _ => true,
    }
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn entry(who: &Requester, action: &str, school: SchoolId, entity: String) -> AuditEntry {
    AuditEntry {
        at: now_unix(),
        user_id: who.user_id,
        username: who.username.clone(),
        action: action.to_string(),
        school_id: Some(school),
        entity,
        detail: String::new(),
        ip: who.ip.clone(),
    }
}

/// A store refusal carries a Chinese message for the user.
fn from_store(e: StoreError) -> ServiceError {
    match e {
        StoreError::Refused(m) => ServiceError::BadRequest(m),
        other => other.into(),
    }
}

fn require(viewer: &Viewer, c: Capability) -> Result<(), ServiceError> {
    if viewer.can(c) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// Whose rows a viewer reads in `school`: the district everything, a school admin their
/// school, a teacher only their own record.
pub(crate) fn reader(viewer: &Viewer, school: SchoolId) -> Result<StaffReader, ServiceError> {
    require(viewer, Capability::ViewStaffAppraisal)?;
    match (&viewer.scope, viewer.user.teacher_id) {
        (Scope::District, _) => Ok(StaffReader::District),
        (Scope::School { school_id }, _) if *school_id == school => Ok(StaffReader::School(school)),
        (Scope::Classes { school_id, .. }, Some(t)) if *school_id == school => {
            Ok(StaffReader::Teacher(school, t))
        }
        _ => Err(ServiceError::Forbidden),
    }
}

/// May the viewer manage `school`'s appraisal?
pub(crate) fn manages(
    viewer: &Viewer,
    school: SchoolId,
    c: Capability,
) -> Result<(), ServiceError> {
    require(viewer, c)?;
    if viewer.scope.is_district() || viewer.scope == (Scope::School { school_id: school }) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// The teacher the viewer is, in `school`.
fn own_teacher(viewer: &Viewer, school: SchoolId) -> Result<TeacherId, ServiceError> {
    match reader(viewer, school)? {
        StaffReader::Teacher(_, t) => Ok(t),
        _ => Err(ServiceError::Forbidden),
    }
}

fn arithmetic(a: &Appraisal, rules: &AppraisalRules) -> CapArithmetic {
    let q = rules.quota(a.round.unit_rating);
    let count = |l: Level| a.rows.iter().filter(|r| r.input.level == l).count();
    CapArithmetic {
        n_base: a.round.n_base,
        quota_percent: (q * 100.0).round() as u32,
        product: format!("{:.2}", q * f64::from(a.round.n_base)),
        cap: a.round.cap,
        excellent: count(Level::Excellent),
        committee: count(Level::Committee),
    }
}

/// A school's appraisal of `year` (audited read), or `None` when there is none.
pub async fn appraisal(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    year: i32,
) -> Result<Option<AppraisalView>, ServiceError> {
    let reader = reader(viewer, school)?;
    let action = match reader {
        StaffReader::Teacher(..) => "read_own_appraisal",
        _ => "read_appraisal",
    };
    read_as(svc, who, reader, school, year, action).await
}

/// The audited read behind the page, the export and the 公示 list, with its own action.
pub(crate) async fn read_as(
    svc: &Service,
    who: &Requester,
    reader: StaffReader,
    school: SchoolId,
    year: i32,
    action: &str,
) -> Result<Option<AppraisalView>, ServiceError> {
    let audit = entry(
        who,
        action,
        school,
        format!("staff_appraisal:{}:{year}", school.0),
    );
    let Some(a) = svc
        .store()
        .appraisal(reader, school, year, &audit)
        .await
        .map_err(from_store)?
    else {
        return Ok(None);
    };
    let arithmetic = arithmetic(&a, &AppraisalRules::default());
    // The reader's rights were settled above; the alerts are narrowed to the same teachers.
    let alerts = svc
        .store()
        .parallel_alerts(&Scope::District, Some(school), year)
        .await?
        .into_iter()
        .filter(|t| t.school_id == school)
        .filter(|t| match reader {
            StaffReader::Teacher(_, own) => own == t.teacher_id,
            _ => true,
        })
        .filter(|t| t.alert.status == AlertStatus::Flagged || t.decision.is_some())
        .collect();
    let weights = svc.store().district_settings().await?.appraisal_weights;
    let reweighted = a
        .rows
        .iter()
        .filter(|r| reweighted(&r.input, &weights))
        .count();
    Ok(Some(AppraisalView {
        round: a.round,
        rows: a.rows,
        arithmetic,
        alerts,
        reweighted,
    }))
}

/// Imports a school's appraisal inputs (the levels layout of modules.md §4, the school
/// column naming this school by its code), computes every level and saves the draft. Any
/// bad row — a cell, a teacher not in the school's roster, another school — rejects the file;
/// nothing is written. A draft already in 公示 or approved is a conflict.
pub async fn import_appraisal(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    year: i32,
    bytes: &[u8],
    file_name: &str,
) -> Result<AppraisalView, ServiceError> {
    manages(viewer, school, Capability::ManageStaffAppraisal)?;
    let tables = wuyu_ingest::read_tables(file_name, bytes)
        .map_err(|e| ServiceError::BadRequest(format!("{file_name}：{e}")))?;
    let table = tables
        .tables
        .into_iter()
        .find(|t| !t.hidden && !t.header.is_empty())
        .ok_or_else(|| ServiceError::BadRequest(format!("{file_name} 是空的")))?;
    let input = read_appraisal_input(file_name, &table);
    if !input.errors.is_empty() {
        return Err(ServiceError::Rejected(input.errors));
    }
    let store = svc.store();
    let mut errors: Vec<RowError> = Vec::new();
    let mut schools: HashMap<String, Option<SchoolId>> = HashMap::new();
    let mut teachers = Vec::with_capacity(input.cases.len());
    for (case, row) in input.cases.iter().zip(table.rows()) {
        let err = |column: &str, value: &str, message_zh: String| RowError {
            file: file_name.to_string(),
            sheet: table.name.clone(),
            row: row.number,
            column: column.to_string(),
            value: value.to_string(),
            message_zh,
        };
        let named = match schools.get(&case.school) {
            Some(s) => *s,
            None => {
                let s = store.school_by_code(&case.school).await?;
                schools.insert(case.school.clone(), s);
                s
            }
        };
        if named != Some(school) {
            errors.push(err(
                "学校",
                &case.school,
                "不是本校的学校代码：一个文件只能是本校的教师".into(),
            ));
            continue;
        }
        match store.teacher_by_staff_no(school, &case.staff_no).await? {
            Some(t) => teachers.push(t),
            None => errors.push(err(
                "工号",
                &case.staff_no,
                "不在本校教师名单中：请先在花名册中导入这名教师".into(),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Rejected(errors));
    }
    let drafted = match drafted(
        svc,
        school,
        year,
        input.cases.clone(),
        &input.sources,
        &teachers,
    )
    .await?
    {
        Ok(d) => d,
        Err(blank) => {
            let rows: Vec<_> = table.rows().collect();
            return Err(ServiceError::Rejected(
                blank
                    .into_iter()
                    .map(|i| RowError {
                        file: file_name.to_string(),
                        sheet: table.name.clone(),
                        row: rows[i].number,
                        column: "考核得分".into(),
                        value: String::new(),
                        message_zh: BLANK_SCORE.into(),
                    })
                    .collect(),
            ));
        }
    };
    let mut audit = entry(
        who,
        "import_appraisal",
        school,
        format!("staff_appraisal:{}:{year}", school.0),
    );
    audit.detail = format!(
        "file={file_name} teachers={} {}",
        input.cases.len(),
        drafted.detail()
    );
    store
        .save_appraisal(&drafted.draft, &audit)
        .await
        .map_err(from_store)?;
    appraisal(svc, viewer, who, school, year)
        .await?
        .ok_or(ServiceError::NotFound)
}

const BLANK_SCORE: &str = "是空的，且没有区设置中权重大于 0 的得分来源可以合成：请填写考核得分，或按区设置的权重提供组织评价得分、同事互评（至少 3 人）、家长学生评价、工作量";

/// A draft composed and levelled, with what the audit entry says about it.
struct Drafted {
    draft: NewAppraisal,
    composed: usize,
    flagged: usize,
    weights: AppraisalWeights,
}

impl Drafted {
    fn detail(&self) -> String {
        format!(
            "composed={} renormalised={} weights={:?} n_base={} cap={}",
            self.composed,
            self.flagged,
            self.weights.as_array(),
            self.draft.n_base,
            self.draft.cap
        )
    }
}

/// Composes the blank scores (`compose_scores`) and computes every level: the one path of an
/// import and a redraft. Answers the indices of cases left without a score that count in N
/// (no source with a positive weight), so the caller can name them.
async fn drafted(
    svc: &Service,
    school: SchoolId,
    year: i32,
    mut cases: Vec<AppraisalCase>,
    given: &[RowSources],
    teachers: &[TeacherId],
) -> Result<Result<Drafted, Vec<usize>>, ServiceError> {
    let rules = AppraisalRules::default();
    let (sources, weights) = compose_scores(svc, school, year, &mut cases, given, teachers).await?;
    let blank: Vec<usize> = cases
        .iter()
        .enumerate()
        .filter(|(_, c)| c.score.is_none() && exclusion(c, &rules).is_none())
        .map(|(i, _)| i)
        .collect();
    if !blank.is_empty() {
        return Ok(Err(blank));
    }
    let out = appraise(&cases, &rules).map_err(|e| ServiceError::BadRequest(e.to_string()))?;
    let (n_base, cap) = out
        .first()
        .map_or((0, 0), |o| (o.n_base as u32, o.cap as u32));
    let composed = sources
        .iter()
        .filter(|s| s.score_basis == ScoreBasis::Composed)
        .count();
    let flagged = sources.iter().filter(|s| s.renormalised).count();
    let rows = cases
        .iter()
        .zip(&out)
        .zip(teachers)
        .zip(sources)
        .map(|(((c, o), &t), sources)| AppraisalInput {
            teacher_id: t,
            score: c.score,
            org_score: c.org_score,
            sources,
            first_job_months: c.first_job_months,
            leave_days: c.leave_days,
            under_investigation: c.under_investigation,
            ethics_violation: c.ethics_violation,
            sanction: c.sanction,
            level: o.level,
            committee_reason: None,
        })
        .collect();
    let unit_rating = cases
        .first()
        .map_or(wuyu_analytics::appraisal::UnitRating::Normal, |c| {
            c.unit_rating
        });
    Ok(Ok(Drafted {
        draft: NewAppraisal {
            school_id: school,
            school_year: year,
            unit_rating,
            n_base,
            cap,
            rows,
        },
        composed,
        flagged,
        weights,
    }))
}

/// Composes a draft again from its stored inputs with the district's current weights, the
/// exams' teaching results and the year's 师德 rounds — after a weights change, say. An uploaded
/// score stays; a composed one is composed again; a component taken from a survey is taken
/// again, an uploaded one kept. Every level is computed anew, so the committee's choices go (the
/// cap may have moved). Only a draft: a round in 公示 or approved is refused by the store.
pub async fn redraft_appraisal(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    year: i32,
) -> Result<AppraisalView, ServiceError> {
    manages(viewer, school, Capability::ManageStaffAppraisal)?;
    let read = entry(
        who,
        "read_appraisal",
        school,
        format!("staff_appraisal:{}:{year}", school.0),
    );
    let Some(old) = svc
        .store()
        .appraisal(StaffReader::School(school), school, year, &read)
        .await
        .map_err(from_store)?
    else {
        return Err(ServiceError::NotFound);
    };
    if old.round.state != AppraisalState::Draft {
        return Err(ServiceError::Conflict(format!(
            "考核结果{}，不能重新合成",
            old.round.state.label_zh()
        )));
    }
    let code = school.0.to_string();
    let mut cases = Vec::with_capacity(old.rows.len());
    let mut given = Vec::with_capacity(old.rows.len());
    let mut teachers = Vec::with_capacity(old.rows.len());
    for r in &old.rows {
        let i = &r.input;
        let s = &i.sources;
        cases.push(AppraisalCase {
            school: code.clone(),
            unit_rating: old.round.unit_rating,
            staff_no: r.staff_no.clone(),
            score: (s.score_basis == ScoreBasis::Uploaded)
                .then_some(i.score)
                .flatten(),
            org_score: i.org_score,
            first_job_months: i.first_job_months,
            leave_days: i.leave_days,
            under_investigation: i.under_investigation,
            ethics_violation: i.ethics_violation,
            sanction: i.sanction,
        });
        given.push(RowSources {
            peer_ratings: if s.peer_survey.is_some() {
                Vec::new()
            } else {
                s.peer_ratings.clone()
            },
            parent_score: s.parent_score.filter(|_| s.parent_survey.is_none()),
            workload_score: s.workload_score,
        });
        teachers.push(i.teacher_id);
    }
    let drafted = match drafted(svc, school, year, cases, &given, &teachers).await? {
        Ok(d) => d,
        Err(blank) => {
            let names: Vec<&str> = blank
                .iter()
                .map(|&i| old.rows[i].teacher_name.as_str())
                .collect();
            return Err(ServiceError::BadRequest(format!(
                "按区里现在的权重，{} 没有任何权重大于 0 的得分来源，无法重新合成：请调整权重，或重新导入带考核得分的文件",
                names.join("、")
            )));
        }
    };
    let mut audit = entry(
        who,
        "redraft_appraisal",
        school,
        format!("staff_appraisal:{}:{year}", school.0),
    );
    audit.detail = format!("teachers={} {}", old.rows.len(), drafted.detail());
    svc.store()
        .save_appraisal(&drafted.draft, &audit)
        .await
        .map_err(from_store)?;
    appraisal(svc, viewer, who, school, year)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Composes the score of every case whose score was left blank from its sources, with the
/// district's weights and each teacher's teaching result from the exams (`teachers` aligned
/// with `cases`); a case with a score keeps it (uploaded). A row that leaves the parent/student
/// score or the peer ratings blank takes them from the year's 师德 rounds where the teacher is
/// reported (问卷); an uploaded value always wins. Answers each case's sources, as stored
/// beside it, and the weights applied. The one path the import and the demo share.
pub async fn compose_scores(
    svc: &Service,
    school: SchoolId,
    year: i32,
    cases: &mut [AppraisalCase],
    given: &[RowSources],
    teachers: &[TeacherId],
) -> Result<(Vec<ScoreSources>, AppraisalWeights), ServiceError> {
    let weights = svc.store().district_settings().await?.appraisal_weights;
    let teaching = teaching_scores(svc, school, year).await?;
    let surveys = crate::survey::teacher_sources(svc, school, year).await?;
    let sources = cases
        .iter_mut()
        .zip(given)
        .zip(teachers)
        .map(|((case, given), t)| {
            let (given, parent_survey, peer_survey) = with_survey(given, surveys.get(t));
            let mut out = compose_row(case, &given, teaching.get(t).copied(), &weights)?;
            out.parent_survey = parent_survey;
            out.peer_survey = peer_survey;
            Ok(out)
        })
        .collect::<Result<Vec<_>, ServiceError>>()?;
    Ok((sources, weights))
}

/// A teacher's teaching-result source and what it measured.
#[derive(Debug, Clone, Copy)]
struct Teaching {
    score: f64,
    basis: TeachingBasis,
    /// The value-added behind a value-added score (student SD units).
    value_added: Option<f64>,
}

/// Each teacher's teaching-result source of `year` (the cycle ending with it), by the
/// district's chosen basis: the parallel-class comparison over all their subjects, or their
/// value-added ranked among the district's teachers.
async fn teaching_scores(
    svc: &Service,
    school: SchoolId,
    year: i32,
) -> Result<HashMap<TeacherId, Teaching>, ServiceError> {
    match svc.store().district_settings().await?.appraisal_teaching {
        TeachingBasis::Parallel => parallel_teaching(svc, school, year).await,
        TeachingBasis::ValueAdded => value_added_teaching(svc, school, year).await,
    }
}

async fn parallel_teaching(
    svc: &Service,
    school: SchoolId,
    year: i32,
) -> Result<HashMap<TeacherId, Teaching>, ServiceError> {
    // The caller manages this school's appraisal; the alerts are read for its teachers only.
    let alerts = svc
        .store()
        .parallel_alerts(&Scope::District, Some(school), year)
        .await?;
    let mut by_teacher: HashMap<TeacherId, Vec<&ParallelAlert>> = HashMap::new();
    for a in alerts.iter().filter(|a| a.school_id == school) {
        by_teacher.entry(a.teacher_id).or_default().push(&a.alert);
    }
    Ok(by_teacher
        .into_iter()
        .filter_map(|(t, v)| {
            let score = teaching_score(v)?;
            Some((
                t,
                Teaching {
                    score,
                    basis: TeachingBasis::Parallel,
                    value_added: None,
                },
            ))
        })
        .collect())
}

/// Every teacher of the district with enough value-added in the cycle (two school years, 20
/// students), ranked by it (§2.3's percentile rank, so the source is on 0–100 like the
/// others); the school's teachers answered. Read district-wide because a rank needs the
/// district's teachers; only the school's are returned.
async fn value_added_teaching(
    svc: &Service,
    school: SchoolId,
    year: i32,
) -> Result<HashMap<TeacherId, Teaching>, ServiceError> {
    let alerts = svc
        .store()
        .parallel_alerts(&Scope::District, None, year)
        .await?;
    let mut events: HashMap<(SchoolId, TeacherId), Vec<EventVa>> = HashMap::new();
    for t in &alerts {
        let mine = events.entry((t.school_id, t.teacher_id)).or_default();
        for (e, va) in t.alert.events.iter().zip(&t.event_value_added) {
            // Every counted exam, with or without parallel classes (a rural school's only
            // class has value-added too).
            if let (true, Some(va)) = (e.va_weight > 0.0, va) {
                mine.push(EventVa {
                    school_year: e.school_year,
                    // A class's students count once a year, whatever the subjects.
                    class: e.class.clone(),
                    students: e.n,
                    weight: e.va_weight,
                    value_added: *va,
                });
            }
        }
    }
    let mut ranked: Vec<((SchoolId, TeacherId), f64)> = events
        .iter()
        .filter_map(|(k, ev)| teacher_value_added(ev).map(|v| (*k, v.value_added)))
        .collect();
    ranked.sort_by_key(|(k, _)| (k.0.0, k.1.0));
    let values: Vec<f64> = ranked.iter().map(|(_, v)| *v).collect();
    Ok(ranked
        .iter()
        .zip(percentile_ranks(&values))
        .filter(|(((s, _), _), _)| *s == school)
        .map(|(((_, t), va), pr)| {
            let teaching = Teaching {
                score: pr,
                basis: TeachingBasis::ValueAdded,
                value_added: Some(*va),
            };
            (*t, teaching)
        })
        .collect())
}

/// A row's sources with the blanks filled from the teacher's 师德 rounds, and where each
/// filled value came from. The parent component is the round's 0–100 index; the peer
/// component is each colleague's own 0–100 score, so compose's trimmed mean applies.
fn with_survey(
    given: &RowSources,
    survey: Option<&crate::survey::TeacherSurveySources>,
) -> (RowSources, Option<SurveySource>, Option<SurveySource>) {
    let mut out = given.clone();
    let (mut parent, mut peer) = (None, None);
    let Some(s) = survey else {
        return (out, parent, peer);
    };
    if out.parent_score.is_none()
        && let Some((v, o)) = &s.parent
    {
        out.parent_score = Some(*v);
        parent = Some(SurveySource {
            questionnaire_id: o.questionnaire_id,
            n: o.n,
        });
    }
    if out.peer_ratings.is_empty()
        && let Some((r, o)) = &s.peer
    {
        out.peer_ratings = r.clone();
        peer = Some(SurveySource {
            questionnaire_id: o.questionnaire_id,
            n: r.len(),
        });
    }
    (out, parent, peer)
}

/// One row's sources, and its score composed from them when the file left the score blank
/// (§6.2: trimmed peer mean, weights re-normalised over the sources present and flagged).
/// An uploaded score is kept as given; its sources are stored beside it, not used.
fn compose_row(
    case: &mut AppraisalCase,
    given: &RowSources,
    teaching: Option<Teaching>,
    weights: &AppraisalWeights,
) -> Result<ScoreSources, ServiceError> {
    let values = SourceValues {
        org: case.org_score,
        peer_ratings: given.peer_ratings.clone(),
        parent: given.parent_score,
        teaching: teaching.map(|t| t.score),
        workload: given.workload_score,
    };
    let composed =
        compose(&values, weights).map_err(|e| ServiceError::BadRequest(e.to_string()))?;
    let mut out = ScoreSources {
        score_basis: ScoreBasis::Uploaded,
        peer_ratings: given.peer_ratings.clone(),
        peer_score: composed.as_ref().and_then(|c| c.peer.map(|p| p.mean)),
        parent_score: given.parent_score,
        teaching_score: teaching.map(|t| t.score),
        teaching_basis: teaching.map(|t| t.basis),
        teaching_value_added: teaching.and_then(|t| t.value_added),
        workload_score: given.workload_score,
        weights: None,
        missing: Vec::new(),
        renormalised: false,
        parent_survey: None,
        peer_survey: None,
    };
    if case.score.is_none()
        && let Some(c) = composed
    {
        case.score = Some(c.score);
        out.score_basis = ScoreBasis::Composed;
        out.weights = Some(c.weights);
        out.renormalised = c.renormalised();
        out.missing = c.missing;
    }
    Ok(out)
}

/// Starts the 公示 today: its last day is the fifth working day.
pub async fn publicise(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    year: i32,
    today: Date,
) -> Result<Date, ServiceError> {
    manages(viewer, school, Capability::ManageStaffAppraisal)?;
    let last = publicity_last_day(today, PUBLICITY_WORKING_DAYS);
    let mut audit = entry(
        who,
        "publicise_appraisal",
        school,
        format!("staff_appraisal:{}:{year}", school.0),
    );
    audit.detail = format!("until={last}");
    svc.store()
        .advance_appraisal(
            school,
            year,
            AppraisalState::Publicity,
            Some(&last.to_string()),
            &today.to_string(),
            &audit,
        )
        .await
        .map_err(from_store)?;
    Ok(last)
}

/// The district approves after the 公示's last day.
pub async fn approve(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    year: i32,
    today: Date,
) -> Result<(), ServiceError> {
    manages(viewer, school, Capability::ApproveStaffAppraisal)?;
    let audit = entry(
        who,
        "approve_appraisal",
        school,
        format!("staff_appraisal:{}:{year}", school.0),
    );
    svc.store()
        .advance_appraisal(
            school,
            year,
            AppraisalState::Approved,
            None,
            &today.to_string(),
            &audit,
        )
        .await
        .map_err(from_store)
}

/// A teacher asks for 复核/申诉 of their own 基本合格 or 不合格.
pub async fn appeal(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    year: i32,
    text: &str,
) -> Result<(), ServiceError> {
    let t = own_teacher(viewer, school)?;
    let audit = entry(
        who,
        "appeal_appraisal",
        school,
        format!("staff_appraisal:{}:{year}:{}", school.0, t.0),
    );
    svc.store()
        .appeal_appraisal(school, year, t, text, &audit)
        .await
        .map_err(from_store)
}

/// The district records its answer to a teacher's appeal.
pub async fn answer_appeal(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    year: i32,
    teacher: TeacherId,
    answer: &str,
) -> Result<(), ServiceError> {
    manages(viewer, school, Capability::ApproveStaffAppraisal)?;
    let audit = entry(
        who,
        "answer_appeal",
        school,
        format!("staff_appraisal:{}:{year}:{}", school.0, teacher.0),
    );
    svc.store()
        .answer_appeal(school, year, teacher, answer, &audit)
        .await
        .map_err(from_store)
}

/// A teacher confirms having seen their approved result.
pub async fn confirm(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    year: i32,
) -> Result<(), ServiceError> {
    let t = own_teacher(viewer, school)?;
    let audit = entry(
        who,
        "confirm_appraisal",
        school,
        format!("staff_appraisal:{}:{year}:{}", school.0, t.0),
    );
    svc.store()
        .confirm_appraisal(school, year, t, &audit)
        .await
        .map_err(from_store)
}

/// Every school's round of `year` with its counts (nothing personal): the district sees all
/// schools, a school admin or teacher their own school's.
pub async fn rounds(
    svc: &Service,
    viewer: &Viewer,
    year: i32,
) -> Result<Vec<RoundSummary>, ServiceError> {
    require(viewer, Capability::ViewStaffAppraisal)?;
    let reader = match viewer.scope.school_id() {
        _ if viewer.scope.is_district() => StaffReader::District,
        Some(s) => StaffReader::School(s),
        None => return Err(ServiceError::Forbidden),
    };
    Ok(svc.store().appraisal_summaries(reader, year).await?)
}

/// The committee's choice (with its reason) for a teacher tied at the cap, in a draft.
#[allow(clippy::too_many_arguments)] // one use case, each argument a separate fact of the decision
pub async fn decide_committee(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    year: i32,
    teacher: TeacherId,
    choice: CommitteeChoice,
    reason: &str,
) -> Result<(), ServiceError> {
    manages(viewer, school, Capability::ManageStaffAppraisal)?;
    let mut audit = entry(
        who,
        "decide_committee",
        school,
        format!("staff_appraisal:{}:{year}:{}", school.0, teacher.0),
    );
    audit.detail = format!("choice={choice:?}");
    svc.store()
        .decide_committee(school, year, teacher, choice, reason, &audit)
        .await
        .map_err(from_store)
}

/// The district returns a round in 公示 to the school, with a reason.
pub async fn return_round(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    year: i32,
    reason: &str,
) -> Result<(), ServiceError> {
    manages(viewer, school, Capability::ApproveStaffAppraisal)?;
    let audit = entry(
        who,
        "return_appraisal",
        school,
        format!("staff_appraisal:{}:{year}", school.0),
    );
    svc.store()
        .return_appraisal(school, year, reason, &audit)
        .await
        .map_err(from_store)
}
