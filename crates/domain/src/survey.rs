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

/// Most options a choice item may offer, and the longest text item allowed.
pub const MAX_ITEM_OPTIONS: usize = 20;
pub const MAX_TEXT_CHARS: usize = 2000;

/// What an item asks for. Items stored before choice and text items existed have no kind:
/// they are 5-point items.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ItemKind {
    /// 非常满意 … 非常不满意 (and 不了解 when the item allows it).
    #[default]
    Likert,
    /// One of the options.
    Single { options: Vec<String> },
    /// Any of the options, at most `max_picks` of them when given.
    Multiple {
        options: Vec<String>,
        #[serde(default)]
        max_picks: Option<usize>,
    },
    /// A short free text of at most `max_chars` characters.
    Text { max_chars: usize },
}

impl ItemKind {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Likert => "likert",
            Self::Single { .. } => "single",
            Self::Multiple { .. } => "multiple",
            Self::Text { .. } => "text",
        }
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            Self::Likert => "满意度题",
            Self::Single { .. } => "单选题",
            Self::Multiple { .. } => "多选题",
            Self::Text { .. } => "简答题",
        }
    }

    /// The options of a choice item; empty for the others.
    pub fn options(&self) -> &[String] {
        match self {
            Self::Single { options } | Self::Multiple { options, .. } => options,
            _ => &[],
        }
    }

    pub fn is_choice(&self) -> bool {
        matches!(self, Self::Single { .. } | Self::Multiple { .. })
    }
}

/// One item: a 5-point satisfaction item (the default), a choice or a short text.
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
    /// The named scale the item belongs to (e.g. 师德), if any; only 5-point items have one.
    pub scale: Option<String>,
    #[serde(default)]
    pub kind: ItemKind,
    /// A choice or text item that must be answered (5-point items are required by the form).
    #[serde(default)]
    pub required: bool,
}

/// A response's answers to the choice and text items, by item index (0-based): the picked
/// options (0-based) and the texts. The 5-point answers travel separately, one per item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OtherAnswers {
    pub choices: Vec<(usize, Vec<usize>)>,
    pub texts: Vec<(usize, String)>,
}

impl OtherAnswers {
    pub const NONE: OtherAnswers = OtherAnswers {
        choices: Vec::new(),
        texts: Vec::new(),
    };

    pub fn is_empty(&self) -> bool {
        self.choices.iter().all(|(_, p)| p.is_empty())
            && self.texts.iter().all(|(_, t)| t.trim().is_empty())
    }

    /// Why these answers do not fit the items, in Chinese for the respondent; `likert[i]`
    /// says whether item i has a 5-point answer.
    pub fn refusal(&self, items: &[SurveyItem], likert: &[bool]) -> Option<String> {
        let name = |i: usize| format!("第 {} 题“{}”", i + 1, items[i].text);
        for (i, item) in items.iter().enumerate() {
            if item.kind != ItemKind::Likert && likert.get(i).copied().unwrap_or(false) {
                return Some(format!(
                    "{}是{}，不能按满意程度作答",
                    name(i),
                    item.kind.label_zh()
                ));
            }
        }
        let mut seen = vec![false; items.len()];
        for (i, picks) in &self.choices {
            let i = *i;
            if i >= items.len() || seen[i] {
                return Some(format!("答卷中的第 {} 题不在问卷之中或重复", i + 1));
            }
            seen[i] = true;
            let options = items[i].kind.options();
            if !items[i].kind.is_choice() {
                return Some(format!("{}不是选择题", name(i)));
            }
            if let Some(&bad) = picks.iter().find(|&&p| p >= options.len()) {
                return Some(format!(
                    "{}的答案（第 {} 项）不在该题的 {} 个选项之中",
                    name(i),
                    bad.saturating_add(1),
                    options.len()
                ));
            }
            if picks
                .iter()
                .enumerate()
                .any(|(k, p)| picks[..k].contains(p))
            {
                return Some(format!("{}同一选项选了两次", name(i)));
            }
            match &items[i].kind {
                ItemKind::Single { .. } if picks.len() > 1 => {
                    return Some(format!(
                        "{}是单选题，只能选一项，现在选了 {} 项",
                        name(i),
                        picks.len()
                    ));
                }
                ItemKind::Multiple {
                    max_picks: Some(max),
                    ..
                } if picks.len() > *max => {
                    return Some(format!(
                        "{}最多选 {max} 项，现在选了 {} 项",
                        name(i),
                        picks.len()
                    ));
                }
                _ => {}
            }
        }
        for (i, text) in &self.texts {
            let i = *i;
            if i >= items.len() || seen[i] {
                return Some(format!("答卷中的第 {} 题不在问卷之中或重复", i + 1));
            }
            seen[i] = true;
            let ItemKind::Text { max_chars } = items[i].kind else {
                return Some(format!("{}不是简答题", name(i)));
            };
            let n = text.trim().chars().count();
            if n > max_chars {
                return Some(format!("{}最多 {max_chars} 字，现在是 {n} 字", name(i)));
            }
        }
        for (i, item) in items.iter().enumerate() {
            let answered = match item.kind {
                ItemKind::Likert => likert.get(i).copied().unwrap_or(false),
                ItemKind::Text { .. } => self
                    .texts
                    .iter()
                    .any(|(j, t)| *j == i && !t.trim().is_empty()),
                _ => self.choices.iter().any(|(j, p)| *j == i && !p.is_empty()),
            };
            if item.required && !answered {
                return Some(format!("{}必须作答", name(i)));
            }
        }
        None
    }
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
            check_kind(item, i)?;
        }
        Ok(())
    }
}

