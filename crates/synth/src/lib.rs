//! A realistic synthetic district for demos, tests and benchmarks.
//!
//! [`generate`] builds a district (示范区, code 330199) with schools, classes, students,
//! teachers and teaching assignments as one [`RosterBatch`], exactly as an import of the
//! official roster workbook would deliver it (sheets 学校 / 班级 / 学生 / 教师 / 任课, header in
//! row 1). Every value is a validated domain value: 身份证号 carry the right birth date, sex
//! parity and ISO 7064 check character; 学籍号 are unique across the district.
//!
//! Determinism: the same [`SynthConfig`] gives the same district, byte for byte, forever. The
//! generator uses its own PRNG ([`rng`]) rather than a crate whose stream could change with a
//! version bump, and each school draws from its own stream of the seed.
//!
//! Shape (at the default 50,000 students): ≈ 60 schools (one per ≈ 830 students, at least 3),
//! ≈ 55 % primary, 25 % junior, 20 % nine-year; ≈ 55 % urban; urban classes of 40–50, rural
//! classes of 25–40, many rural village schools with one class per grade; a few 教育集团 of 3–5
//! schools; about one teacher per 13 students.
#![forbid(unsafe_code)]

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};
use wuyu_domain::roster::{NewClass, NewSchool, RosterBatch};
use wuyu_domain::{District, Origin, SchoolCode, StudentNo};

mod archive;
mod exam;
mod fitness;
mod layout;
mod names;
mod people;
mod psych;
mod psych_scale;
pub mod rng;
mod staff;
mod survey;

pub use archive::{ArchiveDemo, ArchiveDemoRecord, ArtDemoRow, generate_archive};
pub use exam::{
    EXAM_SHEET, EXAM_SUBJECTS, ExamOptions, ExamTruth, PERSISTENCE, SCHOOL_TERM_VA_SD,
    SCHOOL_VA_SD, SchoolTruth, SynthExam, SynthExams, TEACHER_VA_SD, TeacherTruth, WEAK_TEACHER_VA,
    generate_exams,
};
pub use fitness::{SCHOOL_TREND_SPREAD, generate_fitness, school_trend};
pub use people::subjects_for_grade;
pub use psych::{PSYCH_GRADES, PsychDemo, first_crisis_student, generate_psych};
pub use psych_scale::{DEMO_SCALE_JSON, DEMO_SCALE_LEVEL, demo_scale_answers};
pub use staff::{DevRecord, generate_appraisal, generate_appraisal_sources, generate_development};
pub use survey::{
    AfterSchoolSchool, EthicsTeacher, SurveySchool, generate_after_school, generate_ethics,
    generate_survey,
};

pub const DISTRICT_CODE: &str = "330199";

/// The seeds' plan (任务分解表): the 85 measurable targets of the district's three-year plans
/// (public plan figures), in the layout `wuyu import plan` reads. The demo loads it.
pub const PLAN_CSV: &[u8] = include_bytes!("../data/plan-targets-2023-2025.csv");
pub const PLAN_FILE_NAME: &str = "plan-targets-2023-2025.csv";
pub const DISTRICT_NAME: &str = "示范区";

/// One school per this many students (at least 3 schools).
pub const STUDENTS_PER_SCHOOL: usize = 830;
/// About one teacher per this many students in every school.
pub const STUDENTS_PER_TEACHER: f64 = 13.0;
pub const URBAN_CLASS_SIZE: RangeInclusive<u32> = 40..=50;
pub const RURAL_CLASS_SIZE: RangeInclusive<u32> = 25..=40;

/// Sheet names of the roster workbook the batch pretends to come from.
pub const SHEET_SCHOOLS: &str = "学校";
pub const SHEET_CLASSES: &str = "班级";
pub const SHEET_STUDENTS: &str = "学生";
pub const SHEET_TEACHERS: &str = "教师";
pub const SHEET_ASSIGNMENTS: &str = "任课";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynthConfig {
    pub seed: u64,
    /// Students to generate. The result has exactly this many whenever the class-size ranges
    /// allow it; very small requests (below a few thousand) get at least three schools with
    /// full classes, hence more students.
    pub students: usize,
    /// 学年 (2024 = 2024–2025): fixes the birth years of every grade.
    pub school_year: u16,
}

impl Default for SynthConfig {
    fn default() -> Self {
        Self {
            seed: 20240901,
            students: 50_000,
            school_year: 2024,
        }
    }
}

/// A generated district: the district, its roster, and the records the demo accounts use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthDistrict {
    pub district: District,
    /// The 学年 the roster's grades are for ([`SynthConfig::school_year`]).
    pub school_year: u16,
    pub batch: RosterBatch,
    pub demo: DemoPicks,
}

