//! The spec's worked vectors for §1–§2 (analytics-methods.md §1.3, §2.3) and the rules a
//! 教研员 checks by hand: inclusive lines, strict low line, 缺考 is not 0, ties share a rank.
use wuyu_analytics::descriptive::*;

fn near(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} vs {b} (tol {tol})");
}

const CLASS: [f64; 10] = [118.0, 104.0, 96.0, 95.5, 88.0, 72.0, 71.5, 60.0, 47.5, 30.0];

fn class_marks() -> Vec<Mark> {
    let mut m: Vec<Mark> = CLASS.iter().map(|&x| Mark::Score(x)).collect();
    m.push(Mark::Absent);
    m
}

#[test]
fn spec_1_3_three_rates_one_score() {
    let s = rate_summary(
        &class_marks(),
        120.0,
        &RateLines::default(),
        AbsentPolicy::Exclude,
    )
    .unwrap();
    assert_eq!((s.enrolled, s.sat, s.n, s.absent), (11, 10, 10, 1));
    near(s.participation_rate.unwrap(), 10.0 / 11.0, 1e-12);
    near(s.mean.unwrap(), 78.25, 1e-12);
    near(s.score_rate.unwrap(), 0.652083, 5e-7);
    assert_eq!(
        (s.excellent_line, s.good_line, s.pass_line, s.low_line),
        (96.0, Some(84.0), 72.0, 48.0)
    );
    // 96 is 优秀 (inclusive); 71.5 is not a pass; 47.5 is low, 48 would not be.
    assert_eq!(
        (s.excellent_count, s.good_count, s.pass_count, s.low_count),
        (3, Some(5), 6, 2)
    );
    assert_eq!(s.excellent_rate, Some(0.3));
    assert_eq!(s.good_rate, Some(0.5));
    assert_eq!(s.pass_rate, Some(0.6));
    assert_eq!(s.low_rate, Some(0.2));
}

#[test]
fn spec_1_3_lines_for_other_full_marks() {
    let l = RateLines::default();
    for (f, lines) in [
        (150.0, [120.0, 105.0, 90.0, 60.0]),
        (100.0, [80.0, 70.0, 60.0, 40.0]),
    ] {
        let s = rate_summary(&[Mark::Score(lines[2])], f, &l, AbsentPolicy::Exclude).unwrap();
        assert_eq!(
            [
                s.excellent_line,
                s.good_line.unwrap(),
                s.pass_line,
                s.low_line
            ],
            lines
        );
        assert_eq!(s.pass_count, 1, "a score exactly on the line passes");
    }
    // 0.85 line on 150: 127.5 exactly, decided without floating-point noise.
    let l85 = RateLines {
        excellent: Line::Fraction(0.85),
        ..RateLines::default()
    };
    let s = rate_summary(
        &[Mark::Score(127.5), Mark::Score(127.0)],
        150.0,
        &l85,
        AbsentPolicy::Exclude,
    )
    .unwrap();
    assert_eq!(s.excellent_count, 1);
    let abs = RateLines {
        pass: Line::Absolute(72.0),
        ..RateLines::default()
    };
    let s = rate_summary(
        &[Mark::Score(72.0), Mark::Score(71.9)],
        120.0,
        &abs,
        AbsentPolicy::Exclude,
    )
    .unwrap();
    assert_eq!(s.pass_count, 1);
}

#[test]
fn absent_is_not_zero_unless_the_district_says_so() {
    let marks = class_marks();
    let ex = rate_summary(&marks, 120.0, &RateLines::default(), AbsentPolicy::Exclude).unwrap();
    let zero = rate_summary(
        &marks,
        120.0,
        &RateLines::default(),
        AbsentPolicy::CountAsZero,
    )
    .unwrap();
    assert_eq!(zero.n, 11);
    near(zero.mean.unwrap(), 782.5 / 11.0, 1e-12);
    assert_eq!(zero.low_count, 3);
    assert!(zero.mean < ex.mean);
    // Both report the same 参考率.
    assert_eq!(zero.participation_rate, ex.participation_rate);
    // Excluded students sat (count in 参考率) but are not in the statistics.
    let s = rate_summary(
        &[Mark::Score(90.0), Mark::Excluded, Mark::Absent],
        100.0,
        &RateLines::default(),
        AbsentPolicy::Exclude,
    )
    .unwrap();
    assert_eq!((s.enrolled, s.sat, s.n, s.excluded), (3, 2, 1, 1));
    // n = 0 is "无数据", not 0 %.
    let s = rate_summary(
        &[Mark::Absent],
        100.0,
        &RateLines::default(),
        AbsentPolicy::Exclude,
    )
    .unwrap();
    assert_eq!((s.pass_rate, s.mean), (None, None));
}

