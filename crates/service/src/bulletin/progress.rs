//! Each target's monthly trajectory, read from the months' snapshots.
use std::collections::HashMap;

use serde::Serialize;
use wuyu_domain::{Capability, Scope, Viewer};
use wuyu_monitor::bulletin::{Month, target_text};
use wuyu_monitor::indicator::Verdict;

use crate::{Service, ServiceError};

/// One month of one unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressCell {
    pub value_text: String,
    pub verdict: Verdict,
    pub verdict_zh: &'static str,
}

/// One target × unit across the months.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressRow {
    pub key: String,
    pub name: String,
    pub domain_zh: &'static str,
    pub unit: String,
    /// The latest month's target as read (`≥ 30%`).
    pub target: String,
    /// One per month of [`Progress::months`]; `None` where that month has no line.
    pub cells: Vec<Option<ProgressCell>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    /// `YYYY-MM`, oldest first.
    pub months: Vec<String>,
    pub month_labels: Vec<String>,
    pub rows: Vec<ProgressRow>,
}

/// How many months the trajectory shows.
pub const MONTHS_SHOWN: usize = 12;

/// The last [`MONTHS_SHOWN`] months' snapshots as one row per target × unit: for district
/// roles the district-level units of every target, or every unit of one target (`key`); for
/// a school admin their own school's lines.
pub async fn progress(
    svc: &Service,
    viewer: &Viewer,
    key: Option<&str>,
) -> Result<Progress, ServiceError> {
    if !viewer.can(Capability::ViewPlan) {
        return Err(ServiceError::Forbidden);
    }
    let own = match &viewer.scope {
        Scope::District => None,
        Scope::School { school_id } => Some(school_id.0),
        _ => return Err(ServiceError::Forbidden),
    };
    let plan = svc.store().plan().await?;
    if let Some(k) = key
        && plan.indicator(k).is_none()
    {
        return Err(ServiceError::NotFound);
    }
    let all = svc.store().snapshot_months().await?;
    let months: Vec<String> = all
        .iter()
        .skip(all.len().saturating_sub(MONTHS_SHOWN))
        .map(|m| m.month.clone())
        .collect();
    let mut out = Progress {
        month_labels: months
            .iter()
            .map(|m| Month::parse(m).map_or_else(|_| m.clone(), |m| m.label_zh()))
            .collect(),
        months,
        rows: Vec::new(),
    };
    let (Some(from), Some(to)) = (out.months.first(), out.months.last()) else {
        return Ok(out);
    };
    let lines = svc.store().snapshot_lines(from, to, key).await?;
    let column: HashMap<&str, usize> = out
        .months
        .iter()
        .enumerate()
        .map(|(i, m)| (m.as_str(), i))
        .collect();
    let mut rows: HashMap<(String, String, Option<i64>, String), usize> = HashMap::new();
    for (month, l) in &lines {
        let wanted = match own {
            Some(id) => l.school_id == Some(id),
            None => key.is_some() || l.unit_kind != "school",
        };
        let Some(ind) = plan.indicator(&l.key) else {
            continue;
        };
        if !wanted {
            continue;
        }
        let id = (
            l.key.clone(),
            l.unit_kind.clone(),
            l.school_id,
            l.unit_label.clone(),
        );
        let row = *rows.entry(id).or_insert_with(|| {
            out.rows.push(ProgressRow {
                key: l.key.clone(),
                name: ind.name.clone(),
                domain_zh: ind.domain.label_zh(),
                unit: l.unit_label.clone(),
                target: String::new(),
                cells: vec![None; out.months.len()],
            });
            out.rows.len() - 1
        });
        let r = &mut out.rows[row];
        r.target = target_text(ind, &l.target);
        r.cells[column[month.as_str()]] = Some(ProgressCell {
            value_text: l.value_text.clone(),
            verdict: l.verdict,
            verdict_zh: l.verdict.label_zh(),
        });
    }
    // Plan order, then the order units first appeared in.
    let position: HashMap<&str, usize> = plan
        .indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| (ind.key.as_str(), i))
        .collect();
    out.rows.sort_by_key(|r| position[r.key.as_str()]);
    Ok(out)
}
