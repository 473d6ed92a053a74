//! The statistics of an exam's units (全区, 城区/农村, 学段, schools, a school's classes) as
//! the viewer may see them: ranks by the one rank rule with the ranks token, none without.
use wuyu_domain::{ExamId, RanksToken, SchoolId, Scope, Viewer};
use wuyu_monitor::display::Precision;
use wuyu_monitor::rank::{RankInput, ranks};
use wuyu_store::{ExamUnitFilter, ExamUnitKind, ExamUnitStat};

use crate::focus::focus_school;
use crate::ranks::ranks_token;
use crate::{Service, ServiceError};

/// Which units to read, as the caller names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitsOf {
    /// 全区, 城区/农村 and 学段.
    Overview,
    /// The schools (a school's roles: their own).
    Schools,
    /// One school's classes (district roles name the school; others get their own).
    Classes(Option<SchoolId>),
}

/// Units with their statistics per subject; `ranks` is the token they were ranked with.
#[derive(Debug, Clone)]
pub struct ExamUnits {
    pub ranks: Option<RanksToken>,
    pub units: Vec<ExamUnitStat>,
}

impl ExamUnits {
    pub fn ranks_shown(&self) -> bool {
        self.ranks.is_some()
    }
}

/// The units of `exam` the viewer asked for.
pub async fn units(
    svc: &Service,
    viewer: &Viewer,
    exam: ExamId,
    of: UnitsOf,
) -> Result<ExamUnits, ServiceError> {
    let filter = match of {
        UnitsOf::Overview => ExamUnitFilter::Overview,
        UnitsOf::Schools => ExamUnitFilter::Schools,
        UnitsOf::Classes(asked) => ExamUnitFilter::Classes(
            focus_school(svc.store().as_ref(), &viewer.scope, asked)
                .await?
                .ok_or_else(|| ServiceError::BadRequest("school required".into()))?,
        ),
    };
    let token = ranks_token(svc, viewer).await?;
    let mut units = svc
        .store()
        .exam_unit_stats(&viewer.scope, exam, filter)
        .await?;
    apply_ranks(&mut units, token, sees_whole_pool(&viewer.scope, filter));
    Ok(ExamUnits {
        ranks: token,
        units,
    })
}

/// Whether the viewer sees every unit a rank is counted among (otherwise the stored rank,
/// counted among all of them with the same rule, is kept).
fn sees_whole_pool(scope: &Scope, filter: ExamUnitFilter) -> bool {
    match scope {
        Scope::District => true,
        Scope::School { .. } => !matches!(filter, ExamUnitFilter::Schools),
        _ => false,
    }
}

