//! The worked examples and stated rules of `shared/standards/README.md`, each as a PE teacher or
//! a district analyst would check it, plus whole records scored by hand.
use time::macros::date;
use wuyu_domain::Sex::{Female, Male};
use wuyu_standards::*;

fn g(n: u8) -> FitnessGrade {
    FitnessGrade::school(n).unwrap()
}

fn score(item: FitnessItem, grade: FitnessGrade, sex: wuyu_domain::Sex, v: f64) -> (u8, u8) {
    let s = item_score(item, grade, sex, v).unwrap();
    (s.score, s.bonus)
}

#[test]
fn readme_1_3_between_two_thresholds_earns_the_lower_level() {
    // 一年级男 50米 10.25 s lies between 10.2 (100) and 10.3 (95), so it scores 95.
    assert_eq!(score(FitnessItem::Run50m, g(1), Male, 10.2), (100, 0));
    assert_eq!(score(FitnessItem::Run50m, g(1), Male, 10.25), (95, 0));
    assert_eq!(score(FitnessItem::Run50m, g(1), Male, 10.3), (95, 0));
    // Better than the 100-point threshold: 100 (50米跑 carries no bonus).
    assert_eq!(score(FitnessItem::Run50m, g(1), Male, 8.0), (100, 0));
}

#[test]
fn readme_1_3_blank_pull_up_levels() {
    // 初一: 9 pull-ups score 80, 8 score 76 (not 78), and 0 score 0.
    assert_eq!(score(FitnessItem::PullUp, g(7), Male, 9.0), (80, 0));
    assert_eq!(score(FitnessItem::PullUp, g(7), Male, 8.0), (76, 0));
    assert_eq!(score(FitnessItem::PullUp, g(7), Male, 0.0), (0, 0));
    // 初一 has no 20 or 10 level: 1 pull-up is 30, the lowest level there is.
    assert_eq!(score(FitnessItem::PullUp, g(7), Male, 1.0), (30, 0));
    // 初二 has no 10 level; 高一 has it.
    assert_eq!(score(FitnessItem::PullUp, g(8), Male, 1.0), (20, 0));
    assert_eq!(score(FitnessItem::PullUp, g(8), Male, 0.0), (0, 0));
    // A fraction of a repetition is not a result.
    assert!(matches!(
        item_score(FitnessItem::PullUp, g(7), Male, 8.5),
        Err(ScoreError::InvalidValue { .. })
    ));
}

#[test]
fn readme_1_4_bmi_bands_and_half_up_rounding() {
    // 一年级男 低体重 ≤13.4, 正常 13.5–18.1, 超重 18.2–20.3, 肥胖 ≥20.4.
    let cat = |t: u32| bmi_category(g(1), Male, Bmi::from_tenths(t));
    assert_eq!(cat(134), BmiCategory::Underweight);
    assert_eq!(cat(135), BmiCategory::Normal);
    assert_eq!(cat(181), BmiCategory::Normal);
    assert_eq!(cat(182), BmiCategory::Overweight);
    assert_eq!(cat(203), BmiCategory::Overweight);
    assert_eq!(cat(204), BmiCategory::Obese);
    // 18.15 falls in no band unrounded; rounded half-up it is 18.2, 超重 (80 points).
    assert_eq!(Bmi::from_f64(18.15).unwrap(), Bmi::from_tenths(182));
    assert_eq!(score(FitnessItem::Bmi, g(1), Male, 18.15), (80, 0));
    assert_eq!(score(FitnessItem::Bmi, g(1), Male, 18.149), (100, 0));
    // From height and weight: 18.15 kg at 100 cm is exactly 18.15.
    let bmi = Bmi::from_height_weight(100.0, 18.15).unwrap();
    assert_eq!(bmi.to_string(), "18.2");
    // A real child: 125.0 cm, 28.4 kg → 18.176 → 18.2 → 超重.
    let bmi = Bmi::from_height_weight(125.0, 28.4).unwrap();
    assert_eq!(bmi.to_string(), "18.2");
    assert_eq!(bmi_category(g(1), Male, bmi).label_zh(), "超重");
    // All university years share one BMI column.
    let u = Bmi::from_tenths(240);
    assert_eq!(
        bmi_category(FitnessGrade::U12, Female, u),
        BmiCategory::Overweight
    );
    assert_eq!(
        bmi_category(FitnessGrade::U34, Female, u),
        BmiCategory::Overweight
    );
}

