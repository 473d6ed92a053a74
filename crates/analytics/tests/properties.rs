//! Invariants a 教研员 relies on without checking: rates are shares, results do not depend on
//! the order of the rows, OLS residuals carry no prior-score signal, shrinkage never overshoots,
//! α never exceeds 1.
use proptest::prelude::*;
use wuyu_analytics::descriptive::*;
use wuyu_analytics::items::*;
use wuyu_analytics::value_added::*;

/// Scores on a 120-point paper in half points, with some absences.
fn marks() -> impl Strategy<Value = Vec<Mark>> {
    prop::collection::vec(
        prop_oneof![
            8 => (0u32..=240).prop_map(|h| Mark::Score(h as f64 / 2.0)),
            1 => Just(Mark::Absent),
            1 => Just(Mark::Excluded),
        ],
        0..60,
    )
}

fn reversed<T: Clone>(v: &[T]) -> Vec<T> {
    v.iter().rev().cloned().collect()
}

/// Rotates by `k`: another order of the same rows.
fn rotated<T: Clone>(v: &[T], k: usize) -> Vec<T> {
    if v.is_empty() {
        return Vec::new();
    }
    let k = k % v.len();
    v[k..].iter().chain(&v[..k]).cloned().collect()
}

proptest! {
    #[test]
    fn rates_are_shares_and_order_free(m in marks(), k in 0usize..100) {
        for policy in [AbsentPolicy::Exclude, AbsentPolicy::CountAsZero] {
            let s = rate_summary(&m, 120.0, &RateLines::default(), policy).unwrap();
            for r in [s.excellent_rate, s.good_rate, s.pass_rate, s.low_rate, s.participation_rate, s.score_rate].into_iter().flatten() {
                prop_assert!((0.0..=1.0).contains(&r));
            }
            // 优秀 ⊆ 良好 ⊆ 及格.
            prop_assert!(s.excellent_count <= s.good_count.unwrap() && s.good_count.unwrap() <= s.pass_count);
            prop_assert!(s.pass_count + s.low_count <= s.n);
            let r = rate_summary(&rotated(&m, k), 120.0, &RateLines::default(), policy).unwrap();
            prop_assert_eq!(s.excellent_count, r.excellent_count);
            prop_assert_eq!(s.pass_count, r.pass_count);
            prop_assert_eq!(s.low_count, r.low_count);
            prop_assert_eq!(s.n, r.n);
        }
    }

    #[test]
    fn percentile_ranks_and_ranks_are_consistent(xs in prop::collection::vec(0u32..=200, 1..50)) {
        let v: Vec<f64> = xs.iter().map(|&x| x as f64 / 2.0).collect();
        let pr = percentile_ranks(&v).unwrap();
        let rk = rank_descending(&v, RankMethod::Competition, 2).unwrap();
        for i in 0..v.len() {
            prop_assert!(pr[i] > 0.0 && pr[i] < 100.0);
            // Competition rank = 1 + number of strictly better scores.
            prop_assert_eq!(rk[i], 1 + v.iter().filter(|&&y| y > v[i]).count());
            for j in 0..v.len() {
                if v[i] > v[j] { prop_assert!(pr[i] > pr[j] && rk[i] < rk[j]); }
                if v[i] == v[j] { prop_assert!(pr[i] == pr[j] && rk[i] == rk[j]); }
            }
        }
    }

    #[test]
    fn item_analysis_alpha_at_most_one_and_order_free(
        rows in prop::collection::vec(prop::collection::vec(0u32..=3, 4), 5..60),
        k in 0usize..100,
    ) {
        let data: Vec<Vec<f64>> = rows.iter().map(|r| r.iter().map(|&x| x as f64).collect()).collect();
        let m = ItemMatrix::from_rows(&data, vec![3.0; 4]).unwrap();
        let m2 = ItemMatrix::from_rows(&rotated(&data, k), vec![3.0; 4]).unwrap();
        for rule in [TieRule::Fractional, TieRule::Inclusive] {
            let opts = ItemAnalysisOptions { tie_rule: rule, ..Default::default() };
            let a = item_analysis(&m, &opts).unwrap();
            let b = item_analysis(&m2, &opts).unwrap();
            if let Some(alpha) = a.alpha {
                prop_assert!(alpha <= 1.0 + 1e-12);
                prop_assert!((alpha - b.alpha.unwrap()).abs() < 1e-9);
            }
            for (x, y) in a.items.iter().zip(&b.items) {
                prop_assert!((0.0..=1.0).contains(&x.difficulty));
                prop_assert!(x.discrimination.abs() <= 1.0 + 1e-12, "D = {}", x.discrimination);
                prop_assert!((x.discrimination - y.discrimination).abs() < 1e-9);
                if let Some(r) = x.point_biserial { prop_assert!((-1.0 - 1e-9..=1.0 + 1e-9).contains(&r)); }
            }
        }
    }

    #[test]
    fn fractional_groups_hold_exactly_the_share(totals in prop::collection::vec(0u32..=10, 1..200)) {
        let t: Vec<f64> = totals.iter().map(|&x| x as f64).collect();
        let w = extreme_group_weights(&t, 0.27, TieRule::Fractional);
        prop_assert!((w.upper_weight - 0.27 * t.len() as f64).abs() < 1e-9);
        prop_assert!((w.lower_weight - 0.27 * t.len() as f64).abs() < 1e-9);
        let inc = extreme_group_weights(&t, 0.27, TieRule::Inclusive);
        prop_assert!(inc.upper_weight + 1e-9 >= w.upper_weight);
        prop_assert!(w.upper.iter().chain(&w.lower).all(|x| (0.0..=1.0 + 1e-12).contains(x)));
    }

    #[test]
    fn ols_residuals_are_orthogonal_and_centred(
        pts in prop::collection::vec((-50i32..50, -50i32..50, -50i32..50), 5..80),
        k in 0usize..100,
    ) {
        let x1: Vec<f64> = pts.iter().map(|p| p.0 as f64).collect();
        let x2: Vec<f64> = pts.iter().map(|p| p.1 as f64).collect();
        let y: Vec<f64> = pts.iter().map(|p| 0.5 * p.0 as f64 + p.2 as f64).collect();
        let priors = vec![("x1".to_string(), x1.clone()), ("x2".to_string(), x2.clone())];
        let Ok(fit) = ols_fit(&y, &priors) else { return Ok(()); }; // collinear draws are refused
        let e = &fit.residuals;
        let scale = y.iter().map(|v| v.abs()).sum::<f64>().max(1.0) * 50.0;
        prop_assert!(e.iter().sum::<f64>().abs() < 1e-9 * scale);
        prop_assert!(e.iter().zip(&x1).map(|(e, x)| e * x).sum::<f64>().abs() < 1e-9 * scale * 50.0);
        prop_assert!(e.iter().zip(&x2).map(|(e, x)| e * x).sum::<f64>().abs() < 1e-9 * scale * 50.0);
        // Row order does not change the fit.
        let pri2: Vec<(String, Vec<f64>)> = priors.iter().map(|(n, v)| (n.clone(), rotated(v, k))).collect();
        let fit2 = ols_fit(&rotated(&y, k), &pri2).unwrap();
        for (a, b) in fit.coefficients.iter().zip(&fit2.coefficients) {
            prop_assert!((a.estimate - b.estimate).abs() < 1e-9 * (1.0 + a.estimate.abs()));
        }
    }

    #[test]
    fn shrunken_estimates_lie_between_raw_and_pooled(
        units in prop::collection::vec((-100i32..100, 1u32..50), 2..30),
        method in prop_oneof![Just(ShrinkMethod::Dl), Just(ShrinkMethod::Reml)],
    ) {
        let u: Vec<UnitEstimate> = units.iter().enumerate()
            .map(|(i, (e, s))| UnitEstimate { group: i.to_string(), estimate: *e as f64 / 10.0, se: *s as f64 / 10.0 })
            .collect();
        let r = shrink(&u, &ShrinkOptions { method, ..Default::default() }).unwrap();
        prop_assert!(r.tau2 >= 0.0);
        prop_assert_eq!(r.rankable, r.tau2 > 0.0);
        for g in &r.groups {
            let (lo, hi) = if g.estimate < r.pooled_mean { (g.estimate, r.pooled_mean) } else { (r.pooled_mean, g.estimate) };
            prop_assert!(g.shrunken >= lo - 1e-9 && g.shrunken <= hi + 1e-9);
            prop_assert!((0.0..=1.0).contains(&g.lambda));
        }
        // Order of the units does not matter.
        let r2 = shrink(&reversed(&u), &ShrinkOptions { method, ..Default::default() }).unwrap();
        prop_assert!((r.tau2 - r2.tau2).abs() <= 1e-9 * (1.0 + r.tau2));
    }

    #[test]
    fn james_stein_lies_between_raw_and_mean(es in prop::collection::vec(-100i32..100, 4..30)) {
        let u: Vec<UnitEstimate> = es.iter().enumerate()
            .map(|(i, e)| UnitEstimate { group: i.to_string(), estimate: *e as f64, se: 10.0 })
            .collect();
        let r = shrink(&u, &ShrinkOptions { method: ShrinkMethod::Js, ..Default::default() }).unwrap();
        for g in &r.groups {
            let (lo, hi) = if g.estimate < r.pooled_mean { (g.estimate, r.pooled_mean) } else { (r.pooled_mean, g.estimate) };
            prop_assert!(g.shrunken >= lo - 1e-9 && g.shrunken <= hi + 1e-9);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn random_intercept_is_order_free_and_reml_at_least_ml(seed in 0u64..1000, k in 0usize..500) {
        // 12 schools × 15 students, deterministic pseudo-data from the seed.
        let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let mut next = || { s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); ((s >> 33) as f64 / (1u64 << 31) as f64) - 0.5 };
        let mut y = Vec::new(); let mut x = Vec::new(); let mut g = Vec::new();
        for school in 0..12 {
            let u = next();
            for _ in 0..15 {
                let xi = next() * 4.0;
                x.push(xi);
                y.push(0.5 * xi + u + next());
                g.push(format!("{school}"));
            }
        }
        let pri = vec![("x".to_string(), x.clone())];
        let o = VaOptions::default();
        let ml = random_intercept(&y, &pri, &g, Estimation::Ml, &o).unwrap();
        let reml = random_intercept(&y, &pri, &g, Estimation::Reml, &o).unwrap();
        prop_assert!(reml.tau2.unwrap() + 1e-6 >= ml.tau2.unwrap());
        let pri2 = vec![("x".to_string(), rotated(&x, k))];
        let r2 = random_intercept(&rotated(&y, k), &pri2, &rotated(&g, k), Estimation::Reml, &o).unwrap();
        prop_assert!((reml.tau2.unwrap() - r2.tau2.unwrap()).abs() < 1e-6);
        for (a, b) in reml.groups.iter().zip(&r2.groups) {
            prop_assert_eq!(&a.group, &b.group);
            prop_assert!((a.shrunken.unwrap() - b.shrunken.unwrap()).abs() < 1e-6);
            // EB effects are shrunk toward 0, never past it.
            prop_assert!(a.shrunken.unwrap().abs() <= a.estimate.unwrap().abs() + 1e-12);
        }
    }
}
