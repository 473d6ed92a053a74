//! Item-analysis edge cases (§3), knowledge-point mastery, gain models (§4.2 M1/M2), minimum
//! samples (§4.3) and the JSON shapes the CLI prints.
use wuyu_analytics::AnalyticsError;
use wuyu_analytics::items::*;
use wuyu_analytics::value_added::*;

fn near(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} vs {b}");
}

#[test]
fn polytomous_items_use_full_marks() {
    // Item 1 (0–4 points) and item 2 (0/1). 4 students, groups of 0.27·4 = 1.08.
    let m = ItemMatrix::from_rows(
        &[
            vec![4.0, 1.0],
            vec![3.0, 1.0],
            vec![1.0, 0.0],
            vec![0.0, 1.0],
        ],
        vec![4.0, 1.0],
    )
    .unwrap()
    .with_names(vec!["Q1".into(), "Q2".into()])
    .unwrap();
    let a = item_analysis(&m, &ItemAnalysisOptions::default()).unwrap();
    near(a.items[0].difficulty, 8.0 / 16.0, 1e-12);
    near(a.items[1].difficulty, 0.75, 1e-12);
    near(a.difficulty, 11.0 / 20.0, 1e-12); // P_test = T̄/F = 2.75/5
    // Totals 5, 4, 1, 1. Upper: the 5 (weight 1) and 0.08 of the 4. Lower: the two 1s share 1.08.
    let up = (4.0 + 0.08 * 3.0) / 1.08 / 4.0;
    let lo = (1.0 * 0.54 + 0.0 * 0.54) / 1.08 / 4.0;
    near(a.items[0].discrimination, up - lo, 1e-12);
    assert!(
        a.kr20.is_none() && a.kr21.is_none(),
        "KR formulas only for 0/1 items"
    );
    assert!(a.alpha.is_some());
    assert_eq!(a.items[0].item, "Q1");
}

#[test]
fn zero_variance_item_is_flagged_not_correlated() {
    let m = ItemMatrix::from_rows(
        &[
            vec![1.0, 1.0, 0.0],
            vec![1.0, 0.0, 0.0],
            vec![1.0, 1.0, 1.0],
            vec![1.0, 0.0, 1.0],
        ],
        vec![1.0; 3],
    )
    .unwrap();
    let a = item_analysis(&m, &ItemAnalysisOptions::default()).unwrap();
    assert!(a.items[0].zero_variance);
    assert_eq!(a.items[0].point_biserial, None);
    assert_eq!(a.items[0].corrected_item_total, None);
    near(a.items[0].discrimination, 0.0, 1e-12);
}

#[test]
fn negative_discrimination_warns_about_the_key() {
    // Item 3 is answered right only by the weakest students.
    let m = ItemMatrix::from_rows(
        &[
            vec![1.0, 1.0, 0.0],
            vec![1.0, 1.0, 0.0],
            vec![1.0, 0.0, 0.0],
            vec![0.0, 0.0, 1.0],
            vec![0.0, 0.0, 1.0],
        ],
        vec![1.0; 3],
    )
    .unwrap();
    let a = item_analysis(&m, &ItemAnalysisOptions::default()).unwrap();
    assert!(a.items[2].negative_discrimination);
    assert!(a.alpha.unwrap() < 0.5);
}

#[test]
fn invalid_item_input_is_a_typed_error() {
    assert!(matches!(
        ItemMatrix::from_rows(&[vec![2.0, 0.0]], vec![1.0, 1.0]),
        Err(AnalyticsError::InvalidValue { .. })
    ));
    assert!(matches!(
        ItemMatrix::from_rows(&[vec![1.0]], vec![1.0, 1.0]),
        Err(AnalyticsError::LengthMismatch { .. })
    ));
    assert!(matches!(
        ItemMatrix::new(0, vec![], vec![1.0]),
        Err(AnalyticsError::Empty { .. })
    ));
    let one = ItemMatrix::from_rows(&[vec![1.0], vec![0.0]], vec![1.0]).unwrap();
    assert!(matches!(
        item_analysis(&one, &ItemAnalysisOptions::default()),
        Err(AnalyticsError::TooFew { .. })
    ));
    // All totals equal: α is undefined, not 0 or 1.
    let flat = ItemMatrix::from_rows(&[vec![1.0, 0.0], vec![0.0, 1.0]], vec![1.0; 2]).unwrap();
    let a = item_analysis(&flat, &ItemAnalysisOptions::default()).unwrap();
    assert_eq!((a.alpha, a.sem), (None, None));
}

#[test]
fn knowledge_point_mastery_by_class() {
    let m = ItemMatrix::from_rows(
        &[
            vec![1.0, 2.0, 0.0],
            vec![0.0, 4.0, 1.0],
            vec![1.0, 1.0, 1.0],
        ],
        vec![1.0, 4.0, 1.0],
    )
    .unwrap();
    let tags = vec![
        vec!["函数".to_string()],
        vec!["函数".to_string(), "几何".to_string()],
        vec!["几何".to_string()],
    ];
    let groups = vec!["7-1".to_string(), "7-1".to_string(), "7-2".to_string()];
    let cells = knowledge_point_mastery(&m, &tags, &groups).unwrap();
    let cell = |g: &str, t: &str| {
        cells
            .iter()
            .find(|c| c.group == g && c.tag == t)
            .unwrap()
            .clone()
    };
    // 7-1, 函数: items 1+2, (1+2) + (0+4) = 7 of 2·5 = 10.
    near(cell("7-1", "函数").score_rate, 0.7, 1e-12);
    near(cell("7-1", "几何").score_rate, 7.0 / 10.0, 1e-12);
    near(cell("7-2", "几何").score_rate, 2.0 / 5.0, 1e-12);
    assert_eq!(cells.len(), 4);
}

