//! Spec §5: gaps, urban–rural, and the parallel-class rule's worked vector (§5.3).
use wuyu_analytics::compare::*;

fn near(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} vs {b}");
}

fn class(name: &str, n: usize, mean: f64) -> ClassResult {
    ClassResult {
        class: name.into(),
        class_type: "普通班".into(),
        enrolled: n,
        sat: n,
        n,
        mean,
        sd: None,
    }
}

/// A, B, C with n = 40, 50, 30; T teaches A.
fn event(exam: &str, a: f64, b: f64, c: f64, share: f64) -> ParallelEvent {
    ParallelEvent {
        exam: exam.into(),
        school_year: 2024,
        level: ExamLevel::School,
        unified_marking: true,
        class: "A".into(),
        teacher_share: share,
        classes: vec![class("A", 40, a), class("B", 50, b), class("C", 30, c)],
    }
}

/// The spec's ten events: E1–E5 from its table, E6 below but taught 40 %, E7 below, E8 not
/// below, E9 below, E10 with no parallel class of the same type.
fn spec_events() -> Vec<ParallelEvent> {
    let mut e10 = event("E10", 70.0, 75.0, 75.0, 1.0);
    e10.classes[1].class_type = "实验班".into();
    e10.classes[2].class_type = "实验班".into();
    vec![
        event("E1", 78.20, 80.50, 79.00, 1.0),
        event("E2", 71.00, 70.40, 73.10, 1.0),
        event("E3", 65.50, 64.90, 66.30, 1.0),
        event("E4", 82.30, 84.00, 83.10, 1.0),
        event("E5", 75.00, 73.00, 78.3333, 1.0),
        event("E6", 60.00, 65.00, 64.00, 0.4),
        event("E7", 70.00, 72.00, 71.00, 1.0),
        event("E8", 80.00, 78.00, 79.00, 1.0),
        event("E9", 66.00, 69.00, 68.00, 1.0),
        e10,
    ]
}

#[test]
fn spec_5_3_weighted_threshold_mode_flags() {
    let a = parallel_class_alert("T", &spec_events(), 2024, &ParallelRule::default()).unwrap();
    let ev = |name: &str| a.events.iter().find(|e| e.exam == name).unwrap().clone();
    near(ev("E1").parallel_average.unwrap(), 79.36, 1e-9);
    near(ev("E2").parallel_average.unwrap(), 71.28, 1e-9); // 71.2750 rounds half away from zero
    near(ev("E3").parallel_average.unwrap(), 65.45, 1e-9);
    near(ev("E4").parallel_average.unwrap(), 83.21, 1e-9);
    assert_eq!(ev("E5").parallel_average, Some(75.0));
    assert_eq!(ev("E5").difference, Some(0.0));
    assert_eq!(ev("E5").below, Some(false), "a tie at 2 dp is not below");
    assert_eq!(ev("E3").below, Some(false));
    for e in ["E1", "E2", "E4", "E7", "E9"] {
        assert_eq!(ev(e).below, Some(true), "{e}");
    }
    assert!(!ev("E6").eligible, "taught 40 %: dropped in threshold mode");
    assert!(!ev("E10").eligible);
    assert_eq!(ev("E10").reason.as_deref(), Some("无同类平行班"));
    assert_eq!(a.weighted_events, 8.0);
    assert_eq!(a.weighted_below, 5.0);
    near(a.below_share.unwrap(), 0.625, 1e-12);
    assert_eq!(a.status, AlertStatus::Flagged);
    assert!(a.note.contains("人工复核"));
    assert_eq!(a.events.len(), 10, "every event is listed as evidence");
}

