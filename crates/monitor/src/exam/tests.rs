use wuyu_analytics::descriptive::{AbsentPolicy, Line, Mark, RateLines};
use wuyu_domain::{ExamItem, ExamSubject, Location, Stage};

use super::model::ExamSettings;

use super::*;

/// A deterministic synthetic exam: `schools` × 50 classes × 40 students, `subjects` papers.
fn synthetic(schools: i64, subjects: usize, seed: u64) -> (Vec<ExamSubject>, ExamMarks, Names) {
    let mut state = seed;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let subj: Vec<ExamSubject> = (0..subjects)
        .map(|s| ExamSubject {
            name: format!("科目{s}"),
            full_marks: if s < 3 { 150.0 } else { 100.0 },
        })
        .collect();
    let mut names = Names::default();
    let mut rows = Vec::new();
    for school in 1..=schools {
        names.schools.insert(
            school,
            SchoolInfo {
                name: format!("学校{school}"),
                location: if school % 3 == 0 {
                    Location::Rural
                } else {
                    Location::Urban
                },
                stage: if school % 4 == 0 {
                    Stage::NineYear
                } else {
                    Stage::Junior
                },
            },
        );
        let effect = (school % 7) as f64 / 20.0 - 0.15;
        for class in 1..=50 {
            names
                .classes
                .insert((school, class), (format!("{class}班"), 9));
            for st in 0..40 {
                let key = Key {
                    school_id: school,
                    class_id: class,
                    student_id: class * 100 + st,
                };
                let ability = next() + next() - 1.0 + effect;
                for (s, sub) in subj.iter().enumerate() {
                    let cell = if next() < 0.01 {
                        Cell::Absent
                    } else {
                        let x = sub.full_marks * (0.6 + 0.3 * ability + 0.1 * (next() - 0.5));
                        Cell::Score((x.clamp(0.0, sub.full_marks) * 2.0).round() / 2.0)
                    };
                    rows.push((key, s, cell));
                }
            }
        }
    }
    (subj.clone(), ExamMarks::build(subj.len(), rows), names)
}

#[test]
fn totals_follow_the_documented_rule() {
    use AbsentPolicy::*;
    let s = |x| Some(Cell::Score(x));
    let a = Some(Cell::Absent);
    assert_eq!(total_mark(&[s(80.5), s(90.0)], Exclude), Mark::Score(170.5));
    assert_eq!(total_mark(&[a, a], Exclude), Mark::Absent);
    assert_eq!(total_mark(&[s(80.0), a], Exclude), Mark::Excluded);
    assert_eq!(total_mark(&[s(80.0), a], CountAsZero), Mark::Score(80.0));
    assert_eq!(total_mark(&[s(80.0), None], CountAsZero), Mark::Excluded);
    let lines = total_lines(
        &RateLines {
            excellent: Line::Absolute(85.0),
            ..RateLines::default()
        },
        3,
    );
    assert_eq!(lines.excellent, Line::Absolute(255.0));
    assert_eq!(lines.pass, Line::Fraction(0.6));
}

#[test]
fn packed_marks_read_back_the_same() {
    let (_, marks, _) = synthetic(3, 4, 11);
    let mut again = ExamMarks::new(4);
    for (school, text) in pack_school_marks(&marks) {
        unpack_school_marks(school, &text, &mut again).unwrap();
    }
    again.sort();
    assert_eq!(again.students, marks.students);
    assert_eq!(again.cells, marks.cells);
    assert!(unpack_school_marks(1, "5 1 100 A -", &mut ExamMarks::new(4)).is_err());
    assert!(unpack_school_marks(1, "5 1 100 A - 7 9", &mut ExamMarks::new(4)).is_err());
}

#[test]
fn par_map_keeps_the_order() {
    assert_eq!(par_map(7, |i| i * i), vec![0, 1, 4, 9, 16, 25, 36]);
    assert!(par_map(0, |i| i).is_empty());
}

/// Compute-only timings on 200,000 students (release build):
/// `cargo test --release -p wuyu-store --lib -- --ignored --nocapture statistics_speed`
#[test]
#[ignore = "timing run"]
fn statistics_speed() {
    let t = std::time::Instant::now();
    let (subjects, marks, names) = synthetic(100, 6, 7);
    let (_, base, _) = synthetic(100, 6, 8);
    println!("build 2 × 200,000 students × 6: {:?}", t.elapsed());
    let settings = ExamSettings::default();
    let t = std::time::Instant::now();
    let rows = unit_rows(&subjects, &marks, &names, &ClassTeachers::new(), &settings).unwrap();
    println!(
        "unit_rows ({} units): {:?}",
        rows.exam.len() + rows.school.len(),
        t.elapsed()
    );
    let t = std::time::Instant::now();
    let va =
        value_added_rows(1, &subjects, &marks, 2, &subjects, &base, &names, &settings).unwrap();
    println!("value_added_rows ({} reports): {:?}", va.len(), t.elapsed());
    // Item analysis: 100,000 students × 40 items.
    let items: Vec<ExamItem> = (0..40)
        .map(|j| ExamItem {
            item_no: (j + 1).to_string(),
            max_points: if j < 30 { 3.0 } else { 6.0 },
            knowledge_points: vec![format!("知识点{}", j % 8)],
        })
        .collect();
    let points: Vec<(Key, Vec<f64>)> = marks
        .students
        .iter()
        .take(100_000)
        .enumerate()
        .map(|(i, k)| {
            let p = (0..40)
                .map(|j| ((i * 7 + j * 13) % if j < 30 { 4 } else { 7 }) as f64)
                .collect();
            (*k, p)
        })
        .collect();
    let t = std::time::Instant::now();
    let (row, classes) = item_rows("数学", &items, &points, &names).unwrap().unwrap();
    println!(
        "item_rows 100,000 × 40 ({} class rows, {} KB): {:?}",
        classes.len(),
        row.payload.len() / 1024,
        t.elapsed()
    );
}
