//! Exam statistics at write: everything a page shows about an exam, computed from all its marks
//! with `wuyu-analytics` and returned as rows for `exam_stat`, `exam_school_stat` and
//! `exam_class_mean`. Pure: the backends load the marks, call these functions, and write the
//! rows in the import's transaction (or in [`crate::Store::recompute_exam`]).
//!
//! # Rules chosen here (documented for reports)
//!
//! * Units: the district, 城区/农村 (the school's location), each stage (the school's stage),
//!   each school, and each class at exam time.
//! * 总分 ([`TOTAL`]): the sum over **all** the exam's subjects. A student with a score in
//!   every subject has a total. A student absent (缺考) in every subject is absent in 总分. A
//!   student absent in some subjects and scored in others is *excluded* from the 总分
//!   statistics (counted in `excluded`) under `absent_policy = exclude`, and totals the scored
//!   subjects (缺考 = 0) under `count_as_zero`. A student missing a subject altogether (blank:
//!   did not take it) is excluded from 总分. 总分 lines are the configured fractions of the
//!   sum of full marks; an absolute line `a` becomes `a × k` for k subjects.
//! * SD, quantiles and the histogram describe the statistic population (统计人数: the
//!   scores, plus zeros for 缺考 under `count_as_zero`), like the mean.
//! * Composite (综合指数): the spec's default for fairness across subjects, the standardised
//!   composite (§1.2 c) with the 三率一分 weights (mean 0.3, 优秀 0.3, 及格 0.3, 低分 0.1
//!   reversed), across the units it is ranked with.
//! * Ranks, composites and gaps to the best unit are given only to units with at least
//!   [`MIN_RANK_N`] students in the statistic (§0.3: never rank units with n < 10), among the
//!   units of the same kind: locations, stages, schools in the district, classes of the same
//!   school and grade. The district row has none of them.
//! * Student standing (z, T, 百分等级, district rank, 临界生) is against the district's statistic
//!   population of the subject. It is stored as one table per subject mapping each distinct
//!   score to its 百分等级, rank and 临界生 flag (plus the mean and σ for z), so a later import
//!   of another school changes one row per subject instead of every student's row.
//! * Value-added: students with a score in both this exam and the baseline (matched by
//!   school and student id), both scores standardised (z) against everyone who sat each exam;
//!   the random-intercept model by REML with EB effects, schools (or classes at exam time) as
//!   units; units with fewer than `va_min_n` matched students are suppressed; classification
//!   needs 30 (schools) or 20 (classes) students (§4.3).
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use wuyu_analytics::compare::{UnitValue, gaps};
use wuyu_analytics::descriptive::{
    AbsentPolicy, AbsoluteWeights, BorderlineWindow, Line, Mark, RankMethod, RateLines, TScale,
    UnitIndicators, borderline_students, percentile_rank, rank_descending, rate_summary,
    standard_scores, standardised_composite, summarise, z_score,
};
use wuyu_analytics::items::{
    ItemAnalysis, ItemAnalysisOptions, ItemMatrix, MasteryCell, item_analysis,
    knowledge_point_mastery,
};
use wuyu_analytics::round::round_half_away;
use wuyu_analytics::value_added::{Estimation, VaModel, VaOptions, random_intercept};
use wuyu_domain::{ClassId, ExamItem, ExamSubject, Location, SchoolId, Stage};

use crate::exam::{
    Borderline, ExamSettings, ExamUnit, ExamUnitKind, ExamUnitStat, StudentMark, SubjectStat,
    TOTAL, ValueAddedReport,
};

/// Units with fewer students in the statistic are not ranked (§0.3).
pub(crate) const MIN_RANK_N: usize = 10;
/// Classification minimums of value-added units (§4.3).
const VA_CLASSIFY_SCHOOL: usize = 30;
const VA_CLASSIFY_CLASS: usize = 20;

/// A score in hundredths of a point (scores carry at most two decimals, §0.2).
pub(crate) fn hundredths(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

/// A fast hasher for the store's own integer ids (the multiply-rotate of rustc's FxHash):
/// the standard SipHash costs more than the statistics on maps of a million marks, and ids the
/// store assigned need no protection against crafted collisions.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

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
pub(crate) type IdMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<IdHasher>>;

/// Teachers of each class at exam time: (school, class) → [(subject, teacher names)].
pub(crate) type ClassTeachers = HashMap<(i64, i64), Vec<(String, Vec<String>)>>;

/// One stored mark.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell {
    /// 缺考.
    Absent,
    Score(f64),
}

