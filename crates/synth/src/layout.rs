//! The shape of the district: how many schools, of which stage and location, how many classes
//! of which size, what they are called and which 教育集团 they belong to. No people yet.
use std::collections::HashSet;

use wuyu_domain::{Grade, Location, SchoolCode, Stage};

use crate::names::{self, URBAN_AREAS, URBAN_NAMED, zh_number};
use crate::rng::{Rng, Weighted};
use crate::{RURAL_CLASS_SIZE, STUDENTS_PER_SCHOOL, URBAN_CLASS_SIZE};

/// One school as planned: everything but its people.
#[derive(Debug, Clone)]
pub(crate) struct SchoolPlan {
    pub code: SchoolCode,
    pub name: String,
    pub stage: Stage,
    pub location: Location,
    pub group: Option<String>,
    /// Grades in ascending order, each with the sizes of its classes "1班", "2班", ….
    pub grades: Vec<GradePlan>,
}

#[derive(Debug, Clone)]
pub(crate) struct GradePlan {
    pub grade: Grade,
    pub class_sizes: Vec<u32>,
}

impl SchoolPlan {
    pub fn class_count(&self) -> usize {
        self.grades.iter().map(|g| g.class_sizes.len()).sum()
    }

    pub fn students(&self) -> u64 {
        self.grades
            .iter()
            .flat_map(|g| &g.class_sizes)
            .map(|&n| u64::from(n))
            .sum()
    }
}

/// The class-size range of a school's location (urban classes are bigger).
pub(crate) fn class_size_range(location: Location) -> (u32, u32) {
    let r = match location {
        Location::Urban => URBAN_CLASS_SIZE,
        Location::Rural => RURAL_CLASS_SIZE,
    };
    (*r.start(), *r.end())
}

/// Working record while the plan is built.
struct Draft {
    stage: Stage,
    location: Location,
    /// Typical classes per grade.
    classes: u32,
    /// Index 0: the school the demo accounts use.
    demo: bool,
}

/// Plans the schools of a district of `students` students. School 0 is always an urban
/// primary school with at least three classes in every grade: the demo accounts use it.
pub(crate) fn plan(seed: u64, students: usize, district_code: &str) -> Vec<SchoolPlan> {
    let mut rng = Rng::stream(seed, 0);
    let n_schools = ((students as f64 / STUDENTS_PER_SCHOOL as f64).round() as usize).max(3);

    let drafts = draft_schools(&mut rng, n_schools);
    let classes = scale_classes(&drafts, students);
    let mut grades = class_sizes(&mut rng, &drafts, &classes);
    fit_total(&mut rng, &drafts, &mut grades, students as u64);
    let names = school_names(&mut rng, &drafts, &classes);
    let groups = school_groups(&mut rng, &drafts, &names);

    drafts
        .iter()
        .zip(grades)
        .zip(names)
        .zip(groups)
        .enumerate()
        .map(|(i, (((d, grades), name), group))| SchoolPlan {
            code: school_code(district_code, i, n_schools),
            name,
            stage: d.stage,
            location: d.location,
            group,
            grades,
        })
        .collect()
}

/// 10-digit codes: the district code and a 4-digit serial, or (beyond 9,999 schools) "33"
/// and an 8-digit serial. Unique by construction.
fn school_code(district_code: &str, i: usize, n: usize) -> SchoolCode {
    let s = if n <= 9_999 {
        format!("{district_code}{:04}", i + 1)
    } else {
        format!("33{:08}", i + 1)
    };
    SchoolCode::parse(&s).expect("generated school codes are valid")
}

