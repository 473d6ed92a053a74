//! The one rank rule for every unit kind (schools, classes, teachers): units with fewer than
//! [`MIN_RANK_N`] students get no rank and take no place; the others are ranked by value,
//! highest first, competition style (1, 2, 2, 4), ties decided on the value as shown.
use wuyu_analytics::round::round_half_away;

use crate::display::Precision;

/// Ranks of schools and classes need at least this many students (DESIGN: n ≥ 10).
pub const MIN_RANK_N: u64 = 10;

/// One unit to rank: its value (none: not ranked) and how many students it stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankInput {
    pub value: Option<f64>,
    pub n: u64,
}

/// The rank of each input, in input order; `None` for a unit without a value, with a
/// non-finite value or with fewer than [`MIN_RANK_N`] students.
pub fn ranks(units: &[RankInput], shown_at: Precision) -> Vec<Option<usize>> {
    let scale = 10f64.powi(shown_at.digits() as i32);
    let key = |u: &RankInput| -> Option<i64> {
        let v = u.value.filter(|v| v.is_finite())?;
        (u.n >= MIN_RANK_N).then(|| (round_half_away(v, shown_at.digits()) * scale).round() as i64)
    };
    let keys: Vec<Option<i64>> = units.iter().map(key).collect();
    keys.iter()
        .map(|k| k.map(|mine| 1 + keys.iter().flatten().filter(|&&other| other > mine).count()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(value: f64, n: u64) -> RankInput {
        RankInput {
            value: Some(value),
            n,
        }
    }

    #[test]
    fn small_units_take_no_rank_and_no_place() {
        let r = ranks(
            &[u(80.0, 40), u(95.0, 9), u(85.0, 10), u(80.0, 30)],
            Precision::One,
        );
        assert_eq!(r, vec![Some(2), None, Some(1), Some(2)]);
    }

    #[test]
    fn ties_are_decided_on_the_shown_value() {
        // 85.34 and 85.26 both show as 85.3: they share rank 1, the next is 3.
        let r = ranks(&[u(85.34, 20), u(85.26, 20), u(70.0, 20)], Precision::One);
        assert_eq!(r, vec![Some(1), Some(1), Some(3)]);
        let none = RankInput { value: None, n: 50 };
        assert_eq!(
            ranks(&[none, u(1.0, 10)], Precision::Two),
            vec![None, Some(1)]
        );
    }
}
