//! Property tests: what must hold for every result a PE teacher could type, not just the table
//! cells. Item scores are monotone in the result, bounded and deterministic; a record's totals
//! obey README 1.6 (weights of README 1.2 restated here, not read from the crate); BMI is the
//! exact half-up value; the screening lookups are monotone.
use proptest::prelude::*;
use wuyu_domain::Sex;
use wuyu_standards::*;

/// Failures are shrunk and printed; nothing is persisted (integration tests have no lib.rs
/// beside them for proptest's regression files).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

const LEVELS: [u8; 21] = [
    100, 95, 90, 85, 80, 78, 76, 74, 72, 70, 68, 66, 64, 62, 60, 50, 40, 30, 20, 10, 0,
];

/// Every (item, grade, sex) that has a single-item table.
fn combos() -> Vec<(FitnessItem, FitnessGrade, Sex)> {
    let mut v = Vec::new();
    for item in FitnessItem::ALL.into_iter().skip(1) {
        for g in FitnessGrade::ALL {
            for s in [Sex::Male, Sex::Female] {
                if applies(item, g, s) {
                    v.push((item, g, s));
                }
            }
        }
    }
    assert_eq!(v.len(), 156);
    v
}

/// A range that covers every threshold and bonus step of the item, and beyond.
fn domain(item: FitnessItem) -> (f64, f64) {
    match item {
        FitnessItem::VitalCapacity => (0.0, 8000.0),
        FitnessItem::Run50m => (4.0, 20.0),
        FitnessItem::SitAndReach => (-30.0, 40.0),
        FitnessItem::RopeSkip1min => (0.0, 250.0),
        FitnessItem::SitUp1min => (0.0, 80.0),
        FitnessItem::Shuttle50x8 => (60.0, 220.0),
        FitnessItem::StandingLongJump => (50.0, 350.0),
        FitnessItem::PullUp => (0.0, 40.0),
        FitnessItem::Run1000m => (120.0, 500.0),
        FitnessItem::Run800m => (120.0, 450.0),
        FitnessItem::Bmi => (8.0, 45.0),
    }
}

/// A possible result: whole counts; otherwise either a value at the recorded precision (so that
/// thresholds are hit exactly, often) or any real number in the range.
fn value(item: FitnessItem) -> BoxedStrategy<f64> {
    let (lo, hi) = domain(item);
    if item.unit() == "count" {
        (lo as i64..=hi as i64).prop_map(|n| n as f64).boxed()
    } else {
        let tenths = ((lo * 10.0) as i64..=(hi * 10.0) as i64).prop_map(|t| t as f64 / 10.0);
        prop_oneof![tenths, lo..hi].boxed()
    }
}

fn combo_and_two_values() -> impl Strategy<Value = ((FitnessItem, FitnessGrade, Sex), f64, f64)> {
    let c = combos();
    (0..c.len()).prop_flat_map(move |i| {
        let combo = c[i];
        (Just(combo), value(combo.0), value(combo.0))
    })
}

proptest! {
    #![proptest_config(config(4000))]

    #[test]
    fn item_score_is_monotone_bounded_and_deterministic(
        ((item, g, s), a, b) in combo_and_two_values()
    ) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let x = item_score(item, g, s, lo).unwrap();
        let y = item_score(item, g, s, hi).unwrap();
        for r in [x, y] {
            prop_assert!(LEVELS.contains(&r.score), "{r:?}");
            prop_assert!(r.bonus <= max_item_bonus(item, g, s));
            // Bonus only beyond the 100-point threshold.
            prop_assert!(r.bonus == 0 || r.score == 100);
        }
        match item.direction() {
            // More is better: the larger result never scores less, bonus included.
            Direction::Higher => {
                prop_assert!(x.score <= y.score, "{lo} → {x:?}, {hi} → {y:?}");
                prop_assert!(x.bonus <= y.bonus);
            }
            // Times: the larger (slower) result never scores more.
            Direction::Lower => {
                prop_assert!(x.score >= y.score, "{lo} → {x:?}, {hi} → {y:?}");
                prop_assert!(x.bonus >= y.bonus);
            }
            Direction::Band => unreachable!(),
        }
        prop_assert_eq!(item_score(item, g, s, lo).unwrap(), x);
    }

    #[test]
    fn bmi_item_score_is_one_of_the_band_scores(
        gi in 0usize..14, male in any::<bool>(), bmi in 8.0f64..45.0
    ) {
        let g = FitnessGrade::ALL[gi];
        let s = if male { Sex::Male } else { Sex::Female };
        let r = item_score(FitnessItem::Bmi, g, s, bmi).unwrap();
        prop_assert!([60, 80, 100].contains(&r.score));
        prop_assert_eq!(r.bonus, 0);
        prop_assert_eq!(r.score, bmi_category(g, s, Bmi::from_f64(bmi).unwrap()).score());
    }

    #[test]
    fn bmi_is_the_exact_half_up_value(ht in 800u64..2200, wt in 100u64..1500) {
        // BMI in tenths = wt·10⁶ / ht² for height and weight in tenths; half-up.
        let expected = (2 * wt * 1_000_000 + ht * ht) / (2 * ht * ht);
        let b = Bmi::from_height_weight(ht as f64 / 10.0, wt as f64 / 10.0).unwrap();
        prop_assert_eq!(u64::from(b.tenths()), expected);
        prop_assert_eq!(Bmi::from_f64(b.as_f64()).unwrap(), b);
    }
}

