//! Value-added of schools (or of one school's classes): the store's model with ranks by the
//! one rank rule (EB estimate as shown at three decimals, n ≥ 10 matched students) when the
//! viewer holds the ranks token and the model says the units may be ranked.
use wuyu_analytics::value_added::GroupVa;
use wuyu_domain::{ExamId, RanksToken, SchoolId, Viewer};
use wuyu_monitor::display::Precision;
use wuyu_monitor::rank::{RankInput, ranks};
use wuyu_store::{ExamUnitKind, ValueAddedReport};

use super::optional;
use crate::ranks::ranks_token;
use crate::{Service, ServiceError};

/// A value-added report as the viewer sees it.
#[derive(Debug, Clone)]
pub struct ValueAdded {
    pub report: ValueAddedReport,
    /// Units in display order: by EB estimate when ranked, the store's order otherwise.
    pub order: Vec<usize>,
    /// Rank of each unit (aligned with `report.groups`) when ranks are shown; empty otherwise.
    pub ranks: Vec<Option<u32>>,
    /// Ranks are shown: the token, and the model found between-unit variation.
    pub ranked: bool,
}

impl ValueAdded {
    /// Shapes a report for a viewer with (or without) the ranks token.
    pub fn new(report: ValueAddedReport, token: Option<RanksToken>) -> Self {
        let ranked = token.is_some() && report.rankable != Some(false);
        let order = va_order(&report, ranked);
        let ranks = if ranked {
            va_ranks(&report.groups)
        } else {
            Vec::new()
        };
        Self {
            report,
            order,
            ranks,
            ranked,
        }
    }

    /// The rank of unit `i`, if shown.
    pub fn rank(&self, i: usize) -> Option<u32> {
        self.ranks.get(i).copied().flatten()
    }
}

/// The value-added of `exam` in `subject` for schools (`school` None) or one school's
/// classes; `None` without a baseline (or when nothing was computed).
pub async fn value_added(
    svc: &Service,
    viewer: &Viewer,
    exam: ExamId,
    subject: &str,
    level: ExamUnitKind,
    school: Option<SchoolId>,
) -> Result<Option<ValueAdded>, ServiceError> {
    let token = ranks_token(svc, viewer).await?;
    let report = optional(
        svc.store()
            .exam_value_added(&viewer.scope, exam, subject, level, school)
            .await,
    )?;
    Ok(report.map(|r| ValueAdded::new(r, token)))
}

/// Competition ranks by EB estimate at three decimals; suppressed units, units without an
/// estimate and units under the rank minimum get none.
pub fn va_ranks(groups: &[GroupVa]) -> Vec<Option<u32>> {
    let inputs: Vec<RankInput> = groups
        .iter()
        .map(|g| RankInput {
            value: g.shrunken.filter(|_| !g.suppressed),
            n: g.n as u64,
        })
        .collect();
    ranks(&inputs, Precision::Three)
        .into_iter()
        .map(|r| r.and_then(|r| u32::try_from(r).ok()))
        .collect()
}

/// By EB estimate (highest first, suppressed last) when `sorted`; the store's order otherwise.
pub fn va_order(report: &ValueAddedReport, sorted: bool) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..report.groups.len()).collect();
    if sorted {
        idx.sort_by(|&a, &b| {
            let key = |i: usize| {
                let g = &report.groups[i];
                g.shrunken.filter(|_| !g.suppressed)
            };
            match (key(a), key(b)) {
                (Some(x), Some(y)) => y.total_cmp(&x),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => a.cmp(&b),
            }
        });
    }
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(shrunken: Option<f64>, suppressed: bool, n: usize) -> GroupVa {
        GroupVa {
            group: String::new(),
            n,
            estimate: shrunken,
            se: None,
            ci_low: None,
            ci_high: None,
            shrunken,
            lambda: None,
            class: None,
            suppressed,
        }
    }

    #[test]
    fn value_added_ranks_share_ties_and_skip_suppressed_and_small_units() {
        let groups = [
            g(Some(0.2), false, 10),
            g(Some(-0.1), false, 10),
            g(Some(0.2004), false, 10),
            g(None, true, 10),
            g(Some(0.5), true, 10),
            g(Some(0.9), false, 9),
        ];
        assert_eq!(
            va_ranks(&groups),
            [Some(1), Some(3), Some(1), None, None, None]
        );
    }
}