#[test]
fn score_above_full_marks_is_rejected() {
    assert!(
        rate_summary(
            &[Mark::Score(121.0)],
            120.0,
            &RateLines::default(),
            AbsentPolicy::Exclude
        )
        .is_err()
    );
    assert!(
        rate_summary(
            &[Mark::Score(f64::NAN)],
            120.0,
            &RateLines::default(),
            AbsentPolicy::Exclude
        )
        .is_err()
    );
}

#[test]
fn spec_1_3_distribution_summary() {
    let s = summarise(&CLASS).unwrap();
    near(s.mean, 78.25, 1e-12);
    near(s.sd_population, 25.7723, 5e-5);
    near(s.sd.unwrap(), 27.1664, 5e-5);
    near(s.skewness_g1.unwrap(), -0.3301, 5e-5);
    near(s.skewness.unwrap(), -0.3914, 5e-5);
    near(s.q1, 62.875, 1e-12);
    near(s.median, 80.0, 1e-12);
    near(s.q3, 95.875, 1e-12);
    assert_eq!((s.min, s.max, s.range), (30.0, 118.0, 88.0));
    near(s.cv.unwrap(), 27.1664 / 78.25, 1e-6);
}

#[test]
fn spec_1_3_composites() {
    let s = rate_summary(
        &class_marks(),
        120.0,
        &RateLines::default(),
        AbsentPolicy::Exclude,
    )
    .unwrap();
    let ind = UnitIndicators::from_summary(&s).unwrap();
    near(
        absolute_composite(&ind, &AbsoluteWeights::TWO_RATES_ONE_SCORE).unwrap(),
        53.0833,
        5e-5,
    );
    near(
        absolute_composite(&ind, &AbsoluteWeights::THREE_RATES_ONE_SCORE).unwrap(),
        54.5625,
        5e-5,
    );
    let bad = AbsoluteWeights {
        mean: 0.5,
        ..AbsoluteWeights::TWO_RATES_ONE_SCORE
    };
    assert!(
        absolute_composite(&ind, &bad).is_err(),
        "weights must sum to 1"
    );
}

#[test]
fn relative_and_standardised_composites() {
    let a = UnitIndicators {
        score_rate: 0.8,
        excellent_rate: 0.4,
        good_rate: 0.0,
        pass_rate: 0.9,
        low_rate: 0.05,
    };
    let b = UnitIndicators {
        score_rate: 0.6,
        excellent_rate: 0.2,
        good_rate: 0.0,
        pass_rate: 0.6,
        low_rate: 0.20,
    };
    let w = AbsoluteWeights::THREE_RATES_ONE_SCORE;
    let r = relative_composite(&[a, b], &w, RelativeLowRule::MinOverValue).unwrap();
    near(r[0], 100.0, 1e-9); // the leader on every indicator gets full marks
    near(
        r[1],
        100.0 * (0.3 * 0.75 + 0.3 * 0.5 + 0.3 * 0.6 / 0.9 + 0.1 * 0.25),
        1e-9,
    );
    let d = relative_composite_deduct(&[a, b], &w).unwrap();
    // 落后 20, 20, 30, 15 percentage points: max(0, 30−20) + max(0, 30−20) + max(0, 30−30) + max(0, 10−15)
    near(d[0], 100.0, 1e-9);
    near(d[1], 20.0, 1e-9);
    let z = standardised_composite(&[a, b], &w).unwrap();
    near(z[0], 1.0, 1e-12);
    near(z[1], -1.0, 1e-12);
    // Zero spread across units: every z is 0.
    let z = standardised_composite(&[a, a], &w).unwrap();
    assert_eq!(z, vec![0.0, 0.0]);
}

