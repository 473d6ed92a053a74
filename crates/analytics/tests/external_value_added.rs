//! External checks for value-added and shrinkage (spec §4, §9).
//!
//! * mlmRev::Exam (Goldstein et al. 1993; 4,059 students, 65 schools), model
//!   `normexam ~ 1 + standLRT (+ (1 | school))`. Published figures (MLwiN User's Guide, the
//!   single-level and random-intercept models; IGLS = ML):
//!   single level β0 −0.001, β1 0.595 (SE 0.013), σ² 0.648, −2 log L 9760.5;
//!   random intercept β0 0.002 (0.040), β1 0.563 (0.012), τ² 0.092, σ² 0.566,
//!   −2 log L 9357.242. REML (lme4 as printed in mlmRev's vignette): τ² 0.093838,
//!   σ² 0.565865, REML deviance 9369, log-likelihood −4684.
//!   Compared at the published precision (± half a unit in the last printed digit).
//! * Efron & Morris (1977): 18 batting averages after 45 at-bats, James–Stein c = 0.212 around
//!   ȳ = 0.265 with σ² = ȳ(1 − ȳ)/45, and about 3.5 times less total squared error than the raw
//!   averages for predicting the rest of the season.
//! * Eight schools (Rubin 1981): τ̂² = 0, complete pooling at 7.69 ± 4.07, "do not rank".
mod common;

use common::near;
use wuyu_analytics::value_added::*;

type Priors = Vec<(String, Vec<f64>)>;

fn exam_inputs() -> (Vec<f64>, Priors, Vec<String>) {
    let (y, x, s) = common::exam();
    (y, vec![("standLRT".to_string(), x)], s)
}

fn coef(r: &VaResult, i: usize) -> (f64, f64) {
    let c = &r.coefficients.as_ref().unwrap()[i];
    (c.estimate, c.se)
}

#[test]
fn exam_has_4059_students_in_65_schools() {
    let (y, _, s) = exam_inputs();
    assert_eq!(y.len(), 4059);
    let r = ols_residual(&y, &exam_inputs().1, &s, &VaOptions::default()).unwrap();
    assert_eq!(r.groups.len(), 65);
    assert_eq!(r.groups.iter().map(|g| g.n).sum::<usize>(), 4059);
}

#[test]
fn exam_ols_matches_mlwin_single_level_model() {
    let (y, x, s) = exam_inputs();
    let r = ols_residual(&y, &x, &s, &VaOptions::default()).unwrap();
    near(coef(&r, 0).0, -0.001, 5e-4, "β0");
    near(coef(&r, 1).0, 0.595, 5e-4, "β1");
    near(coef(&r, 1).1, 0.013, 5e-4, "SE β1");
    // The spec's σ̂² divides by N − p; MLwiN's IGLS prints the ML value RSS/N.
    near(
        r.sigma2.unwrap() * (4059.0 - 2.0) / 4059.0,
        0.648,
        5e-4,
        "σ² (ML)",
    );
    near(-2.0 * r.loglik.unwrap(), 9760.5, 0.05, "−2 log L");
    // With an intercept, Σ n_j·VA_j = 0: VA is relative to the district average student.
    let everyone = VaOptions {
        min_compute: 1,
        min_classify: 1,
        ..VaOptions::default()
    };
    let all = ols_residual(&y, &x, &s, &everyone).unwrap();
    let total: f64 = all
        .groups
        .iter()
        .map(|g| g.n as f64 * g.estimate.unwrap())
        .sum();
    near(total, 0.0, 1e-9, "Σ n_j VA_j");
    // SE_j = σ̂/√n_j and the CI is ±1.96 SE; classes follow the CI.
    for g in r.groups.iter().filter(|g| !g.suppressed) {
        let se = g.se.unwrap();
        near(se, (r.sigma2.unwrap() / g.n as f64).sqrt(), 1e-12, "SE_j");
        near(
            g.ci_low.unwrap(),
            g.estimate.unwrap() - 1.96 * se,
            1e-12,
            "CI",
        );
        match g.class {
            Some(VaClass::Above) => assert!(g.ci_low.unwrap() > 0.0),
            Some(VaClass::Below) => assert!(g.ci_high.unwrap() < 0.0),
            Some(VaClass::Ns) => assert!(g.ci_low.unwrap() <= 0.0 && g.ci_high.unwrap() >= 0.0),
            None => assert!(g.n < 30, "only small schools are left unclassified"),
        }
    }
}

