//! Teacher appraisal (analytics-methods.md §6, modules.md §4): the spec's test vectors, the cap
//! examples, every out-of-N case, the veto and each sanction cap, a tie straddling the cap,
//! pooling of small schools, and properties a personnel office relies on.
use proptest::prelude::*;
use wuyu_analytics::appraisal::*;

fn near(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} vs {b} (tol {tol})");
}

/// A plain in-N teacher of school `school` with `score` and `org`.
fn teacher(school: &str, no: &str, score: f64, org: f64) -> AppraisalCase {
    AppraisalCase {
        school: school.to_string(),
        unit_rating: UnitRating::Normal,
        staff_no: no.to_string(),
        score: Some(score),
        org_score: Some(org),
        first_job_months: None,
        leave_days: 0,
        under_investigation: false,
        ethics_violation: false,
        sanction: None,
    }
}

fn levels(cases: &[AppraisalCase]) -> Vec<Level> {
    appraise(cases, &AppraisalRules::default())
        .unwrap()
        .into_iter()
        .map(|o| o.level)
        .collect()
}

/// `n` teachers of one school scoring 70 (never 优秀), so only the listed ones compete.
fn school_of(n: usize) -> Vec<AppraisalCase> {
    (0..n)
        .map(|i| teacher("一中", &format!("T{i:03}"), 70.0, 70.0))
        .collect()
}

#[test]
fn spec_6_2_weighted_score() {
    let peer = peer_mean(&[90.0, 85.0, 70.0, 92.0, 88.0]).unwrap().unwrap();
    near(peer.mean, 87.6667, 1e-4);
    assert!(peer.trimmed);
    assert_eq!(peer.used, 3);
    let s = weighted_score(&[
        Source {
            weight: 0.5,
            value: Some(88.0),
        },
        Source {
            weight: 0.3,
            value: Some(peer.mean),
        },
        Source {
            weight: 0.2,
            value: Some(80.0),
        },
    ])
    .unwrap()
    .unwrap();
    near(s.score, 86.30, 5e-3);
    assert!(!s.renormalised());
}

#[test]
fn peer_ratings_need_three_after_trimming() {
    // Four raters: no trimming, mean of all four.
    let four = peer_mean(&[80.0, 90.0, 70.0, 100.0]).unwrap().unwrap();
    assert!(!four.trimmed);
    near(four.mean, 85.0, 1e-12);
    assert_eq!(peer_mean(&[80.0, 90.0]).unwrap(), None);
    assert!(peer_mean(&[80.0, 101.0, 90.0]).is_err());
}

#[test]
fn missing_source_renormalises_and_is_flagged() {
    // No parent index: 0.5 and 0.3 become 0.625 and 0.375; never a 0 for the parents.
    let s = weighted_score(&[
        Source {
            weight: 0.5,
            value: Some(88.0),
        },
        Source {
            weight: 0.3,
            value: Some(80.0),
        },
        Source {
            weight: 0.2,
            value: None,
        },
    ])
    .unwrap()
    .unwrap();
    near(s.score, 0.625 * 88.0 + 0.375 * 80.0, 1e-9);
    assert_eq!(s.missing, vec![2]);
    assert!(s.renormalised());
    near(s.weights[2], 0.0, 0.0);
    let none = weighted_score(&[Source {
        weight: 1.0,
        value: None,
    }])
    .unwrap();
    assert_eq!(none, None);
}

#[test]
fn cap_examples() {
    for (n, want) in [(23, 4), (24, 4), (10, 2), (31, 6), (5, 1), (4, 0), (0, 0)] {
        assert_eq!(cap(0.20, n), want, "N = {n}");
    }
    // 25 % and 15 %: floor, never up (20 × 0.15 = 3 exactly, 19 × 0.15 = 2.85).
    assert_eq!(cap(0.25, 10), 2);
    assert_eq!(cap(0.15, 20), 3);
    assert_eq!(cap(0.15, 19), 2);
}

