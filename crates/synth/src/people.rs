//! Students, teachers and teaching assignments of one planned school.
use std::collections::HashMap;

use time::{Date, Month};
use wuyu_domain::roster::{NewAssignment, NewStudent, NewTeacher};
use wuyu_domain::{EthnicityCode, Grade, IdCardNo, Origin, PersonName, Sex, Stage, StudentNo};

use crate::layout::SchoolPlan;
use crate::names::{Generation, NameDraw, draw_name, person_name};
use crate::rng::{Rng, Weighted};
use crate::{SHEET_ASSIGNMENTS, SHEET_STUDENTS, SHEET_TEACHERS, STUDENTS_PER_TEACHER};

/// Subjects taught in a grade, with the number of parallel classes one teacher usually takes:
/// a primary 语文 teacher (often the 班主任) one class, 数学 and 英语 two, the rest three.
fn subject_table(grade: u8) -> &'static [(&'static str, u8)] {
    const LOWER_PRIMARY: &[(&str, u8)] = &[
        ("语文", 1),
        ("数学", 2),
        ("科学", 3),
        ("体育", 3),
        ("音乐", 3),
        ("美术", 3),
    ];
    const UPPER_PRIMARY: &[(&str, u8)] = &[
        ("语文", 1),
        ("数学", 2),
        ("英语", 2),
        ("科学", 3),
        ("体育", 3),
        ("音乐", 3),
        ("美术", 3),
    ];
    const G7: &[(&str, u8)] = &[
        ("语文", 2),
        ("数学", 2),
        ("英语", 2),
        ("生物", 2),
        ("道德与法治", 3),
        ("历史", 3),
        ("体育", 3),
    ];
    const G8: &[(&str, u8)] = &[
        ("语文", 2),
        ("数学", 2),
        ("英语", 2),
        ("物理", 2),
        ("生物", 2),
        ("道德与法治", 3),
        ("历史", 3),
        ("体育", 3),
    ];
    const G9: &[(&str, u8)] = &[
        ("语文", 2),
        ("数学", 2),
        ("英语", 2),
        ("物理", 2),
        ("化学", 2),
        ("道德与法治", 3),
        ("历史", 3),
        ("体育", 3),
    ];
    match grade {
        1 | 2 => LOWER_PRIMARY,
        3..=6 => UPPER_PRIMARY,
        7 => G7,
        8 => G8,
        // Senior grades are not generated; they reuse the grade-9 list if ever asked.
        _ => G9,
    }
}

/// The subjects every class of `grade` is taught in the synthetic district (each class gets
/// one assignment, or two half shares, per subject).
pub fn subjects_for_grade(grade: Grade) -> impl Iterator<Item = &'static str> {
    subject_table(grade.get()).iter().map(|&(s, _)| s)
}

/// When a school has fewer teachers than teaching units, these subjects take bigger groups
/// first (in this order) before anyone teaches across grades.
const MERGE_STEPS: &[(&str, u8)] = &[
    ("英语", 3),
    ("数学", 3),
    ("生物", 3),
    ("物理", 3),
    ("化学", 3),
    ("语文", 2),
    ("语文", 3),
];

/// Birth places of the children: mostly the district itself, some elsewhere in the city or
/// province, some from the provinces migrant families come from. (code, weight %).
const REGIONS: &[(&str, u32)] = &[
    ("330199", 75),
    ("330102", 3),
    ("330105", 3),
    ("330106", 2),
    ("330108", 2),
    ("330109", 2),
    ("330110", 3),
    ("341221", 2),
    ("411522", 2),
    ("512501", 1),
    ("522121", 1),
    ("362329", 1),
    ("432524", 1),
    ("452123", 1),
    ("622421", 1),
];

/// GB/T 3304 codes and weights per 10,000: 汉 and the minorities common in Zhejiang schools
/// (畲, 土家, 苗, 布依, 回, 壮, 侗, 彝, 满, 蒙古).
const ETHNICITIES: &[(u8, u32)] = &[
    (1, 9650),
    (22, 80),
    (15, 60),
    (6, 60),
    (9, 30),
    (3, 30),
    (8, 30),
    (12, 20),
    (7, 15),
    (11, 15),
    (2, 10),
];

const ID_CARD_SHARE: f64 = 0.92;
const MALE_SHARE: f64 = 0.52;
const OLDER_SHARE: f64 = 0.03;
/// Per (region, birth day, sex) the 3-digit sequence has 500 numbers of the right parity.
const SEQ_PER_KEY: u16 = 500;

