//! The archive's demo data (issue 12): one term of approved activity records and a school
//! year of art assessments for every school, uneven between schools — each school has its own
//! engagement (how many of its students take part), so coverage, labor hours and stars differ
//! from school to school as they do in a real district. Plain rows; the demo writes them.
use time::{Date, Duration, Month};
use wuyu_domain::{ActivityCategory, SchoolCode, Tenths};
use wuyu_standards::archive::ArtParts;

use crate::SynthDistrict;
use crate::rng::Rng;

/// One activity record of one student.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveDemoRecord {
    pub school_code: SchoolCode,
    pub student_no: String,
    pub category: ActivityCategory,
    pub date: Date,
    pub end_date: Option<Date>,
    pub hours: Tenths,
    pub travel: Tenths,
    pub organiser: &'static str,
    pub description: &'static str,
}

/// One student's art assessment of the school year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtDemoRow {
    pub school_code: SchoolCode,
    pub student_no: String,
    pub parts: ArtParts,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArchiveDemo {
    pub records: Vec<ArchiveDemoRecord>,
    pub art: Vec<ArtDemoRow>,
}

/// A day of the autumn term of `school_year` (September to mid-December).
fn day(rng: &mut Rng, school_year: u16) -> Date {
    let start = Date::from_calendar_date(i32::from(school_year), Month::September, 1)
        .expect("1 September exists");
    start + Duration::days(i64::from(rng.range(0, 100)))
}

fn tenths(rng: &mut Rng, lo: u32, hi: u32) -> Tenths {
    Tenths(rng.range(lo, hi) as i32)
}

