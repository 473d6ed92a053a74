//! `wuyu fitness score` as a PE teacher runs it, on files built here: a code-layout CSV, a
//! template-layout XLSX, a GB18030 CSV with problems. Scores are checked two independent ways:
//! against `wuyu_standards::score_record` on the numbers the test wrote, and against cells read
//! by this test straight from the standard's own table (`fitness_scores.csv`).
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use wuyu_testkit::TempDir;

use wuyu_domain::Sex;
use wuyu_standards::{FitnessGrade, FitnessInput, FitnessItem, max_item_bonus, score_record};

/// A temp dir from wuyu-testkit (removed on drop), with this file's helpers.
struct Dir(TempDir);

impl Dir {
    fn new(tag: &str) -> Self {
        Self(TempDir::tagged(&format!("fitness-{tag}")))
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

fn wuyu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wuyu"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn score(input: &Path, output: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "fitness",
        "score",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = wuyu(&args);
    assert!(
        o.status.success(),
        "exit {:?}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// A written result file as header + rows of text. CSV must start with a UTF-8 BOM.
struct Sheet {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Sheet {
    fn read_csv(path: &Path) -> Self {
        let bytes = std::fs::read(path).unwrap();
        let body = bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .expect("CSV output starts with a UTF-8 BOM");
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(body);
        let mut all = r
            .records()
            .map(|rec| rec.unwrap().iter().map(String::from).collect::<Vec<_>>());
        let header = all.next().unwrap();
        Sheet {
            header,
            rows: all.collect(),
        }
    }

    /// Reads an XLSX back through the same format-neutral reader the scorer uses.
    fn read_xlsx(path: &Path) -> Self {
        let bytes = std::fs::read(path).unwrap();
        let t = wuyu_ingest::read_tables("out.xlsx", &bytes).unwrap();
        let table = &t.tables[0];
        let width = table.header.len();
        Sheet {
            header: table.header.clone(),
            rows: table
                .rows()
                .map(|r| (0..width).map(|c| r.get(c).to_string()).collect())
                .collect(),
        }
    }

    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", self.header))
    }

    fn get(&self, row: usize, name: &str) -> &str {
        &self.rows[row][self.col(name)]
    }
}

/// One student as the test writes them: every number in the item's unit (times in seconds).
#[derive(Clone)]
struct Student {
    id: &'static str,
    grade: u8,
    sex: Sex,
    height: f64,
    weight: f64,
    items: Vec<(FitnessItem, f64)>,
}

impl Student {
    fn input(&self) -> FitnessInput {
        let mut i = FitnessInput::new(FitnessGrade::school(self.grade).unwrap(), self.sex);
        i.height_cm = Some(self.height);
        i.weight_kg = Some(self.weight);
        for &(item, v) in &self.items {
            i.set(item, Some(v)).unwrap();
        }
        i
    }
}

use FitnessItem as I;

fn students() -> Vec<Student> {
    let s = |id, grade, sex, height, weight, items: &[(FitnessItem, f64)]| Student {
        id,
        grade,
        sex,
        height,
        weight,
        items: items.to_vec(),
    };
    vec![
        s(
            "007",
            1,
            Sex::Male,
            121.5,
            23.4,
            &[
                (I::VitalCapacity, 1100.0),
                (I::Run50m, 10.9),
                (I::SitAndReach, 9.5),
                (I::RopeSkip1min, 131.0),
            ],
        ),
        s(
            "008",
            3,
            Sex::Female,
            132.0,
            35.0,
            &[
                (I::VitalCapacity, 1350.0),
                (I::Run50m, 10.2),
                (I::SitAndReach, 12.1),
                (I::RopeSkip1min, 95.0),
                (I::SitUp1min, 31.0),
            ],
        ),
        s(
            "009",
            5,
            Sex::Male,
            145.0,
            38.6,
            &[
                (I::VitalCapacity, 2100.0),
                (I::Run50m, 8.4),
                (I::SitAndReach, 3.3),
                (I::RopeSkip1min, 150.0),
                (I::SitUp1min, 38.0),
                (I::Shuttle50x8, 101.0),
            ],
        ),
        s(
            "010",
            8,
            Sex::Male,
            165.3,
            70.1,
            &[
                (I::VitalCapacity, 3300.0),
                (I::Run50m, 7.6),
                (I::SitAndReach, -2.5),
                (I::StandingLongJump, 221.0),
                (I::PullUp, 13.0),
                (I::Run1000m, 210.0),
            ],
        ),
        s(
            "011",
            8,
            Sex::Female,
            158.0,
            45.0,
            &[
                (I::VitalCapacity, 2500.0),
                (I::Run50m, 9.0),
                (I::SitAndReach, 18.0),
                (I::StandingLongJump, 175.0),
                (I::SitUp1min, 50.0),
                (I::Run800m, 225.5),
            ],
        ),
        s(
            "012",
            11,
            Sex::Male,
            175.0,
            61.25,
            &[
                (I::VitalCapacity, 4300.0),
                (I::Run50m, 7.1),
                (I::SitAndReach, 14.0),
                (I::StandingLongJump, 250.0),
                (I::PullUp, 16.0),
                (I::Run1000m, 205.0),
            ],
        ),
        s(
            "013",
            12,
            Sex::Female,
            160.0,
            48.0,
            &[
                (I::VitalCapacity, 2900.0),
                (I::Run50m, 8.7),
                (I::SitAndReach, 20.0),
                (I::StandingLongJump, 190.0),
                (I::SitUp1min, 46.0),
                (I::Run800m, 200.0),
            ],
        ),
    ]
}

/// The code-layout items in `fitness_items.csv` order (no BMI).
const ITEMS: [FitnessItem; 10] = [
    I::VitalCapacity,
    I::Run50m,
    I::SitAndReach,
    I::RopeSkip1min,
    I::SitUp1min,
    I::Shuttle50x8,
    I::StandingLongJump,
    I::PullUp,
    I::Run1000m,
    I::Run800m,
];

fn code_csv(students: &[Student]) -> String {
    let mut s = String::from("student_no,note,grade,sex,height_cm,weight_kg");
    for i in ITEMS {
        s.push(',');
        s.push_str(i.code());
    }
    s.push('\n');
    for st in students {
        s.push_str(&format!(
            "{},\"备注, 含逗号\",{},{},{},{}",
            st.id,
            st.grade,
            st.sex.code(),
            st.height,
            st.weight
        ));
        for i in ITEMS {
            s.push(',');
            if let Some((_, v)) = st.items.iter().find(|(x, _)| *x == i) {
                s.push_str(&v.to_string());
            }
        }
        s.push('\n');
    }
    s
}

/// Checks an output row in code names against `score_record` on the same numbers.
#[track_caller]
fn assert_scored_like_the_standard(out: &Sheet, row: usize, input: &FitnessInput) {
    let r = score_record(input).unwrap();
    let ctx = format!("row {row}: {:?}", out.rows[row]);
    assert_eq!(out.get(row, "bmi"), r.bmi.unwrap().to_string(), "{ctx}");
    assert_eq!(
        out.get(row, "bmi_category"),
        r.bmi_category.unwrap().code(),
        "{ctx}"
    );
    for item in FitnessItem::ALL {
        let want = r
            .items
            .get(item)
            .map_or(String::new(), |s| s.score.to_string());
        assert_eq!(
            out.get(row, &format!("{}_score", item.code())),
            want,
            "{ctx} {item:?}"
        );
        if item.has_bonus() {
            let want = match r.items.get(item) {
                Some(s) if max_item_bonus(item, r.grade, r.sex) > 0 => s.bonus.to_string(),
                _ => String::new(),
            };
            assert_eq!(
                out.get(row, &format!("{}_bonus", item.code())),
                want,
                "{ctx} {item:?} bonus"
            );
        }
    }
    assert_eq!(
        out.get(row, "bonus_total"),
        r.bonus_total.to_string(),
        "{ctx}"
    );
    assert_eq!(
        out.get(row, "standard_score"),
        r.standard_score.unwrap().to_string(),
        "{ctx}"
    );
    assert_eq!(
        out.get(row, "year_total"),
        r.year_total.unwrap().to_string(),
        "{ctx}"
    );
    assert_eq!(out.get(row, "level"), r.level.unwrap().code(), "{ctx}");
    assert_eq!(out.get(row, "status"), "OK", "{ctx}");
}

/// `threshold` of one cell of the standard's own scoring table, read by the test itself.
fn table_threshold(item: &str, sex: &str, grade: &str, score: u8) -> f64 {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/standards");
    let dir = if shared.join("fitness_scores.csv").exists() {
        shared
    } else {
        // A fresh clone without the shared folder: the standards crate's byte-identical copy.
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../standards/data")
    };
    let text = std::fs::read_to_string(dir.join("fitness_scores.csv")).unwrap();
    let score = score.to_string();
    text.lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|f| f[0] == item && f[1] == sex && f[2] == grade && f[3] == score)
        .unwrap_or_else(|| panic!("no cell {item} {sex} {grade} {score}"))[4]
        .parse()
        .unwrap()
}

#[test]
fn code_layout_csv_scores_like_the_standard_and_passes_columns_through() {
    let dir = Dir::new("code");
    let input = dir.path("class.csv");
    let output = dir.path("scored.csv");
    let students = students();
    let csv_text = code_csv(&students);
    std::fs::write(&input, &csv_text).unwrap();
    let o = score(&input, &output, &["--columns", "code"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("共 7 行，完整 7，缺项 0，错误 0"),
        "{stderr}"
    );

    let out = Sheet::read_csv(&output);
    // Input columns first, unchanged and in order; then the fixed added columns.
    let in_header: Vec<&str> = csv_text.lines().next().unwrap().split(',').collect();
    assert_eq!(out.header[..in_header.len()], in_header);
    assert_eq!(
        out.header[in_header.len()..],
        [
            "bmi",
            "bmi_category",
            "bmi_score",
            "vital_capacity_score",
            "run_50m_score",
            "sit_and_reach_score",
            "rope_skip_1min_score",
            "sit_up_1min_score",
            "shuttle_50x8_score",
            "standing_long_jump_score",
            "pull_up_score",
            "run_1000m_score",
            "run_800m_score",
            "rope_skip_1min_bonus",
            "sit_up_1min_bonus",
            "pull_up_bonus",
            "run_1000m_bonus",
            "run_800m_bonus",
            "bonus_total",
            "standard_score",
            "year_total",
            "level",
            "status",
            "message",
        ]
    );
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.unwrap();
        let passed: Vec<&str> = out.rows[i][..in_header.len()]
            .iter()
            .map(String::as_str)
            .collect();
        assert_eq!(passed, rec.iter().collect::<Vec<_>>());
    }
    assert_eq!(out.get(0, "student_no"), "007");
    assert_eq!(out.get(0, "note"), "备注, 含逗号");
    for (i, st) in students.iter().enumerate() {
        assert_scored_like_the_standard(&out, i, &st.input());
    }
    // Student 009 ran 50 m in exactly the table's 100-point threshold for 五年级男.
    assert_eq!(table_threshold("run_50m", "M", "5", 100), 8.4);
    assert_eq!(out.get(2, "run_50m_score"), "100");
}

/// 50,000 rows (a 4 MB file, read and scored in several pieces on every core): each output row
/// must be its own input row, scored like the one-class file, and the problems shown must be
/// the file's first ones.
#[test]
fn many_rows_come_out_in_input_order_with_the_first_problems_shown() {
    let dir = Dir::new("many");
    let input = dir.path("district.csv");
    let output = dir.path("scored.csv");
    let students = students();
    let one = code_csv(&students);
    let mut lines = one.lines();
    let header = lines.next().unwrap();
    let body: Vec<&str> = lines.collect();
    let n = 50_000;
    let bad_every = 997;
    let mut text = format!("{header}\n");
    for k in 0..n {
        let template = body[k % body.len()];
        let (_, rest) = template.split_once(',').unwrap();
        if k % bad_every == 500 {
            // Grade 99 does not exist: an error row.
            let note = "\"备注, 含逗号\",";
            let (_, after_grade) = rest.strip_prefix(note).unwrap().split_once(',').unwrap();
            text.push_str(&format!("S{k:06},{note}99,{after_grade}\n"));
        } else {
            text.push_str(&format!("S{k:06},{rest}\n"));
        }
    }
    assert!(text.len() > 2 << 20, "{}", text.len());
    std::fs::write(&input, &text).unwrap();
    let o = score(&input, &output, &["--columns", "code"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    let bad = (0..n).filter(|k| k % bad_every == 500).count();
    assert!(
        stderr.contains(&format!("共 {n} 行，完整 {}，缺项 0，错误 {bad}", n - bad)),
        "{stderr}"
    );
    // The first problem shown is the first bad row: data row 501 is line 502.
    let shown: Vec<&str> = stderr.lines().skip(1).collect();
    assert!(shown[0].contains("502"), "{stderr}");
    assert!(
        shown[1].contains(&(502 + bad_every).to_string()),
        "{stderr}"
    );

    let out = Sheet::read_csv(&output);
    assert_eq!(out.rows.len(), n);
    let single = dir.path("one.csv");
    let single_out = dir.path("one.out.csv");
    std::fs::write(&single, &one).unwrap();
    score(&single, &single_out, &["--columns", "code"]);
    let expected = Sheet::read_csv(&single_out);
    let scored_from = out.col("bmi");
    for (k, row) in out.rows.iter().enumerate() {
        assert_eq!(row[0], format!("S{k:06}"), "row {k}");
        if k % bad_every == 500 {
            assert_eq!(out.get(k, "status"), "ERROR", "row {k}");
        } else {
            assert_eq!(
                row[scored_from..],
                expected.rows[k % body.len()][scored_from..],
                "row {k}"
            );
        }
    }
}

#[test]
fn spot_checks_against_the_standards_own_table() {
    let dir = Dir::new("table");
    let input = dir.path("spot.csv");
    let output = dir.path("spot.csv.out.csv");
    // 五年级男 50米跑: at the 80-point threshold → 80; 0.05 s slower lies between the 80 and 78
    // thresholds → 78 (the lower level). 五年级女 跳绳 at the 60 threshold → 60.
    // 初二男 1000米: 20 s faster than the 100-point threshold → +5 (README 1.5).
    let t80 = table_threshold("run_50m", "M", "5", 80);
    let t78 = table_threshold("run_50m", "M", "5", 78);
    let rope60 = table_threshold("rope_skip_1min", "F", "5", 60);
    let run100 = table_threshold("run_1000m", "M", "8", 100);
    let text = format!(
        "grade,sex,run_50m,rope_skip_1min,run_1000m\n5,M,{t80},,\n5,M,{},,\n5,F,,{rope60},\n8,M,,,{}\n",
        t80 + 0.05,
        run100 - 20.0
    );
    std::fs::write(&input, text).unwrap();
    score(&input, &output, &["--columns", "code"]);
    let out = Sheet::read_csv(&output);
    assert_eq!(out.get(0, "run_50m_score"), "80");
    assert!(t80 + 0.05 < t78);
    assert_eq!(out.get(1, "run_50m_score"), "78");
    assert_eq!(out.get(2, "rope_skip_1min_score"), "60");
    assert_eq!(out.get(2, "rope_skip_1min_bonus"), "0");
    assert_eq!(out.get(3, "run_1000m_score"), "100");
    assert_eq!(out.get(3, "run_1000m_bonus"), "5");
    assert_eq!(out.get(3, "bonus_total"), "5");
    // Partial records: INCOMPLETE, no total or level.
    for r in 0..4 {
        assert_eq!(out.get(r, "status"), "INCOMPLETE");
        assert_eq!(out.get(r, "standard_score"), "");
        assert_eq!(out.get(r, "level"), "");
    }
}

/// The long-run time as the template often has it: minutes and seconds.
fn min_sec(secs: f64) -> String {
    let m = (secs / 60.0).floor();
    format!("{}'{}\"", m, secs - m * 60.0)
}

#[test]
fn template_layout_xlsx_with_chinese_output() {
    use rust_xlsxwriter::Workbook;
    let dir = Dir::new("xlsx");
    let input = dir.path("上报模板.xlsx");
    let output = dir.path("结果.xlsx");
    let header = [
        "年级编号",
        "班级编号",
        "班级名称",
        "学籍号",
        "民族代码",
        "姓名",
        "性别",
        "出生日期",
        "身高",
        "体重",
        "肺活量",
        "50米跑",
        "立定跳远",
        "坐位体前屈",
        "800米跑",
        "1000米跑",
        "一分钟仰卧起坐",
        "引体向上",
        "一分钟跳绳",
        "50米×8往返跑",
    ];
    let col_of = |item: FitnessItem| header.iter().position(|h| *h == item.name_zh()).unwrap();
    let students = students();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, st) in students.iter().enumerate() {
        let r = r as u32 + 1;
        let code = wuyu_domain::Grade::new(st.grade).unwrap().template_code();
        ws.write_number(r, 0, code).unwrap();
        ws.write_string(r, 1, format!("{code}01")).unwrap();
        ws.write_string(r, 2, "1班").unwrap();
        ws.write_string(r, 3, format!("G0{}", st.id)).unwrap();
        ws.write_string(r, 4, "01").unwrap();
        ws.write_string(r, 5, format!("学生{}", st.id)).unwrap();
        ws.write_number(r, 6, if st.sex == Sex::Male { 1 } else { 2 })
            .unwrap();
        ws.write_string(r, 7, "2012-03-05").unwrap();
        ws.write_number(r, 8, st.height).unwrap();
        ws.write_number(r, 9, st.weight).unwrap();
        for &(item, v) in &st.items {
            let c = col_of(item) as u16;
            match item {
                // Long runs as the template writes them: 3'40".
                I::Run800m | I::Run1000m | I::Shuttle50x8 => {
                    ws.write_string(r, c, min_sec(v)).unwrap();
                }
                _ => {
                    ws.write_number(r, c, v).unwrap();
                }
            }
        }
    }
    std::fs::write(&input, wb.save_to_buffer().unwrap()).unwrap();

    score(&input, &output, &[]);
    let out = Sheet::read_xlsx(&output);
    assert_eq!(out.header[..header.len()], header);
    for (i, st) in students.iter().enumerate() {
        let r = score_record(&st.input()).unwrap();
        assert_eq!(out.get(i, "学籍号"), format!("G0{}", st.id));
        assert_eq!(out.get(i, "民族代码"), "01");
        assert_eq!(
            out.get(i, "体重指数等级"),
            r.bmi_category.unwrap().label_zh()
        );
        // XLSX numbers read back as Excel shows them (18.0 as 18).
        let bmi: f64 = out.get(i, "体重指数").parse().unwrap();
        assert_eq!(bmi, r.bmi.unwrap().as_f64());
        for (item, s) in r.items.iter() {
            let name = if item == I::Bmi {
                "体重指数"
            } else {
                item.name_zh()
            };
            assert_eq!(out.get(i, &format!("{name}得分")), s.score.to_string());
        }
        // XLSX numbers read back as typed: 78.0 shows as 78.
        let num = |p: wuyu_standards::Points| {
            let f = p.as_f64();
            if f.fract() == 0.0 {
                format!("{f}")
            } else {
                p.to_string()
            }
        };
        assert_eq!(out.get(i, "标准分"), num(r.standard_score.unwrap()));
        assert_eq!(out.get(i, "学年总分"), num(r.year_total.unwrap()));
        assert_eq!(out.get(i, "附加分"), r.bonus_total.to_string());
        assert_eq!(out.get(i, "等级"), r.level.unwrap().label_zh());
        assert_eq!(out.get(i, "状态"), "完整");
    }
}

/// GB18030 template-layout CSV with every accepted time form and the problem rows.
#[test]
fn gb18030_csv_with_every_time_form_incomplete_and_error_rows() {
    let dir = Dir::new("gb");
    let input = dir.path("gbk.csv");
    let output = dir.path("out.csv");
    // 初二女: 800米 220 s in every accepted form must score the same.
    let base = "22,2,158,45,2500,9.0,175,18,{t},50";
    let forms = [
        "3'40\"",
        "3′40″",
        "3’40”",
        "3'40",
        "3'40''",
        "3分40秒",
        "3分40",
        "3:40",
        "0:03:40",
        "220",
        "220秒",
        "220s",
        "220\"",
        "３：４０",
    ];
    let mut text = String::from(
        "年级编号,性别,身高,体重,肺活量,50米跑,立定跳远,坐位体前屈,800米跑,一分钟仰卧起坐,姓名\n",
    );
    for (k, f) in forms.iter().enumerate() {
        // Quote the cell: some forms contain a double quote.
        let cell = format!("\"{}\"", f.replace('"', "\"\""));
        text.push_str(&base.replace("{t}", &cell));
        text.push_str(&format!(",形式{k}\n"));
    }
    let n = forms.len();
    // Missing 肺活量 → INCOMPLETE.
    text.push_str("22,2,158,45,,9.0,175,18,220,50,缺肺活量\n");
    // Impossible 50米跑, and an ambiguous 800米 time → ERROR (both reported).
    text.push_str("22,2,158,45,2500,2.1,175,18,3.40,50,错误行\n");
    // Implausible but possible: a warning, still scored.
    text.push_str("22,2,158,45,2500,21,175,18,220,50,提醒行\n");
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    std::fs::write(&input, &bytes).unwrap();

    let o = score(&input, &output, &[]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(&format!(
            "共 {} 行，完整 {}，缺项 1，错误 1；提醒 1 条",
            n + 3,
            n + 1
        )),
        "{stderr}"
    );
    // The full problem list names file, row, column and value.
    assert!(
        stderr.contains(&format!("gbk.csv 第 {} 行 列“800米跑” 值“3.40”", n + 3)),
        "{stderr}"
    );
    let out = Sheet::read_csv(&output);
    let mut want = FitnessInput::new(FitnessGrade::school(8).unwrap(), Sex::Female);
    want.height_cm = Some(158.0);
    want.weight_kg = Some(45.0);
    want.vital_capacity = Some(2500.0);
    want.run_50m = Some(9.0);
    want.standing_long_jump = Some(175.0);
    want.sit_and_reach = Some(18.0);
    want.run_800m = Some(220.0);
    want.sit_up_1min = Some(50.0);
    let r = score_record(&want).unwrap();
    for (k, form) in forms.iter().enumerate() {
        assert_eq!(out.get(k, "800米跑"), *form, "passed through unchanged");
        assert_eq!(
            out.get(k, "800米跑得分"),
            r.items.get(I::Run800m).unwrap().score.to_string(),
            "{form}"
        );
        assert_eq!(out.get(k, "标准分"), r.standard_score.unwrap().to_string());
        assert_eq!(out.get(k, "状态"), "完整");
        assert_eq!(out.get(k, "说明"), "");
    }
    assert_eq!(out.get(n, "姓名"), "缺肺活量");
    assert_eq!(out.get(n, "状态"), "缺项");
    assert!(
        out.get(n, "说明").contains("缺少 肺活量"),
        "{}",
        out.get(n, "说明")
    );
    assert_eq!(out.get(n, "学年总分"), "");
    assert_ne!(
        out.get(n, "50米跑得分"),
        "",
        "present items are still scored"
    );

    assert_eq!(out.get(n + 1, "状态"), "错误");
    let msg = out.get(n + 1, "说明");
    assert!(msg.contains("50米跑 2.1 秒 不可能"), "{msg}");
    assert!(msg.contains("800米跑“3.40”有歧义"), "{msg}");
    assert_eq!(out.get(n + 1, "50米跑得分"), "");

    assert_eq!(out.get(n + 2, "状态"), "完整");
    assert!(out.get(n + 2, "说明").contains("超出常见范围"));
    assert_ne!(out.get(n + 2, "等级"), "");
}

#[test]
fn code_output_words() {
    let dir = Dir::new("words");
    let input = dir.path("a.csv");
    let output = dir.path("b.csv");
    // 一年级男, obese BMI (30 kg at 120 cm = 20.8).
    std::fs::write(
        &input,
        "grade,sex,height_cm,weight_kg,vital_capacity,run_50m,sit_and_reach,rope_skip_1min\n1,男,120,30,700,13.0,-5,20\n1,M,120,30,,,,\n",
    )
    .unwrap();
    score(&input, &output, &["--columns", "code"]);
    let out = Sheet::read_csv(&output);
    assert_eq!(out.get(0, "bmi_category"), "obese");
    assert_eq!(out.get(0, "level"), "fail");
    assert_eq!(out.get(0, "status"), "OK");
    assert_eq!(out.get(1, "status"), "INCOMPLETE");
    score(&input, &output, &[]);
    let out = Sheet::read_csv(&output);
    assert_eq!(out.get(0, "体重指数等级"), "肥胖");
    assert_eq!(out.get(0, "等级"), "不及格");
}

#[test]
fn unreadable_files_fail_with_a_chinese_message() {
    let dir = Dir::new("bad");
    let out = dir.path("o.csv");
    let roster = dir.path("roster.csv");
    std::fs::write(&roster, "学籍号,姓名\n1,张三\n").unwrap();
    let broken = dir.path("broken.xlsx");
    std::fs::write(&broken, b"PK\x03\x04 not really a zip").unwrap();
    let dup = dir.path("dup.csv");
    std::fs::write(&dup, "grade,sex,run_50m,50米跑\n1,M,9,9\n").unwrap();
    for (file, expect) in [
        (&roster, "没有可识别的体质健康成绩表"),
        (&broken, "无法读取 Excel 文件"),
        (&dup, "是同一项"),
    ] {
        let o = wuyu(&[
            "fitness",
            "score",
            file.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(!o.status.success());
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains(expect), "{e}");
    }
    let o = wuyu(&[
        "fitness",
        "score",
        roster.to_str().unwrap(),
        "-o",
        dir.path("x.pdf").to_str().unwrap(),
    ]);
    assert!(!o.status.success());
}

/// 1,000,000 code-layout rows scored end to end. Run in release:
/// `cargo test --release -p wuyu-cli --test fitness_score -- --ignored --nocapture million`
#[test]
#[ignore]
fn million_rows_end_to_end() {
    use std::io::Write;
    let dir = Dir::new("million");
    let input = dir.path("million.csv");
    let output = dir.path("million.out.csv");
    let students = students();
    let mut w = std::io::BufWriter::new(std::fs::File::create(&input).unwrap());
    let text = code_csv(&students);
    let mut lines = text.lines();
    writeln!(w, "{}", lines.next().unwrap()).unwrap();
    let body: Vec<&str> = lines.collect();
    let n = 1_000_000;
    for k in 0..n {
        writeln!(w, "{}", body[k % body.len()]).unwrap();
    }
    w.flush().unwrap();
    drop(w);
    let mb = std::fs::metadata(&input).unwrap().len() as f64 / 1e6;
    let t = std::time::Instant::now();
    let o = score(&input, &output, &["--columns", "code"]);
    let secs = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains(&format!("共 {n} 行，完整 {n}")), "{stderr}");
    println!(
        "scored {n} rows ({mb:.0} MB CSV) in {secs:.2} s: {:.0} rows/s",
        n as f64 / secs
    );
}