/// One student as drawn: every random choice, nothing allocated. Drawing is sequential (the
/// 身份证号 allocator is shared by the whole district); turning draws into records is not, so
/// it can run on several threads and still give the same result.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StudentDraw {
    birth_jd: i32,
    sex: Sex,
    /// Index into REGIONS and the 3-digit sequence number, if the child has a 身份证号.
    id_card: Option<(u8, u16)>,
    /// Number of the temporary 学籍号 otherwise.
    temporary_no: u32,
    ethnicity: u8,
    name: NameDraw,
}

/// The district-wide state of drawing students: the allocators that keep 身份证号 and
/// 学籍号 unique across the district.
pub(crate) struct StudentDrawer {
    school_year: i32,
    regions: Weighted,
    ethnicities: Weighted,
    /// Julian day of the earliest possible birth date (Sept 1 of Y − 16).
    base_jd: i32,
    days: usize,
    /// Sequence numbers used so far, per region × day × sex.
    id_counters: Vec<u16>,
    /// Temporary 学籍号 issued so far.
    l_counter: u32,
}

impl StudentDrawer {
    pub fn new(school_year: u16) -> Self {
        let y = i32::from(school_year);
        let base_jd = sept1(y - 16).to_julian_day();
        let days = (aug31(y - 6).to_julian_day() - base_jd + 1) as usize;
        Self {
            school_year: y,
            regions: Weighted::new(REGIONS.iter().map(|&(_, w)| w)),
            ethnicities: Weighted::new(ETHNICITIES.iter().map(|&(_, w)| w)),
            base_jd,
            days,
            id_counters: vec![0; REGIONS.len() * days * 2],
            l_counter: 0,
        }
    }

    /// The students of a school, grade by grade and class by class.
    pub fn draw(&mut self, rng: &mut Rng, school: &SchoolPlan) -> Vec<StudentDraw> {
        let mut out = Vec::with_capacity(school.students() as usize);
        for g in &school.grades {
            let gn = i32::from(g.grade.get());
            // Grade g in school year Y: born Sept 1 of Y−6−g … Aug 31 of Y−5−g; a few are a
            // year older (late entry, repeated a year).
            let start = sept1(self.school_year - 6 - gn).to_julian_day();
            let len = aug31(self.school_year - 5 - gn).to_julian_day() - start + 1;
            let older_start = sept1(self.school_year - 7 - gn).to_julian_day();
            let older_len = start - older_start;
            let students: u32 = g.class_sizes.iter().sum();
            for _ in 0..students {
                let sex = if rng.chance(MALE_SHARE) {
                    Sex::Male
                } else {
                    Sex::Female
                };
                let birth_jd = if rng.chance(OLDER_SHARE) {
                    older_start + rng.below(older_len as u64) as i32
                } else {
                    start + rng.below(len as u64) as i32
                };
                let id_card = if rng.chance(ID_CARD_SHARE) {
                    self.id_card(rng, birth_jd, sex)
                } else {
                    None
                };
                let temporary_no = if id_card.is_none() {
                    self.l_counter += 1;
                    self.l_counter - 1
                } else {
                    0
                };
                out.push(StudentDraw {
                    birth_jd,
                    sex,
                    id_card,
                    temporary_no,
                    ethnicity: self.ethnicities.sample(rng) as u8,
                    name: draw_name(rng, sex, Generation::Child),
                });
            }
        }
        out
    }

    /// Region and sequence number of a 身份证号 for a child born on Julian day `birth_jd`,
    /// unique in the district; the sequence number's parity is the sex (odd = male). `None`
    /// when every sequence number of that day is taken in every region (only at districts far
    /// bigger than any real one): the child then gets a temporary 学籍号.
    fn id_card(&mut self, rng: &mut Rng, birth_jd: i32, sex: Sex) -> Option<(u8, u16)> {
        let day = (birth_jd - self.base_jd) as usize;
        debug_assert!(day < self.days);
        let male = usize::from(sex == Sex::Male);
        let first = self.regions.sample(rng);
        for k in 0..REGIONS.len() {
            let region = (first + k) % REGIONS.len();
            let slot = (region * self.days + day) * 2 + male;
            let used = self.id_counters[slot];
            if used >= SEQ_PER_KEY {
                continue;
            }
            self.id_counters[slot] = used + 1;
            // A fixed permutation of 0..500 per key, so numbers look scattered, not 001, 003.
            // 37 is coprime to 500, hence the map is a bijection.
            let offset = (slot as u32).wrapping_mul(2_654_435_761) % u32::from(SEQ_PER_KEY);
            let x = (u32::from(used) * 37 + offset) % u32::from(SEQ_PER_KEY);
            return Some((region as u8, (x * 2) as u16 + male as u16));
        }
        None
    }
}

