//! The roster import as a user runs it: `wuyu import roster FILE --db DB` on real files,
//! good and broken. A broken file must print every error (file, row, column, value, Chinese
//! message), exit non-zero, and leave the database exactly as it was.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use wuyu_testkit::TempDir;

/// A temp dir from wuyu-testkit (removed on drop), with this file's helpers.
struct Dir(TempDir);

impl Dir {
    fn new(tag: &str) -> Self {
        Self(TempDir::tagged(&format!("cli-{tag}")))
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

/// The newest audit entry of the database.
fn last_audit(db: &Path) -> wuyu_store::AuditEntry {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use wuyu_store::AuditStore;
        let store = wuyu_store::SqliteStore::open(db.to_str().unwrap())
            .await
            .unwrap();
        store.list_audit(1).await.unwrap().remove(0).entry
    })
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

/// Fitness rows in the code-name layout for the two seeded students: 张三 (grade 5, male) and
/// 李四 (grade 7, female). `extra` is appended as further rows.
fn fitness_csv(extra: &str) -> String {
    format!(
        "student_no,grade,sex,height_cm,weight_kg,vital_capacity,run_50m,sit_and_reach,rope_skip_1min,sit_up_1min,shuttle_50x8,standing_long_jump,run_800m\n\
         G0000000001,5,M,140.2,35.1,1900,9.4,6.5,120,35,110,,\n\
         G0000000002,7,F,155.0,46.0,2300,9.0,12.0,,40,,175,230\n{extra}"
    )
}

fn fitness_rows(db: &Path) -> Vec<(String, String, Option<f64>, Option<String>)> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = wuyu_store::SqliteStore::open(db.to_str().unwrap())
            .await
            .unwrap();
        sqlx::query_as(
            "SELECT s.student_no, f.term, f.standard_score, f.level FROM fitness_record f \
             JOIN student s ON s.school_id = f.school_id AND s.id = f.student_id \
             ORDER BY s.student_no, f.term",
        )
        .fetch_all(store.pool())
        .await
        .unwrap()
    })
}

#[test]
fn fitness_results_import_scored_and_a_bad_file_changes_nothing() {
    let dir = Dir::new("fitness");
    let db = seeded(&dir);
    let fitness = |name: &str, body: String, extra_args: &[&str]| {
        let f = dir.0.join(name);
        std::fs::write(&f, body).unwrap();
        let mut args = vec![
            "import",
            "fitness",
            f.to_str().unwrap().to_owned().leak(),
            "--db",
            db.to_str().unwrap().to_owned().leak(),
            "--term",
            "2024-autumn",
        ];
        args.extend_from_slice(extra_args);
        wuyu(&args)
    };

    // Without a test date the import stops and says how to give one.
    let o = fitness("no-date.csv", fitness_csv(""), &[]);
    assert!(!o.status.success());
    assert!(text(&o).contains("--test-date"), "{}", text(&o));
    assert!(fitness_rows(&db).is_empty());

    let o = fitness(
        "fitness.csv",
        fitness_csv(""),
        &["--test-date", "2024-10-15"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let rows = fitness_rows(&db);
    assert_eq!(rows.len(), 2, "{rows:?}");

    // Stored scores are the standard's: score the same inputs independently.
    use wuyu_standards::{FitnessGrade, FitnessInput, score_record};
    let zhang = FitnessInput {
        height_cm: Some(140.2),
        weight_kg: Some(35.1),
        vital_capacity: Some(1900.0),
        run_50m: Some(9.4),
        sit_and_reach: Some(6.5),
        rope_skip_1min: Some(120.0),
        sit_up_1min: Some(35.0),
        shuttle_50x8: Some(110.0),
        ..FitnessInput::new(FitnessGrade::parse("5").unwrap(), wuyu_domain::Sex::Male)
    };
    let expected = score_record(&zhang).unwrap();
    assert_eq!(rows[0].0, "G0000000001");
    assert_eq!(rows[0].1, "2024-autumn");
    let stored = rows[0].2.expect("a complete record has a 标准分");
    let want = expected.standard_score.expect("complete").as_f64();
    assert!(
        (stored - want).abs() < 1e-9,
        "stored {stored}, standard {want}"
    );
    assert_eq!(rows[0].3.as_deref(), expected.level.map(|l| l.code()));

    // An unknown 学籍号 rejects the whole file: the earlier results stay exactly as they were.
    let before = fitness_rows(&db);
    let o = fitness(
        "unknown.csv",
        fitness_csv("G9999999999,5,M,140,35,1800,9.5,5,110,30,115,,\n")
            .replace("140.2,35.1", "150.0,40.0"),
        &["--test-date", "2024-10-16"],
    );
    assert!(!o.status.success());
    let out = text(&o);
    assert!(
        out.contains("G9999999999") && out.contains("第 4 行"),
        "{out}"
    );
    assert_eq!(fitness_rows(&db), before);
}

#[test]
fn a_school_exports_its_fitness_in_the_upload_template_and_it_reads_back() {
    let dir = Dir::new("fitness-export");
    let db = seeded(&dir);
    let db_s = db.to_str().unwrap();
    let f = dir.0.join("fitness.csv");
    std::fs::write(&f, fitness_csv("")).unwrap();
    let o = wuyu(&[
        "import",
        "fitness",
        f.to_str().unwrap(),
        "--db",
        db_s,
        "--term",
        "2024-autumn",
        "--test-date",
        "2024-10-15",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let before = fitness_rows(&db);

    // 张三 is at school 3301990001; 李四 at the other school is not in this export.
    let csv = dir.0.join("上报.csv");
    let o = wuyu(&[
        "export",
        "fitness",
        "--db",
        db_s,
        "--school",
        "3301990001",
        "--term",
        "2024-autumn",
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("已导出 1 名学生"), "{}", text(&o));
    // The export is audited: who (the OS user, or --user), the school and the row count.
    let audit = last_audit(&db);
    assert_eq!(audit.action, "export_fitness_upload");
    assert_eq!(audit.ip, "cli");
    assert!(audit.school_id.is_some());
    assert_eq!(audit.detail, "term=2024-autumn rows=1");
    let body = std::fs::read_to_string(&csv).unwrap();
    let mut lines = body.trim_start_matches('\u{feff}').lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("年级编号,班级编号,班级名称,学籍号,民族代码,姓名,性别,出生日期,身高,体重")
    );
    let row = lines.next().unwrap();
    // 年级编号 15 = 五年级, 性别 1 = 男, 50米×8往返跑 110 s as 1'50".
    assert!(
        row.starts_with("15,1,1班,G0000000001,01,张三,1,2014-03-05,140.2,35.1,1900,9.4"),
        "{row}"
    );
    assert!(row.contains("\"1'50\"\"\""), "{row}");
    assert_eq!(lines.next(), None);

    // The XLSX export re-imports to the same stored scores.
    let xlsx = dir.0.join("上报.xlsx");
    let o = wuyu(&[
        "export",
        "fitness",
        "--db",
        db_s,
        "--school",
        "3301990001",
        "--term",
        "2024-autumn",
        "-o",
        xlsx.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = wuyu(&[
        "import",
        "fitness",
        xlsx.to_str().unwrap(),
        "--db",
        db_s,
        "--term",
        "2024-autumn",
        "--test-date",
        "2024-10-15",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(fitness_rows(&db), before);

    // An unknown school is named.
    let o = wuyu(&[
        "export",
        "fitness",
        "--db",
        db_s,
        "--school",
        "9999",
        "--term",
        "2024-autumn",
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(text(&o).contains("9999"), "{}", text(&o));
}
