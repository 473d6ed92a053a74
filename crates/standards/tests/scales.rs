//! The screening scales against modules.md §3: every band boundary of PHQ-9 and GAD-7, the ASQ
//! rules (a refusal counts as positive), the 关注等级 rules including incomplete totals with a
//! positive safety item, a district-supplied scale with reverse items and subscale means scored
//! against values worked out by hand, and properties over all answer sheets.
use proptest::prelude::*;
use wuyu_standards::scales::*;

/// A PHQ sheet whose total is `total`, with item 9 at 0 (so only the total drives the level).
fn phq_with_total(total: u8) -> [Option<u8>; 9] {
    let mut items = [Some(0u8); 9];
    let mut left = total;
    for slot in items.iter_mut().take(8) {
        let v = left.min(3);
        *slot = Some(v);
        left -= v;
    }
    assert_eq!(left, 0, "total {total} needs item 9");
    items
}

fn gad_with_total(total: u8) -> [Option<u8>; 7] {
    let mut items = [Some(0u8); 7];
    let mut left = total;
    for slot in items.iter_mut() {
        let v = left.min(3);
        *slot = Some(v);
        left -= v;
    }
    items
}

#[test]
fn phq9_bands_at_every_boundary() {
    let expect = [
        (0, PhqBand::Minimal),
        (4, PhqBand::Minimal),
        (5, PhqBand::Mild),
        (9, PhqBand::Mild),
        (10, PhqBand::Moderate),
        (14, PhqBand::Moderate),
        (15, PhqBand::ModeratelySevere),
        (19, PhqBand::ModeratelySevere),
        (20, PhqBand::Severe),
        (24, PhqBand::Severe),
    ];
    for (total, band) in expect {
        let r = score_phq(&phq_with_total(total)).unwrap();
        assert_eq!(r.total, Some(total));
        assert_eq!(r.band, Some(band), "PHQ total {total}");
    }
    // 27 needs item 9 = 3.
    let r = score_phq(&[Some(3); 9]).unwrap();
    assert_eq!((r.total, r.band), (Some(27), Some(PhqBand::Severe)));
    assert_eq!(PhqBand::ModeratelySevere.code(), "moderately_severe");
}

#[test]
fn gad7_bands_at_every_boundary() {
    let expect = [
        (0, GadBand::Minimal),
        (4, GadBand::Minimal),
        (5, GadBand::Mild),
        (9, GadBand::Mild),
        (10, GadBand::Moderate),
        (14, GadBand::Moderate),
        (15, GadBand::Severe),
        (21, GadBand::Severe),
    ];
    for (total, band) in expect {
        let r = score_gad(&gad_with_total(total)).unwrap();
        assert_eq!((r.total, r.band), (Some(total), Some(band)), "GAD {total}");
    }
}

#[test]
fn a_missing_item_leaves_no_total_and_no_band() {
    let mut items = [Some(3u8); 9];
    items[2] = None;
    let r = score_phq(&items).unwrap();
    assert_eq!((r.total, r.band, r.item9), (None, None, Some(3)));
    let mut g = [Some(1u8); 7];
    g[6] = None;
    assert_eq!(score_gad(&g).unwrap().total, None);
}

#[test]
fn answers_out_of_range_are_errors_never_guessed() {
    assert!(matches!(
        score_phq(&[Some(4); 9]),
        Err(AnswerError::BadItemValue(v)) if v == "4"
    ));
    assert!(parse_item("4").is_err());
    assert!(parse_item("1.5").is_err());
    assert!(parse_item("-1").is_err());
    assert_eq!(parse_item(" 2 ").unwrap(), Some(2));
    assert_eq!(parse_item("").unwrap(), None);
    let e = parse_asq("maybe").unwrap_err();
    assert!(e.to_string().contains("maybe"), "{e}");
    assert_eq!(parse_asq("是").unwrap(), Some(AsqAnswer::Yes));
    assert_eq!(parse_asq("REFUSED").unwrap(), Some(AsqAnswer::Refused));
}