/// Turns the draws of one school into records, appended to `out`. No randomness.
pub(crate) fn build_students(
    school: &SchoolPlan,
    draws: &[StudentDraw],
    district_code: &str,
    school_year: u16,
    out: &mut Vec<NewStudent>,
) {
    let class_names = class_names(school);
    let mut name_buf = String::with_capacity(16);
    let mut draws = draws.iter();
    for g in &school.grades {
        for (c, &size) in g.class_sizes.iter().enumerate() {
            for d in draws.by_ref().take(size as usize) {
                let birth_date =
                    Date::from_julian_day(d.birth_jd).expect("birth dates are in range");
                let id_card_no = d.id_card.map(|(region, seq)| {
                    make_id_card(REGIONS[usize::from(region)].0, birth_date, seq)
                });
                let student_no = match &id_card_no {
                    Some(id) => g_number(id),
                    None => temporary_no(district_code, school_year, d.temporary_no),
                };
                out.push(NewStudent {
                    // The row is set when the sheets are put together.
                    origin: Origin {
                        sheet: SHEET_STUDENTS.to_string(),
                        row: 0,
                    },
                    school_code: school.code.clone(),
                    grade: g.grade,
                    class_name: class_names[c].clone(),
                    student_no,
                    name: d.name.build(&mut name_buf),
                    sex: d.sex,
                    birth_date,
                    id_card_no,
                    ethnicity: Some(
                        EthnicityCode::new(ETHNICITIES[usize::from(d.ethnicity)].0)
                            .expect("valid GB/T 3304 code"),
                    ),
                    former_names: None,
                    status: None,
                    flags: None,
                });
            }
        }
    }
}

/// "L" + 18 digits: district code, school year, and an 8-digit number. The 8 digits are a
/// bijective scramble of the counter (48271 is coprime to 10^8), so they are unique for the
/// first 10^8 children without a 身份证号.
fn temporary_no(district_code: &str, school_year: u16, k: u32) -> StudentNo {
    let x = (u64::from(k) * 48_271 + 7_654_321) % 100_000_000;
    let s = format!("L{district_code}{school_year:04}{x:08}");
    StudentNo::parse(&s).expect("generated 学籍号 are valid")
}

/// "G" + the 身份证号, built on the stack: this runs once per student.
fn g_number(id: &IdCardNo) -> StudentNo {
    let mut b = [b'G'; 19];
    b[1..].copy_from_slice(id.as_str().as_bytes());
    StudentNo::parse(std::str::from_utf8(&b).expect("ASCII")).expect("generated 学籍号 are valid")
}

fn sept1(year: i32) -> Date {
    Date::from_calendar_date(year, Month::September, 1).expect("valid date")
}

fn aug31(year: i32) -> Date {
    Date::from_calendar_date(year, Month::August, 31).expect("valid date")
}

fn make_id_card(region: &str, birth: Date, seq: u16) -> IdCardNo {
    let mut b = [0u8; 18];
    b[..6].copy_from_slice(region.as_bytes());
    let (y, m, d) = birth.to_calendar_date();
    write_digits(&mut b[6..10], y as u32);
    write_digits(&mut b[10..12], u32::from(m as u8));
    write_digits(&mut b[12..14], u32::from(d));
    write_digits(&mut b[14..17], u32::from(seq));
    let first17: &[u8; 17] = b[..17].try_into().expect("17 bytes");
    b[17] = IdCardNo::check_char(first17) as u8;
    let s = std::str::from_utf8(&b).expect("ASCII");
    IdCardNo::parse(s).expect("generated 身份证号 are valid")
}