#[test]
fn spec_6_3_test_vector() {
    // N = 12, cap 2. T1 is vetoed; T3 and T4 tie on score, T3 has the higher 组织 score.
    let mut cases = school_of(12);
    let scores = [
        (95.2, 95.0),
        (93.0, 90.0),
        (91.5, 90.0),
        (91.5, 88.0),
        (89.0, 89.0),
    ];
    for (i, (s, o)) in scores.into_iter().enumerate() {
        cases[i].score = Some(s);
        cases[i].org_score = Some(o);
    }
    cases[0].ethics_violation = true;
    let out = appraise(&cases, &AppraisalRules::default()).unwrap();
    assert_eq!(out[0].n_base, 12);
    assert_eq!(out[0].cap, 2);
    let got: Vec<Level> = out.iter().take(5).map(|o| o.level).collect();
    assert_eq!(
        got,
        [
            Level::Unqualified,
            Level::Excellent,
            Level::Excellent,
            Level::Qualified,
            Level::Qualified
        ]
    );
    // Tied on 组织 too: the committee decides between T3 and T4 for the one remaining place.
    cases[3].org_score = Some(90.0);
    let out = appraise(&cases, &AppraisalRules::default()).unwrap();
    assert_eq!(out[1].level, Level::Excellent);
    for o in &out[2..4] {
        assert_eq!(o.level, Level::Committee);
        assert_eq!(o.committee_places, Some(1));
    }
    assert_eq!(out[4].level, Level::Qualified);
}

#[test]
fn a_tie_within_the_cap_is_not_the_committee_s() {
    // cap 2 and exactly two tied at the top: both 优秀.
    let mut cases = school_of(10);
    cases[0].score = Some(90.0);
    cases[1].score = Some(90.0);
    assert_eq!(&levels(&cases)[..2], [Level::Excellent, Level::Excellent]);
    // Three tied for two places: none promoted automatically.
    cases[2].score = Some(90.0);
    assert_eq!(&levels(&cases)[..3], [Level::Committee; 3]);
}

#[test]
fn every_out_of_n_case() {
    let rules = AppraisalRules::default();
    let mut cases = school_of(6);
    cases[0].under_investigation = true;
    cases[0].score = None;
    cases[1].first_job_months = Some(5);
    cases[2].leave_days = 183;
    cases[3].first_job_months = Some(6); // served six months: gets a level
    cases[4].leave_days = 182;
    let out = appraise(&cases, &rules).unwrap();
    assert_eq!(out[0].level, Level::Deferred);
    assert_eq!(out[1].level, Level::CommentOnly);
    assert_eq!(out[2].level, Level::NoLevel);
    assert_eq!(out[3].level, Level::Qualified);
    assert_eq!(out[4].level, Level::Qualified);
    // N counts the three with a level; the first applicable case wins.
    assert_eq!(out[0].n_base, 3);
    let mut both = teacher("二中", "X", 90.0, 90.0);
    both.under_investigation = true;
    both.first_job_months = Some(1);
    both.leave_days = 200;
    assert_eq!(exclusion(&both, &rules), Some(Level::Deferred));
    both.under_investigation = false;
    assert_eq!(exclusion(&both, &rules), Some(Level::CommentOnly));
}

#[test]
fn an_in_n_teacher_without_a_score_is_refused() {
    let mut cases = school_of(3);
    cases[1].score = None;
    assert!(appraise(&cases, &AppraisalRules::default()).is_err());
}

#[test]
fn veto_and_each_sanction_cap() {
    // Ten teachers, cap 2; the four best are each sanctioned or vetoed, so the next two get 优秀.
    let mut cases = school_of(10);
    for (i, s) in [99.0, 98.0, 97.0, 96.0, 95.0, 94.0, 93.0]
        .into_iter()
        .enumerate()
    {
        cases[i].score = Some(s);
    }
    cases[0].ethics_violation = true;
    cases[1].sanction = Some(Sanction::Warning);
    cases[2].sanction = Some(Sanction::Demerit);
    cases[3].sanction = Some(Sanction::Demotion);
    cases[4].sanction = Some(Sanction::Dismissal);
    let got = levels(&cases);
    assert_eq!(
        &got[..7],
        [
            Level::Unqualified,
            Level::Qualified,
            Level::Basic,
            Level::Unqualified,
            Level::Unqualified,
            Level::Excellent,
            Level::Excellent,
        ]
    );
    // Vetoed teachers still count in N.
    let out = appraise(&cases, &AppraisalRules::default()).unwrap();
    assert!(out.iter().all(|o| o.n_base == 10 && o.cap == 2));
}

