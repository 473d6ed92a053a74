//! Synthetic teacher appraisal inputs: one case per roster teacher, in the levels layout of
//! modules.md §4. Schools differ in their scores (one school's teachers score higher on
//! average); a few teachers are out of N (first job, long leave); exactly one teacher in the
//! district has a confirmed 师德 violation (the veto), one a 警告.
use wuyu_analytics::appraisal::{AppraisalCase, Sanction, SourceValues, UnitRating};

use crate::SynthDistrict;
use crate::rng::Rng;

/// Every roster teacher's appraisal inputs for the district's school year.
pub fn generate_appraisal(district: &SynthDistrict, seed: u64) -> Vec<AppraisalCase> {
    let mut rng = Rng::stream(seed, 0x5354_4146);
    let mut schools: Vec<&str> = Vec::new();
    let mut out: Vec<AppraisalCase> = Vec::new();
    for t in &district.batch.teachers {
        let code = t.school_code.as_str();
        let k = match schools.iter().position(|s| *s == code) {
            Some(k) => k,
            None => {
                schools.push(code);
                schools.len() - 1
            }
        };
        // A school level of 72–88 by school index, each teacher ±10 around it.
        let level = 72.0 + 16.0 * ((k as f64 * 0.618_034).fract());
        let score = (level + rng.f64() * 20.0 - 10.0).clamp(40.0, 99.0);
        let r = rng.f64();
        out.push(AppraisalCase {
            school: code.to_string(),
            // The first school was rated with an award: its quota is 25 %.
            unit_rating: if k == 0 {
                UnitRating::Award
            } else {
                UnitRating::Normal
            },
            staff_no: t.staff_no.clone(),
            score: Some((score * 10.0).round() / 10.0),
            org_score: Some(
                ((score + rng.f64() * 6.0 - 3.0).clamp(0.0, 100.0) * 10.0).round() / 10.0,
            ),
            first_job_months: (r < 0.03).then_some(4),
            leave_days: if (0.03..0.05).contains(&r) { 200 } else { 0 },
            under_investigation: false,
            ethics_violation: false,
            sanction: None,
        });
    }
    // The one veto and one warning, in the second school if there is one.
    let second = schools.get(1).or(schools.first()).map(|s| s.to_string());
    let mut in_second = out
        .iter_mut()
        .filter(|c| Some(&c.school) == second.as_ref() && c.first_job_months.is_none());
    if let Some(c) = in_second.next() {
        c.ethics_violation = true;
    }
    if let Some(c) = in_second.next() {
        c.sanction = Some(Sanction::Warning);
    }
    out
}

/// The score sources of every case of [`generate_appraisal`] (aligned with it), scattered
/// around the case's score so the composed score lands near it: the organisation score, five
/// to nine colleagues' ratings, a parent/student rating and a workload score. About one
/// teacher in ten has no parent rating and one in twenty only two raters (too few), so the demo
/// shows re-normalised, flagged rows. The teaching result comes from the exams, not from here.
pub fn generate_appraisal_sources(cases: &[AppraisalCase], seed: u64) -> Vec<SourceValues> {
    let mut rng = Rng::stream(seed, 0x5352_4353);
    let tenth = |x: f64| (x.clamp(0.0, 100.0) * 10.0).round() / 10.0;
    cases
        .iter()
        .map(|c| {
            let centre = c.score.unwrap_or(80.0);
            let r = rng.f64();
            let raters = if r < 0.05 {
                2
            } else {
                5 + (rng.f64() * 5.0) as usize
            };
            let peer_ratings = (0..raters)
                .map(|_| tenth(centre + rng.f64() * 12.0 - 6.0).round())
                .collect();
            let parent = tenth(centre + rng.f64() * 16.0 - 8.0);
            SourceValues {
                org: c.org_score,
                peer_ratings,
                parent: (!(0.05..0.15).contains(&r)).then_some(parent),
                teaching: None,
                workload: Some(tenth(70.0 + rng.f64() * 25.0)),
            }
        })
        .collect()
}

/// One synthetic development record of a teacher.
#[derive(Debug, Clone, PartialEq)]
pub enum DevRecord {
    /// A course: name, ISO date, hours, 666 level (`general`, `key`, `advanced`), provider.
    Training {
        course: &'static str,
        taken_on: String,
        hours: f64,
        level: &'static str,
    },
    /// A title (`key_teacher`, `subject_leader`, `master_teacher`) with level code and year.
    Title {
        title: &'static str,
        level: &'static str,
        year: i32,
    },
    /// A 工作室 membership: the studio's name, `host` or `member`, level code, year joined.
    Studio {
        studio: String,
        role: &'static str,
        level: &'static str,
        year: i32,
    },
}

const COURSES: [&str; 6] = [
    "新课标解读与教学设计",
    "信息技术与学科教学融合",
    "班主任工作能力提升",
    "心理健康教育基础",
    "作业设计与评价",
    "智慧教育应用专项培训",
];