#[test]
fn readme_1_5_bonus_points() {
    // 高一男 1000米 100 = 3'30" = 210 s; 3'04" (184 s, 26 s faster) earns +7.
    assert_eq!(score(FitnessItem::Run1000m, g(10), Male, 210.0), (100, 0));
    assert_eq!(score(FitnessItem::Run1000m, g(10), Male, 184.0), (100, 7));
    assert_eq!(score(FitnessItem::Run1000m, g(10), Male, 184.5), (100, 6));
    // The margin must reach the step: 3.9 s faster is still nothing.
    assert_eq!(score(FitnessItem::Run1000m, g(10), Male, 206.1), (100, 0));
    assert_eq!(score(FitnessItem::Run1000m, g(10), Male, 206.0), (100, 1));
    // Caps: 10 for the 初一-on items, 20 for primary rope skipping.
    assert_eq!(score(FitnessItem::Run1000m, g(10), Male, 100.0), (100, 10));
    assert_eq!(max_item_bonus(FitnessItem::RopeSkip1min, g(3), Female), 20);
    assert_eq!(
        max_item_bonus(FitnessItem::PullUp, FitnessGrade::U34, Male),
        10
    );
    // Primary sit-ups and every other item carry no bonus.
    assert_eq!(max_item_bonus(FitnessItem::SitUp1min, g(5), Male), 0);
    assert_eq!(max_item_bonus(FitnessItem::VitalCapacity, g(10), Male), 0);
    // 一分钟仰卧起坐 (女, 初一 on): 1: 2, 2: 4, 3: 6, 4: 7 … 10: 13 beyond the 100 threshold.
    let t100 = (0..100)
        .map(f64::from)
        .find(|&v| score(FitnessItem::SitUp1min, g(7), Female, v).0 == 100)
        .unwrap();
    let bonus = |extra: f64| score(FitnessItem::SitUp1min, g(7), Female, t100 + extra).1;
    assert_eq!(
        [1.0, 2.0, 4.0, 6.0, 7.0, 8.0, 13.0, 20.0].map(bonus),
        [0, 1, 2, 3, 4, 5, 10, 10]
    );
}

/// 初一男 with every item present, built so that 标准分 = 59.95 exactly (README 1.6's example:
/// 85 × 15 % = 12.75).
fn grade7_boy_59_95() -> FitnessInput {
    let mut r = FitnessInput::new(g(7), Male);
    r.height_cm = Some(160.0);
    r.weight_kg = Some(50.0); // BMI 19.5: 正常, 100 × 15 % = 15
    r.vital_capacity = Some(3150.0); // 85 × 15 % = 12.75
    r.run_50m = Some(10.2); // 60 × 20 % = 12
    r.sit_and_reach = Some(-1.3); // 62 × 10 % = 6.2
    r.standing_long_jump = Some(135.0); // 20 × 10 % = 2
    r.pull_up = Some(0.0); // 0
    r.run_1000m = Some(320.0); // 60 × 20 % = 12
    r
}