fn write_digits(out: &mut [u8], mut v: u32) {
    for b in out.iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// "1班", "2班", … up to the largest grade of the school.
fn class_names(school: &SchoolPlan) -> Vec<String> {
    let max = school
        .grades
        .iter()
        .map(|g| g.class_sizes.len())
        .max()
        .unwrap_or(0);
    (1..=max).map(class_name).collect()
}

pub(crate) fn class_name(n: usize) -> String {
    format!("{n}班")
}

/// One teacher's teaching: one subject, some classes with their shares.
#[derive(Debug, Clone)]
struct Load {
    subject: &'static str,
    /// (index into the school's class list, share).
    classes: Vec<(usize, f64)>,
}

/// A teaching unit: one subject for up to three parallel classes of one grade.
#[derive(Debug, Clone)]
struct Unit {
    subject: &'static str,
    classes: Vec<usize>,
}

/// Every subject taught at the school, in order of first appearance.
fn school_subjects(school: &SchoolPlan) -> Vec<&'static str> {
    let mut subjects: Vec<&'static str> = Vec::new();
    for g in &school.grades {
        for &(s, _) in subject_table(g.grade.get()) {
            if !subjects.contains(&s) {
                subjects.push(s);
            }
        }
    }
    subjects
}

/// Teachers of a school: about one per 13 students, and at least one per subject taught.
pub(crate) fn teacher_count(school: &SchoolPlan) -> usize {
    ((school.students() as f64 / STUDENTS_PER_TEACHER).round() as usize)
        .max(school_subjects(school).len())
}

/// An upper bound of the school's assignments: one per class and subject, plus the shared
/// halves (at most two per school).
pub(crate) fn max_assignments(school: &SchoolPlan) -> usize {
    let per_class: usize = school
        .grades
        .iter()
        .map(|g| g.class_sizes.len() * subject_table(g.grade.get()).len())
        .sum();
    per_class + 2
}

/// The teachers and assignments of one school, appended to the outputs (rows are set when
/// the sheets are put together).
pub(crate) fn teachers(
    rng: &mut Rng,
    school: &SchoolPlan,
    teachers_out: &mut Vec<NewTeacher>,
    assignments_out: &mut Vec<NewAssignment>,
) {
    let mut name_buf = String::with_capacity(16);
    // Every class of the school in order (grade, then 1班, 2班, …), with its grade.
    let mut classes: Vec<(Grade, usize)> = Vec::new();
    let mut by_grade: Vec<(u8, Vec<usize>)> = Vec::new();
    for g in &school.grades {
        let mut ids = Vec::new();
        for c in 0..g.class_sizes.len() {
            ids.push(classes.len());
            classes.push((g.grade, c + 1));
        }
        by_grade.push((g.grade.get(), ids));
    }

    let subjects = school_subjects(school);
    let target = teacher_count(school);

    // Preferred group sizes; bigger groups while there are more units than teachers.
    let mut group: HashMap<&'static str, u8> = HashMap::new();
    let mut units = build_units(&by_grade, &group);
    for &(subject, size) in MERGE_STEPS {
        if units.len() <= target {
            break;
        }
        group.insert(subject, size);
        units = build_units(&by_grade, &group);
    }

    let mut loads: Vec<Load> = if units.len() <= target {
        units
            .into_iter()
            .map(|u| Load {
                subject: u.subject,
                classes: u.classes.into_iter().map(|c| (c, 1.0)).collect(),
            })
            .collect()
    } else {
        // Small schools: a teacher takes the same subject in several grades.
        across_grades(units, &subjects, target)
    };

    // Spare teachers: a few share a class with its teacher half and half (shares still sum
    // to 1); the rest teach what is not modelled here (信息, 心理, 综合实践) or hold posts.
    let spare = target - loads.len();
    if spare > 0 && rng.chance(0.6) {
        let n_shared = (rng.range(1, 2) as usize).min(spare);
        for _ in 0..n_shared {
            let l = rng.index(loads.len());
            let open: Vec<usize> = (0..loads[l].classes.len())
                .filter(|&k| loads[l].classes[k].1 == 1.0)
                .collect();
            if open.is_empty() {
                continue;
            }
            let k = *rng.pick(&open);
            loads[l].classes[k].1 = 0.5;
            let class = loads[l].classes[k].0;
            let subject = loads[l].subject;
            loads.push(Load {
                subject,
                classes: vec![(class, 0.5)],
            });
        }
    }
    let mut staff: Vec<Option<Load>> = loads.into_iter().map(Some).collect();
    staff.resize_with(target.max(staff.len()), || None);
    // 工号 in hiring order, not by subject.
    rng.shuffle(&mut staff);

    let female_share = match school.stage {
        Stage::Primary => 0.72,
        Stage::Junior => 0.58,
        _ => 0.65,
    };
    for (k, load) in staff.into_iter().enumerate() {
        let staff_no = format!("T{:04}", k + 1);
        let sex = if rng.chance(female_share) {
            Sex::Female
        } else {
            Sex::Male
        };
        let name: PersonName = person_name(rng, sex, Generation::Adult, &mut name_buf);
        let subject = load.as_ref().map(|l| l.subject.to_string());
        if let Some(load) = load {
            for (c, share) in load.classes {
                let (grade, n) = classes[c];
                assignments_out.push(NewAssignment {
                    origin: Origin {
                        sheet: SHEET_ASSIGNMENTS.to_string(),
                        row: 0,
                    },
                    school_code: school.code.clone(),
                    staff_no: staff_no.clone(),
                    grade,
                    class_name: class_name(n),
                    subject: load.subject.to_string(),
                    share,
                });
            }
        }
        teachers_out.push(NewTeacher {
            origin: Origin {
                sheet: SHEET_TEACHERS.to_string(),
                row: 0,
            },
            school_code: school.code.clone(),
            staff_no,
            name,
            sex: Some(sex),
            subject,
            employment: None,
            birth_year: None,
        });
    }
}

