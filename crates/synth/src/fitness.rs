//! Synthetic fitness and health results: several terms per student, plausible for age and sex.
//!
//! * **Items** are drawn against the standard's own tables: for each item, grade and sex the
//!   results that score 60 (及格) and 80 (良好) are looked up once with
//!   [`wuyu_standards::item_score`], and a student's result is placed on that scale,
//!   `v60 + (v80 − v60) · x`, with `x` = a fixed ability of the student + the school's level
//!   and trend + noise per item and term. So every grade and sex gets the same spread of scores,
//!   whatever the units.
//! * About 2 % of students miss a term's test (no record), about 3 % of records miss one
//!   required item (INCOMPLETE).
//! * **Height** by age and sex (a fixed percentile per student, so a few fall under the WS/T 456
//!   stunting line); **BMI** log-normal around an age/sex median with a heavy fifth, so 15–20 %
//!   are overweight or obese by WS/T 586 and a few are thin.
//! * **Vision**: each student has a fixed propensity; screening myopia rises from ≈ 10 % in
//!   grade 1 to ≈ 70 % in grade 9 (and stays myopic once myopic); a few records show reduced
//!   acuity without myopia; ≈ 3 % have no screening.
//! * **Trend**: every school has a level and a per-term trend ([`school_trend`]), some
//!   improving, some declining, so trends have something to show.
//!
//! Deterministic: the same district, seed and terms give the same batch. Each student draws
//! from their own stream, each school's level and trend from its own.
use std::collections::HashMap;

use time::{Date, Month};
use wuyu_domain::{
    FitnessBatch, FitnessMeasures, Grade, NewFitnessRecord, Origin, Sex, Term, TermPart,
};
use wuyu_standards::{FitnessGrade, FitnessItem, applies, item_score};

use crate::SynthDistrict;
use crate::rng::Rng;

/// A school's trend is uniform in ±this many "ability units" per term (1 unit is the distance
/// between the 及格 and 良好 results of an item).
pub const SCHOOL_TREND_SPREAD: f64 = 0.15;

const MISSING_TEST: f64 = 0.02;
const INCOMPLETE: f64 = 0.03;
const NO_VISION: f64 = 0.03;

/// Streams: students from 0, schools from this offset.
const SCHOOL_STREAMS: u64 = 1 << 40;

/// The per-term trend of school number `school` (its index in the roster's school list): the
/// change of its students' mean ability per term.
pub fn school_trend(seed: u64, school: usize) -> f64 {
    school_effects(seed, school).1
}

/// (level, trend) of a school.
fn school_effects(seed: u64, school: usize) -> (f64, f64) {
    let mut r = Rng::stream(seed, SCHOOL_STREAMS + school as u64);
    let level = 0.25 * normal(&mut r);
    let trend = (2.0 * r.f64() - 1.0) * SCHOOL_TREND_SPREAD;
    (level, trend)
}

