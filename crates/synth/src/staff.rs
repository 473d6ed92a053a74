//! Synthetic teacher appraisal inputs: one case per roster teacher, in the levels layout of
//! modules.md §4. Schools differ in their scores (one school's teachers score higher on
//! average); a few teachers are out of N (first job, long leave); exactly one teacher in the
//! district has a confirmed 师德 violation (the veto), one a 警告.
use wuyu_analytics::appraisal::{AppraisalCase, Sanction, UnitRating};

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

#[cfg(test)]
mod tests {
    use wuyu_analytics::appraisal::{AppraisalRules, Level, appraise};

    use super::*;
    use crate::SynthConfig;

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
