//! Ranks with ties (§0.4). Higher value = better = rank 1.
//!
//! Competition ranking ("1224", 持平算第一) is the default; dense ranking ("1223") is offered
//! for districts that use it. Ties are decided on the value rounded to the display precision,
//! so two units shown as 85.33 share a rank.
use serde::{Deserialize, Serialize};

use crate::error::check_finite;
use crate::round::to_units;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RankMethod {
    /// 1, 2, 2, 4: ties share the best rank and the next rank skips.
    #[default]
    Competition,
    /// 1, 2, 2, 3: ties share the rank and the next rank does not skip.
    Dense,
}

/// Ranks of `values` (descending), ties decided at `digits` decimals.
pub fn rank_descending(
    values: &[f64],
    method: RankMethod,
    digits: u32,
) -> crate::Result<Vec<usize>> {
    check_finite("value to rank", values)?;
    let keys: Vec<i64> = values.iter().map(|&v| to_units(v, digits)).collect();
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| keys[b].cmp(&keys[a]));
    let mut ranks = vec![0; values.len()];
    let mut dense = 0;
    for (pos, &i) in order.iter().enumerate() {
        let new_value = pos == 0 || keys[order[pos - 1]] != keys[i];
        if new_value {
            dense += 1;
        }
        ranks[i] = match method {
            RankMethod::Competition if new_value => pos + 1,
            RankMethod::Competition => ranks[order[pos - 1]],
            RankMethod::Dense => dense,
        };
    }
    Ok(ranks)
}
