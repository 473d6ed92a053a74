//! Exam rows: the tuple and write types, parameter lists, and the merge of a batch into an
//! exam's stored marks (pure).
use std::collections::{BTreeMap, BTreeSet};

use wuyu_analytics::compare::ExamLevel as ParallelLevel;
use wuyu_domain::{Exam, ExamId, ExamLevel, ExamSubject, Grade, Scope, Term};

use crate::StoreError;
use crate::backend::corrupt;
use crate::exam::plan::{StudentRef, unpack_points};
use wuyu_monitor::exam::{Cell, ExamMarks, IdMap, Key};

/// Schools per `school_id IN (…)` list.
pub(crate) const SCHOOL_CHUNK: usize = 500;

/// One mark to insert into `exam_score`.
pub(crate) struct ScoreW {
    pub school_id: i64,
    /// Index into the exam's subjects.
    pub subject: usize,
    pub student_id: i64,
    pub class_id: i64,
    pub absent: bool,
    pub score: Option<f64>,
    pub item_points: Option<String>,
}

pub(crate) type ExamTuple = (i64, String, time::Date, String, String, i32, Option<i64>);

pub(crate) fn exam_from(t: ExamTuple, subjects: Vec<ExamSubject>) -> Result<Exam, StoreError> {
    Ok(Exam {
        id: ExamId(t.0),
        name: t.1,
        date: t.2,
        term: Term::parse_code(&t.3).map_err(|e| corrupt("exam.term", e))?,
        level: ExamLevel::parse(&t.4).map_err(|e| corrupt("exam.level", e))?,
        grade: u8::try_from(t.5)
            .ok()
            .and_then(|g| Grade::new(g).ok())
            .ok_or_else(|| corrupt("exam.grade", t.5))?,
        subjects,
        baseline: t.6.map(ExamId),
    })
}

/// Integers for an `IN (…)` list (safe to splice: they are numbers).
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// `$from, $from+1, …` for `n` parameters.
pub(crate) fn params(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn stats_err(e: String) -> StoreError {
    StoreError::Corrupt(format!("exam statistics: {e}"))
}

pub(crate) fn json_err(what: &str, e: serde_json::Error) -> StoreError {
    corrupt(what, e)
}

pub(crate) fn no_counsellor_or_parent(scope: &Scope) -> Result<(), StoreError> {
    match scope {
        Scope::Counsellor { .. } | Scope::Parent { .. } => Err(StoreError::Forbidden),
        _ => Ok(()),
    }
}

pub(crate) fn parallel_level(l: ExamLevel) -> ParallelLevel {
    match l {
        ExamLevel::School => ParallelLevel::School,
        ExamLevel::District => ParallelLevel::District,
        // 中考 is set by the city.
        ExamLevel::City | ExamLevel::Zhongkao => ParallelLevel::City,
    }
}

/// Sorts and de-duplicates school ids.
pub(crate) fn union(a: &[i64], b: &[i64]) -> Vec<i64> {
    let set: BTreeSet<i64> = a.iter().chain(b).copied().collect();
    set.into_iter().collect()
}
/// A value for PostgreSQL's COPY text format (backslash, tab and line breaks escaped).
pub(crate) fn copy_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// Stored marks an import removes: every mark of a school in a subject, or some students'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Removal {
    All {
        school: i64,
        subject: usize,
    },
    Students {
        school: i64,
        subject: usize,
        students: Vec<i64>,
    },
}

/// What an import leaves for the writing and statistics steps.
pub(crate) struct Merged {
    pub(crate) marks: ExamMarks,
    /// New marks in primary-key order (school, subject name, student).
    pub(crate) writes: Vec<ScoreW>,
    /// Stored marks the batch replaces or blanks out.
    pub(crate) removals: Vec<Removal>,
    /// Students whose other marks in the exam move to their current class.
    pub(crate) class_moves: Vec<(i64, i64, i64)>,
    /// Classes of the batch's students, for the teacher snapshot.
    pub(crate) classes: BTreeSet<(i64, i64)>,
}

