//! Counts per scale point of one item (or of one group's answers to it) and the §7.2
//! indicators computed from them. Counting first keeps a million responses a single pass; the
//! statistics then only look at six numbers.
use std::ops::AddAssign;

use serde::{Deserialize, Serialize};

use super::{Answer, MinRespondents, POINTS};
use crate::compare::wilson_interval;

/// z for a two-sided 95 % interval (§7.2).
pub const Z_95: f64 = 1.96;

/// How many answers fell on each point, plus 不了解 and blanks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// `counts[k - 1]` answers of point k.
    pub counts: [usize; POINTS as usize],
    pub unknown: usize,
    pub blank: usize,
}

impl Tally {
    pub fn add(&mut self, a: Answer) {
        match a {
            Answer::Point(k) => self.counts[usize::from(k.clamp(1, POINTS)) - 1] += 1,
            Answer::Unknown => self.unknown += 1,
            Answer::Blank => self.blank += 1,
        }
    }

    pub fn from_answers(answers: impl IntoIterator<Item = Answer>) -> Self {
        let mut t = Tally::default();
        for a in answers {
            t.add(a);
        }
        t
    }

    /// Valid answers: scale points only (不了解 and blanks excluded, §7.1).
    pub fn n(&self) -> usize {
        self.counts.iter().sum()
    }

    /// Answers of point `k` or above.
    fn at_least(&self, k: u8) -> usize {
        self.counts[usize::from(k) - 1..].iter().sum()
    }

    /// The indicators, or suppression when the valid answers are under the minimum.
    pub fn report(&self, min: MinRespondents) -> Reported {
        let n = self.n();
        Reported {
            n,
            unknown: self.unknown,
            stats: if min.suppresses(n) {
                None
            } else {
                satisfaction_stats(self)
            },
        }
    }
}

impl AddAssign<&Tally> for Tally {
    fn add_assign(&mut self, other: &Tally) {
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
        self.unknown += other.unknown;
        self.blank += other.blank;
    }
}

/// The §7.2 indicators of one item or unit. Rates are fractions (0.7692, not 76.92).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SatisfactionStats {
    /// Valid answers (scale points).
    pub n: usize,
    /// 不了解 answers.
    pub unknown: usize,
    /// 不了解 / (n + 不了解), reported next to the rates.
    pub unknown_share: f64,
    /// 满意率 (top-2 box): (n₅ + n₄) / n — the headline (§11.7).
    pub top2_rate: f64,
    /// Wilson 95 % interval of the top-2 rate.
    pub ci_low: f64,
    pub ci_high: f64,
    /// 满意率含基本满意 (top-3): (n₅ + n₄ + n₃) / n. Shown only labelled as the top-3 variant.
    pub top3_rate: f64,
    /// Mean score x̄ = Σ k·n_k / n on 1…5.
    pub mean: f64,
    /// 满意度指数 100·(x̄ − 1)/(K − 1), 0–100.
    pub index: f64,
    /// The weighted-score variant 20·x̄ (5,4,3,2,1 → 100,80,60,40,20).
    pub weighted_score: f64,
}

/// What a report shows for one unit: its counts always, the numbers only when not suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Reported {
    pub n: usize,
    pub unknown: usize,
    /// `None`: under the minimum respondents (or no valid answer at all).
    pub stats: Option<SatisfactionStats>,
}

impl Reported {
    pub fn suppressed(&self) -> bool {
        self.stats.is_none()
    }
}

/// The indicators of a tally; `None` when it has no valid answer.
pub fn satisfaction_stats(t: &Tally) -> Option<SatisfactionStats> {
    let n = t.n();
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let top2 = t.at_least(4);
    let top2_rate = top2 as f64 / nf;
    let (low, high) = wilson_interval(top2, n, Z_95)?;
    let sum: usize = t.counts.iter().zip(1..).map(|(c, k)| c * k).sum();
    let mean = sum as f64 / nf;
    Some(SatisfactionStats {
        n,
        unknown: t.unknown,
        unknown_share: t.unknown as f64 / (n + t.unknown) as f64,
        top2_rate,
        // Rounding can leave an end a hair outside [0, 1] or past the estimate at 0 % or 100 %.
        ci_low: low.clamp(0.0, top2_rate),
        ci_high: high.clamp(top2_rate, 1.0),
        top3_rate: t.at_least(3) as f64 / nf,
        mean,
        index: 100.0 * (mean - 1.0) / f64::from(POINTS - 1),
        weighted_score: 100.0 / f64::from(POINTS) * mean,
    })
}