/// Training, titles and studios for every teacher, in the five school years ending with the
/// district's: most teachers a few 普及 courses (so some reach the cycle's hours and some do
/// not), a tenth 骨干 and a few 高端 courses; about one in eight holds a title; each school's
/// first title holder hosts a studio that two colleagues join. As (school code, 工号, record).
pub fn generate_development(
    district: &SynthDistrict,
    seed: u64,
) -> Vec<(String, String, DevRecord)> {
    let mut rng = Rng::stream(seed, 0x4445_5645);
    let last = i32::from(district.school_year);
    let mut out = Vec::new();
    let mut host: Vec<(String, String)> = Vec::new();
    let mut members: Vec<(String, u8)> = Vec::new();
    for t in &district.batch.teachers {
        let code = t.school_code.as_str().to_string();
        let courses = 2 + rng.index(6);
        for _ in 0..courses {
            let year = last - rng.index(5) as i32;
            let month = 1 + rng.index(12) as u8;
            let day = 1 + rng.index(28) as u8;
            let r = rng.f64();
            let level = if r < 0.05 {
                "advanced"
            } else if r < 0.15 {
                "key"
            } else {
                "general"
            };
            out.push((
                code.clone(),
                t.staff_no.clone(),
                DevRecord::Training {
                    course: COURSES[rng.index(COURSES.len())],
                    taken_on: format!("{year}-{month:02}-{day:02}"),
                    hours: f64::from(24 + 8 * rng.range(0, 10)),
                    level,
                },
            ));
        }
        if rng.chance(0.125) {
            let r = rng.f64();
            let (title, level) = if r < 0.6 {
                ("key_teacher", "district")
            } else if r < 0.85 {
                ("subject_leader", "city")
            } else {
                ("master_teacher", "province")
            };
            out.push((
                code.clone(),
                t.staff_no.clone(),
                DevRecord::Title {
                    title,
                    level,
                    year: last + 1 - rng.index(4) as i32,
                },
            ));
            if !host.iter().any(|(c, _)| *c == code) {
                host.push((code.clone(), t.staff_no.clone()));
                out.push((
                    code.clone(),
                    t.staff_no.clone(),
                    DevRecord::Studio {
                        studio: format!("{}名师工作室", t.staff_no),
                        role: "host",
                        level: "district",
                        year: last - 1,
                    },
                ));
                continue;
            }
        }
        // Two colleagues of the school's host join the studio.
        if let Some((_, h)) = host.iter().find(|(c, _)| *c == code) {
            let joined = members.iter().filter(|(c, _)| *c == code).count();
            if joined < 2 {
                members.push((code.clone(), 1));
                out.push((
                    code.clone(),
                    t.staff_no.clone(),
                    DevRecord::Studio {
                        studio: format!("{h}名师工作室"),
                        role: "member",
                        level: "district",
                        year: last,
                    },
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use wuyu_analytics::appraisal::{AppraisalRules, Level, appraise};

    use super::*;
    use crate::SynthConfig;

    #[test]
    fn development_records_cover_every_level_and_hours_differ() {
        let d = crate::generate(&SynthConfig {
            seed: 7,
            students: 2_000,
            ..Default::default()
        });
        let recs = generate_development(&d, 7);
        let levels: std::collections::HashSet<&str> = recs
            .iter()
            .filter_map(|(_, _, r)| match r {
                DevRecord::Training { level, .. } => Some(*level),
                _ => None,
            })
            .collect();
        assert_eq!(levels.len(), 3, "普及, 骨干 and 高端 all occur");
        assert!(
            recs.iter()
                .any(|(_, _, r)| matches!(r, DevRecord::Title { .. }))
        );
        assert!(
            recs.iter()
                .any(|(_, _, r)| matches!(r, DevRecord::Studio { role: "host", .. }))
        );
        let mut hours: std::collections::HashMap<&str, f64> = Default::default();
        for (_, no, r) in &recs {
            if let DevRecord::Training { hours: h, .. } = r {
                *hours.entry(no.as_str()).or_default() += h;
            }
        }
        assert!(hours.values().any(|h| *h >= 360.0) && hours.values().any(|h| *h < 360.0));
    }

    #[test]
    fn sources_cover_every_case_and_some_rows_lack_a_source() {
        let d = crate::generate(&SynthConfig {
            seed: 7,
            students: 2_000,
            ..Default::default()
        });
        let cases = generate_appraisal(&d, 7);
        let sources = generate_appraisal_sources(&cases, 7);
        assert_eq!(sources.len(), cases.len());
        assert!(
            sources
                .iter()
                .all(|s| s.peer_ratings.iter().all(|x| (0.0..=100.0).contains(x)))
        );
        assert!(
            sources.iter().any(|s| s.parent.is_none()),
            "a missing parent rating"
        );
        assert!(sources.iter().any(|s| s.peer_ratings.len() >= 5));
        assert!(
            sources.iter().all(|s| s.teaching.is_none()),
            "teaching comes from exams"
        );
    }

    #[test]
    fn every_teacher_has_a_case_one_veto_and_schools_differ() {
        let d = crate::generate(&SynthConfig {
            seed: 7,
            students: 2_000,
            ..Default::default()
        });
        let cases = generate_appraisal(&d, 7);
        assert_eq!(cases.len(), d.batch.teachers.len());
        assert_eq!(cases.iter().filter(|c| c.ethics_violation).count(), 1);
        let out = appraise(&cases, &AppraisalRules::default()).unwrap();
        let vetoed = cases.iter().position(|c| c.ethics_violation).unwrap();
        assert_eq!(out[vetoed].level, Level::Unqualified);
        // The schools' mean scores are not all the same: the demo shows uneven rounds.
        let mean = |code: &str| {
            let s: Vec<f64> = cases
                .iter()
                .filter(|c| c.school == code)
                .filter_map(|c| c.score)
                .collect();
            s.iter().sum::<f64>() / s.len() as f64
        };
        let means: Vec<f64> = d
            .batch
            .schools
            .iter()
            .map(|s| mean(s.code.as_str()))
            .filter(|m| m.is_finite())
            .collect();
        let spread = means.iter().cloned().fold(f64::MIN, f64::max)
            - means.iter().cloned().fold(f64::MAX, f64::min);
        assert!(spread > 3.0, "{means:?}");
    }
}