#[test]
fn score_thresholds_at_two_decimals() {
    let rules = AppraisalRules::default();
    let t = |s: f64| criterion_level(s, &teacher("一中", "X", s, s), &rules);
    assert_eq!(t(49.99), Level::Unqualified);
    assert_eq!(t(50.0), Level::Basic);
    assert_eq!(t(59.99), Level::Basic);
    assert_eq!(t(59.996), Level::Qualified); // shown as 60.00
    assert_eq!(t(60.0), Level::Qualified);
    // A warning's cap is 合格; a district may set it lower.
    let mut warned = teacher("一中", "X", 90.0, 90.0);
    warned.sanction = Some(Sanction::Warning);
    assert_eq!(criterion_level(90.0, &warned, &rules), Level::Qualified);
    let strict = AppraisalRules {
        sanction_caps: SanctionCaps {
            warning: Level::Basic,
            ..SanctionCaps::default()
        },
        ..AppraisalRules::default()
    };
    assert_eq!(criterion_level(90.0, &warned, &strict), Level::Basic);
}

#[test]
fn below_the_floor_score_stays_qualified() {
    let mut cases = school_of(10);
    cases[0].score = Some(84.99);
    cases[1].score = Some(85.0);
    assert_eq!(&levels(&cases)[..2], [Level::Qualified, Level::Excellent]);
}

#[test]
fn unit_rating_sets_the_quota() {
    let mut cases = school_of(20);
    for (i, c) in cases.iter_mut().enumerate() {
        c.score = Some(99.0 - i as f64);
    }
    let count = |rating: UnitRating, cases: &mut Vec<AppraisalCase>| {
        for c in cases.iter_mut() {
            c.unit_rating = rating;
        }
        levels(cases)
            .iter()
            .filter(|&&l| l == Level::Excellent)
            .count()
    };
    assert_eq!(count(UnitRating::Normal, &mut cases), 4);
    assert_eq!(count(UnitRating::Award, &mut cases), 5);
    assert_eq!(count(UnitRating::Accountable, &mut cases), 3);
    cases[0].unit_rating = UnitRating::Award;
    assert!(appraise(&cases, &AppraisalRules::default()).is_err());
}

#[test]
fn small_schools_are_pooled_at_the_district() {
    // Three schools of 4, 3 and 3 teachers: each cap 0, pooled N = 10, cap 2. A school of 10
    // keeps its own two places.
    let mut cases = Vec::new();
    for (school, n) in [("甲小", 4), ("乙小", 3), ("丙小", 3), ("大校", 10)] {
        for i in 0..n {
            cases.push(teacher(school, &format!("{school}{i}"), 80.0, 80.0));
        }
    }
    cases[0].score = Some(95.0); // 甲小
    cases[4].score = Some(94.0); // 乙小
    cases[7].score = Some(93.0); // 丙小
    cases[10].score = Some(99.0); // 大校
    let out = appraise(&cases, &AppraisalRules::default()).unwrap();
    assert_eq!(out[0].level, Level::Excellent);
    assert_eq!(out[4].level, Level::Excellent);
    assert_eq!(out[7].level, Level::Qualified); // third in the pool of cap 2
    assert_eq!(out[10].level, Level::Excellent);
    assert_eq!((out[0].n_base, out[0].cap), (4, 0));
    assert_eq!(out[0].pool, PoolKind::District);
    assert_eq!((out[0].pool_n, out[0].pool_cap), (10, 2));
    assert_eq!(out[10].pool, PoolKind::School);
    assert_eq!((out[10].pool_n, out[10].pool_cap), (10, 2));
    // Without pooling the small schools get no 优秀 at all.
    let rules = AppraisalRules {
        pool_small_schools: false,
        ..AppraisalRules::default()
    };
    let out = appraise(&cases, &rules).unwrap();
    assert_eq!(out[0].level, Level::Qualified);
    assert_eq!(out[0].pool, PoolKind::School);
}

#[test]
fn labels_round_trip() {
    for l in Level::ALL {
        assert_eq!(Level::parse(l.code()), Some(l));
        assert_eq!(Level::parse(l.label_zh()), Some(l));
    }
    for s in Sanction::ALL {
        assert_eq!(Sanction::parse(s.label_zh()), Some(s));
    }
    assert_eq!(Sanction::parse("严重警告"), None);
}

