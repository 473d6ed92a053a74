//! Loading the external-check datasets copied into tests/data (from
//! shared/external-checks, originally vincentarelbundock/Rdatasets).
#![allow(dead_code)]

use std::path::PathBuf;

pub fn data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// All records of a CSV with headers, as (headers, string rows).
pub fn read_csv(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(data_path(name)).unwrap();
    let headers = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    (headers, rows)
}

pub fn col(headers: &[String], name: &str) -> usize {
    headers
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// LSAT section 6, 1000 × 5 (psych::lsat6).
pub fn lsat6() -> Vec<Vec<f64>> {
    let (h, rows) = read_csv("psych__lsat6.csv");
    let cols: Vec<usize> = (1..=5).map(|q| col(&h, &format!("Q{q}"))).collect();
    rows.iter()
        .map(|r| cols.iter().map(|&c| r[c].parse().unwrap()).collect())
        .collect()
}

/// Response patterns expanded from psych::bock.table; `count_col` is "Ob6" or "Ob7".
pub fn bock_expanded(count_col: &str) -> Vec<Vec<f64>> {
    let (h, rows) = read_csv("psych__bock.table.csv");
    let cols: Vec<usize> = (1..=5).map(|q| col(&h, &format!("Q{q}"))).collect();
    let cc = col(&h, count_col);
    let mut out = Vec::new();
    for r in &rows {
        let pattern: Vec<f64> = cols.iter().map(|&c| r[c].parse().unwrap()).collect();
        let count: usize = r[cc].parse().unwrap();
        for _ in 0..count {
            out.push(pattern.clone());
        }
    }
    out
}

pub fn near(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: {a} vs {b} (tol {tol})");
}

/// mlmRev::Exam: (normexam, standLRT, school) for 4,059 students in 65 schools.
pub fn exam() -> (Vec<f64>, Vec<f64>, Vec<String>) {
    let (h, rows) = read_csv("mlmRev__Exam.csv");
    let (y, x, s) = (col(&h, "normexam"), col(&h, "standLRT"), col(&h, "school"));
    let mut ys = Vec::new();
    let mut xs = Vec::new();
    let mut ss = Vec::new();
    for r in &rows {
        ys.push(r[y].parse().unwrap());
        xs.push(r[x].parse().unwrap());
        ss.push(r[s].clone());
    }
    (ys, xs, ss)
}
