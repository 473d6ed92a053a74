//! One parents' satisfaction round for the demo: per school a number of one-time codes (about
//! one family in eight, 20–80) and answers from a share of them, with a school climate that
//! differs between schools, 作业负担 rated lower than the rest and a few 不了解, so the results
//! are uneven and a few small schools fall under the minimum of 30 parents. Beside it, 师德
//! rounds for some of the demo school's teachers, by parents and by colleagues.
use wuyu_domain::{SURVEY_TEMPLATES, SchoolCode, SurveyAudience};

use crate::SynthDistrict;
use crate::rng::Rng;

/// One school's part of the round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveySchool {
    pub school_code: SchoolCode,
    /// Codes handed out.
    pub issued: usize,
    /// One row per answered code, one value per item: 1–5, or 0 for 不了解.
    pub answers: Vec<Vec<u8>>,
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut Rng) -> f64 {
    let u = rng.f64().max(1e-12);
    let v = rng.f64();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// How an item sits against the school's climate: 作业负担 (B2) is rated lowest.
fn item_shift(code: &str) -> f64 {
    match code {
        "B2" => -0.6,
        "D1" | "D2" => 0.15,
        "E1" => -0.2,
        _ => 0.0,
    }
}

/// The round's answers for every school of the district, fixed by the seed.
pub fn generate_survey(district: &SynthDistrict, seed: u64) -> Vec<SurveySchool> {
    let template = SURVEY_TEMPLATES
        .iter()
        .find(|t| t.audience == SurveyAudience::Parents)
        .expect("a parents' template");
    let mut rng = Rng::stream(seed, 0x5355_5256);
    district
        .batch
        .schools
        .iter()
        .map(|school| {
            let families = district
                .batch
                .students
                .iter()
                .filter(|s| s.school_code == school.code)
                .count();
            let issued = (families / 8).clamp(20, 80);
            // Climate from 3.3 to 4.6 on the 5 points; response rate 55–95 %.
            let climate = 3.3 + 1.3 * rng.f64();
            let rate = 0.55 + 0.4 * rng.f64();
            let answered = ((issued as f64) * rate).round() as usize;
            let answers = (0..answered)
                .map(|_| {
                    let family = 0.6 * normal(&mut rng);
                    template
                        .items
                        .iter()
                        .map(|(_, code, _)| {
                            if rng.chance(0.04) {
                                return 0;
                            }
                            let x = climate + family + item_shift(code) + 0.5 * normal(&mut rng);
                            x.round().clamp(1.0, 5.0) as u8
                        })
                        .collect()
                })
                .collect();
            SurveySchool {
                school_code: school.code.clone(),
                issued,
                answers,
            }
        })
        .collect()
}

/// One teacher's part of the demo's 师德 rounds: answers from parents and from colleagues, one
/// row per answered code, one value per item (1–5, or 0 for 不了解).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EthicsTeacher {
    pub school_code: SchoolCode,
    pub staff_no: String,
    pub parents: Vec<Vec<u8>>,
    pub colleagues: Vec<Vec<u8>>,
}

/// How many of the demo school's teachers are evaluated in the 师德 rounds.
const ETHICS_TEACHERS: usize = 8;

/// The demo school's first teachers evaluated by parents (24–44 answers each, so one or two
/// fall under the minimum of 30 and show only n) and by colleagues (8–14, the minimum being
/// 10), each teacher rated around their own level, a few 不了解.
pub fn generate_ethics(district: &SynthDistrict, seed: u64) -> Vec<EthicsTeacher> {
    let mut rng = Rng::stream(seed, 0x4554_4843);
    let items = |rng: &mut Rng, level: f64, n: usize| -> Vec<Vec<u8>> {
        (0..n)
            .map(|_| {
                let person = 0.5 * normal(rng);
                (0..6)
                    .map(|_| {
                        if rng.chance(0.05) {
                            return 0;
                        }
                        let x = level + person + 0.4 * normal(rng);
                        x.round().clamp(1.0, 5.0) as u8
                    })
                    .collect()
            })
            .collect()
    };
    district
        .batch
        .teachers
        .iter()
        .filter(|t| t.school_code == district.demo.school_code)
        .take(ETHICS_TEACHERS)
        .map(|t| {
            let level = 3.7 + 1.0 * rng.f64();
            let parents = 24 + rng.index(21);
            let colleagues = 8 + rng.index(7);
            EthicsTeacher {
                school_code: t.school_code.clone(),
                staff_no: t.staff_no.clone(),
                parents: items(&mut rng, level, parents),
                colleagues: items(&mut rng, level, colleagues),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SynthConfig, generate};

    #[test]
    fn schools_differ_and_answers_fit_the_questionnaire() {
        let d = generate(&SynthConfig {
            students: 3000,
            ..SynthConfig::default()
        });
        let round = generate_survey(&d, 7);
        assert_eq!(round.len(), d.batch.schools.len());
        let items = SURVEY_TEMPLATES[0].items.len();
        let mut satisfied = Vec::new();
        for s in &round {
            assert!(s.answers.len() <= s.issued);
            assert!(
                s.answers
                    .iter()
                    .all(|r| r.len() == items && r.iter().all(|v| *v <= 5))
            );
            let overall: Vec<u8> = s
                .answers
                .iter()
                .map(|r| r[items - 1])
                .filter(|v| *v > 0)
                .collect();
            let top2 =
                overall.iter().filter(|v| **v >= 4).count() as f64 / overall.len().max(1) as f64;
            satisfied.push(top2);
        }
        let (lo, hi) = satisfied
            .iter()
            .fold((1.0f64, 0.0f64), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
        assert!(hi - lo > 0.2, "schools should differ: {lo}..{hi}");
        assert_eq!(generate_survey(&d, 7), round, "fixed by the seed");
    }

    #[test]
    fn the_demo_school_s_teachers_are_rated_some_under_the_minimum() {
        let d = generate(&SynthConfig {
            students: 3000,
            ..SynthConfig::default()
        });
        let ethics = generate_ethics(&d, 7);
        assert!(!ethics.is_empty() && ethics.len() <= ETHICS_TEACHERS);
        assert!(ethics.iter().all(|t| t.school_code == d.demo.school_code));
        assert!(ethics.iter().all(|t| (24..=44).contains(&t.parents.len())));
        assert!(
            ethics
                .iter()
                .all(|t| (8..=14).contains(&t.colleagues.len()))
        );
        assert!(
            ethics
                .iter()
                .flat_map(|t| t.parents.iter().chain(&t.colleagues))
                .all(|r| r.len() == 6 && r.iter().all(|v| *v <= 5))
        );
        assert_eq!(generate_ethics(&d, 7), ethics, "fixed by the seed");
    }
}
