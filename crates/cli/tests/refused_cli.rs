//! What the command line refuses or neutralises (issue 9), as a user sees it: an empty import
//! fails (not "导入成功 0"), `wuyu fitness score` marks impossible dates as errors as the
//! import does, and every CSV it writes is safe to open in a spreadsheet (CSV injection)
//! while XLSX cells stay text.
use std::process::{Command, Output};

use wuyu_testkit::TempDir;

fn wuyu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wuyu"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn an_empty_roster_is_refused() {
    let dir = TempDir::tagged("refused-empty");
    let db = dir.join("wuyu.db");
    let db = db.to_str().unwrap();
    let f = dir.write("学生.csv", "学校代码,年级,班级,学籍号,姓名,性别,出生日期\n");
    let o = wuyu(&["import", "roster", f.to_str().unwrap(), "--db", db]);
    assert!(!o.status.success(), "{}", text(&o));
    let msg = text(&o);
    assert!(
        msg.contains("没有数据行") && msg.contains("学生.csv"),
        "{msg}"
    );
    assert!(!msg.contains("导入成功"), "{msg}");
}

/// A fitness file whose 姓名 cells start like formulas, with a negative 坐位体前屈 and two
/// impossible dates.
const HOSTILE: &str = "学籍号,姓名,年级,性别,身高,体重,坐位体前屈,50米跑,测试日期,出生日期\n\
    G0000000001,\"=HYPERLINK(\"\"http://x\"\",\"\"点我\"\")\",8,男,160,50,-3.5,8.5,2024-10-15,2012-03-05\n\
    G0000000002,@SUM(A1),8,女,155,46,12,9.0,2024-13-01,2012-04-06\n\
    G0000000003,+1+1,8,女,155,46,12,9.0,2024-10-15,2099-02-30\n";

fn read_csv(path: &std::path::Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

#[test]
fn fitness_score_csv_is_safe_and_impossible_dates_are_errors() {
    let dir = TempDir::tagged("refused-score");
    let input = dir.write("体测.csv", HOSTILE);
    let out = dir.join("评分.csv");
    let o = wuyu(&[
        "fitness",
        "score",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let rows = read_csv(&out);
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let (name, reach, status, note) = (col("姓名"), col("坐位体前屈"), col("状态"), col("说明"));
    assert_eq!(rows[1][name], "'=HYPERLINK(\"http://x\",\"点我\")");
    assert_eq!(rows[2][name], "'@SUM(A1)");
    assert_eq!(rows[3][name], "'+1+1");
    // A genuinely negative number stays a number.
    assert_eq!(rows[1][reach], "-3.5");
    for row in &rows {
        for cell in row {
            assert!(
                !(cell.starts_with(['=', '+', '@', '\t', '\r'])
                    || cell.starts_with('-') && cell.parse::<f64>().is_err()),
                "unsafe cell {cell:?}"
            );
        }
    }
    // Impossible dates: the row is an error, as the import would reject it.
    assert_ne!(rows[1][status], "错误", "{:?}", rows[1]);
    assert_eq!(rows[2][status], "错误");
    assert!(rows[2][note].contains("2024-13-01"), "{}", rows[2][note]);
    assert_eq!(rows[3][status], "错误");
    assert!(rows[3][note].contains("2099-02-30"), "{}", rows[3][note]);

    // XLSX output: the same cells stay text (strings, not formulas).
    let xlsx = dir.join("评分.xlsx");
    let o = wuyu(&[
        "fitness",
        "score",
        input.to_str().unwrap(),
        "-o",
        xlsx.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let bytes = std::fs::read(&xlsx).unwrap();
    let t = wuyu_ingest::read_tables("评分.xlsx", &bytes).unwrap();
    let table = &t.tables[0];
    assert!(table.issues().is_empty(), "{:?}", table.issues());
    let name = table.header.iter().position(|h| h == "姓名").unwrap();
    assert_eq!(
        table.row(0).get(name),
        "=HYPERLINK(\"http://x\",\"点我\")",
        "written as a string cell"
    );
}

#[test]
fn fitness_import_refuses_an_impossible_date() {
    let dir = TempDir::tagged("refused-date");
    let db = dir.join("wuyu.db");
    let db = db.to_str().unwrap();
    let f = dir.write(
        "体测.csv",
        "学籍号,年级,性别,身高,体重,50米跑,测试日期\nG0000000002,8,女,155,46,9.0,2024-13-01\n",
    );
    let o = wuyu(&[
        "import",
        "fitness",
        f.to_str().unwrap(),
        "--db",
        db,
        "--term",
        "2024-autumn",
    ]);
    assert!(!o.status.success());
    let msg = text(&o);
    assert!(
        msg.contains("2024-13-01") && msg.contains("测试日期"),
        "{msg}"
    );
}