#[test]
fn spec_5_3_proportional_and_unweighted_variants() {
    let prop = ParallelRule {
        attribution: Attribution::Proportional,
        ..ParallelRule::default()
    };
    let a = parallel_class_alert("T", &spec_events(), 2024, &prop).unwrap();
    near(a.weighted_events, 8.4, 1e-12);
    near(a.below_share.unwrap(), 5.4 / 8.4, 1e-12);
    near(a.below_share.unwrap(), 0.6429, 5e-5);
    assert_eq!(a.status, AlertStatus::Flagged);

    let unw = ParallelRule {
        averaging: Averaging::Unweighted,
        ..ParallelRule::default()
    };
    let a = parallel_class_alert("T", &spec_events(), 2024, &unw).unwrap();
    let ev = |name: &str| a.events.iter().find(|e| e.exam == name).unwrap().clone();
    near(ev("E3").parallel_average.unwrap(), 65.57, 1e-9);
    assert_eq!(ev("E3").below, Some(true), "unweighted average changes E3");
    assert_eq!(ev("E5").below, Some(true));
    near(a.below_share.unwrap(), 7.0 / 8.0, 1e-12);
    assert_eq!(a.status, AlertStatus::Flagged);
}

/// Ten eligible events, the teacher's class below in the first `below` of them.
fn ten_events(below: usize) -> Vec<ParallelEvent> {
    (0..10)
        .map(|i| {
            let a = if i < below { 70.0 } else { 80.0 };
            event(&format!("X{i}"), a, 75.0, 75.0, 1.0)
        })
        .collect()
}

#[test]
fn the_seeds_rule_flags_six_of_ten_and_the_strict_variant_does_not() {
    // "任教成绩60%以上的次数未达到…": 以上 includes 60 %.
    let rule = ParallelRule::default();
    assert!(rule.threshold_inclusive);
    let a = parallel_class_alert("T", &ten_events(6), 2024, &rule).unwrap();
    assert_eq!(a.below_share, Some(0.6));
    assert_eq!(a.status, AlertStatus::Flagged, "6 of 10 is 60 %: flagged");
    let a = parallel_class_alert("T", &ten_events(5), 2024, &rule).unwrap();
    assert_eq!(a.status, AlertStatus::NotFlagged, "5 of 10 is not");
    // The earlier default (strictly above 60 %) stays available as a setting.
    let strict = ParallelRule {
        threshold_inclusive: false,
        ..rule
    };
    let a = parallel_class_alert("T", &ten_events(6), 2024, &strict).unwrap();
    assert_eq!(a.status, AlertStatus::NotFlagged);
    let a = parallel_class_alert("T", &ten_events(7), 2024, &strict).unwrap();
    assert_eq!(a.status, AlertStatus::Flagged);
    // 5 events all below: too few to judge.
    let a = parallel_class_alert("T", &ten_events(10)[..5], 2024, &rule).unwrap();
    assert_eq!(a.below_share, Some(1.0));
    assert_eq!(a.status, AlertStatus::InsufficientEvents);
}

#[test]
fn the_spec_vector_under_the_seeds_rule_and_a_sixty_percent_variant_of_it() {
    // The spec's ten events: 5 of 8 below is flagged under either comparison.
    let a = parallel_class_alert("T", &spec_events(), 2024, &ParallelRule::default()).unwrap();
    assert_eq!((a.weighted_events, a.weighted_below), (8.0, 5.0));
    assert_eq!(a.status, AlertStatus::Flagged);
    // E6 taught fully and E10 given a parallel class of its type: 10 eligible events, 6 below.
    let mut events = spec_events();
    events[5].teacher_share = 1.0;
    events[9].classes[1].class_type = "普通班".into();
    events[9].classes[1].mean = 69.0; // A (70) is above the 普通班 average: not below
    let a = parallel_class_alert("T", &events, 2024, &ParallelRule::default()).unwrap();
    assert_eq!((a.weighted_events, a.weighted_below), (10.0, 6.0));
    assert_eq!(a.status, AlertStatus::Flagged, "6 of 10 = 60 % is flagged");
    let strict = ParallelRule {
        threshold_inclusive: false,
        ..ParallelRule::default()
    };
    let a = parallel_class_alert("T", &events, 2024, &strict).unwrap();
    assert_eq!(
        a.status,
        AlertStatus::NotFlagged,
        "strictly above: not flagged"
    );
}

