//! `wuyu user add` applies the same account rules as the admin page.
use std::process::{Command, Output};

fn wuyu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wuyu"))
        .args(args)
        .env("RUST_LOG", "warn")
        .env_remove("WUYU_NEW_USER_PASSWORD")
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
fn accounts_are_checked_like_the_admin_page() {
    let tmp = wuyu_testkit::TempDir::tagged("user-cli");
    let dir = tmp.path();
    let db = dir.join("wuyu.db");
    let db = db.to_str().unwrap();
    let schools = dir.join("schools.csv");
    std::fs::write(
        &schools,
        "学校代码,学校名称,学段,城乡\n3301990001,城关第一小学,小学,城区\n",
    )
    .unwrap();
    let o = wuyu(&["import", "roster", schools.to_str().unwrap(), "--db", db]);
    assert!(o.status.success(), "{}", text(&o));

    let add = |extra: &[&str]| {
        let mut args = vec!["user", "add", "--db", db];
        args.extend_from_slice(extra);
        wuyu(&args)
    };
    // A random password is printed when none is given.
    let o = add(&["--username", "chief", "--role", "district_admin"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("初始密码："));

    let refused: [(&[&str], &str); 6] = [
        (
            &[
                "--username",
                "a1",
                "--role",
                "district_analyst",
                "--school",
                "3301990001",
            ],
            "区级账号不属于任何学校",
        ),
        (
            &["--username", "a2", "--role", "school_admin"],
            "需要选择学校",
        ),
        (
            &[
                "--username",
                "a3",
                "--role",
                "counsellor",
                "--school",
                "3301990001",
                "--teacher",
                "T01",
            ],
            "只有教师账号填写教师工号",
        ),
        (
            &["--username", "has space", "--role", "district_admin"],
            "用户名只能包含",
        ),
        (
            &[
                "--username",
                "a5",
                "--role",
                "district_admin",
                "--password",
                "short",
            ],
            "初始密码至少 10 个字符",
        ),
        (
            &["--username", "chief", "--role", "district_admin"],
            "创建用户 chief 失败",
        ),
    ];
    for (args, expected) in refused {
        let o = add(args);
        assert!(!o.status.success(), "{args:?} should be refused");
        assert!(text(&o).contains(expected), "{args:?}: {}", text(&o));
    }
}

#[test]
fn reset_password_prints_a_one_time_password_and_binding_codes_need_a_class() {
    let tmp = wuyu_testkit::TempDir::tagged("user-cli-reset");
    let dir = tmp.path();
    let db = dir.join("wuyu.db");
    let db = db.to_str().unwrap();
    let schools = dir.join("schools.csv");
    std::fs::write(
        &schools,
        "学校代码,学校名称,学段,城乡\n3301990001,城关第一小学,小学,城区\n",
    )
    .unwrap();
    let o = wuyu(&["import", "roster", schools.to_str().unwrap(), "--db", db]);
    assert!(o.status.success(), "{}", text(&o));
    let o = wuyu(&[
        "user",
        "add",
        "--db",
        db,
        "--username",
        "chief",
        "--role",
        "district_admin",
    ]);
    assert!(o.status.success(), "{}", text(&o));

    let o = wuyu(&["user", "reset-password", "--db", db, "--username", "chief"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    let once = out
        .split("一次性密码：")
        .nth(1)
        .and_then(|r| r.lines().next())
        .unwrap_or_default()
        .trim()
        .to_string();
    assert_eq!(once.chars().count(), 12, "{out}");
    assert!(out.contains("必须先修改密码"));
    let again = wuyu(&["user", "reset-password", "--db", db, "--username", "chief"]);
    assert!(!text(&again).contains(&once), "a fresh password each time");

    let o = wuyu(&["user", "reset-password", "--db", db, "--username", "nobody"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("用户 nobody 不存在"));
    let o = wuyu(&[
        "user",
        "binding-codes",
        "--db",
        db,
        "--school",
        "3301990001",
        "--grade",
        "3",
        "--class",
        "9班",
    ]);
    assert!(!o.status.success());
    assert!(text(&o).contains("该校没有 3 年级“9班”"), "{}", text(&o));
    // No teachers in this roster: nothing to open, and it says so.
    let o = wuyu(&[
        "user",
        "open-teachers",
        "--db",
        db,
        "--school",
        "3301990001",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("已开通 0 个教师账号"));
}
