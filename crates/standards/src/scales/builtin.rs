//! The built-in, free screening scales of modules.md §3: PHQ-9 (and PHQ-A, the adolescent
//! wording with the same scoring), GAD-7 and the NIMH ASQ. A total needs every item answered;
//! otherwise the result is 不完整 with no total and no band, but the safety items still count.
use serde::{Deserialize, Serialize};

use super::error::AnswerError;

/// PHQ-9 / PHQ-A: 9 items, 0–3 each.
pub const PHQ_ITEMS: usize = 9;
/// GAD-7: 7 items, 0–3 each.
pub const GAD_ITEMS: usize = 7;
/// ASQ: Q1–4 yes/no, Q5 the acuity question.
pub const ASQ_ITEMS: usize = 5;
/// The highest answer value of a PHQ or GAD item.
pub const MAX_ITEM_VALUE: u8 = 3;

/// Which wording of the PHQ a campaign uses; the scoring is the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhqVersion {
    Phq9,
    PhqA,
}

impl PhqVersion {
    pub fn label(self) -> &'static str {
        match self {
            PhqVersion::Phq9 => "PHQ-9",
            PhqVersion::PhqA => "PHQ-A",
        }
    }
}

/// PHQ-9 severity band (§3: 0–4, 5–9, 10–14, 15–19, 20–27).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhqBand {
    Minimal,
    Mild,
    Moderate,
    ModeratelySevere,
    Severe,
}

impl PhqBand {
    pub fn for_total(total: u8) -> PhqBand {
        match total {
            0..=4 => PhqBand::Minimal,
            5..=9 => PhqBand::Mild,
            10..=14 => PhqBand::Moderate,
            15..=19 => PhqBand::ModeratelySevere,
            _ => PhqBand::Severe,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            PhqBand::Minimal => "minimal",
            PhqBand::Mild => "mild",
            PhqBand::Moderate => "moderate",
            PhqBand::ModeratelySevere => "moderately_severe",
            PhqBand::Severe => "severe",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            PhqBand::Minimal => "无/极轻",
            PhqBand::Mild => "轻度",
            PhqBand::Moderate => "中度",
            PhqBand::ModeratelySevere => "中重度",
            PhqBand::Severe => "重度",
        }
    }
}

/// GAD-7 severity band (§3: 0–4, 5–9, 10–14, 15–21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GadBand {
    Minimal,
    Mild,
    Moderate,
    Severe,
}

impl GadBand {
    pub fn for_total(total: u8) -> GadBand {
        match total {
            0..=4 => GadBand::Minimal,
            5..=9 => GadBand::Mild,
            10..=14 => GadBand::Moderate,
            _ => GadBand::Severe,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            GadBand::Minimal => "minimal",
            GadBand::Mild => "mild",
            GadBand::Moderate => "moderate",
            GadBand::Severe => "severe",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            GadBand::Minimal => "无/极轻",
            GadBand::Mild => "轻度",
            GadBand::Moderate => "中度",
            GadBand::Severe => "重度",
        }
    }
}

/// One ASQ answer. A refusal on Q1–4 counts as positive (§3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AsqAnswer {
    Yes,
    No,
    Refused,
}

impl AsqAnswer {
    /// `yes` / `no` / `refused` or 是 / 否 / 拒答 (or 不想回答, as the student's form words it);
    /// anything else is refused as an error, never guessed ("maybe" is not an answer).
    pub fn parse(s: &str) -> Result<AsqAnswer, AnswerError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "yes" | "是" => Ok(AsqAnswer::Yes),
            "no" | "否" => Ok(AsqAnswer::No),
            "refused" | "拒答" | "拒绝回答" | "不想回答" => Ok(AsqAnswer::Refused),
            _ => Err(AnswerError::BadAsqAnswer(s.trim().to_string())),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            AsqAnswer::Yes => "yes",
            AsqAnswer::No => "no",
            AsqAnswer::Refused => "refused",
        }
    }
}

/// The ASQ outcome (§3): any yes or refusal on Q1–4 is positive; Q5 yes is acute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AsqResult {
    /// Some of Q1–4 blank and none yes or refused: nothing can be concluded.
    Incomplete,
    Negative,
    Positive,
    Acute,
}

impl AsqResult {
    pub fn code(self) -> &'static str {
        match self {
            AsqResult::Incomplete => "incomplete",
            AsqResult::Negative => "negative",
            AsqResult::Positive => "positive",
            AsqResult::Acute => "acute",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            AsqResult::Incomplete => "不完整",
            AsqResult::Negative => "阴性",
            AsqResult::Positive => "阳性",
            AsqResult::Acute => "急性阳性",
        }
    }
}

/// Parse a PHQ/GAD answer cell: blank is unanswered, 0–3 is an answer, anything else an error.
pub fn parse_item(s: &str) -> Result<Option<u8>, AnswerError> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<u8>() {
        Ok(v) if v <= MAX_ITEM_VALUE => Ok(Some(v)),
        _ => Err(AnswerError::BadItemValue(t.to_string())),
    }
}

/// Parse an ASQ answer cell: blank is unanswered.
pub fn parse_asq(s: &str) -> Result<Option<AsqAnswer>, AnswerError> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        AsqAnswer::parse(s).map(Some)
    }
}

/// A PHQ-9 / PHQ-A result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhqResult {
    /// `None` when an item is unanswered (不完整).
    pub total: Option<u8>,
    pub band: Option<PhqBand>,
    /// Item 9 (thoughts of self-harm), the safety item, scored even when the total is not.
    pub item9: Option<u8>,
}

/// A GAD-7 result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GadResult {
    pub total: Option<u8>,
    pub band: Option<GadBand>,
}

fn checked(items: &[Option<u8>]) -> Result<(), AnswerError> {
    match items.iter().flatten().find(|v| **v > MAX_ITEM_VALUE) {
        Some(v) => Err(AnswerError::BadItemValue(v.to_string())),
        None => Ok(()),
    }
}

fn total(items: &[Option<u8>]) -> Option<u8> {
    items.iter().try_fold(0u8, |acc, v| v.map(|v| acc + v))
}

/// Score PHQ-9 answers (0–3 each, `None` = unanswered).
pub fn score_phq(items: &[Option<u8>; PHQ_ITEMS]) -> Result<PhqResult, AnswerError> {
    checked(items)?;
    let total = total(items);
    Ok(PhqResult {
        total,
        band: total.map(PhqBand::for_total),
        item9: items[8],
    })
}

/// Score GAD-7 answers (0–3 each, `None` = unanswered).
pub fn score_gad(items: &[Option<u8>; GAD_ITEMS]) -> Result<GadResult, AnswerError> {
    checked(items)?;
    let total = total(items);
    Ok(GadResult {
        total,
        band: total.map(GadBand::for_total),
    })
}

/// Score the ASQ (Q1–4, then Q5; `None` = unanswered).
pub fn score_asq(items: &[Option<AsqAnswer>; ASQ_ITEMS]) -> AsqResult {
    if items[4] == Some(AsqAnswer::Yes) {
        return AsqResult::Acute;
    }
    let q = &items[..4];
    if q.iter()
        .any(|a| matches!(a, Some(AsqAnswer::Yes | AsqAnswer::Refused)))
    {
        AsqResult::Positive
    } else if q.iter().any(Option::is_none) {
        AsqResult::Incomplete
    } else {
        AsqResult::Negative
    }
}
