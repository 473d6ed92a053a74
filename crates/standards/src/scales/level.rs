//! 关注等级 (attention level) from a screening's results, by the rule set of modules.md §3.
//! The thresholds are [DEFAULT]s a district may change ([`LevelRules`]); the structure — the
//! highest level that applies, safety items counted even when a total is incomplete — is fixed.
use serde::{Deserialize, Serialize};

use super::builtin::{
    ASQ_ITEMS, AsqAnswer, AsqResult, GAD_ITEMS, GadResult, PHQ_ITEMS, PhqResult, PhqVersion,
    score_asq, score_gad, score_phq,
};
use super::custom::CustomResult;
use super::error::{AnswerError, RulesError};

/// 关注等级: never a diagnosis, only how soon a person should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttentionLevel {
    /// 0 无需关注
    None,
    /// 1 一般关注
    General,
    /// 2 重点关注
    Focus,
    /// 3 危机 (same day)
    Crisis,
}

impl AttentionLevel {
    pub const ALL: [AttentionLevel; 4] = [
        AttentionLevel::None,
        AttentionLevel::General,
        AttentionLevel::Focus,
        AttentionLevel::Crisis,
    ];

    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: u8) -> Option<AttentionLevel> {
        Self::ALL.get(n as usize).copied()
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            AttentionLevel::None => "无需关注",
            AttentionLevel::General => "一般关注",
            AttentionLevel::Focus => "重点关注",
            AttentionLevel::Crisis => "危机",
        }
    }
}

/// A district scale's band that raises the attention level: `subscale` is a subscale's code
/// or `total` (the definition's total, whatever its code); `band` a cut-off's `label_zh`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleLevel {
    pub scale: String,
    pub subscale: String,
    pub band: String,
    /// 1–3.
    pub level: u8,
}

/// What `subscale` says when it means the total.
pub const TOTAL: &str = "total";

/// The district's level thresholds. Every field is "at least this value".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelRules {
    /// PHQ item 9 at or above this is 危机 (default 2).
    pub crisis_phq_item9: u8,
    /// PHQ item 9 at or above this is 重点关注 (default 1).
    pub focus_phq_item9: u8,
    /// PHQ total at or above this is 重点关注 (default 15).
    pub focus_phq_total: u8,
    /// GAD total at or above this is 重点关注 (default 15).
    pub focus_gad_total: u8,
    /// PHQ total at or above this is 一般关注 (default 10).
    pub general_phq_total: u8,
    /// GAD total at or above this is 一般关注 (default 10).
    pub general_gad_total: u8,
    /// District scales' bands that raise the level (empty by default: a district scale's band
    /// alone raises nothing until the district says so).
    #[serde(default)]
    pub scale_levels: Vec<ScaleLevel>,
}

impl Default for LevelRules {
    fn default() -> Self {
        LevelRules {
            crisis_phq_item9: 2,
            focus_phq_item9: 1,
            focus_phq_total: 15,
            focus_gad_total: 15,
            general_phq_total: 10,
            general_gad_total: 10,
            scale_levels: Vec::new(),
        }
    }
}

impl LevelRules {
    /// A rule set must keep the levels ordered and reachable: a higher level never needs less.
    pub fn validate(&self) -> Result<(), RulesError> {
        let in_range = |name: &'static str, v: u8, lo: u8, hi: u8| {
            if v < lo || v > hi {
                Err(RulesError::OutOfRange {
                    name,
                    value: v,
                    lo,
                    hi,
                })
            } else {
                Ok(())
            }
        };
        in_range("crisis_phq_item9", self.crisis_phq_item9, 1, 3)?;
        in_range("focus_phq_item9", self.focus_phq_item9, 1, 3)?;
        in_range("focus_phq_total", self.focus_phq_total, 1, 27)?;
        in_range("general_phq_total", self.general_phq_total, 1, 27)?;
        in_range("focus_gad_total", self.focus_gad_total, 1, 21)?;
        in_range("general_gad_total", self.general_gad_total, 1, 21)?;
        let ordered = |lower: &'static str, lo: u8, higher: &'static str, hi: u8| {
            if lo > hi {
                Err(RulesError::Unordered { lower, higher })
            } else {
                Ok(())
            }
        };
        ordered(
            "focus_phq_item9",
            self.focus_phq_item9,
            "crisis_phq_item9",
            self.crisis_phq_item9,
        )?;
        ordered(
            "general_phq_total",
            self.general_phq_total,
            "focus_phq_total",
            self.focus_phq_total,
        )?;
        ordered(
            "general_gad_total",
            self.general_gad_total,
            "focus_gad_total",
            self.focus_gad_total,
        )?;
        self.validate_scale_levels()
    }

    /// Each mapping names a scale, a subscale and a band, raises 1–3, and appears once.
    fn validate_scale_levels(&self) -> Result<(), RulesError> {
        let mut seen = std::collections::BTreeSet::new();
        for (i, m) in self.scale_levels.iter().enumerate() {
            let bad = |field: &'static str, value: String, reason: &'static str| {
                Err(RulesError::BadScaleLevel {
                    n: i + 1,
                    field,
                    value,
                    reason,
                })
            };
            for (field, v) in [
                ("scale", &m.scale),
                ("subscale", &m.subscale),
                ("band", &m.band),
            ] {
                if v.trim().is_empty() || v.trim() != v.as_str() {
                    return bad(field, v.clone(), "不能为空，前后不能有空格");
                }
            }
            if !(1..=3).contains(&m.level) {
                return bad("level", m.level.to_string(), "应为 1、2 或 3");
            }
            if !seen.insert((&m.scale, &m.subscale, &m.band)) {
                return bad(
                    "band",
                    m.band.clone(),
                    "与前面一条的量表、分量表和区间相同（重复）",
                );
            }
        }
        Ok(())
    }

    /// The highest level the district's mappings give a district scale's result: an invalid
    /// result (a validity rule fired) raises nothing, as it is not interpreted.
    pub fn scale_level(&self, scale: &str, r: &CustomResult) -> AttentionLevel {
        if r.invalid {
            return AttentionLevel::None;
        }
        self.scale_levels
            .iter()
            .filter(|m| m.scale == scale)
            .filter(|m| {
                let sub = if m.subscale == TOTAL {
                    r.total.as_ref()
                } else {
                    r.subscales
                        .iter()
                        .chain(r.total.iter())
                        .find(|s| s.code == m.subscale)
                };
                sub.and_then(|s| s.band.as_deref()) == Some(m.band.as_str())
            })
            .filter_map(|m| AttentionLevel::from_number(m.level))
            .max()
            .unwrap_or(AttentionLevel::None)
    }
}