/// Most schools have a 心理健康 teacher (as rosters write the subject): a teacher with no
/// modelled subject teaches it full-time; where every teacher has a class subject, a 道德与法治
/// or 科学 teacher also teaches it (兼职, "道德与法治、心理健康"), as small schools do. Every
/// seventh school has none, so the plan's 配齐 target is not met everywhere. After
/// [`fields`], so its draws stay as they were.
pub(crate) fn psych_teacher(school_index: usize, teachers: &mut [NewTeacher]) {
    if school_index % 7 == 5 {
        return;
    }
    if let Some(t) = teachers.iter_mut().find(|t| t.subject.is_none()) {
        t.subject = Some(PSYCH_SUBJECT.to_string());
        t.employment = Some(wuyu_domain::Employment::FullTime);
    } else if let Some(t) = teachers
        .iter_mut()
        .find(|t| matches!(t.subject.as_deref(), Some("道德与法治" | "科学")))
    {
        let own = t.subject.take().unwrap_or_default();
        t.subject = Some(format!("{own}、{PSYCH_SUBJECT}"));
    }
}

/// The 任教学科 the demo's psychology teachers carry.
pub const PSYCH_SUBJECT: &str = "心理健康";

/// The people fields the plan counts on, drawn from a stream of their own: 专兼职 (music, art
/// and PE are often taught part-time in rural schools), 出生年份, and at most one 辍学 student in
/// the top grade, dated in November of the school year, when `dropouts` allows it.
pub(crate) fn fields(
    rng: &mut Rng,
    school: &SchoolPlan,
    dropouts: bool,
    school_year: u16,
    students: &mut [NewStudent],
    teachers: &mut [NewTeacher],
) {
    let rural = school.location == wuyu_domain::Location::Rural;
    for t in teachers.iter_mut() {
        let part_time_chance = match t.subject.as_deref() {
            Some("音乐" | "美术") if rural => 0.4,
            Some("音乐" | "美术") => 0.1,
            Some("体育") if rural => 0.2,
            Some(_) => 0.03,
            None => 0.0,
        };
        t.employment = t.subject.as_ref().map(|_| {
            if rng.chance(part_time_chance) {
                wuyu_domain::Employment::PartTime
            } else {
                wuyu_domain::Employment::FullTime
            }
        });
        t.birth_year = Some(rng.range(1966, 2001) as i32);
    }
    let top = students.iter().map(|s| s.grade).max();
    if dropouts && top.is_some_and(|g| g.get() >= 7) && rng.chance(0.35) {
        let in_top: Vec<usize> = (0..students.len())
            .filter(|&k| Some(students[k].grade) == top)
            .collect();
        let k = *rng.pick(&in_top);
        let day = rng.range(3, 28) as u8;
        students[k].status = Some(wuyu_domain::StatusChange {
            status: wuyu_domain::StudentStatus::DroppedOut,
            date: Date::from_calendar_date(i32::from(school_year), time::Month::November, day).ok(),
        });
    }
}

