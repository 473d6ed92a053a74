//! An exam's marks in memory: one row per student, the 总分 rule, the lines, and the packed
//! per-school text the store keeps them in.
use std::collections::HashMap;

use wuyu_analytics::descriptive::{AbsentPolicy, Line, Mark, RateLines};
use wuyu_domain::ExamSubject;

use super::model::{ExamSettings, TOTAL};

/// Units with fewer students in the statistic are not ranked (§0.3).
pub const MIN_RANK_N: usize = 10;

/// A score in hundredths of a point (scores carry at most two decimals, §0.2).
pub fn hundredths(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

/// A fast hasher for the store's own integer ids (the multiply-rotate of rustc's FxHash):
/// the standard SipHash costs more than the statistics on maps of a million marks, and ids the
/// store assigned need no protection against crafted collisions.
#[derive(Debug, Default, Clone, Copy)]
pub struct IdHasher(u64);

impl IdHasher {
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.add(u64::from(*b));
        }
    }
    fn write_i64(&mut self, i: i64) {
        self.add(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A hash map keyed by ids.
pub type IdMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<IdHasher>>;

/// Teachers of each class at exam time: (school, class) → [(subject, teacher names)].
pub type ClassTeachers = HashMap<(i64, i64), Vec<(String, Vec<String>)>>;

/// One stored mark.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    /// 缺考.
    Absent,
    Score(f64),
}

/// A student in an exam: school, class at exam time, student.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub school_id: i64,
    pub class_id: i64,
    pub student_id: i64,
}

/// Every mark of an exam: one row per student, sorted by school, class and student, with one
/// cell per subject (`None`: did not take it).
#[derive(Debug, Clone, Default)]
pub struct ExamMarks {
    pub subjects: usize,
    pub students: Vec<Key>,
    pub cells: Vec<Option<Cell>>,
}

impl ExamMarks {
    pub fn new(subjects: usize) -> Self {
        ExamMarks {
            subjects,
            students: Vec::new(),
            cells: Vec::new(),
        }
    }

    /// Builds the table from (student, subject index, mark) rows. A student's class is the
    /// class of the first row seen for them (callers pass the newest import first).
    pub fn build(subjects: usize, rows: impl IntoIterator<Item = (Key, usize, Cell)>) -> Self {
        let mut index: IdMap<(i64, i64), usize> = IdMap::default();
        let mut out = ExamMarks::new(subjects);
        for (k, s, c) in rows {
            let i = match index.get(&(k.school_id, k.student_id)) {
                Some(&i) => i,
                None => {
                    let i = out.push(k);
                    index.insert((k.school_id, k.student_id), i);
                    i
                }
            };
            out.cells[i * subjects + s] = Some(c);
        }
        out.sort();
        out
    }

    /// Appends a student without marks; returns their index (the table needs [`Self::sort`]
    /// afterwards unless the key sorts last).
    pub fn push(&mut self, key: Key) -> usize {
        self.students.push(key);
        self.cells.extend(std::iter::repeat_n(None, self.subjects));
        self.students.len() - 1
    }

    /// Appends another table's students (and marks).
    pub fn append(&mut self, other: ExamMarks) {
        self.students.extend(other.students);
        self.cells.extend(other.cells);
    }

    pub fn cell_mut(&mut self, i: usize, s: usize) -> &mut Option<Cell> {
        &mut self.cells[i * self.subjects + s]
    }

