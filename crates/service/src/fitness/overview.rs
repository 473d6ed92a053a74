//! The `/fitness` overview of the caller's scope: the headline with its change since the
//! previous term and the plan's two targets, the main tables (schools for the district; grades
//! and classes for a school) with every row judged against the same targets, the split by 学段,
//! the breakdowns by 城乡 and sex, the items and the trend.
use std::collections::HashMap;

use wuyu_domain::{Capability, SchoolId, Scope, Stage, Term, Viewer};
use wuyu_monitor::fitness::{GradeStage, by_stage};
use wuyu_monitor::indicator::{
    Comparator, IndicatorKey, IndicatorValue, Target, UnitRef, Verdict, fitness_keys, judge,
};
use wuyu_store::{FitnessGroupBy, FitnessItemStat, FitnessSummaryRow};

use super::indicators::value_of;
use super::summary::{SummaryLine, is_ranked, lines};
use super::{SHOWN_AT, pick_term, previous_term, ranks_token, targets};
use crate::focus::focus_school;
use crate::{Service, ServiceError};

/// A row of a table with its change since the previous term.
#[derive(Debug, Clone)]
pub struct GroupLine {
    pub line: SummaryLine,
    /// The same group's row of the previous term with records, if any.
    pub before: Option<FitnessSummaryRow>,
    /// This row against the plan's 优秀率 and 近视率 targets (main tables only): a district
    /// that meets a target overall can hide schools that do not.
    pub targets: Option<RowTargets>,
    /// The school's 学段 (rows of schools only).
    pub school_stage: Option<Stage>,
}

/// One row against the plan's two fitness targets.
#[derive(Debug, Clone, Copy)]
pub struct RowTargets {
    pub excellent: TargetCheck,
    pub myopia: TargetCheck,
}

/// One 学段 of the view (grades 1–6, 7–9, 10–12 added up), against the targets.
#[derive(Debug, Clone)]
pub struct StageLine {
    pub stage: GradeStage,
    pub row: FitnessSummaryRow,
    pub targets: RowTargets,
}

/// How many schools of the view miss each target (district view only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TargetTally {
    /// Schools with a verdict on 优秀率 (some complete records).
    pub judged: usize,
    pub excellent_missed: usize,
    pub myopia_missed: usize,
}

impl GroupLine {
    /// Change of 合格率 in percentage points.
    pub fn pass_change(&self) -> Option<f64> {
        change(
            self.line.row.pass_rate,
            self.before.as_ref().and_then(|b| b.pass_rate),
        )
    }

    /// Change of 优秀率 in percentage points.
    pub fn excellent_change(&self) -> Option<f64> {
        change(
            self.line.row.excellent_rate,
            self.before.as_ref().and_then(|b| b.excellent_rate),
        )
    }
}

fn change(now: Option<f64>, before: Option<f64>) -> Option<f64> {
    Some((now? - before?) * 100.0)
}

#[derive(Debug, Clone)]
pub struct GroupTable {
    pub by: FitnessGroupBy,
    /// Ranks are filled (the caller's token, schools or classes).
    pub ranked: bool,
    pub lines: Vec<GroupLine>,
}

/// One of the plan's targets and its verdict on the headline.
#[derive(Debug, Clone, Copy)]
pub struct TargetCheck {
    pub target: f64,
    pub verdict: Verdict,
}

