//! `wuyu psych score` as a counsellor runs it on paper results: a GB18030 CSV with Chinese
//! headers, code-layout output; every row written with its results and a status; bad values
//! are row errors naming the column and value, never guessed. Expected totals are summed here
//! from the answers the test wrote; bands and levels are the §3 table's.
use std::path::Path;
use std::process::{Command, Output};

use wuyu_testkit::TempDir;

fn wuyu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wuyu"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").expect("BOM")).unwrap();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

#[test]
fn paper_results_are_scored_row_by_row_with_errors_named() {
    let dir = TempDir::tagged("psych-score");
    let mut header = vec!["学籍号".to_string(), "姓名".to_string()];
    header.extend((1..=9).map(|i| format!("PHQ-9 第{i}题")));
    header.extend((1..=7).map(|i| format!("GAD-7 第{i}题")));
    header.extend((1..=5).map(|i| format!("ASQ 第{i}题")));
    // (学籍号, PHQ answers, GAD answers, ASQ answers)
    type Row<'a> = (&'a str, [&'a str; 9], [&'a str; 7], [&'a str; 5]);
    let rows: [Row; 6] = [
        // Calm: PHQ 4 (minimal), GAD 3, ASQ negative: level 0.
        (
            "S01",
            ["1", "1", "1", "1", "0", "0", "0", "0", "0"],
            ["1", "1", "1", "0", "0", "0", "0"],
            ["no", "no", "no", "no", ""],
        ),
        // PHQ 12 (moderate), GAD 15 (severe): level 2 by GAD ≥ 15.
        (
            "S02",
            ["2", "2", "2", "2", "1", "1", "1", "1", "0"],
            ["3", "2", "2", "2", "2", "2", "2"],
            ["否", "否", "否", "否", ""],
        ),
        // PHQ item 9 = 2 and a refused ASQ item (refused counts as positive): level 3.
        (
            "S03",
            ["1", "0", "0", "0", "0", "0", "0", "0", "2"],
            ["0", "0", "0", "0", "0", "0", "0"],
            ["no", "不想回答", "no", "no", ""],
        ),
        // A missing PHQ item: no total (INCOMPLETE), but item 9 = 1 still raises level 2.
        (
            "S04",
            ["0", "", "0", "0", "0", "0", "0", "0", "1"],
            ["0", "0", "0", "0", "0", "0", "0"],
            ["no", "no", "no", "no", ""],
        ),
        // An answer of 4 on PHQ-9 and "maybe" on ASQ: an error row, nothing computed.
        (
            "S05",
            ["4", "0", "0", "0", "0", "0", "0", "0", "0"],
            ["0", "0", "0", "0", "0", "0", "0"],
            ["maybe", "no", "no", "no", ""],
        ),
        // The same student twice: the second is an error.
        (
            "S01",
            ["0", "0", "0", "0", "0", "0", "0", "0", "0"],
            ["0", "0", "0", "0", "0", "0", "0"],
            ["no", "no", "no", "no", ""],
        ),
    ];
    let mut text = header.join(",") + "\n";
    for (no, phq, gad, asq) in &rows {
        let mut cells = vec![no.to_string(), "学生".to_string()];
        cells.extend(phq.iter().chain(gad).chain(asq).map(|s| s.to_string()));
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    let input = dir.join("纸质答卷.csv");
    std::fs::write(&input, &gb).unwrap();
    let output = dir.join("结果.csv");
    let o = wuyu(&[
        "psych",
        "score",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
        "--columns",
        "code",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("共 6 行，完整 3，不完整 1，错误 2"),
        "{stderr}"
    );

    let out = read_csv(&output);
    let at = |name: &str| out[0].iter().position(|h| h == name).unwrap();
    assert_eq!(&out[0][..2], ["学籍号", "姓名"]);
    assert_eq!(out.len(), 7, "every row written");
    let sum = |a: &[&str]| a.iter().map(|v| v.parse::<u32>().unwrap_or(0)).sum::<u32>();
    let cell = |r: usize, name: &str| out[r][at(name)].clone();

    assert_eq!(cell(1, "phq9_total"), sum(&rows[0].1).to_string());
    assert_eq!(cell(1, "phq9_band"), "minimal");
    assert_eq!(cell(1, "gad7_total"), sum(&rows[0].2).to_string());
    assert_eq!(
        cell(1, "asq_result"),
        "negative",
        "Q5 is asked only after a yes"
    );
    assert_eq!(
        (cell(1, "level"), cell(1, "status")),
        ("0".into(), "OK".into())
    );

    assert_eq!(cell(2, "phq9_total"), "12");
    assert_eq!(cell(2, "phq9_band"), "moderate");
    assert_eq!(
        (cell(2, "gad7_total"), cell(2, "gad7_band")),
        ("15".into(), "severe".into())
    );
    assert_eq!(cell(2, "level"), "2");

    assert_eq!(
        cell(3, "asq_result"),
        "positive",
        "refused counts as positive"
    );
    assert_eq!(cell(3, "level"), "3");

    assert_eq!(
        (cell(4, "phq9_total"), cell(4, "phq9_band")),
        (String::new(), String::new())
    );
    assert_eq!(
        (cell(4, "level"), cell(4, "status")),
        ("2".into(), "INCOMPLETE".into())
    );
    assert!(cell(4, "message").contains("PHQ-9"));

    assert_eq!(cell(5, "status"), "ERROR");
    assert_eq!(cell(5, "level"), "");
    let m = cell(5, "message");
    assert!(m.contains("PHQ-9 第1题") && m.contains("“4”"), "{m}");
    assert!(m.contains("ASQ 第1题") && m.contains("maybe"), "{m}");
    assert_eq!(cell(6, "status"), "ERROR");
    assert!(cell(6, "message").contains("重复"));
}
