//! The roster import as a user runs it: `wuyu import roster FILE --db DB` on real files,
//! good and broken. A broken file must print every error (file, row, column, value, Chinese
//! message), exit non-zero, and leave the database exactly as it was.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Self {
        let p = std::env::temp_dir().join(format!(
            "wuyu-cli-{tag}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        ));
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn wuyu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wuyu"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn import(file: &Path, db: &Path) -> Output {
    wuyu(&[
        "import",
        "roster",
        file.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--user",
        "tester",
    ])
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Row counts of every roster table: what "unchanged" means.
fn counts(db: &Path) -> Vec<(String, i64)> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = wuyu_store::SqliteStore::open(db.to_str().unwrap())
            .await
            .unwrap();
        let mut out = Vec::new();
        for t in [
            "school",
            "school_class",
            "student",
            "teacher",
            "teacher_assignment",
            "import_record",
        ] {
            let (n,): (i64,) =
                sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {t}")))
                    .fetch_one(store.pool())
                    .await
                    .unwrap();
            out.push((t.to_string(), n));
        }
        let names: Vec<(String,)> = sqlx::query_as("SELECT name FROM student ORDER BY student_no")
            .fetch_all(store.pool())
            .await
            .unwrap();
        out.push((
            names.into_iter().map(|n| n.0).collect::<Vec<_>>().join(","),
            0,
        ));
        out
    })
}

const SCHOOLS: &str = "学校代码,学校名称,学段,城乡,教育集团\n\
    3301990001,城关第一小学,小学,城区,\n\
    3301990002,青石镇中学,初中,农村,\n";
const CLASSES: &str = "学校代码,年级,班级\n3301990001,5,1班\n3301990001,5,2班\n3301990002,7,1班\n";
const STUDENTS_HEAD: &str = "学校代码,年级,班级,学籍号,姓名,性别,出生日期,身份证号,民族代码\n";

fn id_card(first17: &str) -> String {
    let b: &[u8; 17] = first17.as_bytes().try_into().unwrap();
    format!("{first17}{}", wuyu_domain::IdCardNo::check_char(b))
}

/// A database holding two schools, three classes and two students.
fn seeded(dir: &Dir) -> PathBuf {
    let db = dir.0.join("wuyu.db");
    for (name, body) in [
        ("schools.csv", SCHOOLS.to_string()),
        ("classes.csv", CLASSES.to_string()),
    ] {
        let f = dir.0.join(name);
        std::fs::write(&f, body).unwrap();
        let o = import(&f, &db);
        assert!(o.status.success(), "{}", text(&o));
    }
    let f = dir.0.join("students.csv");
    std::fs::write(
        &f,
        format!(
            "{STUDENTS_HEAD}3301990001,5,1班,G0000000001,张三,男,2014-03-05,{},01\n\
             3301990002,7,1班,G0000000002,李四,女,2012-10-01,,\n",
            id_card("33019920140305123")
        ),
    )
    .unwrap();
    let o = import(&f, &db);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("学生 新增 2"), "{}", text(&o));
    db
}

#[test]
fn a_good_gb18030_file_imports_and_a_reimport_updates() {
    let dir = Dir::new("good");
    let db = seeded(&dir);
    // Excel on Chinese Windows saves CSV as GB18030.
    let body = format!(
        "{STUDENTS_HEAD}3301990001,5,2班,G0000000003,王五,男,2014/1/2,,\n\
         3301990001,5,1班,G0000000001,张三丰,男,2014-03-05,,\n"
    );
    let (gb, _, _) = encoding_rs::GB18030.encode(&body);
    let f = dir.0.join("students-gbk.csv");
    std::fs::write(&f, &gb).unwrap();
    let o = import(&f, &db);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("GB18030"), "{out}");
    assert!(out.contains("学生 新增 1 更新 1"), "{out}");
    let c = counts(&db);
    assert_eq!(c[2], ("student".to_string(), 3));
    assert_eq!(c.last().unwrap().0, "张三丰,李四,王五");
}

