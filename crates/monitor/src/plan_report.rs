//! Reported indicators (填报): a school or the district enters a value for a target of the
//! plan, the district approves it or returns it with a reason. The states and the range rule
//! for a reported value; the store keeps them, the service runs the workflow.
use serde::{Deserialize, Serialize};

use crate::plan::UnitKind;

/// Where a reported value stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Entered, waiting for the district (待审核).
    Submitted,
    /// Approved by the district: it counts in the plan's verdicts.
    Approved,
    /// Sent back with a reason; the school corrects and submits again.
    Returned,
}

impl ReportStatus {
    pub fn code(self) -> &'static str {
        match self {
            ReportStatus::Submitted => "submitted",
            ReportStatus::Approved => "approved",
            ReportStatus::Returned => "returned",
        }
    }

    pub fn from_code(s: &str) -> Option<ReportStatus> {
        [
            ReportStatus::Submitted,
            ReportStatus::Approved,
            ReportStatus::Returned,
        ]
        .into_iter()
        .find(|k| k.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ReportStatus::Submitted => "待审核",
            ReportStatus::Approved => "已通过",
            ReportStatus::Returned => "已退回",
        }
    }
}

/// Reads a reported value for an indicator of `kind` as the school types it (`85`, `85%`,
/// `2.5`). A rate outside 0–100, a negative or non-numeric value is refused, in Chinese.
pub fn parse_reported_value(text: &str, kind: UnitKind) -> Result<f64, String> {
    let t = text.trim().trim_end_matches('%').trim();
    if t.is_empty() {
        return Err("请填写数值".into());
    }
    let x: f64 = t
        .parse()
        .map_err(|_| format!("“{}”不是数字", text.trim()))?;
    if !x.is_finite() || x < 0.0 {
        return Err(format!("数值应不小于 0（填写的是 {}）", text.trim()));
    }
    if kind == UnitKind::Rate && x > 100.0 {
        return Err(format!(
            "百分比应在 0 到 100 之间（填写的是 {}，如 85 表示 85%）",
            text.trim()
        ));
    }
    if kind == UnitKind::Count && x.fract() != 0.0 {
        return Err(format!("数量应为整数（填写的是 {}）", text.trim()));
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reported_values_are_checked_against_their_unit() {
        assert_eq!(parse_reported_value("85%", UnitKind::Rate), Ok(85.0));
        assert_eq!(parse_reported_value(" 12 ", UnitKind::Count), Ok(12.0));
        assert!(
            parse_reported_value("130", UnitKind::Rate)
                .unwrap_err()
                .contains("130")
        );
        assert!(parse_reported_value("-1", UnitKind::Hours).is_err());
        assert!(parse_reported_value("很多", UnitKind::Count).is_err());
        assert!(parse_reported_value("2.5", UnitKind::Count).is_err());
        assert_eq!(parse_reported_value("2.5", UnitKind::Ratio), Ok(2.5));
        for s in [
            ReportStatus::Submitted,
            ReportStatus::Approved,
            ReportStatus::Returned,
        ] {
            assert_eq!(ReportStatus::from_code(s.code()), Some(s));
        }
    }
}

/// How often a reported target is due (填报周期), a district setting per indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// Once per school year, in the month after it ends (July).
    Yearly,
    /// Every quarter of the school year (Sep–Nov, Dec–Feb, Mar–May, Jun–Aug): the school
    /// refreshes its value, due in the month after the quarter.
    Quarterly,
    /// Every month of the school year, due in the next month.
    Monthly,
}

impl Cadence {
    pub const ALL: [Cadence; 3] = [Cadence::Yearly, Cadence::Quarterly, Cadence::Monthly];

    pub fn code(self) -> &'static str {
        match self {
            Cadence::Yearly => "yearly",
            Cadence::Quarterly => "quarterly",
            Cadence::Monthly => "monthly",
        }
    }

    pub fn from_code(s: &str) -> Option<Cadence> {
        Cadence::ALL.into_iter().find(|c| c.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Cadence::Yearly => "每年",
            Cadence::Quarterly => "每季度",
            Cadence::Monthly => "每月",
        }
    }

    /// Months per reporting period.
    fn months(self) -> u8 {
        match self {
            Cadence::Yearly => 10,
            Cadence::Quarterly => 3,
            Cadence::Monthly => 1,
        }
    }
}

/// When a reported target is due: the cadence and the day of the month after each period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueRule {
    pub cadence: Cadence,
    /// 1–28, so every month has it.
    pub day: u8,
}

impl Default for DueRule {
    /// Once a year, by 15 July (the school year's results are in, the year-end summary is not).
    fn default() -> Self {
        DueRule {
            cadence: Cadence::Yearly,
            day: 15,
        }
    }
}

/// One reporting period of a school year and its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DuePeriod {
    /// First day of the period.
    pub start: time::Date,
    /// The day the value is due.
    pub due: time::Date,
}

/// The first day of `month` months after September of `school_year`.
fn month_start(school_year: i32, months_after_sep: u8) -> time::Date {
    let m0 = 8 + i32::from(months_after_sep); // 0-based month index from January of school_year
    let year = school_year + m0 / 12;
    let month =
        time::Month::try_from(u8::try_from(m0 % 12 + 1).expect("1..=12")).expect("a month number");
    time::Date::from_calendar_date(year, month, 1).expect("the first of a month")
}