/// What a choice or text item must hold: 2–20 distinct options, a pick limit within them, a
/// text length within [`MAX_TEXT_CHARS`]; no reverse key or scale, which only 5-point items have.
fn check_kind(item: &SurveyItem, i: usize) -> Result<(), String> {
    let at = format!("第 {} 题“{}”", i + 1, item.text);
    if item.kind != ItemKind::Likert && (item.reverse || item.scale.is_some()) {
        return Err(format!(
            "{at}是{}，不能反向计分或归入维度",
            item.kind.label_zh()
        ));
    }
    let options = item.kind.options();
    if item.kind.is_choice() {
        if options.len() < 2 || options.len() > MAX_ITEM_OPTIONS {
            return Err(format!(
                "{at}应有 2–{MAX_ITEM_OPTIONS} 个选项，现在有 {} 个",
                options.len()
            ));
        }
        for (k, o) in options.iter().enumerate() {
            if o.trim().is_empty() || options[..k].contains(o) {
                return Err(format!("{at}的第 {} 个选项为空或重复", k + 1));
            }
        }
    }
    match item.kind {
        ItemKind::Multiple {
            max_picks: Some(m), ..
        } if m == 0 || m > options.len() => Err(format!(
            "{at}最多可选项数应在 1–{} 之间，现在是 {m}",
            options.len()
        )),
        ItemKind::Text { max_chars } if max_chars == 0 || max_chars > MAX_TEXT_CHARS => Err(
            format!("{at}的字数上限应在 1–{MAX_TEXT_CHARS} 之间，现在是 {max_chars}"),
        ),
        _ => Ok(()),
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
    /// Choice and text items after the 5-point ones: (code, question, kind, required).
    pub others: &'static [(&'static str, &'static str, TemplateKind, bool)],
}

/// The kind of a template's choice or text item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateKind {
    Single(&'static [&'static str]),
    Multiple(&'static [&'static str], Option<usize>),
    Text(usize),
}

impl TemplateKind {
    fn kind(self) -> ItemKind {
        let own = |o: &[&str]| o.iter().map(|s| (*s).to_string()).collect();
        match self {
            Self::Single(o) => ItemKind::Single { options: own(o) },
            Self::Multiple(o, max_picks) => ItemKind::Multiple {
                options: own(o),
                max_picks,
            },
            Self::Text(max_chars) => ItemKind::Text { max_chars },
        }
    }
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
                    kind: ItemKind::Likert,
                    required: false,
                })
                .chain(
                    self.others
                        .iter()
                        .map(|(code, text, kind, required)| SurveyItem {
                            code: (*code).into(),
                            text: (*text).into(),
                            reverse: false,
                            allow_unknown: false,
                            scale: None,
                            kind: kind.kind(),
                            required: *required,
                        }),
                )
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
        others: &[],
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
        others: &[],
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
        others: &[],
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
        others: &[
            (
                "F1",
                "您的孩子参加了哪些课后服务项目",
                TemplateKind::Multiple(AFTER_SCHOOL_ACTIVITIES, None),
                true,
            ),
            (
                "F2",
                "您对课后服务的意见和建议",
                TemplateKind::Text(200),
                false,
            ),
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
        others: &[],
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
        others: &[],
    },
];

/// The 课后服务 projects a parent may tick (《关于做好中小学生课后服务工作的指导意见》's kinds).
pub const AFTER_SCHOOL_ACTIVITIES: &[&str] = &[
    "作业辅导与答疑",
    "体育锻炼",
    "艺术（音乐、美术、书法等）",
    "科技与编程",
    "阅读",
    "劳动实践",
    "其他",
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
            kind: ItemKind::Likert,
            required: false,
        }
    }

    #[test]
    fn choice_and_text_answers_are_checked_against_their_items() {
        let t = survey_template("after_school").unwrap().questionnaire();
        assert_eq!(t.check(), Ok(()));
        let items = &t.items;
        let (multi, text) = (6, 7);
        let likert: Vec<bool> = (0..items.len()).map(|i| i < 6).collect();
        let ok = OtherAnswers {
            choices: vec![(multi, vec![0, 2])],
            texts: vec![(text, "希望增加体育活动".into())],
        };
        assert_eq!(ok.refusal(items, &likert), None);
        let bad = |o: OtherAnswers| o.refusal(items, &likert).unwrap();
        let out = bad(OtherAnswers {
            choices: vec![(multi, vec![7])],
            ..Default::default()
        });
        assert!(
            out.contains("第 7 题") && out.contains("第 8 项") && out.contains("7 个选项"),
            "{out}"
        );
        assert!(bad(OtherAnswers::default()).contains("必须作答"));
        let long = bad(OtherAnswers {
            choices: vec![(multi, vec![1])],
            texts: vec![(text, "好".repeat(201))],
        });
        assert!(long.contains("最多 200 字，现在是 201 字"), "{long}");
        assert!(
            bad(OtherAnswers {
                choices: vec![(multi, vec![1, 1])],
                ..Default::default()
            })
            .contains("两次")
        );
        assert!(
            bad(OtherAnswers {
                choices: vec![(0, vec![1])],
                ..Default::default()
            })
            .contains("不是选择题")
        );
        let mut capped = items.clone();
        capped[multi].kind = ItemKind::Multiple {
            options: AFTER_SCHOOL_ACTIVITIES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            max_picks: Some(2),
        };
        let three = OtherAnswers {
            choices: vec![(multi, vec![0, 1, 2])],
            ..Default::default()
        };
        assert!(
            three
                .refusal(&capped, &likert)
                .unwrap()
                .contains("最多选 2 项，现在选了 3 项")
        );
        let mut q = t.clone();
        q.items[multi].kind = ItemKind::Single {
            options: vec!["是".into()],
        };
        assert!(q.check().unwrap_err().contains("2–20 个选项"));
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