fn draft_schools(rng: &mut Rng, n: usize) -> Vec<Draft> {
    // Stage mix ≈ 55 % primary, 25 % junior, 20 % nine-year; the demo school is primary.
    let n_primary = ((n as f64 * 0.55).round() as usize).clamp(1, n);
    let n_junior = ((n as f64 * 0.25).round() as usize).min(n - n_primary);
    let mut stages: Vec<Stage> = std::iter::repeat_n(Stage::Primary, n_primary)
        .chain(std::iter::repeat_n(Stage::Junior, n_junior))
        .chain(std::iter::repeat_n(
            Stage::NineYear,
            n - n_primary - n_junior,
        ))
        .collect();
    rng.shuffle(&mut stages[1..]);

    // ≈ 55 % of the schools are urban (they hold far more than 55 % of the students).
    let n_urban = ((n as f64 * 0.55).round() as usize).clamp(1, n);
    let mut locations: Vec<Location> = std::iter::repeat_n(Location::Urban, n_urban)
        .chain(std::iter::repeat_n(Location::Rural, n - n_urban))
        .collect();
    rng.shuffle(&mut locations[1..]);

    stages
        .into_iter()
        .zip(locations)
        .enumerate()
        .map(|(i, (stage, location))| {
            let demo = i == 0;
            let classes = if demo {
                rng.range(5, 7)
            } else {
                typical_classes(rng, stage, location)
            };
            Draft {
                stage,
                location,
                classes,
                demo,
            }
        })
        .collect()
}

/// Classes per grade before scaling. Calibrated so that the mean school has ≈ 830 students:
/// big urban schools, rural central schools of 2–3 classes a grade, and many rural village
/// schools with one class per grade.
fn typical_classes(rng: &mut Rng, stage: Stage, location: Location) -> u32 {
    match (location, stage) {
        (Location::Urban, Stage::Primary) => rng.range(3, 7),
        (Location::Urban, Stage::Junior) => rng.range(4, 9),
        (Location::Urban, _) => rng.range(2, 5),
        (Location::Rural, Stage::Primary) => {
            if rng.chance(0.45) {
                1
            } else {
                rng.range(2, 3)
            }
        }
        (Location::Rural, Stage::Junior) => rng.range(2, 5),
        (Location::Rural, _) => rng.range(1, 3),
    }
}

fn mean_size(location: Location) -> f64 {
    let (lo, hi) = class_size_range(location);
    f64::from(lo + hi) / 2.0
}

/// Scales the class counts of the multi-class schools so the expected total is `students`;
/// one-class village schools stay as they are (they do not grow with the district).
fn scale_classes(drafts: &[Draft], students: usize) -> Vec<u32> {
    let expected =
        |d: &Draft| d.stage.grades().count() as f64 * f64::from(d.classes) * mean_size(d.location);
    let fixed: f64 = drafts
        .iter()
        .filter(|d| d.classes == 1 && !d.demo)
        .map(expected)
        .sum();
    let scalable: f64 = drafts
        .iter()
        .filter(|d| d.classes > 1 || d.demo)
        .map(expected)
        .sum();
    let f = ((students as f64 - fixed) / scalable).clamp(0.01, 50.0);
    drafts
        .iter()
        .map(|d| {
            if d.classes == 1 && !d.demo {
                1
            } else {
                let c = (f64::from(d.classes) * f).round() as u32;
                c.clamp(if d.demo { 4 } else { 1 }, 24)
            }
        })
        .collect()
}

/// Classes per grade (± 1 around the school's typical count) and a size for every class.
fn class_sizes(rng: &mut Rng, drafts: &[Draft], classes: &[u32]) -> Vec<Vec<GradePlan>> {
    drafts
        .iter()
        .zip(classes)
        .map(|(d, &c)| {
            let (lo, hi) = class_size_range(d.location);
            // Parallel classes of a school are about the same size.
            let typical = rng.range(lo + 2, hi - 2);
            d.stage
                .grades()
                .map(|g| {
                    let mut k = c;
                    if c >= 3 {
                        k = match rng.below(4) {
                            0 => c - 1,
                            3 => c + 1,
                            _ => c,
                        };
                    }
                    if d.demo {
                        k = k.max(3);
                    }
                    let class_sizes = (0..k)
                        .map(|_| (typical + rng.range(0, 4)).saturating_sub(2).clamp(lo, hi))
                        .collect();
                    GradePlan {
                        grade: Grade::new(g).expect("stage grades are valid"),
                        class_sizes,
                    }
                })
                .collect()
        })
        .collect()
}

