//! Per-unit counts of the archive: who took part in art, who had a 校外实践, who met the weekly
//! out-of-class labor hours, volunteer service hours, and the art assessment levels. The store
//! gathers one [`StudentActivity`] per enrolled student (approved records only); this sums
//! them, so every page and indicator counts the same way.
use wuyu_domain::{ArtLevel, Grade, Tenths};
use wuyu_standards::archive::weekly_labor_hours;

/// One enrolled student's approved activity in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StudentActivity {
    pub grade: Grade,
    /// Approved 艺术活动 records.
    pub art_records: u32,
    /// Approved 校外实践 records (社会实践, 研学旅行, 志愿服务).
    pub off_campus_records: u32,
    /// Approved out-of-class labor hours (校内劳动, 家务劳动).
    pub labor_hours: Tenths,
    /// Approved volunteer service hours, travel excluded.
    pub volunteer_hours: Tenths,
    /// The year's art assessment level, if assessed.
    pub art_level: Option<ArtLevel>,
    /// Approved 家访 records.
    pub home_visits: u32,
    /// Approved 劳动周 records (the student took part in the school's 劳动周).
    pub labor_week_records: u32,
}

/// Whether `hours` over `weeks` school weeks meet the weekly requirement of the grade
/// (on average: 3 h a week over 20 weeks is 60 h).
pub fn labor_met(grade: Grade, hours: Tenths, weeks: u32) -> bool {
    i64::from(hours.0) >= i64::from(weekly_labor_hours(grade).0) * i64::from(weeks)
}

/// Sums over a unit's students.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ArchiveCounts {
    pub students: u64,
    pub art_covered: u64,
    pub off_campus_covered: u64,
    /// Approved 校外实践 records in all.
    pub off_campus_records: u64,
    pub labor_met: u64,
    pub volunteer_hours: Tenths,
    pub art_assessed: u64,
    pub art_excellent: u64,
    /// 合格 or better.
    pub art_passed: u64,
    /// Students with ≥ 1 approved 家访 record.
    pub home_visited: u64,
    /// Students with ≥ 1 approved 劳动周 record (a school with one has held its 劳动周).
    pub labor_week_students: u64,
}

impl ArchiveCounts {
    /// Adds another unit's counts (classes into a school, schools into the district).
    pub fn merge(&mut self, o: &ArchiveCounts) {
        self.students += o.students;
        self.art_covered += o.art_covered;
        self.off_campus_covered += o.off_campus_covered;
        self.off_campus_records += o.off_campus_records;
        self.labor_met += o.labor_met;
        self.volunteer_hours.0 += o.volunteer_hours.0;
        self.art_assessed += o.art_assessed;
        self.art_excellent += o.art_excellent;
        self.art_passed += o.art_passed;
        self.home_visited += o.home_visited;
        self.labor_week_students += o.labor_week_students;
    }

    /// Counts `students` over a period of `weeks` school weeks.
    pub fn of<'a>(students: impl IntoIterator<Item = &'a StudentActivity>, weeks: u32) -> Self {
        let mut c = Self::default();
        for s in students {
            c.add(s, weeks);
        }
        c
    }

    pub fn add(&mut self, s: &StudentActivity, weeks: u32) {
        self.students += 1;
        self.art_covered += u64::from(s.art_records > 0);
        self.off_campus_covered += u64::from(s.off_campus_records > 0);
        self.off_campus_records += u64::from(s.off_campus_records);
        self.labor_met += u64::from(labor_met(s.grade, s.labor_hours, weeks));
        self.volunteer_hours.0 += s.volunteer_hours.0;
        self.home_visited += u64::from(s.home_visits > 0);
        self.labor_week_students += u64::from(s.labor_week_records > 0);
        if let Some(level) = s.art_level {
            self.art_assessed += 1;
            self.art_excellent += u64::from(level == ArtLevel::Excellent);
            self.art_passed += u64::from(level != ArtLevel::Fail);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn student(grade: u8, labor: i32) -> StudentActivity {
        StudentActivity {
            grade: Grade::new(grade).unwrap(),
            art_records: 0,
            off_campus_records: 0,
            labor_hours: Tenths(labor),
            volunteer_hours: Tenths(0),
            art_level: None,
            home_visits: 0,
            labor_week_records: 0,
        }
    }

    #[test]
    fn labor_hours_at_the_weekly_thresholds() {
        // 20 weeks: grades 1–2 need 40 h, others 60 h.
        assert!(labor_met(Grade::new(2).unwrap(), Tenths(400), 20));
        assert!(!labor_met(Grade::new(2).unwrap(), Tenths(399), 20));
        assert!(labor_met(Grade::new(3).unwrap(), Tenths(600), 20));
        assert!(!labor_met(Grade::new(3).unwrap(), Tenths(599), 20));
        // One week: 2 h / 3 h exactly.
        assert!(labor_met(Grade::new(1).unwrap(), Tenths(20), 1));
        assert!(!labor_met(Grade::new(7).unwrap(), Tenths(29), 1));
    }

    #[test]
    fn a_class_counted_by_hand() {
        // Five students over 20 weeks; by hand: labor met by #1 (g2, 40 h), #3 (g3, 60 h)
        // and #5 (g3, 75 h) = 3; art by #1 and #4 = 2; 校外 by #2 = 1; volunteer 12.5 + 3 = 15.5 h;
        // assessed 3: 优秀 1 (#1), 合格 or better 2 (#1, #4).
        let mut s = [
            student(2, 400),
            student(2, 399),
            student(3, 600),
            student(3, 599),
            student(3, 750),
        ];
        s[0].art_records = 2;
        s[0].art_level = Some(ArtLevel::Excellent);
        s[1].off_campus_records = 1;
        s[1].volunteer_hours = Tenths(125);
        s[2].volunteer_hours = Tenths(30);
        s[2].art_level = Some(ArtLevel::Fail);
        s[3].art_records = 1;
        s[3].art_level = Some(ArtLevel::Pass);
        // 家访: #2 and #5 (#5 twice) = 2 students; 劳动周: #4 = 1.
        s[1].home_visits = 1;
        s[4].home_visits = 2;
        s[3].labor_week_records = 1;
        let c = ArchiveCounts::of(&s, 20);
        assert_eq!(
            c,
            ArchiveCounts {
                students: 5,
                art_covered: 2,
                off_campus_covered: 1,
                off_campus_records: 1,
                labor_met: 3,
                volunteer_hours: Tenths(155),
                art_assessed: 3,
                art_excellent: 1,
                art_passed: 2,
                home_visited: 2,
                labor_week_students: 1,
            }
        );
    }
}
