//! What a newcomer sees in the terminal, driven through the real `wuyu` binary: help in
//! Chinese, parse errors in Chinese, and no log lines among the progress and results unless
//! `-v` asks for them (the demo writes its log to a file in its data directory).
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use wuyu_testkit::TempDir;

/// `wuyu ARGS` with the environment a newcomer has: no `RUST_LOG`, no `WUYU_*`.
fn wuyu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wuyu"))
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("WUYU_DB")
        .env_remove("WUYU_LOG_FILE")
        .output()
        .unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn help_is_chinese_at_every_level() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["demo", "--help"],
        &["import", "--help"],
        &["import", "roster", "--help"],
        &["export", "fitness", "--help"],
        &["user", "add", "--help"],
        &["analytics", "items", "--help"],
    ] {
        let o = wuyu(args);
        assert!(o.status.success(), "{args:?}: {}", err(&o));
        let help = out(&o);
        assert!(
            help.contains("用法：") && help.contains("选项"),
            "{args:?}: {help}"
        );
        assert!(help.contains("显示帮助"), "{args:?}: {help}");
        for english in [
            "Usage:",
            "Options:",
            "Commands:",
            "Arguments:",
            "Print help",
            "[default:",
            "[env:",
        ] {
            assert!(!help.contains(english), "{args:?} shows {english}: {help}");
        }
    }
    let top = out(&wuyu(&["--help"]));
    assert!(
        top.contains("命令") && top.contains("生成一个全新的演示区县"),
        "{top}"
    );
    let demo = out(&wuyu(&["demo", "--help"]));
    assert!(demo.contains("[默认：8080]"), "{demo}");
}

#[test]
fn parse_errors_are_chinese_and_exit_2() {
    let o = wuyu(&["nonsense"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("没有这个命令：nonsense"), "{}", err(&o));
    let o = wuyu(&["serve"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("缺少必填参数：--db"), "{}", err(&o));
    assert!(!err(&o).contains("error:"), "{}", err(&o));
}

/// A roster import: the result on stdout, no log lines on stderr; `-v` shows them there and
/// `--log-file` puts them in a file.
#[test]
fn an_import_shows_results_and_no_log_lines_unless_asked() {
    let dir = TempDir::tagged("cli-first-screen");
    let db = dir.join("wuyu.db");
    let db = db.to_str().unwrap();
    let schools = dir.join("schools.csv");
    std::fs::write(
        &schools,
        "学校代码,学校名称,学段,城乡\n3301990001,城东小学,小学,城区\n",
    )
    .unwrap();
    let schools = schools.to_str().unwrap();
    let o = wuyu(&["import", "roster", schools, "--db", db]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("学校"), "{}", out(&o));
    assert!(
        !err(&o).contains("INFO"),
        "log lines on stderr: {}",
        err(&o)
    );

    let o = wuyu(&["-v", "import", "roster", schools, "--db", db]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("INFO"), "-v shows the log: {}", err(&o));

    let log = dir.join("import.log");
    let o = wuyu(&[
        "import",
        "roster",
        schools,
        "--db",
        db,
        "--log-file",
        log.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(!err(&o).contains("INFO"), "{}", err(&o));
    assert!(std::fs::read_to_string(&log).unwrap().contains("INFO"));
}

/// The demo: progress and results on the terminal, the data's end date, the account table
/// last before the server line; its log in the data directory, not on stderr.
#[test]
fn the_demo_prints_progress_results_and_its_data_date_without_log_lines() {
    let dir = TempDir::tagged("cli-demo");
    let data = dir.join("demo");
    let mut child = Command::new(env!("CARGO_BIN_EXE_wuyu"))
        .args([
            "demo",
            "--students",
            "400",
            "--port",
            "0",
            "--password",
            "demo-pass-123",
        ])
        .arg("--data-dir")
        .arg(&data)
        .env_remove("RUST_LOG")
        .env_remove("WUYU_LOG_FILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap_or_default();
            let started = line.contains("wuyu 已启动");
            lines.push(line);
            if started {
                break;
            }
        }
        let _ = tx.send(lines);
    });
    let lines = rx.recv_timeout(Duration::from_secs(300));
    child.kill().unwrap();
    child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let lines = lines.expect("the demo started within 5 minutes");
    let text = lines.join("\n");

    assert!(!stderr.contains("INFO"), "log lines on stderr: {stderr}");
    assert!(
        stderr.contains("写入数据库"),
        "progress on stderr: {stderr}"
    );
    assert!(text.contains("数据截至："), "{text}");
    // The demo school's screening: answered, and at least one crisis case opened.
    let psych = lines
        .iter()
        .find(|l| l.starts_with("心理健康筛查："))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(!psych.contains("，0 个危机个案"), "{psych}");
    // A screening open today (China time), so the codes handed out can be used.
    let current = lines
        .iter()
        .find(|l| l.starts_with("进行中的心理筛查："))
        .unwrap_or_else(|| panic!("{text}"));
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap();
    let today = time::OffsetDateTime::now_utc()
        .to_offset(offset)
        .date()
        .to_string();
    let window = current
        .split('（')
        .nth(1)
        .and_then(|w| w.split('）').next())
        .unwrap_or_else(|| panic!("{current}"));
    let (opens, closes) = window
        .split_once(" 至 ")
        .unwrap_or_else(|| panic!("{current}"));
    assert!(
        opens <= today.as_str() && today.as_str() <= closes,
        "{current} / {today}"
    );
    assert!(!current.contains("，0 个答题码"), "{current}");
    assert!(text.contains("任务分解表：85 项指标"), "{text}");
    // Every school has an appraisal round.
    let staff = lines
        .iter()
        .find(|l| l.starts_with("教师年度考核："))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(!staff.starts_with("教师年度考核：0 所"), "{staff}");
    // Every teacher has training records; some hold titles.
    let dev = lines
        .iter()
        .find(|l| l.starts_with("教师发展："))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        !dev.starts_with("教师发展：0 条") && !dev.contains("，0 个称号"),
        "{dev}"
    );
    assert!(
        text.contains("演示账号：") && text.contains("demo-district"),
        "{text}"
    );
    // demo-parent has a second child to switch to (我的孩子).
    assert!(text.contains("演示家长有两个孩子"), "{text}");
    // The server's line comes right after the accounts (nothing scrolls them away).
    let accounts = lines
        .iter()
        .rposition(|l| l.contains("demo-parent"))
        .unwrap();
    assert_eq!(accounts + 1, lines.len() - 1, "{text}");
    let log = data.join("wuyu.log");
    assert!(
        text.contains(&format!("运行日志：{}", log.display())),
        "{text}"
    );
    assert!(std::fs::read_to_string(&log).unwrap().contains("INFO"));
}