/// Moves class sizes by one student at a time, spread evenly over the district and always
/// within the size ranges, until the total is `target`. When every class is at its smallest and
/// the total is still too large (few schools, rounded-up class counts), a class is dropped from
/// the grade with the most classes and the sizes are fitted again; when every class is at its
/// largest and students are still missing (rounded-down class counts), a class is added to the
/// grade with the fewest.
fn fit_total(rng: &mut Rng, drafts: &[Draft], grades: &mut [Vec<GradePlan>], target: u64) {
    loop {
        let diff = fit_sizes(rng, drafts, grades, target);
        let changed = match diff.cmp(&0) {
            std::cmp::Ordering::Equal => false,
            std::cmp::Ordering::Less => drop_a_class(drafts, grades),
            std::cmp::Ordering::Greater => add_a_class(drafts, grades),
        };
        if !changed {
            return;
        }
    }
}

/// Adds a class of the smallest size to the grade with the fewest classes among the schools
/// that have parallel classes (a one-class village school stays one class), up to 24 per
/// grade. False when no grade can take one.
fn add_a_class(drafts: &[Draft], grades: &mut [Vec<GradePlan>]) -> bool {
    let mut best: Option<(usize, usize, usize)> = None;
    for (s, school) in grades.iter().enumerate() {
        if drafts[s].classes == 1 && !drafts[s].demo {
            continue;
        }
        for (g, grade) in school.iter().enumerate() {
            let n = grade.class_sizes.len();
            if n < 24 && best.is_none_or(|(_, _, m)| n < m) {
                best = Some((s, g, n));
            }
        }
    }
    match best {
        Some((s, g, _)) => {
            let (lo, _) = class_size_range(drafts[s].location);
            grades[s][g].class_sizes.push(lo);
            true
        }
        None => false,
    }
}

/// One pass of [`fit_total`] over today's classes: what is still missing (target − total;
/// negative when every class is at its smallest and the total is still too large).
fn fit_sizes(rng: &mut Rng, drafts: &[Draft], grades: &mut [Vec<GradePlan>], target: u64) -> i64 {
    // (school, grade, class) of every class, to address them by one index.
    let mut slots = Vec::new();
    for (s, school) in grades.iter().enumerate() {
        for (g, grade) in school.iter().enumerate() {
            for c in 0..grade.class_sizes.len() {
                slots.push((s, g, c));
            }
        }
    }
    let k = slots.len();
    let total: u64 = grades
        .iter()
        .flatten()
        .flat_map(|g| &g.class_sizes)
        .map(|&n| u64::from(n))
        .sum();
    let mut diff = target as i64 - total as i64;
    if k == 0 {
        return diff;
    }
    let mut offset = rng.index(k);
    let step = |idx: usize, up: bool, grades: &mut [Vec<GradePlan>]| -> bool {
        let (s, g, c) = slots[idx];
        let (lo, hi) = class_size_range(drafts[s].location);
        let size = &mut grades[s][g].class_sizes[c];
        if up && *size < hi {
            *size += 1;
            true
        } else if !up && *size > lo {
            *size -= 1;
            true
        } else {
            false
        }
    };
    while diff != 0 {
        let up = diff > 0;
        let need = (diff.unsigned_abs() as usize).min(k);
        let mut moved = 0i64;
        for j in 0..need {
            if step((offset + j * k / need) % k, up, grades) {
                moved += 1;
            }
        }
        if moved == 0 {
            // The evenly spread classes are all at their limit: sweep every class once.
            for idx in 0..k {
                if moved == diff.abs() {
                    break;
                }
                if step(idx, up, grades) {
                    moved += 1;
                }
            }
            if moved == 0 {
                return diff;
            }
        }
        diff -= if up { moved } else { -moved };
        offset = (offset + 1) % k;
    }
    0
}

/// Drops the last class of the grade with the most classes (keeping one per grade, and the
/// demo school's three). False when no class can go.
fn drop_a_class(drafts: &[Draft], grades: &mut [Vec<GradePlan>]) -> bool {
    let mut best: Option<(usize, usize, usize)> = None;
    for (s, school) in grades.iter().enumerate() {
        let keep = if drafts[s].demo { 3 } else { 1 };
        for (g, grade) in school.iter().enumerate() {
            let n = grade.class_sizes.len();
            if n > keep && best.is_none_or(|(_, _, m)| n > m) {
                best = Some((s, g, n));
            }
        }
    }
    match best {
        Some((s, g, _)) => {
            grades[s][g].class_sizes.pop();
            true
        }
        None => false,
    }
}

