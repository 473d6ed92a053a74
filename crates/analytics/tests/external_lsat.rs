//! External check: LSAT sections 6 and 7 (Bock & Lieberman 1970), data from
//! psych::lsat6 and psych::bock.table (Rdatasets). Spec §3 and §9.
//!
//! Published values reproduced (ltm `descript(LSAT)` / `cronbach.alpha(LSAT)`, R package ltm,
//! same 1000 LSAT-6 examinees), compared at their published precision (± half a unit in the
//! last printed digit):
//! * proportions correct .924 .709 .553 .763 .870 and total-score frequencies 3 20 85 237 357 298;
//! * Cronbach's α 0.2950 and α excluding each item 0.2754 0.2376 0.2168 0.2459 0.2663;
//! * point-biserial with the total 0.3618 0.5665 0.6181 0.5342 0.4351. ltm divides by the
//!   sample SD (n − 1), our r_pb is the spec's Pearson form (population σ_T), so ltm's figure is
//!   ours × √((n−1)/n);
//! * LSAT-7 proportions correct .828 .658 .772 .606 .843 (Bock & Lieberman's table).
mod common;

use common::near;
use wuyu_analytics::items::*;

fn analyse(rows: &[Vec<f64>], tie_rule: TieRule) -> ItemAnalysis {
    let m = ItemMatrix::from_rows(rows, vec![1.0; 5]).unwrap();
    item_analysis(
        &m,
        &ItemAnalysisOptions {
            tie_rule,
            ..Default::default()
        },
    )
    .unwrap()
}

#[test]
fn bock_table_ob6_is_the_lsat6_data() {
    let mut a = common::lsat6();
    let mut b = common::bock_expanded("Ob6");
    let key = |r: &Vec<f64>| r.iter().fold(0u32, |acc, x| acc * 2 + *x as u32);
    a.sort_by_key(key);
    b.sort_by_key(key);
    assert_eq!(a.len(), 1000);
    assert_eq!(a, b);
    assert_eq!(common::bock_expanded("Ob7").len(), 1000);
}

#[test]
fn lsat6_difficulty_and_score_distribution() {
    let rows = common::lsat6();
    let a = analyse(&rows, TieRule::Fractional);
    let p: Vec<f64> = a.items.iter().map(|i| i.difficulty).collect();
    for (got, want) in p.iter().zip([0.924, 0.709, 0.553, 0.763, 0.870]) {
        near(*got, want, 1e-12, "P");
    }
    let mut freq = [0usize; 6];
    for r in &rows {
        freq[r.iter().sum::<f64>() as usize] += 1;
    }
    assert_eq!(freq, [3, 20, 85, 237, 357, 298]);
    near(a.mean, 3.819, 1e-12, "mean total");
    near(a.difficulty, 3.819 / 5.0, 1e-12, "P_test = T̄/F");
}

#[test]
fn lsat6_reliability_matches_ltm() {
    let a = analyse(&common::lsat6(), TieRule::Fractional);
    near(a.alpha.unwrap(), 0.2950, 5e-5, "alpha");
    // KR-20 is exactly α for 0/1 items.
    near(a.kr20.unwrap(), a.alpha.unwrap(), 1e-12, "KR-20 = α");
    for (item, want) in a.items.iter().zip([0.2754, 0.2376, 0.2168, 0.2459, 0.2663]) {
        near(
            item.alpha_if_deleted.unwrap(),
            want,
            5e-5,
            "alpha if deleted",
        );
    }
    // KR-21 from the paper's mean and σ² alone, and it never exceeds KR-20.
    let (k, t, var_t) = (5.0, a.mean, a.sd * a.sd * 999.0 / 1000.0);
    near(
        a.kr21.unwrap(),
        k / (k - 1.0) * (1.0 - t * (k - t) / (k * var_t)),
        1e-12,
        "KR-21",
    );
    assert!(a.kr21.unwrap() <= a.kr20.unwrap());
    near(
        a.sem.unwrap(),
        a.sd * (1.0 - a.alpha.unwrap()).sqrt(),
        1e-12,
        "SEM",
    );
}

