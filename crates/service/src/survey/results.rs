//! The results read model: per unit (the district, 城区/农村, each 学段, each school) and item
//! the §7 indicators with suppression under the audience's minimum respondents, and per named
//! scale of two or more items the scale score's indicators and Cronbach's α. Reverse-keyed
//! items are reported as keyed, so a higher 满意率 is always the better answer.
use std::collections::BTreeMap;

use serde::Serialize;
use wuyu_analytics::satisfaction::{
    Answer, MinRespondents, Reported, ScaleResult, Tally, scale_result,
};
use wuyu_domain::{Capability, ItemKind, Location, Questionnaire, Scope, Stage, Viewer};
use wuyu_store::ChoiceTally;

use crate::{Service, ServiceError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    District,
    Location,
    Stage,
    School,
    /// A class of a school: the answers through the class's link or codes.
    Class,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemResult {
    pub code: String,
    pub text: String,
    pub reverse: bool,
    pub reported: Reported,
}

/// One option of a choice item in one unit; counts and shares are `None` when suppressed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionShare {
    pub label: String,
    pub count: Option<usize>,
    /// count ÷ the item's valid n.
    pub share: Option<f64>,
}

/// A single or multiple choice item in one unit: valid n = respondents who answered it; under
/// the unit's minimum no option is reported. A multiple choice item's shares may sum past 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChoiceResult {
    pub code: String,
    pub text: String,
    pub multiple: bool,
    pub n: usize,
    pub suppressed: bool,
    pub options: Vec<OptionShare>,
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
    pub class_id: Option<i64>,
    pub responses: usize,
    /// One-time codes issued to the unit's schools (0 when it answers through links only).
    pub codes_issued: usize,
    /// Responses through codes / codes issued; `None` without codes.
    pub response_rate: Option<f64>,
    /// The 5-point items.
    pub items: Vec<ItemResult>,
    pub scales: Vec<ScaleOut>,
    /// The choice items, in questionnaire order.
    pub choices: Vec<ChoiceResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyResults {
    pub questionnaire: Questionnaire,
    /// The minimum valid answers for a unit to be reported (never under 5).
    pub min_n: usize,
    pub units: Vec<UnitResults>,
}

