//! Questionnaires (issue 15): who answers them, their 5-point satisfaction items (reverse-keyed
//! or not, in named scales, with or without 不了解), and where a questionnaire is in its life.
//! A published questionnaire is never edited: a revision is a new version.
use serde::{Deserialize, Serialize};

/// Most items a questionnaire may have: a phone form answered in about a minute is far shorter.
pub const MAX_SURVEY_ITEMS: usize = 60;

/// Who answers a questionnaire; it decides the minimum respondents of a reported unit
/// (analytics-methods.md §7.2: 30 parents, 10 teachers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyAudience {
    Parents,
    Students,
    Teachers,
}

impl SurveyAudience {
    pub const ALL: [SurveyAudience; 3] = [Self::Parents, Self::Students, Self::Teachers];

    pub fn code(self) -> &'static str {
        match self {
            Self::Parents => "parents",
            Self::Students => "students",
            Self::Teachers => "teachers",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Parents => "家长",
            Self::Students => "学生",
            Self::Teachers => "教师",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The default minimum valid answers for a unit to be reported.
    pub fn min_respondents(self) -> usize {
        match self {
            Self::Parents | Self::Students => 30,
            Self::Teachers => 10,
        }
    }
}

/// draft → published (answerable through links) → closed (no more answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionnaireStatus {
    Draft,
    Published,
    Closed,
}

impl QuestionnaireStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Closed => "closed",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Published => "已发布",
            Self::Closed => "已结束",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Draft, Self::Published, Self::Closed]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// One 5-point satisfaction item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyItem {
    /// Short code, unique in the questionnaire (e.g. `Q1`).
    pub code: String,
    /// The question as the respondent reads it.
    pub text: String,
    /// Worded negatively: 非常满意 means the opposite, so it is turned round (6 − x) first.
    pub reverse: bool,
    /// Offers 不了解 next to the five points.
    pub allow_unknown: bool,
    /// The named scale the item belongs to (e.g. 师德), if any.
    pub scale: Option<String>,
}

/// A questionnaire as written, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewQuestionnaire {
    pub title: String,
    pub audience: SurveyAudience,
    pub items: Vec<SurveyItem>,
}

impl NewQuestionnaire {
    /// Checks what a form builder must not store; the message is Chinese, for the user.
    pub fn check(&self) -> Result<(), String> {
        if self.title.trim().is_empty() {
            return Err("问卷标题不能为空".into());
        }
        if self.items.is_empty() || self.items.len() > MAX_SURVEY_ITEMS {
            return Err(format!(
                "问卷应有 1–{MAX_SURVEY_ITEMS} 道题，现在有 {} 道",
                self.items.len()
            ));
        }
        for (i, item) in self.items.iter().enumerate() {
            if item.code.trim().is_empty() || item.text.trim().is_empty() {
                return Err(format!("第 {} 题缺少题号或题目", i + 1));
            }
            if self.items[..i].iter().any(|o| o.code == item.code) {
                return Err(format!("题号“{}”重复（第 {} 题）", item.code, i + 1));
            }
        }
        Ok(())
    }
}

/// A stored questionnaire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Questionnaire {
    pub id: i64,
    /// 1 for the first; a revision of a published questionnaire is the next version.
    pub version: i32,
    /// The questionnaire this one revises.
    pub previous_id: Option<i64>,
    pub title: String,
    pub audience: SurveyAudience,
    pub status: QuestionnaireStatus,
    pub items: Vec<SurveyItem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(code: &str) -> SurveyItem {
        SurveyItem {
            code: code.into(),
            text: "您对学校的总体满意度".into(),
            reverse: false,
            allow_unknown: true,
            scale: None,
        }
    }

    #[test]
    fn a_questionnaire_needs_a_title_and_distinct_items() {
        let mut q = NewQuestionnaire {
            title: "家长满意度".into(),
            audience: SurveyAudience::Parents,
            items: vec![item("Q1"), item("Q2")],
        };
        assert_eq!(q.check(), Ok(()));
        q.items.push(item("Q1"));
        assert!(q.check().unwrap_err().contains("“Q1”重复"));
        q.items.clear();
        assert!(q.check().is_err());
        q.items.push(item("Q1"));
        q.title = " ".into();
        assert!(q.check().is_err());
        assert_eq!(SurveyAudience::Teachers.min_respondents(), 10);
        assert_eq!(
            QuestionnaireStatus::from_code("closed"),
            Some(QuestionnaireStatus::Closed)
        );
    }
}
