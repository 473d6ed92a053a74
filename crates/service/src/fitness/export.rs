//! `/fitness/export.xlsx`: one table of the overview as a workbook, written by
//! `wuyu_report` from the same [`summary`](super::summary) the page and the API read.
use wuyu_domain::{Term, Viewer};
use wuyu_store::FitnessGroupBy;

use super::group_header;
use super::overview::main_groupings;
use super::summary::{SummaryQuery, summary, table_title};
use crate::focus::focus_school;
use crate::{Service, ServiceError};

/// The workbook and what it holds (for the download's file name).
pub struct SummaryExport {
    pub bytes: Vec<u8>,
    pub term: Term,
    pub by: FitnessGroupBy,
}

/// The table of `q` as XLSX: the caller's school focus, the last main grouping when `q` names
/// none; `NotFound` when there are no records at all.
pub async fn summary_xlsx(
    svc: &Service,
    viewer: &Viewer,
    q: &SummaryQuery,
) -> Result<SummaryExport, ServiceError> {
    let focus = focus_school(svc.store().as_ref(), &viewer.scope, q.school).await?;
    let main = main_groupings(viewer, focus);
    let q = SummaryQuery {
        school: focus,
        ..q.clone()
    };
    let table = summary(svc, viewer, &q, main[main.len() - 1]).await?;
    let term = table.term.ok_or(ServiceError::NotFound)?;
    let rows: Vec<wuyu_report::LabelledRow<'_>> = table
        .lines
        .iter()
        .map(|l| wuyu_report::LabelledRow {
            label: l.label.clone(),
            row: &l.row,
            rank: l.rank,
        })
        .collect();
    let title = format!("体质健康 · {} · {}", term.label_zh(), table_title(table.by));
    let bytes =
        wuyu_report::fitness_summary_xlsx(&title, group_header(table.by), &rows, table.ranked)
            .map_err(|e| ServiceError::Internal(format!("xlsx: {e}")))?;
    Ok(SummaryExport {
        bytes,
        term,
        by: table.by,
    })
}