/// One student's row of a batch: (subject index, mark or blank, item points) per cell.
pub(crate) type BatchRow = (StudentRef, Vec<(usize, Option<Cell>, Option<String>)>);

/// Merges the stored marks of an exam with a batch that replaces its students' marks in the
/// batch's subjects (a blank cell removes a stored mark). The batch's students move to their
/// current class.
pub(crate) fn merge(
    mut marks: ExamMarks,
    batch: Vec<BatchRow>,
    exam_subjects: &[ExamSubject],
) -> Merged {
    let k = marks.subjects;
    // Stored marks per (school, subject), to remove a whole range when a batch replaces all.
    let mut stored: IdMap<(i64, usize), usize> = IdMap::default();
    let mut i = 0;
    while i < marks.len() {
        let school = marks.students[i].school_id;
        let mut counts = vec![0usize; k];
        while i < marks.len() && marks.students[i].school_id == school {
            for (s, c) in marks.row(i).iter().enumerate() {
                counts[s] += usize::from(c.is_some());
            }
            i += 1;
        }
        for (s, n) in counts.into_iter().enumerate() {
            if n > 0 {
                stored.insert((school, s), n);
            }
        }
    }
    let mut pos = marks.position();
    let mut replaced: BTreeMap<(i64, usize), Vec<i64>> = BTreeMap::new();
    let mut moves: BTreeSet<(i64, i64, i64)> = BTreeSet::new();
    let mut classes = BTreeSet::new();
    let mut writes = Vec::with_capacity(batch.len() * k.min(8));
    for (st, cells) in batch {
        classes.insert((st.school_id, st.class_id));
        let i = match pos.get(&(st.school_id, st.student_id)) {
            Some(&i) => {
                if marks.students[i].class_id != st.class_id {
                    moves.insert((st.school_id, st.student_id, st.class_id));
                    marks.students[i].class_id = st.class_id;
                }
                i
            }
            None => {
                let i = marks.push(Key {
                    school_id: st.school_id,
                    class_id: st.class_id,
                    student_id: st.student_id,
                });
                pos.insert((st.school_id, st.student_id), i);
                i
            }
        };
        for (s, cell, points) in cells {
            let slot = marks.cell_mut(i, s);
            if slot.is_some() {
                replaced
                    .entry((st.school_id, s))
                    .or_default()
                    .push(st.student_id);
            }
            *slot = cell;
            let Some(c) = cell else { continue };
            writes.push(ScoreW {
                school_id: st.school_id,
                subject: s,
                student_id: st.student_id,
                class_id: st.class_id,
                absent: c == Cell::Absent,
                score: match c {
                    Cell::Score(x) => Some(x),
                    Cell::Absent => None,
                },
                item_points: points,
            });
        }
    }
    marks.sort();
    let removals = replaced
        .into_iter()
        .map(|((school, subject), students)| {
            if stored.get(&(school, subject)) == Some(&students.len()) {
                Removal::All { school, subject }
            } else {
                Removal::Students {
                    school,
                    subject,
                    students,
                }
            }
        })
        .collect();
    // Primary-key order: appends to the B-tree instead of scattering.
    let mut by_name: Vec<usize> = (0..exam_subjects.len()).collect();
    by_name.sort_by(|&a, &b| exam_subjects[a].name.cmp(&exam_subjects[b].name));
    let mut rank = vec![0; exam_subjects.len()];
    for (r, &s) in by_name.iter().enumerate() {
        rank[s] = r;
    }
    writes.sort_unstable_by_key(|w| (w.school_id, rank[w.subject], w.student_id));
    Merged {
        marks,
        writes,
        removals,
        class_moves: moves.into_iter().collect(),
        classes,
    }
}