/// A unit before its statistics: kind, name, (school id, class id), keyed answers, member
/// schools, and the minimum respondents it is reported at.
type Unit = (
    UnitKind,
    String,
    (Option<i64>, Option<i64>),
    Vec<Answer>,
    Vec<i64>,
    MinRespondents,
);

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
    let per_class = store.survey_class_answers(&viewer.scope, id).await?;
    let tallies = store.survey_choice_tallies(&viewer.scope, id).await?;
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
            (None, None),
            all,
            members(&|_| true),
            min,
        ));
        for loc in [Location::Urban, Location::Rural] {
            let a = pooled(&per_school, &schools, |(_, l, _)| *l == loc, &keyed);
            let m = members(&|(_, l, _)| *l == loc);
            let name = loc.label_zh().into();
            units.push((UnitKind::Location, name, (None, None), a, m, min));
        }
        for stage in Stage::ALL {
            let a = pooled(&per_school, &schools, |(_, _, s)| *s == stage, &keyed);
            if !a.is_empty() {
                let m = members(&|(_, _, s)| *s == stage);
                let name = stage.label_zh().into();
                units.push((UnitKind::Stage, name, (None, None), a, m, min));
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
        let school_responses = answers.len() / k.max(1);
        units.push((
            UnitKind::School,
            name.clone(),
            (Some(sid), None),
            answers,
            vec![sid],
            min,
        ));
        let mine: Vec<&wuyu_store::ClassAnswers> =
            per_class.iter().filter(|c| c.school_id.0 == sid).collect();
        if mine.is_empty() {
            continue;
        }
        let labels: BTreeMap<i64, String> = store
            .list_classes(&viewer.scope, wuyu_domain::SchoolId(sid))
            .await?
            .into_iter()
            .map(|c| {
                (
                    c.class.id.0,
                    format!("{}{}", c.class.grade.label_zh(), c.class.name),
                )
            })
            .collect();
        let sizes: Vec<usize> = mine.iter().map(|c| c.answers.len() / k.max(1)).collect();
        let hidden = complementary(&sizes, school_responses, min);
        for (c, hide) in mine.into_iter().zip(hidden) {
            let label = labels
                .get(&c.class_id.0)
                .cloned()
                .unwrap_or_else(|| format!("班级 {}", c.class_id.0));
            units.push((
                UnitKind::Class,
                format!("{name} {label}"),
                (Some(sid), Some(c.class_id.0)),
                keyed(&c.answers),
                Vec::new(),
                if hide {
                    MinRespondents::new(usize::MAX)
                } else {
                    min
                },
            ));
        }
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
    for (kind, name, (school_id, class_id), answers, member_ids, min) in units {
        let (issued, used) = member_ids
            .iter()
            .filter_map(|id| counts.get(id))
            .fold((0, 0), |(i, u), (ci, cu)| (i + ci, u + cu));
        let rows = answers.chunks_exact(k.max(1));
        let items = q
            .items
            .iter()
            .enumerate()
            .filter(|(_, item)| item.kind == ItemKind::Likert)
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
        // A class unit counts its class's answers; the others their member schools' answers.
        let mine = |t: &&ChoiceTally| match class_id {
            Some(c) => {
                t.school_id.0 == school_id.unwrap_or(-1) && t.class_id.map(|x| x.0) == Some(c)
            }
            None => member_ids.contains(&t.school_id.0),
        };
        let choices = choice_results(&q, tallies.iter().filter(mine), min);
        out.push(UnitResults {
            choices,
            kind,
            name,
            school_id,
            class_id,
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

/// Each choice item's counts and shares over the given tallies.
fn choice_results<'t>(
    q: &Questionnaire,
    tallies: impl Iterator<Item = &'t ChoiceTally> + Clone,
    min: MinRespondents,
) -> Vec<ChoiceResult> {
    q.items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.kind.is_choice())
        .map(|(j, item)| {
            let options = item.kind.options();
            let mut n = 0;
            let mut picks = vec![0usize; options.len()];
            for t in tallies.clone().filter(|t| t.item == j) {
                n += t.answered;
                for (sum, p) in picks.iter_mut().zip(&t.picks) {
                    *sum += p;
                }
            }
            let suppressed = min.suppresses(n);
            ChoiceResult {
                code: item.code.clone(),
                text: item.text.clone(),
                multiple: matches!(item.kind, ItemKind::Multiple { .. }),
                n,
                suppressed,
                options: options
                    .iter()
                    .zip(picks)
                    .map(|(label, count)| OptionShare {
                        label: label.clone(),
                        count: (!suppressed).then_some(count),
                        share: (!suppressed).then(|| count as f64 / n as f64),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Which classes of a school to hide beyond those under the minimum: when exactly one class is
/// under it and the school's answers outside any class cannot blur it (they and the class
/// together are still under the minimum), the school's total minus the reported classes would
/// give that class away, so the smallest reported class is hidden too.
fn complementary(sizes: &[usize], school: usize, min: MinRespondents) -> Vec<bool> {
    let mut hide: Vec<bool> = sizes.iter().map(|&n| min.suppresses(n)).collect();
    let small: Vec<usize> = (0..sizes.len()).filter(|&i| hide[i]).collect();
    let outside = school.saturating_sub(sizes.iter().sum());
    if let [only] = small[..]
        && min.suppresses(sizes[only] + outside)
        && sizes[only] > 0
        && let Some(next) = (0..sizes.len())
            .filter(|&i| !hide[i])
            .min_by_key(|&i| sizes[i])
    {
        hide[next] = true;
    }
    hide
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_small_class_hides_the_next_smallest_unless_other_answers_blur_it() {
        let min = MinRespondents::new(30);
        // 12 + 31 + 40 = the school's 83: 83 − 31 − 40 would give the 12 away.
        assert_eq!(complementary(&[12, 40, 31], 83, min), [true, false, true]);
        // 20 answers through the school's own link blur it: 12 + 20 ≥ 30.
        assert_eq!(complementary(&[12, 40, 31], 103, min), [true, false, false]);
        // Two small classes give away only their pooled answers: nothing more to hide; nor
        // when every class is large enough.
        assert_eq!(complementary(&[12, 9, 40], 61, min), [true, true, false]);
        assert_eq!(complementary(&[30, 45], 75, min), [false, false]);
        // Exactly at the minimum is reported; one under is not.
        assert_eq!(complementary(&[29, 30], 59, min), [true, true]);
    }
}
