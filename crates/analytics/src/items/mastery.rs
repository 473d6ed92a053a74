//! Knowledge-point mastery (§3.4): per group (class, school) and tag,
//! 得分率 = Σ scores / Σ full marks over the tagged items.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ItemMatrix;
use crate::error::check_len;

/// Mastery of one knowledge point in one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MasteryCell {
    pub group: String,
    pub tag: String,
    /// Students in the group.
    pub n: usize,
    /// Items carrying the tag.
    pub items: usize,
    pub points: f64,
    pub max_points: f64,
    /// 得分率 in [0, 1].
    pub score_rate: f64,
}

/// Mastery by group × tag. `tags[j]` lists item j's knowledge points (an item may carry
/// several); `groups[i]` is student i's group. Output is sorted by group, then tag.
pub fn knowledge_point_mastery(
    m: &ItemMatrix,
    tags: &[Vec<String>],
    groups: &[String],
) -> crate::Result<Vec<MasteryCell>> {
    check_len("item tags", m.k(), tags.len())?;
    check_len("student groups", m.n(), groups.len())?;
    // tag -> item indices
    let mut by_tag: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (j, ts) in tags.iter().enumerate() {
        for t in ts {
            by_tag.entry(t.as_str()).or_default().push(j);
        }
    }
    // group -> (n, per-item sums)
    let mut sums: BTreeMap<&str, (usize, Vec<f64>)> = BTreeMap::new();
    for (i, g) in groups.iter().enumerate() {
        let e = sums
            .entry(g.as_str())
            .or_insert_with(|| (0, vec![0.0; m.k()]));
        e.0 += 1;
        for (s, x) in e.1.iter_mut().zip(m.row(i)) {
            *s += x;
        }
    }
    let mut out = Vec::new();
    for (g, (n, item_sums)) in &sums {
        for (t, items) in &by_tag {
            let points: f64 = items.iter().map(|&j| item_sums[j]).sum();
            let max_points = *n as f64 * items.iter().map(|&j| m.max_points()[j]).sum::<f64>();
            out.push(MasteryCell {
                group: g.to_string(),
                tag: t.to_string(),
                n: *n,
                items: items.len(),
                points,
                max_points,
                score_rate: points / max_points,
            });
        }
    }
    Ok(out)
}
