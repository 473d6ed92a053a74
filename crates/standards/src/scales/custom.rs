//! District-supplied scale definitions (modules.md §3): licensed instruments (MHT, 王极盛, SCL-90)
//! are never shipped; a district loads its own definition — items, answer values, reverse-scored
//! items, subscales as sums or means, cut-offs, validity rules — as a JSON file, validated here
//! before anything is scored with it.
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::error::{AnswerError, ScaleDefError};
use super::level::AttentionLevel;

/// How a subscale combines its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Sum,
    Mean,
}

/// One cut-off band: `min ≤ score ≤ max`, with its label and the attention level it raises.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cutoff {
    pub min: f64,
    pub max: f64,
    pub label_zh: String,
    /// 0–3; default 0.
    #[serde(default)]
    pub level: u8,
}

/// A subscale (or the total): which items, how combined, which bands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subscale {
    pub code: String,
    pub name_zh: String,
    /// 1-based item numbers; empty for the total means every item.
    #[serde(default)]
    pub items: Vec<u16>,
    pub method: Method,
    #[serde(default)]
    pub cutoffs: Vec<Cutoff>,
}

/// A validity rule: the result is invalid when the subscale's score is above the limit
/// (e.g. MHT's lie scale > 7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidityRule {
    pub subscale: String,
    pub invalid_above: f64,
}

/// A scale definition as the district supplies it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleDefinition {
    pub code: String,
    pub name_zh: String,
    pub version: String,
    pub item_count: u16,
    /// The possible answers, e.g. `[0, 1]` or `[1, 2, 3, 4, 5]`.
    pub answer_values: Vec<i32>,
    #[serde(default)]
    pub reverse_items: Vec<u16>,
    pub subscales: Vec<Subscale>,
    #[serde(default)]
    pub total: Option<Subscale>,
    #[serde(default)]
    pub validity: Vec<ValidityRule>,
    /// The items' wording as the student reads it (optional: without it the form shows the
    /// item numbers, for a paper booklet next to the screen).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items_zh: Vec<String>,
    /// A label per answer value, in the same order (optional).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answer_labels_zh: Vec<String>,
}

/// One subscale's score: `None` when one of its items is unanswered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscaleScore {
    pub code: String,
    pub score: Option<f64>,
    pub band: Option<String>,
}

/// A scored answer sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomResult {
    pub subscales: Vec<SubscaleScore>,
    pub total: Option<SubscaleScore>,
    /// A validity rule fired: the result is not interpreted (level 0, marked invalid).
    pub invalid: bool,
    pub incomplete: bool,
    pub level: AttentionLevel,
}

fn err(file: &str, location: impl Into<String>, message: impl Into<String>) -> ScaleDefError {
    ScaleDefError {
        file: file.to_string(),
        location: location.into(),
        message: message.into(),
    }
}

impl ScaleDefinition {
    /// Parse and validate a definition file. `file` names it in errors.
    pub fn from_json(file: &str, text: &str) -> Result<ScaleDefinition, ScaleDefError> {
        let def: ScaleDefinition = serde_json::from_str(text).map_err(|e| {
            err(
                file,
                format!("第 {} 行第 {} 列", e.line(), e.column()),
                format!("格式错误（{e}）"),
            )
        })?;
        def.validate(file)?;
        Ok(def)
    }

    /// Every structural rule a definition must keep.
    pub fn validate(&self, file: &str) -> Result<(), ScaleDefError> {
        if self.code.trim().is_empty() || self.name_zh.trim().is_empty() {
            return Err(err(file, "code / name_zh", "量表代码和名称不能为空"));
        }
        if self.version.trim().is_empty() {
            return Err(err(file, "version", "必须填写版本"));
        }
        if self.item_count == 0 {
            return Err(err(file, "item_count", "题目数必须大于 0"));
        }
        let values: BTreeSet<i32> = self.answer_values.iter().copied().collect();
        if values.len() < 2 || values.len() != self.answer_values.len() {
            return Err(err(
                file,
                "answer_values",
                format!("答案取值 {:?} 无效：至少两个且不能重复", self.answer_values),
            ));
        }
        if !self.items_zh.is_empty() && self.items_zh.len() != self.item_count as usize {
            return Err(err(
                file,
                "items_zh",
                format!(
                    "题目文字有 {} 条，与题目数 {} 不符",
                    self.items_zh.len(),
                    self.item_count
                ),
            ));
        }
        if !self.answer_labels_zh.is_empty()
            && self.answer_labels_zh.len() != self.answer_values.len()
        {
            return Err(err(
                file,
                "answer_labels_zh",
                format!(
                    "答案文字有 {} 条，与答案取值 {:?} 的个数不符",
                    self.answer_labels_zh.len(),
                    self.answer_values
                ),
            ));
        }
        let item_ok = |loc: String, n: u16| {
            if n == 0 || n > self.item_count {
                Err(err(
                    file,
                    loc,
                    format!("题号 {n} 超出范围 1–{}", self.item_count),
                ))
            } else {
                Ok(())
            }
        };
        let mut seen = BTreeSet::new();
        for &n in &self.reverse_items {
            item_ok("reverse_items".into(), n)?;
            if !seen.insert(n) {
                return Err(err(file, "reverse_items", format!("反向计分题 {n} 重复")));
            }
        }
        if self.subscales.is_empty() {
            return Err(err(file, "subscales", "至少需要一个分量表"));
        }
        let mut codes = BTreeSet::new();
        for s in self.subscales.iter().chain(self.total.iter()) {
            let loc = format!("分量表“{}”", s.code);
            if !codes.insert(s.code.as_str()) {
                return Err(err(file, loc, "分量表代码重复"));
            }
            let is_total = self.total.as_ref().is_some_and(|t| std::ptr::eq(t, s));
            if s.items.is_empty() && !is_total {
                return Err(err(file, loc, "分量表没有题目"));
            }
            let mut own = BTreeSet::new();
            for &n in &s.items {
                item_ok(format!("{loc} items"), n)?;
                if !own.insert(n) {
                    return Err(err(file, loc, format!("题 {n} 重复")));
                }
            }
            validate_cutoffs(file, &loc, &s.cutoffs)?;
        }
        for (i, v) in self.validity.iter().enumerate() {
            if !self.subscales.iter().any(|s| s.code == v.subscale) {
                return Err(err(
                    file,
                    format!("效度规则第 {} 条", i + 1),
                    format!("分量表“{}”不存在", v.subscale),
                ));
            }
        }
        Ok(())
    }

