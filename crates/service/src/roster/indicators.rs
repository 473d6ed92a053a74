//! The roster's indicator source: 无辍学学生的学校占比, students per 专任 PE and music/art
//! teacher and the 专职 share of music/art teachers, per school year (rules in
//! [`wuyu_monitor::roster`]). The roster keeps no history, so every year is counted on today's
//! teachers and enrolment; only a dropout's date places it in a year.
use std::sync::Arc;

use wuyu_domain::SchoolId;
use wuyu_monitor::indicator::{IndicatorKey, IndicatorValue, Period, UnitRef};
use wuyu_monitor::roster::{SchoolRosterFacts, measure};

use crate::plan::status::has_stage;
use crate::{Service, ServiceError};

pub(crate) type Facts = Arc<Vec<(SchoolId, SchoolRosterFacts)>>;

/// Every school's roster facts, read once per plan evaluation (the psych source's 心理健康
/// teachers come from the same read).
pub(crate) async fn facts(svc: &Service) -> Result<Facts, ServiceError> {
    svc.cached("roster::facts".into(), async {
        Ok(Arc::new(svc.store().roster_facts().await?))
    })
    .await
}

/// The value of a roster key for `unit` in the school year `period`.
pub async fn indicator(
    svc: &Service,
    key: &IndicatorKey,
    unit: &UnitRef,
    period: Period,
) -> Result<Option<IndicatorValue>, ServiceError> {
    let Period::SchoolYear(year) = period else {
        return Err(ServiceError::BadRequest(
            "roster indicators are measured per school year".into(),
        ));
    };
    if !wuyu_monitor::roster::KEYS.contains(&key.as_str()) {
        return Err(ServiceError::BadRequest(format!(
            "not a roster indicator: {}",
            key.as_str()
        )));
    }
    if matches!(unit, UnitRef::Class(..) | UnitRef::SchoolSet(_)) {
        return Err(ServiceError::BadRequest(
            "roster indicators are counted by school, 城乡, 学段 or the district".into(),
        ));
    }
    let schools = svc.district_schools().await?;
    // A school unit is checked by id before the roster is searched: the plan asks for every
    // school in turn, and searching the roster for each of its schools would be quadratic.
    let in_unit = |id: SchoolId| {
        !matches!(unit, UnitRef::School(u) if *u != id)
            && schools.iter().any(|s| {
                s.school.id == id
                    && match unit {
                        UnitRef::District | UnitRef::School(_) => true,
                        UnitRef::Location(l) => s.school.location == *l,
                        UnitRef::Stage(st) => has_stage(&s.school, *st),
                        UnitRef::Class(..) | UnitRef::SchoolSet(_) => false,
                    }
            })
    };
    // One read of the aggregates serves every unit and target of a plan evaluation.
    let facts = facts(svc).await?;
    let members: Vec<&SchoolRosterFacts> = facts
        .iter()
        .filter(|(id, _)| in_unit(*id))
        .map(|(_, f)| f)
        .collect();
    Ok(measure(key.as_str(), &members, year))
}
