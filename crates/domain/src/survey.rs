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
    /// When this version was written (unix seconds): the school year of its round.
    pub created_at: i64,
}

/// A ready-made questionnaire for a district's yearly satisfaction round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurveyTemplate {
    /// Stable key for forms and the CLI.
    pub key: &'static str,
    pub title: &'static str,
    pub audience: SurveyAudience,
    /// (dimension, code, question) in order; every dimension has two or more items, so each
    /// gets a scale score and α; the last item, without a dimension, is the overall question.
    pub items: &'static [(Option<&'static str>, &'static str, &'static str)],
}

impl SurveyTemplate {
    pub fn questionnaire(&self) -> NewQuestionnaire {
        NewQuestionnaire {
            title: self.title.into(),
            audience: self.audience,
            items: self
                .items
                .iter()
                .map(|(dim, code, text)| SurveyItem {
                    code: (*code).into(),
                    text: (*text).into(),
                    reverse: false,
                    allow_unknown: true,
                    scale: dim.map(str::to_string),
                })
                .collect(),
        }
    }
}

/// The key of the questionnaire item that answers the plan's overall satisfaction indicator.
pub const OVERALL_ITEM: &str = "Z1";

/// The standard 满意度 questionnaires (issue 15; plans S1): parents', students' and teachers'.
pub const SURVEY_TEMPLATES: [SurveyTemplate; 3] = [
    SurveyTemplate {
        key: "parents",
        title: "家长满意度调查",
        audience: SurveyAudience::Parents,
        items: &[
            (Some("办学管理"), "A1", "学校的办学理念和育人方向"),
            (Some("办学管理"), "A2", "学校的校园安全与日常管理"),
            (Some("教育教学"), "B1", "老师的教学水平和课堂质量"),
            (Some("教育教学"), "B2", "孩子的作业量和学业负担"),
            (Some("师德师风"), "C1", "老师关爱学生、公平对待每个孩子"),
            (Some("师德师风"), "C2", "老师廉洁从教、不搞有偿补课"),
            (Some("课后服务"), "D1", "课后服务的时间安排"),
            (Some("课后服务"), "D2", "课后服务的内容和质量"),
            (Some("家校沟通"), "E1", "学校听取家长意见的渠道"),
            (Some("家校沟通"), "E2", "老师与家长沟通孩子情况"),
            (None, OVERALL_ITEM, "总体来说，您对孩子所在学校的满意程度"),
        ],
    },
    SurveyTemplate {
        key: "students",
        title: "学生满意度调查",
        audience: SurveyAudience::Students,
        items: &[
            (Some("校园生活"), "A1", "学校的环境和设施"),
            (Some("校园生活"), "A2", "在学校感到安全"),
            (Some("学习"), "B1", "老师上课讲得清楚"),
            (Some("学习"), "B2", "每天的作业量"),
            (Some("师生关系"), "C1", "老师关心我"),
            (Some("师生关系"), "C2", "老师公平对待每个同学"),
            (Some("活动"), "D1", "体育锻炼和课间活动"),
            (Some("活动"), "D2", "艺术、劳动和社团活动"),
            (None, OVERALL_ITEM, "总体来说，你对自己的学校满意吗"),
        ],
    },
    SurveyTemplate {
        key: "teachers",
        title: "教师满意度调查",
        audience: SurveyAudience::Teachers,
        items: &[
            (Some("学校管理"), "A1", "学校管理民主、决策公开"),
            (Some("学校管理"), "A2", "考核评价公平公正"),
            (Some("专业发展"), "B1", "培训和进修机会"),
            (Some("专业发展"), "B2", "教研活动对教学的帮助"),
            (Some("工作条件"), "C1", "工作负担合理"),
            (Some("工作条件"), "C2", "教学设施和办公条件"),
            (None, OVERALL_ITEM, "总体来说，您对在本校工作的满意程度"),
        ],
    },
];

/// The template with this key.
pub fn survey_template(key: &str) -> Option<&'static SurveyTemplate> {
    SURVEY_TEMPLATES.iter().find(|t| t.key == key)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_is_a_valid_questionnaire_with_scored_dimensions() {
        for t in SURVEY_TEMPLATES {
            let q = t.questionnaire();
            assert_eq!(q.check(), Ok(()), "{}", t.title);
            assert_eq!(q.items.last().map(|i| i.code.as_str()), Some(OVERALL_ITEM));
            for item in &q.items {
                if let Some(dim) = &item.scale {
                    let n = q
                        .items
                        .iter()
                        .filter(|i| i.scale.as_ref() == Some(dim))
                        .count();
                    assert!(n >= 2, "{}: {dim} has {n} item", t.title);
                }
            }
        }
        assert_eq!(
            survey_template("teachers").map(|t| t.audience),
            Some(SurveyAudience::Teachers)
        );
        assert!(survey_template("x").is_none());
    }

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
