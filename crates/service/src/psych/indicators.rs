//! The psych capability's indicator source for the plan: screening coverage, the consent rate
//! and crisis cases handled within their deadlines, per school year, for the district, a school, 城区/农村 or
//! a 学段. Counts only; no individual leaves the store.
use std::sync::Arc;

use wuyu_monitor::indicator::{IndicatorKey, IndicatorValue, Period, UnitRef, psych_keys};
use wuyu_store::psych_work::PsychIndicatorCounts;

use super::audit::now_unix;
use crate::{Service, ServiceError};

/// The school year's bounds in unix seconds: 1 September (China time) to the next.
fn year_bounds(y: i32) -> (i64, i64) {
    let start = |y: i32| {
        time::Date::from_calendar_date(y, time::Month::September, 1)
            .map(|d| {
                d.midnight()
                    .assume_offset(time::macros::offset!(+8))
                    .unix_timestamp()
            })
            .unwrap_or(0)
    };
    (start(y), start(y + 1))
}

pub async fn indicator(
    svc: &Service,
    key: &IndicatorKey,
    unit: &UnitRef,
    period: Period,
) -> Result<Option<IndicatorValue>, ServiceError> {
    let key = key.as_str();
    if ![
        psych_keys::SCREENING_COVERAGE,
        psych_keys::CRISIS_IN_TIME,
        psych_keys::CONSENT_RATE,
    ]
    .contains(&key)
    {
        return Err(ServiceError::BadRequest(format!(
            "not a psych indicator: {key}"
        )));
    }
    let Period::SchoolYear(year) = period else {
        return Err(ServiceError::BadRequest(
            "psych indicators are measured per school year".into(),
        ));
    };
    if let UnitRef::SchoolSet(name) = unit {
        return Err(ServiceError::BadRequest(format!(
            "school set “{name}” is not defined"
        )));
    }
    let store = svc.store();
    // Once per evaluation, not in the read cache: 及时 depends on today as well as the data.
    let counts = svc
        .once(format!("psych::counts:{year}"), async {
            Ok(Arc::new(
                store
                    .psych_indicator_counts(year, year_bounds(year), now_unix())
                    .await?,
            ))
        })
        .await?;
    let schools = svc.district_schools().await?;
    // The roster is searched only for 城乡 and 学段 units: the plan asks for every school in
    // turn, and a search per school and count row would be quadratic.
    let school = |c: &PsychIndicatorCounts| schools.iter().find(|s| s.school.id == c.school_id);
    let in_unit = |c: &&PsychIndicatorCounts| {
        match unit {
            UnitRef::District => true,
            UnitRef::School(s) => c.school_id == *s,
            UnitRef::Location(l) => school(c).is_some_and(|s| s.school.location == *l),
            UnitRef::Stage(st) => school(c).is_some_and(|s| s.school.stage == *st),
            // Screening is counted per school; a class is not a unit of this plan line.
            UnitRef::Class(..) | UnitRef::SchoolSet(_) => false,
        }
    };
    let (mut num, mut den) = (0u64, 0u64);
    for c in counts.iter().filter(in_unit) {
        let (n, d) = match key {
            psych_keys::SCREENING_COVERAGE => (c.screened, c.enrolled),
            psych_keys::CONSENT_RATE => (c.consented, c.in_grades),
            _ => (c.cases_in_time, c.cases_opened),
        };
        num += u64::try_from(n).unwrap_or(0);
        den += u64::try_from(d).unwrap_or(0);
    }
    Ok((den > 0).then(|| IndicatorValue::rate(num, den)))
}
