//! Structured mutation of valid files ("fuzzing" on the stable toolchain, a short run in the
//! suite): valid roster, fitness, exam-score, psych, plan and activity files have their cells
//! replaced by hostile values, their rows duplicated, dropped, truncated or widened, and their
//! bytes flipped, then go through every importer as CSV and as XLSX. Whatever the input, an
//! importer answers with records, row errors or a whole-file error — never a panic — and every
//! row error names a row of the file and says in Chinese what is wrong.
//!
//! `WUYU_MUTATION_CASES=N` runs N cases per importer instead of the suite's short run;
//! `WUYU_MUTATION_SECONDS=S` runs each importer for S seconds instead (a long campaign, e.g.
//! 600 per importer before a release), printing how many cases each ran.
use rust_xlsxwriter::Workbook;
use time::macros::date;
use wuyu_domain::{Exam, ExamId, ExamLevel, ExamSubject, Grade, RowError, Term, TermPart};
use wuyu_ingest::archive::{ART_COLUMNS, RECORD_COLUMNS, read_activities, read_art};
use wuyu_ingest::fitness::find_fitness_sheets;
use wuyu_ingest::staff::development::{
    TITLE_COLUMNS, TRAINING_COLUMNS, read_titles, read_training,
};
use wuyu_ingest::staff::levels::{LEVELS_COLUMNS, read_appraisal_input};
use wuyu_ingest::{
    RosterOptions, TEMPLATE_HEADER, read_exam_scores, read_fitness_batch, read_plan,
    read_psych_answers, read_roster, read_tables,
};

use crate::{STUDENT_HEADER, id};

/// A small deterministic generator (xorshift64*): every failure is reproducible from its case
/// number, which the panic message names.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Values users and broken exporters put into cells.
const HOSTILE: &[&str] = &[
    "",
    " ",
    "0",
    "-0",
    "-1",
    "1e309",
    "NaN",
    "inf",
    "９９",
    "3.1415926535897932384626",
    "99999999999999999999",
    "4294967296",
    "18446744073709551616",
    "2012-02-30",
    "0000-00-00",
    "2012/13/45",
    "12:61",
    "1'60\"",
    "1′05″",
    "缺考",
    "免测",
    "男女",
    "=1+1",
    "\"",
    "\"\"",
    ",",
    "\t",
    "\r\n",
    "\u{0}",
    "\u{FEFF}",
    "𠀀𠀁",
    "G",
    "七年级",
    "十三年级",
    "A班",
    "1班",
    "01",
    "-",
    "——",
];

fn hostile_cell(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => "9".repeat(1 + rng.below(40)),
        1 => "名".repeat(1 + rng.below(3000)),
        _ => HOSTILE[rng.below(HOSTILE.len())].to_string(),
    }
}

/// One mutation of a table (header first).
fn mutate(rows: &mut Vec<Vec<String>>, rng: &mut Rng) {
    if rows.is_empty() {
        rows.push(vec![hostile_cell(rng)]);
        return;
    }
    let r = rng.below(rows.len());
    match rng.below(8) {
        0..=2 => {
            let c = rng.below(rows[r].len().max(1));
            if c < rows[r].len() {
                rows[r][c] = hostile_cell(rng);
            }
        }
        3 => {
            let copy = rows[r].clone();
            rows.insert(rng.below(rows.len() + 1), copy);
        }
        4 => {
            rows.remove(r);
        }
        5 => {
            let keep = rng.below(rows[r].len() + 1);
            rows[r].truncate(keep);
        }
        6 => {
            let extra = hostile_cell(rng);
            rows[r].push(extra);
        }
        _ => {
            // Swap two columns of one row: values in the wrong place.
            let n = rows[r].len();
            if n > 1 {
                let (a, b) = (rng.below(n), rng.below(n));
                rows[r].swap(a, b);
            }
        }
    }
}

fn to_csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