#[test]
fn lsat6_item_total_correlations_match_ltm() {
    let a = analyse(&common::lsat6(), TieRule::Fractional);
    let ltm_scale = (999.0f64 / 1000.0).sqrt();
    for (item, want) in a.items.iter().zip([0.3618, 0.5665, 0.6181, 0.5342, 0.4351]) {
        near(
            item.point_biserial.unwrap() * ltm_scale,
            want,
            5e-5,
            "point-biserial",
        );
    }
    for (item, want) in a.items.iter().zip([0.1128, 0.1531, 0.1727]) {
        near(
            item.corrected_item_total.unwrap() * ltm_scale,
            want,
            5e-5,
            "corrected r",
        );
    }
    // The correction always lowers the correlation on this test.
    for item in &a.items {
        assert!(item.corrected_item_total.unwrap() < item.point_biserial.unwrap());
    }
}

/// D from the score-group table, computed the way a 教研员 would on paper: the top 270 of 1000
/// all scored 5 (298 students share the top 270 places), the bottom 270 are the 108 students
/// scoring 0–2 plus 162 of the 237 scoring 3.
#[test]
#[allow(clippy::needless_range_loop)] // j indexes items across several tables
fn lsat6_discrimination_both_tie_rules() {
    let rows = common::lsat6();
    let frac = analyse(&rows, TieRule::Fractional);
    let incl = analyse(&rows, TieRule::Inclusive);
    let mut correct_by_total = [[0.0f64; 5]; 6];
    let mut n_by_total = [0.0f64; 6];
    for r in &rows {
        let t = r.iter().sum::<f64>() as usize;
        n_by_total[t] += 1.0;
        for (c, x) in correct_by_total[t].iter_mut().zip(r) {
            *c += x;
        }
    }
    for j in 0..5 {
        // Upper: everyone with 5 has item j right, under both rules.
        let p_h = 1.0;
        let low_inside: f64 = (0..3).map(|t| correct_by_total[t][j]).sum();
        let w = (270.0 - 108.0) / 237.0;
        let p_l_frac = (low_inside + w * correct_by_total[3][j]) / 270.0;
        let p_l_incl = (low_inside + correct_by_total[3][j]) / (108.0 + 237.0);
        near(
            frac.items[j].discrimination,
            p_h - p_l_frac,
            1e-12,
            "D fractional",
        );
        near(
            incl.items[j].discrimination,
            p_h - p_l_incl,
            1e-12,
            "D inclusive",
        );
        assert_eq!(n_by_total[5], 298.0);
    }
    // The rule visibly matters (spec §3.2): item 1 gets 0.197 vs 0.177.
    assert!((frac.items[0].discrimination - incl.items[0].discrimination).abs() > 0.01);
    assert_eq!(frac.group_size, 270.0);
}

#[test]
fn lsat7_difficulty_and_alpha_equals_kr20() {
    let a = analyse(&common::bock_expanded("Ob7"), TieRule::Fractional);
    for (item, want) in a.items.iter().zip([0.828, 0.658, 0.772, 0.606, 0.843]) {
        near(item.difficulty, want, 1e-12, "LSAT-7 P");
    }
    near(a.kr20.unwrap(), a.alpha.unwrap(), 1e-12, "KR-20 = α");
    assert!(a.kr21.unwrap() <= a.kr20.unwrap());
    // Every item discriminates positively, with both rules.
    for rule in [TieRule::Fractional, TieRule::Inclusive] {
        assert!(
            analyse(&common::bock_expanded("Ob7"), rule)
                .items
                .iter()
                .all(|i| i.discrimination > 0.0)
        );
    }
}

#[test]
fn data_copies_match_shared_external_checks() {
    let shared =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/external-checks");
    if !shared.exists() {
        eprintln!("shared/external-checks not present; skipping the copy check");
        return;
    }
    for name in [
        "psych__lsat6.csv",
        "psych__bock.table.csv",
        "pscl__EfronMorris.csv",
        "mlmRev__Exam.csv",
    ] {
        let ours = std::fs::read(common::data_path(name)).unwrap();
        let theirs = std::fs::read(shared.join(name)).unwrap();
        assert!(ours == theirs, "{name} differs from shared/external-checks");
    }
}