fn cases_strategy() -> impl Strategy<Value = Vec<AppraisalCase>> {
    let one = (
        0usize..4,
        0u32..=20,
        0u32..=10,
        0u8..12,
        prop::option::of(0u32..12),
        0u32..250,
        0u8..20,
    )
        .prop_map(
            |(school, score, org, sanction, months, leave, flags)| AppraisalCase {
                school: format!("S{school}"),
                unit_rating: [
                    UnitRating::Normal,
                    UnitRating::Award,
                    UnitRating::Accountable,
                    UnitRating::Normal,
                ][school],
                staff_no: String::new(),
                // Coarse scores so ties are common.
                score: Some(40.0 + 3.0 * score as f64),
                org_score: Some(80.0 + org as f64),
                first_job_months: months,
                leave_days: leave,
                under_investigation: flags == 0,
                ethics_violation: flags == 1,
                sanction: Sanction::ALL.get(sanction as usize).copied(),
            },
        );
    prop::collection::vec(one, 0..80)
}

proptest! {
    #[test]
    fn never_more_excellent_than_the_cap(cases in cases_strategy()) {
        let out = appraise(&cases, &AppraisalRules::default()).unwrap();
        let mut per_pool: std::collections::HashMap<String, (usize, usize, usize)> = Default::default();
        for (c, o) in cases.iter().zip(&out) {
            let key = match o.pool { PoolKind::School => c.school.clone(), PoolKind::District => "district".into() };
            let e = per_pool.entry(key).or_insert((0, 0, o.pool_cap));
            if o.level == Level::Excellent { e.0 += 1; }
            if o.level == Level::Committee { e.1 += 1; }
            prop_assert_eq!(e.2, o.pool_cap);
        }
        for (excellent, committee, cap) in per_pool.values() {
            prop_assert!(excellent <= cap);
            // The committee's group is larger than the places left, which are fewer than it.
            if *committee > 0 { prop_assert!(excellent + committee > *cap); }
        }
    }

    #[test]
    fn vetoed_sanctioned_and_out_of_n_never_excellent(cases in cases_strategy()) {
        let rules = AppraisalRules::default();
        let out = appraise(&cases, &rules).unwrap();
        for (c, o) in cases.iter().zip(&out) {
            if c.ethics_violation && exclusion(c, &rules).is_none() {
                prop_assert_eq!(o.level, Level::Unqualified);
            }
            if c.sanction.is_some() || c.score.unwrap() < rules.min_excellent {
                prop_assert!(!matches!(o.level, Level::Excellent | Level::Committee));
            }
            prop_assert_eq!(o.level.in_n(), exclusion(c, &rules).is_none());
            prop_assert_eq!(o.cap, cap(rules.quota(c.unit_rating), o.n_base));
        }
    }

    #[test]
    fn a_higher_score_never_gets_a_worse_place(cases in cases_strategy()) {
        let out = appraise(&cases, &AppraisalRules::default()).unwrap();
        // Within one pool, an eligible candidate who outranks an 优秀 is 优秀 too.
        for (a, oa) in cases.iter().zip(&out) {
            for (b, ob) in cases.iter().zip(&out) {
                let same_pool = oa.pool == ob.pool && (oa.pool == PoolKind::District || a.school == b.school);
                if same_pool && ob.level == Level::Excellent && oa.level == Level::Qualified
                    && a.sanction.is_none() && !a.ethics_violation {
                    prop_assert!((a.score, a.org_score) < (b.score, b.org_score) || a.score.unwrap() < 85.0);
                }
            }
        }
    }

    #[test]
    fn order_of_rows_does_not_matter(cases in cases_strategy(), k in 0usize..80) {
        let out = appraise(&cases, &AppraisalRules::default()).unwrap();
        let n = cases.len().max(1);
        let k = k % n;
        let rotated: Vec<_> = cases.iter().cycle().skip(k).take(cases.len()).cloned().collect();
        let out2 = appraise(&rotated, &AppraisalRules::default()).unwrap();
        for (i, o) in out2.iter().enumerate() {
            prop_assert_eq!(o, &out[(i + k) % n]);
        }
    }
}

fn weights(w: [f64; 5]) -> AppraisalWeights {
    AppraisalWeights::from_array(w)
}

#[test]
fn composed_score_matches_the_spec_vector_with_the_default_weights() {
    // §6.2: 组织 88; peers 90, 85, 70, 92, 88 → trimmed {85, 88, 90} → 87.667; parents 80.
    let v = SourceValues {
        org: Some(88.0),
        peer_ratings: vec![90.0, 85.0, 70.0, 92.0, 88.0],
        parent: Some(80.0),
        teaching: None,
        workload: None,
    };
    let c = compose(&v, &AppraisalWeights::default()).unwrap().unwrap();
    near(c.score, 0.5 * 88.0 + 0.3 * (263.0 / 3.0) + 0.2 * 80.0, 1e-9);
    assert_eq!(format!("{:.2}", c.score), "86.30");
    for (got, want) in c.weights.iter().zip([0.5, 0.3, 0.2, 0.0, 0.0]) {
        near(*got, want, 1e-12);
    }
    // Teaching and workload weigh 0 by default: absent, but nothing is re-normalised.
    assert!(!c.renormalised());
    assert_eq!(c.peer.unwrap().used, 3);
}

