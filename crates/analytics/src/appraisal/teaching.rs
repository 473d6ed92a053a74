//! The teaching-result source (教学成绩) of the appraisal, from the exams and never from raw
//! means across subjects (analytics-methods §6.2): the district chooses the parallel-class
//! comparison (§5.3, the default) or the teacher's value-added (§4).
use serde::Serialize;

use crate::compare::{AlertStatus, ParallelAlert};

/// Which measure the teaching-result source is (a district setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TeachingBasis {
    /// The share of counted exams not below the parallel classes, × 100.
    #[default]
    Parallel,
    /// The teacher's value-added, as a percentile rank among the district's teachers.
    ValueAdded,
}

impl TeachingBasis {
    pub const ALL: [TeachingBasis; 2] = [TeachingBasis::Parallel, TeachingBasis::ValueAdded];

    pub fn code(self) -> &'static str {
        match self {
            TeachingBasis::Parallel => "parallel",
            TeachingBasis::ValueAdded => "value_added",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            TeachingBasis::Parallel => "平行班比较",
            TeachingBasis::ValueAdded => "增值评价",
        }
    }
}

/// The teaching-result source from the parallel-class comparison (§5.3, never raw means across
/// subjects): over the teacher's subjects whose rule found enough exams to judge, the weighted
/// share of counted exams in which the class was *not* below its parallel classes, × 100.
/// Absent when no subject had enough exams.
pub fn teaching_score<'a>(alerts: impl IntoIterator<Item = &'a ParallelAlert>) -> Option<f64> {
    let (events, below) = alerts
        .into_iter()
        .filter(|a| a.status != AlertStatus::InsufficientEvents)
        .fold((0.0, 0.0), |(e, b), a| {
            (e + a.weighted_events, b + a.weighted_below)
        });
    (events > 0.0).then(|| ((events - below) / events * 100.0).clamp(0.0, 100.0))
}

/// Matched students a teacher's value-added needs before it is used for personnel (§4.3).
pub const VA_MIN_STUDENTS: usize = 20;
/// School years a teacher's value-added must pool before it is used for personnel (§4.3:
/// "never publish a single-year teacher VA as a verdict").
pub const VA_MIN_YEARS: usize = 2;

/// One counted exam of a teacher's class with the class's value-added in it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventVa {
    pub school_year: i32,
    /// The class's label: a class counts its students once per school year.
    pub class: String,
    pub students: usize,
    /// The teacher's share of the class's lessons (partial teaching, §5.3).
    pub weight: f64,
    /// The class's EB value-added in student SD units (z), comparable across subjects.
    pub value_added: f64,
}

/// A teacher's value-added over the cycle.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TeacherVa {
    /// In student SD units.
    pub value_added: f64,
    /// Students over the classes and years (a class counted once per year).
    pub students: usize,
    pub exams: usize,
    pub years: usize,
}

/// The teacher's value-added (§4.2: the mean over all the teacher's students): the classes'
/// value-added weighted by their students and the teacher's share, over every counted exam
/// and subject. `None` below [`VA_MIN_STUDENTS`] or [`VA_MIN_YEARS`] — too little for a
/// personnel decision, so the source is missing rather than noise.
pub fn teacher_value_added(events: &[EventVa]) -> Option<TeacherVa> {
    let (mut sum, mut weight) = (0.0, 0.0);
    let mut per_class_year: std::collections::HashMap<(i32, &str), usize> = Default::default();
    for e in events
        .iter()
        .filter(|e| e.weight > 0.0 && e.value_added.is_finite())
    {
        let w = e.weight * e.students as f64;
        sum += w * e.value_added;
        weight += w;
        let n = per_class_year.entry((e.school_year, &e.class)).or_default();
        *n = (*n).max(e.students);
    }
    let students: usize = per_class_year.values().sum();
    let mut years: Vec<i32> = per_class_year.keys().map(|k| k.0).collect();
    years.sort_unstable();
    years.dedup();
    (weight > 0.0 && students >= VA_MIN_STUDENTS && years.len() >= VA_MIN_YEARS).then(|| {
        TeacherVa {
            value_added: sum / weight,
            students,
            exams: events.iter().filter(|e| e.weight > 0.0).count(),
            years: years.len(),
        }
    })
}

/// Each value's percentile rank among `values` on 0–100 by §2.3's midpoint rule,
/// `100·(B + ½E)/N` (B below, E equal, itself included): how a value-added becomes a 0–100
/// source (§6.2: rank-based sources are converted by PR).
pub fn percentile_ranks(values: &[f64]) -> Vec<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    values
        .iter()
        .map(|v| {
            let below = sorted.partition_point(|x| x < v);
            let equal = sorted[below..].partition_point(|x| x <= v);
            100.0 * (below as f64 + 0.5 * equal as f64) / n
        })
        .collect()
}
