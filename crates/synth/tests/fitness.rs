//! The synthetic fitness results: deterministic, plausible by the standards' own measures, and
//! with school trends to show.
use std::collections::HashMap;
use std::sync::OnceLock;

use wuyu_domain::{FitnessBatch, Grade, Term, TermPart};
use wuyu_standards::{
    EyeExam, FitnessGrade, FitnessInput, Level, VisionStatus, WeightStatus, exact_age,
    score_record, screening_myopia, weight_status,
};
use wuyu_synth::{SynthConfig, SynthDistrict, generate, generate_fitness, school_trend};

const SEED: u64 = 7;

fn terms() -> Vec<Term> {
    vec![
        Term::new(2023, TermPart::Autumn).unwrap(),
        Term::new(2023, TermPart::Spring).unwrap(),
        Term::new(2024, TermPart::Autumn).unwrap(),
        Term::new(2024, TermPart::Spring).unwrap(),
    ]
}

fn district() -> &'static SynthDistrict {
    static D: OnceLock<SynthDistrict> = OnceLock::new();
    D.get_or_init(|| {
        generate(&SynthConfig {
            seed: 11,
            students: 30_000,
            school_year: 2024,
        })
    })
}

fn batch() -> &'static FitnessBatch {
    static B: OnceLock<FitnessBatch> = OnceLock::new();
    B.get_or_init(|| generate_fitness(district(), SEED, &terms()))
}

fn input(grade: Grade, r: &wuyu_domain::NewFitnessRecord) -> FitnessInput {
    let m = &r.measures;
    FitnessInput {
        grade: FitnessGrade::from(grade),
        sex: r.sex.unwrap(),
        height_cm: m.height_cm,
        weight_kg: m.weight_kg,
        vital_capacity: m.vital_capacity,
        run_50m: m.run_50m,
        sit_and_reach: m.sit_and_reach,
        rope_skip_1min: m.rope_skip_1min,
        sit_up_1min: m.sit_up_1min,
        shuttle_50x8: m.shuttle_50x8,
        standing_long_jump: m.standing_long_jump,
        pull_up: m.pull_up,
        run_1000m: m.run_1000m,
        run_800m: m.run_800m,
    }
}

#[test]
fn the_same_seed_gives_the_same_batch() {
    let again = generate_fitness(district(), SEED, &terms());
    assert_eq!(&again, batch());
    let other = generate_fitness(district(), SEED + 1, &terms());
    assert_ne!(&other, batch());
}