#[test]
fn all_five_sources_and_a_missing_one_by_hand() {
    let w = weights([0.4, 0.2, 0.2, 0.1, 0.1]);
    let full = SourceValues {
        org: Some(88.0),
        peer_ratings: vec![90.0, 85.0, 70.0, 92.0, 88.0],
        parent: Some(80.0),
        teaching: Some(200.0 / 3.0),
        workload: Some(75.0),
    };
    // 0.4·88 + 0.2·87.667 + 0.2·80 + 0.1·66.667 + 0.1·75 = 35.2 + 17.533 + 16 + 6.667 + 7.5
    let c = compose(&full, &w).unwrap().unwrap();
    near(c.score, 82.9, 1e-9);
    assert!(!c.renormalised());

    // Two raters only (peer missing) and no teaching result: their 0.3 is spread over the
    // remaining 0.7 — never a 0 for the missing ones.
    let gaps = SourceValues {
        org: Some(90.0),
        peer_ratings: vec![80.0, 90.0],
        parent: Some(85.0),
        teaching: None,
        workload: Some(70.0),
    };
    let c = compose(&gaps, &w).unwrap().unwrap();
    near(c.score, (0.4 * 90.0 + 0.2 * 85.0 + 0.1 * 70.0) / 0.7, 1e-9);
    assert_eq!(format!("{:.2}", c.score), "85.71");
    assert_eq!(c.missing, vec![SourceKind::Peer, SourceKind::Teaching]);
    assert!(c.renormalised());
    near(c.weights[0], 4.0 / 7.0, 1e-12);
    near(c.weights[2], 2.0 / 7.0, 1e-12);
    near(c.weights[4], 1.0 / 7.0, 1e-12);
    assert_eq!((c.weights[1], c.weights[3]), (0.0, 0.0));
    near(c.weights.iter().sum::<f64>(), 1.0, 1e-12);

    // Nothing with a weight: nothing to compose.
    let none = SourceValues {
        workload: Some(70.0),
        ..SourceValues::default()
    };
    assert_eq!(
        compose(&none, &weights([0.5, 0.3, 0.2, 0.0, 0.0])).unwrap(),
        None
    );
    // Weights that do not add up to 1 are refused.
    assert!(compose(&full, &weights([0.5, 0.3, 0.0, 0.0, 0.0])).is_err());
}

#[test]
fn peer_trimmed_mean_edge_cases_of_6_2() {
    // Exactly 5: one highest and one lowest dropped, 3 left.
    let five = peer_mean(&[60.0, 70.0, 80.0, 90.0, 100.0])
        .unwrap()
        .unwrap();
    assert_eq!((five.used, five.trimmed), (3, true));
    near(five.mean, 80.0, 1e-12);
    // Ties at the extremes: only one of each is dropped.
    let six = peer_mean(&[100.0, 100.0, 80.0, 80.0, 60.0, 60.0])
        .unwrap()
        .unwrap();
    assert_eq!((six.used, six.trimmed), (4, true));
    near(six.mean, 80.0, 1e-12);
    // Three raters: no trimming, all three count.
    let three = peer_mean(&[70.0, 80.0, 96.0]).unwrap().unwrap();
    assert_eq!((three.used, three.trimmed), (3, false));
    near(three.mean, 82.0, 1e-12);
    // Under three: the source is missing (and re-normalised away, not 0).
    assert_eq!(peer_mean(&[90.0]).unwrap(), None);
    assert_eq!(peer_mean(&[]).unwrap(), None);
}