#[test]
fn readme_1_6_standard_score_is_rounded_before_the_level() {
    let r = score_record(&grade7_boy_59_95()).unwrap();
    assert_eq!(r.status, FitnessStatus::Ok);
    assert_eq!(r.bmi.unwrap().to_string(), "19.5");
    assert_eq!(r.bmi_category, Some(BmiCategory::Normal));
    let items: Vec<(&str, u8)> = r.items.iter().map(|(i, s)| (i.code(), s.score)).collect();
    assert_eq!(
        items,
        [
            ("bmi", 100),
            ("vital_capacity", 85),
            ("run_50m", 60),
            ("sit_and_reach", 62),
            ("standing_long_jump", 20),
            ("pull_up", 0),
            ("run_1000m", 60),
        ]
    );
    // 59.95 → 60.0 → 及格, not 不及格.
    assert_eq!(r.standard_score.unwrap().to_string(), "60.0");
    assert_eq!(r.year_total.unwrap().to_string(), "60.0");
    assert_eq!(r.level, Some(Level::Pass));
    assert_eq!(r.bonus_total, 0);
}

#[test]
fn readme_1_6_year_total_is_standard_score_plus_bonus() {
    let mut input = grade7_boy_59_95();
    input.pull_up = Some(16.0); // 初一 100 = 13: 3 beyond → 100 points, +3
    input.run_1000m = Some(200.0); // 初一 100 = 3'55" = 235 s: 35 s faster → 100, +10
    let r = score_record(&input).unwrap();
    let pull = r.items.get(FitnessItem::PullUp).unwrap();
    assert_eq!(
        pull,
        ItemScore {
            score: 100,
            bonus: 3
        }
    );
    let run = r.items.get(FitnessItem::Run1000m).unwrap();
    assert_eq!(
        run,
        ItemScore {
            score: 100,
            bonus: 10
        }
    );
    assert_eq!(r.bonus_total, 13);
    let std = r.standard_score.unwrap().tenths();
    assert_eq!(
        r.year_total.unwrap().tenths(),
        std + u16::from(r.bonus_total) * 10
    );
    // 15 + 12.75 + 12 + 6.2 + 2 + 10 + 20 = 77.95 → 78.0; + 13 = 91.0, 优秀.
    assert_eq!(r.standard_score.unwrap().to_string(), "78.0");
    assert_eq!(r.year_total.unwrap().to_string(), "91.0");
    assert_eq!(r.level, Some(Level::Excellent));
}

#[test]
fn readme_1_6_levels_and_their_edges() {
    let l = |t: u16| level_for(Points::from_tenths(t));
    assert_eq!(l(1200), Level::Excellent);
    assert_eq!(l(900), Level::Excellent);
    assert_eq!(l(899), Level::Good);
    assert_eq!(l(800), Level::Good);
    assert_eq!(l(799), Level::Pass);
    assert_eq!(l(600), Level::Pass);
    assert_eq!(l(599), Level::Fail);
    assert_eq!(l(0), Level::Fail);
}

#[test]
fn readme_1_6_graduation_score() {
    let p = |x: f64| Points::from_f64(x).unwrap();
    // 高三 85.0; 高一 70.0, 高二 80.0 → 42.5 + 37.5 = 80.0, 良好.
    let s = graduation_score(p(85.0), &[p(70.0), p(80.0)]).unwrap();
    assert_eq!((s.score.to_string(), s.level), ("80.0".into(), Level::Good));
    // Rounded half-up to 0.1: 0.5 × 59.9 + 0.5 × 60.0 = 59.95 → 60.0, 及格.
    let s = graduation_score(p(59.9), &[p(60.0)]).unwrap();
    assert_eq!((s.score.to_string(), s.level), ("60.0".into(), Level::Pass));
    // A mean that does not terminate: (60.0 + 70.1 + 80.0) / 3 = 70.0333…; 0.5 × 90 + 35.0166… =
    // 80.0166… → 80.0.
    let s = graduation_score(p(90.0), &[p(60.0), p(70.1), p(80.0)]).unwrap();
    assert_eq!(s.score.to_string(), "80.0");
    // Up to 120 with bonus.
    let s = graduation_score(p(120.0), &[p(120.0); 5]).unwrap();
    assert_eq!(s.score, MAX_YEAR_TOTAL);
    assert_eq!(
        graduation_score(p(80.0), &[]),
        Err(GraduationError::NoOtherYears)
    );
    assert!(graduation_score(p(120.1), &[p(80.0)]).is_err());
}

