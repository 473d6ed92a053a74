//! The psych capability's indicator source for the plan: screening coverage, the consent rate,
//! crisis cases handled within their deadlines, 心理档案 coverage and the share of schools with
//! a 心理健康 teacher in the roster, per school year, for the district, a school, 城区/农村 or
//! a 学段. Counts only; no individual leaves the store. Small cells are judged by the plan's
//! `min_n`, as for every psych rate: `n` is the students (or schools) counted.
use std::sync::Arc;

use wuyu_domain::SchoolId;
use wuyu_monitor::indicator::{IndicatorKey, IndicatorValue, Period, UnitRef, psych_keys};
use wuyu_monitor::roster::{SchoolRosterFacts, SubjectGroup, school_share_with};
use wuyu_store::SchoolSummary;

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
        psych_keys::FILE_COVERAGE,
        psych_keys::TEACHER_SCHOOL_SHARE,
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
    if key == psych_keys::TEACHER_SCHOOL_SHARE {
        let facts = crate::roster::roster_facts(svc).await?;
        let schools = svc.district_schools().await?;
        let members: Vec<&SchoolRosterFacts> = facts
            .iter()
            .filter(|(id, _)| in_unit(unit, *id, &schools))
            .map(|(_, f)| f)
            .collect();
        return Ok(school_share_with(SubjectGroup::Psych, &members));
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
    let (mut num, mut den) = (0u64, 0u64);
    for c in counts
        .iter()
        .filter(|c| in_unit(unit, c.school_id, &schools))
    {
        let (n, d) = match key {
            psych_keys::SCREENING_COVERAGE => (c.screened, c.enrolled),
            psych_keys::CONSENT_RATE => (c.consented, c.in_grades),
            psych_keys::FILE_COVERAGE => (c.filed, c.enrolled),
            _ => (c.cases_in_time, c.cases_opened),
        };
        num += u64::try_from(n).unwrap_or(0);
        den += u64::try_from(d).unwrap_or(0);
    }
    Ok((den > 0).then(|| IndicatorValue::rate(num, den)))
}

/// Whether school `id` is in `unit`. The school list is searched only for 城乡 and 学段 units:
/// the plan asks for every school in turn, and a search per school and row would be quadratic.
fn in_unit(unit: &UnitRef, id: SchoolId, schools: &[SchoolSummary]) -> bool {
    let school = || schools.iter().find(|s| s.school.id == id);
    match unit {
        UnitRef::District => true,
        UnitRef::School(s) => id == *s,
        UnitRef::Location(l) => school().is_some_and(|s| s.school.location == *l),
        UnitRef::Stage(st) => school().is_some_and(|s| s.school.stage == *st),
        // Screening is counted per school; a class is not a unit of this plan line.
        UnitRef::Class(..) | UnitRef::SchoolSet(_) => false,
    }
}