#[test]
fn school_level_exams_count_even_when_each_teacher_marks_their_own() {
    // Six 校级 exams marked in the school (no 统一阅卷), A below in four of them.
    let events: Vec<ParallelEvent> = (0..6)
        .map(|i| {
            let mut e = event(
                &format!("月考{i}"),
                if i < 4 { 70.0 } else { 80.0 },
                75.0,
                75.0,
                1.0,
            );
            e.level = ExamLevel::School;
            e.unified_marking = false;
            e
        })
        .collect();
    let a = parallel_class_alert("T", &events, 2024, &ParallelRule::default()).unwrap();
    assert!(a.events.iter().all(|e| e.eligible), "{:?}", a.events);
    assert_eq!((a.weighted_events, a.weighted_below), (6.0, 4.0));
    assert_eq!(a.status, AlertStatus::Flagged);
    // A district that counts only 区级 and above (the earlier default) judges nothing here.
    let district_only = ParallelRule {
        min_level: ExamLevel::District,
        ..ParallelRule::default()
    };
    let a = parallel_class_alert("T", &events, 2024, &district_only).unwrap();
    assert_eq!(a.weighted_events, 0.0);
    assert_eq!(a.status, AlertStatus::InsufficientEvents);
    assert_eq!(a.events[0].reason.as_deref(), Some("校级考试不计入"));
    let unified = ParallelRule {
        require_unified_marking: true,
        ..ParallelRule::default()
    };
    let a = parallel_class_alert("T", &events, 2024, &unified).unwrap();
    assert_eq!(a.events[0].reason.as_deref(), Some("未统一阅卷"));
    assert_eq!(a.status, AlertStatus::InsufficientEvents);
}

#[test]
fn parallel_classes_are_those_of_the_same_type() {
    // A and B are 普通班 (72 and 70), C is a 实验班 far ahead (85). Against the whole grade A is
    // below every time; against the other 普通班 it is above every time.
    let events = |types: [&str; 3]| -> Vec<ParallelEvent> {
        (0..6)
            .map(|i| {
                let mut e = event(&format!("E{i}"), 72.0, 70.0, 85.0, 1.0);
                for (c, t) in e.classes.iter_mut().zip(types) {
                    c.class_type = t.into();
                }
                e
            })
            .collect()
    };
    let rule = ParallelRule::default();
    let one_type = parallel_class_alert("T", &events(["普通班"; 3]), 2024, &rule).unwrap();
    assert_eq!(one_type.status, AlertStatus::Flagged);
    assert_eq!(one_type.events[0].parallel_classes, 3);
    let split =
        parallel_class_alert("T", &events(["普通班", "普通班", "实验班"]), 2024, &rule).unwrap();
    assert_eq!(split.status, AlertStatus::NotFlagged);
    assert_eq!(split.weighted_below, 0.0);
    let ev = &split.events[0];
    assert_eq!(ev.parallel_classes, 2);
    // (40·72 + 50·70) / 90 = 70.89: A is 1.11 above it.
    assert_eq!(ev.parallel_average, Some(70.89));
    assert_eq!(ev.difference, Some(1.11));
    // The 实验班's own teacher has no parallel class of its type: never judged.
    let mut c_events = events(["普通班", "普通班", "实验班"]);
    for e in &mut c_events {
        e.class = "C".into();
    }
    let c = parallel_class_alert("C老师", &c_events, 2024, &rule).unwrap();
    assert_eq!(c.status, AlertStatus::InsufficientEvents);
    assert!(
        c.events
            .iter()
            .all(|e| e.reason.as_deref() == Some("无同类平行班"))
    );
}

