//! Survey indices (analytics-methods.md §7): the spec's test vector, suppression at the
//! thresholds a district checks (29/30 parents, 9/10 teachers, 4/5 whatever the setting),
//! reverse keying and α worked by hand, and properties a reader relies on without checking.
use proptest::prelude::*;
use wuyu_analytics::satisfaction::*;

fn near(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} vs {b} (tol {tol})");
}

/// `counts[k-1]` answers of point k, then `unknown` 不了解.
fn tally(counts: [usize; 5], unknown: usize) -> Tally {
    Tally {
        counts,
        unknown,
        blank: 0,
    }
}

fn answers(points: &[u8]) -> Vec<Answer> {
    points.iter().map(|&p| Answer::point(p).unwrap()).collect()
}

#[test]
fn spec_7_test_vector() {
    // 200 answers: 非常满意 80, 满意 70, 基本满意 30, 不满意 12, 非常不满意 3, 不了解 5.
    let mut list = Vec::new();
    for (label, count) in [
        ("非常满意", 80),
        ("满意", 70),
        ("基本满意", 30),
        ("不满意", 12),
        ("非常不满意", 3),
        ("不了解", 5),
    ] {
        list.extend(std::iter::repeat_n(Answer::parse(label).unwrap(), count));
    }
    let t = Tally::from_answers(list);
    let s = satisfaction_stats(&t).unwrap();
    // Valid n = 200 − 5 不了解 = 195; unknown share 5 / 200.
    assert_eq!((s.n, s.unknown), (195, 5));
    near(s.unknown_share, 0.025, 1e-12);
    // top-2 = 150/195 = 0.769231.
    near(s.top2_rate, 150.0 / 195.0, 1e-12);
    // Wilson, z = 1.96, z² = 3.8416: centre (0.769231 + 3.8416/390) / (1 + 3.8416/195)
    // = 0.779081/1.019700 = 0.764029; half = 1.96·√(0.769231·0.230769/195 + 3.8416/152100)
    // / 1.019700 = 1.96·√0.000935589/1.0197 = 0.058793 → 0.705236 … 0.822822 (spec: 70.52–82.28 %).
    near(s.ci_low, 0.7052, 5e-5);
    near(s.ci_high, 0.8228, 5e-5);
    // top-3 = 180/195 = 92.31 %.
    near(s.top3_rate, 180.0 / 195.0, 1e-12);
    // mean = (5·80 + 4·70 + 3·30 + 2·12 + 1·3)/195 = 797/195 = 4.087179.
    near(s.mean, 797.0 / 195.0, 1e-12);
    near(s.mean, 4.0872, 5e-5);
    // index = 100·(4.087179 − 1)/4 = 77.18; 20·x̄ = 81.74.
    near(s.index, 77.18, 5e-3);
    near(s.weighted_score, 81.74, 5e-3);
}

#[test]
fn suppression_at_29_30_and_the_floor_of_5() {
    // 29 valid answers (and many 不了解, which do not count) under the parents' 30: suppressed.
    let parents = MinRespondents::parents();
    assert_eq!(parents.get(), 30);
    let r = tally([5, 6, 8, 6, 4], 40).report(parents);
    assert_eq!(r.n, 29);
    assert!(r.suppressed() && r.stats.is_none());
    let r = tally([5, 6, 9, 6, 4], 0).report(parents);
    assert_eq!(r.n, 30);
    assert!(!r.suppressed());
    // 10 teachers is enough for a peer evaluation, 9 is not.
    assert!(
        tally([0, 1, 2, 3, 3], 0)
            .report(MinRespondents::teachers())
            .suppressed()
    );
    assert!(
        !tally([0, 1, 2, 3, 4], 0)
            .report(MinRespondents::teachers())
            .suppressed()
    );
    // A district may lower the minimum, but never below 5.
    for asked in [0, 1, 4, 5] {
        let min = MinRespondents::new(asked);
        assert_eq!(min.get(), 5);
        assert!(
            tally([0, 0, 1, 1, 2], 0).report(min).suppressed(),
            "4 answers, min {asked}"
        );
        let r = tally([0, 0, 1, 2, 2], 0).report(min);
        assert_eq!(r.stats.unwrap().n, 5);
    }
}

#[test]
fn blanks_and_unknown_are_not_in_the_denominator() {
    // 3 satisfied of 4 valid: 2 blanks and 1 不了解 change nothing but the unknown share 1/5.
    let t = Tally::from_answers([
        Answer::Point(5),
        Answer::Point(4),
        Answer::Point(4),
        Answer::Point(2),
        Answer::Blank,
        Answer::Blank,
        Answer::Unknown,
    ]);
    let s = satisfaction_stats(&t).unwrap();
    assert_eq!(s.n, 4);
    near(s.top2_rate, 0.75, 1e-12);
    near(s.unknown_share, 0.2, 1e-12);
    // mean (5+4+4+2)/4 = 3.75, index 100·2.75/4 = 68.75.
    near(s.index, 68.75, 1e-12);
    assert_eq!(
        satisfaction_stats(&Tally::from_answers([Answer::Unknown])),
        None
    );
}