/// One student's answers to the built-in scales. A scale the campaign did not give is `None`;
/// within a given scale, `None` items are unanswered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ScreeningAnswers {
    pub phq: Option<[Option<u8>; PHQ_ITEMS]>,
    pub gad: Option<[Option<u8>; GAD_ITEMS]>,
    pub asq: Option<[Option<AsqAnswer>; ASQ_ITEMS]>,
}

/// Everything computed from one screening: the scales' results and the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreeningResult {
    pub phq: Option<PhqResult>,
    pub gad: Option<GadResult>,
    pub asq: Option<AsqResult>,
    pub level: AttentionLevel,
    /// A total or the ASQ is incomplete (the `INCOMPLETE` status).
    pub incomplete: bool,
}

/// Score a screening and derive its attention level.
pub fn score_screening(
    answers: &ScreeningAnswers,
    rules: &LevelRules,
) -> Result<ScreeningResult, AnswerError> {
    let phq = answers.phq.as_ref().map(score_phq).transpose()?;
    let gad = answers.gad.as_ref().map(score_gad).transpose()?;
    let asq = answers.asq.as_ref().map(score_asq);
    let incomplete = phq.is_some_and(|p| p.total.is_none())
        || gad.is_some_and(|g| g.total.is_none())
        || asq == Some(AsqResult::Incomplete);
    Ok(ScreeningResult {
        phq,
        gad,
        asq,
        level: attention_level(phq.as_ref(), gad.as_ref(), asq, rules),
        incomplete,
    })
}

/// The highest level that applies (§3).
pub fn attention_level(
    phq: Option<&PhqResult>,
    gad: Option<&GadResult>,
    asq: Option<AsqResult>,
    rules: &LevelRules,
) -> AttentionLevel {
    let item9 = phq.and_then(|p| p.item9);
    let phq_total = phq.and_then(|p| p.total);
    let gad_total = gad.and_then(|g| g.total);
    let at_least = |v: Option<u8>, t: u8| v.is_some_and(|v| v >= t);
    if asq == Some(AsqResult::Acute) || at_least(item9, rules.crisis_phq_item9) {
        AttentionLevel::Crisis
    } else if asq == Some(AsqResult::Positive)
        || at_least(item9, rules.focus_phq_item9)
        || at_least(phq_total, rules.focus_phq_total)
        || at_least(gad_total, rules.focus_gad_total)
    {
        AttentionLevel::Focus
    } else if at_least(phq_total, rules.general_phq_total)
        || at_least(gad_total, rules.general_gad_total)
    {
        AttentionLevel::General
    } else {
        AttentionLevel::None
    }
}

/// Which built-in scales a campaign gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuiltinScale {
    Phq(PhqVersion),
    Gad7,
    Asq,
}

impl BuiltinScale {
    pub const ALL: [BuiltinScale; 4] = [
        BuiltinScale::Phq(PhqVersion::Phq9),
        BuiltinScale::Phq(PhqVersion::PhqA),
        BuiltinScale::Gad7,
        BuiltinScale::Asq,
    ];

    pub fn code(self) -> &'static str {
        match self {
            BuiltinScale::Phq(PhqVersion::Phq9) => "phq9",
            BuiltinScale::Phq(PhqVersion::PhqA) => "phqa",
            BuiltinScale::Gad7 => "gad7",
            BuiltinScale::Asq => "asq",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            BuiltinScale::Phq(v) => v.label(),
            BuiltinScale::Gad7 => "GAD-7",
            BuiltinScale::Asq => "ASQ",
        }
    }

    pub fn parse(s: &str) -> Option<BuiltinScale> {
        let t = s.trim().to_ascii_lowercase().replace(['-', '_'], "");
        Self::ALL.into_iter().find(|b| b.code() == t)
    }
}
