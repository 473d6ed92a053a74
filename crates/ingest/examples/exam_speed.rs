/*!
Times `read_exam_scores` on a large score CSV (default 200,000 students × 9 subjects, in UTF-8
and in GB18030) and `read_exam_items` on an item sheet (default 100,000 students × 40
questions with its 双向细目表).

    cargo run --release -p wuyu-ingest --example exam_speed -- 200000

The files are generated in memory (about 2 % 缺考, 1 % blank cells, half points, pass-through
姓名 / 班级 / 考号 / 总分 columns); the time covers decoding, CSV parsing, header matching,
validation and the duplicate 学籍号 check, not disk IO.
*/
use std::fmt::Write as _;
use std::time::Instant;

use time::macros::date;
use wuyu_domain::{Exam, ExamId, ExamLevel, ExamSubject, Grade, Term, TermPart};
use wuyu_ingest::{read_exam_items, read_exam_scores};

const SUBJECTS: [(&str, f64); 9] = [
    ("语文", 120.0),
    ("数学", 120.0),
    ("英语", 120.0),
    ("物理", 100.0),
    ("化学", 100.0),
    ("生物", 100.0),
    ("历史", 100.0),
    ("地理", 100.0),
    ("道德与法治", 100.0),
];

fn exam(subjects: &[(&str, f64)]) -> Exam {
    Exam {
        id: ExamId(1),
        name: "期末".into(),
        date: date!(2026 - 01 - 15),
        term: Term::new(2025, TermPart::Autumn).unwrap(),
        level: ExamLevel::District,
        grade: Grade::new(9).unwrap(),
        subjects: subjects
            .iter()
            .map(|(n, f)| ExamSubject {
                name: n.to_string(),
                full_marks: *f,
            })
            .collect(),
        baseline: None,
    }
}

/// A cheap deterministic pseudo-random sequence (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn scores_csv(n: usize) -> String {
    let mut s = String::with_capacity(n * 80);
    s.push_str("学籍号,姓名,班级,考号");
    for (name, _) in SUBJECTS {
        s.push(',');
        s.push_str(name);
    }
    s.push_str(",总分\n");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..n {
        write!(
            s,
            "G{i:012},学生{},{}班,{}",
            i % 1000,
            1 + i % 12,
            800_000 + i
        )
        .unwrap();
        for (_, full) in SUBJECTS {
            let r = rng.next();
            s.push(',');
            match r % 100 {
                0 | 1 => s.push_str("缺考"),
                2 => {}
                _ => {
                    let half = (r >> 8) % (2 * full as u64 + 1);
                    write!(s, "{}", half as f64 / 2.0).unwrap();
                }
            }
        }
        s.push_str(",\n");
    }
    s
}

fn items_csv(n: usize, k: usize) -> (String, String) {
    let mut bp = String::from("题号,分值,知识点\n");
    let mut head = String::from("学籍号,姓名");
    for q in 1..=k {
        writeln!(bp, "{q},3,知识点{}、知识点{}", q % 7, q % 5).unwrap();
        write!(head, ",{q}").unwrap();
    }
    let mut s = String::with_capacity(n * (20 + 2 * k));
    s.push_str(&head);
    s.push_str(",总分\n");
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for i in 0..n {
        write!(s, "G{i:012},学生").unwrap();
        let absent = i % 50 == 0;
        let mut sum = 0.0;
        for _ in 0..k {
            s.push(',');
            if absent {
                s.push_str("缺考");
            } else {
                let p = (rng.next() % 7) as f64 / 2.0;
                sum += p;
                write!(s, "{p}").unwrap();
            }
        }
        if absent {
            s.push_str(",\n");
        } else {
            writeln!(s, ",{sum}").unwrap();
        }
    }
    (s, bp)
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    (best, out.expect("at least one run"))
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(200_000, |s| s.parse().expect("row count"));
    let e = exam(&SUBJECTS);
    let csv = scores_csv(n);
    let (gbk, _, _) = encoding_rs::GB18030.encode(&csv);
    for (label, bytes) in [("UTF-8", csv.as_bytes()), ("GB18030", &gbk[..])] {
        let (secs, r) = best_of(5, || read_exam_scores(bytes, "scores.csv", &e).unwrap());
        assert!(r.errors.is_empty(), "{:?}", &r.errors[..1]);
        assert_eq!(r.batch.rows.len(), n);
        println!(
            "read_exam_scores {label}: {n} rows × {} subjects ({:.1} MB) in {:.3} s = {:.0} rows/s (best of 5)",
            SUBJECTS.len(),
            bytes.len() as f64 / 1e6,
            secs,
            n as f64 / secs
        );
    }

    let n_items = n / 2;
    let k = 40;
    let (items, bp) = items_csv(n_items, k);
    let math = exam(&[("数学", 3.0 * k as f64)]);
    let (secs, r) = best_of(5, || {
        read_exam_items(
            items.as_bytes(),
            "items.csv",
            &math,
            "数学",
            Some((bp.as_bytes(), "bp.csv")),
        )
        .unwrap()
    });
    assert!(r.errors.is_empty(), "{:?}", &r.errors[..1]);
    assert_eq!(r.batch.rows.len(), n_items);
    println!(
        "read_exam_items: {n_items} rows × {k} questions ({:.1} MB) in {:.3} s = {:.0} rows/s (best of 5)",
        items.len() as f64 / 1e6,
        secs,
        n_items as f64 / secs
    );
}
