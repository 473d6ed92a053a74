//! The archive indicator source: art activity coverage, 校外实践 (share and per student), the
//! share meeting the weekly labor hours, volunteer hours per student, the art assessment
//! 优秀率 / 合格率, 家访 coverage — per term, over enrolled students (art levels over those
//! assessed) — and whether schools held their 劳动周 (per school: 1 or 0; larger units: the
//! share of their schools).
use std::sync::Arc;

use wuyu_domain::Scope;
use wuyu_monitor::archive::ArchiveCounts;
use wuyu_monitor::indicator::{IndicatorKey, IndicatorValue, Period, UnitRef, archive_keys};

use super::TERM_WEEKS;
use crate::{Service, ServiceError};

/// The value of `key` from a unit's counts; `None` for a key the archive does not answer.
pub(crate) fn value_of(key: &str, c: &ArchiveCounts) -> Option<IndicatorValue> {
    Some(match key {
        archive_keys::ART_COVERAGE => IndicatorValue::rate(c.art_covered, c.students),
        archive_keys::OFF_CAMPUS_RATE => IndicatorValue::rate(c.off_campus_covered, c.students),
        archive_keys::OFF_CAMPUS_PER_STUDENT => {
            IndicatorValue::mean(c.off_campus_records as f64, c.students)
        }
        archive_keys::LABOR_MET_RATE => IndicatorValue::rate(c.labor_met, c.students),
        archive_keys::VOLUNTEER_HOURS => {
            IndicatorValue::mean(f64::from(c.volunteer_hours.0) / 10.0, c.students)
        }
        archive_keys::ART_EXCELLENT_RATE => IndicatorValue::rate(c.art_excellent, c.art_assessed),
        archive_keys::ART_PASS_RATE => IndicatorValue::rate(c.art_passed, c.art_assessed),
        archive_keys::HOME_VISIT_COVERAGE => IndicatorValue::rate(c.home_visited, c.students),
        // A school's value: 1 when it held its 劳动周; summed over schools by `indicator`.
        archive_keys::LABOR_WEEK_HELD => {
            IndicatorValue::mean(f64::from(u8::from(c.labor_week_students > 0)), 1)
        }
        _ => return None,
    })
}

/// The district's archive terms, read once per evaluation.
pub(crate) async fn terms(svc: &Service) -> Result<Arc<Vec<wuyu_domain::Term>>, ServiceError> {
    svc.once("archive::terms".into(), async {
        Ok(Arc::new(svc.store().archive_terms(&Scope::District).await?))
    })
    .await
}

/// The value of archive indicator `key` for `unit` in `period` (a term, or a school year's
/// latest term with records). `None`: no records in the period, or no students in the unit.
pub async fn indicator(
    svc: &Service,
    key: &IndicatorKey,
    unit: &UnitRef,
    period: Period,
) -> Result<Option<IndicatorValue>, ServiceError> {
    let key = key.as_str();
    if value_of(key, &ArchiveCounts::default()).is_none() {
        return Err(ServiceError::BadRequest(format!(
            "not an archive indicator: {key}"
        )));
    }
    let store = svc.store();
    let district = &Scope::District;
    let term = match period {
        Period::Term(t) => Some(t),
        Period::SchoolYear(y) => terms(svc)
            .await?
            .iter()
            .copied()
            .find(|t| i32::from(t.school_year) == y),
        Period::Exam(_) => {
            return Err(ServiceError::BadRequest(
                "archive indicators are measured per term".into(),
            ));
        }
    };
    let Some(term) = term else {
        return Ok(None);
    };
    // The district's class counts, read once per evaluation: the plan asks for every school.
    let classes = svc
        .once(format!("archive::counts:{}", term.code()), async {
            Ok(Arc::new(
                store
                    .archive_counts(district, None, term, TERM_WEEKS)
                    .await?,
            ))
        })
        .await?;
    let schools = match unit {
        UnitRef::Location(_) | UnitRef::Stage(_) => svc.district_schools().await?,
        _ => Default::default(),
    };
    let in_unit = |c: &&wuyu_store::archive::ClassArchiveCounts| match unit {
        UnitRef::District => true,
        UnitRef::School(s) => c.school_id == *s,
        UnitRef::Class(s, class) => c.school_id == *s && c.class_id == *class,
        UnitRef::Location(l) => schools
            .iter()
            .any(|s| s.school.id == c.school_id && s.school.location == *l),
        UnitRef::Stage(st) => schools
            .iter()
            .any(|s| s.school.id == c.school_id && s.school.stage == *st),
        UnitRef::SchoolSet(_) => false,
    };
    if let UnitRef::SchoolSet(name) = unit {
        return Err(ServiceError::BadRequest(format!(
            "school set “{name}” is not defined"
        )));
    }
    let mut sum = ArchiveCounts::default();
    // Per school as well, for the share of schools that held a 劳动周.
    let mut by_school: std::collections::BTreeMap<wuyu_domain::SchoolId, ArchiveCounts> =
        Default::default();
    for c in classes.iter().filter(in_unit) {
        sum.merge(&c.counts);
        by_school.entry(c.school_id).or_default().merge(&c.counts);
    }
    if sum.students == 0 {
        return Ok(None);
    }
    if key == archive_keys::LABOR_WEEK_HELD && !matches!(unit, UnitRef::Class(..)) {
        let held = by_school
            .values()
            .filter(|c| c.labor_week_students > 0)
            .count();
        return Ok(Some(IndicatorValue::mean(
            held as f64,
            by_school.len() as u64,
        )));
    }
    Ok(value_of(key, &sum))
}
