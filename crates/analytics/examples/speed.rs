//! Speed check: item analysis of 100,000 students × 40 items, and REML value-added for
//! 200,000 students in 100 schools. Data come from a tiny deterministic PRNG (no dependency).
//!
//! Run: `cargo run --release -p wuyu-analytics --example speed`
use std::time::Instant;

use wuyu_analytics::items::{ItemAnalysisOptions, ItemMatrix, item_analysis};
use wuyu_analytics::value_added::{Estimation, VaOptions, ols_dl, random_intercept};

/// SplitMix64: tiny, deterministic, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Standard normal by Box–Muller.
    fn normal(&mut self) -> f64 {
        let u = self.uniform().max(1e-300);
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

fn main() {
    let mut rng = Rng(20_240_901);

    // Items: ability θ, 30 items 0/1 and 10 items 0–4 points.
    let (n, k) = (100_000, 40);
    let max_points: Vec<f64> = (0..k).map(|j| if j < 30 { 1.0 } else { 4.0 }).collect();
    let difficulty: Vec<f64> = (0..k).map(|_| rng.normal()).collect();
    let mut data = Vec::with_capacity(n * k);
    for _ in 0..n {
        let theta = rng.normal();
        for (j, b) in difficulty.iter().enumerate() {
            let p = 1.0 / (1.0 + (-(theta - b)).exp());
            let x = if j < 30 {
                f64::from(rng.uniform() < p)
            } else {
                (0..4).filter(|_| rng.uniform() < p).count() as f64
            };
            data.push(x);
        }
    }
    let m = ItemMatrix::new(n, data, max_points).expect("valid matrix");
    let t = Instant::now();
    let a = item_analysis(&m, &ItemAnalysisOptions::default()).expect("analysis");
    let items_time = t.elapsed();
    println!(
        "item analysis {n} × {k}: {:.1} ms (α = {:.3})",
        items_time.as_secs_f64() * 1e3,
        a.alpha.unwrap_or(f64::NAN)
    );

    // Value-added: 100 schools with true effects, prior and outcome standardised-ish.
    let (students, schools) = (200_000, 100);
    let effects: Vec<f64> = (0..schools).map(|_| 0.3 * rng.normal()).collect();
    let mut y = Vec::with_capacity(students);
    let mut x = Vec::with_capacity(students);
    let mut g = Vec::with_capacity(students);
    for i in 0..students {
        let s = i % schools;
        let prior = rng.normal();
        x.push(prior);
        y.push(0.6 * prior + effects[s] + 0.75 * rng.normal());
        g.push(format!("S{s:03}"));
    }
    let priors = vec![("prior".to_string(), x)];
    let t = Instant::now();
    let r =
        random_intercept(&y, &priors, &g, Estimation::Reml, &VaOptions::default()).expect("reml");
    let reml_time = t.elapsed();
    println!(
        "REML value-added {students} students / {schools} schools: {:.1} ms (τ² = {:.4}, σ² = {:.4})",
        reml_time.as_secs_f64() * 1e3,
        r.tau2.unwrap_or(f64::NAN),
        r.sigma2.unwrap_or(f64::NAN)
    );
    let t = Instant::now();
    let d = ols_dl(&y, &priors, &g, &VaOptions::default()).expect("ols+dl");
    println!(
        "OLS + DL value-added {students} students: {:.1} ms (τ² = {:.4})",
        t.elapsed().as_secs_f64() * 1e3,
        d.tau2.unwrap_or(f64::NAN)
    );
}