#[test]
fn reverse_keying_and_alpha_by_hand() {
    // Three items, four respondents; item 3 is worded negatively ("孩子在校经常受到批评")
    // and stored as answered: 1, 3, 4, 4. Reversed (6 − x) it reads 5, 3, 2, 2.
    let rows = answers(&[
        5, 4, 1, //
        4, 4, 3, //
        2, 3, 4, //
        1, 1, 4,
    ]);
    let reverse = [false, false, true];
    // Keyed items: I1 = 5,4,2,1; I2 = 4,4,3,1; I3 = 5,3,2,2, each with mean 3.
    // Population variances: I1 (4+1+1+4)/4 = 2.5, I2 (1+1+0+4)/4 = 1.5, I3 (4+0+1+1)/4 = 1.5;
    // Σ = 5.5. Totals 14, 11, 7, 4, mean 9: variance (25+4+4+25)/4 = 14.5.
    // α = 3/2 · (1 − 5.5/14.5) = 27/29 = 0.931034.
    let (n, alpha) = cronbach_alpha(&rows, 3, &reverse).unwrap();
    assert_eq!(n, 4);
    near(alpha.unwrap(), 27.0 / 29.0, 1e-12);
    // Forgetting the reverse key makes item 3 run against the others: α collapses.
    // Unkeyed I3 = 1,3,4,4 (mean 3, variance 1.5); totals 10, 11, 9, 6, mean 9, variance
    // (1+4+0+9)/4 = 3.5; α = 3/2 · (1 − 5.5/3.5) = −6/7.
    let (_, wrong) = cronbach_alpha(&rows, 3, &[false; 3]).unwrap();
    near(wrong.unwrap(), -6.0 / 7.0, 1e-12);
    // Scale scores are means of keyed items: 14/3, 11/3, 7/3, 4/3.
    let scores = scale_scores(&rows, 3, &reverse).unwrap();
    let want = [14.0 / 3.0, 11.0 / 3.0, 7.0 / 3.0, 4.0 / 3.0];
    for (s, w) in scores.iter().zip(want) {
        near(s.unwrap(), w, 1e-12);
    }
}

#[test]
fn scale_needs_half_of_its_items() {
    // Four items. Row 1 answers 2 of 4 (50 %: scored, mean of 5 and 3 = 4); row 2 answers 1
    // of 4 plus 不了解 twice (25 %: no score); row 3 answers all (2,2,3,3 → 2.5).
    let u = Answer::Unknown;
    let b = Answer::Blank;
    let p = Answer::Point;
    let rows = [
        p(5),
        b,
        p(3),
        b, //
        p(4),
        u,
        u,
        b, //
        p(2),
        p(2),
        p(3),
        p(3),
    ];
    let scores = scale_scores(&rows, 4, &[false; 4]).unwrap();
    assert_eq!(scores, vec![Some(4.0), None, Some(2.5)]);
    // A minimum of 1 is raised to the floor of 5, so 2 scored respondents stay unreported.
    let r = scale_result(&rows, 4, &[false; 4], MinRespondents::new(1)).unwrap();
    assert_eq!(r.n, 2);
    assert!(r.suppressed());
    // α only from complete rows: one row, so none.
    assert_eq!((r.alpha_n, r.alpha), (1, None));
}

#[test]
fn scale_result_rates_by_hand() {
    // Two items, six respondents: scale scores 5, 4, 3.5, 3, 2.5, 1.
    let rows = answers(&[5, 5, 4, 4, 4, 3, 3, 3, 3, 2, 1, 1]);
    let r = scale_result(&rows, 2, &[false, false], MinRespondents::new(5)).unwrap();
    assert_eq!(r.n, 6);
    // ≥ 3.5: 5, 4, 3.5 → 3/6; ≥ 2.5: also 3 and 2.5 → 5/6.
    near(r.top2_rate.unwrap(), 0.5, 1e-12);
    near(r.top3_rate.unwrap(), 5.0 / 6.0, 1e-12);
    // mean = 19/6 = 3.1667; index = 100·(19/6 − 1)/4 = 54.1667.
    near(r.mean.unwrap(), 19.0 / 6.0, 1e-12);
    near(r.index.unwrap(), 100.0 * (19.0 / 6.0 - 1.0) / 4.0, 1e-12);
    assert!(r.ci_low.unwrap() < 0.5 && r.ci_high.unwrap() > 0.5);
}

