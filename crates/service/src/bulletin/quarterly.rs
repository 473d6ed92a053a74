//! The quarterly bulletin (通报) and the year-end summary (年终总结): the period's numbers (its
//! latest monthly snapshot, or the data as they are when no month of it was recorded) against
//! the previous period's latest snapshot, as data, XLSX or PDF. Every document made is audited
//! with a fingerprint of the data behind it.
use sha2::{Digest, Sha256};
use wuyu_domain::{Capability, Viewer};
use wuyu_monitor::bulletin::{
    Bulletin, BulletinHeader, Month, Period, Quarter, SnapshotLine, build_bulletin,
};
use wuyu_store::SnapshotMonth;

use super::snapshot::current_lines;
use crate::audit::{BulkExport, Requester, record_export};
use crate::{Service, ServiceError};

/// The first and last month of a period: a quarter's, or a plan year's school year
/// (September to August).
fn months_of(p: Period) -> (Month, Month) {
    match p {
        Period::Quarter(q) => (q.first_month(), q.last_month()),
        Period::Year(y) => (
            Month {
                year: y - 1,
                month: 9,
            },
            Month { year: y, month: 8 },
        ),
    }
}

fn previous(p: Period) -> Period {
    match p {
        Period::Quarter(q) => Period::Quarter(q.previous()),
        Period::Year(y) => Period::Year(y - 1),
    }
}

/// The latest month with a snapshot within `p`.
fn latest_in(months: &[SnapshotMonth], p: Period) -> Option<&SnapshotMonth> {
    let (from, to) = months_of(p);
    let (from, to) = (from.code(), to.code());
    months
        .iter()
        .rev()
        .find(|m| m.month >= from && m.month <= to)
}

async fn lines_of(svc: &Service, m: &SnapshotMonth) -> Result<Vec<SnapshotLine>, ServiceError> {
    Ok(svc
        .store()
        .snapshot_lines(&m.month, &m.month, None)
        .await?
        .into_iter()
        .map(|(_, l)| l)
        .collect())
}

fn label_of(m: &SnapshotMonth) -> String {
    Month::parse(&m.month).map_or_else(|_| m.month.clone(), |x| format!("{}调度快照", x.label_zh()))
}

/// The bulletin of quarter `q`, for district roles that make bulletins.
pub async fn bulletin(
    svc: &Service,
    viewer: &Viewer,
    q: Quarter,
) -> Result<Bulletin, ServiceError> {
    report(svc, viewer, Period::Quarter(q)).await
}

/// The year-end summary of plan year `year` (2025 = the 2024–2025 school year), against the
/// previous school year's last snapshot, for district roles that make bulletins.
pub async fn year_summary(
    svc: &Service,
    viewer: &Viewer,
    year: i32,
) -> Result<Bulletin, ServiceError> {
    report(svc, viewer, Period::Year(year)).await
}

async fn report(svc: &Service, viewer: &Viewer, p: Period) -> Result<Bulletin, ServiceError> {
    if !viewer.can(Capability::PlanBulletin) || !viewer.scope.is_district() {
        return Err(ServiceError::Forbidden);
    }
    let plan = svc.store().plan().await?;
    if plan.years.is_empty() {
        return Err(ServiceError::BadRequest(
            "还没有任务分解表：请先导入（wuyu import plan FILE）".into(),
        ));
    }
    if let Period::Year(y) = p
        && !plan.years.contains(&y)
    {
        return Err(ServiceError::BadRequest(format!(
            "任务分解表没有 {y} 年的目标"
        )));
    }
    let today = time::OffsetDateTime::now_utc().date();
    let months = svc.store().snapshot_months().await?;
    let (plan_year, now, data_from) = match latest_in(&months, p) {
        Some(m) => (m.plan_year, lines_of(svc, m).await?, label_of(m)),
        None => {
            let (year, lines) = current_lines(svc, months_of(p).0)
                .await?
                .ok_or(ServiceError::NotFound)?;
            (year, lines, format!("生成时（{today}）的数据"))
        }
    };
    let before = match latest_in(&months, previous(p)) {
        Some(m) => Some((lines_of(svc, m).await?, label_of(m))),
        None => None,
    };
    Ok(build_bulletin(
        &plan,
        BulletinHeader {
            period: p,
            plan_year,
            generated_on: today.to_string(),
            data_from,
            compared_with: before.as_ref().map(|(_, label)| label.clone()),
        },
        &now,
        before.as_ref().map(|(lines, _)| lines.as_slice()),
    ))
}

/// The kinds of bulletin document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulletinFormat {
    Pdf,
    Xlsx,
}

impl BulletinFormat {
    /// The format a file name asks for (`.pdf` or `.xlsx`).
    pub fn of_file_name(name: &str) -> Option<BulletinFormat> {
        let n = name.to_lowercase();
        if n.ends_with(".pdf") {
            Some(BulletinFormat::Pdf)
        } else if n.ends_with(".xlsx") {
            Some(BulletinFormat::Xlsx)
        } else {
            None
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            BulletinFormat::Pdf => "pdf",
            BulletinFormat::Xlsx => "xlsx",
        }
    }
}

/// The bulletin of `q` as a document, written to the audit log (who, quarter, format and the
/// SHA-256 of the data behind it) before it is handed out. `period` is a quarter (通报) or a
/// plan year (年终总结).
pub async fn bulletin_document(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    period: Period,
    format: BulletinFormat,
) -> Result<Vec<u8>, ServiceError> {
    let b = report(svc, viewer, period).await?;
    let bytes = match format {
        BulletinFormat::Xlsx => wuyu_report::bulletin::bulletin_xlsx(&b)
            .map_err(|e| ServiceError::Internal(e.to_string()))?,
        BulletinFormat::Pdf => wuyu_report::bulletin::bulletin_pdf(&b).map_err(|e| match e {
            wuyu_report::pdf::PdfError::Unavailable(m) => ServiceError::BadRequest(m),
            other => ServiceError::Internal(other.to_string()),
        })?,
    };
    let data = serde_json::to_vec(&b).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let fingerprint = Sha256::digest(&data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    let rows = b.sections.iter().map(|s| s.targets.len()).sum();
    record_export(
        svc,
        who,
        &BulkExport {
            action: match period {
                Period::Quarter(_) => "plan_bulletin",
                Period::Year(_) => "plan_summary",
            },
            school: None,
            entity: period.code(),
            detail: format!("format={} data_sha256={fingerprint}", format.extension()),
            rows,
        },
    )
    .await?;
    Ok(bytes)
}