#[test]
fn every_record_scores_and_the_rates_are_plausible() {
    let d = district();
    let b = batch();
    let students: HashMap<&str, &wuyu_domain::roster::NewStudent> = d
        .batch
        .students
        .iter()
        .map(|s| (s.student_no.as_str(), s))
        .collect();
    // Expected records: every student in school in each term (grade ≥ 1), minus ~2 % missing.
    let possible: usize = terms()
        .iter()
        .map(|t| {
            let behind = i32::from(2024 - t.school_year);
            d.batch
                .students
                .iter()
                .filter(|s| i32::from(s.grade.get()) - behind >= 1)
                .count()
        })
        .sum();
    let missing = 1.0 - b.len() as f64 / possible as f64;
    assert!((0.01..0.03).contains(&missing), "missing tests {missing}");

    let (mut ok, mut incomplete, mut pass, mut good, mut excellent) = (0, 0, 0, 0, 0);
    let (mut ws, mut heavy) = (0, 0);
    let mut myopia: HashMap<u8, (u32, u32)> = HashMap::new();
    for r in &b.records {
        let st = students[r.student_no.as_str()];
        assert_eq!(Some(st.sex), r.sex);
        let grade = r.grade.unwrap();
        assert!(grade <= st.grade);
        let res = score_record(&input(grade, r)).expect("every synthetic record scores");
        if res.is_complete() {
            ok += 1;
            let l = res.level.unwrap();
            pass += usize::from(l >= Level::Pass);
            good += usize::from(l >= Level::Good);
            excellent += usize::from(l == Level::Excellent);
        } else {
            incomplete += 1;
        }
        let age = exact_age(st.birth_date, r.test_date).unwrap();
        if let (Some(bmi), true) = (res.bmi, age >= 6.0) {
            ws += 1;
            heavy += usize::from(weight_status(st.sex, age, bmi).unwrap() != WeightStatus::Normal);
        }
        let m = &r.measures;
        if m.has_vision() {
            let eye = |a, s| EyeExam {
                uncorrected_acuity: a,
                spherical_equivalent: s,
            };
            let v = screening_myopia(
                &eye(m.acuity_right, m.se_right),
                &eye(m.acuity_left, m.se_left),
            )
            .unwrap();
            assert_ne!(v, VisionStatus::Incomplete);
            let e = myopia.entry(grade.get()).or_default();
            e.0 += u32::from(v == VisionStatus::Myopia);
            e.1 += 1;
        }
    }
    let f = |a: usize, b: usize| a as f64 / b as f64;
    let (inc, pass, good, exc, heavy) = (
        f(incomplete, b.len()),
        f(pass, ok),
        f(good, ok),
        f(excellent, ok),
        f(heavy, ws),
    );
    let my = |g: u8| {
        let (m, n) = myopia[&g];
        f64::from(m) / f64::from(n)
    };
    eprintln!(
        "incomplete {inc:.3} pass {pass:.3} good+ {good:.3} excellent {exc:.3} \
         overweight+obese {heavy:.3} myopia g1 {:.3} g5 {:.3} g9 {:.3}",
        my(1),
        my(5),
        my(9)
    );
    assert!((0.015..0.05).contains(&inc), "incomplete {inc}");
    assert!((0.80..0.97).contains(&pass), "合格率 {pass}");
    assert!((0.25..0.70).contains(&good), "优良率 {good}");
    assert!((0.03..0.35).contains(&exc), "优秀率 {exc}");
    assert!((0.12..0.25).contains(&heavy), "overweight + obese {heavy}");
    assert!((0.05..0.16).contains(&my(1)), "myopia grade 1 {}", my(1));
    assert!((0.60..0.80).contains(&my(9)), "myopia grade 9 {}", my(9));
    assert!(my(1) < my(5) && my(5) < my(9));
}

#[test]
fn improving_and_declining_schools_show_in_the_scores() {
    let d = district();
    let b = batch();
    let school_of: HashMap<&str, usize> = {
        let idx: HashMap<&str, usize> = d
            .batch
            .schools
            .iter()
            .enumerate()
            .map(|(i, s)| (s.code.as_str(), i))
            .collect();
        d.batch
            .students
            .iter()
            .map(|s| (s.student_no.as_str(), idx[s.school_code.as_str()]))
            .collect()
    };
    let ts = terms();
    // Mean 标准分 per (school, term).
    let mut sums: HashMap<(usize, usize), (f64, u32)> = HashMap::new();
    for r in &b.records {
        let res = score_record(&input(r.grade.unwrap(), r)).unwrap();
        if let Some(s) = res.standard_score {
            let k = ts.iter().position(|t| *t == r.term).unwrap();
            let e = sums
                .entry((school_of[r.student_no.as_str()], k))
                .or_default();
            e.0 += s.as_f64();
            e.1 += 1;
        }
    }
    let (mut up, mut down, mut agree, mut strong) = (0, 0, 0, 0);
    for school in 0..d.batch.schools.len() {
        let mean = |k| sums.get(&(school, k)).map(|(s, n)| s / f64::from(*n));
        let (Some(first), Some(last)) = (mean(0), mean(ts.len() - 1)) else {
            continue;
        };
        let change = last - first;
        up += usize::from(change > 1.0);
        down += usize::from(change < -1.0);
        let trend = school_trend(SEED, school);
        if trend.abs() > 0.08 {
            strong += 1;
            agree += usize::from(change.signum() == trend.signum());
        }
    }
    eprintln!("schools up {up} down {down}; trend sign agrees {agree}/{strong}");
    assert!(up >= 3 && down >= 3, "up {up} down {down}");
    assert!(agree * 10 >= strong * 9, "{agree}/{strong}");
}
