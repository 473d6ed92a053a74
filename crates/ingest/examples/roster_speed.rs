/*!
Times `read_roster` on a large students CSV (default 1,000,000 rows), the import benchmark of
the roster path.

    CARGO_TARGET_DIR=/work/target-ingest cargo run --release -p wuyu-ingest --example roster_speed -- 1000000

The file is made with `write_students_csv` from synthetic students (every third without a
身份证号, names and classes varied), held in memory, and read back; the time covers decoding,
CSV parsing, validation and duplicate checks, not disk IO.
*/
use std::time::Instant;

use time::{Date, Month};
use wuyu_domain::roster::NewStudent;
use wuyu_domain::{EthnicityCode, Grade, IdCardNo, Origin, PersonName, SchoolCode, Sex, StudentNo};
use wuyu_ingest::{RosterOptions, read_roster, write_students_csv};

fn students(n: usize) -> Vec<NewStudent> {
    let schools: Vec<SchoolCode> = (0..60)
        .map(|i| SchoolCode::parse(&format!("31011200{i:02}")).unwrap())
        .collect();
    let surnames = ["张", "王", "李", "赵", "欧阳", "陈", "刘", "杨"];
    let given = ["伟", "芳", "娜娜", "敏", "静", "子涵", "一诺", "浩然"];
    (0..n)
        .map(|i| {
            let grade = 1 + (i % 12) as u8;
            let birth = Date::from_calendar_date(
                2018 - i32::from(grade),
                Month::try_from(1 + (i % 12) as u8).unwrap(),
                1 + (i % 28) as u8,
            )
            .unwrap();
            let first17 = format!(
                "310112{:04}{:02}{:02}{:03}",
                birth.year(),
                u8::from(birth.month()),
                birth.day(),
                i % 1000
            );
            let b: &[u8; 17] = first17.as_bytes().try_into().unwrap();
            let id = format!("{first17}{}", IdCardNo::check_char(b));
            NewStudent {
                origin: Origin::default(),
                school_code: schools[i % schools.len()].clone(),
                grade: Grade::new(grade).unwrap(),
                class_name: format!("{}班", 1 + (i / 12) % 10),
                student_no: StudentNo::parse(&format!("L{i:012}")).unwrap(),
                name: PersonName::parse(&format!(
                    "{}{}",
                    surnames[i % surnames.len()],
                    given[(i / 8) % given.len()]
                ))
                .unwrap(),
                sex: if id.as_bytes()[16] % 2 == 1 {
                    Sex::Male
                } else {
                    Sex::Female
                },
                birth_date: birth,
                id_card_no: (i % 3 != 0).then(|| IdCardNo::parse(&id).unwrap()),
                ethnicity: Some(EthnicityCode::new(1 + (i % 56) as u8).unwrap()),
                former_names: None,
                status: None,
                flags: None,
            }
        })
        .collect()
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(1_000_000, |s| s.parse().expect("row count"));
    let t = Instant::now();
    let data = students(n);
    let mut csv = Vec::with_capacity(n * 100);
    write_students_csv(&data, &mut csv).unwrap();
    println!(
        "generated {n} students, CSV {:.1} MB, in {:.2?}",
        csv.len() as f64 / 1e6,
        t.elapsed()
    );
    drop(data);

    stages(&csv);
    let mut best = f64::INFINITY;
    for run in 1..=3 {
        let t = Instant::now();
        let r = read_roster("students.csv", &csv, &RosterOptions::default()).unwrap();
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(r.batch.students.len(), n);
        assert!(r.errors.is_empty());
        println!(
            "run {run}: read_roster {n} rows in {secs:.3} s = {:.0} rows/s ({:.0} MB/s)",
            n as f64 / secs,
            csv.len() as f64 / 1e6 / secs
        );
        best = best.min(secs);
    }
    println!("best: {:.0} rows/s", n as f64 / best);
}

/// Times the format stages alone, to see how the total splits between parsing and validation.
fn stages(csv: &[u8]) {
    let t = Instant::now();
    let d = wuyu_ingest::decode(csv).unwrap();
    println!("decode {:.3?}", t.elapsed());
    let t = Instant::now();
    let tab = wuyu_ingest::table::read_csv("", &d.text).unwrap();
    println!("read_csv {:.3?} ({} rows)", t.elapsed(), tab.len());
}
