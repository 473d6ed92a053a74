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

#[test]
fn spec_5_3_exactly_sixty_percent_is_not_flagged() {
    let mut events = Vec::new();
    for i in 0..10 {
        let a = if i < 6 { 70.0 } else { 80.0 };
        events.push(event(&format!("X{i}"), a, 75.0, 75.0, 1.0));
    }
    let a = parallel_class_alert("T", &events, 2024, &ParallelRule::default()).unwrap();
    assert_eq!(a.below_share, Some(0.6));
    assert_eq!(a.status, AlertStatus::NotFlagged);
    // 5 events all below: too few to judge.
    let a = parallel_class_alert("T", &events[..5], 2024, &ParallelRule::default()).unwrap();
    assert_eq!(a.below_share, Some(1.0));
    assert_eq!(a.status, AlertStatus::InsufficientEvents);
}

#[test]
fn ineligible_events_say_why() {
    let mut old = event("old", 60.0, 70.0, 70.0, 1.0);
    old.school_year = 2021;
    let mut quiz = event("quiz", 60.0, 70.0, 70.0, 1.0);
    quiz.level = ExamLevel::Classroom;
    let mut unmarked = event("unmarked", 60.0, 70.0, 70.0, 1.0);
    unmarked.unified_marking = false;
    let mut absent = event("absent", 60.0, 70.0, 70.0, 1.0);
    absent.classes[0].sat = 35; // 35/40 = 87.5 %
    let a = parallel_class_alert(
        "T",
        &[old, quiz, unmarked, absent],
        2024,
        &ParallelRule::default(),
    )
    .unwrap();
    assert!(
        a.events
            .iter()
            .all(|e| !e.eligible && e.reason.is_some() && e.below.is_none())
    );
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
