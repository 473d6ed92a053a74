//! The roster's indicators for the plan, counted from what the roster holds today (it keeps no
//! history of teachers or enrolment, only each student's 学籍状态 and the date it took effect):
//!
//! * 无辍学学生的学校占比: schools with no student who dropped out (辍学) within the school year /
//!   the unit's schools. A 辍学 without a date is counted in every year: it cannot be placed,
//!   and a dropout must never be hidden;
//! * 专任体育教师与在校生比 and 音乐美术教师与在校生比: 在读 students per teacher of the subject
//!   (a teacher marked 兼职 is not 专任 and is left out). Students but no such teacher is an
//!   unbounded ratio ([`IndicatorValue::is_unbounded`]), which fails an "at most" target;
//! * 音乐美术专职教师占比: music and art teachers marked 专职 / those whose 专兼职 is recorded.
//!
//! A teacher teaches a subject when it is one of the subjects named in 任教学科 ("音乐、美术").
use crate::indicator::{IndicatorValue, roster_keys};

/// The keys this module measures.
pub const KEYS: [&str; 4] = [
    roster_keys::NO_DROPOUT_SCHOOL_SHARE,
    roster_keys::STUDENTS_PER_PE_TEACHER,
    roster_keys::STUDENTS_PER_ART_TEACHER,
    roster_keys::ART_FULL_TIME_SHARE,
];

/// One school's roster facts, as the store counts them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SchoolRosterFacts {
    /// Students whose 学籍状态 is 在读.
    pub enrolled: u64,
    /// The status dates (`YYYY-MM-DD`) of the school's 辍学 students; `None` when not given.
    pub dropouts: Vec<Option<String>>,
    /// Each teacher's 任教学科 (as written) and 专兼职 (`Some(true)` = 专职).
    pub teachers: Vec<(Option<String>, Option<bool>)>,
}

/// The subjects a plan target counts teachers of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectGroup {
    /// 体育 (体育与健康).
    Pe,
    /// 音乐, 美术 (and 艺术 as one subject).
    MusicArt,
    /// 心理健康 (rosters write 心理, 心理健康 or 心理健康教育).
    Psych,
}

impl SubjectGroup {
    /// Whether a 任教学科 cell names a subject of this group.
    pub fn taught_in(self, subjects: &str) -> bool {
        subjects
            .split(['、', ',', '，', '/', ';', '；', ' '])
            .map(str::trim)
            .any(|s| match self {
                SubjectGroup::Pe => s.starts_with("体育"),
                SubjectGroup::MusicArt => {
                    s.starts_with("音乐") || s.starts_with("美术") || s == "艺术"
                }
                SubjectGroup::Psych => s.starts_with("心理"),
            })
    }
}

/// Schools with at least one teacher of `group` (专职 or 兼职: the plans ask for a teacher in
/// every school, not a full-time post) / schools; `None` without schools.
pub fn school_share_with(
    group: SubjectGroup,
    schools: &[&SchoolRosterFacts],
) -> Option<IndicatorValue> {
    let with = schools
        .iter()
        .filter(|s| {
            s.teachers
                .iter()
                .any(|(subject, _)| subject.as_deref().is_some_and(|x| group.taught_in(x)))
        })
        .count();
    (!schools.is_empty()).then(|| IndicatorValue::rate(with as u64, schools.len() as u64))
}

/// Whether a school's 辍学 students include one within the school year `year` (September
/// `year` to August `year + 1`), an undated one always.
pub fn has_dropout_in(facts: &SchoolRosterFacts, year: i32) -> bool {
    let (from, to) = (format!("{year}-09-01"), format!("{}-08-31", year + 1));
    facts.dropouts.iter().any(|d| match d {
        None => true,
        Some(d) => d.as_str() >= from.as_str() && d.as_str() <= to.as_str(),
    })
}

