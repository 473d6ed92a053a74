//! Property: the order of rows in a file does not change which records it yields.
use proptest::prelude::*;
use wuyu_domain::Origin;
use wuyu_domain::roster::NewStudent;
use wuyu_ingest::write_students_csv;

use crate::read;
use crate::round_trip::sample_students;

fn key(mut s: NewStudent) -> String {
    s.origin = Origin::default();
    // Debug masks the 身份证号, so add it in full.
    let id = s.id_card_no.as_ref().map_or("", |i| i.as_str()).to_string();
    format!("{s:?}|{id}")
}

fn parse(lines: &[String]) -> (Vec<String>, usize) {
    let mut text = String::from(crate::STUDENT_HEADER);
    text.push('\n');
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    let r = read("学生.csv", text.as_bytes());
    let mut keys: Vec<String> = r.batch.students.into_iter().map(key).collect();
    keys.sort();
    (keys, r.errors.len())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn row_order_does_not_change_the_records(
        n in 1usize..40,
        bad in proptest::collection::vec(0usize..40, 0..5),
        seed in any::<u64>(),
    ) {
        let students = sample_students(n);
        let mut bytes = Vec::new();
        write_students_csv(&students, &mut bytes).unwrap();
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        // One logical row per line: names with quotes stay on one line.
        let mut lines: Vec<String> = text.lines().skip(1).map(str::to_string).collect();
        // Spoil some rows (an impossible 性别) so rejected rows are part of the property.
        for &b in &bad {
            if b < lines.len() {
                lines[b] = lines[b].replace(",男,", ",未知,").replace(",女,", ",未知,");
            }
        }
        let (want, want_errors) = parse(&lines);
        // A deterministic shuffle from the seed (Fisher–Yates with an LCG).
        let mut shuffled = lines.clone();
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let j = (x >> 33) as usize % (i + 1);
            shuffled.swap(i, j);
        }
        let (got, got_errors) = parse(&shuffled);
        prop_assert_eq!(got, want);
        prop_assert_eq!(got_errors, want_errors);
    }
}