/// Ranks per kind of unit and subject by the one rank rule (n ≥ 10, mean as shown at two
/// decimals); none at all without the token. The district row is never ranked.
pub fn apply_ranks(units: &mut [ExamUnitStat], token: Option<RanksToken>, rerank: bool) {
    if token.is_none() {
        for s in units.iter_mut().flat_map(|u| u.subjects.iter_mut()) {
            s.rank = None;
        }
        return;
    }
    if !rerank {
        return;
    }
    let kinds = [
        ExamUnitKind::Location,
        ExamUnitKind::Stage,
        ExamUnitKind::School,
        ExamUnitKind::Class,
    ];
    let subjects: Vec<String> = units
        .iter()
        .flat_map(|u| u.subjects.iter().map(|s| s.subject.clone()))
        .fold(Vec::new(), |mut acc, s| {
            if !acc.contains(&s) {
                acc.push(s);
            }
            acc
        });
    for kind in kinds {
        for subject in &subjects {
            // (unit index, subject index) of the pool.
            let pool: Vec<(usize, usize)> = units
                .iter()
                .enumerate()
                .filter(|(_, u)| u.unit.kind == kind)
                .filter_map(|(i, u)| {
                    u.subjects
                        .iter()
                        .position(|s| &s.subject == subject)
                        .map(|k| (i, k))
                })
                .collect();
            let inputs: Vec<RankInput> = pool
                .iter()
                .map(|&(i, k)| {
                    let r = &units[i].subjects[k].rates;
                    RankInput {
                        value: r.mean,
                        n: r.n as u64,
                    }
                })
                .collect();
            for (&(i, k), rank) in pool.iter().zip(ranks(&inputs, Precision::Two)) {
                units[i].subjects[k].rank = rank.and_then(|r| u32::try_from(r).ok());
            }
        }
    }
    for u in units.iter_mut() {
        if u.unit.kind == ExamUnitKind::District {
            for s in &mut u.subjects {
                s.rank = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use wuyu_analytics::descriptive::{AbsentPolicy, Mark, RateLines, rate_summary};
    use wuyu_domain::{ClassId, Role, SchoolId, User, UserId};
    use wuyu_store::{ExamUnit, SubjectStat};

    use super::*;

    /// A class whose `n` students all scored `score` except the first, who scored `first`.
    fn class(id: i64, first: f64, score: f64, n: usize, stored_rank: Option<u32>) -> ExamUnitStat {
        let marks: Vec<Mark> = (0..n)
            .map(|i| Mark::Score(if i == 0 { first } else { score }))
            .collect();
        let rates = rate_summary(&marks, 100.0, &RateLines::default(), AbsentPolicy::Exclude)
            .expect("rates");
        ExamUnitStat {
            unit: ExamUnit {
                kind: if id == 0 {
                    ExamUnitKind::District
                } else {
                    ExamUnitKind::Class
                },
                school_id: Some(SchoolId(1)),
                class_id: Some(ClassId(id)),
                location: None,
                stage: None,
                name: format!("{id}班"),
            },
            teachers: Vec::new(),
            subjects: vec![SubjectStat {
                subject: "数学".into(),
                rates,
                sd: None,
                min: None,
                p25: None,
                median: None,
                p75: None,
                max: None,
                composite: None,
                rank: stored_rank,
                gap_to_best: None,
                gap_to_district: None,
                histogram: Vec::new(),
            }],
        }
    }

    fn token() -> Option<RanksToken> {
        Viewer::new(
            User {
                id: UserId(1),
                username: "d".into(),
                display_name: "d".into(),
                role: Role::DistrictAnalyst,
                school_id: None,
                teacher_id: None,
                student_id: None,
            },
            Scope::District,
        )
        .ranks_token()
    }

    fn ranks_of(units: &[ExamUnitStat]) -> Vec<Option<u32>> {
        units.iter().map(|u| u.subjects[0].rank).collect()
    }

    #[test]
    fn classes_are_ranked_by_the_shown_mean_and_small_ones_not_at_all() {
        let mut units = vec![
            // (81.5 + 11 × 80) / 12 = 80.125 and 80.13 both show as 80.13: a tie.
            class(1, 81.5, 80.0, 12, Some(7)),
            class(2, 80.13, 80.13, 12, None),
            // The best mean, but 9 students: no rank, no place.
            class(3, 95.0, 95.0, 9, Some(1)),
            class(4, 70.0, 70.0, 10, None),
            // The district row is never ranked.
            class(0, 80.0, 80.0, 43, Some(1)),
        ];
        assert_eq!(units[0].subjects[0].rates.mean, Some(80.125));
        apply_ranks(&mut units, token(), true);
        assert_eq!(ranks_of(&units), [Some(1), Some(1), None, Some(3), None]);
    }

    #[test]
    fn without_the_token_there_is_no_rank_at_all() {
        let mut units = vec![
            class(1, 80.0, 80.0, 12, Some(1)),
            class(2, 70.0, 70.0, 12, Some(2)),
        ];
        apply_ranks(&mut units, None, true);
        assert_eq!(ranks_of(&units), [None, None]);
        // A pool the viewer does not see whole keeps the stored ranks (same rule, all units).
        let mut units = vec![class(2, 70.0, 70.0, 12, Some(2))];
        apply_ranks(&mut units, token(), false);
        assert_eq!(ranks_of(&units), [Some(2)]);
    }
}