#[test]
fn readme_1_6_missing_required_item_is_incomplete() {
    let mut input = grade7_boy_59_95();
    input.run_1000m = None;
    input.weight_kg = None;
    let r = score_record(&input).unwrap();
    let missing: Vec<FitnessItem> = match r.status {
        FitnessStatus::Incomplete { missing } => missing.iter().collect(),
        s => panic!("{s:?}"),
    };
    assert_eq!(missing, [FitnessItem::Bmi, FitnessItem::Run1000m]);
    assert_eq!(r.status.code(), "INCOMPLETE");
    // No total, no level; the present items are still scored.
    assert_eq!(
        (r.standard_score, r.year_total, r.level),
        (None, None, None)
    );
    assert_eq!(r.bmi, None);
    assert_eq!(r.items.get(FitnessItem::VitalCapacity).unwrap().score, 85);
    assert_eq!(r.items.get(FitnessItem::Run1000m), None);
}

#[test]
fn an_item_the_grade_does_not_take_is_an_error_not_ignored() {
    // A girl with a pull-up result: wrong column or wrong sex.
    let mut input = FitnessInput::new(g(8), Female);
    input.pull_up = Some(3.0);
    let e = score_record(&input).unwrap_err();
    assert_eq!(
        e,
        ScoreError::NotApplicable {
            item: FitnessItem::PullUp,
            grade: g(8),
            sex: Female
        }
    );
    assert_eq!(e.to_string(), "初二女生不测引体向上");
    // 一年级 has no sit-ups.
    assert!(item_score(FitnessItem::SitUp1min, g(1), Male, 20.0).is_err());
    // Impossible values name the item.
    let mut input = FitnessInput::new(g(3), Male);
    input.run_50m = Some(f64::NAN);
    assert!(
        score_record(&input)
            .unwrap_err()
            .to_string()
            .starts_with("50米跑成绩")
    );
    let mut input = FitnessInput::new(g(3), Male);
    input.height_cm = Some(-130.0);
    assert_eq!(
        score_record(&input).unwrap_err(),
        ScoreError::InvalidHeight(-130.0)
    );
}

#[test]
fn readme_1_2_primary_boys_and_girls_take_the_same_items() {
    for n in 1..=6 {
        assert_eq!(required_items(g(n), Male), required_items(g(n), Female));
    }
    let items = |gr, s| -> Vec<&str> { required_items(gr, s).iter().map(|i| i.code()).collect() };
    assert_eq!(
        items(g(5), Female),
        [
            "bmi",
            "vital_capacity",
            "run_50m",
            "sit_and_reach",
            "rope_skip_1min",
            "sit_up_1min",
            "shuttle_50x8"
        ]
    );
    // From 初一 on, boys take 引体向上 and 1000米跑, girls 一分钟仰卧起坐 and 800米跑.
    assert!(
        applies(FitnessItem::PullUp, g(7), Male) && !applies(FitnessItem::PullUp, g(7), Female)
    );
    assert!(applies(FitnessItem::Run800m, g(12), Female));
    assert_eq!(weight(FitnessItem::SitAndReach, g(1), Male), Some(30));
    assert_eq!(weight(FitnessItem::SitUp1min, g(5), Female), Some(20));
}

#[test]
fn readme_4_2_primary_sit_and_reach_relaxes_with_grade() {
    // 男 60 points is 0.0, −0.4, −0.8, −2.2, −2.6, −4.0 cm for grades 1–6.
    for (n, cm) in [
        (1, 0.0),
        (2, -0.4),
        (3, -0.8),
        (4, -2.2),
        (5, -2.6),
        (6, -4.0),
    ] {
        assert_eq!(
            score(FitnessItem::SitAndReach, g(n), Male, cm).0,
            60,
            "grade {n}"
        );
        assert_eq!(
            score(FitnessItem::SitAndReach, g(n), Male, cm - 0.1).0,
            50,
            "grade {n}"
        );
    }
}