    fn value_range(&self) -> (i32, i32) {
        let min = *self.answer_values.iter().min().unwrap_or(&0);
        let max = *self.answer_values.iter().max().unwrap_or(&0);
        (min, max)
    }

    /// Check one answer cell: blank is unanswered; otherwise one of the answer values.
    pub fn parse_answer(&self, s: &str) -> Result<Option<i32>, AnswerError> {
        let t = s.trim();
        if t.is_empty() {
            return Ok(None);
        }
        match t.parse::<i32>() {
            Ok(v) if self.answer_values.contains(&v) => Ok(Some(v)),
            _ => Err(AnswerError::NotAnAnswerValue {
                value: t.to_string(),
                allowed: self.allowed_zh(),
            }),
        }
    }

    fn allowed_zh(&self) -> String {
        let v: Vec<String> = self.answer_values.iter().map(i32::to_string).collect();
        v.join("、")
    }

    /// Score one answer sheet (`answers[i]` is item i + 1; `None` unanswered).
    pub fn score(&self, answers: &[Option<i32>]) -> Result<CustomResult, AnswerError> {
        if answers.len() != self.item_count as usize {
            return Err(AnswerError::WrongItemCount {
                got: answers.len(),
                expected: self.item_count as usize,
            });
        }
        if let Some(v) = answers
            .iter()
            .flatten()
            .find(|v| !self.answer_values.contains(v))
        {
            return Err(AnswerError::NotAnAnswerValue {
                value: v.to_string(),
                allowed: self.allowed_zh(),
            });
        }
        let (lo, hi) = self.value_range();
        let scored: Vec<Option<i32>> = answers
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let reverse = self.reverse_items.contains(&(i as u16 + 1));
                a.map(|v| if reverse { lo + hi - v } else { v })
            })
            .collect();
        let all: Vec<u16> = (1..=self.item_count).collect();
        let score_one = |s: &Subscale| {
            let items = if s.items.is_empty() { &all } else { &s.items };
            let vals: Option<Vec<i32>> = items.iter().map(|&n| scored[n as usize - 1]).collect();
            let score = vals.map(|v| {
                let sum: i32 = v.iter().sum();
                match s.method {
                    Method::Sum => f64::from(sum),
                    Method::Mean => f64::from(sum) / v.len() as f64,
                }
            });
            let band = score.and_then(|x| find_band(&s.cutoffs, x));
            (
                SubscaleScore {
                    code: s.code.clone(),
                    score,
                    band: band.map(|b| b.label_zh.clone()),
                },
                band.map(|b| b.level).unwrap_or(0),
            )
        };
        let subs: Vec<(SubscaleScore, u8)> = self.subscales.iter().map(score_one).collect();
        let total = self.total.as_ref().map(score_one);
        let invalid = self.validity.iter().any(|rule| {
            subs.iter().any(|(s, _)| {
                s.code == rule.subscale && s.score.is_some_and(|x| x > rule.invalid_above)
            })
        });
        let incomplete = subs
            .iter()
            .chain(total.iter())
            .any(|(s, _)| s.score.is_none());
        let level = if invalid {
            0
        } else {
            subs.iter()
                .chain(total.iter())
                .map(|(_, l)| *l)
                .max()
                .unwrap_or(0)
        };
        Ok(CustomResult {
            subscales: subs.into_iter().map(|(s, _)| s).collect(),
            total: total.map(|(s, _)| s),
            invalid,
            incomplete,
            level: AttentionLevel::from_number(level).unwrap_or(AttentionLevel::None),
        })
    }
}

fn find_band(cutoffs: &[Cutoff], x: f64) -> Option<&Cutoff> {
    cutoffs.iter().find(|c| c.min <= x && x <= c.max)
}

/// Bands must be finite, ascending and must not overlap; levels are 0–3.
fn validate_cutoffs(file: &str, loc: &str, cutoffs: &[Cutoff]) -> Result<(), ScaleDefError> {
    for (i, c) in cutoffs.iter().enumerate() {
        let here = format!("{loc}第 {} 个划界区间", i + 1);
        if !c.min.is_finite() || !c.max.is_finite() || c.min > c.max {
            return Err(err(
                file,
                here,
                format!("区间 {}–{} 无效：下限不能大于上限", c.min, c.max),
            ));
        }
        if c.level > 3 {
            return Err(err(
                file,
                here,
                format!("关注等级 {} 无效：应为 0–3", c.level),
            ));
        }
        if let Some(prev) = i.checked_sub(1).map(|j| &cutoffs[j])
            && c.min <= prev.max
        {
            return Err(err(
                file,
                here,
                format!(
                    "划界区间 {}–{} 与上一区间 {}–{} 重叠或未按升序排列",
                    c.min, c.max, prev.min, prev.max
                ),
            ));
        }
    }
    Ok(())
}
