//! Exams as a user runs them: `wuyu exam create | list | recompute`, `wuyu import exam-scores |
//! exam-items` and `wuyu template exam-scores` on real CSV and XLSX files written here. A bad
//! file must exit non-zero, name row, column and value, and leave every stored mark as it was
//! (read back through the store API).
use std::process::{Command, Output};

use wuyu_testkit::TempDir;

use wuyu_domain::{ExamId, Scope};

/// A temp dir from wuyu-testkit (removed on drop), with this file's helpers.
struct Dir(TempDir);

impl Dir {
    fn new(tag: &str) -> Self {
        Self(TempDir::tagged(&format!("exam-cli-{tag}")))
    }

    fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        self.0.write(name, bytes).to_str().unwrap().to_string()
    }
}

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

const SCHOOLS: &str = "学校代码,学校名称,学段,城乡\n\
    3301990001,城关第一中学,初中,城区\n\
    3301990002,青石镇中学,初中,农村\n";
const CLASSES: &str = "学校代码,年级,班级\n3301990001,8,1班\n3301990001,8,2班\n3301990002,8,1班\n";
const STUDENTS: &str = "学校代码,年级,班级,学籍号,姓名,性别,出生日期\n\
    3301990001,8,1班,G0000000001,张三,男,2012-03-05\n\
    3301990001,8,1班,G0000000002,李四,女,2012-04-06\n\
    3301990001,8,2班,G0000000003,王五,男,2012-05-07\n\
    3301990002,8,1班,G0000000004,赵六,女,2012-06-08\n\
    3301990002,8,1班,G0000000005,钱七,男,2012-07-09\n";

/// A database with two junior schools, three grade-8 classes and five students.
fn seeded(dir: &Dir) -> String {
    let db = dir.0.join("wuyu.db").to_str().unwrap().to_string();
    for (name, body) in [
        ("schools.csv", SCHOOLS),
        ("classes.csv", CLASSES),
        ("students.csv", STUDENTS),
    ] {
        let f = dir.file(name, body);
        ok(wuyu(&["import", "roster", &f, "--db", &db]));
    }
    db
}

/// Creates an exam and returns its id (the only thing on stdout).
fn create(db: &str, name: &str, subjects: &[&str]) -> i64 {
    let mut args = vec![
        "exam",
        "create",
        "--db",
        db,
        "--name",
        name,
        "--date",
        "2026-01-15",
        "--level",
        "区级",
        "--grade",
        "8",
    ];
    for s in subjects {
        args.push("--subject");
        args.push(s);
    }
    let o = wuyu(&args);
    assert!(o.status.success(), "{}", text(&o));
    String::from_utf8_lossy(&o.stdout)
        .trim()
        .parse()
        .expect("the exam id on stdout")
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// One stored mark: (学籍号, subject, score, absent).
type Mark = (String, String, Option<f64>, bool);

/// Every stored mark of an exam, read through the store API, plus the exam summary counts:
/// what "unchanged" means.
fn marks(db: &str, exam: i64) -> (Vec<Mark>, (u64, u64, bool)) {
    block_on(async {
        let store = wuyu_store::connect(db).await.unwrap();
        let scope = Scope::District;
        let mut out = Vec::new();
        for s in store.list_schools(&scope).await.unwrap() {
            let rows = store
                .exam_students(&scope, ExamId(exam), s.school.id, None)
                .await
                .unwrap_or_default();
            for r in rows {
                for m in r.subjects {
                    if m.subject != wuyu_store::exam::TOTAL && (m.score.is_some() || m.absent) {
                        out.push((r.student_no.clone(), m.subject, m.score, m.absent));
                    }
                }
            }
        }
        out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        let summary = store
            .list_exams(&scope)
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.exam.id == ExamId(exam))
            .expect("the exam is listed");
        (out, (summary.schools, summary.students, summary.has_items))
    })
}

fn mark(no: &str, subject: &str, score: Option<f64>, absent: bool) -> Mark {
    (no.to_string(), subject.to_string(), score, absent)
}

fn import_scores(db: &str, exam: i64, file: &str) -> Output {
    wuyu(&[
        "import",
        "exam-scores",
        file,
        "--db",
        db,
        "--exam",
        &exam.to_string(),
        "--user",
        "tester",
    ])
}