#[test]
fn exam_random_intercept_ml_matches_mlwin() {
    let (y, x, s) = exam_inputs();
    let r = random_intercept(&y, &x, &s, Estimation::Ml, &VaOptions::default()).unwrap();
    near(coef(&r, 0).0, 0.002, 5e-4, "β0");
    near(coef(&r, 0).1, 0.040, 5e-4, "SE β0");
    near(coef(&r, 1).0, 0.563, 5e-4, "β1");
    near(coef(&r, 1).1, 0.012, 5e-4, "SE β1");
    near(r.tau2.unwrap(), 0.092, 5e-4, "τ²");
    near(r.sigma2.unwrap(), 0.566, 5e-4, "σ²");
    // MLwiN prints 9357.242; IGLS and our profile search stop at slightly different points.
    near(-2.0 * r.loglik.unwrap(), 9357.242, 0.01, "−2 log L");
    assert_eq!(r.rankable, Some(true));
    // EB effect = λ_j × raw mean residual, λ_j = τ²/(τ² + σ²/n_j): small schools shrink more.
    for g in r.groups.iter().filter(|g| !g.suppressed) {
        let lambda = r.tau2.unwrap() / (r.tau2.unwrap() + r.sigma2.unwrap() / g.n as f64);
        near(g.lambda.unwrap(), lambda, 1e-12, "λ_j");
        near(
            g.shrunken.unwrap(),
            lambda * g.estimate.unwrap(),
            1e-12,
            "û_j",
        );
        assert!(g.shrunken.unwrap().abs() <= g.estimate.unwrap().abs());
    }
}

#[test]
fn exam_random_intercept_reml_matches_lme4() {
    let (y, x, s) = exam_inputs();
    let ml = random_intercept(&y, &x, &s, Estimation::Ml, &VaOptions::default()).unwrap();
    let r = random_intercept(&y, &x, &s, Estimation::Reml, &VaOptions::default()).unwrap();
    near(r.tau2.unwrap(), 0.093838, 5e-6, "τ² REML");
    near(r.sigma2.unwrap(), 0.565865, 5e-6, "σ² REML");
    near(-2.0 * r.loglik.unwrap(), 9369.0, 0.5, "REML deviance");
    near(r.loglik.unwrap(), -4684.0, 0.5, "REML log-likelihood");
    // REML corrects ML's downward bias in τ².
    assert!(r.tau2.unwrap() > ml.tau2.unwrap());
    near(coef(&r, 1).0, 0.563, 5e-4, "β1 REML");
    near(
        r.icc.unwrap(),
        0.093838 / (0.093838 + 0.565865),
        1e-5,
        "ICC",
    );
}

#[test]
fn exam_dl_shrinkage_agrees_with_the_multilevel_model() {
    let (y, x, s) = exam_inputs();
    let dl = ols_dl(&y, &x, &s, &VaOptions::default()).unwrap();
    let reml = random_intercept(&y, &x, &s, Estimation::Reml, &VaOptions::default()).unwrap();
    // Recompute DerSimonian–Laird by hand from the unit estimates and SEs.
    // Schools under the minimum n are suppressed and take no part in the shrinkage.
    let small = dl.groups.iter().filter(|g| g.suppressed).count();
    assert!(dl.groups.iter().all(|g| g.suppressed == (g.n < 10)));
    let units: Vec<(f64, f64)> = dl
        .groups
        .iter()
        .filter(|g| !g.suppressed)
        .map(|g| (g.estimate.unwrap(), 1.0 / (r_sigma2(&dl) / g.n as f64)))
        .collect();
    assert_eq!(units.len(), 65 - small);
    let sw: f64 = units.iter().map(|u| u.1).sum();
    let sw2: f64 = units.iter().map(|u| u.1 * u.1).sum();
    let vbar = units.iter().map(|u| u.0 * u.1).sum::<f64>() / sw;
    let q: f64 = units.iter().map(|u| u.1 * (u.0 - vbar).powi(2)).sum();
    let tau2 = ((q - (units.len() - 1) as f64) / (sw - sw2 / sw)).max(0.0);
    near(dl.tau2.unwrap(), tau2, 1e-12, "τ² DL");
    assert_eq!(dl.rankable, Some(true));
    // Two routes to school effects, one answer: the orderings agree closely.
    let a: Vec<f64> = dl.groups.iter().filter_map(|g| g.shrunken).collect();
    let b: Vec<f64> = reml.groups.iter().filter_map(|g| g.shrunken).collect();
    assert!(
        pearson(&a, &b) > 0.98,
        "DL vs REML EB effects r = {}",
        pearson(&a, &b)
    );
    near(dl.tau2.unwrap(), reml.tau2.unwrap(), 0.03, "τ² DL ≈ REML");
    for g in dl.groups.iter().filter(|g| !g.suppressed) {
        // Shrunk toward 0 (the target for centred residual VA), never past it.
        let (e, sh) = (g.estimate.unwrap(), g.shrunken.unwrap());
        assert!(sh.abs() <= e.abs() && sh * e >= 0.0);
    }
}

