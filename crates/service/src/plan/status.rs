//! The plan's status for one year: every target × unit with its verdict, value as shown,
//! target, n, gap and the data it is as of. Computed targets are judged through the indicator
//! sources (no capability's code here) for the district and every school the indicator
//! applies to, so a leader sees which schools are behind; reported targets are 待填报 until
//! schools report.
use serde::Serialize;
use wuyu_domain::{Capability, Location, School, Scope, Stage, Viewer};
use wuyu_monitor::display::{Precision, shown};
use wuyu_monitor::indicator::{
    Comparator, IndicatorKey, IndicatorValue, Target, UnitRef, Verdict, judge,
};
use wuyu_monitor::plan::{
    AppliesTo, Domain, IndicatorSource, Plan, PlanIndicator, TargetCell, UnitKind,
};
use wuyu_monitor::plan_report::ReportStatus;

use crate::indicators::{self, Measured};
use crate::{Service, ServiceError};

/// Which unit a status line is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitLine {
    /// `district`, `stage`, `school`, `school_set`, `group`.
    pub kind: &'static str,
    pub school_id: Option<i64>,
    pub school_code: Option<String>,
    /// As pages show it: 全区, 全区小学, the school's name, 学校组“…”.
    pub label: String,
}

/// One target × unit of the year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusLine {
    pub key: String,
    pub name: String,
    pub domain: Domain,
    pub domain_zh: &'static str,
    pub source: IndicatorSource,
    /// The plan's unit text (`% of schools`).
    pub unit_text: String,
    pub kind: UnitKind,
    pub unit: UnitLine,
    pub comparator: Comparator,
    /// The target as the plan writes it (`30`, `20+20`).
    pub target: String,
    pub verdict: Verdict,
    pub verdict_zh: &'static str,
    /// The value in the plan's unit as shown (a rate in percent), if there is one.
    pub value: Option<f64>,
    /// The value as pages show it (`28.6%`, `0.98`), "—" without one.
    pub value_text: String,
    pub n: Option<u64>,
    /// How far the value is from the target in the plan's unit, as shown: negative = behind
    /// (for a ≤ target, above it), positive = ahead.
    pub gap: Option<f64>,
    /// The data behind the value: the fitness term or the exam (name and date).
    pub as_of: Option<String>,
}

/// The plan's status for a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanStatus {
    /// The plan year (2025 = the 2024–2025 school year, as the plan's columns are).
    pub year: i32,
    /// Every year the plan has targets for.
    pub years: Vec<i32>,
    pub lines: Vec<StatusLine>,
    /// Indicators without a target for the year (the district fills them in).
    pub without_target: usize,
}

impl PlanStatus {
    /// How many lines have `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.lines.iter().filter(|l| l.verdict == verdict).count()
    }
}

/// The school year a plan year's targets are measured in: the plan's 2025 column is the
/// 2024–2025 school year (`school_year` 2024).
pub fn school_year_of(plan_year: i32) -> i32 {
    plan_year - 1
}

/// The status of every target for `year` (the plan's latest year when `None`), optionally of
/// one indicator (`key`). A school admin sees their own school's lines only; roles without
/// [`Capability::ViewPlan`] are refused.
pub async fn plan_status(
    svc: &Service,
    viewer: &Viewer,
    year: Option<i32>,
    key: Option<&str>,
) -> Result<PlanStatus, ServiceError> {
    if !viewer.can(Capability::ViewPlan) {
        return Err(ServiceError::Forbidden);
    }
    // One evaluation: the sources read each district-wide table once for all the lines.
    svc.evaluation(evaluate(svc, viewer, year, key)).await
}

async fn evaluate(
    svc: &Service,
    viewer: &Viewer,
    year: Option<i32>,
    key: Option<&str>,
) -> Result<PlanStatus, ServiceError> {
    let own = match &viewer.scope {
        Scope::District => None,
        Scope::School { school_id } => Some(*school_id),
        _ => return Err(ServiceError::Forbidden),
    };
    let plan = svc.store().plan().await?;
    let year = match year {
        Some(y) if plan.years.contains(&y) => y,
        Some(y) => {
            return Err(ServiceError::BadRequest(format!(
                "任务分解表没有 {y} 年的目标"
            )));
        }
        None => plan.years.last().copied().unwrap_or(0),
    };
    let indicators: Vec<&PlanIndicator> = match key {
        Some(k) => vec![plan.indicator(k).ok_or(ServiceError::NotFound)?],
        None => plan.indicators.iter().collect(),
    };
    let schools = Roster::load(svc).await?;
    let reviewing = Reviewing::of(svc, &plan, school_year_of(year)).await?;
    let mut out = PlanStatus {
        year,
        years: plan.years.clone(),
        lines: Vec::new(),
        without_target: 0,
    };
    for ind in indicators {
        let target = ind.targets.get(&year).cloned().unwrap_or(TargetCell::Empty);
        if target == TargetCell::Empty {
            out.without_target += 1;
            continue;
        }
        let measured = indicators::period_for(svc, &measure_of(ind), school_year_of(year)).await?;
        for unit in units(ind, &schools) {
            if own.is_some() && unit.school_id != own.map(|s| s.0) {
                continue;
            }
            let mut l = line(svc, ind, &target, unit, measured.as_ref()).await?;
            if ind.measure.is_none() {
                reviewing.mark(&mut l);
            }
            out.lines.push(l);
        }
    }
    Ok(out)
}