#[test]
fn spec_2_3_percentile_rank_z_and_t() {
    let mut sorted = CLASS.to_vec();
    sorted.sort_by(f64::total_cmp);
    near(percentile_rank(88.0, &sorted).unwrap(), 55.0, 1e-12);
    let s = standard_scores(&[88.0], &CLASS, TScale::default()).unwrap();
    near(s.z[0], 0.3783, 5e-5);
    near(s.t[0], 53.78, 5e-3);
    let legacy = standard_scores(&[88.0], &CLASS, TScale { a: 500.0, b: 100.0 }).unwrap();
    near(legacy.t[0], 537.83, 5e-3);
    // Ties: the midpoint rule gives tied scores the same PR.
    let pr = percentile_ranks(&[60.0, 70.0, 70.0, 80.0]).unwrap();
    assert_eq!(pr, vec![12.5, 50.0, 50.0, 87.5]);
    // PR of the maximum stays below 100 and normalised z stays finite.
    assert!(normalised_z(100.0, 10).unwrap().is_finite());
    near(normalised_z(50.0, 10).unwrap(), 0.0, 1e-15);
    assert!(
        standard_scores(&[1.0], &[5.0, 5.0], TScale::default()).is_err(),
        "σ = 0 is 无区分"
    );
}

#[test]
fn ranks_share_the_best_rank() {
    let v = [90.0, 85.0, 85.0, 80.0, 90.0];
    assert_eq!(
        rank_descending(&v, RankMethod::Competition, 2).unwrap(),
        vec![1, 3, 3, 5, 1]
    );
    assert_eq!(
        rank_descending(&v, RankMethod::Dense, 2).unwrap(),
        vec![1, 2, 2, 3, 1]
    );
    // Values equal at the displayed precision tie.
    assert_eq!(
        rank_descending(&[85.3333, 85.3331], RankMethod::Competition, 2).unwrap(),
        vec![1, 1]
    );
}

#[test]
fn total_line_effective_score_and_borderline() {
    let totals = [620.0, 600.0, 590.0, 590.0, 575.0, 560.0, 540.0, 500.0];
    let subj = [130.0, 120.0, 110.0, 126.0, 118.0, 100.0, 95.0, 90.0];
    // K = 3: the student at rank 3 has 590, and both 590s are over the line.
    let l = total_line_by_count(&totals, 3).unwrap();
    assert_eq!((l.line, l.count_over), (590.0, 4));
    assert_eq!(total_line_by_share(&totals, 0.25).unwrap().line, 600.0);
    assert_eq!(
        total_line_by_count(&totals, 100).unwrap().line,
        500.0,
        "K > N: everyone is over"
    );
    let ls = subject_effective_score(&subj, &totals, l.line)
        .unwrap()
        .unwrap();
    near(ls, (130.0 + 120.0 + 110.0 + 126.0) / 4.0, 1e-12);
    let e = effective_score_stats(&subj, &totals, ls, l.line).unwrap();
    // x ≥ 121.5: 130, 126 → A = 2; B = 4; D = 2; 瘸腿 = 2.
    assert_eq!(
        (
            e.single_count,
            e.total_count,
            e.double_count,
            e.weak_subject_count
        ),
        (2, 4, 2, 2)
    );
    assert_eq!(e.hit_rate, Some(1.0));
    assert_eq!(e.contribution_rate, Some(0.5));
    let none = effective_score_stats(&[1.0], &[1.0], 200.0, 900.0).unwrap();
    assert_eq!(
        (none.hit_rate, none.contribution_rate),
        (None, None),
        "÷0 is '—', not 0"
    );
    let b = borderline_students(&totals, 590.0, BorderlineWindow::Points(20.0)).unwrap();
    assert_eq!(b.below, vec![4]);
    assert_eq!(b.above, vec![1, 2, 3]);
    let b = borderline_students(&totals, 600.0, BorderlineWindow::ShareOfLine(0.05)).unwrap();
    assert_eq!(b.delta, 30.0);
    assert_eq!((b.below, b.above), (vec![2, 3, 4], vec![0, 1]));
}

#[test]
fn all_subject_pass_rate_leaves_out_absent_students() {
    let rows = vec![
        vec![Mark::Score(90.0), Mark::Score(80.0)],
        vec![Mark::Score(90.0), Mark::Score(50.0)],
        vec![Mark::Absent, Mark::Score(99.0)],
    ];
    let (n, r) = all_subjects_pass_rate(&rows, &[150.0, 100.0], Line::Fraction(0.6)).unwrap();
    assert_eq!((n, r), (2, Some(0.5)));
}