/// Standard normal by Box–Muller (one of the pair; simple and deterministic).
fn normal(r: &mut Rng) -> f64 {
    let u1 = 1.0 - r.f64(); // (0, 1]
    let u2 = r.f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

const MEASURED: [FitnessItem; 10] = [
    FitnessItem::VitalCapacity,
    FitnessItem::Run50m,
    FitnessItem::SitAndReach,
    FitnessItem::RopeSkip1min,
    FitnessItem::SitUp1min,
    FitnessItem::Shuttle50x8,
    FitnessItem::StandingLongJump,
    FitnessItem::PullUp,
    FitnessItem::Run1000m,
    FitnessItem::Run800m,
];

/// Search range and rounding step of each measured item.
fn item_range(item: FitnessItem) -> (f64, f64, f64) {
    match item {
        FitnessItem::VitalCapacity => (100.0, 9000.0, 1.0),
        FitnessItem::Run50m => (5.0, 25.0, 0.1),
        FitnessItem::SitAndReach => (-30.0, 40.0, 0.1),
        FitnessItem::RopeSkip1min => (0.0, 260.0, 1.0),
        FitnessItem::SitUp1min => (0.0, 90.0, 1.0),
        FitnessItem::Shuttle50x8 => (60.0, 260.0, 0.1),
        FitnessItem::StandingLongJump => (40.0, 330.0, 1.0),
        FitnessItem::PullUp => (0.0, 35.0, 1.0),
        FitnessItem::Run1000m | FitnessItem::Run800m => (140.0, 600.0, 1.0),
        FitnessItem::Bmi => (10.0, 40.0, 0.1),
    }
}

/// The result at the edge of scoring `target`: the smallest (bigger is better) or largest
/// (smaller is better) value that scores at least `target`.
fn threshold(item: FitnessItem, grade: FitnessGrade, sex: Sex, target: u8) -> f64 {
    let (lo, hi, step) = item_range(item);
    let lower_better = item.direction() == wuyu_standards::Direction::Lower;
    let ok = |v: f64| {
        let v = (v / step).round() * step;
        item_score(item, grade, sex, v).is_ok_and(|s| s.score >= target)
    };
    // Bisection on a monotone predicate: `bad` fails, `good` passes.
    let (mut bad, mut good) = if lower_better { (hi, lo) } else { (lo, hi) };
    if ok(bad) {
        return bad;
    }
    if !ok(good) {
        return good;
    }
    for _ in 0..60 {
        let mid = (bad + good) / 2.0;
        if ok(mid) {
            good = mid;
        } else {
            bad = mid;
        }
    }
    good
}

/// For every (grade 1–12, sex, measured item) the grade and sex take: (v60, v80).
struct Calibration {
    cells: HashMap<(u8, Sex, FitnessItem), (f64, f64)>,
}

impl Calibration {
    fn new() -> Self {
        let mut cells = HashMap::new();
        for g in 1..=12u8 {
            let fg = FitnessGrade::school(g).expect("school grade");
            for sex in [Sex::Male, Sex::Female] {
                for item in MEASURED {
                    if applies(item, fg, sex) {
                        let v60 = threshold(item, fg, sex, 60);
                        let v80 = threshold(item, fg, sex, 80);
                        cells.insert((g, sex, item), (v60, v80));
                    }
                }
            }
        }
        Self { cells }
    }
}

/// Piecewise-linear in age over whole years 6..=18.
fn by_age(table: &[f64; 13], age: f64) -> f64 {
    let a = age.clamp(6.0, 18.0) - 6.0;
    let i = (a.floor() as usize).min(11);
    let f = a - i as f64;
    table[i] + (table[i + 1] - table[i]) * f
}

const HEIGHT_M: [f64; 13] = [
    119.0, 125.0, 130.5, 135.5, 140.5, 145.5, 152.0, 159.5, 165.5, 169.0, 171.0, 172.0, 172.5,
];
const HEIGHT_F: [f64; 13] = [
    118.0, 124.0, 129.5, 134.5, 140.5, 146.5, 152.0, 156.0, 158.0, 159.0, 159.5, 160.0, 160.0,
];
const BMI_M: [f64; 13] = [
    15.3, 15.5, 15.9, 16.4, 16.9, 17.5, 18.1, 18.7, 19.3, 19.8, 20.3, 20.7, 21.0,
];
const BMI_F: [f64; 13] = [
    15.0, 15.2, 15.5, 16.0, 16.5, 17.1, 17.7, 18.4, 19.0, 19.5, 19.9, 20.2, 20.4,
];

fn round_to(v: f64, step: f64) -> f64 {
    let r = (v / step).round() * step;
    // Clean decimal (e.g. 9.700000000000001 → 9.7) so stored values look as typed.
    (r * 10.0).round() / 10.0
}

/// Age in years, close enough for drawing heights.
fn age_at(birth: Date, test: Date) -> f64 {
    (test - birth).whole_days() as f64 / 365.25
}

/// Test date of a term: autumn in October, spring in April of the next calendar year.
fn test_date(term: Term, day: u8) -> Date {
    let (year, month) = match term.part {
        TermPart::Autumn => (i32::from(term.school_year), Month::October),
        TermPart::Spring => (i32::from(term.school_year) + 1, Month::April),
    };
    Date::from_calendar_date(year, month, day).expect("days 5..=28 exist in every month")
}

/// Several terms of fitness and vision results for the district's students.
///
/// The roster's grades are those of `district.school_year`; a term of an earlier 学年 gives
/// the grade the student was in then (students not yet at school get no record), and terms of
/// later years are skipped (no one is tested in a grade they have not reached). Records give
/// their grade and sex, as a school's file would. Origins are
/// numbered from 2 in generation order, no sheet name (as a CSV).
pub fn generate_fitness(district: &SynthDistrict, seed: u64, terms: &[Term]) -> FitnessBatch {
    let cal = Calibration::new();
    let mut terms: Vec<Term> = terms.to_vec();
    terms.sort();
    terms.dedup();
    let schools: HashMap<&str, usize> = district
        .batch
        .schools
        .iter()
        .enumerate()
        .map(|(i, s)| (s.code.as_str(), i))
        .collect();
    let effects: Vec<(f64, f64)> = (0..district.batch.schools.len())
        .map(|i| school_effects(seed, i))
        .collect();
    // Each school tests on its own day of the month.
    let days: Vec<u8> = (0..district.batch.schools.len())
        .map(|i| 5 + (Rng::stream(seed, SCHOOL_STREAMS * 2 + i as u64).below(20) as u8))
        .collect();

    let mut records = Vec::with_capacity(district.batch.students.len() * terms.len());
    let mut row = 1u32;
    for (n, st) in district.batch.students.iter().enumerate() {
        let school = schools
            .get(st.school_code.as_str())
            .copied()
            .unwrap_or_default();
        let (level, trend) = effects.get(school).copied().unwrap_or((0.0, 0.0));
        let mut r = Rng::stream(seed, n as u64);
        let ability = 0.45 * normal(&mut r);
        let height_z = normal(&mut r);
        let heavy = r.chance(0.13);
        let bmi_z = normal(&mut r);
        let myopia_u = r.f64();
        let sex = st.sex;
        for (k, &term) in terms.iter().enumerate() {
            let behind = i32::from(district.school_year) - i32::from(term.school_year);
            let g = i32::from(st.grade.get()) - behind;
            if behind < 0 || !(1..=12).contains(&g) {
                continue;
            }
            let g = g as u8;
            if r.chance(MISSING_TEST) {
                continue;
            }
            let date = test_date(term, days[school.min(days.len() - 1)]);
            let age = age_at(st.birth_date, date);
            let mut m = FitnessMeasures::default();

            // Height and weight.
            let (ht, bt) = match sex {
                Sex::Male => (&HEIGHT_M, &BMI_M),
                Sex::Female => (&HEIGHT_F, &BMI_F),
            };
            let h_sd = if age > 11.0 && age < 15.0 { 7.0 } else { 5.5 };
            let height = by_age(ht, age) + h_sd * height_z + 0.4 * normal(&mut r);
            let log_bmi = if heavy {
                0.27 + 0.10 * bmi_z.abs()
            } else {
                0.085 * bmi_z
            } + 0.02 * normal(&mut r);
            let bmi = by_age(bt, age) * log_bmi.exp();
            let h_m = height / 100.0;
            m.height_cm = Some(round_to(height, 0.1));
            m.weight_kg = Some(round_to(bmi * h_m * h_m, 0.1));

            // Items on the standard's own scale.
            let x_mean = 1.05 + ability + level + trend * k as f64;
            for item in MEASURED {
                let Some(&(v60, v80)) = cal.cells.get(&(g, sex, item)) else {
                    continue;
                };
                let x = x_mean + 0.55 * normal(&mut r);
                let (lo, hi, step) = item_range(item);
                let v = round_to((v60 + (v80 - v60) * x).clamp(lo, hi), step);
                set_item(&mut m, item, v);
            }
            if r.chance(INCOMPLETE) {
                let taken: Vec<FitnessItem> = MEASURED
                    .into_iter()
                    .filter(|i| cal.cells.contains_key(&(g, sex, *i)))
                    .collect();
                if !taken.is_empty() {
                    let drop = taken[r.index(taken.len())];
                    set_item(&mut m, drop, f64::NAN);
                }
            }

            // Vision.
            if !r.chance(NO_VISION) {
                let p = (0.10 + 0.075 * f64::from(g - 1)).min(0.85);
                let (al, mut ar, sl, mut sr);
                if myopia_u < p {
                    // Myopic: the further below the line, the longer and the worse.
                    let depth = (p - myopia_u) / p;
                    let se = -(0.75 + 4.0 * depth + 0.5 * r.f64());
                    let acuity = (4.8 - 0.9 * depth - 0.1 * r.f64()).max(3.6);
                    (sl, sr) = (se, se + 0.25 * (r.below(3) as f64 - 1.0));
                    (al, ar) = (acuity, acuity + 0.1 * r.below(2) as f64);
                    if r.chance(0.3) {
                        // One eye only.
                        (ar, sr) = (5.0, 0.0);
                    }
                } else if r.chance(0.06) {
                    // Reduced acuity without myopia (hyperopia, astigmatism).
                    (al, ar) = (4.8 + 0.1 * r.below(2) as f64, 5.0);
                    (sl, sr) = (0.5 + 0.25 * r.below(3) as f64, 0.25);
                } else {
                    (al, ar) = (5.0 + 0.1 * r.below(3) as f64, 5.0 + 0.1 * r.below(3) as f64);
                    (sl, sr) = (
                        -0.25 + 0.25 * r.below(4) as f64,
                        -0.25 + 0.25 * r.below(4) as f64,
                    );
                }
                m.acuity_left = Some(round_to(al.min(5.3), 0.1));
                m.acuity_right = Some(round_to(ar.min(5.3), 0.1));
                m.se_left = Some((sl * 8.0).round() / 8.0);
                m.se_right = Some((sr * 8.0).round() / 8.0);
            }

            row += 1;
            records.push(NewFitnessRecord {
                origin: Origin {
                    sheet: String::new(),
                    row,
                },
                student_no: st.student_no.clone(),
                term,
                test_date: date,
                grade: Grade::new(g).ok(),
                sex: Some(sex),
                measures: m,
            });
        }
    }
    FitnessBatch { records }
}

/// Sets an item's result; NaN clears it (not tested).
fn set_item(m: &mut FitnessMeasures, item: FitnessItem, v: f64) {
    let v = (!v.is_nan()).then_some(v);
    let slot = match item {
        FitnessItem::VitalCapacity => &mut m.vital_capacity,
        FitnessItem::Run50m => &mut m.run_50m,
        FitnessItem::SitAndReach => &mut m.sit_and_reach,
        FitnessItem::RopeSkip1min => &mut m.rope_skip_1min,
        FitnessItem::SitUp1min => &mut m.sit_up_1min,
        FitnessItem::Shuttle50x8 => &mut m.shuttle_50x8,
        FitnessItem::StandingLongJump => &mut m.standing_long_jump,
        FitnessItem::PullUp => &mut m.pull_up,
        FitnessItem::Run1000m => &mut m.run_1000m,
        FitnessItem::Run800m => &mut m.run_800m,
        FitnessItem::Bmi => return,
    };
    *slot = v;
}