/// The key an indicator is measured by in the registry: a computed indicator's source key,
/// a reported one's own plan key (the `plan` source answers with approved values).
fn measure_of(ind: &PlanIndicator) -> IndicatorKey {
    ind.measure
        .clone()
        .unwrap_or_else(|| IndicatorKey::new(&ind.key))
}

/// The district's schools and the school sets it named: what a plan's units are made of.
pub(crate) struct Roster {
    pub schools: Vec<School>,
    /// Stored sets by name (a stored 城区初中 replaces the built-in rule).
    pub sets: std::collections::BTreeMap<String, Vec<wuyu_domain::SchoolId>>,
}

impl Roster {
    pub(crate) async fn load(svc: &Service) -> Result<Self, ServiceError> {
        let store = svc.store();
        Ok(Roster {
            schools: svc
                .district_schools()
                .await?
                .iter()
                .map(|s| s.school.clone())
                .collect(),
            sets: store.school_sets().await?,
        })
    }
}

/// Whether a school is one of the units `ind` is judged for.
pub(crate) fn applies_to_school(ind: &PlanIndicator, school: &School, schools: &Roster) -> bool {
    units(ind, schools)
        .iter()
        .any(|u| u.school_id == Some(school.id.0))
}

/// The reported values of a year waiting for review, so a reported line without an approved
/// value reads 待审核 rather than 待填报.
struct Reviewing(std::collections::HashSet<(String, Option<i64>)>);

impl Reviewing {
    async fn of(svc: &Service, plan: &Plan, school_year: i32) -> Result<Self, ServiceError> {
        if plan.indicators.iter().all(|i| i.measure.is_some()) {
            return Ok(Self(Default::default()));
        }
        let rows = svc
            .store()
            .plan_reports(&Scope::District, school_year)
            .await?;
        Ok(Self(
            rows.into_iter()
                .filter(|r| r.status == ReportStatus::Submitted)
                .map(|r| (r.indicator_key, r.school_id.map(|s| s.0)))
                .collect(),
        ))
    }

    /// A reported line with no approved value: 待审核 when submitted, else 待填报.
    fn mark(&self, l: &mut StatusLine) {
        if l.value.is_some() {
            return;
        }
        l.as_of = None;
        l.verdict = if self.0.contains(&(l.key.clone(), l.unit.school_id)) {
            Verdict::AwaitingReview
        } else {
            Verdict::AwaitingReport
        };
        l.verdict_zh = l.verdict.label_zh();
    }
}

/// One unit to judge: its line description and what the indicator source is asked for
/// (`None`: a unit no source counts over, such as an 教育集团).
struct Unit {
    line: UnitLine,
    school_id: Option<i64>,
    unit: Option<UnitRef>,
}

pub(crate) fn has_stage(school: &School, stage: Stage) -> bool {
    match stage {
        Stage::Primary => matches!(school.stage, Stage::Primary | Stage::NineYear),
        Stage::Junior => matches!(
            school.stage,
            Stage::Junior | Stage::NineYear | Stage::Complete
        ),
        Stage::Senior => matches!(school.stage, Stage::Senior | Stage::Complete),
        other => school.stage == other,
    }
}

/// The members of a named school set: the district's stored set of that name, else for the
/// seeds' two a rule on the roster: 城区初中 = urban schools with junior grades, 其余初中 = the
/// other schools with junior grades.
pub(crate) fn set_members<'a>(name: &str, roster: &'a Roster) -> Vec<&'a School> {
    let schools = &roster.schools;
    if let Some(ids) = roster.sets.get(name) {
        return schools.iter().filter(|s| ids.contains(&s.id)).collect();
    }
    let junior = |s: &&School| has_stage(s, Stage::Junior);
    match name {
        "城区初中" => schools
            .iter()
            .filter(junior)
            .filter(|s| s.location == Location::Urban)
            .collect(),
        "其余初中" => schools
            .iter()
            .filter(junior)
            .filter(|s| s.location != Location::Urban)
            .collect(),
        _ => Vec::new(),
    }
}

fn school_unit(s: &School) -> Unit {
    Unit {
        line: UnitLine {
            kind: "school",
            school_id: Some(s.id.0),
            school_code: Some(s.code.as_str().to_string()),
            label: s.name.clone(),
        },
        school_id: Some(s.id.0),
        unit: Some(UnitRef::School(s.id)),
    }
}

