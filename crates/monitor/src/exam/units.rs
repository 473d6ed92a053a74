//! Unit statistics: every unit of an exam in every subject and 总分, with ranks, composites
//! and gaps among the units of the same kind.
use std::collections::{BTreeMap, HashMap};

use wuyu_analytics::compare::{UnitValue, gaps};
use wuyu_analytics::descriptive::{
    AbsentPolicy, AbsoluteWeights, Mark, RankMethod, RateLines, UnitIndicators, rank_descending,
    rate_summary, standardised_composite, summarise,
};
use wuyu_domain::{ClassId, ExamSubject, Location, SchoolId, Stage};

use super::model::{ExamSettings, ExamUnit, ExamUnitKind, ExamUnitStat, SubjectStat, TOTAL};

use super::*;

/// Names of the units, from the roster.
#[derive(Debug, Default)]
pub struct Names {
    pub schools: HashMap<i64, SchoolInfo>,
    /// (school, class) → (name, grade).
    pub classes: HashMap<(i64, i64), (String, i32)>,
}

#[derive(Debug, Clone)]
pub struct SchoolInfo {
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
pub struct ExamStatW {
    pub kind: &'static str,
    pub unit: String,
    pub subject: String,
    pub payload: String,
}

/// A row of `exam_school_stat`.
#[derive(Debug, Clone)]
pub struct SchoolStatW {
    pub school_id: i64,
    pub kind: &'static str,
    pub class_id: i64,
    pub subject: String,
    pub payload: String,
}

/// A row of `exam_class_mean`.
#[derive(Debug, Clone)]
pub struct ClassMeanW {
    pub school_id: i64,
    pub class_id: i64,
    pub subject: String,
    pub enrolled: i64,
    pub sat: i64,
    pub n: i64,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
}

/// The unit statistics of an exam, ready to write.
#[derive(Debug, Default)]
pub struct UnitRows {
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
pub fn par_map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
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
pub fn unit_rows(
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
                        sd: st.sd,
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