#[test]
fn a_composed_score_goes_through_the_level_rules_unchanged() {
    // 0.5·40 + 0.3·55 + 0.2·58 = 48.1 < 50 → 不合格; 0.5·58 + 0.3·60 + 0.2·59 = 58.8 → 基本合格.
    let low = compose(
        &SourceValues {
            org: Some(40.0),
            peer_ratings: vec![50.0, 55.0, 60.0],
            parent: Some(58.0),
            ..SourceValues::default()
        },
        &AppraisalWeights::default(),
    )
    .unwrap()
    .unwrap();
    near(low.score, 48.1, 1e-9);
    let mid = compose(
        &SourceValues {
            org: Some(58.0),
            peer_ratings: vec![60.0, 60.0, 60.0],
            parent: Some(59.0),
            ..SourceValues::default()
        },
        &AppraisalWeights::default(),
    )
    .unwrap()
    .unwrap();
    near(mid.score, 58.8, 1e-9);
    let a = teacher("一中", "T1", low.score, 40.0);
    let b = teacher("一中", "T2", mid.score, 58.0);
    assert_eq!(levels(&[a, b]), vec![Level::Unqualified, Level::Basic]);
}

#[test]
fn teaching_result_is_the_share_of_exams_not_below_the_parallel_classes() {
    use wuyu_analytics::compare::{AlertStatus, ParallelAlert, ParallelRule};
    let alert = |status, events: f64, below: f64| ParallelAlert {
        teacher: "T".into(),
        evaluation_year: 2024,
        status,
        weighted_events: events,
        weighted_below: below,
        below_share: (events > 0.0).then(|| below / events),
        mean_difference: None,
        mean_difference_sd: None,
        chance: None,
        rule: ParallelRule::default(),
        note: "",
        events: Vec::new(),
    };
    // 语文: 2 of 6 below; 数学: 1 of 6 below → 9 of 12 not below → 75.
    let a = alert(AlertStatus::NotFlagged, 6.0, 2.0);
    let b = alert(AlertStatus::NotFlagged, 6.0, 1.0);
    near(teaching_score([&a, &b]).unwrap(), 75.0, 1e-12);
    // A subject with too few exams does not count; none left → missing.
    let thin = alert(AlertStatus::InsufficientEvents, 3.0, 3.0);
    near(teaching_score([&a, &thin]).unwrap(), 400.0 / 6.0, 1e-12);
    assert_eq!(teaching_score([&thin]), None);
    let flagged = alert(AlertStatus::Flagged, 6.0, 6.0);
    assert_eq!(teaching_score([&flagged]), Some(0.0));
}

fn ev(year: i32, class: &str, students: usize, weight: f64, va: f64) -> EventVa {
    EventVa {
        school_year: year,
        class: class.to_string(),
        students,
        weight,
        value_added: va,
    }
}

#[test]
fn teacher_value_added_is_the_student_weighted_mean_over_two_years_or_more() {
    // 1班 (40 students) in 2023 twice, +0.2 and +0.4; 2班 (30) in 2024 at −0.1 with the
    // teacher taking half its lessons. Weights 40, 40, 15:
    // (40·0.2 + 40·0.4 + 15·(−0.1)) / 95 = 22.5 / 95 = 0.236842…
    let events = [
        ev(2023, "1班", 40, 1.0, 0.2),
        ev(2023, "1班", 40, 1.0, 0.4),
        ev(2024, "2班", 30, 0.5, -0.1),
    ];
    let t = teacher_value_added(&events).unwrap();
    near(t.value_added, 22.5 / 95.0, 1e-12);
    // 1班 counted once in 2023: 40 + 30 students, 3 exams, 2 years.
    assert_eq!((t.students, t.exams, t.years), (70, 3, 2));
    // One year only: never a verdict (§4.3).
    assert_eq!(teacher_value_added(&events[..2]), None);
    // Two years but 19 students: too few.
    assert_eq!(
        teacher_value_added(&[ev(2023, "1班", 10, 1.0, 0.1), ev(2024, "1班", 9, 1.0, 0.1)]),
        None
    );
    assert!(
        teacher_value_added(&[ev(2023, "1班", 10, 1.0, 0.1), ev(2024, "1班", 10, 1.0, 0.1)])
            .is_some()
    );
}

#[test]
fn value_added_becomes_a_0_to_100_source_by_the_midpoint_percentile_rank() {
    // §2.3: PR = 100·(B + ½E)/N. Values −0.3, 0.1, 0.1, 0.5 (N = 4):
    // −0.3 → 100·0.5/4 = 12.5; 0.1 → 100·(1 + 1)/4 = 50; 0.5 → 100·3.5/4 = 87.5.
    let pr = percentile_ranks(&[0.1, -0.3, 0.5, 0.1]);
    assert_eq!(pr, vec![50.0, 12.5, 87.5, 50.0]);
    // One teacher alone sits in the middle.
    assert_eq!(percentile_ranks(&[0.7]), vec![50.0]);
    assert!(percentile_ranks(&[]).is_empty());
}
