//! `wuyu analytics items | value-added | shrink` as an analyst runs them: the real binary on the
//! external-check datasets (copied into tests/data from shared/external-checks, originally
//! vincentarelbundock/Rdatasets), checking the published figures, the JSON contract of issue 4
//! (exactly the documented keys), the help text and the Chinese errors for bad input.
//!
//! Expectations are recomputed here from the CSVs where possible, not copied from the output.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use wuyu_testkit::TempDir;

use serde_json::Value;

/// A temp dir from wuyu-testkit (removed on drop), with this file's helpers.
struct Dir(TempDir);

impl Dir {
    fn new(tag: &str) -> Self {
        Self(TempDir::tagged(&format!("analytics-{tag}")))
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        self.0.write(name, bytes)
    }
}

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn wuyu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wuyu"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn analytics(cmd: &str, input: &Path, rest: &[&str]) -> Output {
    let mut args = vec!["analytics", cmd, input.to_str().unwrap()];
    args.extend_from_slice(rest);
    wuyu(&args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The JSON of a successful run.
fn ok_json(o: &Output) -> Value {
    assert!(o.status.success(), "failed: {}", stderr(o));
    serde_json::from_slice(&o.stdout).expect("stdout is JSON")
}

/// A failed run: non-zero exit, nothing on stdout, the Chinese message on stderr.
fn failure(o: &Output) -> String {
    assert!(!o.status.success(), "should fail, got {:?}", o.stdout);
    assert!(o.stdout.is_empty(), "stdout must stay empty on error");
    let e = stderr(o);
    assert!(e.contains("错误："), "{e}");
    e
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

fn assert_keys(v: &Value, want: &[&str]) {
    let mut want = want.to_vec();
    want.sort_unstable();
    assert_eq!(keys(v), want, "keys of {v}");
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn near(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: {a} vs {b} (tol {tol})");
}

/// (headers, rows) of a CSV in tests/data; the files are plain ASCII with no quoted commas.
fn read_csv(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(data(name)).unwrap();
    let mut lines = text.lines();
    let split = |l: &str| -> Vec<String> {
        l.split(',')
            .map(|c| c.trim_matches('"').to_string())
            .collect()
    };
    let h = split(lines.next().unwrap());
    (h, lines.filter(|l| !l.is_empty()).map(split).collect())
}

fn col(h: &[String], name: &str) -> usize {
    h.iter().position(|c| c == name).unwrap()
}

const PAPER_KEYS: &[&str] = &[
    "n", "k", "mean", "sd", "alpha", "kr20", "kr21", "sem", "items",
];
const ITEM_KEYS: &[&str] = &[
    "item",
    "difficulty",
    "discrimination",
    "point_biserial",
    "corrected_item_total",
    "alpha_if_deleted",
];
const VA_KEYS: &[&str] = &["model", "n", "coefficients", "sigma2", "tau2", "groups"];
const VA_GROUP_KEYS: &[&str] = &[
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
];
const SHRINK_KEYS: &[&str] = &[
    "method",
    "pooled_mean",
    "pooled_se",
    "q",
    "tau2",
    "rankable",
    "groups",
];
const SHRINK_GROUP_KEYS: &[&str] = &["group", "estimate", "se", "shrunken", "lambda"];

// ---------------------------------------------------------------------------------------------
// items

/// LSAT-6 as 1000 × 5 rows of 0/1.
fn lsat6_rows() -> Vec<Vec<f64>> {
    let (h, rows) = read_csv("psych__lsat6.csv");
    let cols: Vec<usize> = (1..=5).map(|q| col(&h, &format!("Q{q}"))).collect();
    rows.iter()
        .map(|r| cols.iter().map(|&c| r[c].parse().unwrap()).collect())
        .collect()
}

/// Cronbach's α from its definition (sample variances; the denominator cancels).
fn alpha(rows: &[Vec<f64>]) -> f64 {
    let k = rows[0].len();
    let var = |xs: &[f64]| {
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64
    };
    let item_vars: f64 = (0..k)
        .map(|j| var(&rows.iter().map(|r| r[j]).collect::<Vec<_>>()))
        .sum();
    let totals: Vec<f64> = rows.iter().map(|r| r.iter().sum()).collect();
    k as f64 / (k as f64 - 1.0) * (1.0 - item_vars / var(&totals))
}

/// D_j under the spec's tie rules (§3.2a), computed the slow and obvious way: walk the
/// students sorted by total, give weight 1 strictly inside the top/bottom g = 0.27·N, and
/// share (fractional) or take all (inclusive) of the boundary total.
fn discrimination(rows: &[Vec<f64>], j: usize, fractional: bool) -> f64 {
    let n = rows.len();
    let g = 0.27 * n as f64;
    let totals: Vec<f64> = rows.iter().map(|r| r.iter().sum()).collect();
    let side = |upper: bool| -> f64 {
        let mut sorted = totals.clone();
        sorted.sort_by(|a, b| {
            if upper {
                b.total_cmp(a)
            } else {
                a.total_cmp(b)
            }
        });
        let boundary = sorted[(g.ceil() as usize) - 1];
        let inside = |t: f64| if upper { t > boundary } else { t < boundary };
        let strictly = totals.iter().filter(|&&t| inside(t)).count() as f64;
        let at = totals.iter().filter(|&&t| t == boundary).count() as f64;
        let w_at = if fractional { (g - strictly) / at } else { 1.0 };
        let (mut sum, mut weight) = (0.0, 0.0);
        for (r, &t) in rows.iter().zip(&totals) {
            let w = if inside(t) {
                1.0
            } else if t == boundary {
                w_at
            } else {
                0.0
            };
            sum += w * r[j];
            weight += w;
        }
        sum / weight
    };
    side(true) - side(false)
}

fn check_lsat6(v: &Value, fractional: bool) {
    let rows = lsat6_rows();
    assert_keys(v, PAPER_KEYS);
    assert_eq!(v["n"], 1000);
    assert_eq!(v["k"], 5);
    near(f(&v["mean"]), 3.819, 1e-12, "mean total");
    // Published (ltm cronbach.alpha on LSAT): α = 0.2950; KR-20 is α for 0/1 items.
    near(f(&v["alpha"]), 0.2950, 5e-5, "α");
    near(f(&v["alpha"]), alpha(&rows), 1e-12, "α from its definition");
    near(f(&v["kr20"]), f(&v["alpha"]), 1e-12, "KR-20 = α");
    assert!(f(&v["kr21"]) <= f(&v["kr20"]), "KR-21 ≤ KR-20");
    let sd = f(&v["sd"]);
    near(
        f(&v["sem"]),
        sd * (1.0 - f(&v["alpha"])).sqrt(),
        1e-12,
        "SEM",
    );
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    // Published proportions correct and α if item deleted (ltm descript).
    let p = [0.924, 0.709, 0.553, 0.763, 0.870];
    let aid = [0.2754, 0.2376, 0.2168, 0.2459, 0.2663];
    // ltm's point-biserial uses the sample SD; ours is the Pearson r (population σ_T).
    let r_pb = [0.3618, 0.5665, 0.6181, 0.5342, 0.4351];
    let scale = (1000.0f64 / 999.0).sqrt();
    for (j, it) in items.iter().enumerate() {
        assert_keys(it, ITEM_KEYS);
        assert_eq!(it["item"], format!("Q{}", j + 1));
        let mean_j = rows.iter().map(|r| r[j]).sum::<f64>() / 1000.0;
        near(f(&it["difficulty"]), mean_j, 1e-12, "P from the data");
        near(f(&it["difficulty"]), p[j], 1e-12, "published P");
        near(f(&it["alpha_if_deleted"]), aid[j], 5e-5, "α if deleted");
        let rest: Vec<Vec<f64>> = rows
            .iter()
            .map(|r| (0..5).filter(|&i| i != j).map(|i| r[i]).collect())
            .collect();
        near(
            f(&it["alpha_if_deleted"]),
            alpha(&rest),
            1e-12,
            "α if deleted, recomputed",
        );
        near(f(&it["point_biserial"]), r_pb[j] * scale, 6e-5, "r_pb");
        assert!(f(&it["corrected_item_total"]) < f(&it["point_biserial"]));
        near(
            f(&it["discrimination"]),
            discrimination(&rows, j, fractional),
            1e-12,
            "D",
        );
    }
}

#[test]
fn items_lsat6_reproduces_the_published_reliability_and_difficulties() {
    let o = analytics("items", &data("psych__lsat6.csv"), &["--id", "rownames"]);
    check_lsat6(&ok_json(&o), true);
    // 0/1 items: no note about guessed full marks.
    assert!(!stderr(&o).contains("--full-marks"), "{}", stderr(&o));
}

#[test]
fn items_tie_rules_give_their_own_discrimination() {
    let file = data("psych__lsat6.csv");
    let frac = ok_json(&analytics(
        "items",
        &file,
        &["--id", "rownames", "--tie-rule", "fractional"],
    ));
    let incl = ok_json(&analytics(
        "items",
        &file,
        &["--id", "rownames", "--tie-rule", "inclusive"],
    ));
    check_lsat6(&frac, true);
    check_lsat6(&incl, false);
    // Same α, visibly different D (the spec's point about LSAT-6).
    assert_eq!(frac["alpha"], incl["alpha"]);
    let d = |v: &Value, j: usize| f(&v["items"][j]["discrimination"]);
    assert!((0..5).any(|j| (d(&frac, j) - d(&incl, j)).abs() > 0.01));
}

/// The Bock & Lieberman response-pattern table (pattern + frequency) expanded to one row per
/// respondent, written as a GB18030 CSV with Chinese headers as Excel on a Chinese Windows
/// saves it: the same 1000 people as psych::lsat6, so the same results.
#[test]
fn items_expanded_pattern_table_in_gb18030_matches_lsat6() {
    let (h, rows) = read_csv("psych__bock.table.csv");
    let qs: Vec<usize> = (1..=5).map(|q| col(&h, &format!("Q{q}"))).collect();
    let ob6 = col(&h, "Ob6");
    let mut csv = String::from("学号,第1题,第2题,第3题,第4题,第5题\r\n");
    let mut id = 0;
    for r in &rows {
        for _ in 0..r[ob6].parse::<usize>().unwrap() {
            id += 1;
            let cells: Vec<&str> = qs.iter().map(|&c| r[c].as_str()).collect();
            csv.push_str(&format!("S{id:04},{}\r\n", cells.join(",")));
        }
    }
    assert_eq!(id, 1000);
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&csv);
    assert!(!unmappable);
    let dir = Dir::new("bock");
    let file = dir.file("小题分.csv", &bytes);
    let v = ok_json(&analytics("items", &file, &["--id", "学号"]));
    let lsat = ok_json(&analytics(
        "items",
        &data("psych__lsat6.csv"),
        &["--id", "rownames"],
    ));
    near(f(&v["alpha"]), 0.2950, 5e-5, "α");
    for key in ["n", "k", "mean", "sd", "kr20", "kr21", "sem"] {
        near(f(&v[key]), f(&lsat[key]), 1e-12, key);
    }
    for j in 0..5 {
        assert_eq!(v["items"][j]["item"], format!("第{}题", j + 1));
        for key in &ITEM_KEYS[1..] {
            near(
                f(&v["items"][j][key]),
                f(&lsat["items"][j][key]),
                1e-12,
                key,
            );
        }
    }
}

#[test]
fn items_polytomous_blank_cells_and_absent_students() {
    let dir = Dir::new("poly");
    // Blank = unanswered = 0 (spec §3.1); a row with every item blank did not sit the paper.
    let file = dir.file(
        "poly.csv",
        "id,a,b,c\n1,2,1,4\n2,1,,3\n3,0,0,1\n4,,,\n5,2,1,2\n6,1,1,0\n".as_bytes(),
    );
    let o = analytics("items", &file, &["--id", "id", "--full-marks", "2,1,4"]);
    let v = ok_json(&o);
    assert_eq!(v["n"], 5);
    assert_eq!(v["kr20"], Value::Null, "not 0/1 items");
    assert_eq!(v["kr21"], Value::Null);
    near(
        f(&v["items"][0]["difficulty"]),
        6.0 / 5.0 / 2.0,
        1e-12,
        "P a",
    );
    near(f(&v["items"][1]["difficulty"]), 3.0 / 5.0, 1e-12, "P b");
    near(
        f(&v["items"][2]["difficulty"]),
        10.0 / 5.0 / 4.0,
        1e-12,
        "P c",
    );
    let e = stderr(&o);
    assert!(e.contains("第 5 行"), "absent row reported: {e}");
    assert!(e.contains("1 个空白"), "{e}");
    // A score above the given full marks names the cell.
    let e = failure(&analytics(
        "items",
        &file,
        &["--id", "id", "--full-marks", "1"],
    ));
    assert!(
        e.contains("第 2 行") && e.contains("“a”列") && e.contains("“2”"),
        "{e}"
    );
    // Without --full-marks the highest score is used, and stderr says so.
    let o = analytics("items", &file, &["--id", "id"]);
    ok_json(&o);
    assert!(stderr(&o).contains("--full-marks"), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------------------------
// value-added

fn exam_va(model: &str, rest: &[&str]) -> Value {
    let mut args = vec![
        "--outcome",
        "normexam",
        "--prior",
        "standLRT",
        "--group",
        "school",
        "--model",
        model,
    ];
    args.extend_from_slice(rest);
    let v = ok_json(&analytics("value-added", &data("mlmRev__Exam.csv"), &args));
    let mut want = VA_KEYS.to_vec();
    if v.get("message").is_some() {
        want.push("message");
    }
    assert_keys(&v, &want);
    assert_eq!(v["model"], model);
    for g in v["groups"].as_array().unwrap() {
        assert_keys(g, VA_GROUP_KEYS);
        assert!(matches!(
            g["class"].as_str(),
            None | Some("above" | "below" | "ns")
        ));
    }
    v
}

#[test]
fn value_added_reml_reproduces_lme4_on_exam() {
    let v = exam_va("reml", &[]);
    // lme4 (mlmRev vignette): normexam ~ standLRT + (1 | school), REML:
    // school variance 0.09384, residual 0.5659; β = 0.002391 (approx.), 0.5633.
    near(f(&v["tau2"]), 0.0938, 5e-5, "τ²");
    near(f(&v["sigma2"]), 0.5659, 5e-5, "σ²");
    let c = v["coefficients"].as_array().unwrap();
    assert_eq!(c.len(), 2);
    assert_eq!(c[0]["name"], "intercept");
    assert_eq!(c[1]["name"], "standLRT");
    near(f(&c[1]["estimate"]), 0.563, 5e-4, "β1");
    for x in c {
        assert_keys(x, &["name", "estimate", "se"]);
    }
    assert_eq!(v["n"], 4059);
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 65);
    assert_eq!(
        groups.iter().map(|g| g["n"].as_u64().unwrap()).sum::<u64>(),
        4059
    );
    // EB: λ_j = τ²/(τ² + σ²/n_j), û_j = λ_j r̄_j; suppressed below 10 students.
    let (t2, s2) = (f(&v["tau2"]), f(&v["sigma2"]));
    for g in groups {
        let n = g["n"].as_u64().unwrap() as f64;
        assert_eq!(g["suppressed"], n < 10.0);
        if n < 10.0 {
            assert_eq!(g["estimate"], Value::Null);
            continue;
        }
        let lambda = t2 / (t2 + s2 / n);
        near(f(&g["lambda"]), lambda, 1e-12, "λ");
        near(f(&g["shrunken"]), lambda * f(&g["estimate"]), 1e-12, "û");
        if n < 30.0 {
            assert_eq!(g["class"], Value::Null);
        }
    }
}

#[test]
fn value_added_every_model_fills_only_its_fields() {
    let ml = exam_va("ml", &[]);
    near(f(&ml["tau2"]), 0.092, 5e-4, "ML τ² (MLwiN IGLS)");
    near(f(&ml["sigma2"]), 0.566, 5e-4, "ML σ²");

    let ols = exam_va("ols", &["--min-compute", "1", "--min-classify", "1"]);
    near(
        f(&ols["coefficients"][1]["estimate"]),
        0.595,
        5e-4,
        "OLS β1",
    );
    assert_eq!(ols["tau2"], Value::Null);
    // With an intercept Σ n_j·VA_j = 0, and nothing is shrunk.
    let mut total = 0.0;
    for g in ols["groups"].as_array().unwrap() {
        total += g["n"].as_f64().unwrap() * f(&g["estimate"]);
        assert_eq!(g["shrunken"], Value::Null);
        assert_eq!(g["lambda"], Value::Null);
        assert_eq!(g["suppressed"], false);
        let class = g["class"].as_str().unwrap();
        let (lo, hi) = (f(&g["ci_low"]), f(&g["ci_high"]));
        let want = if lo > 0.0 {
            "above"
        } else if hi < 0.0 {
            "below"
        } else {
            "ns"
        };
        assert_eq!(class, want);
    }
    near(total, 0.0, 1e-9, "Σ n_j VA_j");

    let dl = exam_va("dl", &[]);
    assert!(f(&dl["tau2"]) > 0.0);
    for g in dl["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["suppressed"] == false)
    {
        let (e, s) = (f(&g["estimate"]), f(&g["shrunken"]));
        assert!(s.abs() <= e.abs() && s * e >= 0.0, "shrunk toward 0");
    }

    for model in ["gain", "standard"] {
        let v = exam_va(model, &[]);
        assert_eq!(v["coefficients"], Value::Null);
        assert_eq!(v["sigma2"], Value::Null);
        assert_eq!(v["tau2"], Value::Null);
        for g in v["groups"].as_array().unwrap() {
            assert_eq!(g["shrunken"], Value::Null);
        }
    }
    // Raw gain is not centred, so it is never classified; school 1's gain recomputed.
    let gain = exam_va("gain", &[]);
    let (h, rows) = read_csv("mlmRev__Exam.csv");
    let (y, x, s) = (col(&h, "normexam"), col(&h, "standLRT"), col(&h, "school"));
    let g1: Vec<f64> = rows
        .iter()
        .filter(|r| r[s] == "1")
        .map(|r| r[y].parse::<f64>().unwrap() - r[x].parse::<f64>().unwrap())
        .collect();
    let school1 = gain["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == "1")
        .unwrap();
    near(
        f(&school1["estimate"]),
        g1.iter().sum::<f64>() / g1.len() as f64,
        1e-12,
        "gain",
    );
    assert!(
        gain["groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["class"].is_null())
    );
}

#[test]
fn value_added_excludes_rows_with_a_missing_score_and_says_so() {
    let text = std::fs::read_to_string(data("mlmRev__Exam.csv")).unwrap();
    let (h, _) = read_csv("mlmRev__Exam.csv");
    let (yc, xc) = (col(&h, "normexam"), col(&h, "standLRT"));
    let mut blanked = Vec::new();
    let mut dropped = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut cells: Vec<&str> = line.split(',').collect();
        // Data lines 10, 20, 30 lose the outcome; 40, 50 the prior.
        match i {
            10 | 20 | 30 => cells[yc] = "",
            40 | 50 => cells[xc] = " ",
            _ => {
                dropped.push(line.to_string());
                blanked.push(line.to_string());
                continue;
            }
        }
        blanked.push(cells.join(","));
    }
    let dir = Dir::new("missing");
    let with_blanks = dir.file("blanks.csv", blanked.join("\n").as_bytes());
    let without = dir.file("without.csv", dropped.join("\n").as_bytes());
    let args = [
        "--outcome",
        "normexam",
        "--prior",
        "standLRT",
        "--group",
        "school",
        "--model",
        "ols",
    ];
    let o = analytics("value-added", &with_blanks, &args);
    let a = ok_json(&o);
    let b = ok_json(&analytics("value-added", &without, &args));
    assert_eq!(a["n"], 4054);
    assert_eq!(a, b, "excluding = deleting those rows");
    let e = stderr(&o);
    assert!(
        e.contains("5 行") && e.contains("第 11、21、31、41、51 行"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// shrink

const EIGHT_SCHOOLS: &str =
    "school,y,sigma\nA,28,15\nB,8,10\nC,-3,16\nD,7,11\nE,-1,9\nF,1,11\nG,18,10\nH,12,18\n";

fn check_shrink_keys(v: &Value) {
    let mut want = SHRINK_KEYS.to_vec();
    if v.get("message").is_some() {
        want.push("message");
    }
    assert_keys(v, &want);
    for g in v["groups"].as_array().unwrap() {
        assert_keys(g, SHRINK_GROUP_KEYS);
    }
}

#[test]
fn shrink_dl_eight_schools_pools_completely_and_says_do_not_rank() {
    let dir = Dir::new("eight");
    let file = dir.file("eight.csv", EIGHT_SCHOOLS.as_bytes());
    let v = ok_json(&analytics(
        "shrink",
        &file,
        &[
            "--estimate",
            "y",
            "--se",
            "sigma",
            "--group",
            "school",
            "--method",
            "dl",
        ],
    ));
    check_shrink_keys(&v);
    assert_eq!(v["method"], "dl");
    assert_eq!(f(&v["tau2"]), 0.0);
    assert_eq!(v["rankable"], false);
    assert!(v["message"].as_str().unwrap().contains("do not rank"));
    // Precision-weighted mean and its SE (Rubin 1981: 7.7 ± 4.1), recomputed.
    let y = [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0];
    let s = [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0];
    let w: Vec<f64> = s.iter().map(|s: &f64| 1.0 / (s * s)).collect();
    let sw: f64 = w.iter().sum();
    let mean = w.iter().zip(&y).map(|(w, y)| w * y).sum::<f64>() / sw;
    let q: f64 = w.iter().zip(&y).map(|(w, y)| w * (y - mean).powi(2)).sum();
    near(f(&v["pooled_mean"]), mean, 1e-12, "pooled mean");
    near(f(&v["pooled_mean"]), 7.69, 5e-3, "published pooled mean");
    near(f(&v["pooled_se"]), (1.0 / sw).sqrt(), 1e-12, "pooled SE");
    near(f(&v["q"]), q, 1e-12, "Q");
    assert!(q < 7.0, "Q below its df: τ̂² = 0");
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 8);
    for (g, (yj, sj)) in groups.iter().zip(y.iter().zip(&s)) {
        assert_eq!(f(&g["estimate"]), *yj);
        assert_eq!(f(&g["se"]), *sj);
        near(f(&g["shrunken"]), mean, 1e-12, "collapsed to the mean");
        assert_eq!(f(&g["lambda"]), 0.0);
    }
    assert_eq!(groups[0]["group"], "A");
}

#[test]
fn shrink_reads_xlsx_and_names_units_by_row_without_group() {
    let dir = Dir::new("xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("八校").unwrap();
    ws.write_string(0, 0, "估计").unwrap();
    ws.write_string(0, 1, "标准误").unwrap();
    for (i, line) in EIGHT_SCHOOLS.lines().skip(1).enumerate() {
        let c: Vec<&str> = line.split(',').collect();
        ws.write_number(i as u32 + 1, 0, c[1].parse::<f64>().unwrap())
            .unwrap();
        ws.write_number(i as u32 + 1, 1, c[2].parse::<f64>().unwrap())
            .unwrap();
    }
    let path = dir.0.join("eight.xlsx");
    wb.save(&path).unwrap();
    let v = ok_json(&analytics(
        "shrink",
        &path,
        &["--estimate", "估计", "--se", "标准误", "--method", "dl"],
    ));
    check_shrink_keys(&v);
    assert_eq!(v["rankable"], false);
    let names: Vec<&str> = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["2", "3", "4", "5", "6", "7", "8", "9"]);
}

/// Efron & Morris (1977): 18 batting averages after 45 at-bats, σ² = ȳ(1 − ȳ)/45, James–Stein
/// shrinks each toward ȳ = 0.265 by c = 0.212.
#[test]
fn shrink_js_efron_morris() {
    let (h, rows) = read_csv("pscl__EfronMorris.csv");
    let (nc, yc) = (col(&h, "name"), col(&h, "y"));
    let y: Vec<f64> = rows.iter().map(|r| r[yc].parse().unwrap()).collect();
    let ybar = y.iter().sum::<f64>() / y.len() as f64;
    let se = (ybar * (1.0 - ybar) / 45.0).sqrt();
    let mut csv = String::from("player,avg45,se\n");
    for r in &rows {
        csv.push_str(&format!("{},{},{se}\n", r[nc], r[yc]));
    }
    let dir = Dir::new("em");
    let file = dir.file("em.csv", csv.as_bytes());
    let v = ok_json(&analytics(
        "shrink",
        &file,
        &[
            "--estimate",
            "avg45",
            "--se",
            "se",
            "--group",
            "player",
            "--method",
            "js",
        ],
    ));
    check_shrink_keys(&v);
    assert_eq!(v["method"], "js");
    near(f(&v["pooled_mean"]), 0.265, 5e-4, "ȳ");
    assert_eq!(v["rankable"], true);
    let s: f64 = y.iter().map(|x| (x - ybar).powi(2)).sum();
    let c = 1.0 - 15.0 * se * se / s;
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 18);
    assert_eq!(groups[0]["group"], "Roberto Clemente");
    for (g, yj) in groups.iter().zip(&y) {
        near(f(&g["lambda"]), 0.212, 5e-4, "published c");
        near(f(&g["lambda"]), c, 1e-12, "c");
        near(
            f(&g["shrunken"]),
            ybar + c * (yj - ybar),
            1e-12,
            "JS estimate",
        );
    }
    // Unequal SEs are refused for James–Stein.
    let e = failure(&analytics(
        "shrink",
        &dir.file("eight.csv", EIGHT_SCHOOLS.as_bytes()),
        &["--estimate", "y", "--se", "sigma", "--method", "js"],
    ));
    assert!(e.contains("eight.csv"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// errors and help

#[test]
fn missing_column_is_named_with_the_file_and_the_columns_it_has() {
    let e = failure(&analytics(
        "value-added",
        &data("mlmRev__Exam.csv"),
        &[
            "--outcome",
            "normexam",
            "--prior",
            "LRT",
            "--group",
            "school",
            "--model",
            "ols",
        ],
    ));
    assert!(e.contains("mlmRev__Exam.csv"), "{e}");
    assert!(e.contains("“LRT”") && e.contains("--prior"), "{e}");
    assert!(e.contains("“standLRT”"), "lists the columns it has: {e}");
    let e = failure(&analytics(
        "items",
        &data("psych__lsat6.csv"),
        &["--id", "学号"],
    ));
    assert!(e.contains("没有“学号”列"), "{e}");
}

#[test]
fn non_numeric_cell_names_file_row_column_and_value() {
    let dir = Dir::new("bad");
    let items = dir.file(
        "items.csv",
        "学号,Q1,Q2,Q3\nA,1,0,1\nB,0,1,1\nC,1,缺考,0\n".as_bytes(),
    );
    let e = failure(&analytics("items", &items, &["--id", "学号"]));
    assert!(e.contains("items.csv"), "{e}");
    assert!(
        e.contains("第 4 行") && e.contains("“Q2”列") && e.contains("“缺考”"),
        "{e}"
    );
    assert!(e.contains("不是数字"), "{e}");

    let va = dir.file("va.csv", "school,y,x\n1,0.5,0.1\n1,abc,0.2\n".as_bytes());
    let e = failure(&analytics(
        "value-added",
        &va,
        &[
            "--outcome",
            "y",
            "--prior",
            "x",
            "--group",
            "school",
            "--model",
            "reml",
        ],
    ));
    assert!(
        e.contains("va.csv") && e.contains("第 3 行") && e.contains("“y”列") && e.contains("“abc”"),
        "{e}"
    );

    let sh = dir.file("sh.csv", "u,e,s\nA,1,0.5\nB,2,\n".as_bytes());
    let e = failure(&analytics(
        "shrink",
        &sh,
        &["--estimate", "e", "--se", "s", "--method", "dl"],
    ));
    assert!(
        e.contains("第 3 行") && e.contains("“s”列") && e.contains("空"),
        "{e}"
    );
    let sh = dir.file("sh0.csv", "u,e,s\nA,1,0.5\nB,2,0\n".as_bytes());
    let e = failure(&analytics(
        "shrink",
        &sh,
        &["--estimate", "e", "--se", "s", "--method", "dl"],
    ));
    assert!(e.contains("第 3 行") && e.contains("“0”"), "{e}");
}

#[test]
fn empty_or_header_only_files_are_refused() {
    let dir = Dir::new("empty");
    let empty = dir.file("empty.csv", b"");
    let e = failure(&analytics("items", &empty, &[]));
    assert!(e.contains("empty.csv") && e.contains("空"), "{e}");
    let header = dir.file("header.csv", "u,e,s\n".as_bytes());
    let e = failure(&analytics(
        "shrink",
        &header,
        &["--estimate", "e", "--se", "s", "--method", "dl"],
    ));
    assert!(e.contains("header.csv") && e.contains("没有数据行"), "{e}");
    let e = failure(&analytics("items", &dir.0.join("nope.csv"), &[]));
    assert!(e.contains("nope.csv"), "{e}");
}

#[test]
fn help_documents_every_option() {
    let text = |args: &[&str]| {
        let o = wuyu(args);
        assert!(o.status.success());
        String::from_utf8(o.stdout).unwrap()
    };
    let top = text(&["analytics", "--help"]);
    for cmd in ["items", "value-added", "shrink"] {
        assert!(top.contains(cmd), "{top}");
    }
    let items = text(&["analytics", "items", "--help"]);
    for s in [
        "INPUT",
        "--id",
        "--tie-rule",
        "fractional",
        "inclusive",
        "--full-marks",
        "alpha_if_deleted",
        "示例",
    ] {
        assert!(items.contains(s), "items --help lacks {s}:\n{items}");
    }
    let va = text(&["analytics", "value-added", "--help"]);
    for s in [
        "INPUT",
        "--outcome",
        "--prior",
        "--group",
        "--model",
        "gain",
        "standard",
        "ols",
        "dl",
        "ml",
        "reml",
        "--min-compute",
        "--min-classify",
        "suppressed",
        "示例",
    ] {
        assert!(va.contains(s), "value-added --help lacks {s}:\n{va}");
    }
    let sh = text(&["analytics", "shrink", "--help"]);
    for s in [
        "INPUT",
        "--estimate",
        "--se",
        "--group",
        "--method",
        "dl",
        "js",
        "rankable",
        "示例",
    ] {
        assert!(sh.contains(s), "shrink --help lacks {s}:\n{sh}");
    }
}