#[test]
fn readme_4_3_resolved_cells() {
    // 高三 girls' 800 m, 100 points: 200 s (3'20"), not 194.
    assert_eq!(score(FitnessItem::Run800m, g(12), Female, 200.0).0, 100);
    assert_eq!(score(FitnessItem::Run800m, g(12), Female, 201.0).0, 95);
    // 大三大四 girls' 立定跳远: 72 points = 170 cm, 70 = 167.
    let u = FitnessGrade::U34;
    assert_eq!(score(FitnessItem::StandingLongJump, u, Female, 170.0).0, 72);
    assert_eq!(score(FitnessItem::StandingLongJump, u, Female, 169.0).0, 70);
    assert_eq!(score(FitnessItem::StandingLongJump, u, Female, 167.0).0, 70);
    // 大三大四 girls' 坐位体前屈, 50–10 points: 5.7, 4.9, 4.1, 3.3, 2.5.
    for (cm, pts) in [
        (5.7, 50),
        (4.9, 40),
        (4.1, 30),
        (3.3, 20),
        (2.5, 10),
        (2.4, 0),
    ] {
        assert_eq!(
            score(FitnessItem::SitAndReach, u, Female, cm).0,
            pts,
            "{cm}"
        );
    }
}

#[test]
fn readme_2_wst586_girls_13_and_the_adult_row() {
    // Girls 13.0 ≤ age < 13.5: 22.2 / 25.0.
    let st = |age: f64, t: u32| weight_status(Female, age, Bmi::from_tenths(t)).unwrap();
    assert_eq!(st(13.0, 221), WeightStatus::Normal);
    assert_eq!(st(13.0, 222), WeightStatus::Overweight);
    assert_eq!(st(13.49, 249), WeightStatus::Overweight);
    assert_eq!(st(13.49, 250), WeightStatus::Obese);
    // At 13.5 the next row (22.6 / 25.6) applies.
    assert_eq!(st(13.5, 250), WeightStatus::Overweight);
    // 18.0 on: the adult cut-offs 24.0 / 28.0.
    assert_eq!(st(18.0, 239), WeightStatus::Normal);
    assert_eq!(st(22.0, 280), WeightStatus::Obese);
}

#[test]
fn wst586_age_from_dates() {
    // Born 2011-03-15, measured 2024-09-14: 13 years 5 months → the 13.0 group.
    let age = exact_age(date!(2011 - 03 - 15), date!(2024 - 09 - 14)).unwrap();
    assert!((13.0..13.5).contains(&age), "{age}");
    assert_eq!(
        weight_status(Female, age, Bmi::from_tenths(250)).unwrap(),
        WeightStatus::Obese
    );
    // One day later she is 13.5 and the same BMI is overweight.
    let age = exact_age(date!(2011 - 03 - 15), date!(2024 - 09 - 15)).unwrap();
    assert_eq!(age, 13.5);
    assert_eq!(
        weight_status(Female, age, Bmi::from_tenths(250)).unwrap(),
        WeightStatus::Overweight
    );
    assert!(exact_age(date!(2024 - 09 - 15), date!(2024 - 09 - 14)).is_err());
}