/// README 1.2, restated: the items and weights of each grade group.
fn readme_weights(g: FitnessGrade, s: Sex) -> Vec<(FitnessItem, u32)> {
    use FitnessItem::*;
    let n = FitnessGrade::ALL.iter().position(|x| *x == g).unwrap() + 1;
    let mut w = vec![(Bmi, 15), (VitalCapacity, 15), (Run50m, 20)];
    match n {
        1 | 2 => w.extend([(SitAndReach, 30), (RopeSkip1min, 20)]),
        3 | 4 => w.extend([(SitAndReach, 20), (RopeSkip1min, 20), (SitUp1min, 10)]),
        5 | 6 => w.extend([
            (SitAndReach, 10),
            (RopeSkip1min, 10),
            (SitUp1min, 20),
            (Shuttle50x8, 10),
        ]),
        _ => {
            w.extend([(SitAndReach, 10), (StandingLongJump, 10)]);
            match s {
                Sex::Male => w.extend([(PullUp, 10), (Run1000m, 20)]),
                Sex::Female => w.extend([(SitUp1min, 10), (Run800m, 20)]),
            }
        }
    }
    w
}

#[derive(Debug, Clone)]
struct Record {
    input: FitnessInput,
    /// Required items left out (BMI = height or weight left out).
    left_out: Vec<FitnessItem>,
}

fn record() -> impl Strategy<Value = Record> {
    (0usize..14, any::<bool>()).prop_flat_map(|(gi, male)| {
        let g = FitnessGrade::ALL[gi];
        let s = if male { Sex::Male } else { Sex::Female };
        let items = readme_weights(g, s);
        let values: Vec<BoxedStrategy<Option<f64>>> = items
            .iter()
            .map(|(it, _)| {
                if *it == FitnessItem::Bmi {
                    Just(None).boxed()
                } else {
                    // Mostly present: one record in ~3 misses something.
                    prop::option::weighted(0.95, value(*it)).boxed()
                }
            })
            .collect();
        (
            values,
            prop::option::weighted(0.97, 90.0f64..200.0),
            prop::option::weighted(0.97, 15.0f64..120.0),
        )
            .prop_map(move |(vals, h, w)| {
                let mut input = FitnessInput::new(g, s);
                input.height_cm = h;
                input.weight_kg = w;
                let mut left_out = Vec::new();
                for ((it, _), v) in items.iter().zip(vals) {
                    if *it == FitnessItem::Bmi {
                        if h.is_none() || w.is_none() {
                            left_out.push(*it);
                        }
                        continue;
                    }
                    input.set(*it, v).unwrap();
                    if v.is_none() {
                        left_out.push(*it);
                    }
                }
                Record { input, left_out }
            })
    })
}

