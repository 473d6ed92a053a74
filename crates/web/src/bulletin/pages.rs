//! `/plan/progress?key=`: one row per target × unit, one column per month with a snapshot;
//! `/plan/bulletin?quarter=&format=`: the quarterly bulletin as a download.
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use wuyu_monitor::bulletin::Period;
use wuyu_monitor::indicator::Verdict;
use wuyu_service::audit::Requester;
use wuyu_service::bulletin::{
    BulletinFormat, bulletin_document, progress as read_progress, progress_xlsx,
};

use super::{BulletinQuery, ProgressQuery, period_of};
use crate::access::{Require, cap};
use crate::auth::ClientIp;
use crate::error::AppError;
use crate::exam::query;
use crate::import_centre::{XLSX, download};
use crate::state::AppState;
use crate::view::{Chrome, render};

pub(crate) struct CellView {
    pub text: String,
    pub class: &'static str,
}

pub(crate) struct RowView {
    pub href: String,
    pub name: String,
    pub unit: String,
    pub target: String,
    pub cells: Vec<CellView>,
}

pub(crate) struct OverdueView {
    pub unit: String,
    pub name: String,
    pub cadence: &'static str,
    pub due: String,
    pub state: &'static str,
}

#[derive(Template)]
#[template(path = "plan_progress.html")]
struct ProgressPage {
    chrome: Chrome,
    months: Vec<String>,
    rows: Vec<RowView>,
    overdue: Vec<OverdueView>,
    /// The query string of the XLSX link.
    xlsx_href: String,
    one_target: bool,
    can_bulletin: bool,
    pdf: bool,
}

pub(crate) async fn progress(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPlan>,
    q: Result<Query<ProgressQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = query(q)?;
    match q.format.as_deref() {
        None => {}
        Some("xlsx") => {
            let bytes = progress_xlsx(&state.svc, &me.viewer(), q.key.as_deref()).await?;
            return Ok(download(bytes, "月度调度.xlsx", XLSX));
        }
        Some(_) => return Err(AppError::BadRequest),
    }
    let p = read_progress(&state.svc, &me.viewer(), q.key.as_deref()).await?;
    let overdue = p
        .overdue
        .iter()
        .map(|i| OverdueView {
            unit: i.unit_label.clone(),
            name: i.name.clone(),
            cadence: i.cadence.label_zh(),
            due: i.due.map(|d| d.to_string()).unwrap_or_default(),
            state: i.state_zh,
        })
        .collect();
    let rows = p
        .rows
        .into_iter()
        .map(|r| RowView {
            href: format!("/plan/progress?key={}", r.key),
            cells: r
                .cells
                .iter()
                .map(|c| match c {
                    Some(c) => CellView {
                        text: format!("{} {}", c.value_text, c.verdict_zh),
                        class: match c.verdict {
                            Verdict::Met => "target-met",
                            Verdict::NotMet => "target-missed",
                            _ => "",
                        },
                    },
                    None => CellView {
                        text: "—".into(),
                        class: "",
                    },
                })
                .collect(),
            name: r.name,
            unit: r.unit,
            target: r.target,
        })
        .collect();
    let page = ProgressPage {
        chrome: Chrome::new(&me, "/plan/progress"),
        months: p.month_labels,
        rows,
        overdue,
        xlsx_href: match &q.key {
            Some(k) => format!("/plan/progress?key={k}&format=xlsx"),
            None => "/plan/progress?format=xlsx".into(),
        },
        one_target: q.key.is_some(),
        can_bulletin: wuyu_domain::grants(me.role(), wuyu_domain::Capability::PlanBulletin)
            && me.viewer().scope.is_district(),
        pdf: wuyu_service::bulletin::PDF_AVAILABLE,
    };
    Ok(render(&page)?.into_response())
}

/// `GET /plan/bulletin?quarter=2025Q3&format=pdf|xlsx`: audited by the service before it is
/// handed out.
pub(crate) async fn bulletin(
    State(state): State<AppState>,
    Require(me, _): Require<cap::PlanBulletin>,
    ClientIp(ip): ClientIp,
    q: Result<Query<BulletinQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = query(q)?;
    let period = period_of(&q)?;
    let format = match q.format.as_deref().unwrap_or("pdf") {
        "pdf" => BulletinFormat::Pdf,
        "xlsx" => BulletinFormat::Xlsx,
        _ => return Err(AppError::BadRequest),
    };
    let bytes = bulletin_document(
        &state.svc,
        &me.viewer(),
        &Requester::user(&me.user, &ip),
        period,
        format,
    )
    .await?;
    let content_type = match format {
        BulletinFormat::Pdf => "application/pdf",
        BulletinFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    let name = match period {
        Period::Quarter(_) => format!("bulletin-{}.{}", period.code(), format.extension()),
        Period::Year(_) => format!("summary-{}.{}", period.code(), format.extension()),
    };
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}
