//! Whether an activity record can be true: hours not negative, at most 24 a day over the
//! activity's span, travel not more than the hours, the dates inside the term.
use thiserror::Error;
use time::Date;
use wuyu_domain::{Tenths, Term};

/// When an activity took place: one day, or `date` to `end_date` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordSpan {
    pub date: Date,
    pub end_date: Option<Date>,
}

impl RecordSpan {
    /// Days covered, counting both ends (1 for a single day); `None` when the end is before
    /// the start.
    pub fn days(self) -> Option<i64> {
        let end = self.end_date.unwrap_or(self.date);
        let d = (end - self.date).whole_days();
        (d >= 0).then_some(d + 1)
    }
}

/// Why a record is impossible, in Chinese; the caller names the record or the row.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RecordCheckError {
    #[error("时长“{0}”小时不能为负数")]
    NegativeHours(Tenths),
    #[error("时长“{hours}”小时超过活动时间跨度（{days} 天，最多 {max} 小时）")]
    OverSpan { hours: Tenths, days: i64, max: i64 },
    #[error("结束日期 {end} 早于开始日期 {start}")]
    EndBeforeStart { start: Date, end: Date },
    #[error("日期 {date} 不在{term}内")]
    OutsideTerm { date: Date, term: String },
    #[error("路程时间“{travel}”小时不能为负数，也不能超过时长“{hours}”小时")]
    BadTravel { travel: Tenths, hours: Tenths },
}

/// Checks one record against its term. `travel` is the part of `hours` spent travelling
/// (recorded, never counted towards volunteer stars).
pub fn check_record(
    span: RecordSpan,
    hours: Tenths,
    travel: Tenths,
    term: Term,
) -> Result<(), RecordCheckError> {
    if hours < Tenths(0) {
        return Err(RecordCheckError::NegativeHours(hours));
    }
    let days = span.days().ok_or(RecordCheckError::EndBeforeStart {
        start: span.date,
        end: span.end_date.unwrap_or(span.date),
    })?;
    let max = 24 * days;
    if i64::from(hours.0) > max * 10 {
        return Err(RecordCheckError::OverSpan { hours, days, max });
    }
    if travel < Tenths(0) || travel > hours {
        return Err(RecordCheckError::BadTravel { travel, hours });
    }
    for date in [Some(span.date), span.end_date].into_iter().flatten() {
        if !term.contains(date) {
            return Err(RecordCheckError::OutsideTerm {
                date,
                term: term.describe_zh(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;
    use wuyu_domain::TermPart;

    fn term() -> Term {
        Term::new(2025, TermPart::Autumn).unwrap()
    }

    fn one_day(d: Date) -> RecordSpan {
        RecordSpan {
            date: d,
            end_date: None,
        }
    }

    #[test]
    fn a_day_holds_at_most_24_hours() {
        let d = one_day(date!(2025 - 10 - 01));
        assert_eq!(check_record(d, Tenths(240), Tenths(0), term()), Ok(()));
        assert_eq!(
            check_record(d, Tenths(241), Tenths(0), term())
                .unwrap_err()
                .to_string(),
            "时长“24.1”小时超过活动时间跨度（1 天，最多 24 小时）"
        );
        assert_eq!(check_record(d, Tenths(0), Tenths(0), term()), Ok(()));
        assert_eq!(
            check_record(d, Tenths(-5), Tenths(0), term()),
            Err(RecordCheckError::NegativeHours(Tenths(-5)))
        );
    }

    #[test]
    fn a_span_holds_24_hours_a_day_counting_both_ends() {
        // 10-01 to 10-03: three days, 72 hours at most.
        let s = RecordSpan {
            date: date!(2025 - 10 - 01),
            end_date: Some(date!(2025 - 10 - 03)),
        };
        assert_eq!(s.days(), Some(3));
        assert_eq!(check_record(s, Tenths(720), Tenths(0), term()), Ok(()));
        assert!(matches!(
            check_record(s, Tenths(721), Tenths(0), term()),
            Err(RecordCheckError::OverSpan {
                days: 3,
                max: 72,
                ..
            })
        ));
        let back = RecordSpan {
            date: date!(2025 - 10 - 03),
            end_date: Some(date!(2025 - 10 - 01)),
        };
        assert!(matches!(
            check_record(back, Tenths(10), Tenths(0), term()),
            Err(RecordCheckError::EndBeforeStart { .. })
        ));
    }

    #[test]
    fn dates_must_lie_in_the_term() {
        // Autumn 2025 runs 2025-08-01 to 2026-01-31.
        assert_eq!(
            check_record(
                one_day(date!(2025 - 08 - 01)),
                Tenths(10),
                Tenths(0),
                term()
            ),
            Ok(())
        );
        assert_eq!(
            check_record(
                one_day(date!(2026 - 01 - 31)),
                Tenths(10),
                Tenths(0),
                term()
            ),
            Ok(())
        );
        let e = check_record(
            one_day(date!(2025 - 07 - 31)),
            Tenths(10),
            Tenths(0),
            term(),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("日期 2025-07-31 不在2025–2026学年第一学期"),
            "{e}"
        );
        let ends_late = RecordSpan {
            date: date!(2026 - 01 - 30),
            end_date: Some(date!(2026 - 02 - 02)),
        };
        assert!(matches!(
            check_record(ends_late, Tenths(10), Tenths(0), term()),
            Err(RecordCheckError::OutsideTerm { .. })
        ));
    }

    #[test]
    fn travel_is_part_of_the_hours() {
        let d = one_day(date!(2025 - 10 - 01));
        assert_eq!(check_record(d, Tenths(30), Tenths(30), term()), Ok(()));
        assert!(check_record(d, Tenths(30), Tenths(31), term()).is_err());
        assert!(check_record(d, Tenths(30), Tenths(-1), term()).is_err());
    }
}
