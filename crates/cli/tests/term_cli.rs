//! `--term` as a user types it (issue 9): the forms schools write land in the term they name,
//! `--help`'s examples land where they say, ambiguous forms and dates outside the term are
//! refused with a Chinese message, and a term far from today needs `--force`.
use std::process::{Command, Output};

use wuyu_domain::{Scope, Term, TermPart};
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

/// `wuyu exam create` with a term and a date; the output and whether it succeeded.
fn create(db: &str, name: &str, date: &str, term: Option<&str>, force: bool) -> Output {
    let mut args = vec![
        "exam",
        "create",
        "--db",
        db,
        "--name",
        name,
        "--date",
        date,
        "--level",
        "区级",
        "--grade",
        "8",
        "--subject",
        "语文:120",
    ];
    if let Some(t) = term {
        args.extend(["--term", t]);
    }
    if force {
        args.push("--force");
    }
    wuyu(&args)
}

/// The stored term of every exam, by name, read back through the store.
fn stored_terms(db: &str) -> Vec<(String, Term)> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let store = wuyu_store::connect(db).await.unwrap();
            let mut v: Vec<_> = store
                .list_exams(&Scope::District)
                .await
                .unwrap()
                .into_iter()
                .map(|s| (s.exam.name, s.exam.term))
                .collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        })
}

#[test]
fn exam_terms_land_where_the_forms_say() {
    let dir = TempDir::tagged("term-cli");
    let db = dir.join("wuyu.db").to_str().unwrap().to_string();
    let y2025 = |p| Term::new(2025, p).unwrap();

    // `exam create --help`'s example: no --term, the date decides: 2025–2026 autumn.
    let o = create(&db, "a 期末", "2026-01-15", None, false);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("2025–2026学年秋季学期"), "{}", text(&o));
    // The --help's two example codes and the forms Chinese schools write.
    for (name, date, term) in [
        ("b 2026-spring", "2026-03-10", "2026-spring"),
        ("c 2025-autumn", "2025-11-10", "2025-autumn"),
        ("d 2025-2026-2", "2026-06-20", "2025-2026-2"),
        ("e 学年学期", "2026-04-20", "2025-2026学年第二学期"),
        ("f 学年", "2025-09-20", "2025学年第一学期"),
        ("g 年春季", "2026-05-20", "2026年春季学期"),
    ] {
        let o = create(&db, name, date, Some(term), false);
        assert!(o.status.success(), "{term}: {}", text(&o));
    }
    assert_eq!(
        stored_terms(&db),
        vec![
            ("a 期末".to_string(), y2025(TermPart::Autumn)),
            ("b 2026-spring".to_string(), y2025(TermPart::Spring)),
            ("c 2025-autumn".to_string(), y2025(TermPart::Autumn)),
            ("d 2025-2026-2".to_string(), y2025(TermPart::Spring)),
            ("e 学年学期".to_string(), y2025(TermPart::Spring)),
            ("f 学年".to_string(), y2025(TermPart::Autumn)),
            ("g 年春季".to_string(), y2025(TermPart::Spring)),
        ]
    );

    // `2025-spring` is the spring of 2025: a March 2026 exam is outside it.
    let o = create(&db, "x", "2026-03-10", Some("2025-spring"), false);
    assert!(!o.status.success());
    let msg = text(&o);
    assert!(
        msg.contains("2026-03-10")
            && msg.contains("2024–2025学年第二学期")
            && msg.contains("2026-spring"),
        "{msg}"
    );
    // Ambiguous: both readings shown, nothing created.
    let o = create(&db, "x", "2025-10-10", Some("2025-1"), false);
    assert!(!o.status.success());
    let msg = text(&o);
    assert!(msg.contains("两种理解"), "{msg}");
    assert!(
        msg.contains("2025年秋季") && msg.contains("2025年春季"),
        "{msg}"
    );
    // Unknown forms list the accepted ones.
    let o = create(&db, "x", "2025-10-10", Some("2025-summer"), false);
    assert!(!o.status.success());
    assert!(text(&o).contains("2025-2026学年第一学期"), "{}", text(&o));
    // A term far from today needs --force.
    let o = create(&db, "x", "2099-10-10", None, false);
    assert!(!o.status.success());
    assert!(text(&o).contains("--force"), "{}", text(&o));
    assert_eq!(stored_terms(&db).len(), 7, "nothing refused was created");
    let o = create(&db, "x 补录", "2099-10-10", Some("2099-autumn"), true);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn help_and_errors_agree_on_the_reading() {
    let o = wuyu(&["exam", "create", "--help"]);
    let help = text(&o);
    assert!(help.contains("2025-autumn（2025年秋季）"), "{help}");
    assert!(help.contains("2026-spring（2026年春季）"), "{help}");
    let o = wuyu(&["import", "fitness", "--help"]);
    assert!(
        text(&o).contains("2026-spring（2026年春季）"),
        "{}",
        text(&o)
    );
}

#[test]
fn a_fitness_test_date_outside_the_term_is_refused() {
    let dir = TempDir::tagged("term-cli-fitness");
    let db = dir.join("wuyu.db").to_str().unwrap().to_string();
    let f = dir.write(
        "体测.csv",
        "学籍号,性别,年级,身高,体重\nG0000000001,男,8,160,50\n",
    );
    let f = f.to_str().unwrap();
    let o = wuyu(&[
        "import",
        "fitness",
        f,
        "--db",
        &db,
        "--term",
        "2025-autumn",
        "--test-date",
        "2025-04-10",
    ]);
    assert!(!o.status.success());
    let msg = text(&o);
    assert!(msg.contains("2025-04-10") && msg.contains("不在"), "{msg}");
    assert!(msg.contains("2025–2026学年第一学期"), "{msg}");
    let o = wuyu(&[
        "import",
        "fitness",
        f,
        "--db",
        &db,
        "--term",
        "2099-autumn",
        "--test-date",
        "2099-10-10",
    ]);
    assert!(!o.status.success());
    assert!(text(&o).contains("--force"), "{}", text(&o));
}
