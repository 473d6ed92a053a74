//! Upper and lower groups for the discrimination index (§3.2a).
//!
//! Short tests tie massively on the total, so who is "in the top 27 %" must be specified.
//! Default: fractional boundary weighting — everyone strictly inside has weight 1, and the
//! students exactly at the boundary total share the remaining places equally, so each group is
//! exactly g = 0.27·N students in weight. `Inclusive` takes every tied student with weight 1.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TieRule {
    /// Boundary ties share the remaining places: weight `(g − inside)/at_boundary`.
    #[default]
    Fractional,
    /// Every student tied at the boundary is included (the group exceeds g).
    Inclusive,
}

/// Per-student weights in the upper and lower groups (0 outside a group).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupWeights {
    /// Nominal group size g = share·N.
    pub g: f64,
    pub upper: Vec<f64>,
    pub lower: Vec<f64>,
    /// Total weight of each group (g under the fractional rule).
    pub upper_weight: f64,
    pub lower_weight: f64,
}

/// Weights of the upper and lower `share` groups by total score.
pub fn extreme_group_weights(totals: &[f64], share: f64, rule: TieRule) -> GroupWeights {
    let n = totals.len();
    let g = share * n as f64;
    let mut sorted = totals.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    // Rank position of the boundary student; the tiny slack absorbs 0.27·N rounding noise.
    let pos = ((g - 1e-9).ceil() as usize).clamp(1, n.max(1));
    let upper = side_weights(totals, &sorted, g, pos, rule, true);
    sorted.reverse();
    let lower = side_weights(totals, &sorted, g, pos, rule, false);
    let upper_weight = upper.iter().sum();
    let lower_weight = lower.iter().sum();
    GroupWeights {
        g,
        upper,
        lower,
        upper_weight,
        lower_weight,
    }
}

/// `sorted` runs from the best end of this side; `pos` is the 1-based boundary position.
fn side_weights(
    totals: &[f64],
    sorted: &[f64],
    g: f64,
    pos: usize,
    rule: TieRule,
    top: bool,
) -> Vec<f64> {
    if totals.is_empty() {
        return Vec::new();
    }
    let boundary = sorted[pos - 1];
    let inside = |t: f64| if top { t > boundary } else { t < boundary };
    let strictly = totals.iter().filter(|&&t| inside(t)).count();
    let at = totals.iter().filter(|&&t| t == boundary).count();
    let w_at = match rule {
        TieRule::Fractional => (g - strictly as f64) / at as f64,
        TieRule::Inclusive => 1.0,
    };
    totals
        .iter()
        .map(|&t| {
            if inside(t) {
                1.0
            } else if t == boundary {
                w_at
            } else {
                0.0
            }
        })
        .collect()
}
