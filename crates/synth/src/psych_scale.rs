//! The demo's district scale: a small questionnaire invented for the demo (not a published
//! instrument, no licence involved), so the 量表定义 page, a campaign pinned to a version and
//! its scores can be seen. wuyu ships no real custom definition.

/// 学习压力自评（演示用，虚构）: 6 items answered 1–5, items 2 and 5 reverse-scored; 学习压力 is
/// the mean of items 1–3, 支持感 the sum of items 4–6, the total the sum of all six.
pub const DEMO_SCALE_JSON: &str = r#"{
  "code": "xxyl_demo",
  "name_zh": "学习压力自评（演示用，虚构）",
  "version": "demo-1",
  "item_count": 6,
  "answer_values": [1, 2, 3, 4, 5],
  "answer_labels_zh": ["从不", "偶尔", "有时", "经常", "总是"],
  "items_zh": [
    "想到作业和考试，我会感到紧张",
    "我觉得自己能安排好学习时间",
    "我担心成绩达不到家长的期望",
    "遇到学习困难时，我知道可以向谁求助",
    "我觉得老师和同学愿意帮助我",
    "家里人会关心我的学习和心情"
  ],
  "reverse_items": [2, 5],
  "subscales": [
    {"code": "pressure", "name_zh": "学习压力", "items": [1, 2, 3], "method": "mean",
     "cutoffs": [{"min": 1, "max": 2.99, "label_zh": "较低"},
                 {"min": 3, "max": 3.99, "label_zh": "中等"},
                 {"min": 4, "max": 5, "label_zh": "较高", "level": 1}]},
    {"code": "support", "name_zh": "支持感", "items": [4, 5, 6], "method": "sum",
     "cutoffs": [{"min": 3, "max": 8, "label_zh": "支持不足"},
                 {"min": 9, "max": 15, "label_zh": "支持良好"}]}
  ],
  "total": {"code": "total", "name_zh": "总分", "method": "sum"}
}"#;

/// The demo district's mapping of the scale's band to an attention level: 学习压力 较高 is
/// 重点关注 (scale code, subscale, band, level), so a few demo students are flagged by it.
pub const DEMO_SCALE_LEVEL: (&str, &str, &str, u8) = ("xxyl_demo", "pressure", "较高", 2);

/// One student's answers to the demo scale (1–5 each), spread deterministically by `seed`:
/// most students answer in the middle, a few lean towards pressure.
pub fn demo_scale_answers(seed: u64, student: usize) -> [u8; 6] {
    let mut x = seed ^ (student as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut out = [0u8; 6];
    for a in &mut out {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // 1–5 weighted to the middle: 1, 2, 2, 3, 3, 3, 4, 4, 5.
        *a = [1, 2, 2, 3, 3, 3, 4, 4, 5][(x % 9) as usize];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use wuyu_standards::scales::ScaleDefinition;

    #[test]
    fn the_demo_scale_is_a_valid_definition() {
        let d = ScaleDefinition::from_json("demo", DEMO_SCALE_JSON).unwrap();
        assert_eq!(d.item_count, 6);
        assert_eq!(d.reverse_items, vec![2, 5]);
        assert!(demo_scale_answers(7, 3).iter().all(|v| (1..=5).contains(v)));
    }

    /// Of the 120 students the demo gives the scale, a few (not none, not most) land in the
    /// mapped band and so at its level.
    #[test]
    fn a_few_demo_students_land_in_the_mapped_band() {
        use wuyu_standards::scales::{LevelRules, ScaleLevel};
        let d = ScaleDefinition::from_json("demo", DEMO_SCALE_JSON).unwrap();
        let (scale, subscale, band, level) = DEMO_SCALE_LEVEL;
        let rules = LevelRules {
            scale_levels: vec![ScaleLevel {
                scale: scale.into(),
                subscale: subscale.into(),
                band: band.into(),
                level,
            }],
            ..LevelRules::default()
        };
        rules.validate().unwrap();
        for year in [2024u64, 2025, 2026] {
            let flagged = (0..120)
                .filter(|&n| {
                    let answers: Vec<Option<i32>> = demo_scale_answers(year, n)
                        .iter()
                        .map(|&a| Some(i32::from(a)))
                        .collect();
                    rules
                        .scale_level(scale, &d.score(&answers).unwrap())
                        .number()
                        == level
                })
                .count();
            assert!((2..=24).contains(&flagged), "{year}: {flagged}");
        }
    }
}