/// The value of a roster key over `schools` in the school year `year`; `None` for a key that is
/// not the roster's, or when there is nothing to count (no schools, no students, no teachers
/// of the subject with 专兼职 recorded).
pub fn measure(key: &str, schools: &[&SchoolRosterFacts], year: i32) -> Option<IndicatorValue> {
    let students: u64 = schools.iter().map(|s| s.enrolled).sum();
    let teachers = || schools.iter().flat_map(|s| s.teachers.iter());
    let per_teacher = |group: SubjectGroup| {
        let n = teachers()
            .filter(|(subject, full_time)| {
                *full_time != Some(false) && subject.as_deref().is_some_and(|s| group.taught_in(s))
            })
            .count();
        (students > 0).then_some(IndicatorValue {
            num: students as f64,
            den: n as f64,
            n: students,
        })
    };
    match key {
        roster_keys::NO_DROPOUT_SCHOOL_SHARE => {
            let without = schools.iter().filter(|s| !has_dropout_in(s, year)).count();
            (!schools.is_empty())
                .then(|| IndicatorValue::rate(without as u64, schools.len() as u64))
        }
        roster_keys::STUDENTS_PER_PE_TEACHER => per_teacher(SubjectGroup::Pe),
        roster_keys::STUDENTS_PER_ART_TEACHER => per_teacher(SubjectGroup::MusicArt),
        roster_keys::ART_FULL_TIME_SHARE => {
            let recorded: Vec<bool> = teachers()
                .filter(|(subject, _)| {
                    subject
                        .as_deref()
                        .is_some_and(|s| SubjectGroup::MusicArt.taught_in(s))
                })
                .filter_map(|(_, full_time)| *full_time)
                .collect();
            let full = recorded.iter().filter(|f| **f).count();
            (!recorded.is_empty()).then(|| IndicatorValue::rate(full as u64, recorded.len() as u64))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn teacher(subject: &str, full_time: Option<bool>) -> (Option<String>, Option<bool>) {
        (Some(subject.to_string()), full_time)
    }

    #[test]
    fn subjects_are_read_from_the_cell_as_schools_write_it() {
        assert!(SubjectGroup::Pe.taught_in("体育"));
        assert!(SubjectGroup::Pe.taught_in("体育与健康"));
        assert!(SubjectGroup::Pe.taught_in("语文、体育"));
        assert!(!SubjectGroup::Pe.taught_in("语文"));
        assert!(SubjectGroup::MusicArt.taught_in("音乐"));
        assert!(SubjectGroup::MusicArt.taught_in("数学/美术"));
        assert!(SubjectGroup::MusicArt.taught_in("艺术"));
        assert!(!SubjectGroup::MusicArt.taught_in("艺术体操"));
        assert!(!SubjectGroup::MusicArt.taught_in("信息技术"));
        assert!(SubjectGroup::Psych.taught_in("心理健康"));
        assert!(SubjectGroup::Psych.taught_in("心理健康教育"));
        assert!(SubjectGroup::Psych.taught_in("道德与法治、心理"));
        assert!(!SubjectGroup::Psych.taught_in("道德与法治"));
    }

    /// Two of three schools have a psychology teacher, one of them part-time: 2/3.
    #[test]
    fn a_school_counts_with_one_psychology_teacher_full_or_part_time() {
        let with = |subject: &str, full: Option<bool>| SchoolRosterFacts {
            teachers: vec![teacher("语文", Some(true)), teacher(subject, full)],
            ..Default::default()
        };
        let (a, b, c) = (
            with("心理健康", Some(true)),
            with("心理健康教育", Some(false)),
            with("体育", Some(true)),
        );
        let v = school_share_with(SubjectGroup::Psych, &[&a, &b, &c]).unwrap();
        assert_eq!((v.num, v.den, v.n), (2.0, 3.0, 3));
        assert_eq!(school_share_with(SubjectGroup::Psych, &[]), None);
    }

    #[test]
    fn a_dropout_counts_in_the_school_year_of_its_date() {
        let s = SchoolRosterFacts {
            dropouts: vec![Some("2024-09-01".into())],
            ..Default::default()
        };
        assert!(!has_dropout_in(&s, 2023), "2023-09 to 2024-08");
        assert!(has_dropout_in(&s, 2024), "its first day");
        assert!(!has_dropout_in(&s, 2025));
        let undated = SchoolRosterFacts {
            dropouts: vec![None],
            ..Default::default()
        };
        assert!(has_dropout_in(&undated, 2019) && has_dropout_in(&undated, 2030));
    }

    #[test]
    fn the_share_of_schools_without_dropouts() {
        let clean = SchoolRosterFacts::default();
        let late = SchoolRosterFacts {
            dropouts: vec![Some("2025-08-31".into())],
            ..Default::default()
        };
        let v = measure(
            roster_keys::NO_DROPOUT_SCHOOL_SHARE,
            &[&clean, &late, &clean],
            2024,
        )
        .unwrap();
        assert_eq!((v.num, v.den, v.n), (2.0, 3.0, 3));
        let v = measure(roster_keys::NO_DROPOUT_SCHOOL_SHARE, &[&clean, &late], 2025).unwrap();
        assert_eq!((v.num, v.den), (2.0, 2.0));
        assert_eq!(
            measure(roster_keys::NO_DROPOUT_SCHOOL_SHARE, &[], 2024),
            None
        );
    }

    #[test]
    fn students_per_teacher_leaves_out_part_timers_and_counts_unrecorded_as_full_time() {
        let a = SchoolRosterFacts {
            enrolled: 440,
            dropouts: vec![],
            teachers: vec![
                teacher("体育", Some(true)),
                teacher("体育", None),
                teacher("体育", Some(false)),
                teacher("音乐", Some(true)),
                teacher("语文", Some(true)),
            ],
        };
        let v = measure(roster_keys::STUDENTS_PER_PE_TEACHER, &[&a], 2024).unwrap();
        assert_eq!((v.num, v.den, v.n), (440.0, 2.0, 440));
        assert_eq!(v.value(), Some(220.0));
        let v = measure(roster_keys::STUDENTS_PER_ART_TEACHER, &[&a], 2024).unwrap();
        assert_eq!(v.value(), Some(440.0));
        // A school with students and no music teacher at all: unbounded, never "no data".
        let b = SchoolRosterFacts {
            enrolled: 100,
            ..Default::default()
        };
        let v = measure(roster_keys::STUDENTS_PER_ART_TEACHER, &[&b], 2024).unwrap();
        assert!(v.is_unbounded());
        // Together: 540 students, one music/art teacher.
        let v = measure(roster_keys::STUDENTS_PER_ART_TEACHER, &[&a, &b], 2024).unwrap();
        assert_eq!(v.value(), Some(540.0));
        // No students: nothing to count.
        let empty = SchoolRosterFacts::default();
        assert_eq!(
            measure(roster_keys::STUDENTS_PER_PE_TEACHER, &[&empty], 2024),
            None
        );
    }

    #[test]
    fn the_full_time_share_counts_recorded_music_and_art_teachers() {
        let a = SchoolRosterFacts {
            enrolled: 300,
            dropouts: vec![],
            teachers: vec![
                teacher("音乐", Some(true)),
                teacher("美术", Some(true)),
                teacher("语文、美术", Some(false)),
                teacher("音乐", None),
                teacher("体育", Some(false)),
            ],
        };
        let v = measure(roster_keys::ART_FULL_TIME_SHARE, &[&a], 2024).unwrap();
        assert_eq!((v.num, v.den, v.n), (2.0, 3.0, 3));
        let none = SchoolRosterFacts {
            teachers: vec![teacher("音乐", None)],
            ..Default::default()
        };
        assert_eq!(
            measure(roster_keys::ART_FULL_TIME_SHARE, &[&none], 2024),
            None
        );
    }
}