#[test]
fn readme_3_wst456_stunting_last_group_and_thinness() {
    // "17.5~": 男 157.1, 女 147.5.
    assert!(is_stunted(Male, 17.5, 157.1).unwrap());
    assert!(!is_stunted(Male, 17.5, 157.2).unwrap());
    assert!(is_stunted(Female, 18.2, 147.5).unwrap());
    // Boys 6.0: ≤ 13.2 moderate/severe, 13.3–13.4 mild.
    let t = |b: u32| thinness(Male, 6.0, Bmi::from_tenths(b)).unwrap();
    assert_eq!(t(132), Thinness::ModerateSevere);
    assert_eq!(t(133), Thinness::Mild);
    assert_eq!(t(134), Thinness::Mild);
    assert_eq!(t(135), Thinness::None);
    // Stunting is reported first.
    assert_eq!(
        malnutrition_status(Male, 6.0, 100.0, Bmi::from_tenths(120)).unwrap(),
        MalnutritionStatus::Stunting
    );
    assert!(MalnutritionStatus::MildThinness.is_wasting());
}

#[test]
fn myopia_screening_by_either_eye() {
    let eye = |a: Option<f64>, se: Option<f64>| EyeExam {
        uncorrected_acuity: a,
        spherical_equivalent: se,
    };
    let normal = eye(Some(5.0), Some(0.0));
    // Acuity < 5.0 and SE ≤ −0.50 D in one eye: myopia.
    let myopic = eye(Some(4.8), Some(spherical_equivalent(-0.25, -0.50)));
    assert_eq!(screening_myopia(&myopic, &normal), Ok(VisionStatus::Myopia));
    assert_eq!(screening_myopia(&normal, &myopic), Ok(VisionStatus::Myopia));
    // SE −0.25 D is not myopic even with low acuity: reduced vision.
    let low = eye(Some(4.9), Some(-0.25));
    assert_eq!(
        screening_myopia(&low, &normal),
        Ok(VisionStatus::ReducedVision)
    );
    // Acuity-only records: reduced vision, never myopia.
    let acuity_only = eye(Some(4.5), None);
    assert_eq!(
        screening_myopia(&acuity_only, &acuity_only),
        Ok(VisionStatus::ReducedVision)
    );
    // Good acuity with a minus refraction is not screening myopia.
    let good = eye(Some(5.0), Some(-1.0));
    assert_eq!(screening_myopia(&good, &good), Ok(VisionStatus::Normal));
    // An unmeasured eye and no finding: incomplete, not normal.
    assert_eq!(
        screening_myopia(&normal, &EyeExam::default()),
        Ok(VisionStatus::Incomplete)
    );
    // SE exactly −0.50 counts; acuity exactly 5.0 does not.
    assert_eq!(
        screening_myopia(&eye(Some(4.9), Some(-0.5)), &normal),
        Ok(VisionStatus::Myopia)
    );
    assert_eq!(
        screening_myopia(&eye(Some(5.0), Some(-3.0)), &normal),
        Ok(VisionStatus::Normal)
    );
    assert!(screening_myopia(&eye(Some(1.0), None), &normal).is_err());
    assert_eq!(poor_vision_grade(4.9), Ok(Some(PoorVisionGrade::Mild)));
    assert_eq!(poor_vision_grade(4.6), Ok(Some(PoorVisionGrade::Moderate)));
    assert_eq!(poor_vision_grade(4.5), Ok(Some(PoorVisionGrade::Severe)));
    assert_eq!(poor_vision_grade(5.1), Ok(None));
}

#[test]
fn grades_parse_like_the_templates() {
    assert_eq!(FitnessGrade::parse("U12").unwrap(), FitnessGrade::U12);
    assert_eq!(FitnessGrade::parse("初一").unwrap(), g(7));
    assert_eq!(FitnessGrade::parse("大三").unwrap(), FitnessGrade::U34);
    assert_eq!(FitnessGrade::from_template_code(31), Some(g(10)));
    assert_eq!(
        FitnessGrade::from_template_code(42),
        Some(FitnessGrade::U12)
    );
    assert_eq!(
        FitnessGrade::from_template_code(44),
        Some(FitnessGrade::U34)
    );
    assert!(FitnessGrade::parse("13").is_err());
    assert_eq!(g(12).label_zh(), "高三");
}
