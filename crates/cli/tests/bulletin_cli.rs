//! Monthly progress and the quarterly bulletin as a user runs them: `wuyu plan snapshot`,
//! `wuyu plan progress` and `wuyu plan bulletin -o FILE.pdf|FILE.xlsx` on the testkit district
//! (school A 第一实验中学: 25.0 % myopic against ≤ 20 %; the district 16.7 %). The workbook is
//! read back with calamine, the PDF with pdftotext.
use std::process::{Command, Output};

use calamine::{Data, Reader, Xlsx, open_workbook};
use wuyu_testkit::{TempDir, district, pdf_lines};

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

fn district_db(dir: &TempDir) -> String {
    let db = dir.join("wuyu.db").to_str().unwrap().to_string();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let store = wuyu_store::connect(&db).await.unwrap();
            store.migrate().await.unwrap();
            district::load(store.as_ref()).await;
        });
    db
}

#[test]
fn a_quarterly_bulletin_is_written_as_pdf_and_xlsx() {
    let dir = TempDir::tagged("bulletin-cli");
    let db = district_db(&dir);
    let plan = dir.write(
        "任务分解表.csv",
        "indicator,unit,target_2024,target_2025,comparator,scope\n\
         总体近视率,% of screened students,,20,<=,district and per school\n\
         市级文明校园,schools,,25,>=,district\n",
    );
    let o = wuyu(&["import", "plan", plan.to_str().unwrap(), "--db", &db]);
    assert!(o.status.success(), "{}", text(&o));

    let o = wuyu(&["plan", "snapshot", "--db", &db, "--month", "2024-12"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("已记录 2024年12月 的调度快照：2025 年目标，4 行"),
        "{}",
        text(&o)
    );
    let o = wuyu(&["plan", "progress", "--db", &db]);
    assert!(o.status.success(), "{}", text(&o));
    let line = text(&o)
        .lines()
        .find(|l| l.starts_with("总体近视率"))
        .map(str::to_string)
        .unwrap_or_else(|| panic!("{}", text(&o)));
    assert_eq!(line, "总体近视率\t全区\t≤ 20%\t16.7% 已达标");

    // The PDF, read back as a reader would copy it: the title, the target, the school behind.
    let pdf = dir.join("通报.pdf");
    let o = wuyu(&[
        "plan",
        "bulletin",
        "--db",
        &db,
        "--quarter",
        "2024Q4",
        "-o",
        pdf.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let lines = pdf_lines(&std::fs::read(&pdf).unwrap());
    assert!(
        lines
            .iter()
            .any(|l| l == "2024年第四季度五育工作目标任务通报"),
        "{lines:?}"
    );
    // Among the schools behind: school A, its 25.0 % against ≤ 20 %, 5 points behind.
    assert!(
        lines
            .iter()
            .any(|l| l == "第一实验中学25.0%≤20%4-5个百分点"),
        "{lines:?}"
    );

    // The year-end summary of the 2024–2025 school year: the December snapshot is its latest
    // month; there is no earlier school year to compare with.
    let summary = dir.join("年终总结.pdf");
    let o = wuyu(&[
        "plan",
        "summary",
        "--db",
        &db,
        "--year",
        "2025",
        "-o",
        summary.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("已生成2025年度年终总结"), "{}", text(&o));
    let lines = pdf_lines(&std::fs::read(&summary).unwrap());
    let has = |s: &str| lines.iter().any(|l| l.contains(s));
    assert!(has("2025年度五育工作目标任务年终总结"), "{lines:?}");
    assert!(has("数据来源：2024年12月调度快照"), "{lines:?}");
    assert!(has("二、较上年度变化"), "{lines:?}");
    assert!(has("上年度没有月度调度快照"), "{lines:?}");
    let o = wuyu(&[
        "plan",
        "summary",
        "--db",
        &db,
        "--year",
        "2031",
        "-o",
        summary.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("任务分解表没有 2031 年的目标"),
        "{}",
        text(&o)
    );

    let xlsx = dir.join("通报.xlsx");
    let o = wuyu(&[
        "plan",
        "bulletin",
        "--db",
        &db,
        "--quarter",
        "2024Q4",
        "-o",
        xlsx.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let sheet = wb.worksheet_range("落后学校").unwrap();
    assert_eq!(
        sheet.get_value((1, 0)),
        Some(&Data::String("第一实验中学".into()))
    );
    assert_eq!(sheet.get_value((1, 1)), Some(&Data::Float(1.0)));
    assert_eq!(
        sheet.get_value((1, 3)),
        Some(&Data::String("总体近视率".into()))
    );

    // Bad input names what is wrong; nothing is written.
    let bad = dir.join("坏.pdf");
    let o = wuyu(&[
        "plan",
        "bulletin",
        "--db",
        &db,
        "--quarter",
        "2025Q5",
        "-o",
        bad.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("季度“2025Q5”应写成 YYYYQn"),
        "{}",
        text(&o)
    );
    assert!(!bad.exists());
    let o = wuyu(&["plan", "snapshot", "--db", &db, "--month", "2025/03"]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("月份“2025/03”应写成 YYYY-MM"),
        "{}",
        text(&o)
    );
}
