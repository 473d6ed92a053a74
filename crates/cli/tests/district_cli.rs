//! The district fixture the store and web tests share (`wuyu_testkit::district`), driven through
//! the real `wuyu` binary: a school's fitness export holds that school's tested students of the
//! term and nobody else.
use std::process::{Command, Output};

use wuyu_testkit::{TempDir, child_student_no, district};

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

/// A SQLite file in `dir` holding the district fixture.
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
fn a_school_exports_only_its_own_tested_students() {
    let dir = TempDir::tagged("district-cli");
    let db = district_db(&dir);
    let csv = dir.join("上报.csv");
    let o = wuyu(&[
        "export",
        "fitness",
        "--db",
        &db,
        "--school",
        "S001",
        "--term",
        "2024-autumn",
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    // 第一实验中学 has five students; 赵敏 has no result this term.
    assert!(text(&o).contains("已导出 4 名学生"), "{}", text(&o));
    let body = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<&str> = body
        .trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .collect();
    assert_eq!(rows.len(), 4, "{body}");
    assert!(
        rows.iter()
            .any(|r| r.contains(&child_student_no()) && r.contains("张小明"))
    );
    for absent in ["赵敏", "刘洋", "周婷", "吴昊"] {
        assert!(!body.contains(absent), "{absent} in {body}");
    }
}