    /// Drops students left without any mark and restores the (school, class, student) order.
    pub fn sort(&mut self) {
        let k = self.subjects;
        let keep: Vec<usize> = (0..self.students.len())
            .filter(|&i| self.cells[i * k..(i + 1) * k].iter().any(Option::is_some))
            .collect();
        let sorted =
            keep.len() == self.students.len() && self.students.windows(2).all(|w| w[0] <= w[1]);
        if sorted {
            return;
        }
        let mut order = keep;
        order.sort_unstable_by_key(|&i| self.students[i]);
        let mut students = Vec::with_capacity(order.len());
        let mut cells = Vec::with_capacity(order.len() * k);
        for i in order {
            students.push(self.students[i]);
            cells.extend_from_slice(&self.cells[i * k..(i + 1) * k]);
        }
        self.students = students;
        self.cells = cells;
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn len(&self) -> usize {
        self.students.len()
    }

    pub fn row(&self, i: usize) -> &[Option<Cell>] {
        &self.cells[i * self.subjects..(i + 1) * self.subjects]
    }

    /// The students' marks in subject `s` (`None`: not taken), or in [`TOTAL`] when
    /// `s == self.subjects`.
    pub fn column(&self, s: usize, policy: AbsentPolicy) -> Vec<Option<Mark>> {
        (0..self.len())
            .map(|i| {
                if s == self.subjects {
                    Some(total_mark(self.row(i), policy))
                } else {
                    self.row(i)[s].map(|c| match c {
                        Cell::Absent => Mark::Absent,
                        Cell::Score(x) => Mark::Score(x),
                    })
                }
            })
            .collect()
    }

    /// Index of a student by (school, student).
    pub fn position(&self) -> IdMap<(i64, i64), usize> {
        self.students
            .iter()
            .enumerate()
            .map(|(i, k)| ((k.school_id, k.student_id), i))
            .collect()
    }
}

/// A student's 总分 mark under the rule in the module documentation.
pub fn total_mark(row: &[Option<Cell>], policy: AbsentPolicy) -> Mark {
    let mut sum: i64 = 0;
    let (mut absent, mut scored) = (0, 0);
    for c in row {
        match c {
            None => return Mark::Excluded,
            Some(Cell::Absent) => absent += 1,
            Some(Cell::Score(x)) => {
                scored += 1;
                sum += hundredths(*x);
            }
        }
    }
    if scored == 0 {
        Mark::Absent
    } else if absent > 0 && policy == AbsentPolicy::Exclude {
        Mark::Excluded
    } else {
        Mark::Score(sum as f64 / 100.0)
    }
}

/// The values a unit's mean, SD and quantiles describe (the statistic population).
pub(crate) fn stat_values(marks: &[Mark], policy: AbsentPolicy) -> Vec<f64> {
    marks
        .iter()
        .filter_map(|m| match m {
            Mark::Score(x) => Some(*x),
            Mark::Absent if policy == AbsentPolicy::CountAsZero => Some(0.0),
            _ => None,
        })
        .collect()
}

/// The lines of 总分: fractions as configured; an absolute line scaled by the subject count.
pub fn total_lines(lines: &RateLines, k: usize) -> RateLines {
    let scale = |l: Line| match l {
        Line::Fraction(f) => Line::Fraction(f),
        Line::Absolute(a) => Line::Absolute(a * k as f64),
    };
    RateLines {
        excellent: scale(lines.excellent),
        good: lines.good.map(scale),
        pass: scale(lines.pass),
        low: scale(lines.low),
    }
}

/// The subjects of the statistics: the exam's, then [`TOTAL`], with full marks and lines.
pub fn stat_subjects(
    subjects: &[ExamSubject],
    settings: &ExamSettings,
) -> Vec<(String, f64, RateLines)> {
    let mut out: Vec<(String, f64, RateLines)> = subjects
        .iter()
        .map(|s| (s.name.clone(), s.full_marks, settings.lines))
        .collect();
    out.push((
        TOTAL.to_string(),
        subjects.iter().map(|s| s.full_marks).sum(),
        total_lines(&settings.lines, subjects.len()),
    ));
    out
}

// --- packed marks ----------------------------------------------------------------------------

/// Each school's marks as one text, `student class m1 … mk` per student joined by `;`, a mark
/// being the score in hundredths, `A` (缺考) or `-` (not taken). The statistics and every
/// later import read an exam's marks from these few rows instead of fetching every
/// `exam_score` row through the driver; they are rewritten, in the same transaction, whenever
/// the marks change.
pub fn pack_school_marks(marks: &ExamMarks) -> Vec<(i64, String)> {
    use std::fmt::Write;
    let mut out: Vec<(i64, String)> = Vec::new();
    for (i, k) in marks.students.iter().enumerate() {
        if out.last().is_none_or(|(s, _)| *s != k.school_id) {
            out.push((k.school_id, String::with_capacity(64 * 1024)));
        }
        let Some((_, text)) = out.last_mut() else {
            continue;
        };
        if !text.is_empty() {
            text.push(';');
        }
        let _ = write!(text, "{} {}", k.student_id, k.class_id);
        for c in marks.row(i) {
            match c {
                None => text.push_str(" -"),
                Some(Cell::Absent) => text.push_str(" A"),
                Some(Cell::Score(x)) => {
                    let _ = write!(text, " {}", hundredths(*x));
                }
            }
        }
    }
    out
}

/// Reads one school's packed marks back, appending its students to `out` in the packed order
/// (call [`ExamMarks::sort`] after the last school).
pub fn unpack_school_marks(school_id: i64, text: &str, out: &mut ExamMarks) -> Result<(), String> {
    let bad = || format!("unreadable packed marks of school {school_id}");
    for student in text.split(';').filter(|t| !t.is_empty()) {
        let mut f = student.split(' ');
        let student_id: i64 = f.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let class_id: i64 = f.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let i = out.push(Key {
            school_id,
            class_id,
            student_id,
        });
        for s in 0..out.subjects {
            *out.cell_mut(i, s) = match f.next().ok_or_else(bad)? {
                "-" => None,
                "A" => Some(Cell::Absent),
                v => {
                    let h: i64 = v.parse().map_err(|_| bad())?;
                    Some(Cell::Score(h as f64 / 100.0))
                }
            };
        }
        if f.next().is_some() {
            return Err(bad());
        }
    }
    Ok(())
}
