//! The aggregates as an XLSX workbook: the same suppressed counts as the page and the API,
//! hidden cells written as "*". Aggregates only; no individual is ever exported.
use wuyu_domain::Viewer;
use wuyu_report::exam::{Cell, NumFormat, Sheet, sheets_xlsx};

use super::aggregates::{AggregateCell, AggregateRow, SUPPRESS_BELOW, aggregates};
use crate::audit::Requester;
use crate::{Service, ServiceError};

const HEADERS: [&str; 10] = [
    "学校",
    "学段",
    "城乡",
    "3 危机",
    "2 重点关注",
    "1 一般关注",
    "0 无需关注",
    "已筛查",
    "已同意",
    "未同意",
];

fn cell(c: AggregateCell) -> Cell {
    c.0.map_or_else(
        || Cell::Text("*".into()),
        |n| Cell::Number(n as f64, NumFormat::Int),
    )
}

fn row(r: &AggregateRow, stage_location: bool) -> Vec<Cell> {
    let mut out = vec![Cell::Text(r.school_name.clone())];
    if stage_location {
        out.push(Cell::Text(r.stage.label_zh().to_string()));
        out.push(Cell::Text(r.location.label_zh().to_string()));
    } else {
        out.push(Cell::Empty);
        out.push(Cell::Empty);
    }
    out.extend(r.levels.iter().rev().map(|c| cell(*c)));
    out.push(cell(r.screened));
    out.push(cell(r.consented));
    out.push(cell(r.not_consented));
    out
}

/// The school year's aggregates as a workbook, for whoever may see the aggregates.
pub async fn aggregates_xlsx(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school_year: i32,
) -> Result<Vec<u8>, ServiceError> {
    let agg = aggregates(svc, viewer, who, school_year).await?;
    let mut rows: Vec<Vec<Cell>> = agg.rows.iter().map(|r| row(r, true)).collect();
    rows.push(row(&agg.total, false));
    let sheet = Sheet {
        name: "心理健康统计".into(),
        title: format!(
            "心理健康统计 · {}–{}学年（少于 {SUPPRESS_BELOW} 人及可推算的格子以 * 表示）",
            school_year,
            school_year + 1
        ),
        headers: HEADERS.iter().map(|h| h.to_string()).collect(),
        rows,
    };
    sheets_xlsx(&[sheet]).map_err(|e| ServiceError::Internal(e.to_string()))
}
