//! The 公示 window: at least five working days (Art. 17), counted from the day it starts.
use time::{Date, Duration, Weekday};

pub const PUBLICITY_WORKING_DAYS: u32 = 5;

/// The last day of a 公示 starting on `start` that lasts `days` working days (Monday–Friday;
/// a start on a weekend counts from the next Monday). Public holidays are not known here, so
/// a window over a holiday is longer than five days of office time only if the school
/// starts it later.
pub fn publicity_last_day(start: Date, days: u32) -> Date {
    let mut day = start;
    let mut counted = 0;
    loop {
        if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            counted += 1;
            if counted >= days.max(1) {
                return day;
            }
        }
        day += Duration::days(1);
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn five_working_days() {
        // Monday → Friday; Wednesday → next Tuesday; Saturday → next Friday.
        assert_eq!(
            publicity_last_day(date!(2024 - 07 - 08), 5),
            date!(2024 - 07 - 12)
        );
        assert_eq!(
            publicity_last_day(date!(2024 - 07 - 10), 5),
            date!(2024 - 07 - 16)
        );
        assert_eq!(
            publicity_last_day(date!(2024 - 07 - 13), 5),
            date!(2024 - 07 - 19)
        );
    }
}