/// The autumn term's records and the year's art assessments of every enrolled student.
pub fn generate_archive(district: &SynthDistrict, seed: u64) -> ArchiveDemo {
    let mut rng = Rng::stream(seed, 0x4152_4348);
    // 家访 and 劳动周 draw from their own stream, so the other records stay as they were.
    let mut school_rng = Rng::stream(seed, 0x4c41_424f);
    let year = district.school_year;
    let mut engagement: Vec<(SchoolCode, f64)> = Vec::new();
    let offset = rng.f64();
    let mut out = ArchiveDemo::default();
    for s in &district.batch.students {
        let e = match engagement.iter().find(|(c, _)| *c == s.school_code) {
            Some((_, e)) => *e,
            None => {
                // 0.45–0.95, spread by the golden ratio so that even a few schools differ:
                // some record nearly everyone, some half.
                let k = engagement.len() as f64 * 0.618_034 + offset;
                let e = 0.45 + 0.5 * (k - k.floor());
                engagement.push((s.school_code.clone(), e));
                e
            }
        };
        let no = s.student_no.as_str().to_string();
        let mut push = |category, date, end_date, hours, travel, organiser, description| {
            out.records.push(ArchiveDemoRecord {
                school_code: s.school_code.clone(),
                student_no: no.clone(),
                category,
                date,
                end_date,
                hours,
                travel,
                organiser,
                description,
            });
        };
        if rng.chance(e) {
            let d = day(&mut rng, year);
            push(
                ActivityCategory::Art,
                d,
                None,
                tenths(&mut rng, 10, 40),
                Tenths(0),
                "艺术组",
                "校园艺术节合唱",
            );
        }
        if rng.chance(e * 0.9) {
            let d = day(&mut rng, year);
            let kind = if rng.chance(0.5) {
                (ActivityCategory::StudyTour, "年级组", "博物馆研学")
            } else {
                (ActivityCategory::SocialPractice, "社区居委会", "社区调查")
            };
            push(
                kind.0,
                d,
                None,
                tenths(&mut rng, 30, 80),
                Tenths(0),
                kind.1,
                kind.2,
            );
        }
        if rng.chance(e * 0.6) {
            // Volunteer service over the term: a few to tens of hours, travel recorded apart.
            let d = day(&mut rng, year).min(
                Date::from_calendar_date(i32::from(year), Month::October, 31)
                    .expect("31 October exists"),
            );
            let hours = tenths(&mut rng, 20, 400);
            let travel = Tenths(hours.0 / 10);
            push(
                ActivityCategory::Volunteer,
                d,
                Some(d + Duration::days(60)),
                hours,
                travel,
                "区志愿者协会",
                "敬老院志愿服务",
            );
        }
        // 家务劳动 check-ins summed over the term (20 weeks): around the 2–3 h a week.
        let start = Date::from_calendar_date(i32::from(year), Month::September, 1)
            .expect("1 September exists");
        let weekly = 1.0 + 3.0 * e * rng.f64() + rng.f64();
        let hours = Tenths((weekly * 20.0 * 10.0) as i32);
        push(
            ActivityCategory::LaborHome,
            start,
            Some(start + Duration::days(120)),
            hours,
            Tenths(0),
            "家庭",
            "家务劳动打卡",
        );
        // Most schools hold their 劳动周 in November (the more engaged ones surely; a few
        // not at all); 家访 reach most students of an engaged school, fewer elsewhere.
        if e >= 0.55 {
            let start = Date::from_calendar_date(i32::from(year), Month::November, 3)
                .expect("3 November exists");
            push(
                ActivityCategory::LaborWeek,
                start,
                Some(start + Duration::days(4)),
                Tenths(150),
                Tenths(0),
                "学校劳动教育处",
                "劳动周：校园种植与整理",
            );
        }
        if school_rng.chance(0.35 + 0.6 * e) {
            push(
                ActivityCategory::HomeVisit,
                day(&mut school_rng, year),
                None,
                Tenths(10),
                Tenths(0),
                "班主任",
                "家访",
            );
        }
        // Art assessment: basic 25–40, academic 25–50, development 0–20, tilted by the school.
        let basic = tenths(&mut rng, 250, 400);
        let academic = Tenths((250.0 + 250.0 * (0.5 * e + 0.5 * rng.f64())) as i32);
        let development = Tenths((200.0 * e * rng.f64()) as i32);
        out.art.push(ArtDemoRow {
            school_code: s.school_code.clone(),
            student_no: no,
            parts: ArtParts {
                basic,
                academic: Tenths(academic.0.min(500)),
                development,
            },
        });
    }
    // Students no longer 在读 (a 辍学) get nothing new on record. Their draws were still made,
    // so every other student's records are the same as before the roster had statuses.
    let gone: std::collections::HashSet<&str> = district
        .batch
        .students
        .iter()
        .filter(|s| {
            s.status
                .as_ref()
                .is_some_and(|c| c.status != wuyu_domain::StudentStatus::Enrolled)
        })
        .map(|s| s.student_no.as_str())
        .collect();
    out.records
        .retain(|r| !gone.contains(r.student_no.as_str()));
    out.art.retain(|a| !gone.contains(a.student_no.as_str()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SynthConfig;

    #[test]
    fn every_record_is_possible_and_schools_differ() {
        let d = crate::generate(&SynthConfig {
            seed: 7,
            students: 2_000,
            ..Default::default()
        });
        let a = generate_archive(&d, 7);
        let term = wuyu_domain::Term::new(d.school_year, wuyu_domain::TermPart::Autumn).unwrap();
        let enrolled = d
            .batch
            .students
            .iter()
            .filter(|s| s.status.is_none())
            .count();
        assert_eq!(a.art.len(), enrolled);
        for r in &a.records {
            let span = (r.date, r.end_date.unwrap_or(r.date));
            assert!(term.contains(span.0) && term.contains(span.1), "{r:?}");
            assert!(r.hours.0 >= 0 && r.travel <= r.hours);
            let days = (span.1 - span.0).whole_days() + 1;
            assert!(i64::from(r.hours.0) <= days * 240, "{r:?}");
        }
        for p in &a.art {
            assert!(p.parts.score().is_ok(), "{p:?}");
        }
        // Art coverage per school: not all the same.
        let mut cover: Vec<(SchoolCode, usize, usize)> = Vec::new();
        for s in &d.batch.students {
            let art = a.records.iter().any(|r| {
                r.student_no == s.student_no.as_str() && r.category == ActivityCategory::Art
            });
            match cover.iter_mut().find(|c| c.0 == s.school_code) {
                Some(c) => {
                    c.1 += usize::from(art);
                    c.2 += 1;
                }
                None => cover.push((s.school_code.clone(), usize::from(art), 1)),
            }
        }
        let rates: Vec<f64> = cover.iter().map(|c| c.1 as f64 / c.2 as f64).collect();
        let (lo, hi) = rates
            .iter()
            .fold((1.0f64, 0.0f64), |(l, h), r| (l.min(*r), h.max(*r)));
        assert!(hi - lo > 0.15, "uneven between schools: {rates:?}");
    }
}
