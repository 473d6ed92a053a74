//! `wuyu analytics satisfaction` as an analyst runs it on a survey done on paper or on another
//! site: the real binary on files generated here (CSV in UTF-8 and GB18030, XLSX with numeric
//! cells), the JSON contract of issue 15 key by key, the spec's §7 test vector, suppression at
//! 29/30 and 4/5, and Chinese errors naming file, row, column and value.
//!
//! Expected numbers are recomputed here from the counts the generator wrote, with the spec's
//! formulas written out again (not taken from the library).
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use wuyu_testkit::TempDir;

const LABELS: [&str; 5] = ["非常不满意", "不满意", "基本满意", "满意", "非常满意"];
const GROUP_KEYS: &[&str] = &[
    "group",
    "n",
    "top2_rate",
    "ci_low",
    "ci_high",
    "top3_rate",
    "mean",
    "index",
    "unknown_share",
    "suppressed",
];
const NUMBERS: &[&str] = &[
    "top2_rate",
    "ci_low",
    "ci_high",
    "top3_rate",
    "mean",
    "index",
    "unknown_share",
];

fn satisfaction(input: &Path, rest: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wuyu"))
        .args(["analytics", "satisfaction", input.to_str().unwrap()])
        .args(rest)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok_json(o: &Output) -> Value {
    assert!(o.status.success(), "failed: {}", stderr(o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("stdout is JSON");
    check_keys(&v);
    v
}

/// A failed run: non-zero exit, nothing on stdout, the Chinese message on stderr.
fn failure(o: &Output) -> String {
    assert!(!o.status.success(), "should fail, got {:?}", o.stdout);
    assert!(o.stdout.is_empty(), "stdout must stay empty on error");
    let e = stderr(o);
    assert!(e.contains("错误："), "{e}");
    e
}

/// Exactly the keys issue 15 documents, at every level.
fn check_keys(v: &Value) {
    let top: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(top, ["items"]);
    for item in v["items"].as_array().unwrap() {
        let mut k: Vec<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(|s| s.as_str())
            .collect();
        k.sort_unstable();
        assert_eq!(k, ["groups", "item"]);
        for g in item["groups"].as_array().unwrap() {
            let mut k: Vec<&str> = g.as_object().unwrap().keys().map(|s| s.as_str()).collect();
            k.sort_unstable();
            let mut want = GROUP_KEYS.to_vec();
            want.sort_unstable();
            assert_eq!(k, want);
        }
    }
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn near(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: {a} vs {b} (tol {tol})");
}

/// Group `name` of the item at `i`.
fn group<'a>(v: &'a Value, i: usize, name: &str) -> &'a Value {
    v["items"][i]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == name)
        .unwrap_or_else(|| panic!("no group {name} in {v}"))
}

/// Answers of one item in one group: counts of points 1..=5, 不了解, blanks.
#[derive(Clone, Copy, Default)]
struct Counts {
    points: [usize; 5],
    unknown: usize,
}

impl Counts {
    fn n(&self) -> usize {
        self.points.iter().sum()
    }
}

/// The spec's formulas (§7.2) from the counts: top-2, Wilson 95 %, top-3, mean, index.
fn check_group(g: &Value, c: &Counts, what: &str) {
    let n = c.n() as f64;
    assert_eq!(g["n"], c.n(), "{what}");
    assert_eq!(g["suppressed"], false, "{what}");
    let p = (c.points[3] + c.points[4]) as f64 / n;
    let z: f64 = 1.96;
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / (1.0 + z * z / n);
    let mean = c
        .points
        .iter()
        .enumerate()
        .map(|(i, &k)| (i + 1) as f64 * k as f64)
        .sum::<f64>()
        / n;
    near(f(&g["top2_rate"]), p, 1e-12, what);
    near(f(&g["ci_low"]), centre - half, 1e-9, what);
    near(f(&g["ci_high"]), centre + half, 1e-9, what);
    near(
        f(&g["top3_rate"]),
        (c.points[2] + c.points[3] + c.points[4]) as f64 / n,
        1e-12,
        what,
    );
    near(f(&g["mean"]), mean, 1e-12, what);
    near(f(&g["index"]), 25.0 * (mean - 1.0), 1e-9, what);
    near(
        f(&g["unknown_share"]),
        c.unknown as f64 / (n + c.unknown as f64),
        1e-12,
        what,
    );
}

fn check_suppressed(g: &Value, n: usize, what: &str) {
    assert_eq!(g["n"], n, "{what}");
    assert_eq!(g["suppressed"], true, "{what}");
    for k in NUMBERS {
        assert!(g[k].is_null(), "{what}: {k} must be null, got {}", g[k]);
    }
}

/// A tiny deterministic generator (xorshift), so the file is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A parents' survey of three schools with uneven satisfaction: rows of (学校, 总体满意,
/// 课后服务), answers written as labels, digits, 不了解 or left blank; and the counts per
/// (item, school).
fn parents_survey(rows_per_school: &[(&str, usize)]) -> (String, Vec<Vec<Counts>>) {
    let mut rng = Rng(0x5eed_2024);
    let mut csv = String::from("学校,家长编号,总体满意,课后服务\n");
    let mut counts = vec![vec![Counts::default(); rows_per_school.len()]; 2];
    let mut id = 0;
    for (s, &(school, rows)) in rows_per_school.iter().enumerate() {
        for _ in 0..rows {
            id += 1;
            let mut cells = Vec::new();
            for (item, per_school) in counts.iter_mut().enumerate() {
                // School 0 is well liked, school 2 much less (skew the point by school).
                let r = rng.below(100);
                let cell = if r < 4 {
                    per_school[s].unknown += 1;
                    if r < 2 { "不了解" } else { "不清楚" }.to_string()
                } else if r < 6 {
                    String::new()
                } else {
                    let point = (1 + rng.below(5) as usize + (2 - s)).min(5);
                    per_school[s].points[point - 1] += 1;
                    if (r + item as u64).is_multiple_of(3) {
                        point.to_string()
                    } else {
                        LABELS[point - 1].to_string()
                    }
                };
                cells.push(cell);
            }
            csv.push_str(&format!("{school},P{id:05},{},{}\n", cells[0], cells[1]));
        }
    }
    (csv, counts)
}

#[test]
fn spec_7_test_vector_without_group() {
    let dir = TempDir::tagged("satisfaction-spec");
    let mut csv = String::from("问卷号,满意度\n");
    let mut row = 0;
    for (label, count) in [
        ("非常满意", 80),
        ("满意", 70),
        ("基本满意", 30),
        ("不满意", 12),
        ("非常不满意", 3),
        ("不了解", 5),
    ] {
        for _ in 0..count {
            row += 1;
            csv.push_str(&format!("{row},{label}\n"));
        }
    }
    let path = dir.write("spec.csv", csv);
    let v = ok_json(&satisfaction(&path, &["--item", "满意度"]));
    assert_eq!(v["items"][0]["item"], "满意度");
    let groups = v["items"][0]["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    let g = &groups[0];
    assert_eq!(g["group"], "全部");
    assert_eq!(g["n"], 195);
    // The spec's published figures: 76.92 %, Wilson 70.52–82.28 %, top-3 92.31 %, mean 4.0872,
    // index 77.18.
    near(f(&g["top2_rate"]), 0.7692, 5e-5, "top-2");
    near(f(&g["ci_low"]), 0.7052, 5e-5, "ci_low");
    near(f(&g["ci_high"]), 0.8228, 5e-5, "ci_high");
    near(f(&g["top3_rate"]), 0.9231, 5e-5, "top-3");
    near(f(&g["mean"]), 4.0872, 5e-5, "mean");
    near(f(&g["index"]), 77.18, 5e-3, "index");
    near(f(&g["unknown_share"]), 5.0 / 200.0, 1e-12, "unknown share");
}

#[test]
fn schools_with_uneven_satisfaction_and_suppression_at_29_30() {
    let dir = TempDir::tagged("satisfaction-schools");
    let (csv, counts) = parents_survey(&[("城关一小", 240), ("河西小学", 150), ("北山小学", 90)]);
    let path = dir.write("parents.csv", &csv);
    let v = ok_json(&satisfaction(
        &path,
        &[
            "--item",
            "总体满意",
            "--item",
            "课后服务",
            "--group",
            "学校",
        ],
    ));
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["item"], "总体满意");
    assert_eq!(items[1]["item"], "课后服务");
    for (i, per_school) in counts.iter().enumerate() {
        // Groups come sorted by name.
        let names: Vec<&str> = items[i]["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["group"].as_str().unwrap())
            .collect();
        let mut sorted = vec!["城关一小", "河西小学", "北山小学"];
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        for (s, name) in ["城关一小", "河西小学", "北山小学"].iter().enumerate() {
            check_group(group(&v, i, name), &per_school[s], &format!("{i} {name}"));
        }
        // Uneven by construction: the first school is the best liked.
        assert!(f(&group(&v, i, "城关一小")["index"]) > f(&group(&v, i, "北山小学")["index"]));
    }

    // Cut the last school to exactly 30 and then 29 valid answers of 总体满意.
    let valid_rows = |csv: &str, school: &str, keep: usize| -> String {
        let mut kept = 0;
        let mut out = String::new();
        for (i, line) in csv.lines().enumerate() {
            let cells: Vec<&str> = line.split(',').collect();
            if i > 0 && cells[0] == school {
                if kept == keep || point_of(cells[2]).is_none() {
                    continue;
                }
                kept += 1;
            }
            out.push_str(line);
            out.push('\n');
        }
        out
    };
    let at_30 = dir.write("at30.csv", valid_rows(&csv, "北山小学", 30));
    let v = ok_json(&satisfaction(
        &at_30,
        &["--item", "总体满意", "--group", "学校"],
    ));
    let g = group(&v, 0, "北山小学");
    assert_eq!(g["n"], 30);
    assert_eq!(g["suppressed"], false);
    let at_29 = dir.write("at29.csv", valid_rows(&csv, "北山小学", 29));
    let v = ok_json(&satisfaction(
        &at_29,
        &["--item", "总体满意", "--group", "学校"],
    ));
    check_suppressed(group(&v, 0, "北山小学"), 29, "29 parents");
    assert_eq!(group(&v, 0, "城关一小")["suppressed"], false);
}

/// The point a generated cell holds (digits or a label), `None` for 不了解 and blanks.
fn point_of(cell: &str) -> Option<usize> {
    cell.parse::<usize>()
        .ok()
        .or_else(|| LABELS.iter().position(|l| *l == cell).map(|i| i + 1))
}

#[test]
fn never_a_group_under_five_and_teachers_minimum() {
    let dir = TempDir::tagged("satisfaction-floor");
    // 师德 peer evaluation: teacher 甲 rated by 4 colleagues, 乙 by 5, 丙 by 10.
    let mut csv = String::from("被评教师,师德\n");
    for (teacher, n) in [("甲", 4), ("乙", 5), ("丙", 10)] {
        for i in 0..n {
            csv.push_str(&format!("{teacher},{}\n", 5 - i % 3));
        }
    }
    let path = dir.write("peers.csv", csv);
    let o = satisfaction(
        &path,
        &["--item", "师德", "--group", "被评教师", "--min-n", "3"],
    );
    let v = ok_json(&o);
    assert!(
        stderr(&o).contains("少于 5 人的组一律不报告"),
        "{}",
        stderr(&o)
    );
    check_suppressed(group(&v, 0, "甲"), 4, "4 colleagues");
    // 乙: points 5,4,3,5,4 → top-2 4/5, mean 21/5 = 4.2.
    let g = group(&v, 0, "乙");
    assert_eq!(g["suppressed"], false);
    near(f(&g["top2_rate"]), 0.8, 1e-12, "乙");
    near(f(&g["mean"]), 4.2, 1e-12, "乙");
    // With the teachers' minimum of 10, only 丙 is reported.
    let v = ok_json(&satisfaction(
        &path,
        &["--item", "师德", "--group", "被评教师", "--min-n", "10"],
    ));
    check_suppressed(group(&v, 0, "乙"), 5, "5 colleagues, min 10");
    assert_eq!(group(&v, 0, "丙")["suppressed"], false);
    // The default minimum is the parents' 30.
    let v = ok_json(&satisfaction(
        &path,
        &["--item", "师德", "--group", "被评教师"],
    ));
    check_suppressed(group(&v, 0, "丙"), 10, "10 colleagues, default min");
}

#[test]
fn xlsx_with_numeric_cells_and_gb18030_csv_give_the_same_numbers() {
    let dir = TempDir::tagged("satisfaction-xlsx");
    let (csv, counts) = parents_survey(&[("城关一小", 60), ("北山小学", 45)]);
    // The same answers as numbers 1–5 in an XLSX (labels turned into digits, 不了解 kept).
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("家长问卷").unwrap();
    for (r, line) in csv.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let (r, c) = (r as u32, c as u16);
            match point_of(cell).filter(|_| r > 0 && c >= 2) {
                Some(p) => ws.write_number(r, c, p as f64).map(|_| ()),
                None if cell.is_empty() => Ok(()),
                None => ws.write_string(r, c, cell).map(|_| ()),
            }
            .unwrap();
        }
    }
    let xlsx = dir.join("parents.xlsx");
    wb.save(&xlsx).unwrap();
    let (gb, _, _) = encoding_rs::GB18030.encode(&csv);
    let gb = dir.write("parents-gb.csv", gb);
    let args = [
        "--item",
        "总体满意",
        "--item",
        "课后服务",
        "--group",
        "学校",
        "--min-n",
        "20",
    ];
    let from_xlsx = ok_json(&satisfaction(&xlsx, &args));
    let from_gb = ok_json(&satisfaction(&gb, &args));
    assert_eq!(from_xlsx, from_gb);
    for (i, per_school) in counts.iter().enumerate() {
        for (s, name) in ["城关一小", "北山小学"].iter().enumerate() {
            check_group(group(&from_xlsx, i, name), &per_school[s], name);
        }
    }
}

