//! The results read model: per unit (the district, 城区/农村, each 学段, each school) and item
//! the §7 indicators with suppression under the audience's minimum respondents, and per named
//! scale of two or more items the scale score's indicators and Cronbach's α. Reverse-keyed
//! items are reported as keyed, so a higher 满意率 is always the better answer.
use std::collections::BTreeMap;

use serde::Serialize;
use wuyu_analytics::satisfaction::{
    Answer, MinRespondents, Reported, ScaleResult, Tally, scale_result,
};
use wuyu_domain::{Capability, Location, Questionnaire, Scope, Stage, Viewer};

use crate::{Service, ServiceError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    District,
    Location,
    Stage,
    School,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemResult {
    pub code: String,
    pub text: String,
    pub reverse: bool,
    pub reported: Reported,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScaleOut {
    pub name: String,
    pub result: ScaleResult,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitResults {
    pub kind: UnitKind,
    /// 全区, 城区, 小学, or the school's name.
    pub name: String,
    pub school_id: Option<i64>,
    pub responses: usize,
    /// One-time codes issued to the unit's schools (0 when it answers through links only).
    pub codes_issued: usize,
    /// Responses through codes / codes issued; `None` without codes.
    pub response_rate: Option<f64>,
    pub items: Vec<ItemResult>,
    pub scales: Vec<ScaleOut>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyResults {
    pub questionnaire: Questionnaire,
    /// The minimum valid answers for a unit to be reported (never under 5).
    pub min_n: usize,
    pub units: Vec<UnitResults>,
}

/// A unit before its statistics: kind, name, school id, keyed answers, member schools.
type Unit = (UnitKind, String, Option<i64>, Vec<Answer>, Vec<i64>);

/// Results of a questionnaire as far as the viewer's scope reaches: the district and its
/// breakdowns for district roles, one school for its admin.
pub async fn survey_results(
    svc: &Service,
    viewer: &Viewer,
    id: i64,
) -> Result<SurveyResults, ServiceError> {
    if !viewer.can(Capability::ViewSurveyResults) {
        return Err(ServiceError::Forbidden);
    }
    let store = svc.store();
    let q = store.questionnaire(id).await?;
    let per_school = store.survey_answers(&viewer.scope, id).await?;
    let schools: BTreeMap<i64, (String, Location, Stage)> = store
        .list_schools(&viewer.scope)
        .await?
        .into_iter()
        .map(|s| {
            (
                s.school.id.0,
                (s.school.name, s.school.location, s.school.stage),
            )
        })
        .collect();
    let counts: BTreeMap<i64, (usize, usize)> = store
        .survey_code_counts(&viewer.scope, id)
        .await?
        .into_iter()
        .map(|c| (c.school_id.0, (c.issued, c.used)))
        .collect();
    let min = MinRespondents::new(q.audience.min_respondents());
    let k = q.items.len();
    let keyed = |answers: &[Answer]| -> Vec<Answer> {
        answers
            .chunks_exact(k.max(1))
            .flat_map(|row| {
                row.iter()
                    .zip(&q.items)
                    .map(|(a, item)| if item.reverse { a.reversed() } else { *a })
            })
            .collect()
    };

    // Units in display order, each with its keyed answers.
    let mut units: Vec<Unit> = Vec::new();
    // The schools of a pooled unit, for its code counts.
    let members = |keep: &dyn Fn(&(String, Location, Stage)) -> bool| -> Vec<i64> {
        schools
            .iter()
            .filter(|(_, v)| keep(v))
            .map(|(id, _)| *id)
            .collect()
    };
    if matches!(viewer.scope, Scope::District) {
        let all: Vec<Answer> = per_school.iter().flat_map(|s| keyed(&s.answers)).collect();
        units.push((
            UnitKind::District,
            "全区".into(),
            None,
            all,
            members(&|_| true),
        ));
        for loc in [Location::Urban, Location::Rural] {
            let a = pooled(&per_school, &schools, |(_, l, _)| *l == loc, &keyed);
            let m = members(&|(_, l, _)| *l == loc);
            units.push((UnitKind::Location, loc.label_zh().into(), None, a, m));
        }
        for stage in Stage::ALL {
            let a = pooled(&per_school, &schools, |(_, _, s)| *s == stage, &keyed);
            if !a.is_empty() {
                let m = members(&|(_, _, s)| *s == stage);
                units.push((UnitKind::Stage, stage.label_zh().into(), None, a, m));
            }
        }
    }
    // Every school with answers or codes, so a school with codes but few answers shows its
    // response rate.
    let mut school_ids: Vec<i64> = per_school.iter().map(|s| s.school_id.0).collect();
    school_ids.extend(counts.keys().copied());
    school_ids.sort_unstable();
    school_ids.dedup();
    for sid in school_ids {
        let name = schools
            .get(&sid)
            .map_or_else(|| format!("学校 {sid}"), |x| x.0.clone());
        let answers = per_school
            .iter()
            .find(|s| s.school_id.0 == sid)
            .map(|s| keyed(&s.answers))
            .unwrap_or_default();
        units.push((UnitKind::School, name, Some(sid), answers, vec![sid]));
    }

    // Named scales with at least two items, in order of first appearance.
    let mut scales: Vec<(String, Vec<usize>)> = Vec::new();
    for (j, item) in q.items.iter().enumerate() {
        if let Some(name) = &item.scale {
            match scales.iter_mut().find(|(n, _)| n == name) {
                Some((_, cols)) => cols.push(j),
                None => scales.push((name.clone(), vec![j])),
            }
        }
    }
    scales.retain(|(_, cols)| cols.len() >= 2);

    let mut out = Vec::with_capacity(units.len());
    for (kind, name, school_id, answers, member_ids) in units {
        let (issued, used) = member_ids
            .iter()
            .filter_map(|id| counts.get(id))
            .fold((0, 0), |(i, u), (ci, cu)| (i + ci, u + cu));
        let rows = answers.chunks_exact(k.max(1));
        let items = q
            .items
            .iter()
            .enumerate()
            .map(|(j, item)| ItemResult {
                code: item.code.clone(),
                text: item.text.clone(),
                reverse: item.reverse,
                reported: Tally::from_answers(rows.clone().map(|r| r[j])).report(min),
            })
            .collect();
        let mut scale_out = Vec::with_capacity(scales.len());
        for (sname, cols) in &scales {
            let sub: Vec<Answer> = rows
                .clone()
                .flat_map(|r| cols.iter().map(move |&j| r[j]))
                .collect();
            // Items are keyed already: no reverse keys left to apply.
            let result = scale_result(&sub, cols.len(), &vec![false; cols.len()], min)
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            scale_out.push(ScaleOut {
                name: sname.clone(),
                result,
            });
        }
        out.push(UnitResults {
            kind,
            name,
            school_id,
            responses: answers.len() / k.max(1),
            codes_issued: issued,
            response_rate: (issued > 0).then(|| used as f64 / issued as f64),
            items,
            scales: scale_out,
        });
    }
    Ok(SurveyResults {
        min_n: min.get(),
        questionnaire: q,
        units: out,
    })
}

/// The keyed answers of the schools whose (name, location, stage) passes `keep`.
fn pooled(
    per_school: &[wuyu_store::SchoolAnswers],
    schools: &BTreeMap<i64, (String, Location, Stage)>,
    keep: impl Fn(&(String, Location, Stage)) -> bool,
    keyed: &dyn Fn(&[Answer]) -> Vec<Answer>,
) -> Vec<Answer> {
    per_school
        .iter()
        .filter(|s| schools.get(&s.school_id.0).is_some_and(&keep))
        .flat_map(|s| keyed(&s.answers))
        .collect()
}