/// Unique Chinese names: urban schools by well-known names and numbered 城关第一小学-style
/// names, rural schools by their town (镇/乡) and village.
fn school_names(rng: &mut Rng, drafts: &[Draft], classes: &[u32]) -> Vec<String> {
    let mut used: HashSet<String> = HashSet::new();
    let mut names = vec![String::new(); drafts.len()];
    let mut place_used: HashSet<String> = HashSet::new();

    // Urban.
    let area_weights = Weighted::new((0..URBAN_AREAS.len()).map(|i| {
        if i == 0 {
            6
        } else if i < 5 {
            4
        } else {
            2
        }
    }));
    // Numbering per area and stage: 城东第一小学 and 城东中学 may both exist.
    let mut area_counter = vec![[0u32; 3]; URBAN_AREAS.len()];
    let mut junior_counter = 0u32;
    let mut first_of_stage = [true; 3];
    for (i, d) in drafts.iter().enumerate() {
        if d.location != Location::Urban {
            continue;
        }
        let (suffix, slot) = match d.stage {
            Stage::Primary => ("小学", 0),
            Stage::Junior => ("中学", 1),
            _ => ("学校", 2),
        };
        // The first urban school of each stage is the district's 实验 school.
        if std::mem::replace(&mut first_of_stage[slot], false) {
            let n = format!("实验{suffix}");
            if used.insert(n.clone()) {
                names[i] = n;
                continue;
            }
        }
        if rng.chance(0.45) {
            let n = match d.stage {
                Stage::Primary | Stage::Junior => format!("{}{suffix}", rng.pick(URBAN_NAMED)),
                _ => {
                    let kind = *rng.pick(&["九年一贯制学校", "学校", "实验学校"]);
                    format!("{}{kind}", rng.pick(URBAN_NAMED))
                }
            };
            if used.insert(n.clone()) {
                names[i] = n;
                continue;
            }
        }
        // Numbered names never run out: the counters only grow.
        loop {
            let n = match d.stage {
                Stage::Junior if rng.chance(0.5) => {
                    junior_counter += 1;
                    format!("第{}中学", zh_number(junior_counter))
                }
                _ => {
                    let a = area_weights.sample(rng);
                    area_counter[a][slot] += 1;
                    let k = area_counter[a][slot];
                    match (d.stage, k) {
                        // 城东中学, 城东学校; the second one is 城东第二中学.
                        (Stage::Junior | Stage::NineYear, 1) => {
                            format!("{}{suffix}", URBAN_AREAS[a])
                        }
                        _ => format!("{}第{}{suffix}", URBAN_AREAS[a], zh_number(k)),
                    }
                }
            };
            if used.insert(n.clone()) {
                names[i] = n;
                break;
            }
        }
    }

    // Rural: about 3–4 schools per town; the biggest primary of a town is its 中心小学.
    let rural: Vec<usize> = (0..drafts.len())
        .filter(|&i| drafts[i].location == Location::Rural)
        .collect();
    let n_towns = rural.len().div_ceil(4).max(1);
    let mut towns: Vec<String> = Vec::new();
    for _ in 0..n_towns {
        match names::place_name(rng, &mut place_used) {
            Some(t) => {
                let kind = if rng.chance(0.75) { "镇" } else { "乡" };
                towns.push(format!("{t}{kind}"));
            }
            None => break,
        }
    }
    if towns.is_empty() {
        towns.push("城郊镇".to_string());
    }
    let mut by_town: Vec<Vec<usize>> = vec![Vec::new(); towns.len()];
    for (k, &i) in rural.iter().enumerate() {
        by_town[k % towns.len()].push(i);
    }
    for (town, members) in towns.iter().zip(by_town) {
        let mut primaries: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| drafts[i].stage == Stage::Primary)
            .collect();
        primaries.sort_by_key(|&i| std::cmp::Reverse(classes[i]));
        let mut junior_n = 0u32;
        let mut nine_n = 0u32;
        for &i in &members {
            let preferred = match drafts[i].stage {
                Stage::Primary if primaries.first() == Some(&i) => format!("{town}中心小学"),
                Stage::Primary => village_school(rng, &mut place_used, town, "小学"),
                Stage::Junior => {
                    junior_n += 1;
                    if junior_n == 1 {
                        format!("{town}中学")
                    } else {
                        format!("{town}第{}中学", zh_number(junior_n))
                    }
                }
                _ => {
                    nine_n += 1;
                    if nine_n == 1 {
                        format!("{town}中心学校")
                    } else {
                        village_school(rng, &mut place_used, town, "学校")
                    }
                }
            };
            let mut n = preferred;
            let mut k = 1;
            while !used.insert(n.clone()) {
                k += 1;
                n = format!("{town}第{}学校", zh_number(k));
            }
            names[i] = n;
        }
    }
    names
}