#[test]
fn broken_files_are_rejected_whole_and_change_nothing() {
    let dir = Dir::new("broken");
    let db = seeded(&dir);
    let before = counts(&db);
    let good_row = "3301990001,5,1班,G0000000100,新同学,女,2014-06-01,,\n";
    let cases: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
        (
            "wrong-encoding.csv",
            // Neither UTF-8 nor GB18030.
            [STUDENTS_HEAD.as_bytes(), b"\x81\x20\x81\x20,5,1\n"].concat(),
            vec!["wrong-encoding.csv", "编码"],
        ),
        (
            "missing-column.csv",
            format!("学校代码,年级,班级,学籍号,姓名,出生日期\n{}", "3301990001,5,1班,G0000000100,新同学,2014-06-01\n")
                .into_bytes(),
            vec!["missing-column.csv", "性别"],
        ),
        (
            "duplicate.csv",
            format!("{STUDENTS_HEAD}{good_row}3301990001,5,2班,G0000000100,另一人,男,2014-06-02,,\n")
                .into_bytes(),
            vec!["duplicate.csv", "第 3 行", "学籍号", "G0000000100", "重复"],
        ),
        (
            "bad-id.csv",
            format!(
                "{STUDENTS_HEAD}{good_row}3301990001,5,1班,G0000000101,错号,男,2014-03-05,330199201403051230,\n"
            )
            .into_bytes(),
            vec!["bad-id.csv", "第 3 行", "身份证号", "330199201403051230", "校验"],
        ),
        (
            "unknown-class.csv",
            format!("{STUDENTS_HEAD}{good_row}3301990001,5,9班,G0000000102,插班生,男,2014-03-05,,\n")
                .into_bytes(),
            vec!["unknown-class.csv", "第 3 行", "班级", "9班", "没有名为“9班”的班级"],
        ),
        (
            "existing-elsewhere.csv",
            // 李四 is enrolled at the other school: a transfer cannot come from a file.
            format!("{STUDENTS_HEAD}{good_row}3301990001,5,1班,G0000000002,李四,女,2012-10-01,,\n")
                .into_bytes(),
            vec!["existing-elsewhere.csv", "第 3 行", "另一所学校"],
        ),
    ];
    // The idcard with a wrong check digit must really be wrong.
    assert_ne!(id_card("33019920140305123"), "330199201403051230");
    for (name, bytes, expected) in cases {
        let f = dir.0.join(name);
        std::fs::write(&f, bytes).unwrap();
        let o = import(&f, &db);
        let out = text(&o);
        assert!(!o.status.success(), "{name} should fail:\n{out}");
        for e in expected {
            assert!(out.contains(e), "{name}: expected “{e}” in:\n{out}");
        }
        assert_eq!(counts(&db), before, "{name} changed the database");
    }
}

#[test]
fn the_template_is_a_valid_empty_roster() {
    let dir = Dir::new("template");
    let path = dir.0.join("t.xlsx");
    let o = wuyu(&["template", "roster", "-o", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let bytes = std::fs::read(&path).unwrap();
    let read =
        wuyu_ingest::read_roster("t.xlsx", &bytes, &wuyu_ingest::RosterOptions::default()).unwrap();
    assert!(read.errors.is_empty(), "{:?}", read.errors);
    assert!(read.batch.is_empty());
}

#[test]
fn an_xlsx_roster_imports() {
    let dir = Dir::new("xlsx");
    let db = seeded(&dir);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("学生").unwrap();
    for (c, h) in [
        "学校代码",
        "年级",
        "班级",
        "学籍号",
        "姓名",
        "性别",
        "出生日期",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in [
        "3301990002",
        "7",
        "1班",
        "G0000000009",
        "赵六",
        "女",
        "2012-09-09",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    let f = dir.0.join("students.xlsx");
    wb.save(&f).unwrap();
    let o = import(&f, &db);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(counts(&db)[2], ("student".to_string(), 3));
}