/// A student in an exam: school, class at exam time, student.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Key {
    pub school_id: i64,
    pub class_id: i64,
    pub student_id: i64,
}

/// Every mark of an exam: one row per student, sorted by school, class and student, with one
/// cell per subject (`None`: did not take it).
#[derive(Debug, Clone, Default)]
pub(crate) struct ExamMarks {
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
pub(crate) fn total_mark(row: &[Option<Cell>], policy: AbsentPolicy) -> Mark {
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
fn stat_values(marks: &[Mark], policy: AbsentPolicy) -> Vec<f64> {
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
pub(crate) fn total_lines(lines: &RateLines, k: usize) -> RateLines {
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
pub(crate) fn stat_subjects(
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

/// Names of the units, from the roster.
#[derive(Debug, Default)]
pub(crate) struct Names {
    pub schools: HashMap<i64, SchoolInfo>,
    /// (school, class) → (name, grade).
    pub classes: HashMap<(i64, i64), (String, i32)>,
}

#[derive(Debug, Clone)]
pub(crate) struct SchoolInfo {
    pub name: String,
    pub location: Location,
    pub stage: Stage,
}

impl Names {
    pub fn school_unit(&self, school: i64) -> ExamUnit {
        let s = self.schools.get(&school);
        ExamUnit {
            kind: ExamUnitKind::School,
            school_id: Some(SchoolId(school)),
            class_id: None,
            location: s.map(|s| s.location),
            stage: s.map(|s| s.stage),
            name: s.map_or_else(|| school.to_string(), |s| s.name.clone()),
        }
    }

    pub fn class_unit(&self, school: i64, class: i64) -> ExamUnit {
        let s = self.schools.get(&school);
        ExamUnit {
            kind: ExamUnitKind::Class,
            school_id: Some(SchoolId(school)),
            class_id: Some(ClassId(class)),
            location: s.map(|s| s.location),
            stage: s.map(|s| s.stage),
            name: self
                .classes
                .get(&(school, class))
                .map_or_else(|| class.to_string(), |c| c.0.clone()),
        }
    }

    fn grade(&self, school: i64, class: i64) -> i32 {
        self.classes.get(&(school, class)).map_or(0, |c| c.1)
    }
}

/// A row of `exam_stat`.
#[derive(Debug, Clone)]
pub(crate) struct ExamStatW {
    pub kind: &'static str,
    pub unit: String,
    pub subject: String,
    pub payload: String,
}

/// A row of `exam_school_stat`.
#[derive(Debug, Clone)]
pub(crate) struct SchoolStatW {
    pub school_id: i64,
    pub kind: &'static str,
    pub class_id: i64,
    pub subject: String,
    pub payload: String,
}

/// A row of `exam_class_mean`.
#[derive(Debug, Clone)]
pub(crate) struct ClassMeanW {
    pub school_id: i64,
    pub class_id: i64,
    pub subject: String,
    pub enrolled: i64,
    pub sat: i64,
    pub n: i64,
    pub mean: Option<f64>,
}

/// The unit statistics of an exam, ready to write.
#[derive(Debug, Default)]
pub(crate) struct UnitRows {
    pub exam: Vec<ExamStatW>,
    pub school: Vec<SchoolStatW>,
    pub class_means: Vec<ClassMeanW>,
    /// (school, students with at least one mark).
    pub exam_schools: Vec<(i64, i64)>,
    /// Every school's marks packed in one text (`exam_school_stat`, kind `marks`), see
    /// [`pack_school_marks`].
    pub marks: Vec<(i64, String)>,
}

/// `f(0)`, …, `f(n − 1)` computed on up to all the machine's cores, in order.
pub(crate) fn par_map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |p| p.get())
        .min(n);
    if threads <= 1 {
        return (0..n).map(f).collect();
    }
    let mut out: Vec<Option<T>> = (0..n).map(|_| None).collect();
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    (t..n)
                        .step_by(threads)
                        .map(|i| (i, f(i)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            match h.join() {
                Ok(results) => {
                    for (i, v) in results {
                        out[i] = Some(v);
                    }
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    out.into_iter().flatten().collect()
}

fn json<T: Serialize>(v: &T) -> Result<String, String> {
    serde_json::to_string(v).map_err(|e| e.to_string())
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// One unit's statistics in one subject, before the comparisons are filled in.
fn subject_stat(
    subject: &str,
    marks: &[Mark],
    full_marks: f64,
    lines: &RateLines,
    policy: AbsentPolicy,
) -> Result<SubjectStat, String> {
    let rates = rate_summary(marks, full_marks, lines, policy).map_err(err)?;
    let values = stat_values(marks, policy);
    let summary = if values.is_empty() {
        None
    } else {
        Some(summarise(&values).map_err(err)?)
    };
    let mut histogram = vec![0u32; 10];
    let full = hundredths(full_marks).max(1);
    for x in &values {
        let bin = ((hundredths(*x).max(0) * 10) / full).min(9) as usize;
        histogram[bin] += 1;
    }
    Ok(SubjectStat {
        subject: subject.to_string(),
        rates,
        sd: summary.as_ref().and_then(|s| s.sd),
        min: summary.as_ref().map(|s| s.min),
        p25: summary.as_ref().map(|s| s.q1),
        median: summary.as_ref().map(|s| s.median),
        p75: summary.as_ref().map(|s| s.q3),
        max: summary.as_ref().map(|s| s.max),
        composite: None,
        rank: None,
        gap_to_best: None,
        gap_to_district: None,
        histogram,
    })
}

/// Rank, gap to the best and composite of each unit of one comparison pool, in one subject
/// (`None` for units below [`MIN_RANK_N`] or without data).
type Compared = (Option<u32>, Option<f64>, Option<f64>);

fn compare_pool(stats: &[&SubjectStat]) -> Result<Vec<Compared>, String> {
    let mut out = vec![(None, None, None); stats.len()];
    let idx: Vec<usize> = (0..stats.len())
        .filter(|&i| stats[i].rates.n >= MIN_RANK_N && stats[i].rates.mean.is_some())
        .collect();
    if idx.is_empty() {
        return Ok(out);
    }
    let means: Vec<f64> = idx
        .iter()
        .map(|&i| stats[i].rates.mean.unwrap_or_default())
        .collect();
    let ranks = rank_descending(&means, RankMethod::Competition, 2).map_err(err)?;
    let units: Vec<UnitValue> = idx
        .iter()
        .zip(&means)
        .map(|(&i, &m)| UnitValue {
            unit: i.to_string(),
            n: stats[i].rates.n,
            value: m,
        })
        .collect();
    let report = gaps(&units).map_err(err)?;
    let indicators: Vec<UnitIndicators> = idx
        .iter()
        .filter_map(|&i| UnitIndicators::from_summary(&stats[i].rates))
        .collect();
    let composites = if indicators.len() == idx.len() {
        Some(
            standardised_composite(&indicators, &AbsoluteWeights::THREE_RATES_ONE_SCORE)
                .map_err(err)?,
        )
    } else {
        None
    };
    for (k, &i) in idx.iter().enumerate() {
        out[i] = (
            Some(ranks[k] as u32),
            Some(report.units[k].gap_to_best),
            composites.as_ref().map(|c| c[k]),
        );
    }
    Ok(out)
}

/// The units of an exam and which students belong to each.
struct UnitSet {
    units: Vec<ExamUnit>,
    /// Unit key for `exam_stat` (None for schools and classes).
    keys: Vec<Option<String>>,
    members: Vec<Vec<usize>>,
    /// Units compared with each other (ranked together).
    pools: Vec<Vec<usize>>,
}

fn unit_set(marks: &ExamMarks, names: &Names) -> UnitSet {
    let n = marks.len();
    let mut set = UnitSet {
        units: Vec::new(),
        keys: Vec::new(),
        members: Vec::new(),
        pools: Vec::new(),
    };
    let push = |set: &mut UnitSet, unit: ExamUnit, key: Option<String>, m: Vec<usize>| {
        set.units.push(unit);
        set.keys.push(key);
        set.members.push(m);
        set.units.len() - 1
    };
    push(
        &mut set,
        ExamUnit {
            kind: ExamUnitKind::District,
            school_id: None,
            class_id: None,
            location: None,
            stage: None,
            name: "全区".to_string(),
        },
        Some("district".to_string()),
        (0..n).collect(),
    );
    let info = |i: usize| names.schools.get(&marks.students[i].school_id);
    let mut pool = Vec::new();
    for loc in [Location::Urban, Location::Rural] {
        let m: Vec<usize> = (0..n)
            .filter(|&i| info(i).is_some_and(|s| s.location == loc))
            .collect();
        if !m.is_empty() {
            let unit = ExamUnit {
                kind: ExamUnitKind::Location,
                school_id: None,
                class_id: None,
                location: Some(loc),
                stage: None,
                name: loc.label_zh().to_string(),
            };
            pool.push(push(
                &mut set,
                unit,
                Some(format!("location:{}", loc.code())),
                m,
            ));
        }
    }
    set.pools.push(pool);
    let mut pool = Vec::new();
    for stage in Stage::ALL {
        let m: Vec<usize> = (0..n)
            .filter(|&i| info(i).is_some_and(|s| s.stage == stage))
            .collect();
        if !m.is_empty() {
            let unit = ExamUnit {
                kind: ExamUnitKind::Stage,
                school_id: None,
                class_id: None,
                location: None,
                stage: Some(stage),
                name: stage.label_zh().to_string(),
            };
            pool.push(push(
                &mut set,
                unit,
                Some(format!("stage:{}", stage.code())),
                m,
            ));
        }
    }
    set.pools.push(pool);
    // Students are sorted by school then class: both are contiguous runs.
    let mut schools = Vec::new();
    let mut class_pools: BTreeMap<(i64, i32), Vec<usize>> = BTreeMap::new();
    let mut i = 0;
    while i < n {
        let school = marks.students[i].school_id;
        let mut j = i;
        while j < n && marks.students[j].school_id == school {
            j += 1;
        }
        schools.push(push(
            &mut set,
            names.school_unit(school),
            None,
            (i..j).collect(),
        ));
        let mut a = i;
        while a < j {
            let class = marks.students[a].class_id;
            let mut b = a;
            while b < j && marks.students[b].class_id == class {
                b += 1;
            }
            let u = push(
                &mut set,
                names.class_unit(school, class),
                None,
                (a..b).collect(),
            );
            class_pools
                .entry((school, names.grade(school, class)))
                .or_default()
                .push(u);
            a = b;
        }
        i = j;
    }
    set.pools.push(schools);
    set.pools.extend(class_pools.into_values());
    set
}

/// Unit statistics of every unit in every subject and 总分, the student standing tables, the
/// class means for the parallel-class rule and the schools that sat the exam.
pub(crate) fn unit_rows(
    subjects: &[ExamSubject],
    marks: &ExamMarks,
    names: &Names,
    teachers: &ClassTeachers,
    settings: &ExamSettings,
) -> Result<UnitRows, String> {
    let policy = settings.absent_policy;
    let set = unit_set(marks, names);
    let subj = stat_subjects(subjects, settings);
    let mut out = UnitRows {
        marks: pack_school_marks(marks),
        ..UnitRows::default()
    };
    // Each subject's statistics are independent of the others': one subject per core.
    let per_subject = par_map(subj.len(), |s| {
        let (name, full, lines) = &subj[s];
        let column = marks.column(s, policy);
        let mut unit_stats = Vec::with_capacity(set.units.len());
        let mut standing_row = None;
        for (u, members) in set.members.iter().enumerate() {
            let unit_marks: Vec<Mark> = members.iter().filter_map(|&i| column[i]).collect();
            unit_stats.push(subject_stat(name, &unit_marks, *full, lines, policy)?);
            if u == 0 {
                let values = stat_values(&unit_marks, policy);
                let standing = standing(name, &values, *full, lines, settings)?;
                standing_row = Some(ExamStatW {
                    kind: "standing",
                    unit: String::new(),
                    subject: name.clone(),
                    payload: json(&standing)?,
                });
            }
        }
        // Comparisons within each pool, and the gap to the district.
        for pool in &set.pools {
            let refs: Vec<&SubjectStat> = pool.iter().map(|&u| &unit_stats[u]).collect();
            let compared = compare_pool(&refs)?;
            for (&u, (rank, gap, composite)) in pool.iter().zip(compared) {
                let st: &mut SubjectStat = &mut unit_stats[u];
                st.rank = rank;
                st.gap_to_best = gap;
                st.composite = composite;
            }
        }
        let district_mean = unit_stats.first().and_then(|d| d.rates.mean);
        for st in &mut unit_stats {
            st.gap_to_district = match (st.rates.mean, district_mean) {
                (Some(m), Some(d)) => Some(m - d),
                _ => None,
            };
        }
        Ok::<_, String>((unit_stats, standing_row))
    });
    // stats[u][s]
    let mut stats: Vec<Vec<SubjectStat>> = vec![Vec::with_capacity(subj.len()); set.units.len()];
    for result in per_subject {
        let (unit_stats, standing_row) = result?;
        out.exam.extend(standing_row);
        for (u, st) in unit_stats.into_iter().enumerate() {
            stats[u].push(st);
        }
    }
    let mut school_stats: Vec<(i64, &'static str, i64, ExamUnitStat)> = Vec::new();
    let mut exam_stats: Vec<(String, ExamUnitStat)> = Vec::new();
    for (u, unit) in set.units.iter().enumerate() {
        let subjects_stats = std::mem::take(&mut stats[u]);
        match unit.kind {
            ExamUnitKind::Class => {
                let (school, class) = (
                    unit.school_id.map_or(0, |s| s.0),
                    unit.class_id.map_or(0, |c| c.0),
                );
                for st in subjects_stats.iter().filter(|st| st.subject != TOTAL) {
                    out.class_means.push(ClassMeanW {
                        school_id: school,
                        class_id: class,
                        subject: st.subject.clone(),
                        enrolled: st.rates.enrolled as i64,
                        sat: st.rates.sat as i64,
                        n: st.rates.n as i64,
                        mean: st.rates.mean,
                    });
                }
                let stat = ExamUnitStat {
                    unit: unit.clone(),
                    teachers: teachers.get(&(school, class)).cloned().unwrap_or_default(),
                    subjects: subjects_stats,
                };
                school_stats.push((school, "class", class, stat));
            }
            ExamUnitKind::School => {
                let school = unit.school_id.map_or(0, |s| s.0);
                out.exam_schools.push((school, set.members[u].len() as i64));
                let stat = ExamUnitStat {
                    unit: unit.clone(),
                    teachers: Vec::new(),
                    subjects: subjects_stats,
                };
                school_stats.push((school, "school", 0, stat));
            }
            _ => {
                let mut stat = ExamUnitStat {
                    unit: unit.clone(),
                    teachers: Vec::new(),
                    subjects: subjects_stats,
                };
                if unit.kind == ExamUnitKind::District {
                    for st in &mut stat.subjects {
                        st.rank = None;
                        st.composite = None;
                        st.gap_to_best = None;
                    }
                }
                exam_stats.push((set.keys[u].clone().unwrap_or_default(), stat));
            }
        }
    }
    // Serialising thousands of units is a good part of the work: on every core too.
    let payloads = par_map(school_stats.len(), |i| json(&school_stats[i].3));
    for ((school_id, kind, class_id, _), payload) in school_stats.iter().zip(payloads) {
        out.school.push(SchoolStatW {
            school_id: *school_id,
            kind,
            class_id: *class_id,
            subject: String::new(),
            payload: payload?,
        });
    }
    for (unit, stat) in &exam_stats {
        out.exam.push(ExamStatW {
            kind: "unit",
            unit: unit.clone(),
            subject: String::new(),
            payload: json(stat)?,
        });
    }
    Ok(out)
}

// --- packed marks ----------------------------------------------------------------------------

/// Each school's marks as one text, `student class m1 … mk` per student joined by `;`, a mark
/// being the score in hundredths, `A` (缺考) or `-` (not taken). The statistics and every
/// later import read an exam's marks from these few rows instead of fetching every
/// `exam_score` row through the driver; they are rewritten, in the same transaction, whenever
/// the marks change.
pub(crate) fn pack_school_marks(marks: &ExamMarks) -> Vec<(i64, String)> {
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
pub(crate) fn unpack_school_marks(
    school_id: i64,
    text: &str,
    out: &mut ExamMarks,
) -> Result<(), String> {
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

// --- student standing ------------------------------------------------------------------------

/// The district's score table of one subject: what a student's z, T, 百分等级, rank and 临界生
/// are read from. `scores` are the distinct scores of the statistic population, ascending.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Standing {
    pub subject: String,
    pub n: usize,
    pub mean: Option<f64>,
    /// σ (n denominator), as standard scores use it (§2.2).
    pub sd_population: Option<f64>,
    pub scores: Vec<f64>,
    pub percentile: Vec<f64>,
    pub rank: Vec<u32>,
    pub borderline: Vec<Option<Borderline>>,
}

fn standing(
    subject: &str,
    values: &[f64],
    full_marks: f64,
    lines: &RateLines,
    settings: &ExamSettings,
) -> Result<Standing, String> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut distinct = sorted.clone();
    distinct.dedup();
    let percentile = distinct
        .iter()
        .map(|&x| percentile_rank(x, &sorted).unwrap_or(f64::NAN))
        .collect();
    // Competition ranks over every student; a distinct score takes the rank of its students.
    let ranks = rank_descending(&sorted, RankMethod::Competition, 2).map_err(err)?;
    let rank = distinct
        .iter()
        .map(|&x| ranks[sorted.partition_point(|&v| v < x)] as u32)
        .collect();
    let mut borderline = vec![None; distinct.len()];
    let window = BorderlineWindow::Points(settings.borderline_points.max(0.0));
    for (line, label) in [
        (lines.pass.points(full_marks), Borderline::Pass),
        (lines.excellent.points(full_marks), Borderline::Excellent),
    ] {
        let b = borderline_students(&distinct, round_half_away(line, 2), window).map_err(err)?;
        for i in b.below {
            borderline[i] = Some(label);
        }
    }
    let summary = if values.is_empty() {
        None
    } else {
        Some(summarise(values).map_err(err)?)
    };
    Ok(Standing {
        subject: subject.to_string(),
        n: values.len(),
        mean: summary.as_ref().map(|s| s.mean),
        sd_population: summary.as_ref().map(|s| s.sd_population),
        scores: distinct,
        percentile,
        rank,
        borderline,
    })
}

impl Standing {
    /// A student's mark with their standing; `score` is their score in the statistic (None
    /// when absent or excluded).
    pub fn mark(&self, score: Option<f64>, absent: bool) -> StudentMark {
        let pos = score.and_then(|x| {
            let i = self.scores.partition_point(|&v| v < x);
            (i < self.scores.len() && self.scores[i] == x).then_some(i)
        });
        let z = match (score, self.mean, self.sd_population) {
            (Some(x), Some(m), Some(sd)) => z_score(x, m, sd),
            _ => None,
        };
        let scale = TScale::default();
        StudentMark {
            subject: self.subject.clone(),
            score,
            absent,
            z,
            t: z.map(|z| scale.a + scale.b * z),
            percentile: pos.map(|i| self.percentile[i]),
            district_rank: pos.map(|i| self.rank[i]),
            borderline: pos.and_then(|i| self.borderline[i]),
        }
    }
}

/// A student's marks with standing in every subject and 总分.
pub(crate) fn student_marks(
    row: &[Option<Cell>],
    standings: &[Standing],
    policy: AbsentPolicy,
) -> Vec<StudentMark> {
    let mut out = Vec::with_capacity(standings.len());
    for (s, st) in standings.iter().enumerate() {
        let (score, absent) = if s < row.len() {
            match row[s] {
                None => (None, false),
                Some(Cell::Absent) => (None, true),
                Some(Cell::Score(x)) => (Some(x), false),
            }
        } else {
            match total_mark(row, policy) {
                Mark::Score(x) => (Some(x), false),
                Mark::Absent => (None, true),
                Mark::Excluded => (None, false),
            }
        };
        let mut m = st.mark(score, absent);
        if absent && policy == AbsentPolicy::CountAsZero {
            // Counted as 0 in the statistics, but the student has no score of their own.
            m.score = None;
        }
        out.push(m);
    }
    out
}

// --- items -----------------------------------------------------------------------------------

/// The district-wide item analysis of one subject (`exam_stat`, kind `items`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredItems {
    pub knowledge_points: Vec<Vec<String>>,
    pub analysis: ItemAnalysis,
}

/// One class's item difficulties and knowledge-point mastery (`exam_school_stat`, kind
/// `item_class`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredClassItems {
    pub unit: ExamUnit,
    pub difficulty: Vec<Option<f64>>,
    pub mastery: Vec<MasteryCell>,
}

/// Item analysis of one subject over the students with item points (absent students have
/// none), per-class difficulty (得分率 per item: the mastery of a one-item "tag") and
/// knowledge-point mastery per class. `rows` must be sorted by student key.
pub(crate) fn item_rows(
    subject: &str,
    items: &[ExamItem],
    rows: &[(Key, Vec<f64>)],
    names: &Names,
) -> Result<Option<(ExamStatW, Vec<SchoolStatW>)>, String> {
    let k = items.len();
    if rows.is_empty() || k < 2 {
        return Ok(None);
    }
    let mut data = Vec::with_capacity(rows.len() * k);
    for (_, p) in rows {
        data.extend_from_slice(p);
    }
    let matrix = ItemMatrix::new(
        rows.len(),
        data,
        items.iter().map(|i| i.max_points).collect(),
    )
    .and_then(|m| m.with_names(items.iter().map(|i| i.item_no.clone()).collect()))
    .map_err(err)?;
    let analysis = item_analysis(&matrix, &ItemAnalysisOptions::default()).map_err(err)?;
    let groups: Vec<String> = rows
        .iter()
        .map(|(key, _)| format!("{}/{}", key.school_id, key.class_id))
        .collect();
    // Per-class difficulty: each item as its own tag, zero-padded so tags sort in item order.
    let item_tags: Vec<Vec<String>> = (0..k).map(|j| vec![format!("{j:05}")]).collect();
    let per_item = knowledge_point_mastery(&matrix, &item_tags, &groups).map_err(err)?;
    let tags: Vec<Vec<String>> = items.iter().map(|i| i.knowledge_points.clone()).collect();
    let tagged = tags.iter().any(|t| !t.is_empty());
    let mastery = if tagged {
        knowledge_point_mastery(&matrix, &tags, &groups).map_err(err)?
    } else {
        Vec::new()
    };
    let mut by_group: BTreeMap<String, StoredClassItems> = BTreeMap::new();
    let unit_of = |g: &str| -> (i64, i64) {
        let (s, c) = g.split_once('/').unwrap_or(("0", "0"));
        (s.parse().unwrap_or(0), c.parse().unwrap_or(0))
    };
    for cell in per_item {
        let e = by_group.entry(cell.group.clone()).or_insert_with(|| {
            let (s, c) = unit_of(&cell.group);
            StoredClassItems {
                unit: names.class_unit(s, c),
                difficulty: Vec::with_capacity(k),
                mastery: Vec::new(),
            }
        });
        e.difficulty.push(Some(cell.score_rate));
    }
    for cell in mastery {
        if let Some(e) = by_group.get_mut(&cell.group) {
            e.mastery.push(cell);
        }
    }
    let mut class_rows = Vec::with_capacity(by_group.len());
    for (g, v) in by_group {
        let (s, c) = unit_of(&g);
        class_rows.push(SchoolStatW {
            school_id: s,
            kind: "item_class",
            class_id: c,
            subject: subject.to_string(),
            payload: json(&v)?,
        });
    }
    let stored = StoredItems {
        knowledge_points: tags,
        analysis,
    };
    Ok(Some((
        ExamStatW {
            kind: "items",
            unit: String::new(),
            subject: subject.to_string(),
            payload: json(&stored)?,
        },
        class_rows,
    )))
}

// --- value-added -----------------------------------------------------------------------------

/// Value-added reports of every subject (and 总分) the baseline also has, for schools and
/// for classes (`exam_stat`, kind `va`, unit `school` / `class`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn value_added_rows(
    exam: i64,
    subjects: &[ExamSubject],
    marks: &ExamMarks,
    baseline: i64,
    base_subjects: &[ExamSubject],
    base: &ExamMarks,
    names: &Names,
    settings: &ExamSettings,
) -> Result<Vec<ExamStatW>, String> {
    let policy = settings.absent_policy;
    let base_pos = base.position();
    let mut pairs: Vec<(String, usize, usize)> = subjects
        .iter()
        .enumerate()
        .filter_map(|(s, sub)| {
            base_subjects
                .iter()
                .position(|b| b.name == sub.name)
                .map(|b| (sub.name.clone(), s, b))
        })
        .collect();
    if !base_subjects.is_empty() {
        pairs.push((TOTAL.to_string(), subjects.len(), base_subjects.len()));
    }
    // Per student, once: where they are in the baseline and their unit labels.
    let in_base: Vec<Option<usize>> = marks
        .students
        .iter()
        .map(|k| base_pos.get(&(k.school_id, k.student_id)).copied())
        .collect();
    let school_label: Vec<String> = marks
        .students
        .iter()
        .map(|k| k.school_id.to_string())
        .collect();
    let class_label: Vec<String> = marks
        .students
        .iter()
        .map(|k| format!("{}/{}", k.school_id, k.class_id))
        .collect();
    let per_pair = par_map(pairs.len(), |k| {
        let (name, s, b) = &pairs[k];
        let (s, b) = (*s, *b);
        let mut out = Vec::with_capacity(2);
        let y_col = marks.column(s, policy);
        let x_col = base.column(b, policy);
        let scores = |col: &[Option<Mark>]| -> Vec<f64> {
            col.iter()
                .filter_map(|m| match m {
                    Some(Mark::Score(x)) => Some(*x),
                    _ => None,
                })
                .collect()
        };
        let (y_ref, x_ref) = (scores(&y_col), scores(&x_col));
        let (mut y, mut x, mut school_g, mut class_g) = (vec![], vec![], vec![], vec![]);
        for (i, j) in in_base.iter().enumerate() {
            let (Some(Mark::Score(yi)), Some(j)) = (y_col[i], j) else {
                continue;
            };
            let Some(Mark::Score(xi)) = x_col[*j] else {
                continue;
            };
            y.push(yi);
            x.push(xi);
            school_g.push(school_label[i].clone());
            class_g.push(class_label[i].clone());
        }
        for (level, groups, classify) in [
            (ExamUnitKind::School, &school_g, VA_CLASSIFY_SCHOOL),
            (ExamUnitKind::Class, &class_g, VA_CLASSIFY_CLASS),
        ] {
            let report = va_report(
                exam,
                baseline,
                name,
                level,
                (&y, &y_ref),
                (&x, &x_ref),
                groups,
                VaOptions {
                    min_compute: settings.va_min_n,
                    min_classify: classify.max(settings.va_min_n),
                    ..VaOptions::default()
                },
                names,
            );
            out.push(ExamStatW {
                kind: "va",
                unit: if level == ExamUnitKind::School {
                    "school".into()
                } else {
                    "class".into()
                },
                subject: name.clone(),
                payload: json(&report)?,
            });
        }
        Ok::<_, String>(out)
    });
    let mut out = Vec::new();
    for rows in per_pair {
        out.extend(rows?);
    }
    Ok(out)
}

pub(crate) fn va_label() -> String {
    format!(
        "{}；出口、入口成绩均为全区标准分 (z)",
        VaModel::Reml.label()
    )
}

#[allow(clippy::too_many_arguments)]
fn va_report(
    exam: i64,
    baseline: i64,
    subject: &str,
    level: ExamUnitKind,
    (y, y_ref): (&[f64], &[f64]),
    (x, x_ref): (&[f64], &[f64]),
    groups: &[String],
    opts: VaOptions,
    names: &Names,
) -> ValueAddedReport {
    let mut report = ValueAddedReport {
        exam: wuyu_domain::ExamId(exam),
        baseline: wuyu_domain::ExamId(baseline),
        subject: subject.to_string(),
        level,
        model_label: va_label(),
        n: y.len(),
        coefficients: Vec::new(),
        sigma2: None,
        tau2: None,
        icc: None,
        rankable: None,
        message: None,
        groups: Vec::new(),
        units: Vec::new(),
    };
    if y.is_empty() {
        report.message = Some("没有同时参加本次考试和入口考试的学生，无法计算增值".into());
        return report;
    }
    let fit = standard_scores(y, y_ref, TScale::default()).and_then(|zy| {
        let zx = standard_scores(x, x_ref, TScale::default())?;
        random_intercept(
            &zy.z,
            &[("入口成绩 (z)".to_string(), zx.z)],
            groups,
            Estimation::Reml,
            &opts,
        )
    });
    match fit {
        Ok(r) => {
            report.coefficients = r.coefficients.unwrap_or_default();
            report.sigma2 = r.sigma2;
            report.tau2 = r.tau2;
            report.icc = r.icc;
            report.rankable = r.rankable;
            report.message = r.message;
            report.units = r
                .groups
                .iter()
                .map(|g| {
                    let (s, c) = match g.group.split_once('/') {
                        Some((s, c)) => (s.parse().unwrap_or(0), Some(c.parse().unwrap_or(0))),
                        None => (g.group.parse().unwrap_or(0), None),
                    };
                    match c {
                        Some(c) => names.class_unit(s, c),
                        None => names.school_unit(s),
                    }
                })
                .collect();
            report.groups = r.groups;
        }
        Err(e) => {
            report.message = Some(format!("无法估计增值：{e}"));
        }
    }
    report
}

#[cfg(test)]
mod tests {
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
}
