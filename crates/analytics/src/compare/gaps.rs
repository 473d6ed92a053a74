//! 距榜首差 and 较县均差 (§5.1).
use serde::{Deserialize, Serialize};

use crate::error::{AnalyticsError, check_finite};
use crate::round::to_units;

/// A unit's indicator (mean, rate, composite, mean z) and its number of students.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitValue {
    pub unit: String,
    pub n: usize,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitGap {
    pub unit: String,
    pub n: usize,
    pub value: f64,
    /// I_j − max I (≤ 0; 0 for the leaders).
    pub gap_to_best: f64,
    /// I_j / max I; `None` when max = 0.
    pub relative_to_best: Option<f64>,
    /// I_j − I_district.
    pub gap_to_district: f64,
    pub is_leader: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapReport {
    pub best: f64,
    /// Every unit tied for the best value at the display precision.
    pub leaders: Vec<String>,
    /// Student-weighted district value Σ n_j I_j / Σ n_j (all students pooled), not the mean of
    /// unit values. Exact for means and rates.
    pub district: f64,
    pub units: Vec<UnitGap>,
}

/// Gaps of comparable units (same exam, subject, grade and school type). Leaders are decided at
/// 2 decimals, like every displayed label (§0.2).
pub fn gaps(units: &[UnitValue]) -> crate::Result<GapReport> {
    if units.is_empty() {
        return Err(AnalyticsError::Empty { what: "units" });
    }
    let values: Vec<f64> = units.iter().map(|u| u.value).collect();
    check_finite("unit value", &values)?;
    let total_n: usize = units.iter().map(|u| u.n).sum();
    if total_n == 0 {
        return Err(AnalyticsError::Empty {
            what: "students in the units",
        });
    }
    let best = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let district = units.iter().map(|u| u.n as f64 * u.value).sum::<f64>() / total_n as f64;
    let best_units = to_units(best, 2);
    let out: Vec<UnitGap> = units
        .iter()
        .map(|u| UnitGap {
            unit: u.unit.clone(),
            n: u.n,
            value: u.value,
            gap_to_best: u.value - best,
            relative_to_best: (best != 0.0).then(|| u.value / best),
            gap_to_district: u.value - district,
            is_leader: to_units(u.value, 2) == best_units,
        })
        .collect();
    let leaders = out
        .iter()
        .filter(|g| g.is_leader)
        .map(|g| g.unit.clone())
        .collect();
    Ok(GapReport {
        best,
        leaders,
        district,
        units: out,
    })
}
