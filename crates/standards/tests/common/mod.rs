//! Reading the embedded CSVs independently of the crate's own parser (with the `csv` crate), so
//! the table walk compares the implementation with the files, not with itself.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;

use wuyu_domain::Sex;
use wuyu_standards::{FitnessGrade, FitnessItem};

pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// `../shared/standards/` of the workspace, where the copies come from.
pub fn shared_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/standards")
}

/// Every row of a data file as header → value maps, with the 1-based line number.
pub fn read(file: &str) -> Vec<(usize, HashMap<String, String>)> {
    let path = data_dir().join(file);
    let mut r = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let headers: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .enumerate()
        .map(|(i, rec)| {
            let rec = rec.unwrap();
            let map = headers
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect();
            (i + 2, map)
        })
        .collect()
}

pub fn sex(code: &str) -> Sex {
    match code {
        "M" => Sex::Male,
        "F" => Sex::Female,
        _ => panic!("sex {code}"),
    }
}

pub fn grade(code: &str) -> FitnessGrade {
    FitnessGrade::parse(code).unwrap_or_else(|e| panic!("grade {code}: {e}"))
}

/// `U` in fitness_bmi.csv stands for both university columns.
pub fn bmi_grades(code: &str) -> Vec<FitnessGrade> {
    if code == "U" {
        vec![FitnessGrade::U12, FitnessGrade::U34]
    } else {
        vec![grade(code)]
    }
}

pub fn item(code: &str) -> FitnessItem {
    FitnessItem::parse(code).unwrap_or_else(|e| panic!("item {code}: {e}"))
}

pub fn f(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("number {s:?}"))
}

/// A decimal with at most one decimal place as integer tenths, exactly.
pub fn tenths(s: &str) -> i64 {
    let (w, fr) = s.split_once('.').unwrap_or((s, "0"));
    assert_eq!(fr.len(), 1, "{s}");
    let neg = w.starts_with('-');
    let v = w.trim_start_matches('-').parse::<i64>().unwrap() * 10 + fr.parse::<i64>().unwrap();
    if neg { -v } else { v }
}

/// The double nearest to `tenths / 10`, i.e. what parsing the decimal string would give.
pub fn from_tenths(t: i64) -> f64 {
    t as f64 / 10.0
}

pub const SEXES: [Sex; 2] = [Sex::Male, Sex::Female];