impl TargetCheck {
    /// Met, not met, or not judged (no data).
    pub fn met(&self) -> Option<bool> {
        match self.verdict {
            Verdict::Met => Some(true),
            Verdict::NotMet => Some(false),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Overview {
    /// The school a district role drilled down to (school roles see their own school without
    /// a drill-down).
    pub drill_down: Option<SchoolId>,
    /// The focused school's name; for district roles without focus, the district's name.
    pub school_name: Option<String>,
    pub district_name: Option<String>,
    /// Terms with records, oldest first.
    pub terms: Vec<Term>,
    pub term: Option<Term>,
    pub previous: Option<Term>,
    pub headline: Option<GroupLine>,
    pub excellent: TargetCheck,
    pub myopia: TargetCheck,
    pub tables: Vec<GroupTable>,
    pub breakdowns: Vec<GroupTable>,
    /// Item statistics of the whole view.
    pub items: Vec<FitnessItemStat>,
    /// The headline of every term with records up to the one shown.
    pub trend: Vec<(Term, FitnessSummaryRow)>,
    /// The school whose national upload file may be downloaded from here.
    pub upload_school: Option<SchoolId>,
    /// The view split by 学段, stages without records left out.
    pub stages: Vec<StageLine>,
    /// Schools missing each target (the district's school table).
    pub tally: Option<TargetTally>,
}

/// The groupings of the main tables: schools for district roles, grades and classes for one
/// school's view.
pub(crate) fn main_groupings(
    viewer: &Viewer,
    focus: Option<SchoolId>,
) -> &'static [FitnessGroupBy] {
    match (&viewer.scope, focus) {
        (Scope::District, None) => &[FitnessGroupBy::School],
        _ => &[FitnessGroupBy::Grade, FitnessGroupBy::Class],
    }
}

/// Rows of `by` for `term`, each with its row of the previous term (matched by group).
async fn with_change(
    svc: &Service,
    viewer: &Viewer,
    focus: Option<SchoolId>,
    by: FitnessGroupBy,
    term: Term,
    previous: Option<Term>,
    token: Option<wuyu_domain::RanksToken>,
) -> Result<GroupTable, ServiceError> {
    let now = lines(svc, viewer, focus, term, by, token).await?;
    let before = match previous {
        Some(p) => {
            svc.store()
                .fitness_summary(&viewer.scope, focus, p, by)
                .await?
        }
        None => Vec::new(),
    };
    let lines = now
        .into_iter()
        .map(|line| {
            let before = before.iter().find(|b| b.key == line.row.key).cloned();
            GroupLine {
                line,
                before,
                targets: None,
                school_stage: None,
            }
        })
        .collect();
    Ok(GroupTable {
        by,
        ranked: token.is_some() && is_ranked(by),
        lines,
    })
}

/// The verdict on one of the plan's targets for the view's headline (`row`: none before any
/// term has records).
fn check(
    key: &str,
    cmp: Comparator,
    target: f64,
    term: Option<Term>,
    row: Option<&FitnessSummaryRow>,
) -> TargetCheck {
    let value: Option<IndicatorValue> = row.and_then(|r| value_of(key, r));
    let t = Target {
        indicator: IndicatorKey::new(key),
        unit: UnitRef::District,
        school_year: term.map_or(0, |t| i32::from(t.school_year)),
        comparator: cmp,
        value: target,
    };
    TargetCheck {
        target,
        verdict: judge(&t, value, 0, SHOWN_AT, true),
    }
}

/// How many of `lines` miss each target (rows without a verdict are not counted).
fn tally(lines: &[GroupLine]) -> TargetTally {
    let mut t = TargetTally::default();
    for r in lines.iter().filter_map(|l| l.targets) {
        if r.excellent.met().is_some() {
            t.judged += 1;
        }
        t.excellent_missed += usize::from(r.excellent.met() == Some(false));
        t.myopia_missed += usize::from(r.myopia.met() == Some(false));
    }
    t
}

/// The overview for `term_code` (the latest term when none) and `school` (district roles).
/// Kept while the database is unchanged (it adds up a dozen rollup queries).
pub async fn overview(
    svc: &Service,
    viewer: &Viewer,
    term_code: Option<&str>,
    school: Option<SchoolId>,
) -> Result<Overview, ServiceError> {
    let key = format!("fitness::overview {viewer:?} {term_code:?} {school:?}");
    svc.cached(key, compute_overview(svc, viewer, term_code, school))
        .await
}

async fn compute_overview(
    svc: &Service,
    viewer: &Viewer,
    term_code: Option<&str>,
    school: Option<SchoolId>,
) -> Result<Overview, ServiceError> {
    let store = svc.store();
    let focus = focus_school(store.as_ref(), &viewer.scope, school).await?;
    let goals = targets(svc).await?;
    let terms = store.fitness_terms(&viewer.scope).await?;
    let term = pick_term(&terms, term_code)?;
    let school_name = match focus.or(viewer.scope.school_id()) {
        Some(s) => Some(store.school(&viewer.scope, s).await?.name),
        None => None,
    };
    let district_name = match (&viewer.scope, focus) {
        (Scope::District, None) => store.district().await?.map(|d| d.name),
        _ => None,
    };
    let mut out = Overview {
        drill_down: focus.filter(|_| viewer.scope.is_district()),
        school_name,
        district_name,
        terms: terms.clone(),
        term,
        previous: None,
        headline: None,
        excellent: check(
            fitness_keys::EXCELLENT_RATE,
            Comparator::AtLeast,
            goals.excellent_rate,
            None,
            None,
        ),
        myopia: check(
            fitness_keys::MYOPIA_RATE,
            Comparator::AtMost,
            goals.myopia_rate_max,
            None,
            None,
        ),
        tables: Vec::new(),
        breakdowns: Vec::new(),
        items: Vec::new(),
        trend: Vec::new(),
        upload_school: None,
        stages: Vec::new(),
        tally: None,
    };
    let Some(term) = term else {
        return Ok(out);
    };
    let previous = previous_term(&terms, term);
    out.previous = previous;
    let token = ranks_token(svc, viewer).await?;
    let district = with_change(
        svc,
        viewer,
        focus,
        FitnessGroupBy::District,
        term,
        previous,
        None,
    )
    .await?;
    out.headline = district.lines.into_iter().next();
    let head = out
        .headline
        .as_ref()
        .map(|h| h.line.row.clone())
        .unwrap_or_default();
    out.excellent = check(
        fitness_keys::EXCELLENT_RATE,
        Comparator::AtLeast,
        goals.excellent_rate,
        Some(term),
        Some(&head),
    );
    out.myopia = check(
        fitness_keys::MYOPIA_RATE,
        Comparator::AtMost,
        goals.myopia_rate_max,
        Some(term),
        Some(&head),
    );
    let judge_row = |row: &FitnessSummaryRow| RowTargets {
        excellent: check(
            fitness_keys::EXCELLENT_RATE,
            Comparator::AtLeast,
            goals.excellent_rate,
            Some(term),
            Some(row),
        ),
        myopia: check(
            fitness_keys::MYOPIA_RATE,
            Comparator::AtMost,
            goals.myopia_rate_max,
            Some(term),
            Some(row),
        ),
    };
    let stages: HashMap<SchoolId, Stage> = store
        .list_schools(&viewer.scope)
        .await?
        .into_iter()
        .map(|s| (s.school.id, s.school.stage))
        .collect();
    for by in main_groupings(viewer, focus) {
        let mut table = with_change(svc, viewer, focus, *by, term, previous, token).await?;
        for l in &mut table.lines {
            l.targets = Some(judge_row(&l.line.row));
            if *by == FitnessGroupBy::School {
                l.school_stage = l
                    .line
                    .row
                    .key
                    .school_id
                    .and_then(|s| stages.get(&s).copied());
            }
        }
        if *by == FitnessGroupBy::School {
            out.tally = Some(tally(&table.lines));
        }
        // Schools read top-down by rank (unranked last); classes stay in grade order.
        if table.ranked && *by == FitnessGroupBy::School {
            table
                .lines
                .sort_by_key(|l| l.line.rank.unwrap_or(usize::MAX));
        }
        out.tables.push(table);
    }
    let grades = store
        .fitness_summary(&viewer.scope, focus, term, FitnessGroupBy::Grade)
        .await?;
    out.stages = by_stage(&grades)
        .into_iter()
        .filter(|(_, row)| row.tested > 0)
        .map(|(stage, row)| StageLine {
            stage,
            targets: judge_row(&row),
            row,
        })
        .collect();
    for by in [FitnessGroupBy::Location, FitnessGroupBy::Sex] {
        out.breakdowns
            .push(with_change(svc, viewer, focus, by, term, previous, None).await?);
    }
    out.items = store
        .fitness_item_summary(&viewer.scope, focus, term, FitnessGroupBy::District)
        .await?
        .into_iter()
        .next()
        .map(|r| r.items)
        .unwrap_or_default();
    for t in terms.iter().copied().filter(|t| *t <= term) {
        let rows = store
            .fitness_summary(&viewer.scope, focus, t, FitnessGroupBy::District)
            .await?;
        out.trend
            .push((t, rows.into_iter().next().unwrap_or_default()));
    }
    // The national upload file: one school's results (a school admin, or a district role
    // looking at one school).
    // Only for the roles that submit it (it holds full 学籍号).
    out.upload_school = match (&viewer.scope, focus) {
        (Scope::District, Some(s)) | (&Scope::School { school_id: s }, _) => Some(s),
        _ => None,
    }
    .filter(|_| viewer.can(Capability::ExportFitnessUpload));
    Ok(out)
}
