//! How fitness numbers read on a page: every shown number through `wuyu_monitor::display`
//! (one rounding rule, half away from zero), so a page agrees with its export.
use wuyu_domain::Term;
use wuyu_monitor::display::{Precision, number_text, percent_text, shown};
use wuyu_standards::FitnessItem;

/// A rate as a percentage with one decimal, "—" without a denominator.
pub(crate) fn pct(r: Option<f64>) -> String {
    percent_text(r, Precision::One)
}

/// A number with one decimal, "—" for none.
pub(crate) fn one(v: Option<f64>) -> String {
    number_text(v, Precision::One)
}

/// Change of a rate since the previous term, in percentage points.
pub(crate) struct Delta {
    pub text: String,
    /// CSS class: `up`, `down` or empty.
    pub class: &'static str,
}

/// `points`: the change in percentage points, `None` when either term has no rate.
pub(crate) fn delta(points: Option<f64>) -> Delta {
    let Some(d) = points else {
        return Delta {
            text: "—".into(),
            class: "",
        };
    };
    // Compare what is shown: a change that rounds to 0.0 is no change.
    let magnitude = shown(d.abs(), Precision::One);
    let text = number_text(Some(magnitude), Precision::One);
    if magnitude == 0.0 {
        Delta {
            text: "持平".into(),
            class: "",
        }
    } else if d > 0.0 {
        Delta {
            text: format!("▲{text}"),
            class: "up",
        }
    } else {
        Delta {
            text: format!("▼{text}"),
            class: "down",
        }
    }
}

pub(crate) fn unit_zh(item: FitnessItem) -> &'static str {
    match item.unit() {
        "kg/m2" => "kg/m²",
        "ml" => "毫升",
        "s" => "秒",
        "cm" => "厘米",
        "count" => "次",
        other => other,
    }
}

/// A raw result as written on a test sheet.
pub(crate) fn item_value(item: FitnessItem, v: f64) -> String {
    let p = match item.unit() {
        "count" | "ml" => Precision::Int,
        _ => Precision::One,
    };
    number_text(Some(v), p)
}

pub(crate) struct TermOption {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

/// The term selector: every term with records (and the one asked for), newest first.
pub(crate) fn term_options(terms: &[Term], term: Option<Term>) -> Vec<TermOption> {
    let mut all: Vec<Term> = terms.to_vec();
    if let Some(t) = term.filter(|t| !all.contains(t)) {
        all.push(t);
        all.sort();
    }
    all.into_iter()
        .rev()
        .map(|t| TermOption {
            code: t.code(),
            label: t.label_zh(),
            selected: Some(t) == term,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_changes_are_formatted_for_people() {
        assert_eq!(pct(Some(0.3)), "30.0%");
        assert_eq!(pct(Some(0.12345)), "12.3%");
        // 1 of 16 is 6.25 %: half away from zero, as Excel shows it.
        assert_eq!(pct(Some(1.0 / 16.0)), "6.3%");
        assert_eq!(pct(None), "—");
        assert_eq!(delta(Some(5.0)).text, "▲5.0");
        assert_eq!(delta(Some(-5.0)).class, "down");
        assert_eq!(delta(Some(-0.04)).text, "持平");
        assert_eq!(delta(None).text, "—");
    }
}
