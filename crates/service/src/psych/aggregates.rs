//! Aggregates for school and district leaders: counts by school and attention level, every
//! cell under [`SUPPRESS_BELOW`] students hidden, with complementary suppression so a hidden
//! cell cannot be worked out from the totals. No individual appears.
use serde::Serialize;
use wuyu_analytics::suppress::suppress_table;
use wuyu_domain::{Location, Stage, Viewer};

use super::audit::refused;
use crate::audit::Requester;
use crate::{Service, ServiceError};

/// Cells with fewer students than this are never published (modules.md §3).
pub const SUPPRESS_BELOW: u64 = 10;

/// A published count: `None` when suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AggregateCell(pub Option<i64>);

/// One school's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AggregateRow {
    pub school_name: String,
    pub stage: Stage,
    pub location: Location,
    /// Screened by level 0–3.
    pub levels: [AggregateCell; 4],
    pub screened: AggregateCell,
    pub consented: AggregateCell,
    pub not_consented: AggregateCell,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PsychAggregates {
    pub school_year: i32,
    pub rows: Vec<AggregateRow>,
    /// The scope's totals, each suppressed like a cell.
    pub total: AggregateRow,
}

fn cell(v: i64, hidden: bool) -> AggregateCell {
    AggregateCell((!hidden).then_some(v))
}

pub async fn aggregates(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school_year: i32,
) -> Result<PsychAggregates, ServiceError> {
    if !viewer.can(wuyu_domain::Capability::ViewPsychAggregates) {
        return Err(refused(
            svc,
            viewer,
            who,
            viewer.scope.school_id(),
            "psych_aggregates",
        )
        .await);
    }
    let counts = svc.store().psych_counts(&viewer.scope, school_year).await?;
    let as_u = |v: i64| u64::try_from(v).unwrap_or(0);
    let level_table: Vec<Vec<u64>> = counts
        .iter()
        .map(|c| {
            let mut row: Vec<u64> = c.by_level.iter().map(|&n| as_u(n)).collect();
            row.push(as_u(c.by_level.iter().sum()));
            row
        })
        .collect();
    let consent_table: Vec<Vec<u64>> = counts
        .iter()
        .map(|c| vec![as_u(c.consented), as_u(c.not_consented)])
        .collect();
    let lh = suppress_table(&level_table, SUPPRESS_BELOW);
    let ch = suppress_table(&consent_table, SUPPRESS_BELOW);
    let rows = counts
        .iter()
        .enumerate()
        .map(|(i, c)| AggregateRow {
            school_name: c.school_name.clone(),
            stage: c.stage,
            location: c.location,
            levels: std::array::from_fn(|l| cell(c.by_level[l], lh[i][l])),
            screened: cell(c.by_level.iter().sum(), lh[i][4]),
            consented: cell(c.consented, ch[i][0]),
            not_consented: cell(c.not_consented, ch[i][1]),
        })
        .collect();
    let sum = |f: &dyn Fn(&wuyu_store::psych::PsychSchoolCounts) -> i64| -> i64 {
        counts.iter().map(f).sum()
    };
    let total_levels: [i64; 4] = std::array::from_fn(|l| sum(&|c| c.by_level[l]));
    // The totals row is one more row: it hides what is small and, when one level is hidden,
    // a partner, like any row.
    let mut total_row: Vec<u64> = total_levels.iter().map(|&n| as_u(n)).collect();
    total_row.push(as_u(total_levels.iter().sum()));
    let th = suppress_table(&[total_row], SUPPRESS_BELOW);
    let (tc, tn) = (sum(&|c| c.consented), sum(&|c| c.not_consented));
    let tch = suppress_table(&[vec![as_u(tc), as_u(tn)]], SUPPRESS_BELOW);
    let total = AggregateRow {
        school_name: "合计".into(),
        stage: counts.first().map_or(Stage::Junior, |c| c.stage),
        location: counts.first().map_or(Location::Urban, |c| c.location),
        levels: std::array::from_fn(|l| cell(total_levels[l], th[0][l])),
        screened: cell(total_levels.iter().sum(), th[0][4]),
        consented: cell(tc, tch[0][0]),
        not_consented: cell(tn, tch[0][1]),
    };
    Ok(PsychAggregates {
        school_year,
        rows,
        total,
    })
}
