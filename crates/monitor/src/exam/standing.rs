//! Student standing: z, T, 百分等级, district rank and 临界生 from one score table per subject.

use serde::{Deserialize, Serialize};
use wuyu_analytics::descriptive::{
    AbsentPolicy, BorderlineWindow, Mark, RankMethod, RateLines, TScale, borderline_students,
    percentile_rank, rank_descending, summarise, z_score,
};
use wuyu_analytics::round::round_half_away;

use super::model::{Borderline, ExamSettings, StudentMark};

use super::*;

// --- student standing ------------------------------------------------------------------------

/// The district's score table of one subject: what a student's z, T, 百分等级, rank and 临界生
/// are read from. `scores` are the distinct scores of the statistic population, ascending.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    pub subject: String,
    pub n: usize,
    pub mean: Option<f64>,
    /// σ (n denominator), as standard scores use it (§2.2).
    pub sd_population: Option<f64>,
    pub scores: Vec<f64>,
    pub percentile: Vec<f64>,
    pub rank: Vec<u32>,
    pub borderline: Vec<Option<Borderline>>,
}

pub(crate) fn standing(
    subject: &str,
    values: &[f64],
    full_marks: f64,
    lines: &RateLines,
    settings: &ExamSettings,
) -> Result<Standing, String> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut distinct = sorted.clone();
    distinct.dedup();
    let percentile = distinct
        .iter()
        .map(|&x| percentile_rank(x, &sorted).unwrap_or(f64::NAN))
        .collect();
    // Competition ranks over every student; a distinct score takes the rank of its students.
    let ranks = rank_descending(&sorted, RankMethod::Competition, 2).map_err(err)?;
    let rank = distinct
        .iter()
        .map(|&x| ranks[sorted.partition_point(|&v| v < x)] as u32)
        .collect();
    let mut borderline = vec![None; distinct.len()];
    let window = BorderlineWindow::Points(settings.borderline_points.max(0.0));
    for (line, label) in [
        (lines.pass.points(full_marks), Borderline::Pass),
        (lines.excellent.points(full_marks), Borderline::Excellent),
    ] {
        let b = borderline_students(&distinct, round_half_away(line, 2), window).map_err(err)?;
        for i in b.below {
            borderline[i] = Some(label);
        }
    }
    let summary = if values.is_empty() {
        None
    } else {
        Some(summarise(values).map_err(err)?)
    };
    Ok(Standing {
        subject: subject.to_string(),
        n: values.len(),
        mean: summary.as_ref().map(|s| s.mean),
        sd_population: summary.as_ref().map(|s| s.sd_population),
        scores: distinct,
        percentile,
        rank,
        borderline,
    })
}

impl Standing {
    /// A student's mark with their standing; `score` is their score in the statistic (None
    /// when absent or excluded).
    pub fn mark(&self, score: Option<f64>, absent: bool) -> StudentMark {
        let pos = score.and_then(|x| {
            let i = self.scores.partition_point(|&v| v < x);
            (i < self.scores.len() && self.scores[i] == x).then_some(i)
        });
        let z = match (score, self.mean, self.sd_population) {
            (Some(x), Some(m), Some(sd)) => z_score(x, m, sd),
            _ => None,
        };
        let scale = TScale::default();
        StudentMark {
            subject: self.subject.clone(),
            score,
            absent,
            z,
            t: z.map(|z| scale.a + scale.b * z),
            percentile: pos.map(|i| self.percentile[i]),
            district_rank: pos.map(|i| self.rank[i]),
            borderline: pos.and_then(|i| self.borderline[i]),
        }
    }
}

/// A student's marks with standing in every subject and 总分.
pub fn student_marks(
    row: &[Option<Cell>],
    standings: &[Standing],
    policy: AbsentPolicy,
) -> Vec<StudentMark> {
    let mut out = Vec::with_capacity(standings.len());
    for (s, st) in standings.iter().enumerate() {
        let (score, absent) = if s < row.len() {
            match row[s] {
                None => (None, false),
                Some(Cell::Absent) => (None, true),
                Some(Cell::Score(x)) => (Some(x), false),
            }
        } else {
            match total_mark(row, policy) {
                Mark::Score(x) => (Some(x), false),
                Mark::Absent => (None, true),
                Mark::Excluded => (None, false),
            }
        };
        let mut m = st.mark(score, absent);
        if absent && policy == AbsentPolicy::CountAsZero {
            // Counted as 0 in the statistics, but the student has no score of their own.
            m.score = None;
        }
        out.push(m);
    }
    out
}