/// Records the demo accounts are bound to. They are chosen so that the accounts see
/// something worth showing and each other's data where they should.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoPicks {
    /// An urban primary school with at least three classes in every grade (demo-school,
    /// demo-counsellor). Always the first school of the batch.
    pub school_code: SchoolCode,
    /// A teacher of that school teaching two or more classes, a 数学 teacher when one does
    /// (demo-teacher).
    pub teacher_staff_no: String,
    /// A student of that school in one of the demo teacher's classes (demo-parent).
    pub student_no: StudentNo,
}

/// Generates the district described by `cfg`. Uses the machine's cores for big districts;
/// the result does not depend on how many there are.
///
/// # Panics
/// If `cfg.school_year` is outside 1920..=2100 (birth dates in a 身份证号 must lie in
/// 1900..=2100).
pub fn generate(cfg: &SynthConfig) -> SynthDistrict {
    // Below this, starting threads costs more than it saves.
    const PARALLEL_FROM: usize = 100_000;
    let threads = if cfg.students < PARALLEL_FROM {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
    };
    generate_with_threads(cfg, threads)
}

/// Random streams of the seed: 0 the layout, then two per school (students, teachers), so
/// every school's people are fixed by the seed and the school's index alone.
fn student_stream(school: usize) -> u64 {
    2 * school as u64 + 1
}

fn teacher_stream(school: usize) -> u64 {
    2 * school as u64 + 2
}

/// The stream of the people fields added later (学籍状态, 专兼职, 出生年份): far above the
/// others, so adding them changed no earlier draw.
fn fields_stream(school: usize) -> u64 {
    (1 << 40) + school as u64
}

fn generate_with_threads(cfg: &SynthConfig, threads: usize) -> SynthDistrict {
    assert!(
        (1920..=2100).contains(&cfg.school_year),
        "school_year {} outside 1920..=2100",
        cfg.school_year
    );
    let plans = layout::plan(cfg.seed, cfg.students, DISTRICT_CODE);

    // Pass 1, sequential and cheap: every random choice about the students. It has to be
    // sequential because 身份证号 and temporary 学籍号 are allocated district-wide.
    let mut drawer = people::StudentDrawer::new(cfg.school_year);
    let draws: Vec<Vec<people::StudentDraw>> = plans
        .iter()
        .enumerate()
        .map(|(i, p)| drawer.draw(&mut rng::Rng::stream(cfg.seed, student_stream(i)), p))
        .collect();

    // Pass 2, the expensive part (strings, validation, allocation): records, in contiguous
    // runs of schools of about equal size, one run per thread.
    // The first run's vectors get room for everything, so joining the runs copies the
    // others' records once and never reallocates.
    let build = |range: std::ops::Range<usize>| {
        let room = if range.start == 0 {
            0..plans.len()
        } else {
            range.clone()
        };
        let room = &plans[room];
        let mut part = RosterBatch {
            schools: Vec::with_capacity(room.len()),
            classes: Vec::with_capacity(room.iter().map(|p| p.class_count()).sum()),
            students: Vec::with_capacity(room.iter().map(|p| p.students() as usize).sum()),
            teachers: Vec::with_capacity(room.iter().map(people::teacher_count).sum()),
            assignments: Vec::with_capacity(room.iter().map(people::max_assignments).sum()),
        };
        for i in range {
            build_school(cfg, i, &plans[i], &draws[i], &mut part);
        }
        part
    };
    let ranges = split_by_weight(&draws, threads.max(1));
    let mut parts: Vec<RosterBatch> = if ranges.len() == 1 {
        vec![build(ranges[0].clone())]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = ranges
                .iter()
                .map(|r| {
                    let r = r.clone();
                    let build = &build;
                    s.spawn(move || build(r))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("generator threads do not panic"))
                .collect()
        })
    };
    let mut batch = parts.remove(0);
    for part in parts {
        batch.extend(part);
    }
    number_rows(&mut batch);

    let demo = demo_picks(&batch);
    SynthDistrict {
        district: District {
            code: DISTRICT_CODE.to_string(),
            name: DISTRICT_NAME.to_string(),
        },
        school_year: cfg.school_year,
        batch,
        demo,
    }
}