#[test]
fn asq_rules_refusal_is_positive_q5_yes_is_acute() {
    use AsqAnswer::*;
    let no4 = [Some(No), Some(No), Some(No), Some(No), None];
    assert_eq!(score_asq(&no4), AsqResult::Negative);
    for i in 0..4 {
        for a in [Yes, Refused] {
            let mut s = no4;
            s[i] = Some(a);
            assert_eq!(score_asq(&s), AsqResult::Positive, "Q{} {a:?}", i + 1);
            s[4] = Some(Yes);
            assert_eq!(score_asq(&s), AsqResult::Acute);
            s[4] = Some(No);
            assert_eq!(score_asq(&s), AsqResult::Positive);
        }
    }
    // Blank Q1–4 with no yes or refusal: incomplete; with a yes: positive all the same.
    let blank = [Some(No), None, Some(No), Some(No), None];
    assert_eq!(score_asq(&blank), AsqResult::Incomplete);
    let blank_yes = [Some(Yes), None, None, None, None];
    assert_eq!(score_asq(&blank_yes), AsqResult::Positive);
}

fn level(a: ScreeningAnswers) -> (AttentionLevel, bool) {
    let r = score_screening(&a, &LevelRules::default()).unwrap();
    (r.level, r.incomplete)
}

#[test]
fn attention_levels_follow_the_rule_set() {
    use AttentionLevel::{Crisis, Focus, General};
    const NONE: AttentionLevel = AttentionLevel::None;
    let phq = |total: u8, item9: u8| {
        let mut p = phq_with_total(total);
        p[8] = Some(item9);
        ScreeningAnswers {
            phq: Some(p),
            ..Default::default()
        }
    };
    // Totals with item 9 = 0.
    assert_eq!(level(phq(9, 0)).0, NONE);
    assert_eq!(level(phq(10, 0)).0, General);
    assert_eq!(level(phq(14, 0)).0, General);
    assert_eq!(level(phq(15, 0)).0, Focus);
    // Item 9: 1 is 重点关注, 2 and 3 are 危机, whatever the total.
    assert_eq!(level(phq(0, 1)).0, Focus);
    assert_eq!(level(phq(0, 2)).0, Crisis);
    assert_eq!(level(phq(0, 3)).0, Crisis);
    let gad = |t: u8| ScreeningAnswers {
        gad: Some(gad_with_total(t)),
        ..Default::default()
    };
    assert_eq!(level(gad(9)).0, NONE);
    assert_eq!(level(gad(10)).0, General);
    assert_eq!(level(gad(14)).0, General);
    assert_eq!(level(gad(15)).0, Focus);
    let asq = |s: [Option<AsqAnswer>; 5]| ScreeningAnswers {
        asq: Some(s),
        ..Default::default()
    };
    use AsqAnswer as A;
    let neg = [Some(A::No), Some(A::No), Some(A::No), Some(A::No), None];
    assert_eq!(level(asq(neg)), (NONE, false));
    let refused = [
        Some(A::No),
        Some(A::Refused),
        Some(A::No),
        Some(A::No),
        None,
    ];
    assert_eq!(level(asq(refused)).0, Focus);
    let acute = [
        Some(A::Yes),
        Some(A::No),
        Some(A::No),
        Some(A::No),
        Some(A::Yes),
    ];
    assert_eq!(level(asq(acute)).0, Crisis);
    // The highest that applies: a mild PHQ with an acute ASQ is 危机.
    let mut both = phq(5, 0);
    both.asq = Some(acute);
    assert_eq!(level(both).0, Crisis);
}