/// Parses one school's marks of one subject as `exam_marks_rows` aggregates them.
pub(crate) fn parse_marks(
    school_id: i64,
    subject: usize,
    text: &str,
    out: &mut Vec<(Key, usize, Cell)>,
) -> Result<(), StoreError> {
    let bad = || {
        corrupt(
            "exam_score",
            format!("unreadable marks of school {school_id}"),
        )
    };
    for item in text.split(',') {
        let mut f = item.split(' ');
        let (Some(student), Some(class), Some(score), None) =
            (f.next(), f.next(), f.next(), f.next())
        else {
            return Err(bad());
        };
        // Scores are stored to the hundredth (exam_plan::round2) and travel as integers.
        let cell = if score == "A" {
            Cell::Absent
        } else {
            Cell::Score(score.parse::<i64>().map_err(|_| bad())? as f64 / 100.0)
        };
        out.push((
            Key {
                school_id,
                class_id: class.parse().map_err(|_| bad())?,
                student_id: student.parse().map_err(|_| bad())?,
            },
            subject,
            cell,
        ));
    }
    Ok(())
}

/// Parses one school's item points of one subject ("student class p1,p2,…;…").
pub(crate) fn parse_points(
    school_id: i64,
    k: usize,
    text: &str,
    out: &mut Vec<(Key, Vec<f64>)>,
) -> Result<(), StoreError> {
    let bad = || {
        corrupt(
            "exam_score.item_points",
            format!("unreadable points of school {school_id}"),
        )
    };
    for item in text.split(';') {
        let mut f = item.splitn(3, ' ');
        let (Some(student), Some(class), Some(points)) = (f.next(), f.next(), f.next()) else {
            return Err(bad());
        };
        out.push((
            Key {
                school_id,
                class_id: class.parse().map_err(|_| bad())?,
                student_id: student.parse().map_err(|_| bad())?,
            },
            unpack_points(points, k).ok_or_else(bad)?,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_copy_reads_specially() {
        assert_eq!(copy_text("语文"), "语文");
        assert_eq!(copy_text("a\tb\\c\nd"), "a\\tb\\\\c\\nd");
    }

    #[test]
    fn aggregated_marks_parse_back() {
        let mut out = Vec::new();
        parse_marks(3, 1, "10 7 9550,11 7 A,12 8 0", &mut out).unwrap();
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].2, Cell::Score(95.5));
        assert_eq!(out[2].2, Cell::Score(0.0));
        assert_eq!(out[1].2, Cell::Absent);
        assert_eq!((out[2].0.class_id, out[2].0.student_id), (8, 12));
        assert!(parse_marks(3, 1, "10 7", &mut out).is_err());
        let mut points = Vec::new();
        parse_points(3, 2, "10 7 1,2.5;11 7 0,0", &mut points).unwrap();
        assert_eq!(points[0].1, vec![1.0, 2.5]);
        assert!(parse_points(3, 3, "10 7 1,2.5", &mut points).is_err());
    }

    #[test]
    fn lists_and_parameters() {
        assert_eq!(id_list(&[3, 1, 2]), "3,1,2");
        assert_eq!(params(3, 2), "$3,$4");
        assert_eq!(union(&[3, 1], &[2, 3]), vec![1, 2, 3]);
    }

    #[test]
    fn merging_replaces_the_batch_subjects_of_the_batch_students_only() {
        let subjects = vec![
            ExamSubject {
                name: "语文".into(),
                full_marks: 100.0,
            },
            ExamSubject {
                name: "数学".into(),
                full_marks: 100.0,
            },
        ];
        let k = |s, c, st| Key {
            school_id: s,
            class_id: c,
            student_id: st,
        };
        let existing = ExamMarks::build(
            2,
            vec![
                (k(1, 10, 1), 0, Cell::Score(80.0)),
                (k(1, 10, 1), 1, Cell::Score(70.0)),
                (k(1, 10, 2), 0, Cell::Score(60.0)),
                (k(1, 10, 2), 1, Cell::Absent),
                (k(1, 10, 3), 1, Cell::Score(50.0)),
                (k(2, 20, 1), 1, Cell::Score(40.0)),
            ],
        );
        let st = |school, student, class| StudentRef {
            school_id: school,
            student_id: student,
            class_id: class,
        };
        // Student 1 moved to class 11 and gets a new 数学; student 2's 数学 cell is blank;
        // student 3 of school 1 is not in the batch; a new student 4.
        let batch = vec![
            (st(1, 1, 11), vec![(1, Some(Cell::Score(90.0)), None)]),
            (st(1, 2, 10), vec![(1, None, None)]),
            (st(1, 4, 10), vec![(1, Some(Cell::Absent), None)]),
            (st(2, 1, 20), vec![(1, Some(Cell::Score(41.0)), None)]),
        ];
        let m = merge(existing, batch, &subjects);
        assert_eq!(m.writes.len(), 3);
        // School 1 keeps student 3's 数学, so only two students' marks go; school 2 loses all.
        assert_eq!(
            m.removals,
            vec![
                Removal::Students {
                    school: 1,
                    subject: 1,
                    students: vec![1, 2]
                },
                Removal::All {
                    school: 2,
                    subject: 1
                },
            ]
        );
        assert_eq!(m.class_moves, vec![(1, 1, 11)]);
        assert_eq!(m.marks.len(), 5);
        assert!(m.marks.students.windows(2).all(|w| w[0] < w[1]));
        let row = |student| {
            let i = m
                .marks
                .students
                .iter()
                .position(|s| s.school_id == 1 && s.student_id == student)
                .unwrap();
            (m.marks.students[i].class_id, m.marks.row(i).to_vec())
        };
        assert_eq!(
            row(1),
            (11, vec![Some(Cell::Score(80.0)), Some(Cell::Score(90.0))])
        );
        assert_eq!(row(2), (10, vec![Some(Cell::Score(60.0)), None]));
        assert_eq!(row(4), (10, vec![None, Some(Cell::Absent)]));
        // A student left without any mark drops out of the table.
        let again = merge(
            m.marks,
            vec![(st(1, 4, 10), vec![(1, None, None)])],
            &subjects,
        );
        assert_eq!(again.marks.len(), 4);
    }
}

#[cfg(test)]
mod speed {
    use super::*;

    /// `cargo test --release -p wuyu-store --lib -- --ignored --nocapture merge_speed`
    #[test]
    #[ignore = "timing run"]
    fn merge_speed() {
        let subjects: Vec<ExamSubject> = (0..6)
            .map(|s| ExamSubject {
                name: format!("科目{s}"),
                full_marks: 100.0,
            })
            .collect();
        let mut rows = Vec::new();
        for school in 0..100 {
            for i in 0..2000 {
                let st = StudentRef {
                    school_id: school,
                    student_id: i,
                    class_id: i / 40,
                };
                let cells = (0..6)
                    .map(|s| (s, Some(Cell::Score((i % 200) as f64 / 2.0)), None))
                    .collect();
                rows.push((st, cells));
            }
        }
        let t = std::time::Instant::now();
        let m = merge(ExamMarks::new(6), rows, &subjects);
        println!(
            "merge 1.2M new marks: {:?} ({} students)",
            t.elapsed(),
            m.marks.len()
        );
        let t = std::time::Instant::now();
        let existing: Vec<(Key, usize, Cell)> = m
            .marks
            .students
            .iter()
            .enumerate()
            .flat_map(|(i, k)| (0..6).map(move |s| (*k, s, Cell::Score((i % 100) as f64))))
            .collect();
        println!("existing built: {:?}", t.elapsed());
        let t = std::time::Instant::now();
        let rebuilt = ExamMarks::build(6, existing);
        println!(
            "ExamMarks::build 1.2M: {:?} ({})",
            t.elapsed(),
            rebuilt.len()
        );
    }
}
