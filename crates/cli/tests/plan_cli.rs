//! The plan as a user runs it: `wuyu import plan FILE` with the seeds' 任务分解表 (GB18030,
//! as Excel on Chinese Windows saves it), `wuyu export plan -o FILE` and the export imported
//! back; a broken file prints every error and changes nothing.
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

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn import(file: &Path, db: &str) -> Output {
    wuyu(&["import", "plan", file.to_str().unwrap(), "--db", db])
}

#[test]
fn the_seeds_plan_imports_exports_and_imports_back() {
    let dir = TempDir::tagged("cli-plan");
    let db = dir.join("wuyu.db").to_str().unwrap().to_string();
    let seeds = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../synth/data/plan-targets-2023-2025.csv"),
    )
    .unwrap();
    let (gbk, _, _) = encoding_rs::GB18030.encode(&seeds);
    let file = dir.join("任务分解表.csv");
    std::fs::write(&file, &gbk).unwrap();
    let o = import(&file, &db);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("85 项指标（系统计算 54 项，填报 31 项）"),
        "{}",
        text(&o)
    );

    for name in ["导出.xlsx", "导出.csv"] {
        let out = dir.join(name);
        let o = wuyu(&["export", "plan", "--db", &db, "-o", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o));
        let o = import(&out, &db);
        assert!(o.status.success(), "{}", text(&o));
        assert!(!text(&o).contains("已删除"), "{}", text(&o));
    }

    let bad = dir.join("坏.csv");
    std::fs::write(
        &bad,
        "indicator,unit,target_2025,comparator,scope\n总体近视率,% of screened students,五十,<=,district\n",
    )
    .unwrap();
    let o = import(&bad, &db);
    assert!(!o.status.success());
    let t = text(&o);
    assert!(
        t.contains("坏.csv 第 2 行 列“target_2025” 值“五十”") && t.contains("数据库未作任何修改"),
        "{t}"
    );
    // The stored plan is still the seeds' one.
    let out = dir.join("再导出.csv");
    let o = wuyu(&["export", "plan", "--db", &db, "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let back = std::fs::read_to_string(&out).unwrap();
    assert_eq!(back.lines().count(), 86);

    // The status of 2025 as JSON: with no schools and no data, the district's 近视率 target
    // is 无数据 and the reported 市级文明校园 is 待填报.
    let o = wuyu(&["plan", "status", "--db", &db, "--year", "2025", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let line = |name: &str| {
        json["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(line("总体近视率")["verdict"], "no_data");
    assert_eq!(line("市级文明校园")["verdict"], "awaiting_report");
    assert_eq!(line("市级文明校园")["target"], "25");
    let o = wuyu(&["plan", "status", "--db", &db, "--year", "2031"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("没有 2031 年的目标"), "{}", text(&o));
}