/// Every unit an indicator applies to, district lines first, schools in roster order.
fn units(ind: &PlanIndicator, roster: &Roster) -> Vec<Unit> {
    let schools = &roster.schools;
    let mut out = Vec::new();
    let plain = |kind, label: String, unit| Unit {
        line: UnitLine {
            kind,
            school_id: None,
            school_code: None,
            label,
        },
        school_id: None,
        unit,
    };
    for a in &ind.applies_to {
        match a {
            AppliesTo::District => {
                out.push(plain("district", a.label_zh(), Some(UnitRef::District)))
            }
            AppliesTo::Stage { stage } => {
                out.push(plain("stage", a.label_zh(), Some(UnitRef::Stage(*stage))));
            }
            AppliesTo::EachSchool { location, stage } => out.extend(
                schools
                    .iter()
                    .filter(|s| location.is_none_or(|l| s.location == l))
                    .filter(|s| stage.is_none_or(|st| has_stage(s, st)))
                    .map(school_unit),
            ),
            AppliesTo::SchoolSet { name } => {
                let members = set_members(name, roster);
                if members.is_empty() {
                    out.push(plain("school_set", a.label_zh(), None));
                }
                out.extend(members.into_iter().map(school_unit));
            }
            AppliesTo::EachGroup => out.push(plain("group", a.label_zh(), None)),
        }
    }
    out
}

/// The precision a measure's values are shown at: exam figures at two decimals (as the exam
/// pages show them), fitness rates at one.
fn precision_of(key: &str, kind: UnitKind) -> Precision {
    if key.starts_with("exam.") || kind != UnitKind::Rate {
        Precision::Two
    } else {
        Precision::One
    }
}

async fn line(
    svc: &Service,
    ind: &PlanIndicator,
    target: &TargetCell,
    unit: Unit,
    measured: Option<&Measured>,
) -> Result<StatusLine, ServiceError> {
    let mut l = StatusLine {
        key: ind.key.clone(),
        name: ind.name.clone(),
        domain: ind.domain,
        domain_zh: ind.domain.label_zh(),
        source: ind.source(),
        unit_text: ind.unit.clone(),
        kind: ind.kind,
        unit: unit.line,
        comparator: ind.comparator,
        target: target.text(),
        verdict: Verdict::AwaitingReport,
        verdict_zh: Verdict::AwaitingReport.label_zh(),
        value: None,
        value_text: "—".into(),
        n: None,
        gap: None,
        as_of: None,
    };
    let Some(t) = target.number() else {
        // A target in words: people judge it.
        return Ok(l);
    };
    let measure = &measure_of(ind);
    let rate = ind.kind == UnitKind::Rate;
    let p = precision_of(measure.as_str(), ind.kind);
    let value: Option<IndicatorValue> = match (measured, &unit.unit) {
        (Some(m), Some(u)) => {
            l.as_of = Some(m.as_of.clone());
            indicators::value(svc, &m.key, u, m.period).await?
        }
        _ => None,
    };
    let goal = Target {
        indicator: measure.clone(),
        unit: unit.unit.clone().unwrap_or(UnitRef::District),
        school_year: 0,
        comparator: ind.comparator,
        value: if rate { t / 100.0 } else { t },
    };
    // The small-cell rule: a rate on fewer than the indicator's minimum is not judged.
    let min_n = if rate {
        ind.min_n.map_or(0, u64::from)
    } else {
        0
    };
    l.verdict = judge(&goal, value, min_n, p, rate);
    l.verdict_zh = l.verdict.label_zh();
    if l.verdict == Verdict::TooFew {
        // Only n is shown: a rate on a handful of students says too much about them.
        l.n = value.map(|v| v.n);
        l.value_text = "样本不足".into();
        return Ok(l);
    }
    if let Some(v) = value
        && v.is_unbounded()
    {
        // Students and no teacher of the subject: the ratio has no finite value to show.
        l.value_text = "∞（分母为 0）".into();
        l.n = Some(v.n);
        return Ok(l);
    }
    if let Some(v) = value
        && let Some(x) = v.value()
    {
        let shown_value = shown(if rate { x * 100.0 } else { x }, p);
        let shown_target = shown(t, p);
        l.value = Some(shown_value);
        l.value_text = format!(
            "{:.*}{}",
            p.digits() as usize,
            shown_value,
            if rate { "%" } else { "" }
        );
        l.n = Some(v.n);
        let gap = match ind.comparator {
            Comparator::AtMost => shown_target - shown_value,
            Comparator::Equal => -(shown_value - shown_target).abs(),
            Comparator::AtLeast | Comparator::About => shown_value - shown_target,
        };
        l.gap = Some(shown(gap, p));
    }
    Ok(l)
}

/// The lines of one indicator sorted for "which schools are behind": furthest behind first,
/// lines without a value last.
pub fn by_gap(lines: &mut [StatusLine]) {
    lines.sort_by(|a, b| match (a.gap, b.gap) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.unit.label.cmp(&b.unit.label),
    });
}
