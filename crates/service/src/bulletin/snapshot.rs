//! Taking a month's snapshot: the plan's status for the month's plan year, every unit, as
//! the district sees it.
use wuyu_domain::{Capability, Role, Scope, User, UserId, Viewer};
use wuyu_monitor::bulletin::{Month, SnapshotLine, plan_year_for};
use wuyu_store::NewSnapshot;

use crate::plan::{StatusLine, plan_status};
use crate::{Service, ServiceError};

/// The current calendar month (UTC).
pub fn this_month() -> Month {
    let today = time::OffsetDateTime::now_utc().date();
    Month {
        year: today.year(),
        month: u8::from(today.month()),
    }
}

/// What taking a snapshot did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SnapshotOutcome {
    pub month: String,
    pub plan_year: i32,
    pub lines: usize,
    /// False when the month already had a snapshot and it was kept.
    pub written: bool,
}

/// The district's view, used for a snapshot whoever triggers it: a snapshot is the district's
/// record, so a school admin opening the dashboard first still records every school.
fn district_reader() -> Viewer {
    Viewer::new(
        User {
            id: UserId(0),
            username: "snapshot".into(),
            display_name: "月度调度".into(),
            role: Role::DistrictAnalyst,
            school_id: None,
            teacher_id: None,
            student_id: None,
        },
        Scope::District,
    )
}

pub(crate) fn line_of(l: &StatusLine) -> SnapshotLine {
    SnapshotLine {
        key: l.key.clone(),
        unit_kind: l.unit.kind.to_string(),
        school_id: l.unit.school_id,
        unit_label: l.unit.label.clone(),
        verdict: l.verdict,
        value: l.value,
        value_text: l.value_text.clone(),
        target: l.target.clone(),
        n: l.n,
        gap: l.gap,
        as_of: l.as_of.clone(),
    }
}

/// Every target × unit now, judged for `month`'s plan year, or `None` without a plan.
pub(crate) async fn current_lines(
    svc: &Service,
    month: Month,
) -> Result<Option<(i32, Vec<SnapshotLine>)>, ServiceError> {
    let plan = svc.store().plan().await?;
    let Some(year) = plan_year_for(month, &plan.years) else {
        return Ok(None);
    };
    let status = plan_status(svc, &district_reader(), Some(year), None).await?;
    Ok(Some((year, status.lines.iter().map(line_of).collect())))
}

async fn save(
    svc: &Service,
    month: Month,
    taken_by: &str,
    replace: bool,
) -> Result<SnapshotOutcome, ServiceError> {
    let code = month.code();
    let Some((plan_year, lines)) = current_lines(svc, month).await? else {
        return Err(ServiceError::BadRequest(
            "还没有任务分解表：请先导入（wuyu import plan FILE）".into(),
        ));
    };
    let written = svc
        .store()
        .save_snapshot(
            NewSnapshot {
                month: &code,
                plan_year,
                taken_at: time::OffsetDateTime::now_utc().unix_timestamp(),
                taken_by,
                lines: &lines,
            },
            replace,
        )
        .await?;
    Ok(SnapshotOutcome {
        month: code,
        plan_year,
        lines: lines.len(),
        written,
    })
}

/// Takes (or retakes) `month`'s snapshot on request: district roles that make bulletins.
pub async fn take_snapshot(
    svc: &Service,
    viewer: &Viewer,
    month: Month,
) -> Result<SnapshotOutcome, ServiceError> {
    if !viewer.can(Capability::PlanBulletin) || !viewer.scope.is_district() {
        return Err(ServiceError::Forbidden);
    }
    save(svc, month, &viewer.user.username, true).await
}

/// The month's snapshot if it has none yet (the dashboard's first opening in a month). Without
/// a plan there is nothing to record, and that is not an error.
pub async fn ensure_month_snapshot(
    svc: &Service,
    viewer: &Viewer,
    month: Month,
) -> Result<Option<SnapshotOutcome>, ServiceError> {
    if !viewer.can(Capability::ViewPlan) {
        return Err(ServiceError::Forbidden);
    }
    let code = month.code();
    if svc
        .store()
        .snapshot_months()
        .await?
        .iter()
        .any(|m| m.month == code)
        || svc.store().plan().await?.years.is_empty()
    {
        return Ok(None);
    }
    save(svc, month, &viewer.user.username, false)
        .await
        .map(Some)
}
