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

/// Whom a questionnaire is about: the school (satisfaction) or one named teacher (师德评价).
/// A teacher round is answered only through one-time codes, each issued for one teacher, and
/// reported per teacher; its results are staff data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyAbout {
    #[default]
    School,
    Teacher,
}

impl SurveyAbout {
    pub fn code(self) -> &'static str {
        match self {
            Self::School => "school",
            Self::Teacher => "teacher",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::School => "学校",
            Self::Teacher => "教师（师德评价）",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::School, Self::Teacher]
            .into_iter()
            .find(|a| a.code() == code)
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
    /// The school, or a named teacher (师德评价).
    #[serde(default)]
    pub about: SurveyAbout,
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
    pub about: SurveyAbout,
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
    pub about: SurveyAbout,
    /// (dimension, code, question) in order; every dimension has two or more items, so each
    /// gets a scale score and α; the last item of a school round, without a dimension, is the
    /// overall question.
    pub items: &'static [(Option<&'static str>, &'static str, &'static str)],
}

impl SurveyTemplate {
    pub fn questionnaire(&self) -> NewQuestionnaire {
        NewQuestionnaire {
            title: self.title.into(),
            audience: self.audience,
            about: self.about,
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

/// The scale every 师德 item belongs to: a teacher's index is this scale's.
pub const ETHICS_SCALE: &str = "师德";

/// The standard questionnaires (issue 15; plans S1): parents', students' and teachers'
/// satisfaction, 课后服务, and 师德评价 of a named teacher by parents/students and by colleagues.
pub const SURVEY_TEMPLATES: [SurveyTemplate; 6] = [
    SurveyTemplate {
        key: "parents",
        title: "家长满意度调查",
        audience: SurveyAudience::Parents,
        about: SurveyAbout::School,
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
        about: SurveyAbout::School,
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
        about: SurveyAbout::School,
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
    // 课后服务 alone (the plan's 课后服务满意率 ≥ 95 %): the dimension the plan reads, and no
    // overall item, so it is never taken for the school's overall satisfaction.
    SurveyTemplate {
        key: "after_school",
        title: "课后服务满意度调查",
        audience: SurveyAudience::Parents,
        about: SurveyAbout::School,
        items: &[
            (Some("课后服务"), "D1", "课后服务的时间安排"),
            (Some("课后服务"), "D2", "课后服务的内容和质量"),
            (Some("课后服务"), "D3", "作业辅导和答疑"),
            (Some("课后服务"), "D4", "体育、艺术、科技等兴趣活动"),
            (Some("课后服务"), "D5", "课后服务期间孩子的安全和看护"),
            (Some("课后服务"), "D6", "课后服务的收费和自愿参加"),
        ],
    },
    // 师德 of one named teacher (S1 §14; 《新时代中小学教师职业行为十项准则》), answered
    // with the §7 labels: every item in the one 师德 scale, whose index is the teacher's.
    SurveyTemplate {
        key: "ethics_parents",
        title: "师德评价（家长、学生评教师）",
        audience: SurveyAudience::Parents,
        about: SurveyAbout::Teacher,
        items: &[
            (Some(ETHICS_SCALE), "E1", "这位老师关爱学生，尊重每个孩子"),
            (
                Some(ETHICS_SCALE),
                "E2",
                "这位老师公平对待每个学生，不讽刺、不体罚",
            ),
            (Some(ETHICS_SCALE), "E3", "这位老师认真上课、耐心辅导"),
            (Some(ETHICS_SCALE), "E4", "这位老师与家长沟通及时、态度诚恳"),
            (
                Some(ETHICS_SCALE),
                "E5",
                "这位老师廉洁从教，不收礼、不搞有偿补课",
            ),
            (Some(ETHICS_SCALE), "E6", "这位老师言行得体，为人师表"),
        ],
    },
    SurveyTemplate {
        key: "ethics_peers",
        title: "师德评价（同事互评）",
        audience: SurveyAudience::Teachers,
        about: SurveyAbout::Teacher,
        items: &[
            (Some(ETHICS_SCALE), "P1", "爱国守法，贯彻党的教育方针"),
            (Some(ETHICS_SCALE), "P2", "爱岗敬业，认真履行教育教学职责"),
            (Some(ETHICS_SCALE), "P3", "关爱学生，不歧视、不体罚"),
            (Some(ETHICS_SCALE), "P4", "团结协作，乐于分享、帮助同事"),
            (
                Some(ETHICS_SCALE),
                "P5",
                "廉洁自律，不搞有偿补课、不收受礼品",
            ),
            (Some(ETHICS_SCALE), "P6", "为人师表，言行得体"),
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
            // Only the three satisfaction rounds end in the overall question.
            let overall = q.items.last().map(|i| i.code.as_str()) == Some(OVERALL_ITEM);
            assert_eq!(
                overall,
                ["parents", "students", "teachers"].contains(&t.key),
                "{}",
                t.title
            );
            if t.about == SurveyAbout::Teacher {
                assert!(
                    q.items
                        .iter()
                        .all(|i| i.allow_unknown && i.scale.as_deref() == Some(ETHICS_SCALE))
                );
            }
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
            about: SurveyAbout::School,
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