#[test]
fn a_missing_total_with_a_positive_safety_item_still_raises_the_flag() {
    let mut p = [None; 9];
    p[8] = Some(2);
    let r = score_screening(
        &ScreeningAnswers {
            phq: Some(p),
            ..Default::default()
        },
        &LevelRules::default(),
    )
    .unwrap();
    assert_eq!(r.phq.unwrap().total, None);
    assert!(r.incomplete);
    assert_eq!(r.level, AttentionLevel::Crisis);
    // Incomplete without a safety flag: level 0 with the 不完整 mark.
    let mut q = [Some(3u8); 9];
    q[0] = None;
    q[8] = Some(0);
    let r = score_screening(
        &ScreeningAnswers {
            phq: Some(q),
            ..Default::default()
        },
        &LevelRules::default(),
    )
    .unwrap();
    assert_eq!((r.level, r.incomplete), (AttentionLevel::None, true));
}

#[test]
fn a_district_rule_set_moves_the_thresholds_and_must_stay_ordered() {
    let strict = LevelRules {
        general_phq_total: 8,
        ..LevelRules::default()
    };
    strict.validate().unwrap();
    let a = ScreeningAnswers {
        phq: Some(phq_with_total(8)),
        ..Default::default()
    };
    assert_eq!(
        score_screening(&a, &strict).unwrap().level,
        AttentionLevel::General
    );
    assert_eq!(
        score_screening(&a, &LevelRules::default()).unwrap().level,
        AttentionLevel::None
    );
    let bad = LevelRules {
        general_phq_total: 16,
        ..LevelRules::default()
    };
    assert!(matches!(bad.validate(), Err(RulesError::Unordered { .. })));
    let bad = LevelRules {
        crisis_phq_item9: 4,
        ..LevelRules::default()
    };
    assert!(
        bad.validate()
            .unwrap_err()
            .to_string()
            .contains("crisis_phq_item9")
    );
}

/// A made-up six-item scale (no licensed instrument is reproduced): answers 1–5, items 2 and 5
/// reversed, subscale A = mean of 1–3, subscale B = sum of 4–6, a lie scale on item 6.
const DEMO_SCALE: &str = r#"{
  "code": "demo6", "name_zh": "示例量表", "version": "2026-1",
  "item_count": 6, "answer_values": [1, 2, 3, 4, 5], "reverse_items": [2, 5],
  "subscales": [
    {"code": "a", "name_zh": "甲因子", "items": [1, 2, 3], "method": "mean",
     "cutoffs": [{"min": 1, "max": 2.99, "label_zh": "正常"},
                 {"min": 3, "max": 5, "label_zh": "偏高", "level": 1}]},
    {"code": "b", "name_zh": "乙因子", "items": [4, 5, 6], "method": "sum"},
    {"code": "lie", "name_zh": "效度", "items": [6], "method": "sum"}
  ],
  "total": {"code": "total", "name_zh": "总分", "method": "sum",
            "cutoffs": [{"min": 6, "max": 20, "label_zh": "正常"},
                        {"min": 21, "max": 30, "label_zh": "较高", "level": 2}]},
  "validity": [{"subscale": "lie", "invalid_above": 4}]
}"#;

#[test]
fn a_district_scale_with_reverse_items_and_means_scores_as_by_hand() {
    let def = ScaleDefinition::from_json("demo6.json", DEMO_SCALE).unwrap();
    // Answers 4,1,5,2,2,3 → reversed item 2: 6-1 = 5, item 5: 6-2 = 4.
    // A = (4+5+5)/3 = 4.667 → 偏高 (level 1); B = 2+4+3 = 9; total = 4+5+5+2+4+3 = 23 → 较高 (2).
    let r = def
        .score(&[Some(4), Some(1), Some(5), Some(2), Some(2), Some(3)])
        .unwrap();
    let a = &r.subscales[0];
    assert!((a.score.unwrap() - 14.0 / 3.0).abs() < 1e-12);
    assert_eq!(a.band.as_deref(), Some("偏高"));
    assert_eq!(r.subscales[1].score, Some(9.0));
    assert_eq!(r.total.as_ref().unwrap().score, Some(23.0));
    assert_eq!(r.total.as_ref().unwrap().band.as_deref(), Some("较高"));
    assert!(!r.invalid && !r.incomplete);
    assert_eq!(r.level, AttentionLevel::Focus);
    // The lie item at 5 (> 4) makes the sheet invalid: no level from it.
    let r = def
        .score(&[Some(4), Some(1), Some(5), Some(2), Some(2), Some(5)])
        .unwrap();
    assert!(r.invalid);
    assert_eq!(r.level, AttentionLevel::None);
    // A blank in subscale A: no A score, no total, incomplete.
    let r = def
        .score(&[Some(4), None, Some(5), Some(2), Some(2), Some(3)])
        .unwrap();
    assert_eq!(r.subscales[0].score, None);
    assert_eq!(r.total.unwrap().score, None);
    assert!(r.incomplete);
    // An answer outside the answer values is an error naming it.
    let e = def.parse_answer("6").unwrap_err().to_string();
    assert!(e.contains("“6”") && e.contains("1、2、3、4、5"), "{e}");
    assert!(def.score(&[Some(0); 6]).is_err());
    assert!(def.score(&[Some(1); 5]).is_err());
}

