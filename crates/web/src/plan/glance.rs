//! The 五育 tiles of the home pages (district overview and a school admin's school page):
//! one call to `wuyu_service::plan::glance`, shaped for `_glance.html`.
use wuyu_domain::SchoolId;
use wuyu_service::plan::glance;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

pub(crate) struct DomainTile {
    pub code: &'static str,
    pub label: &'static str,
    pub met: usize,
    pub not_met: usize,
    pub awaiting: usize,
    pub no_data: usize,
    /// The missed targets, furthest behind first, joined with 、.
    pub missed: String,
}

pub(crate) struct LaggardRow {
    pub school: String,
    pub missed: usize,
    pub judged: usize,
    pub targets: String,
}

pub(crate) struct GlanceView {
    pub plan_year: i32,
    pub as_of: String,
    /// 全区, 本校 (the viewer's own school) or 该校 (a school the district opened).
    pub unit: &'static str,
    pub domains: Vec<DomainTile>,
    pub laggards: Vec<LaggardRow>,
    /// Lines awaiting a school's report: the school page links to 指标填报.
    pub awaiting: usize,
}

/// The tiles of the district (`school` = `None`) or of a school for `me`, or `None` for roles
/// that do not see the plan (or without a plan).
pub(crate) async fn glance_view(
    state: &AppState,
    me: &CurrentUser,
    school: Option<SchoolId>,
) -> Result<Option<GlanceView>, AppError> {
    let Some(g) = glance(&state.svc, &me.viewer(), school).await? else {
        return Ok(None);
    };
    Ok(Some(GlanceView {
        plan_year: g.plan_year,
        as_of: g.as_of,
        unit: match (school, me.scope.is_district()) {
            (None, _) => "全区",
            (Some(_), false) => "本校",
            (Some(_), true) => "该校",
        },
        awaiting: g.domains.iter().map(|d| d.tally.awaiting).sum(),
        domains: g
            .domains
            .into_iter()
            .map(|d| DomainTile {
                code: d.domain.code(),
                label: d.domain_zh,
                met: d.tally.met,
                not_met: d.tally.not_met,
                awaiting: d.tally.awaiting,
                no_data: d.tally.no_data,
                missed: d.missed.join("、"),
            })
            .collect(),
        laggards: g
            .laggards
            .into_iter()
            .map(|l| LaggardRow {
                school: l.school,
                missed: l.missed,
                judged: l.judged,
                targets: l.targets.join("、"),
            })
            .collect(),
    }))
}