#[test]
fn malformed_scale_input_is_an_error() {
    let rows = answers(&[5, 4, 3]);
    assert!(scale_scores(&rows, 2, &[false, false]).is_err());
    assert!(cronbach_alpha(&rows, 3, &[false, false]).is_err());
    assert!(cronbach_alpha(&rows, 1, &[false]).is_err());
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        8 => (1u8..=5).prop_map(Answer::Point),
        1 => Just(Answer::Unknown),
        1 => Just(Answer::Blank),
    ]
}

proptest! {
    #[test]
    fn interval_holds_the_estimate_within_0_1(counts in prop::array::uniform5(0usize..400), unknown in 0usize..50) {
        let t = tally(counts, unknown);
        match satisfaction_stats(&t) {
            None => prop_assert_eq!(t.n(), 0),
            Some(s) => {
                prop_assert!(0.0 <= s.ci_low && s.ci_low <= s.top2_rate);
                prop_assert!(s.top2_rate <= s.ci_high && s.ci_high <= 1.0);
                prop_assert!(s.top2_rate <= s.top3_rate && s.top3_rate <= 1.0);
                prop_assert!((1.0..=5.0).contains(&s.mean));
                prop_assert!((0.0..=100.0).contains(&s.index));
                prop_assert!((0.0..1.0).contains(&s.unknown_share));
                // Both indices are the same mean on two scales: 20·x̄ = 20 + 0.8·index.
                prop_assert!((s.weighted_score - (20.0 + 0.8 * s.index)).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn order_and_splitting_do_not_matter(list in prop::collection::vec(answer(), 0..200), cut in 0usize..200) {
        let whole = Tally::from_answers(list.iter().copied());
        let rev = Tally::from_answers(list.iter().rev().copied());
        prop_assert_eq!(whole, rev);
        let cut = cut.min(list.len());
        let mut parts = Tally::from_answers(list[..cut].iter().copied());
        parts += &Tally::from_answers(list[cut..].iter().copied());
        prop_assert_eq!(whole, parts);
    }

    #[test]
    fn reversing_mirrors_the_index(list in prop::collection::vec(answer(), 1..200)) {
        let t = Tally::from_answers(list.iter().copied());
        let r = Tally::from_answers(list.iter().map(|a| a.reversed()));
        if let (Some(s), Some(q)) = (satisfaction_stats(&t), satisfaction_stats(&r)) {
            prop_assert!((s.index + q.index - 100.0).abs() < 1e-9);
            prop_assert_eq!(s.n, q.n);
        }
    }

    #[test]
    fn suppression_is_a_threshold(n in 0usize..60, asked in 0usize..40) {
        let min = MinRespondents::new(asked);
        let r = tally([n, 0, 0, 0, 0], 3).report(min);
        prop_assert_eq!(r.suppressed(), n < asked.max(ANONYMITY_FLOOR));
    }

    #[test]
    fn identical_items_have_alpha_one(points in prop::collection::vec(1u8..=5, 2..80), k in 2usize..6) {
        let rows: Vec<Answer> = points.iter().flat_map(|&p| std::iter::repeat_n(Answer::Point(p), k)).collect();
        let (n, alpha) = cronbach_alpha(&rows, k, &vec![false; k]).unwrap();
        prop_assert_eq!(n, points.len());
        let varies = points.iter().any(|&p| p != points[0]);
        prop_assert_eq!(alpha.is_some(), varies);
        if let Some(a) = alpha {
            prop_assert!((a - 1.0).abs() < 1e-9, "alpha {}", a);
        }
    }

    #[test]
    fn alpha_is_at_most_one_and_reverse_keys_cancel(list in prop::collection::vec(answer(), 3..240), k in 2usize..5, rev in prop::collection::vec(any::<bool>(), 5)) {
        let n = list.len() / k * k;
        let rows = &list[..n];
        let reverse = &rev[..k];
        let (_, alpha) = cronbach_alpha(rows, k, reverse).unwrap();
        if let Some(a) = alpha {
            prop_assert!(a <= 1.0 + 1e-9);
        }
        // Turning the stored answers round and keying the same items again gives the same α.
        let flipped: Vec<Answer> = rows
            .chunks_exact(k)
            .flat_map(|row| row.iter().zip(reverse).map(|(a, &r)| if r { a.reversed() } else { *a }))
            .collect();
        let (_, plain) = cronbach_alpha(&flipped, k, &vec![false; k]).unwrap();
        prop_assert_eq!(alpha.map(|a| (a * 1e9).round()), plain.map(|a| (a * 1e9).round()));
    }
}