/// The district's mappings raise a level from a district scale's band; the highest applies,
/// an invalid sheet raises nothing, and a mapping with a bad level, a blank or a duplicate is
/// refused naming which one.
#[test]
fn district_mappings_raise_the_level_from_a_district_scales_band() {
    let def = ScaleDefinition::from_json("demo6.json", DEMO_SCALE).unwrap();
    let map = |subscale: &str, band: &str, level: u8| ScaleLevel {
        scale: "demo6".into(),
        subscale: subscale.into(),
        band: band.into(),
        level,
    };
    let rules = LevelRules {
        scale_levels: vec![map(SCALE_TOTAL, "较高", 2), map("a", "偏高", 1)],
        ..LevelRules::default()
    };
    rules.validate().unwrap();
    // Total 23 (较高) and A 偏高: the higher, 2.
    let high = def
        .score(&[Some(4), Some(1), Some(5), Some(2), Some(2), Some(3)])
        .unwrap();
    assert_eq!(rules.scale_level("demo6", &high), AttentionLevel::Focus);
    assert_eq!(rules.scale_level("other", &high), AttentionLevel::None);
    // All 1s: A = (1+5+1)/3 = 2.33 正常, total = 1+5+1+1+5+1 = 14 正常.
    let low = def.score(&[Some(1); 6]).unwrap();
    assert_eq!(rules.scale_level("demo6", &low), AttentionLevel::None);
    // The lie item above 4: not interpreted.
    let invalid = def
        .score(&[Some(4), Some(1), Some(5), Some(2), Some(2), Some(5)])
        .unwrap();
    assert_eq!(rules.scale_level("demo6", &invalid), AttentionLevel::None);
    for (bad, want) in [
        (
            map("a", "偏高", 4),
            "第 1 条的 level“4”无效：应为 1、2 或 3",
        ),
        (map("a", " ", 1), "第 1 条的 band“ ”无效"),
        (map("", "偏高", 1), "第 1 条的 subscale“”无效"),
    ] {
        let r = LevelRules {
            scale_levels: vec![bad],
            ..LevelRules::default()
        };
        let e = r.validate().unwrap_err().to_string();
        assert!(e.contains(want), "{e}");
    }
    let dup = LevelRules {
        scale_levels: vec![map("a", "偏高", 1), map("a", "偏高", 2)],
        ..LevelRules::default()
    };
    let e = dup.validate().unwrap_err().to_string();
    assert!(e.contains("第 2 条") && e.contains("重复"), "{e}");
}

