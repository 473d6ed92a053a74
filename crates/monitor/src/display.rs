//! The one display-rounding rule: 四舍五入 (half away from zero) at the shown precision.
//!
//! Pages format these values as text and XLSX exports write them as numbers with a matching
//! number format, so a page, its API twin and its export show the same digits — also at a
//! .x5 boundary, where `format!("{:.1}")` (binary value, ties to even) and Excel (decimal,
//! half away from zero) used to disagree.
use wuyu_analytics::round::round_half_away;

/// How many decimals a kind of number is shown with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// Whole numbers (counts).
    Int,
    /// One decimal (fitness means, percentages of fitness rates).
    One,
    /// Two decimals (exam means, exam percentages).
    Two,
    /// Three decimals (item statistics).
    Three,
}

impl Precision {
    pub fn digits(self) -> u32 {
        match self {
            Precision::Int => 0,
            Precision::One => 1,
            Precision::Two => 2,
            Precision::Three => 3,
        }
    }
}

/// `x` rounded as shown.
pub fn shown(x: f64, p: Precision) -> f64 {
    round_half_away(x, p.digits())
}

/// A rate in 0..=1 as the percentage shown (e.g. 0.12345 at one decimal → 12.3).
pub fn shown_percent(rate: f64, p: Precision) -> f64 {
    round_half_away(rate * 100.0, p.digits())
}

/// The text of a number as shown, "—" for none or a non-finite value.
pub fn number_text(x: Option<f64>, p: Precision) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{:.*}", p.digits() as usize, shown(v, p)),
        _ => "—".to_string(),
    }
}

/// The text of a rate as a percentage, e.g. "12.3%"; "—" without a denominator.
pub fn percent_text(rate: Option<f64>, p: Precision) -> String {
    match rate {
        Some(r) if r.is_finite() => {
            format!("{:.*}%", p.digits() as usize, shown_percent(r, p))
        }
        _ => "—".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_half_rounds_away_from_zero_in_text_and_number() {
        // 0.12345 is 0.123449999… in binary: ties-to-even formatting would show 12.3 here
        // only by accident, and 0.0125 → "1.2" where people (and Excel) write 1.3.
        assert_eq!(percent_text(Some(0.0125), Precision::One), "1.3%");
        assert_eq!(shown_percent(0.0125, Precision::One), 1.3);
        assert_eq!(percent_text(Some(0.33335), Precision::Two), "33.34%");
        assert_eq!(number_text(Some(2.675), Precision::Two), "2.68");
        assert_eq!(number_text(Some(-0.05), Precision::One), "-0.1");
        assert_eq!(percent_text(None, Precision::One), "—");
        assert_eq!(number_text(Some(f64::NAN), Precision::One), "—");
    }
}