impl DueRule {
    /// Checks a rule typed by a district admin.
    pub fn new(cadence: Cadence, day: u8) -> Result<DueRule, String> {
        if !(1..=28).contains(&day) {
            return Err(format!("截止日应在 1 到 28 日之间（填写的是 {day}）"));
        }
        Ok(DueRule { cadence, day })
    }

    /// The reporting periods of a school year (September `school_year` to August), in order.
    /// A yearly target has one period, Sep–Jun, due in July.
    pub fn periods(self, school_year: i32) -> Vec<DuePeriod> {
        let step = self.cadence.months();
        (0..12u8)
            .step_by(usize::from(step))
            .filter(|start| start + step <= 12)
            .map(|start| {
                let due_month = month_start(school_year, start + step);
                DuePeriod {
                    start: month_start(school_year, start),
                    due: due_month
                        .replace_day(self.day)
                        .expect("day 1..=28 exists in every month"),
                }
            })
            .collect()
    }

    /// The latest period whose due date is on or before `today`, if any has passed.
    pub fn last_passed(self, school_year: i32, today: time::Date) -> Option<DuePeriod> {
        self.periods(school_year)
            .into_iter()
            .rev()
            .find(|p| p.due <= today)
    }

    /// The next due date after `today` within the school year, if any is left.
    pub fn next_due(self, school_year: i32, today: time::Date) -> Option<DuePeriod> {
        self.periods(school_year)
            .into_iter()
            .find(|p| p.due > today)
    }

    /// Whether a unit is overdue on `today`: a due date has passed and the unit has no
    /// submission dated within that period (a yearly target: no submission at all), or its
    /// value was returned and not entered again. `report` is the stored status and the date
    /// it was last submitted.
    pub fn is_overdue(
        self,
        school_year: i32,
        today: time::Date,
        report: Option<(ReportStatus, time::Date)>,
    ) -> bool {
        let Some(period) = self.last_passed(school_year, today) else {
            return false;
        };
        match report {
            None => true,
            Some((ReportStatus::Returned, _)) => true,
            Some((_, submitted)) => self.cadence != Cadence::Yearly && submitted < period.start,
        }
    }

    /// Whether an approved value may be entered again on `today`: a value approved before the
    /// current period began is refreshed each quarter or month; a yearly one stays approved.
    pub fn may_refresh(self, school_year: i32, today: time::Date, approved: time::Date) -> bool {
        if self.cadence == Cadence::Yearly {
            return false;
        }
        self.periods(school_year)
            .into_iter()
            .rev()
            .find(|p| p.start <= today)
            .is_some_and(|p| approved < p.start)
    }
}

#[cfg(test)]
mod due_tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn periods_of_each_cadence_cover_the_school_year() {
        let yearly = DueRule::default().periods(2024);
        assert_eq!(
            yearly,
            vec![DuePeriod {
                start: date!(2024 - 09 - 01),
                due: date!(2025 - 07 - 15)
            }]
        );
        let q = DueRule::new(Cadence::Quarterly, 10).unwrap().periods(2024);
        assert_eq!(q.len(), 4);
        assert_eq!(q[1].start, date!(2024 - 12 - 01));
        assert_eq!(q[1].due, date!(2025 - 03 - 10));
        assert_eq!(q[3].due, date!(2025 - 09 - 10));
        let m = DueRule::new(Cadence::Monthly, 5).unwrap().periods(2024);
        assert_eq!(m.len(), 12);
        assert_eq!(m[3].start, date!(2024 - 12 - 01));
        assert_eq!(m[3].due, date!(2025 - 01 - 05));
        assert!(DueRule::new(Cadence::Monthly, 31).is_err());
        assert!(DueRule::new(Cadence::Monthly, 0).is_err());
    }

    #[test]
    fn overdue_follows_the_last_passed_due_date() {
        let y = DueRule::default();
        // Before 15 July nothing is overdue; on the day a missing value is.
        assert!(!y.is_overdue(2024, date!(2025 - 07 - 14), None));
        assert!(y.is_overdue(2024, date!(2025 - 07 - 15), None));
        let sub = Some((ReportStatus::Submitted, date!(2024 - 10 - 01)));
        assert!(!y.is_overdue(2024, date!(2025 - 08 - 01), sub));
        let ret = Some((ReportStatus::Returned, date!(2025 - 07 - 01)));
        assert!(y.is_overdue(2024, date!(2025 - 08 - 01), ret));

        let q = DueRule::new(Cadence::Quarterly, 10).unwrap();
        // Q1 (Sep–Nov) due 10 Dec: a value from October counts, one from August does not.
        let oct = Some((ReportStatus::Approved, date!(2024 - 10 - 20)));
        assert!(!q.is_overdue(2024, date!(2024 - 12 - 10), oct));
        // By 10 March the Dec–Feb quarter needs a fresh value.
        assert!(q.is_overdue(2024, date!(2025 - 03 - 10), oct));
        assert!(!q.is_overdue(2024, date!(2024 - 12 - 09), None));
    }

    #[test]
    fn only_periodic_values_are_refreshed_after_approval() {
        let q = DueRule::new(Cadence::Quarterly, 10).unwrap();
        assert!(q.may_refresh(2024, date!(2024 - 12 - 02), date!(2024 - 11 - 30)));
        assert!(!q.may_refresh(2024, date!(2024 - 11 - 30), date!(2024 - 10 - 01)));
        assert!(!DueRule::default().may_refresh(
            2024,
            date!(2025 - 06 - 01),
            date!(2024 - 10 - 01)
        ));
    }
}