#[test]
fn bad_definitions_are_refused_with_where_and_why() {
    let overlap = DEMO_SCALE.replace(r#""min": 21, "max": 30"#, r#""min": 20, "max": 30"#);
    let e = ScaleDefinition::from_json("mine.json", &overlap).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("mine.json") && msg.contains("“total”第 2 个划界区间"),
        "{msg}"
    );
    assert!(msg.contains("重叠"), "{msg}");
    let out_of_range = DEMO_SCALE.replace(r#""items": [4, 5, 6]"#, r#""items": [4, 5, 7]"#);
    let msg = ScaleDefinition::from_json("mine.json", &out_of_range)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("题号 7") && msg.contains("“b”"), "{msg}");
    let bad_rule = DEMO_SCALE.replace(r#""subscale": "lie""#, r#""subscale": "liar""#);
    let msg = ScaleDefinition::from_json("mine.json", &bad_rule)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("liar"), "{msg}");
    let syntax = DEMO_SCALE.replacen('{', "{{", 1);
    let msg = ScaleDefinition::from_json("mine.json", &syntax)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("第 1 行"), "{msg}");
    let unknown = DEMO_SCALE.replace(r#""version""#, r#""versio""#);
    assert!(ScaleDefinition::from_json("mine.json", &unknown).is_err());
    // The optional wording must match the items and the answer values one for one.
    let words = DEMO_SCALE.replacen('{', r#"{"items_zh": ["一", "二"],"#, 1);
    let msg = ScaleDefinition::from_json("mine.json", &words)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("items_zh") && msg.contains("2 条"), "{msg}");
    let labels = DEMO_SCALE.replacen('{', r#"{"answer_labels_zh": ["否"],"#, 1);
    let msg = ScaleDefinition::from_json("mine.json", &labels)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("answer_labels_zh"), "{msg}");
}

fn sheet<const N: usize>() -> impl Strategy<Value = [Option<u8>; N]> {
    proptest::array::uniform(proptest::option::weighted(0.9, 0u8..=3))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn totals_stay_in_range_and_bands_follow_totals(p in sheet::<9>(), g in sheet::<7>()) {
        let r = score_phq(&p).unwrap();
        prop_assert_eq!(r.total.is_some(), p.iter().all(Option::is_some));
        if let Some(t) = r.total {
            prop_assert!(t <= 27);
            prop_assert_eq!(t as u32, p.iter().flatten().map(|v| *v as u32).sum::<u32>());
        }
        let r = score_gad(&g).unwrap();
        if let Some(t) = r.total { prop_assert!(t <= 21); }
    }

    #[test]
    fn the_level_is_monotone_in_every_answer(
        p in sheet::<9>(), g in sheet::<7>(), i in 0usize..16,
    ) {
        let rules = LevelRules::default();
        let before = score_screening(&ScreeningAnswers { phq: Some(p), gad: Some(g), asq: None }, &rules).unwrap();
        let (mut p2, mut g2) = (p, g);
        let slot = if i < 9 { &mut p2[i] } else { &mut g2[i - 9] };
        if let Some(v) = slot { *v = (*v + 1).min(3); }
        let after = score_screening(&ScreeningAnswers { phq: Some(p2), gad: Some(g2), asq: None }, &rules).unwrap();
        prop_assert!(after.level >= before.level);
        if let (Some(a), Some(b)) = (after.phq.and_then(|x| x.total), before.phq.and_then(|x| x.total)) {
            prop_assert!(a >= b);
            prop_assert!(after.phq.unwrap().band >= before.phq.unwrap().band);
        }
        if let (Some(a), Some(b)) = (after.gad.and_then(|x| x.band), before.gad.and_then(|x| x.band)) {
            prop_assert!(a >= b);
        }
    }

    #[test]
    fn a_custom_scale_total_is_within_its_range(answers in proptest::collection::vec(1i32..=5, 6)) {
        let def = ScaleDefinition::from_json("demo6.json", DEMO_SCALE).unwrap();
        let opt: Vec<Option<i32>> = answers.iter().copied().map(Some).collect();
        let r = def.score(&opt).unwrap();
        let t = r.total.unwrap().score.unwrap();
        prop_assert!((6.0..=30.0).contains(&t));
        let a = r.subscales[0].score.unwrap();
        prop_assert!((1.0..=5.0).contains(&a));
    }
}