fn groups_of(sizes: &[(&str, usize)]) -> Vec<String> {
    sizes
        .iter()
        .flat_map(|(g, n)| std::iter::repeat_n(g.to_string(), *n))
        .collect()
}

#[test]
fn gain_models_are_labelled_and_small_units_suppressed() {
    let groups = groups_of(&[("甲", 12), ("乙", 12), ("丙", 5)]);
    let prior: Vec<f64> = (0..29).map(|i| 50.0 + i as f64).collect();
    let outcome: Vec<f64> = prior
        .iter()
        .enumerate()
        .map(|(i, p)| p + if i < 12 { 5.0 } else { 1.0 } + (i % 3) as f64)
        .collect();
    let opts = VaOptions::default();
    let g = raw_gain(&outcome, &prior, &groups, &opts).unwrap();
    assert_eq!(g.model, VaModel::Gain);
    assert!(g.label.contains("进步分"));
    let jia = g.groups.iter().find(|x| x.group == "甲").unwrap();
    near(jia.estimate.unwrap(), 5.0 + 1.0, 1e-12); // 5 + mean of (i % 3) over 12 = 1
    assert!(
        jia.class.is_none(),
        "raw gain is not centred: no classification"
    );
    let bing = g.groups.iter().find(|x| x.group == "丙").unwrap();
    assert!(
        bing.suppressed && bing.estimate.is_none(),
        "n = 5 < 10: 样本不足"
    );
    let s = standard_gain(&outcome, &prior, &groups, &opts).unwrap();
    assert!(s.label.contains("标准分增值") && s.label.contains("偏向入口成绩低的单位"));
    // Standard gains average 0 over the cohort.
    let everyone = VaOptions {
        min_compute: 1,
        ..opts
    };
    let s = standard_gain(&outcome, &prior, &groups, &everyone).unwrap();
    let total: f64 = s
        .groups
        .iter()
        .map(|g| g.n as f64 * g.estimate.unwrap())
        .sum();
    near(total, 0.0, 1e-9);
    // Units with 10 ≤ n < 30 get numbers but no class.
    assert!(s.groups.iter().all(|g| g.class.is_none()));
}

#[test]
fn mismatched_and_degenerate_value_added_input_is_rejected() {
    let g = groups_of(&[("a", 3)]);
    assert!(matches!(
        raw_gain(&[1.0, 2.0, 3.0], &[1.0, 2.0], &g, &VaOptions::default()),
        Err(AnalyticsError::LengthMismatch { .. })
    ));
    assert!(matches!(
        standard_gain(
            &[1.0, 2.0, 3.0],
            &[1.0, 1.0, 1.0],
            &g,
            &VaOptions::default()
        ),
        Err(AnalyticsError::ZeroVariance { .. })
    ));
    let x = vec![("x".to_string(), vec![2.0; 3])];
    assert!(matches!(
        ols_residual(&[1.0, 2.0, 3.0], &x, &g, &VaOptions::default()),
        Err(AnalyticsError::Singular { .. })
    ));
    assert!(matches!(
        random_intercept(
            &[1.0, 2.0, 3.0, 4.0],
            &[],
            &groups_of(&[("a", 4)]),
            Estimation::Reml,
            &VaOptions::default()
        ),
        Err(AnalyticsError::TooFew { .. })
    ));
    assert!(
        shrink(
            &[
                UnitEstimate {
                    group: "a".into(),
                    estimate: 1.0,
                    se: 0.0
                },
                UnitEstimate {
                    group: "b".into(),
                    estimate: 1.0,
                    se: 1.0
                }
            ],
            &ShrinkOptions::default()
        )
        .is_err()
    );
}

#[test]
fn json_shapes_match_the_cli_contract() {
    let m = ItemMatrix::from_rows(
        &[vec![1.0, 0.0], vec![1.0, 1.0], vec![0.0, 0.0]],
        vec![1.0; 2],
    )
    .unwrap();
    let j =
        serde_json::to_value(item_analysis(&m, &ItemAnalysisOptions::default()).unwrap()).unwrap();
    for k in [
        "n", "k", "mean", "sd", "alpha", "kr20", "kr21", "sem", "items",
    ] {
        assert!(j.get(k).is_some(), "items JSON lacks {k}");
    }
    for k in [
        "item",
        "difficulty",
        "discrimination",
        "point_biserial",
        "corrected_item_total",
        "alpha_if_deleted",
    ] {
        assert!(j["items"][0].get(k).is_some(), "item JSON lacks {k}");
    }
    let groups = groups_of(&[("a", 12), ("b", 12)]);
    let x: Vec<f64> = (0..24).map(|i| (i * 7 % 11) as f64).collect();
    let y: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, v)| v + (i / 12) as f64 + (i % 5) as f64)
        .collect();
    let r = ols_dl(&y, &[("prior".into(), x)], &groups, &VaOptions::default()).unwrap();
    let j = serde_json::to_value(&r).unwrap();
    assert_eq!(j["model"], "dl");
    for k in ["model", "n", "coefficients", "sigma2", "tau2", "groups"] {
        assert!(j.get(k).is_some(), "value-added JSON lacks {k}");
    }
    for k in [
        "group",
        "n",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "shrunken",
        "lambda",
        "class",
        "suppressed",
    ] {
        assert!(j["groups"][0].get(k).is_some(), "group JSON lacks {k}");
    }
}
