//! `wuyu psych scale load/list` as the operator sees them: a definition with overlapping
//! cut-offs is refused with the file, the subscale and the values named and nothing stored;
//! the same file again is the same version; a changed file is the next version.
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

/// A made-up 2-item yes/no scale; `high` is the second band's lower bound.
fn definition(high: &str) -> String {
    format!(
        r#"{{"code": "cli_sc", "name_zh": "命令行测试量表（虚构）", "version": "1", "item_count": 2,
 "answer_values": [0, 1], "subscales": [{{"code": "a", "name_zh": "甲", "items": [1, 2],
 "method": "sum", "cutoffs": [{{"min": 0, "max": 1, "label_zh": "低"}},
 {{"min": {high}, "max": 2, "label_zh": "高"}}]}}]}}"#
    )
}

#[test]
fn scales_are_loaded_by_version_and_bad_ones_refused() {
    let dir = TempDir::tagged("psych-scale-cli");
    let db = dir.join("wuyu.db");
    let db = db.to_str().unwrap();
    let bad = dir.write("量表.json", definition("1"));
    let o = wuyu(&["psych", "scale", "load", bad.to_str().unwrap(), "--db", db]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains(
            "量表定义文件“量表.json”分量表“a”第 2 个划界区间：划界区间 1–2 与上一区间 0–1 重叠"
        ),
        "{}",
        text(&o)
    );
    let o = wuyu(&["psych", "scale", "list", "--db", db]);
    assert!(text(&o).contains("尚未载入任何量表定义"), "{}", text(&o));

    let good = dir.write("量表.json", definition("2"));
    let good = good.to_str().unwrap();
    let load = |extra: &[&str]| {
        let mut args = vec!["psych", "scale", "load", good, "--db", db];
        args.extend_from_slice(extra);
        let o = wuyu(&args);
        assert!(o.status.success(), "{}", text(&o));
        text(&o)
    };
    assert!(load(&["--licence", "区购买授权"]).contains("（cli_sc）第 1 版"));
    assert!(load(&[]).contains("内容与已有的第 1 版相同，未新增版本"));
    dir.write("量表.json", definition("2").replace("\"高\"", "\"偏高\""));
    assert!(load(&[]).contains("（cli_sc）第 2 版"));
    let list = text(&wuyu(&["psych", "scale", "list", "--db", db]));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(lines[0].starts_with("cli_sc\t第 2 版"), "{list}");
    assert!(lines[1].contains("区购买授权"), "{list}");

    // The district's mappings name a band of some loaded version: 高 is version 1's (campaigns
    // pinned to it still score with it), 极高 is no version's and is refused, nothing stored.
    let rules = |band: &str| {
        format!(
            r#"{{"scale_levels":[{{"scale":"cli_sc","subscale":"a","band":"{band}","level":2}}]}}"#
        )
    };
    let o = wuyu(&[
        "settings",
        "set",
        "--db",
        db,
        "psych_level_rules",
        &rules("极高"),
    ]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains(
            "关注等级映射第 1 条的区间“极高”在量表“cli_sc”的分量表“a”中不存在（已有区间：低、偏高、高）"
        ),
        "{}",
        text(&o)
    );
    let o = wuyu(&[
        "settings",
        "set",
        "--db",
        db,
        "psych_level_rules",
        &rules("高"),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains(r#""band":"高","level":2"#),
        "{}",
        text(&o)
    );
}