fn to_xlsx(sheet: &str, rows: &[Vec<String>]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            // Numbers as numbers, as Excel stores typed digits.
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(n) if n.is_finite() && !cell.starts_with('0') => {
                    ws.write_number(r, c, n).unwrap();
                }
                _ => {
                    // rust_xlsxwriter refuses what Excel cannot hold; the reader never sees it.
                    let _ = ws.write_string(r, c, cell);
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

/// Flips a few bytes: a damaged download.
fn damage(bytes: &mut [u8], rng: &mut Rng) {
    for _ in 0..1 + rng.below(4) {
        if bytes.is_empty() {
            return;
        }
        let i = rng.below(bytes.len());
        bytes[i] ^= 1 << rng.below(8);
    }
}

/// What every importer's row errors must satisfy for a file of `rows` rows.
#[track_caller]
fn check_errors(errors: &[RowError], rows: usize, case: &str) {
    for e in errors {
        // Row numbers count from the file's first line; a mutation adds at most one line
        // per case, and quoted line breaks can only make rows fewer than lines.
        assert!(
            (e.row as usize) <= rows + 2,
            "{case}: row {} in a file of {rows} rows: {e}",
            e.row
        );
        assert!(
            e.message_zh
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{case}: message is not Chinese: {e}"
        );
        assert!(
            e.message_zh.chars().count() < 2000,
            "{case}: a message repeats a huge value: {} characters: {}",
            e.message_zh.chars().count(),
            e.message_zh.chars().take(300).collect::<String>()
        );
    }
}

/// Excel's last row: no error can name a row beyond it.
const EXCEL_ROWS: usize = 1_048_576;

fn cases() -> u64 {
    std::env::var("WUYU_MUTATION_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60)
}

/// A time budget per importer (`WUYU_MUTATION_SECONDS`), which overrides the case count.
fn budget() -> Option<std::time::Duration> {
    std::env::var("WUYU_MUTATION_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(std::time::Duration::from_secs)
}

/// Runs `read` on `cases()` mutants of `seed`, as CSV, XLSX and damaged bytes in turn.
fn run(name: &str, sheet: &str, seed: Vec<Vec<String>>, read: impl Fn(&str, &[u8], usize, &str)) {
    // The seed itself must be a valid file, or the mutants prove little.
    read(&format!("{name}.csv"), &to_csv(&seed), seed.len(), "seed");
    let started = std::time::Instant::now();
    let (limit, budget) = match budget() {
        Some(b) => (u64::MAX, Some(b)),
        None => (cases(), None),
    };
    let mut ran = 0u64;
    for case in 0..limit {
        if budget.is_some_and(|b| started.elapsed() >= b) {
            break;
        }
        ran += 1;
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (case + 1));
        let mut rows = seed.clone();
        for _ in 0..1 + rng.below(6) {
            mutate(&mut rows, &mut rng);
        }
        let label = format!("{name} case {case}");
        match case % 3 {
            0 => read(&format!("{name}.csv"), &to_csv(&rows), rows.len(), &label),
            1 => read(
                &format!("{name}.xlsx"),
                &to_xlsx(sheet, &rows),
                rows.len(),
                &label,
            ),
            _ => {
                let mut bytes = if rng.below(2) == 0 {
                    to_csv(&rows)
                } else {
                    to_xlsx(sheet, &rows)
                };
                damage(&mut bytes, &mut rng);
                // A damaged XLSX may renumber its own rows (a flipped digit in `<row r="4">`
                // is row 44 as Excel shows it): there an error names a row within Excel's
                // limit, not necessarily within the rows written.
                let (file, rows) = if bytes.starts_with(b"PK") {
                    ("x.xlsx", EXCEL_ROWS - 2)
                } else {
                    ("x.csv", rows.len())
                };
                read(file, &bytes, rows, &label);
            }
        }
    }
    eprintln!("{name}: {ran} cases in {:.1?}", started.elapsed());
}

fn table(lines: &[&str]) -> Vec<Vec<String>> {
    lines
        .iter()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn roster_files_never_panic() {
    let a = id("31011220120305123");
    let b = id("31011220120709002");
    let seed = table(&[
        STUDENT_HEADER,
        &format!("3101120001,7,3班,G{a},张三,男,2012-03-05,{a},01"),
        &format!("3101120001,7,3班,G{b},李四,女,2012-07-09,{b},01"),
        "3101120001,七年级,4班,L2012000002,王五,男,2012/7/9,,",
    ]);
    run("学生", "学生", seed, |file, bytes, rows, case| {
        if let Ok(r) = read_roster(file, bytes, &RosterOptions::default()) {
            check_errors(&r.errors, rows, case);
            assert!(r.batch.students.len() <= rows, "{case}");
        }
    });
}

#[test]
fn fitness_files_never_panic() {
    let mut header: Vec<String> = TEMPLATE_HEADER.iter().map(|s| s.to_string()).collect();
    header.truncate(TEMPLATE_HEADER.len());
    let row = |no: &str, sex: &str| -> Vec<String> {
        let mut r = vec![
            "17",
            "1701",
            "1班",
            no,
            "01",
            "张三",
            sex,
            "2012-03-05",
            "150.2",
            "41.5",
            "2500",
            "8.9",
            "15.2",
            "1'55\"",
            "1'40\"",
            "165",
            "30",
            "40",
            "25",
            "",
            "",
            "",
            "",
            "",
        ];
        r.truncate(TEMPLATE_HEADER.len());
        r.into_iter().map(str::to_string).collect()
    };
    let seed = vec![header, row("G001", "1"), row("G002", "2"), row("G003", "1")];
    let term = Term::new(2025, TermPart::Autumn).unwrap();
    run("体测", "体测成绩", seed, |file, bytes, rows, case| {
        if let Ok(r) = read_fitness_batch(file, bytes, term, Some(date!(2025 - 10 - 20))) {
            check_errors(&r.errors, rows, case);
        }
    });
}

#[test]
fn exam_score_files_never_panic() {
    let exam = Exam {
        id: ExamId(1),
        name: "期末".into(),
        date: date!(2026 - 01 - 15),
        term: Term::new(2025, TermPart::Autumn).unwrap(),
        level: ExamLevel::District,
        grade: Grade::new(8).unwrap(),
        subjects: [("语文", 120.0), ("数学", 120.0), ("英语", 100.0)]
            .iter()
            .map(|(n, f)| ExamSubject {
                name: n.to_string(),
                full_marks: *f,
            })
            .collect(),
        baseline: None,
    };
    let seed = table(&[
        "学籍号,姓名,班级,语文,数学,英语",
        "G001,张三,1班,98.5,110,缺考",
        "G002,李四,1班,75,88,91",
        "G003,王五,2班,,60,72.5",
    ]);
    run("成绩", "成绩", seed, |file, bytes, rows, case| {
        if let Ok(r) = read_exam_scores(bytes, file, &exam) {
            check_errors(&r.errors, rows, case);
        }
    });
}

#[test]
fn psych_answer_files_never_panic() {
    let mut header = vec!["student_no".to_string()];
    header.extend((1..=9).map(|i| format!("phq9_{i}")));
    let seed = vec![
        header,
        std::iter::once("G001".to_string())
            .chain((0..9).map(|i| (i % 4).to_string()))
            .collect(),
        std::iter::once("G002".to_string())
            .chain((0..9).map(|_| "0".to_string()))
            .collect(),
    ];
    run("心理筛查", "答题", seed, |file, bytes, rows, case| {
        if let Ok(r) = read_psych_answers(bytes, file) {
            check_errors(&r.errors, rows, case);
        }
    });
}

#[test]
fn plan_files_never_panic() {
    let text = include_str!("../../../synth/data/plan-targets-2023-2025.csv");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let seed: Vec<Vec<String>> = reader
        .records()
        .take(12)
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    run(
        "任务分解表",
        "任务分解",
        seed,
        |file, bytes, rows, case| {
            if let Ok(r) = read_plan(bytes, file) {
                check_errors(&r.errors, rows, case);
            }
        },
    );
}

/// The stateless scorer's reader (`wuyu fitness score`, the code layout): every row is read and
/// checked, with or without a 学籍号 in the roster.
#[test]
fn fitness_score_files_never_panic() {
    let seed = sheet(
        &[
            "student_no",
            "grade",
            "sex",
            "height_cm",
            "weight_kg",
            "vital_capacity",
            "run_50m",
            "sit_and_reach",
            "rope_skip_1min",
            "sit_up_1min",
        ],
        &[
            &[
                "S1", "3", "M", "132.5", "29.4", "1500", "10.2", "6.5", "98", "30",
            ],
            &[
                "S2", "3", "F", "130.0", "27.0", "1300", "10.8", "12.1", "105", "33",
            ],
        ],
    );
    run("体测评分", "体测", seed, |file, bytes, rows, case| {
        let Ok(tables) = read_tables(file, bytes) else {
            return;
        };
        if let Ok(sheets) = find_fitness_sheets(file, &tables) {
            for s in &sheets {
                let mut errors = Vec::new();
                for row in s.rows() {
                    errors.extend(row.errors);
                }
                seed_is_clean(&errors, case);
                check_errors(&errors, rows, case);
            }
        }
    });
}

/// Found by the mutations: the scorer's reader repeated a 3,000-character cell in its message.
#[test]
fn the_scorer_shows_only_the_start_of_a_huge_cell() {
    let huge = "名".repeat(3000);
    let csv = format!("student_no,grade,sex,height_cm,weight_kg\nS1,3,{huge},132.5,29.4\n");
    let tables = read_tables("体测.csv", csv.as_bytes()).unwrap();
    let sheets = find_fitness_sheets("体测.csv", &tables).unwrap();
    let row = sheets[0].rows().next().unwrap();
    let e = row
        .errors
        .iter()
        .find(|e| e.column.contains("sex"))
        .expect("the sex cell is refused");
    assert!(e.message_zh.chars().count() < 200, "{}", e.message_zh);
    assert!(
        e.message_zh.contains(&format!("{}…", "名".repeat(50))),
        "{}",
        e.message_zh
    );
}

/// The unmutated seed must read without errors, or the mutants start from a broken file.
fn seed_is_clean(errors: &[RowError], case: &str) {
    if case == "seed" {
        assert!(errors.is_empty(), "the seed has errors: {errors:#?}");
    }
}

/// A header row from a reader's column list, and a row of `cells` under it.
fn sheet(header: &[&str], rows: &[&[&str]]) -> Vec<Vec<String>> {
    std::iter::once(header.iter().map(|h| h.to_string()).collect())
        .chain(
            rows.iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect()),
        )
        .collect()
}

#[test]
fn activity_record_files_never_panic() {
    let header: Vec<&str> = RECORD_COLUMNS.iter().map(|c| c.0).collect();
    let seed = sheet(
        &header,
        &[
            &[
                "G001",
                "志愿服务",
                "2025-10-15",
                "",
                "3",
                "0.5",
                "社区居委会",
                "清扫街道",
            ],
            &[
                "G002",
                "研学旅行",
                "2025-10-20",
                "2025-10-22",
                "18",
                "",
                "校团委",
                "三日研学",
            ],
            &["G003", "家务劳动", "2025-11-02", "", "1.5", "", "", "做饭"],
        ],
    );
    let term = Term::new(2025, TermPart::Autumn).unwrap();
    run(
        "写实记录",
        "写实记录",
        seed,
        |file, bytes, rows, case| {
            if let Ok(r) = read_activities(bytes, file, term) {
                check_errors(&r.errors, rows, case);
                assert!(r.rows.len() <= rows, "{case}");
            }
        },
    );
}

#[test]
fn art_assessment_files_never_panic() {
    let header: Vec<&str> = ART_COLUMNS.iter().map(|c| c.0).collect();
    let seed = sheet(
        &header,
        &[&["G001", "36.5", "44", "12"], &["G002", "30", "41.5", "8"]],
    );
    run(
        "艺术素质测评",
        "艺术测评",
        seed,
        |file, bytes, rows, case| {
            if let Ok(r) = read_art(bytes, file) {
                check_errors(&r.errors, rows, case);
                assert!(r.rows.len() <= rows, "{case}");
            }
        },
    );
}

#[test]
fn staff_files_never_panic() {
    let training: Vec<&str> = TRAINING_COLUMNS.iter().map(|c| c.zh).collect();
    let seed = sheet(
        &training,
        &[
            &[
                "3101120001",
                "T001",
                "新课标研修",
                "2025-03-15",
                "24",
                "骨干",
                "区教师进修学院",
            ],
            &[
                "3101120001",
                "T002",
                "班主任培训",
                "2025-04-02",
                "12",
                "普及",
                "区教育局",
            ],
        ],
    );
    run("教师培训", "培训", seed, |file, bytes, rows, case| {
        if let Ok(t) = read_tables(file, bytes) {
            for table in &t.tables {
                let r = read_training(file, table);
                seed_is_clean(&r.errors, case);
                check_errors(&r.errors, rows, case);
            }
        }
    });
    let titles: Vec<&str> = TITLE_COLUMNS.iter().map(|c| c.zh).collect();
    let seed = sheet(
        &titles,
        &[&["3101120001", "T001", "骨干教师", "区级", "2024"]],
    );
    run("教师称号", "称号", seed, |file, bytes, rows, case| {
        if let Ok(t) = read_tables(file, bytes) {
            for table in &t.tables {
                let r = read_titles(file, table);
                seed_is_clean(&r.errors, case);
                check_errors(&r.errors, rows, case);
            }
        }
    });
    let appraisal: Vec<&str> = LEVELS_COLUMNS.iter().map(|c| c.zh).collect();
    let seed = sheet(
        &appraisal,
        &[
            &[
                "一中", "一般", "T001", "88", "", "", "", "", "", "", "90;85;70", "92", "80",
            ],
            &[
                "一中", "一般", "T002", "", "86", "8", "20", "否", "否", "", "", "", "",
            ],
        ],
    );
    run("年度考核", "考核", seed, |file, bytes, rows, case| {
        if let Ok(t) = read_tables(file, bytes) {
            for table in &t.tables {
                let r = read_appraisal_input(file, table);
                seed_is_clean(&r.errors, case);
                check_errors(&r.errors, rows, case);
                assert!(r.cases.len() <= rows, "{case}");
            }
        }
    });
}

/// Found by the mutations: a number Excel cannot hold exactly, in a column right of the header,
/// panicked while naming its column.
#[test]
fn an_unreadable_cell_right_of_the_header_is_named_by_its_column() {
    let mut header: Vec<String> = TEMPLATE_HEADER.iter().map(|s| s.to_string()).collect();
    header.truncate(TEMPLATE_HEADER.len());
    let mut row: Vec<String> = vec![String::new(); TEMPLATE_HEADER.len()];
    for (i, v) in [
        (0, "17"),
        (1, "1701"),
        (2, "1班"),
        (3, "G001"),
        (5, "张三"),
        (6, "1"),
    ] {
        row[i] = v.to_string();
    }
    row.push("99999999999999999999".to_string());
    let bytes = to_xlsx("体测成绩", &[header, row]);
    let term = Term::new(2025, TermPart::Autumn).unwrap();
    let read = read_fitness_batch("体测.xlsx", &bytes, term, Some(date!(2025 - 10 - 20))).unwrap();
    let beyond = format!("第 {} 列", TEMPLATE_HEADER.len() + 1);
    let e = read
        .errors
        .iter()
        .chain(read.warnings.iter())
        .find(|e| e.column == beyond)
        .unwrap_or_else(|| panic!("no problem named {beyond}: {:#?}", read.errors));
    assert_eq!(e.row, 2);
    assert!(e.message_zh.contains("15 位"), "{e}");
}
