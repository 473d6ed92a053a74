//! `wuyu staff levels` as a personnel office runs it: a Chinese-header CSV with the spec's
//! §6.3 teachers, out-of-N cases, an award school's tie at the cap, sanctions and two small
//! schools pooled at the district; a code-layout XLSX with the cap examples; a bad file refused
//! with every error named and nothing written.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use wuyu_testkit::TempDir;

fn wuyu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wuyu"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn levels(input: &Path, output: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "staff",
        "levels",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    wuyu(&args)
}

/// A result file read back through the same reader the tool uses.
struct Sheet {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Sheet {
    fn read(path: &Path) -> Self {
        let bytes = std::fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        if name.ends_with(".csv") {
            assert!(
                bytes.starts_with(b"\xEF\xBB\xBF"),
                "CSV output starts with a BOM"
            );
        }
        let t = wuyu_ingest::read_tables(name, &bytes).unwrap();
        let table = &t.tables[0];
        let width = table.header.len();
        Sheet {
            header: table.header.clone(),
            rows: table
                .rows()
                .map(|r| (0..width).map(|c| r.get(c).to_string()).collect())
                .collect(),
        }
    }

    /// The value of column `col` on the row whose `key` column is `id`.
    fn get(&self, key: &str, id: &str, col: &str) -> &str {
        let k = self.col(key);
        let row = self
            .rows
            .iter()
            .find(|r| r[k] == id)
            .unwrap_or_else(|| panic!("no row {id}"));
        &row[self.col(col)]
    }

    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", self.header))
    }
}

const HEADER_ZH: &str =
    "学校,单位考核结果,工号,考核得分,组织评价得分,初任月数,病事假天数,立案调查,师德违规,处分";

