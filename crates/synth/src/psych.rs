//! A screening of the demo school's 五、六年级 (modules.md §3: 小学高年级 are screened each year):
//! consent for most students, answers whose attention levels are plausible for Chinese
//! children (most at 0, a few per cent at 2–3), and at least one level-3 result so the demo
//! opens a crisis case. Answers come as a CSV in the scorer's code layout, so the demo loads
//! them through the same importer a counsellor uses.
use std::fmt::Write;

use wuyu_domain::SchoolCode;

use crate::SynthDistrict;
use crate::rng::Rng;

/// The grades the demo campaign screens.
pub const PSYCH_GRADES: [u8; 2] = [5, 6];

/// The demo campaign's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PsychDemo {
    /// (学籍号, guardian consent and assent given): students without a decision are left out.
    pub consents: Vec<(String, bool)>,
    /// `student_no, phq9_1…9, gad7_1…7, asq_1…5` for every consenting student present on
    /// the screening day.
    pub answers_csv: String,
    /// 学籍号 of consenting students absent on the day: they answer later with a one-time code.
    pub absent: Vec<String>,
}

/// One student's answers by a latent profile: 0 calm, 1 mild, 2 marked, 3 severe.
fn answers(rng: &mut Rng, profile: u8, out: &mut String) {
    let item = |rng: &mut Rng| -> u8 {
        let r = rng.f64();
        match profile {
            0 => u8::from(r < 0.15),
            1 => {
                if r < 0.12 {
                    2
                } else {
                    u8::from(r < 0.55)
                }
            }
            2 => {
                if r < 0.45 {
                    2
                } else if r < 0.85 {
                    1
                } else {
                    3
                }
            }
            _ => {
                if r < 0.5 {
                    3
                } else {
                    2
                }
            }
        }
    };
    for _ in 0..8 {
        let _ = write!(out, ",{}", item(rng));
    }
    // Item 9 (self-harm thoughts) stays 0 unless the profile is marked or severe.
    let item9 = match profile {
        0 | 1 => 0,
        2 => u8::from(rng.f64() < 0.3),
        _ => 2,
    };
    let _ = write!(out, ",{item9}");
    for _ in 0..7 {
        let _ = write!(out, ",{}", item(rng));
    }
    let yes = |p: f64, rng: &mut Rng| if rng.f64() < p { "yes" } else { "no" };
    let p = match profile {
        0 | 1 => 0.0,
        2 => 0.25,
        _ => 0.8,
    };
    for _ in 0..4 {
        let _ = write!(out, ",{}", yes(p, rng));
    }
    let acute = if profile == 3 { "yes" } else { "" };
    let _ = write!(out, ",{acute}");
    out.push('\n');
}

/// The 学籍号 of the student whose answers open the demo's first crisis case.
pub fn first_crisis_student(demo: &PsychDemo) -> Option<&str> {
    demo.answers_csv.lines().nth(1)?.split(',').next()
}

/// The demo school's campaign data, deterministic in `seed`.
pub fn generate_psych(district: &SynthDistrict, school: &SchoolCode, seed: u64) -> PsychDemo {
    let mut rng = Rng::stream(seed, 0x5053_5943);
    let mut consents = Vec::new();
    let mut csv = String::from("student_no");
    for (scale, n) in [("phq9", 9), ("gad7", 7), ("asq", 5)] {
        for i in 1..=n {
            let _ = write!(csv, ",{scale}_{i}");
        }
    }
    csv.push('\n');
    let mut first = true;
    let mut absent = Vec::new();
    let mut first_class: Option<(u8, String)> = None;
    let mut classmate_absent = false;
    for s in &district.batch.students {
        if &s.school_code != school || !PSYCH_GRADES.contains(&s.grade.get()) {
            continue;
        }
        let r = rng.f64();
        // About 3 % have no decision yet, 4 % refused.
        if r < 0.03 {
            continue;
        }
        let given = r >= 0.07;
        consents.push((s.student_no.as_str().to_string(), given));
        if !given {
            continue;
        }
        // About 2 % were ill on the day, and always one classmate of the first crisis case, so
        // the demo has a code to hand out in that class; never the first itself.
        if !first {
            let classmate = !classmate_absent
                && first_class
                    .as_ref()
                    .is_some_and(|(g, c)| *g == s.grade.get() && *c == s.class_name);
            if classmate || rng.f64() < 0.02 {
                classmate_absent |= classmate;
                absent.push(s.student_no.as_str().to_string());
                continue;
            }
        }
        let p = rng.f64();
        let profile = if first {
            // The demo always has one case to show.
            first = false;
            first_class = Some((s.grade.get(), s.class_name.clone()));
            3
        } else if p < 0.82 {
            0
        } else if p < 0.95 {
            1
        } else if p < 0.99 {
            2
        } else {
            3
        };
        csv.push_str(s.student_no.as_str());
        answers(&mut rng, profile, &mut csv);
    }
    PsychDemo {
        consents,
        answers_csv: csv,
        absent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SynthConfig, generate};
    use wuyu_standards::scales::{
        AsqAnswer, AttentionLevel, LevelRules, ScreeningAnswers, score_screening,
    };

    /// Scores the CSV by hand (the layout is fixed) and checks the level shares.
    #[test]
    fn most_students_need_no_attention_and_a_few_are_flagged() {
        let d = generate(&SynthConfig {
            seed: 7,
            students: 2000,
            ..Default::default()
        });
        let demo = generate_psych(&d, &d.demo.school_code, 7);
        let mut counts = [0usize; 4];
        for line in demo.answers_csv.lines().skip(1) {
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(cells.len(), 22, "{line}");
            let num = |i: usize| Some(cells[i].parse::<u8>().unwrap());
            let asq = |i: usize| match cells[i] {
                "yes" => Some(AsqAnswer::Yes),
                "no" => Some(AsqAnswer::No),
                _ => None,
            };
            let a = ScreeningAnswers {
                phq: Some(std::array::from_fn(|i| num(1 + i))),
                gad: Some(std::array::from_fn(|i| num(10 + i))),
                asq: Some(std::array::from_fn(|i| asq(17 + i))),
            };
            let r = score_screening(&a, &LevelRules::default()).unwrap();
            counts[r.level.number() as usize] += 1;
        }
        let n: usize = counts.iter().sum();
        assert!(n > 100, "screened {n}");
        assert!(counts[0] as f64 / n as f64 > 0.6, "{counts:?}");
        assert!(
            counts[AttentionLevel::Crisis.number() as usize] >= 1,
            "{counts:?}"
        );
        let high = (counts[2] + counts[3]) as f64 / n as f64;
        assert!(high < 0.15, "{counts:?}");
        assert!(demo.consents.iter().any(|c| !c.1), "some refuse");
        // The absent have consent and no answers: the demo gives them one-time codes; one is
        // a classmate of the first crisis case.
        let class_of = |no: &str| {
            let s = d
                .batch
                .students
                .iter()
                .find(|s| s.student_no.as_str() == no)
                .unwrap();
            (s.grade, s.class_name.clone())
        };
        let crisis = first_crisis_student(&demo).unwrap();
        assert!(
            demo.absent
                .iter()
                .any(|no| class_of(no) == class_of(crisis))
        );
        for no in &demo.absent {
            assert!(demo.consents.contains(&(no.clone(), true)), "{no}");
            assert!(
                !demo
                    .answers_csv
                    .lines()
                    .any(|l| l.split(',').next() == Some(no)),
                "{no}"
            );
        }
    }
}
