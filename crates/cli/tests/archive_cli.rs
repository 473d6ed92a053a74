//! The archive at the command line: the templates read back empty, a records file with one
//! impossible row prints the file, row, column and value and changes nothing, the clean file
//! imports, and art assessments import with their levels computed; a class's report cards
//! print as one PDF.
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

#[track_caller]
fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}", text(&o));
    text(&o)
}

const SCHOOLS: &str = "学校代码,学校名称,学段,城乡\n3301990001,城关第一中学,初中,城区\n";
const CLASSES: &str = "学校代码,年级,班级\n3301990001,8,1班\n";
const STUDENTS: &str = "学校代码,年级,班级,学籍号,姓名,性别,出生日期\n\
    3301990001,8,1班,G0000000001,张三,男,2012-03-05\n\
    3301990001,8,1班,G0000000002,李四,女,2012-04-06\n";

#[test]
fn records_and_art_import_all_or_nothing() {
    let dir = TempDir::tagged("cli-archive");
    let db = dir.join("wuyu.db").to_str().unwrap().to_string();
    for (name, body) in [
        ("schools.csv", SCHOOLS),
        ("classes.csv", CLASSES),
        ("students.csv", STUDENTS),
    ] {
        let f = dir.join(name);
        std::fs::write(&f, body).unwrap();
        ok(wuyu(&[
            "import",
            "roster",
            f.to_str().unwrap(),
            "--db",
            &db,
        ]));
    }
    for (what, sheet) in [
        ("archive-records", "写实记录"),
        ("archive-art", "艺术素质测评"),
    ] {
        let out = dir.join(&format!("{what}.xlsx"));
        let t = ok(wuyu(&["template", what, "-o", out.to_str().unwrap()]));
        assert!(t.contains("已生成导入模板"), "{t}");
        assert!(std::fs::read(&out).unwrap().len() > 1000, "{sheet}");
    }

    let records = |body: &str| {
        let f = dir.join("记录.csv");
        std::fs::write(
            &f,
            format!("学籍号,类别,日期,结束日期,时长,路程时长,组织单位,活动内容\n{body}"),
        )
        .unwrap();
        wuyu(&[
            "archive",
            "import-records",
            "--db",
            &db,
            "--school",
            "3301990001",
            "--term",
            "2025-autumn",
            f.to_str().unwrap(),
        ])
    };
    let o = records(
        "G0000000001,志愿服务,2025-10-02,,3,1,社区,敬老院\n\
         G0000000002,社会实践,2025-10-03,,25,,社区,调查\n",
    );
    assert!(!o.status.success());
    let t = text(&o);
    assert!(
        t.contains("记录.csv 第 3 行 列“时长” 值“25”") && t.contains("数据库未作任何修改"),
        "{t}"
    );
    let t = ok(records(
        "G0000000001,志愿服务,2025-10-02,,3,1,社区,敬老院\n\
         G0000000002,社会实践,2025-10-03,,4,,社区,调查\n",
    ));
    assert!(t.contains("已导入 2 条写实记录"), "{t}");
    // A 学籍号 not in the school's roster: the whole file is refused.
    let o = records("G0000000009,社会实践,2025-10-03,,4,,社区,调查\n");
    assert!(!o.status.success());
    assert!(
        text(&o).contains("学籍号不在本校在读学生名册中"),
        "{}",
        text(&o)
    );

    let f = dir.join("艺术.csv");
    std::fs::write(
        &f,
        "学籍号,基础指标,学业指标,发展指标\nG0000000001,40,45,5\nG0000000002,30,29.9,0\n",
    )
    .unwrap();
    let t = ok(wuyu(&[
        "archive",
        "import-art",
        "--db",
        &db,
        "--school",
        "3301990001",
        "--term",
        "2025-autumn",
        f.to_str().unwrap(),
    ]));
    assert!(t.contains("已导入 2 条艺术素质测评"), "{t}");

    // The class's report cards as one PDF for printing: one card per student, the art level
    // on it; the imported records still await review, so they are not on it.
    let pdf = dir.join("cards.pdf");
    let cards = |class: &str| {
        wuyu(&[
            "report",
            "cards",
            "--db",
            &db,
            "--school",
            "3301990001",
            "--class",
            class,
            "-o",
            pdf.to_str().unwrap(),
        ])
    };
    let o = cards("九年级1班");
    assert!(!o.status.success());
    assert!(text(&o).contains("没有班级“九年级1班”"), "{}", text(&o));
    let t = ok(cards("八年级1班"));
    assert!(t.contains("已生成综合素质评价报告"), "{t}");
    let lines = wuyu_testkit::pdf_lines(&std::fs::read(&pdf).unwrap());
    for want in [
        "姓名：张三",
        "姓名：李四",
        "2025–2026学年90优秀",
        "学校：城关第一中学",
    ] {
        assert!(lines.iter().any(|l| l.contains(want)), "{want}: {lines:?}");
    }
    assert!(!lines.iter().any(|l| l.contains("敬老院")), "{lines:?}");
}