fn write(path: &PathBuf, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_district_file_with_chinese_headers() {
    let dir = TempDir::tagged("staff-levels-zh");
    let input = dir.join("2024年度考核.csv");
    let mut csv = format!("{HEADER_ZH}\n");
    // 一中: the §6.3 vector, N = 12 (T1 vetoed but counted), cap 2; three more out of N.
    for (no, score, org, ethics) in [
        ("T01", "95.2", "95", "是"),
        ("T02", "93", "90", "否"),
        ("T03", "91.5", "90", ""),
        ("T04", "91.5", "88", ""),
        ("T05", "89", "89", ""),
    ] {
        writeln!(csv, "一中,一般,{no},{score},{org},,,,{ethics},").unwrap();
    }
    for i in 6..=12 {
        writeln!(csv, "一中,一般,T{i:02},{},80,,,,,", 60 + i).unwrap();
    }
    csv.push_str("一中,一般,T13,,,,,是,,\n"); // under investigation: no score needed
    csv.push_str("一中,一般,T14,88,88,3,,,,\n"); // first job, 3 months
    csv.push_str("一中,一般,T15,99,99,,200,,,\n"); // long leave
    // 二中 (award): 8 teachers, cap ⌊0.25·8⌋ = 2, three tied at the top.
    for i in 1..=8 {
        let score = if i <= 3 { 90 } else { 70 };
        writeln!(csv, "二中,记功,E{i},{score},85,,,,,").unwrap();
    }
    // 三中: 6 teachers, cap 1; the two best are sanctioned.
    csv.push_str("三中,,S1,95,95,,,,,记过\n");
    csv.push_str("三中,,S2,94,94,,,,,警告\n");
    csv.push_str("三中,,S3,88,80,,,,,\n");
    for i in 4..=6 {
        writeln!(csv, "三中,,S{i},75,75,,,,,").unwrap();
    }
    // 甲小 (3) and 乙小 (2): cap 0 each, pooled: N = 5, cap 1.
    csv.push_str("甲小,,A1,96,90,,,,,\n甲小,,A2,80,80,,,,,\n甲小,,A3,80,80,,,,,\n");
    csv.push_str("乙小,,B1,95,90,,,,,\n乙小,,B2,59.5,80,,,,,\n");
    write(&input, &csv);
    let output = dir.join("考核等次.csv");
    let o = levels(&input, &output, &[]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(stderr.contains("需集体研究"), "{stderr}");
    assert!(stderr.contains("区统筹"), "{stderr}");

    let s = Sheet::read(&output);
    assert_eq!(
        s.header[..10].join(","),
        HEADER_ZH,
        "input columns first, unchanged"
    );
    let level = |no: &str| s.get("工号", no, "考核等次").to_string();
    assert_eq!(level("T01"), "不合格");
    assert_eq!(level("T02"), "优秀");
    assert_eq!(level("T03"), "优秀");
    assert_eq!(level("T04"), "合格");
    assert_eq!(level("T05"), "合格");
    assert_eq!(level("T13"), "暂缓定等次");
    assert_eq!(level("T14"), "只写评语");
    assert_eq!(level("T15"), "不定等次");
    assert_eq!(s.get("工号", "T02", "参加定等人数"), "12");
    assert_eq!(s.get("工号", "T13", "参加定等人数"), "12");
    assert_eq!(s.get("工号", "T02", "优秀名额"), "2");
    for e in ["E1", "E2", "E3"] {
        assert_eq!(level(e), "需集体研究");
        assert_eq!(s.get("工号", e, "集体研究名额"), "2");
    }
    assert_eq!(s.get("工号", "E1", "优秀名额"), "2");
    assert_eq!(level("S1"), "基本合格");
    assert_eq!(level("S2"), "合格");
    assert_eq!(level("S3"), "优秀");
    assert_eq!(level("A1"), "优秀");
    assert_eq!(level("B1"), "合格");
    assert_eq!(level("B2"), "基本合格");
    assert_eq!(s.get("工号", "B1", "名额统筹"), "区统筹");
    assert_eq!(s.get("工号", "B1", "参加定等人数"), "2");
    assert_eq!(s.get("工号", "B1", "优秀名额"), "0");
    assert_eq!(s.get("工号", "B1", "统筹人数"), "5");
    assert_eq!(s.get("工号", "B1", "统筹名额"), "1");
    assert_eq!(s.get("工号", "T02", "名额统筹"), "本校");
}

#[test]
fn code_layout_xlsx_and_the_cap_examples() {
    let dir = TempDir::tagged("staff-levels-code");
    let input = dir.join("appraisal.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let header = [
        "school",
        "unit_rating",
        "staff_no",
        "score",
        "org_score",
        "first_job_months",
        "leave_days",
        "under_investigation",
        "ethics_violation",
        "sanction",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    // Schools of N = 23, 24, 10 and 31, everyone eligible with distinct scores.
    let mut r = 1u32;
    for n in [23u32, 24, 10, 31] {
        for i in 0..n {
            ws.write_string(r, 0, format!("N{n}")).unwrap();
            ws.write_string(r, 1, "normal").unwrap();
            ws.write_string(r, 2, format!("{n}-{i:03}")).unwrap();
            ws.write_number(r, 3, 99.0 - f64::from(i) * 0.25).unwrap();
            ws.write_number(r, 4, 90.0).unwrap();
            ws.write_string(r, 7, "no").unwrap();
            ws.write_string(r, 8, "no").unwrap();
            r += 1;
        }
    }
    wb.save(&input).unwrap();
    let output = dir.join("levels.xlsx");
    let o = levels(&input, &output, &["--columns", "code"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = Sheet::read(&output);
    for (n, cap) in [(23, 4), (24, 4), (10, 2), (31, 6)] {
        let school = format!("N{n}");
        let rows: Vec<&Vec<String>> = s
            .rows
            .iter()
            .filter(|row| row[s.col("school")] == school)
            .collect();
        let excellent = rows
            .iter()
            .filter(|row| row[s.col("level")] == "excellent")
            .count();
        assert_eq!(excellent, cap, "N = {n}");
        assert!(rows.iter().all(|row| row[s.col("n_base")] == n.to_string()
            && row[s.col("cap")] == cap.to_string()
            && row[s.col("pool")] == "school"));
        // The best `cap` by score are the ones.
        assert_eq!(s.get("staff_no", &format!("{n}-000"), "level"), "excellent");
        assert_eq!(
            s.get("staff_no", &format!("{n}-{cap:03}"), "level"),
            "qualified"
        );
    }
}

#[test]
fn a_bad_file_is_refused_with_every_error_named() {
    let dir = TempDir::tagged("staff-levels-bad");
    let input = dir.join("bad.csv");
    let csv = format!(
        "{HEADER_ZH}\n一中,一般,T1,90,90,,,,,\n一中,一般,T2,101,90,,,,,\n一中,一般,T1,80,80,,,,,\n一中,一般,T3,80,80,,,,,严重警告\n一中,一般,T4,,80,,,,,\n"
    );
    write(&input, &csv);
    let output = dir.join("out.csv");
    let o = levels(&input, &output, &[]);
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    for expected in [
        "第 3 行 列“考核得分” 值“101”：超出 0–100 的范围",
        "第 4 行 列“工号” 值“T1”：同一学校的工号重复：与第 2 行",
        "第 5 行 列“处分” 值“严重警告”",
        "第 6 行 列“考核得分”",
        "有 4 处错误",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in\n{stderr}"
        );
    }
    assert!(!output.exists(), "nothing is written for a refused file");

    // A missing required column is named too.
    write(&input, "学校,工号\n一中,T1\n");
    let o = levels(&input, &output, &[]);
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("缺少“考核得分”列"), "{stderr}");
    assert!(!output.exists());
}
