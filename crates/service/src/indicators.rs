//! The registry of indicator sources: "value of indicator K for unit U in period P", answered
//! by the capability that owns K (the part of the key before the dot). The plan evaluates every
//! target through [`value`] alone; a new capability registers its source with one line in
//! [`Source::of`] and one arm in [`value`].
use wuyu_monitor::indicator::{IndicatorKey, IndicatorValue, Period, UnitRef};

use crate::{Service, ServiceError};

/// The capabilities that answer for indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Fitness,
    Exam,
}

impl Source {
    /// The source that owns `key`, if any.
    pub fn of(key: &IndicatorKey) -> Option<Source> {
        match key.capability() {
            "fitness" => Some(Source::Fitness),
            "exam" => Some(Source::Exam),
            _ => None,
        }
    }
}

/// The value of `key` for `unit` in `period`; `None` when there is no data for it. A key no
/// capability owns, or a period its source does not measure in, is a bad request.
pub async fn value(
    svc: &Service,
    key: &IndicatorKey,
    unit: &UnitRef,
    period: Period,
) -> Result<Option<IndicatorValue>, ServiceError> {
    let unknown = || ServiceError::BadRequest(format!("no indicator source for {}", key.as_str()));
    match (Source::of(key).ok_or_else(unknown)?, period) {
        (Source::Fitness, period) => crate::fitness::indicator(svc, key, unit, period).await,
        (Source::Exam, Period::Exam(exam)) => crate::exam::indicator(svc, key, unit, exam).await,
        (Source::Exam, _) => Err(ServiceError::BadRequest(format!(
            "{} is measured per exam",
            key.as_str()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wuyu_monitor::indicator::{exam_keys, fitness_keys};

    #[test]
    fn every_key_finds_the_capability_that_owns_it() {
        let k = IndicatorKey::new;
        assert_eq!(
            Source::of(&k(fitness_keys::MYOPIA_RATE)),
            Some(Source::Fitness)
        );
        assert_eq!(Source::of(&k(exam_keys::MEAN)), Some(Source::Exam));
        assert_eq!(Source::of(&k("psych.attention_rate")), None);
    }
}
