//! Urban–rural gaps (§5.2): mean difference with Welch SE and Cohen's d, the school-level SE
//! the spec recommends (students are clustered in schools), and rate gaps in percentage points
//! with a Newcombe (Wilson-score) interval.
use serde::Serialize;

use crate::descriptive::{mean, variance_sample};
use crate::error::{AnalyticsError, check_finite};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeanGap {
    pub n1: usize,
    pub n2: usize,
    pub mean1: f64,
    pub mean2: f64,
    /// x̄1 − x̄2.
    pub difference: f64,
    /// Welch SE √(s1²/n1 + s2²/n2) — understates uncertainty for clustered students.
    pub welch_se: f64,
    /// Cohen's d with the pooled sample SD.
    pub cohens_d: Option<f64>,
}

/// Student-level gap between group 1 (e.g. 城区) and group 2 (乡村). Each group needs n ≥ 2.
pub fn mean_gap(group1: &[f64], group2: &[f64]) -> crate::Result<MeanGap> {
    for g in [group1, group2] {
        check_finite("score", g)?;
        if g.len() < 2 {
            return Err(AnalyticsError::TooFew {
                what: "students per group",
                needed: 2,
                got: g.len(),
            });
        }
    }
    let (n1, n2) = (group1.len() as f64, group2.len() as f64);
    let (m1, m2) = (mean(group1).unwrap_or(0.0), mean(group2).unwrap_or(0.0));
    let (v1, v2) = (
        variance_sample(group1).unwrap_or(0.0),
        variance_sample(group2).unwrap_or(0.0),
    );
    let pooled = (((n1 - 1.0) * v1 + (n2 - 1.0) * v2) / (n1 + n2 - 2.0)).sqrt();
    Ok(MeanGap {
        n1: group1.len(),
        n2: group2.len(),
        mean1: m1,
        mean2: m2,
        difference: m1 - m2,
        welch_se: (v1 / n1 + v2 / n2).sqrt(),
        cohens_d: (pooled > 0.0).then(|| (m1 - m2) / pooled),
    })
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolLevelGap {
    pub schools1: usize,
    pub schools2: usize,
    /// Difference of the unweighted means of school means.
    pub difference: f64,
    /// √(sd1²/J1 + sd2²/J2) from the school means — the default SE (§5.2).
    pub se: f64,
}

/// Gap between two groups of schools, from the school means.
pub fn school_level_gap(
    school_means1: &[f64],
    school_means2: &[f64],
) -> crate::Result<SchoolLevelGap> {
    for g in [school_means1, school_means2] {
        check_finite("school mean", g)?;
        if g.len() < 2 {
            return Err(AnalyticsError::TooFew {
                what: "schools per group",
                needed: 2,
                got: g.len(),
            });
        }
    }
    let (j1, j2) = (school_means1.len() as f64, school_means2.len() as f64);
    let v1 = variance_sample(school_means1).unwrap_or(0.0);
    let v2 = variance_sample(school_means2).unwrap_or(0.0);
    Ok(SchoolLevelGap {
        schools1: school_means1.len(),
        schools2: school_means2.len(),
        difference: mean(school_means1).unwrap_or(0.0) - mean(school_means2).unwrap_or(0.0),
        se: (v1 / j1 + v2 / j2).sqrt(),
    })
}

/// Wilson score interval for x successes out of n.
pub fn wilson_interval(x: usize, n: usize, z: f64) -> Option<(f64, f64)> {
    if n == 0 || x > n {
        return None;
    }
    let nf = n as f64;
    let p = x as f64 / nf;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * nf)) / (1.0 + z2 / nf);
    let half = z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / (1.0 + z2 / nf);
    Some((centre - half, centre + half))
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateGap {
    pub rate1: f64,
    pub rate2: f64,
    /// R1 − R2 in percentage points.
    pub difference_pp: f64,
    pub ci_low_pp: f64,
    pub ci_high_pp: f64,
    /// R1 / R2 (optional in reports); `None` when R2 = 0.
    pub ratio: Option<f64>,
}

/// Rate gap in percentage points with Newcombe's hybrid score interval (method 10).
pub fn rate_gap(x1: usize, n1: usize, x2: usize, n2: usize, z: f64) -> crate::Result<RateGap> {
    let (l1, u1) = wilson_interval(x1, n1, z).ok_or(AnalyticsError::Empty {
        what: "group 1 for a rate",
    })?;
    let (l2, u2) = wilson_interval(x2, n2, z).ok_or(AnalyticsError::Empty {
        what: "group 2 for a rate",
    })?;
    let (p1, p2) = (x1 as f64 / n1 as f64, x2 as f64 / n2 as f64);
    let d = p1 - p2;
    let lo = d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let hi = d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt();
    Ok(RateGap {
        rate1: p1,
        rate2: p2,
        difference_pp: 100.0 * d,
        ci_low_pp: 100.0 * lo,
        ci_high_pp: 100.0 * hi,
        ratio: (p2 > 0.0).then(|| p1 / p2),
    })
}
