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