/// Units of every grade: each subject's parallel classes split into groups of at most the
/// subject's group size, as even as possible (4 classes in groups of 3 → 2 + 2).
fn build_units(by_grade: &[(u8, Vec<usize>)], group: &HashMap<&'static str, u8>) -> Vec<Unit> {
    let mut units = Vec::new();
    for (g, ids) in by_grade {
        for &(subject, pref) in subject_table(*g) {
            let size = usize::from(*group.get(subject).unwrap_or(&pref));
            let n_units = ids.len().div_ceil(size);
            for u in 0..n_units {
                let lo = u * ids.len() / n_units;
                let hi = (u + 1) * ids.len() / n_units;
                units.push(Unit {
                    subject,
                    classes: ids[lo..hi].to_vec(),
                });
            }
        }
    }
    units
}

/// Exactly `target` loads (target ≥ number of subjects): each subject gets teachers in
/// proportion to its units (at least one) and each of them a run of consecutive units, i.e.
/// neighbouring grades.
fn across_grades(units: Vec<Unit>, subjects: &[&'static str], target: usize) -> Vec<Load> {
    let total = units.len();
    let per_subject: Vec<Vec<Unit>> = subjects
        .iter()
        .map(|s| units.iter().filter(|u| u.subject == *s).cloned().collect())
        .collect();
    let mut n: Vec<usize> = per_subject
        .iter()
        .map(|u| (u.len() * target / total).clamp(1, u.len()))
        .collect();
    // Largest remaining load per teacher gets the next teacher; most teachers gives one up.
    let load = |i: usize, n: &[usize]| per_subject[i].len() as f64 / n[i] as f64;
    while n.iter().sum::<usize>() < target {
        let best = (0..n.len())
            .filter(|&i| n[i] < per_subject[i].len())
            .max_by(|&a, &b| load(a, &n).total_cmp(&load(b, &n)));
        match best {
            Some(i) => n[i] += 1,
            None => break,
        }
    }
    while n.iter().sum::<usize>() > target {
        let worst = (0..n.len())
            .filter(|&i| n[i] > 1)
            .min_by(|&a, &b| load(a, &n).total_cmp(&load(b, &n)));
        match worst {
            Some(i) => n[i] -= 1,
            None => break,
        }
    }
    let mut loads = Vec::with_capacity(target);
    for (units, &k) in per_subject.iter().zip(&n) {
        for t in 0..k {
            let lo = t * units.len() / k;
            let hi = (t + 1) * units.len() / k;
            loads.push(Load {
                subject: units[lo].subject,
                classes: units[lo..hi]
                    .iter()
                    .flat_map(|u| u.classes.iter().map(|&c| (c, 1.0)))
                    .collect(),
            });
        }
    }
    loads
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn id_card_digits_and_check_char() {
        let id = make_id_card("330199", date!(2016 - 03 - 09), 37);
        assert_eq!(&id.as_str()[..17], "33019920160309037");
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(id.birth_date().unwrap(), date!(2016 - 03 - 09));
    }

    #[test]
    fn sequence_numbers_of_a_day_are_all_distinct() {
        let mut p = StudentDrawer::new(2024);
        let mut rng = Rng::new(1);
        let mut seen = std::collections::HashSet::new();
        let birth = date!(2016 - 03 - 09);
        // Far more children born on one day than 15 regions × 500 numbers can hold.
        let mut none = 0;
        for _ in 0..8000 {
            match p.id_card(&mut rng, birth.to_julian_day(), Sex::Female) {
                Some((region, seq)) => {
                    let id = make_id_card(REGIONS[usize::from(region)].0, birth, seq);
                    assert_eq!(id.sex(), Sex::Female);
                    assert!(seen.insert(id.as_str().to_string()));
                }
                None => none += 1,
            }
        }
        assert_eq!(seen.len(), REGIONS.len() * 500);
        assert_eq!(none, 8000 - seen.len());
    }

    #[test]
    fn temporary_numbers_are_l_and_18_digits() {
        let a = temporary_no("330199", 2024, 0);
        let b = temporary_no("330199", 2024, 1);
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 19);
        assert!(a.as_str().starts_with("L3301992024"));
    }

    #[test]
    fn units_split_parallel_classes_evenly() {
        let by_grade = vec![(7u8, vec![0, 1, 2, 3])];
        let mut group = HashMap::new();
        group.insert("体育", 3);
        let units = build_units(&by_grade, &group);
        let pe: Vec<_> = units.iter().filter(|u| u.subject == "体育").collect();
        assert_eq!(pe.len(), 2);
        assert_eq!(pe[0].classes, vec![0, 1]);
        assert_eq!(pe[1].classes, vec![2, 3]);
    }
}
