//! A student's fitness history as the student page shows it (newest term first), and the
//! chart of 学年总分 across terms.
use serde_json::{Value, json};
use wuyu_service::store_types::FitnessRecord;

use super::format::{item_value, one, unit_zh};
use crate::view::format_date;

pub(crate) struct HistoryItem {
    pub name: &'static str,
    pub value: String,
    pub score: u8,
    pub bonus: String,
    pub fail: bool,
}

pub(crate) struct TermHistory {
    pub label: String,
    pub test_date: String,
    pub grade: &'static str,
    pub age: String,
    pub height_weight: String,
    pub items: Vec<HistoryItem>,
    pub bmi: String,
    pub bmi_category: &'static str,
    pub standard_score: String,
    pub bonus: String,
    pub year_total: String,
    pub level: &'static str,
    pub status: &'static str,
    pub missing: String,
    pub weight_status: &'static str,
    pub malnutrition: &'static str,
    pub vision_status: &'static str,
    pub vision: String,
    /// The 等级 in plain words, and what to practise for each item under 60.
    pub explain: &'static str,
    pub practice: Vec<&'static str>,
}

fn with_unit(v: Option<f64>, unit: &str) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{}{unit}", one(Some(v))))
}

pub(crate) fn term_history(r: &FitnessRecord) -> TermHistory {
    let m = &r.measures;
    TermHistory {
        label: r.term.label_zh(),
        test_date: format_date(r.test_date),
        grade: r.grade.label_zh(),
        age: one(Some(r.age_years)),
        height_weight: format!(
            "{} / {}",
            with_unit(m.height_cm, " 厘米"),
            with_unit(m.weight_kg, " 千克")
        ),
        items: r
            .items
            .iter()
            .map(|i| HistoryItem {
                name: i.item.name_zh(),
                value: format!("{} {}", item_value(i.item, i.value), unit_zh(i.item)),
                score: i.score,
                bonus: if i.item.has_bonus() {
                    i.bonus.to_string()
                } else {
                    String::new()
                },
                fail: i.score < 60,
            })
            .collect(),
        bmi: one(r.bmi),
        bmi_category: r.bmi_category.map_or("—", |c| c.label_zh()),
        standard_score: one(r.standard_score),
        bonus: r.bonus_total.to_string(),
        year_total: one(r.year_total),
        level: r.level.map_or("—", |l| l.label_zh()),
        explain: wuyu_service::fitness::level_explanation_zh(r.level, r.complete),
        practice: r
            .failed_items()
            .map(wuyu_service::fitness::practice_zh)
            .collect(),
        status: if r.complete { "完整" } else { "未完成" },
        missing: r
            .missing
            .iter()
            .map(|i| i.name_zh())
            .collect::<Vec<_>>()
            .join("、"),
        weight_status: r.weight_status.map_or("—", |w| w.label_zh()),
        malnutrition: r.malnutrition.map_or("—", |w| w.label_zh()),
        vision_status: r.vision_status.map_or("未筛查", |w| w.label_zh()),
        vision: if m.acuity_left.is_none() && m.acuity_right.is_none() {
            String::new()
        } else {
            format!("左 {} / 右 {}", one(m.acuity_left), one(m.acuity_right))
        },
    }
}

/// 学年总分 across terms (null for an INCOMPLETE term, which has no total).
pub(crate) fn year_total_chart(records: &[FitnessRecord]) -> Value {
    let labels: Vec<String> = records.iter().map(|r| r.term.label_zh()).collect();
    let data: Vec<Value> = records
        .iter()
        .map(|r| r.year_total.map_or(Value::Null, |v| json!(v)))
        .collect();
    json!({
        "tooltip": {"trigger": "axis", "renderMode": "richText"},
        "grid": {"top": 40, "left": 48, "right": 24, "bottom": 56},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"interval": 0, "rotate": 20}},
        "yAxis": {"type": "value", "name": "学年总分", "min": 0, "max": 120},
        "series": [{"name": "学年总分", "type": "line", "data": data,
                    "label": {"show": true, "position": "top"}}],
    })
}