#[test]
fn the_rule_describes_itself_in_chinese() {
    let d = ParallelRule::default().describe_zh();
    assert!(d.contains("校级、区级、市级考试和中考"), "{d}");
    assert!(d.contains("达到或超过 60%"), "{d}");
    assert!(d.contains("同类型"), "{d}");
    let old = ParallelRule {
        min_level: ExamLevel::District,
        threshold_inclusive: false,
        require_unified_marking: true,
        ..ParallelRule::default()
    }
    .describe_zh();
    assert!(
        old.contains("区级及以上的考试（仅统一阅卷的考试）"),
        "{old}"
    );
    assert!(old.contains("严格高于 60%"), "{old}");
}

#[test]
fn a_stored_rule_without_the_new_fields_reads_with_their_defaults() {
    let r: ParallelRule = serde_json::from_str(r#"{"cycle_years": 3, "threshold": 0.6}"#).unwrap();
    assert_eq!(r, ParallelRule::default());
}

#[test]
fn ineligible_events_say_why() {
    let mut old = event("old", 60.0, 70.0, 70.0, 1.0);
    old.school_year = 2021;
    let mut quiz = event("quiz", 60.0, 70.0, 70.0, 1.0);
    quiz.level = ExamLevel::Classroom;
    let mut contest = event("contest", 60.0, 70.0, 70.0, 1.0);
    contest.level = ExamLevel::Competition;
    let mut absent = event("absent", 60.0, 70.0, 70.0, 1.0);
    absent.classes[0].sat = 35; // 35/40 = 87.5 %
    let a = parallel_class_alert(
        "T",
        &[old, quiz, contest, absent],
        2024,
        &ParallelRule::default(),
    )
    .unwrap();
    assert!(
        a.events
            .iter()
            .all(|e| !e.eligible && e.reason.is_some() && e.below.is_none())
    );
    assert_eq!(a.events[1].reason.as_deref(), Some("课堂小测不计入"));
    assert_eq!(a.weighted_events, 0.0);
    assert_eq!(a.status, AlertStatus::InsufficientEvents);
    let e = event("E", 60.0, 70.0, 70.0, 1.0);
    let mut bad = e.clone();
    bad.class = "Z".into();
    assert!(parallel_class_alert("T", &[bad], 2024, &ParallelRule::default()).is_err());
}

#[test]
fn gap_to_best_and_to_district() {
    let units = vec![
        UnitValue {
            unit: "一中".into(),
            n: 100,
            value: 80.0,
        },
        UnitValue {
            unit: "二中".into(),
            n: 300,
            value: 70.0,
        },
        UnitValue {
            unit: "三中".into(),
            n: 100,
            value: 80.0,
        },
    ];
    let g = gaps(&units).unwrap();
    assert_eq!(g.leaders, vec!["一中".to_string(), "三中".to_string()]);
    // Student-weighted: (8000 + 21000 + 8000)/500 = 74, not the mean of means 76.67.
    near(g.district, 74.0, 1e-12);
    near(g.units[1].gap_to_best, -10.0, 1e-12);
    near(g.units[1].gap_to_district, -4.0, 1e-12);
    near(g.units[1].relative_to_best.unwrap(), 0.875, 1e-12);
    assert!(g.units.iter().all(|u| u.gap_to_best <= 0.0));
}

#[test]
fn urban_rural_gaps() {
    let urban = [80.0, 85.0, 90.0, 75.0];
    let rural = [70.0, 72.0, 68.0, 74.0];
    let m = mean_gap(&urban, &rural).unwrap();
    near(m.difference, 82.5 - 71.0, 1e-12);
    // s1² = 41.6667, s2² = 6.6667 → Welch SE √(41.6667/4 + 6.6667/4).
    near(
        m.welch_se,
        ((125.0 / 3.0) / 4.0 + (20.0 / 3.0) / 4.0f64).sqrt(),
        1e-12,
    );
    near(
        m.cohens_d.unwrap(),
        11.5 / ((125.0 / 3.0 + 20.0 / 3.0) / 2.0f64).sqrt(),
        1e-12,
    );
    let s = school_level_gap(&[80.0, 84.0], &[70.0, 72.0]).unwrap();
    near(s.difference, 11.0, 1e-12);
    near(s.se, (8.0 / 2.0 + 2.0 / 2.0f64).sqrt(), 1e-12);
    // Spec §7.2 vector: 150/195 has Wilson 95 % CI 70.52 %–82.28 %.
    let (lo, hi) = wilson_interval(150, 195, 1.96).unwrap();
    near(lo, 0.7052, 5e-5);
    near(hi, 0.8228, 5e-5);
    // Newcombe's worked example (1998, method 10): 56/70 vs 48/80 → 0.200, CI 0.0524 to 0.3339.
    let r = rate_gap(56, 70, 48, 80, 1.959_964).unwrap();
    near(r.difference_pp, 20.0, 1e-9);
    near(r.ci_low_pp, 5.24, 5e-3);
    near(r.ci_high_pp, 33.39, 5e-3);
}

/// The chance of being below the weighted average k of n times with no real difference:
/// P(X ≥ k), X ~ Binomial(n, ½), from the binomial coefficients by hand.
#[test]
fn the_chance_of_being_below_that_often_separates_6_of_6_from_12_of_12() {
    // (C(8,5)+C(8,6)+C(8,7)+C(8,8)) / 2⁸ = (56+28+8+1)/256.
    near(binomial_tail_half(8, 5), 93.0 / 256.0, 1e-12);
    // 6 of 6: 1/64; 12 of 12: 1/4096; 17 of 18: (18+1)/2¹⁸.
    near(binomial_tail_half(6, 6), 1.0 / 64.0, 1e-12);
    near(binomial_tail_half(12, 12), 1.0 / 4096.0, 1e-15);
    near(binomial_tail_half(18, 17), 19.0 / 262_144.0, 1e-15);
    assert_eq!(binomial_tail_half(10, 0), 1.0);
    assert_eq!(binomial_tail_half(3, 4), 0.0);
    // Large n stays a probability: P(X ≥ 500 | 1000) = ½ + P(X = 500)/2.
    let p = binomial_tail_half(1000, 500);
    assert!(p > 0.5 && p < 0.52, "{p}");

    // The spec's vector: 5 below of 8 eligible.
    let alert = parallel_class_alert("T", &spec_events(), 2024, &ParallelRule::default()).unwrap();
    near(alert.chance.unwrap(), 93.0 / 256.0, 1e-12);
}

/// Gaps in points and SD units: A is 70 against B and C at 72 (n 40, 50, 30), every class
/// with SD 10. Weighted average (2800 + 3600 + 2160)/120 = 71.33, so the gap is −1.33 points
/// and −0.133 SD, in each of six exams.
#[test]
fn every_gap_is_given_in_points_and_sd_units() {
    let events: Vec<ParallelEvent> = (1..=6)
        .map(|k| {
            let mut e = event(&format!("第{k}次"), 70.0, 72.0, 72.0, 1.0);
            for c in &mut e.classes {
                c.sd = Some(10.0);
            }
            e
        })
        .collect();
    let alert = parallel_class_alert("T", &events, 2024, &ParallelRule::default()).unwrap();
    assert_eq!(alert.status, AlertStatus::Flagged);
    for e in &alert.events {
        assert_eq!(e.difference, Some(-1.33));
        assert_eq!(e.difference_sd, Some(-0.133));
    }
    near(alert.mean_difference.unwrap(), -1.33, 1e-9);
    near(alert.mean_difference_sd.unwrap(), -0.133, 1e-9);
    near(alert.chance.unwrap(), 1.0 / 64.0, 1e-12);
    // Without the classes' SD the SD-unit gap is unknown, never guessed.
    let alert = parallel_class_alert("T", &spec_events(), 2024, &ParallelRule::default()).unwrap();
    assert!(alert.events.iter().all(|e| e.difference_sd.is_none()));
    assert_eq!(alert.mean_difference_sd, None);
}
