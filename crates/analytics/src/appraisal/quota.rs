//! Steps 2, 4, 5 and 6 of §4's order: N and the cap per school, the 优秀 pool sorted by score
//! then organisation score, whole tied groups within the cap to 优秀, a group straddling the cap
//! to the committee, and the schools whose cap is 0 pooled at the district.
use std::collections::HashMap;

use serde::Serialize;

use super::level::{AppraisalCase, AppraisalRules, Level, UnitRating, hundredths};
use super::level::{criterion_level, exclusion};
use super::score::check_scores;
use crate::AnalyticsError;

/// cap = floor(q·N + 1e−9): "at most q" never rounds up.
pub fn cap(quota: f64, n: usize) -> usize {
    (quota * n as f64 + 1e-9).floor() as usize
}

/// Where a school's 优秀 places were allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolKind {
    School,
    District,
}

impl PoolKind {
    pub fn code(self) -> &'static str {
        match self {
            PoolKind::School => "school",
            PoolKind::District => "district",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            PoolKind::School => "本校",
            PoolKind::District => "区统筹",
        }
    }
}

/// One teacher's result with the arithmetic behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub level: Level,
    /// The school's N (teachers with a level, vetoed ones included) and its cap.
    pub n_base: usize,
    pub cap: usize,
    /// Where the school's places were allocated, with that pool's N and cap.
    pub pool: PoolKind,
    pub pool_n: usize,
    pub pool_cap: usize,
    /// For `committee`: how many places the committee fills from the tied group.
    pub committee_places: Option<usize>,
}

/// Levels for every case, in input order. Errors on a score outside 0–100, an in-N case without
/// a score, a quota outside 0–1, or one school given two unit ratings.
pub fn appraise(cases: &[AppraisalCase], rules: &AppraisalRules) -> crate::Result<Vec<Outcome>> {
    validate(cases, rules)?;
    let mut schools: Vec<(&str, UnitRating, Vec<usize>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, c) in cases.iter().enumerate() {
        let s = *index.entry(c.school.as_str()).or_insert_with(|| {
            schools.push((c.school.as_str(), c.unit_rating, Vec::new()));
            schools.len() - 1
        });
        if schools[s].1 != c.unit_rating {
            return Err(AnalyticsError::Inconsistent {
                what: "one school with two unit ratings",
            });
        }
        schools[s].2.push(i);
    }

    let mut levels: Vec<Level> = cases
        .iter()
        .map(|c| match exclusion(c, rules) {
            Some(l) => l,
            None => criterion_level(c.score.unwrap_or_default(), c, rules),
        })
        .collect();
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(cases.len());
    let mut school_base: Vec<(usize, usize)> = Vec::with_capacity(schools.len());
    let mut pooled: Vec<usize> = Vec::new();
    let mut committee: Vec<Option<usize>> = vec![None; cases.len()];
    for (_, rating, members) in &schools {
        let in_n: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| levels[i].in_n())
            .collect();
        let school_cap = cap(rules.quota(*rating), in_n.len());
        school_base.push((in_n.len(), school_cap));
        if school_cap == 0 && rules.pool_small_schools {
            pooled.extend(in_n);
        } else {
            allocate(cases, rules, &in_n, school_cap, &mut levels, &mut committee);
        }
    }
    let pool_n = pooled.len();
    let pool_cap = cap(rules.quota_pool, pool_n);
    allocate(cases, rules, &pooled, pool_cap, &mut levels, &mut committee);

    let school_of: Vec<usize> = cases.iter().map(|c| index[c.school.as_str()]).collect();
    for (i, &s) in school_of.iter().enumerate() {
        let (n_base, school_cap) = school_base[s];
        let district = school_cap == 0 && rules.pool_small_schools;
        outcomes.push(Outcome {
            level: levels[i],
            n_base,
            cap: school_cap,
            pool: if district {
                PoolKind::District
            } else {
                PoolKind::School
            },
            pool_n: if district { pool_n } else { n_base },
            pool_cap: if district { pool_cap } else { school_cap },
            committee_places: committee[i],
        });
    }
    Ok(outcomes)
}

/// Steps 4–5 over the in-N teachers `members` with `places` 优秀 places.
fn allocate(
    cases: &[AppraisalCase],
    rules: &AppraisalRules,
    members: &[usize],
    places: usize,
    levels: &mut [Level],
    committee: &mut [Option<usize>],
) {
    let min = hundredths(rules.min_excellent);
    // (score, org score) in hundredths; a missing org score ranks below any given one.
    let key = |i: usize| {
        let c = &cases[i];
        (
            hundredths(c.score.unwrap_or_default()),
            c.org_score.map_or(i64::MIN, hundredths),
        )
    };
    let mut pool: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&i| {
            let c = &cases[i];
            levels[i] == Level::Qualified
                && c.sanction.is_none()
                && !c.ethics_violation
                && key(i).0 >= min
        })
        .collect();
    pool.sort_by_key(|&i| std::cmp::Reverse(key(i)));
    let mut better = 0;
    for group in pool.chunk_by(|&a, &b| key(a) == key(b)) {
        if better + group.len() <= places {
            for &i in group {
                levels[i] = Level::Excellent;
            }
        } else if better < places {
            for &i in group {
                levels[i] = Level::Committee;
                committee[i] = Some(places - better);
            }
        } else {
            break;
        }
        better += group.len();
    }
}

fn validate(cases: &[AppraisalCase], rules: &AppraisalRules) -> crate::Result<()> {
    for q in [
        rules.quota_normal,
        rules.quota_award,
        rules.quota_accountable,
        rules.quota_pool,
    ] {
        if !(0.0..=1.0).contains(&q) {
            return Err(AnalyticsError::InvalidValue {
                what: "quota",
                value: q,
            });
        }
    }
    for c in cases {
        match c.score {
            Some(s) => check_scores("score", &[s])?,
            None if exclusion(c, rules).is_none() => {
                return Err(AnalyticsError::Empty {
                    what: "score of a teacher who gets a level",
                });
            }
            None => {}
        }
        if let Some(o) = c.org_score {
            check_scores("organisation score", &[o])?;
        }
    }
    Ok(())
}
