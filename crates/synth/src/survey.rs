//! One parents' satisfaction round for the demo: per school a number of one-time codes (about
//! one family in eight, 20–80) and answers from a share of them, with a school climate that
//! differs between schools, 作业负担 rated lower than the rest and a few 不了解, so the results
//! are uneven and a few small schools fall under the minimum of 30 parents. Beside it, 师德
//! rounds for some of the demo school's teachers, by parents and by colleagues.
use wuyu_domain::{AFTER_SCHOOL_ACTIVITIES, SURVEY_TEMPLATES, SchoolCode, SurveyAudience};

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
/// One school's part of the 课后服务 round: the 5-point answers, the projects each family
/// ticked (option indices, at least one) and the suggestions some of them wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AfterSchoolSchool {
    pub school_code: SchoolCode,
    pub issued: usize,
    pub answers: Vec<Vec<u8>>,
    pub projects: Vec<Vec<usize>>,
    pub suggestions: Vec<Option<String>>,
}

/// What parents write under 意见和建议, picked at random for about one family in four.
const SUGGESTIONS: [&str; 10] = [
    "希望增加体育活动的时间",
    "作业辅导很有帮助，谢谢老师",
    "希望能有更多科技类的兴趣班",
    "放学时间能否再晚半小时，方便接孩子",
    "希望课后服务的内容更丰富一些",
    "孩子很喜欢书法课",
    "建议按年级分组辅导作业",
    "希望增加阅读和讲故事的活动",
    "老师很辛苦，辛苦了",
    "希望公布每学期的课后服务安排",
];

/// The demo's 课后服务 round: about one family in twelve per school (15–50 codes), answers
/// from most of them, each school offering its own mix of projects (作业辅导 nearly
/// everywhere, 科技 in few), so the shares differ between schools.
pub fn generate_after_school(district: &SynthDistrict, seed: u64) -> Vec<AfterSchoolSchool> {
    let likert = SURVEY_TEMPLATES
        .iter()
        .find(|t| t.key == "after_school")
        .map_or(0, |t| t.items.len());
    let mut rng = Rng::stream(seed, 0x4153_4348);
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
            let issued = (families / 12).clamp(15, 50);
            let answered = ((issued as f64) * (0.6 + 0.35 * rng.f64())).round() as usize;
            let climate = 3.6 + 1.1 * rng.f64();
            // How likely a family ticks each project at this school.
            let offer: Vec<f64> = (0..AFTER_SCHOOL_ACTIVITIES.len())
                .map(|k| match k {
                    0 => 0.75 + 0.2 * rng.f64(),
                    3 => 0.05 + 0.25 * rng.f64(),
                    6 => 0.05,
                    _ => 0.15 + 0.45 * rng.f64(),
                })
                .collect();
            let mut out = AfterSchoolSchool {
                school_code: school.code.clone(),
                issued,
                answers: Vec::with_capacity(answered),
                projects: Vec::with_capacity(answered),
                suggestions: Vec::with_capacity(answered),
            };
            for _ in 0..answered {
                let family = 0.5 * normal(&mut rng);
                out.answers.push(
                    (0..likert)
                        .map(|_| {
                            if rng.chance(0.03) {
                                return 0;
                            }
                            let x = climate + family + 0.5 * normal(&mut rng);
                            x.round().clamp(1.0, 5.0) as u8
                        })
                        .collect(),
                );
                let mut picks: Vec<usize> =
                    (0..offer.len()).filter(|&k| rng.chance(offer[k])).collect();
                if picks.is_empty() {
                    picks.push(0);
                }
                out.projects.push(picks);
                out.suggestions.push(
                    rng.chance(0.25)
                        .then(|| SUGGESTIONS[rng.index(SUGGESTIONS.len())].to_string()),
                );
            }
            out
        })
        .collect()
}

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
    fn after_school_answers_fit_the_template_and_projects_differ() {
        let d = generate(&SynthConfig {
            students: 3000,
            ..SynthConfig::default()
        });
        let round = generate_after_school(&d, 7);
        let q = wuyu_domain::survey_template("after_school")
            .unwrap()
            .questionnaire();
        let likert = q
            .items
            .iter()
            .filter(|i| i.kind == wuyu_domain::ItemKind::Likert)
            .count();
        let mut tech = Vec::new();
        for s in &round {
            assert!(s.answers.len() <= s.issued);
            assert_eq!(s.answers.len(), s.projects.len());
            assert!(s.answers.iter().all(|r| r.len() == likert));
            assert!(
                s.projects
                    .iter()
                    .all(|p| !p.is_empty() && p.iter().all(|&k| k < AFTER_SCHOOL_ACTIVITIES.len()))
            );
            let written = s.suggestions.iter().flatten().count();
            assert!(written < s.answers.len());
            let n = s.projects.iter().filter(|p| p.contains(&3)).count();
            tech.push(n as f64 / s.projects.len().max(1) as f64);
        }
        let (lo, hi) = tech
            .iter()
            .fold((1.0f64, 0.0f64), |(l, h), v| (l.min(*v), h.max(*v)));
        assert!(hi - lo > 0.1, "科技 shares {lo}–{hi}");
    }

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