proptest! {
    #![proptest_config(config(3000))]

    #[test]
    fn a_record_obeys_readme_1_6(rec in record()) {
        let r = score_record(&rec.input).unwrap();
        prop_assert_eq!(score_record(&rec.input).unwrap(), r, "deterministic");
        let weights = readme_weights(rec.input.grade, rec.input.sex);
        // Every present item is scored, nothing else.
        for (it, _) in &weights {
            prop_assert_eq!(r.items.get(*it).is_some(), !rec.left_out.contains(it));
        }
        prop_assert_eq!(r.items.iter().count(), weights.len() - rec.left_out.len());
        // 附加分: the sum of the item bonuses, capped at 20.
        let bonus_sum: u32 = r.items.iter().map(|(_, s)| u32::from(s.bonus)).sum();
        prop_assert_eq!(u32::from(r.bonus_total), bonus_sum.min(20));
        // INCOMPLETE iff a required item is missing, and exactly those are listed.
        if rec.left_out.is_empty() {
            prop_assert_eq!(r.status, FitnessStatus::Ok);
            let hundredths: u32 = weights
                .iter()
                .map(|(it, w)| u32::from(r.items.get(*it).unwrap().score) * w)
                .sum();
            let std = r.standard_score.unwrap();
            // 标准分: Σ score × weight, half-up to 0.1, within 0–100.
            prop_assert_eq!(u32::from(std.tenths()), (hundredths + 5) / 10);
            prop_assert!(std <= Points::from_whole(100));
            let total = r.year_total.unwrap();
            prop_assert_eq!(total.tenths(), std.tenths() + u16::from(r.bonus_total) * 10);
            prop_assert!(total <= MAX_YEAR_TOTAL);
            let expected_level = match total.tenths() {
                900.. => Level::Excellent,
                800..=899 => Level::Good,
                600..=799 => Level::Pass,
                _ => Level::Fail,
            };
            prop_assert_eq!(r.level, Some(expected_level));
        } else {
            let missing: Vec<FitnessItem> = match r.status {
                FitnessStatus::Incomplete { missing } => missing.iter().collect(),
                FitnessStatus::Ok => return Err(TestCaseError::fail("should be incomplete")),
            };
            let mut want = rec.left_out.clone();
            want.sort();
            prop_assert_eq!(missing, want);
            prop_assert_eq!((r.standard_score, r.year_total, r.level), (None, None, None));
        }
    }

    #[test]
    fn a_value_for_an_item_not_taken_is_refused(rec in record(), i in 0usize..100, v in 1.0f64..100.0) {
        let not_taken: Vec<FitnessItem> = FitnessItem::ALL
            .into_iter()
            .skip(1)
            .filter(|&it| !applies(it, rec.input.grade, rec.input.sex))
            .collect();
        let item = not_taken[i % not_taken.len()];
        let mut input = rec.input;
        input.set(item, Some(v.round())).unwrap();
        let is_not_applicable = matches!(
            score_record(&input),
            Err(ScoreError::NotApplicable { item: it, .. }) if it == item
        );
        prop_assert!(is_not_applicable);
    }

    #[test]
    fn graduation_score_lies_between_the_years(
        last in 0u16..=1200, others in prop::collection::vec(0u16..=1200, 1..6)
    ) {
        let others: Vec<Points> = others.into_iter().map(Points::from_tenths).collect();
        let g = graduation_score(Points::from_tenths(last), &others).unwrap();
        let lo = others.iter().map(|p| p.tenths()).chain([last]).min().unwrap();
        let hi = others.iter().map(|p| p.tenths()).chain([last]).max().unwrap();
        prop_assert!((lo..=hi).contains(&g.score.tenths()));
        prop_assert!(g.score <= MAX_YEAR_TOTAL);
        prop_assert_eq!(g.level, level_for(g.score));
    }

    #[test]
    fn growth_screening_is_monotone(
        male in any::<bool>(), age in 6.0f64..18.99, a in 80u32..400, b in 80u32..400,
        h1 in 90.0f64..190.0, h2 in 90.0f64..190.0,
    ) {
        let s = if male { Sex::Male } else { Sex::Female };
        let (lo, hi) = (Bmi::from_tenths(a.min(b)), Bmi::from_tenths(a.max(b)));
        let rank = |w: WeightStatus| match w {
            WeightStatus::Normal => 0,
            WeightStatus::Overweight => 1,
            WeightStatus::Obese => 2,
        };
        prop_assert!(
            rank(weight_status(s, age, lo).unwrap()) <= rank(weight_status(s, age, hi).unwrap())
        );
        let thin = |w: Thinness| match w {
            Thinness::ModerateSevere => 2,
            Thinness::Mild => 1,
            Thinness::None => 0,
        };
        prop_assert!(thin(thinness(s, age, lo).unwrap()) >= thin(thinness(s, age, hi).unwrap()));
        let (short, tall) = (h1.min(h2), h1.max(h2));
        if is_stunted(s, age, tall).unwrap() {
            prop_assert!(is_stunted(s, age, short).unwrap());
        }
    }

    #[test]
    fn myopia_is_by_either_eye(
        a1 in prop::option::of(30u8..=53), a2 in prop::option::of(30u8..=53),
        s1 in prop::option::of(-40i32..=16), s2 in prop::option::of(-40i32..=16),
    ) {
        let eye = |a: Option<u8>, se: Option<i32>| EyeExam {
            uncorrected_acuity: a.map(|x| f64::from(x) / 10.0),
            spherical_equivalent: se.map(|x| f64::from(x) * 0.125),
        };
        let (r, l) = (eye(a1, s1), eye(a2, s2));
        let st = screening_myopia(&r, &l).unwrap();
        prop_assert_eq!(screening_myopia(&l, &r).unwrap(), st, "symmetric in the eyes");
        let myopic = |e: &EyeExam| {
            e.uncorrected_acuity.is_some_and(|a| a < 5.0)
                && e.spherical_equivalent.is_some_and(|x| x <= -0.5)
        };
        prop_assert_eq!(st == VisionStatus::Myopia, myopic(&r) || myopic(&l));
        if st == VisionStatus::Normal {
            prop_assert!(r.uncorrected_acuity.is_some() && l.uncorrected_acuity.is_some());
        }
    }
}
