//! A questionnaire built in the browser from rows of a form: one row per question, with its
//! type, options and flags. Blank rows are skipped; the result is checked like any stored
//! questionnaire, and every refusal names the row in Chinese.
use crate::survey::{
    ItemKind, MAX_TEXT_CHARS, NewQuestionnaire, SurveyAbout, SurveyAudience, SurveyItem,
};

/// One question as typed into the builder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuilderRow {
    pub text: String,
    /// `likert`, `single`, `multiple` or `text`.
    pub kind: String,
    /// Choice options, separated by 、，, ; or new lines.
    pub options: String,
    /// The 维度 a 5-point item belongs to (blank: none).
    pub scale: String,
    pub reverse: bool,
    pub allow_unknown: bool,
    pub required: bool,
    /// Multiple choice: the most picks; text: the most characters (blank: none / 200).
    pub limit: String,
}

impl BuilderRow {
    fn is_blank(&self) -> bool {
        self.text.trim().is_empty() && self.options.trim().is_empty()
    }
}

/// Characters a short-text answer may have when the builder leaves the limit blank.
pub const DEFAULT_TEXT_CHARS: usize = 200;

/// The questionnaire the rows describe, or the first problem in Chinese naming its row.
pub fn build_questionnaire(
    title: &str,
    audience: &str,
    rows: &[BuilderRow],
) -> Result<NewQuestionnaire, String> {
    let audience = SurveyAudience::ALL
        .into_iter()
        .find(|a| a.code() == audience.trim())
        .ok_or_else(|| {
            format!(
                "请选择作答对象（家长、学生或教师），而不是“{}”",
                audience.trim()
            )
        })?;
    let mut items = Vec::new();
    for (i, row) in rows.iter().enumerate().filter(|(_, r)| !r.is_blank()) {
        let at = format!("第 {} 行", i + 1);
        if row.text.trim().is_empty() {
            return Err(format!("{at}有选项但没有题目"));
        }
        let options: Vec<String> = row
            .options
            .split(['、', '，', ',', ';', '；', '\n'])
            .map(|o| o.trim().to_string())
            .filter(|o| !o.is_empty())
            .collect();
        let limit = match row.limit.trim() {
            "" => None,
            t => Some(
                t.parse::<usize>()
                    .map_err(|_| format!("{at}的数量上限应为正整数，而不是“{t}”"))?,
            ),
        };
        let kind = match row.kind.trim() {
            "likert" | "" => ItemKind::Likert,
            "single" => ItemKind::Single { options },
            "multiple" => ItemKind::Multiple {
                options,
                max_picks: limit,
            },
            "text" => ItemKind::Text {
                max_chars: limit.unwrap_or(DEFAULT_TEXT_CHARS).min(MAX_TEXT_CHARS + 1),
            },
            other => return Err(format!("{at}的题型“{other}”不存在")),
        };
        let likert = kind == ItemKind::Likert;
        let scale = row.scale.trim();
        items.push(SurveyItem {
            code: format!("q{}", items.len() + 1),
            text: row.text.trim().to_string(),
            reverse: row.reverse,
            allow_unknown: likert && row.allow_unknown,
            scale: (!scale.is_empty()).then(|| scale.to_string()),
            kind,
            required: row.required,
        });
    }
    let q = NewQuestionnaire {
        title: title.trim().to_string(),
        audience,
        about: SurveyAbout::School,
        items,
    };
    q.check()?;
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(text: &str, kind: &str, options: &str) -> BuilderRow {
        BuilderRow {
            text: text.into(),
            kind: kind.into(),
            options: options.into(),
            ..BuilderRow::default()
        }
    }

    #[test]
    fn rows_become_items_with_their_kinds_and_blank_rows_are_skipped() {
        let mut likert = row("对学校食堂的满意程度", "likert", "");
        likert.scale = "后勤".into();
        likert.reverse = true;
        likert.allow_unknown = true;
        let mut multi = row("孩子参加了哪些社团", "multiple", "书法、篮球，合唱");
        multi.limit = "2".into();
        let q = build_questionnaire(
            " 食堂与社团 ",
            "parents",
            &[
                likert,
                BuilderRow::default(),
                multi,
                row("意见和建议", "text", ""),
            ],
        )
        .unwrap();
        assert_eq!(q.title, "食堂与社团");
        assert_eq!(q.audience, SurveyAudience::Parents);
        let codes: Vec<&str> = q.items.iter().map(|i| i.code.as_str()).collect();
        assert_eq!(codes, ["q1", "q2", "q3"]);
        assert!(q.items[0].reverse && q.items[0].allow_unknown);
        assert_eq!(q.items[0].scale.as_deref(), Some("后勤"));
        assert_eq!(
            q.items[1].kind,
            ItemKind::Multiple {
                options: vec!["书法".into(), "篮球".into(), "合唱".into()],
                max_picks: Some(2)
            }
        );
        assert_eq!(q.items[2].kind, ItemKind::Text { max_chars: 200 });
    }

    #[test]
    fn a_bad_row_is_named() {
        let e = build_questionnaire("问卷", "parents", &[row("只有一个选项", "single", "是")])
            .unwrap_err();
        assert!(e.contains("应有 2–20 个选项"), "{e}");
        let e = build_questionnaire(
            "问卷",
            "parents",
            &[BuilderRow::default(), row("", "single", "是、否")],
        )
        .unwrap_err();
        assert_eq!(e, "第 2 行有选项但没有题目");
        let mut r = row("几项", "multiple", "甲、乙");
        r.limit = "两".into();
        let e = build_questionnaire("问卷", "parents", &[r]).unwrap_err();
        assert!(e.contains("第 1 行") && e.contains("“两”"), "{e}");
        let e = build_questionnaire("问卷", "everyone", &[row("题", "likert", "")]).unwrap_err();
        assert!(e.contains("“everyone”"), "{e}");
        let e = build_questionnaire("问卷", "parents", &[]).unwrap_err();
        assert!(e.contains("1–60 道题"), "{e}");
        let mut r = row("单选反向", "single", "甲、乙");
        r.reverse = true;
        let e = build_questionnaire("问卷", "parents", &[r]).unwrap_err();
        assert!(e.contains("不能反向计分"), "{e}");
    }
}