/// The records of school `i`, appended to `out`.
fn build_school(
    cfg: &SynthConfig,
    i: usize,
    school: &layout::SchoolPlan,
    draws: &[people::StudentDraw],
    out: &mut RosterBatch,
) {
    out.schools.push(NewSchool {
        origin: origin(SHEET_SCHOOLS),
        code: school.code.clone(),
        name: school.name.clone(),
        stage: school.stage,
        location: school.location,
        school_group: school.group.clone(),
    });
    for g in &school.grades {
        for c in 0..g.class_sizes.len() {
            out.classes.push(NewClass {
                origin: origin(SHEET_CLASSES),
                school_code: school.code.clone(),
                grade: g.grade,
                name: people::class_name(c + 1),
                class_type: None,
            });
        }
    }
    let (first_student, first_teacher) = (out.students.len(), out.teachers.len());
    people::build_students(
        school,
        draws,
        DISTRICT_CODE,
        cfg.school_year,
        &mut out.students,
    );
    let mut rng = rng::Rng::stream(cfg.seed, teacher_stream(i));
    people::teachers(&mut rng, school, &mut out.teachers, &mut out.assignments);
    people::fields(
        &mut rng::Rng::stream(cfg.seed, fields_stream(i)),
        school,
        // The demo school (the first) keeps every student 在读: the demo accounts' child is there.
        i > 0,
        cfg.school_year,
        &mut out.students[first_student..],
        &mut out.teachers[first_teacher..],
    );
    people::psych_teacher(i, &mut out.teachers[first_teacher..]);
}

/// Contiguous ranges of schools with about equal numbers of students.
fn split_by_weight(
    draws: &[Vec<people::StudentDraw>],
    parts: usize,
) -> Vec<std::ops::Range<usize>> {
    let total: usize = draws.iter().map(Vec::len).sum();
    let mut ranges = Vec::with_capacity(parts);
    let mut start = 0;
    let mut acc = 0;
    for (i, d) in draws.iter().enumerate() {
        acc += d.len();
        // Close range k once the running total passes k/parts of the students.
        if ranges.len() + 1 < parts && acc * parts >= total * (ranges.len() + 1) {
            ranges.push(start..i + 1);
            start = i + 1;
        }
    }
    ranges.push(start..draws.len());
    ranges.retain(|r| !r.is_empty());
    ranges
}

/// An origin whose row is set by [`number_rows`].
fn origin(sheet: &str) -> Origin {
    Origin {
        sheet: sheet.to_string(),
        row: 0,
    }
}

/// Rows as in the workbook: data from row 2, under the header, in batch order.
fn number_rows(b: &mut RosterBatch) {
    fn number<'a>(origins: impl Iterator<Item = &'a mut Origin>) {
        for (i, o) in origins.enumerate() {
            o.row = u32::try_from(i + 2).expect("fewer than 4 billion rows");
        }
    }
    number(b.schools.iter_mut().map(|r| &mut r.origin));
    number(b.classes.iter_mut().map(|r| &mut r.origin));
    number(b.students.iter_mut().map(|r| &mut r.origin));
    number(b.teachers.iter_mut().map(|r| &mut r.origin));
    number(b.assignments.iter_mut().map(|r| &mut r.origin));
}

/// The demo teacher: a teacher of school 0 with two or more classes, preferring 数学, then the
/// most classes, then the smallest 工号; the demo student: the first student with a 身份证号 in the teacher's first
/// class.
fn demo_picks(batch: &RosterBatch) -> DemoPicks {
    let school = &batch.schools[0].code;
    let mut classes_of: std::collections::BTreeMap<&str, Vec<&wuyu_domain::roster::NewAssignment>> =
        std::collections::BTreeMap::new();
    for a in batch
        .assignments
        .iter()
        .filter(|a| &a.school_code == school)
    {
        classes_of.entry(a.staff_no.as_str()).or_default().push(a);
    }
    let score = |list: &Vec<&wuyu_domain::roster::NewAssignment>| {
        (list.len() >= 2, list[0].subject == "数学", list.len())
    };
    let (staff_no, list) = classes_of
        .iter()
        .max_by(|a, b| score(a.1).cmp(&score(b.1)).then(b.0.cmp(a.0)))
        .expect("the demo school has assignments");
    let first = list[0];
    // Preferably one with a 身份证号, so the parent's pages show every field.
    let mut in_class = batch.students.iter().filter(|s| {
        &s.school_code == school && s.grade == first.grade && s.class_name == first.class_name
    });
    let first_student = in_class.next().expect("every class has students");
    let student = std::iter::once(first_student)
        .chain(in_class)
        .find(|s| s.id_card_no.is_some())
        .unwrap_or(first_student);
    DemoPicks {
        school_code: school.clone(),
        teacher_staff_no: staff_no.to_string(),
        student_no: student.student_no.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_number_of_threads_does_not_change_the_result() {
        let cfg = SynthConfig {
            seed: 11,
            students: 12_000,
            school_year: 2024,
        };
        let one = generate_with_threads(&cfg, 1);
        assert_eq!(one, generate_with_threads(&cfg, 2));
        assert_eq!(one, generate_with_threads(&cfg, 5));
    }

    #[test]
    fn ranges_cover_every_school_once() {
        let draws: Vec<Vec<people::StudentDraw>> = vec![Vec::new(); 7];
        for parts in 1..10 {
            let r = split_by_weight(&draws, parts);
            let covered: Vec<usize> = r.into_iter().flatten().collect();
            assert_eq!(covered, (0..7).collect::<Vec<_>>());
        }
    }
}
