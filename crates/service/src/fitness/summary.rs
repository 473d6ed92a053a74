//! One fitness table: the rows of one grouping and term, with ranks where the caller may see
//! them. The `/fitness` page's tables, `GET /api/v1/fitness/summary` and
//! `/fitness/export.xlsx` all read it.
use wuyu_domain::{RanksToken, SchoolId, Term, Viewer};
use wuyu_monitor::rank::{RankInput, ranks};
use wuyu_store::{FitnessGroupBy, FitnessGroupKey, FitnessSummaryRow};

use super::{SHOWN_AT, pick_term};
use crate::{Service, ServiceError};

/// What a caller asks for, as the edges received it.
#[derive(Debug, Clone, Default)]
pub struct SummaryQuery {
    /// A term code; the latest term with records when left out.
    pub term: Option<String>,
    /// A grouping code (`school`, `class`, …); the caller's default when left out.
    pub by: Option<String>,
    /// One school (district roles; a school's own roles may name their own).
    pub school: Option<SchoolId>,
}

impl SummaryQuery {
    /// The grouping asked for, `default` when none.
    pub fn grouping(&self, default: FitnessGroupBy) -> Result<FitnessGroupBy, ServiceError> {
        match self.by.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => {
                FitnessGroupBy::parse(s).ok_or_else(|| ServiceError::BadRequest(format!("by: {s}")))
            }
            None => Ok(default),
        }
    }
}

/// One group's row: the store's counts and rates, its label and its rank (`None`: not
/// ranked — ranks hidden, a grouping without ranks, or fewer than 10 complete records).
#[derive(Debug, Clone)]
pub struct SummaryLine {
    pub label: String,
    pub row: FitnessSummaryRow,
    pub rank: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Summary {
    /// `None` when there are no records at all.
    pub term: Option<Term>,
    pub by: FitnessGroupBy,
    /// Whether ranks were computed (the caller's token, a ranked grouping).
    pub ranked: bool,
    pub lines: Vec<SummaryLine>,
}

/// The table of `q` for the caller: `default_by` when `q` names no grouping.
pub async fn summary(
    svc: &Service,
    viewer: &Viewer,
    q: &SummaryQuery,
    default_by: FitnessGroupBy,
) -> Result<Summary, ServiceError> {
    // Refused roles are refused before their parameters are looked at.
    let terms = svc.store().fitness_terms(&viewer.scope).await?;
    let by = q.grouping(default_by)?;
    let term = pick_term(&terms, q.term.as_deref())?;
    let token = super::ranks_token(svc, viewer).await?;
    let lines = match term {
        Some(t) => lines(svc, viewer, q.school, t, by, token).await?,
        None => Vec::new(),
    };
    Ok(Summary {
        term,
        by,
        ranked: token.is_some() && is_ranked(by),
        lines,
    })
}

/// Schools and classes are ranked; grades, sexes and locations are not.
pub(crate) fn is_ranked(by: FitnessGroupBy) -> bool {
    matches!(by, FitnessGroupBy::School | FitnessGroupBy::Class)
}

/// The rows of one grouping and term, labelled and (with the token) ranked.
pub(crate) async fn lines(
    svc: &Service,
    viewer: &Viewer,
    school: Option<SchoolId>,
    term: Term,
    by: FitnessGroupBy,
    token: Option<RanksToken>,
) -> Result<Vec<SummaryLine>, ServiceError> {
    let rows = svc
        .store()
        .fitness_summary(&viewer.scope, school, term, by)
        .await?;
    let mut out: Vec<SummaryLine> = rows
        .into_iter()
        .map(|row| SummaryLine {
            label: group_label(by, &row.key),
            row,
            rank: None,
        })
        .collect();
    if let Some(token) = token.filter(|_| is_ranked(by)) {
        rank_lines(&mut out, token);
    }
    Ok(out)
}

/// Ranks by mean 学年总分 with the one rank rule (n ≥ 10 complete records, ties on the value
/// as shown), among the rows of the same grade: classes are compared with their parallel
/// classes only; schools have no grade key and are ranked together.
fn rank_lines(lines: &mut [SummaryLine], _token: RanksToken) {
    let mut grades: Vec<_> = lines.iter().map(|l| l.row.key.grade).collect();
    grades.sort();
    grades.dedup();
    for grade in grades {
        let idx: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].row.key.grade == grade)
            .collect();
        let inputs: Vec<RankInput> = idx
            .iter()
            .map(|&i| RankInput {
                value: lines[i].row.mean_year_total,
                n: u64::try_from(lines[i].row.ok_count).unwrap_or(0),
            })
            .collect();
        for (&i, r) in idx.iter().zip(ranks(&inputs, SHOWN_AT)) {
            lines[i].rank = r;
        }
    }
}

/// The label of a group, as the tables and the export show it.
pub fn group_label(by: FitnessGroupBy, key: &FitnessGroupKey) -> String {
    match by {
        FitnessGroupBy::District => "合计".into(),
        FitnessGroupBy::School => key.school_name.clone().unwrap_or_default(),
        FitnessGroupBy::Grade => key
            .grade
            .map(|g| g.label_zh().to_string())
            .unwrap_or_default(),
        FitnessGroupBy::Class => match (key.grade, &key.class_name) {
            (Some(g), Some(n)) => format!("{} {n}", g.label_zh()),
            (_, n) => n.clone().unwrap_or_default(),
        },
        FitnessGroupBy::Sex => key
            .sex
            .map(|s| s.label_zh().to_string())
            .unwrap_or_default(),
        FitnessGroupBy::Location => key
            .location
            .map(|l| l.label_zh().to_string())
            .unwrap_or_default(),
    }
}

/// The column header of a grouping.
pub fn group_header(by: FitnessGroupBy) -> &'static str {
    match by {
        FitnessGroupBy::District => "范围",
        FitnessGroupBy::School => "学校",
        FitnessGroupBy::Grade => "年级",
        FitnessGroupBy::Class => "班级",
        FitnessGroupBy::Sex => "性别",
        FitnessGroupBy::Location => "城乡",
    }
}

/// The title of a grouping's table.
pub fn table_title(by: FitnessGroupBy) -> &'static str {
    match by {
        FitnessGroupBy::School => "各校体质健康",
        FitnessGroupBy::Grade => "各年级体质健康",
        FitnessGroupBy::Class => "各班体质健康",
        FitnessGroupBy::Sex => "按性别",
        FitnessGroupBy::Location => "按城乡",
        FitnessGroupBy::District => "合计",
    }
}