fn r_sigma2(r: &VaResult) -> f64 {
    r.sigma2.unwrap()
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

#[test]
fn efron_morris_james_stein() {
    let (h, rows) = common::read_csv("pscl__EfronMorris.csv");
    let (yc, pc, nc) = (
        common::col(&h, "y"),
        common::col(&h, "p"),
        common::col(&h, "name"),
    );
    let y: Vec<f64> = rows.iter().map(|r| r[yc].parse().unwrap()).collect();
    let season: Vec<f64> = rows.iter().map(|r| r[pc].parse().unwrap()).collect();
    let ybar = y.iter().sum::<f64>() / y.len() as f64;
    near(ybar, 0.265, 5e-4, "ȳ");
    let se = (ybar * (1.0 - ybar) / 45.0).sqrt();
    let units: Vec<UnitEstimate> = rows
        .iter()
        .zip(&y)
        .map(|(r, &e)| UnitEstimate {
            group: r[nc].clone(),
            estimate: e,
            se,
        })
        .collect();
    let r = shrink(
        &units,
        &ShrinkOptions {
            method: ShrinkMethod::Js,
            ..Default::default()
        },
    )
    .unwrap();
    let c = r.groups[0].lambda;
    near(c, 0.212, 5e-4, "James–Stein c");
    near(
        r.pooled_mean,
        ybar,
        1e-15,
        "JS shrinks toward the plain mean",
    );
    assert!(r.rankable);
    // The article's estimates .265 + .212 (y − .265), to their three printed decimals.
    for g in &r.groups {
        near(
            g.shrunken,
            0.265 + 0.212 * (g.estimate - 0.265),
            1e-3,
            &g.group,
        );
    }
    near(r.groups[0].shrunken, 0.294, 5e-4, "Clemente");
    near(r.groups[17].shrunken, 0.242, 5e-4, "Alvis");
    // The point of the example: JS predicts the rest of the season ~3.5× better.
    let sse =
        |est: &dyn Fn(usize) -> f64| (0..18).map(|i| (est(i) - season[i]).powi(2)).sum::<f64>();
    let raw = sse(&|i| y[i]);
    let js = sse(&|i| r.groups[i].shrunken);
    near(raw / js, 3.5, 0.05, "SSE ratio");
    // Unequal SEs are refused: JS is the equal-variance form.
    let mut bad = units.clone();
    bad[0].se *= 2.0;
    assert!(
        shrink(
            &bad,
            &ShrinkOptions {
                method: ShrinkMethod::Js,
                ..Default::default()
            }
        )
        .is_err()
    );
}

#[test]
fn eight_schools_has_no_detectable_between_school_variation() {
    let y = [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0];
    let sigma = [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0];
    let units: Vec<UnitEstimate> = y
        .iter()
        .zip(&sigma)
        .enumerate()
        .map(|(i, (&e, &s))| UnitEstimate {
            group: ((b'A' + i as u8) as char).to_string(),
            estimate: e,
            se: s,
        })
        .collect();
    for method in [ShrinkMethod::Dl, ShrinkMethod::Reml] {
        let r = shrink(
            &units,
            &ShrinkOptions {
                method,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(r.tau2, 0.0);
        assert!(!r.rankable);
        assert_eq!(r.message.as_deref(), Some(NO_VARIATION_MESSAGE));
        near(r.pooled_mean, 7.69, 5e-3, "pooled mean");
        near(r.pooled_se, 4.07, 5e-3, "pooled SE");
        assert!(r.q < 7.0, "Q = {} below its df", r.q);
        for g in &r.groups {
            assert_eq!(g.lambda, 0.0);
            near(
                g.shrunken,
                r.pooled_mean,
                1e-12,
                "collapses to the pooled mean",
            );
        }
    }
    let json = serde_json::to_value(shrink(&units, &ShrinkOptions::default()).unwrap()).unwrap();
    assert_eq!(json["rankable"], false);
    assert_eq!(json["method"], "dl");
    for key in ["pooled_mean", "pooled_se", "q", "tau2", "groups"] {
        assert!(json.get(key).is_some(), "{key} in JSON");
    }
}
