//! One answer to a 5-point satisfaction item (§7.1) and the labels people write on paper or
//! in another site's export.
use serde::{Deserialize, Serialize};

/// K, the number of scale points. The spec's satisfaction items are all 5-point.
pub const POINTS: u8 = 5;

/// One respondent's answer to one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "point")]
pub enum Answer {
    /// A scale point 1 (非常不满意) … 5 (非常满意).
    Point(u8),
    /// 不了解 / 不清楚: an answer, but not a scale point; excluded from denominators.
    Unknown,
    /// Skipped.
    Blank,
}

impl Answer {
    /// A scale point, or `None` outside 1..=5.
    pub fn point(k: u8) -> Option<Answer> {
        (1..=POINTS).contains(&k).then_some(Answer::Point(k))
    }

    /// Reverse keying `x' = (K+1) − x` (§7.1); 不了解 and blanks stay as they are.
    pub fn reversed(self) -> Answer {
        match self {
            Answer::Point(k) => Answer::Point(POINTS + 1 - k),
            other => other,
        }
    }

    /// Reads a written answer: the spec's labels (非常满意 5, 满意 4, 基本满意 or 一般 3,
    /// 不满意 2, 非常不满意 1, 不了解 or 不清楚), or the digits 1–5 (full-width too).
    /// Surrounding spaces are ignored and an empty text is a blank. `None` for anything else:
    /// the caller reports it, since guessing (is 比较满意 a 4 or a 5?) would change the rates.
    pub fn parse(text: &str) -> Option<Answer> {
        let t = text.trim();
        let point = match t {
            "" => return Some(Answer::Blank),
            "不了解" | "不清楚" => return Some(Answer::Unknown),
            "非常满意" | "5" | "５" | "5.0" => 5,
            "满意" | "4" | "４" | "4.0" => 4,
            "基本满意" | "一般" | "3" | "３" | "3.0" => 3,
            "不满意" | "2" | "２" | "2.0" => 2,
            "非常不满意" | "1" | "１" | "1.0" => 1,
            _ => return None,
        };
        Some(Answer::Point(point))
    }

    /// The Chinese label of a scale point (3 is 基本满意).
    pub fn label(self) -> &'static str {
        match self {
            Answer::Point(5) => "非常满意",
            Answer::Point(4) => "满意",
            Answer::Point(3) => "基本满意",
            Answer::Point(2) => "不满意",
            Answer::Point(_) => "非常不满意",
            Answer::Unknown => "不了解",
            Answer::Blank => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_digits() {
        assert_eq!(Answer::parse(" 非常满意 "), Some(Answer::Point(5)));
        assert_eq!(Answer::parse("一般"), Some(Answer::Point(3)));
        assert_eq!(Answer::parse("２"), Some(Answer::Point(2)));
        assert_eq!(Answer::parse("不清楚"), Some(Answer::Unknown));
        assert_eq!(Answer::parse("  "), Some(Answer::Blank));
        for bad in ["比较满意", "6", "0", "满意度", "4.5"] {
            assert_eq!(Answer::parse(bad), None, "{bad}");
        }
        for k in 1..=5 {
            let a = Answer::Point(k);
            assert_eq!(Answer::parse(a.label()), Some(a));
            assert_eq!(a.reversed().reversed(), a);
        }
        assert_eq!(Answer::Point(5).reversed(), Answer::Point(1));
        assert_eq!(Answer::Unknown.reversed(), Answer::Unknown);
    }
}