fn village_school(
    rng: &mut Rng,
    place_used: &mut HashSet<String>,
    town: &str,
    suffix: &str,
) -> String {
    match names::place_name(rng, place_used) {
        Some(v) => format!("{town}{v}{suffix}"),
        // Out of village names: the caller numbers the school instead.
        None => format!("{town}{suffix}"),
    }
}

/// A few 教育集团 of 3–5 schools: each led by an urban school (the demo school leads the
/// first), with members of a compatible stage, town and country mixed as 集团化办学 intends.
fn school_groups(rng: &mut Rng, drafts: &[Draft], names: &[String]) -> Vec<Option<String>> {
    let n = drafts.len();
    let mut group: Vec<Option<String>> = vec![None; n];
    let n_groups = (n / 15).max(1);
    let mut leads: Vec<usize> = vec![0];
    let mut urban: Vec<usize> = (1..n)
        .filter(|&i| drafts[i].location == Location::Urban)
        .collect();
    rng.shuffle(&mut urban);
    leads.extend(urban.into_iter().take(n_groups - 1));
    let is_lead: HashSet<usize> = leads.iter().copied().collect();

    let mut candidates: Vec<usize> = (1..n).filter(|i| !is_lead.contains(i)).collect();
    rng.shuffle(&mut candidates);
    let compatible = |lead: Stage, member: Stage| match lead {
        Stage::Primary => matches!(member, Stage::Primary | Stage::NineYear),
        Stage::Junior => matches!(member, Stage::Junior | Stage::NineYear),
        _ => true,
    };
    for &lead in &leads {
        let name = format!("{}教育集团", names[lead]);
        group[lead] = Some(name.clone());
        let want = rng.range(2, 4) as usize;
        let mut members = Vec::new();
        for strict in [true, false] {
            for &c in &candidates {
                if members.len() == want {
                    break;
                }
                if group[c].is_none()
                    && !members.contains(&c)
                    && (!strict || compatible(drafts[lead].stage, drafts[c].stage))
                {
                    members.push(c);
                }
            }
        }
        for m in members {
            group[m] = Some(name.clone());
        }
    }
    group
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_districts_still_have_a_demo_school_and_a_group() {
        let p = plan(1, 100, "330199");
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].stage, Stage::Primary);
        assert_eq!(p[0].location, Location::Urban);
        assert!(p[0].grades.iter().all(|g| g.class_sizes.len() >= 3));
        assert!(p[0].group.is_some());
    }

    #[test]
    fn a_million_students_make_about_1200_schools() {
        let p = plan(20240901, 1_000_000, "330199");
        assert!((1150..=1250).contains(&p.len()), "{}", p.len());
        let total: u64 = p.iter().map(SchoolPlan::students).sum();
        assert_eq!(total, 1_000_000);
        let names: HashSet<&str> = p.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names.len(), p.len());
    }

    #[test]
    fn totals_fit_the_request_when_the_ranges_allow() {
        for n in [5_000, 20_000, 50_000, 123_456] {
            let p = plan(9, n, "330199");
            let total: u64 = p.iter().map(SchoolPlan::students).sum();
            assert_eq!(total, n as u64, "{n}");
        }
    }
}