#[test]
fn scores_import_from_csv_and_xlsx_and_bad_files_change_nothing() {
    let dir = Dir::new("scores");
    let db = seeded(&dir);
    let exam = create(
        &db,
        "2025学年第一学期期末",
        &["语文:120", "数学:120", "英语:120"],
    );

    // The same exam twice is refused; a malformed subject is refused before the database.
    let o = wuyu(&[
        "exam",
        "create",
        "--db",
        &db,
        "--name",
        "2025学年第一学期期末",
        "--date",
        "2026-01-15",
        "--level",
        "区级",
        "--grade",
        "8",
        "--subject",
        "语文:120",
    ]);
    assert!(!o.status.success());
    assert!(text(&o).contains("已有同名"), "{}", text(&o));
    let o = wuyu(&[
        "exam",
        "create",
        "--db",
        &db,
        "--name",
        "x",
        "--date",
        "2026-01-15",
        "--level",
        "区级",
        "--grade",
        "8",
        "--subject",
        "语文",
    ]);
    assert!(!o.status.success());
    assert!(text(&o).contains("科目:满分"), "{}", text(&o));

    // A UTF-8 CSV: a half point, 缺考 (not 0), a 0, a blank (not taken) and pass-through columns.
    let f = dir.file(
        "期末成绩.csv",
        "学籍号,姓名,班级,考号,语文,数学(120分),英语成绩,总分\n\
         G0000000001,张三,1班,80101,98.5,缺考,110,\n\
         G0000000002,李四,1班,80102,0,120,,\n\
         G0000000004,赵六,1班,80201,100,90,80,270\n",
    );
    let out = ok(import_scores(&db, exam, &f));
    assert!(out.contains("导入成功"), "{out}");
    assert!(out.contains("学生 3 名") && out.contains("缺考 1"), "{out}");
    assert!(out.contains("2 所学校"), "{out}");
    assert!(
        out.contains("姓名、班级、考号、总分"),
        "says what it ignored: {out}"
    );

    let (stored, summary) = marks(&db, exam);
    assert_eq!(summary, (2, 3, false));
    assert!(stored.contains(&mark("G0000000001", "语文", Some(98.5), false)));
    assert!(
        stored.contains(&mark("G0000000001", "数学", None, true)),
        "{stored:?}"
    );
    assert!(stored.contains(&mark("G0000000002", "语文", Some(0.0), false)));
    assert!(
        !stored.iter().any(|m| m.0 == "G0000000002" && m.1 == "英语"),
        "a blank cell stores nothing: {stored:?}"
    );
    assert_eq!(stored.len(), 8, "{stored:?}");

    // `exam list` shows the exam with its counts.
    let list = ok(wuyu(&["exam", "list", "--db", &db]));
    assert!(list.contains("2025学年第一学期期末"), "{list}");
    assert!(list.contains("区级") && list.contains("八年级"), "{list}");
    assert!(list.contains("语文 120、数学 120、英语 120"), "{list}");
    let o = wuyu(&["exam", "list", "--db", &db, "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["students"], 3);
    assert_eq!(v[0]["schools"], 2);

    // Broken files: each also carries a good row that would change a mark.
    let before = marks(&db, exam);
    let head = "学籍号,语文,数学,英语\n";
    let good = "G0000000001,50,50,50\n";
    let cases: &[(&str, String, &[&str])] = &[
        (
            "unknown-student.csv",
            format!("{head}{good}G9999999999,90,90,90\n"),
            &["unknown-student.csv", "第 3 行", "G9999999999"],
        ),
        (
            "above-full-marks.csv",
            format!("{head}{good}G0000000002,90,90,121\n"),
            &["第 3 行", "列“英语”", "值“121”", "超过本科满分 120"],
        ),
        (
            "unknown-subject.csv",
            "学籍号,语文,物理\nG0000000001,50,60\n".to_string(),
            &["列“物理”", "没有科目“物理”"],
        ),
        (
            "not-a-number.csv",
            format!("{head}{good}G0000000002,abc,90,-3\n"),
            &[
                "第 3 行",
                "列“语文”",
                "值“abc”",
                "无法识别",
                "值“-3”",
                "负数",
            ],
        ),
        (
            "duplicate.csv",
            format!("{head}{good}G0000000001,60,60,60\n"),
            &["第 3 行", "重复"],
        ),
        (
            "no-student-no.csv",
            "考号,语文\n80101,50\n".to_string(),
            &["缺少“学籍号”列", "“考号”不是学籍号"],
        ),
    ];
    for (name, body, expected) in cases {
        let f = dir.file(name, body);
        let o = import_scores(&db, exam, &f);
        let out = text(&o);
        assert!(!o.status.success(), "{name} should fail:\n{out}");
        for e in *expected {
            assert!(out.contains(e), "{name}: expected “{e}” in:\n{out}");
        }
        assert!(out.contains("数据库未作任何修改"), "{name}: {out}");
        assert_eq!(marks(&db, exam), before, "{name} changed the stored marks");
    }

    // An XLSX (numbers as number cells, a title row, a 说明 sheet) replaces the marks it gives.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("说明").unwrap();
    ws.write_string(0, 0, "缺考填缺考").unwrap();
    let ws = wb.add_worksheet().set_name("成绩").unwrap();
    ws.write_string(0, 0, "八年级期末成绩").unwrap();
    for (c, h) in ["学籍号", "姓名", "语文", "英语"].iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    ws.write_string(2, 0, "G0000000002").unwrap();
    ws.write_string(2, 1, "李四").unwrap();
    ws.write_number(2, 2, 88.5).unwrap();
    ws.write_string(2, 3, "缺考").unwrap();
    ws.write_string(3, 0, "G0000000005").unwrap();
    ws.write_number(3, 2, 120).unwrap();
    let f = dir.0.join("成绩.xlsx");
    wb.save(&f).unwrap();
    let out = ok(import_scores(&db, exam, f.to_str().unwrap()));
    assert!(out.contains("成绩"), "{out}");
    let (stored, summary) = marks(&db, exam);
    assert_eq!(summary.1, 4, "G0000000005 is new");
    assert!(stored.contains(&mark("G0000000002", "语文", Some(88.5), false)));
    assert!(stored.contains(&mark("G0000000002", "英语", None, true)));
    assert!(
        stored.contains(&mark("G0000000002", "数学", Some(120.0), false)),
        "untouched"
    );
    assert!(stored.contains(&mark("G0000000005", "语文", Some(120.0), false)));

    // GB18030, as Excel on Chinese Windows saves CSV.
    let (gb, _, _) = encoding_rs::GB18030.encode("学籍号,姓名,数学\nG0000000003,王五,缺考\n");
    let f = dir.file("gbk.csv", &gb);
    let out = ok(import_scores(&db, exam, &f));
    assert!(out.contains("GB18030"), "{out}");
    assert!(
        marks(&db, exam)
            .0
            .contains(&mark("G0000000003", "数学", None, true))
    );

    // Recompute after a settings change runs and keeps the marks.
    let before = marks(&db, exam);
    ok(wuyu(&[
        "exam",
        "recompute",
        "--db",
        &db,
        "--exam",
        &exam.to_string(),
    ]));
    assert_eq!(marks(&db, exam), before);

    // An exam that does not exist.
    let o = import_scores(&db, 999, &f);
    assert!(!o.status.success());
    assert!(text(&o).contains("没有编号为 999 的考试"), "{}", text(&o));
}

#[test]
fn item_scores_with_a_blueprint_sheet() {
    let dir = Dir::new("items");
    let db = seeded(&dir);
    let exam = create(&db, "八年级数学单元测", &["语文:120", "数学:20"]);

    let workbook = |rows: &[&[&str]]| {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet().set_name("小题得分").unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                match v.parse::<f64>() {
                    Ok(n) => ws.write_number(r as u32, c as u16, n).unwrap(),
                    Err(_) if v.is_empty() => ws,
                    Err(_) => ws.write_string(r as u32, c as u16, *v).unwrap(),
                };
            }
        }
        let bp = wb.add_worksheet().set_name("双向细目表").unwrap();
        for (r, row) in [
            ["题号", "分值", "知识点"],
            ["1", "4", "有理数、绝对值"],
            ["2", "4", "数轴"],
            ["3(1)", "5", "一元一次方程"],
            ["3(2)", "7", "一元一次方程，应用题"],
            ["合计", "20", ""],
        ]
        .iter()
        .enumerate()
        {
            for (c, v) in row.iter().enumerate() {
                bp.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
        wb.save_to_buffer().unwrap()
    };
    let import = |name: &str, bytes: Vec<u8>| {
        let f = dir.file(name, bytes);
        wuyu(&[
            "import",
            "exam-items",
            &f,
            "--db",
            &db,
            "--exam",
            &exam.to_string(),
            "--subject",
            "数学",
        ])
    };

    let o = import(
        "数学小题分.xlsx",
        workbook(&[
            &["学籍号", "姓名", "1", "2", "3(1)", "3(2)", "总分", "状态"],
            &["G0000000001", "张三", "4", "0", "2.5", "7", "13.5", ""],
            &["G0000000002", "李四", "4", "4", "5", "", "13", ""],
            &["G0000000003", "王五", "", "", "", "", "", "缺考"],
            &["G0000000004", "赵六", "0", "4", "5", "7", "16", ""],
        ]),
    );
    let out = ok(o);
    assert!(
        out.contains("双向细目表") && out.contains("共 4 题"),
        "{out}"
    );
    assert!(out.contains("导入成功") && out.contains("缺考 1"), "{out}");
    let (stored, summary) = marks(&db, exam);
    assert!(summary.2, "has item data");
    assert!(
        stored.contains(&mark("G0000000001", "数学", Some(13.5), false)),
        "{stored:?}"
    );
    assert!(
        stored.contains(&mark("G0000000002", "数学", Some(13.0), false)),
        "blank = 0"
    );
    assert!(stored.contains(&mark("G0000000003", "数学", None, true)));
    let report = block_on(async {
        let store = wuyu_store::connect(&db).await.unwrap();
        store
            .exam_items(&Scope::District, ExamId(exam), "数学", None)
            .await
            .unwrap()
    });
    assert_eq!(report.analysis.k, 4);
    assert_eq!(
        report.analysis.n, 3,
        "the absent student is not in the analysis"
    );
    assert_eq!(report.knowledge_points[0], ["有理数", "绝对值"]);

    // A point above the question's 分值 and a wrong 总分: rejected, nothing changes.
    let before = marks(&db, exam);
    let o = import(
        "bad.xlsx",
        workbook(&[
            &["学籍号", "1", "2", "3(1)", "3(2)", "总分"],
            &["G0000000001", "4", "4", "5", "7", "20"],
            &["G0000000002", "5", "4", "5", "7", "21"],
            &["G0000000004", "4", "4", "5", "7", "19"],
        ]),
    );
    let out = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(
        out.contains("第 3 行") && out.contains("列“1”") && out.contains("超过该题分值 4 分"),
        "{out}"
    );
    assert!(
        out.contains("第 4 行") && out.contains("总分 19 与各题得分之和 20 不一致"),
        "{out}"
    );
    assert_eq!(marks(&db, exam), before);

    // Without a blueprint the import says where to put one.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "学籍号").unwrap();
    ws.write_string(0, 1, "1").unwrap();
    ws.write_string(1, 0, "G0000000001").unwrap();
    ws.write_number(1, 1, 1).unwrap();
    let o = import("no-blueprint.xlsx", wb.save_to_buffer().unwrap());
    assert!(!o.status.success());
    assert!(text(&o).contains("--blueprint"), "{}", text(&o));
}

#[test]
fn the_score_template_of_an_exam_reads_back_empty() {
    let dir = Dir::new("template");
    let db = seeded(&dir);
    let exam = create(&db, "期中", &["语文:120", "道德与法治:100"]);
    let out = dir.0.join("模板.xlsx");
    ok(wuyu(&[
        "template",
        "exam-scores",
        "--db",
        &db,
        "--exam",
        &exam.to_string(),
        "-o",
        out.to_str().unwrap(),
    ]));
    let bytes = std::fs::read(&out).unwrap();
    let e = block_on(async {
        let store = wuyu_store::connect(&db).await.unwrap();
        store.exam(&Scope::District, ExamId(exam)).await.unwrap()
    });
    let read = wuyu_ingest::read_exam_scores(&bytes, "模板.xlsx", &e).unwrap();
    assert!(read.errors.is_empty(), "{:?}", read.errors);
    assert_eq!(read.batch.subjects, ["语文", "道德与法治"]);
    assert!(read.batch.rows.is_empty());
}

/// The district pass line is a setting: a bad value is refused and changes nothing; a good one,
/// after `wuyu exam recompute`, changes the stored 及格率 to what the new line gives.
#[test]
fn settings_change_the_lines_after_a_recompute() {
    let dir = Dir::new("settings");
    let db = seeded(&dir);
    let exam = create(&db, "期末（设置）", &["数学:100"]);
    let f = dir.file(
        "scores.csv",
        "学籍号,数学\nG0000000001,95\nG0000000002,72\nG0000000003,65\nG0000000004,58\nG0000000005,缺考\n",
    );
    ok(import_scores(&db, exam, &f));
    let pass_rate = || {
        block_on(async {
            let store = wuyu_store::connect(&db).await.unwrap();
            let units = store
                .exam_unit_stats(
                    &Scope::District,
                    ExamId(exam),
                    wuyu_store::ExamUnitFilter::Overview,
                )
                .await
                .unwrap();
            let district = units
                .iter()
                .find(|u| u.unit.kind == wuyu_store::ExamUnitKind::District)
                .unwrap();
            let s = district
                .subjects
                .iter()
                .find(|s| s.subject == "数学")
                .unwrap();
            s.rates.pass_rate.unwrap()
        })
    };
    // Default line 60 %: 95, 72, 65 pass of the 4 who sat.
    assert!((pass_rate() - 3.0 / 4.0).abs() < 1e-12);

    for (key, value, says) in [
        ("exam_settings", "{\"linez\": {}}", "没有“linez”"),
        ("exam_settings", "not json", "不是有效的 JSON"),
        ("fitness_targets", "{\"excellent_rate\": 30}", "0 到 1"),
        ("hide_ranks", "yes", "true 或 false"),
        ("colour", "red", "没有名为“colour”的设置"),
    ] {
        let o = wuyu(&["settings", "set", "--db", &db, key, value]);
        assert!(!o.status.success(), "{key} {value}");
        assert!(text(&o).contains(says), "{}", text(&o));
    }
    let shown = ok(wuyu(&["settings", "show", "--db", &db]));
    assert!(shown.contains("hide_ranks = false"), "{shown}");
    assert!(shown.contains("show_student_ranks = false"), "{shown}");
    assert!(shown.contains("\"excellent_rate\":0.3"), "{shown}");

    // Pass line 70 %: only 95 and 72 pass.
    let lines = "{\"lines\": {\"excellent\": {\"fraction\": 0.85}, \"good\": null, \
                 \"pass\": {\"fraction\": 0.70}, \"low\": {\"fraction\": 0.40}}}";
    ok(wuyu(&[
        "settings",
        "set",
        "--db",
        &db,
        "exam_settings",
        lines,
    ]));
    assert!(
        (pass_rate() - 3.0 / 4.0).abs() < 1e-12,
        "unchanged until recomputed"
    );
    ok(wuyu(&[
        "exam",
        "recompute",
        "--db",
        &db,
        "--exam",
        &exam.to_string(),
    ]));
    assert!((pass_rate() - 2.0 / 4.0).abs() < 1e-12);
    let shown = ok(wuyu(&["settings", "show", "--db", &db]));
    assert!(shown.contains("\"fraction\":0.7"), "{shown}");

    // The exam's own lines (a 中考 uses its own): pass at 60 % again for this exam only,
    // recomputed at once; 95, 72 and 65 pass of the 4 who sat.
    let e = exam.to_string();
    let lines = |extra: &[&str]| {
        let mut args = vec!["exam", "lines", "--db", &db, "--exam", &e];
        args.extend_from_slice(extra);
        wuyu(&args)
    };
    let set = ok(lines(&["--excellent", "85", "--pass", "60", "--low", "30"]));
    assert!(set.contains("优秀 85%、及格 60%、低分 30%"), "{set}");
    assert!((pass_rate() - 3.0 / 4.0).abs() < 1e-12);
    assert!(ok(lines(&[])).contains("的分数线：优秀 85%"));
    // Lines out of order are refused in Chinese and change nothing.
    let o = lines(&["--excellent", "50", "--pass", "60", "--low", "30"]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("优秀线 ≥ 良好线 ≥ 及格线 ≥ 低分线"),
        "{}",
        text(&o)
    );
    assert!((pass_rate() - 3.0 / 4.0).abs() < 1e-12);
    // Back to the district's 70 %.
    ok(lines(&["--district"]));
    assert!((pass_rate() - 2.0 / 4.0).abs() < 1e-12);
    assert!(ok(lines(&[])).contains("按区级设置的分数线：优秀 85%、及格 70%"));
}
