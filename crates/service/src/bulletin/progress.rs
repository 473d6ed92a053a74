//! Each target's monthly trajectory, read from the months' snapshots.
use std::collections::HashMap;

use serde::Serialize;
use wuyu_domain::{Capability, Scope, Viewer};
use wuyu_monitor::bulletin::{Month, target_text};
use wuyu_monitor::indicator::Verdict;

use crate::plan::{ReportItem, reporting};
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
    /// Reported targets past their due date this plan year: every school's for the district,
    /// a school's own for its admin (who is behind with their 填报).
    pub overdue: Vec<ReportItem>,
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
        overdue: Vec::new(),
    };
    if key.is_none() && !plan.years.is_empty() {
        let r = reporting(svc, viewer, None).await?;
        out.overdue = if own.is_some() {
            r.items.into_iter().filter(|i| i.overdue).collect()
        } else {
            r.overdue
        };
    }
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

/// The monthly progress as a workbook: the trajectory (one column per month) and the overdue
/// reported targets.
pub async fn progress_xlsx(
    svc: &Service,
    viewer: &Viewer,
    key: Option<&str>,
) -> Result<Vec<u8>, ServiceError> {
    use wuyu_report::exam::{Cell, Sheet, sheets_xlsx};
    let p = progress(svc, viewer, key).await?;
    let mut headers: Vec<String> = ["指标", "育", "单位", "目标"].map(String::from).to_vec();
    headers.extend(p.month_labels.iter().cloned());
    let trajectory = Sheet {
        name: "月度调度".into(),
        title: "月度调度：各项目标逐月数值与结论".into(),
        headers,
        rows: p
            .rows
            .iter()
            .map(|r| {
                let mut row = vec![
                    Cell::Text(r.name.clone()),
                    Cell::Text(r.domain_zh.into()),
                    Cell::Text(r.unit.clone()),
                    Cell::Text(r.target.clone()),
                ];
                row.extend(r.cells.iter().map(|c| match c {
                    Some(c) => Cell::Text(format!("{} {}", c.value_text, c.verdict_zh)),
                    None => Cell::Empty,
                }));
                row
            })
            .collect(),
    };
    let overdue = Sheet {
        name: "逾期填报".into(),
        title: "逾期未填报的指标".into(),
        headers: ["单位", "指标", "周期", "截止日", "状态", "退回理由"]
            .map(String::from)
            .to_vec(),
        rows: p
            .overdue
            .iter()
            .map(|i| {
                vec![
                    Cell::Text(i.unit_label.clone()),
                    Cell::Text(i.name.clone()),
                    Cell::Text(i.cadence.label_zh().into()),
                    Cell::Text(i.due.map(|d| d.to_string()).unwrap_or_default()),
                    Cell::Text(i.state_zh.into()),
                    Cell::Text(
                        i.report
                            .as_ref()
                            .map(|r| r.reason.clone())
                            .unwrap_or_default(),
                    ),
                ]
            })
            .collect(),
    };
    sheets_xlsx(&[trajectory, overdue]).map_err(|e| ServiceError::Internal(format!("xlsx: {e}")))
}