fn bad_file(dir: &TempDir, name: &str, csv: &str) -> PathBuf {
    dir.write(name, csv)
}

#[test]
fn bad_answers_and_columns_are_named() {
    let dir = TempDir::tagged("satisfaction-bad");
    let path = bad_file(
        &dir,
        "bad.csv",
        "学校,总体满意\n一小,满意\n一小,非常满意\n一小,比较满意\n",
    );
    let e = failure(&satisfaction(&path, &["--item", "总体满意"]));
    // Row 4 as Excel shows it (the header is row 1), the column and the value.
    assert!(e.contains("bad.csv"), "{e}");
    assert!(e.contains("第 4 行"), "{e}");
    assert!(e.contains("“总体满意”列"), "{e}");
    assert!(e.contains("“比较满意”"), "{e}");
    assert!(e.contains("非常满意、满意、基本满意"), "{e}");

    let path = bad_file(&dir, "six.csv", "学校,总体满意\n一小,6\n");
    let e = failure(&satisfaction(&path, &["--item", "总体满意"]));
    assert!(e.contains("第 2 行") && e.contains("“6”"), "{e}");

    let path = bad_file(&dir, "ok.csv", "学校,总体满意\n一小,满意\n,满意\n");
    let e = failure(&satisfaction(&path, &["--item", "满意度"]));
    assert!(
        e.contains("没有“满意度”列") && e.contains("“总体满意”"),
        "{e}"
    );
    let e = failure(&satisfaction(
        &path,
        &["--item", "总体满意", "--group", "学校"],
    ));
    assert!(e.contains("第 3 行") && e.contains("“学校”列是空的"), "{e}");
    let e = failure(&satisfaction(
        &path,
        &["--item", "总体满意", "--item", "总体满意"],
    ));
    assert!(e.contains("两次"), "{e}");
    let e = failure(&satisfaction(&path, &["--item", "学校", "--group", "学校"]));
    assert!(e.contains("既是 --group 又是 --item"), "{e}");

    let path = bad_file(&dir, "empty.csv", "学校,总体满意\n");
    let e = failure(&satisfaction(&path, &["--item", "总体满意"]));
    assert!(e.contains("没有数据行"), "{e}");
}

#[test]
fn help_documents_the_contract() {
    let o = Command::new(env!("CARGO_BIN_EXE_wuyu"))
        .args(["analytics", "satisfaction", "--help"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let h = String::from_utf8_lossy(&o.stdout);
    for want in [
        "--item",
        "--group",
        "--min-n",
        "不了解",
        "unknown_share",
        "示例",
    ] {
        assert!(h.contains(want), "help lacks {want}: {h}");
    }
}
