//! Reported indicators (填报): a school or the district enters a value for a target of the
//! plan, the district approves it or returns it with a reason. The states and the range rule
//! for a reported value; the store keeps them, the service runs the workflow.
use serde::{Deserialize, Serialize};

use crate::plan::UnitKind;

/// Where a reported value stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Entered, waiting for the district (待审核).
    Submitted,
    /// Approved by the district: it counts in the plan's verdicts.
    Approved,
    /// Sent back with a reason; the school corrects and submits again.
    Returned,
}

impl ReportStatus {
    pub fn code(self) -> &'static str {
        match self {
            ReportStatus::Submitted => "submitted",
            ReportStatus::Approved => "approved",
            ReportStatus::Returned => "returned",
        }
    }

    pub fn from_code(s: &str) -> Option<ReportStatus> {
        [
            ReportStatus::Submitted,
            ReportStatus::Approved,
            ReportStatus::Returned,
        ]
        .into_iter()
        .find(|k| k.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ReportStatus::Submitted => "待审核",
            ReportStatus::Approved => "已通过",
            ReportStatus::Returned => "已退回",
        }
    }
}

/// Reads a reported value for an indicator of `kind` as the school types it (`85`, `85%`,
/// `2.5`). A rate outside 0–100, a negative or non-numeric value is refused, in Chinese.
pub fn parse_reported_value(text: &str, kind: UnitKind) -> Result<f64, String> {
    let t = text.trim().trim_end_matches('%').trim();
    if t.is_empty() {
        return Err("请填写数值".into());
    }
    let x: f64 = t
        .parse()
        .map_err(|_| format!("“{}”不是数字", text.trim()))?;
    if !x.is_finite() || x < 0.0 {
        return Err(format!("数值应不小于 0（填写的是 {}）", text.trim()));
    }
    if kind == UnitKind::Rate && x > 100.0 {
        return Err(format!(
            "百分比应在 0 到 100 之间（填写的是 {}，如 85 表示 85%）",
            text.trim()
        ));
    }
    if kind == UnitKind::Count && x.fract() != 0.0 {
        return Err(format!("数量应为整数（填写的是 {}）", text.trim()));
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reported_values_are_checked_against_their_unit() {
        assert_eq!(parse_reported_value("85%", UnitKind::Rate), Ok(85.0));
        assert_eq!(parse_reported_value(" 12 ", UnitKind::Count), Ok(12.0));
        assert!(
            parse_reported_value("130", UnitKind::Rate)
                .unwrap_err()
                .contains("130")
        );
        assert!(parse_reported_value("-1", UnitKind::Hours).is_err());
        assert!(parse_reported_value("很多", UnitKind::Count).is_err());
        assert!(parse_reported_value("2.5", UnitKind::Count).is_err());
        assert_eq!(parse_reported_value("2.5", UnitKind::Ratio), Ok(2.5));
        for s in [
            ReportStatus::Submitted,
            ReportStatus::Approved,
            ReportStatus::Returned,
        ] {
            assert_eq!(ReportStatus::from_code(s.code()), Some(s));
        }
    }
}
