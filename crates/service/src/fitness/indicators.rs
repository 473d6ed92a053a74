//! The fitness indicator source: "value of indicator K for unit U in period P" as
//! `{num, den, n}`, counted from the store's fitness summaries (which carry the counts behind
//! every rate), for the plan to judge its targets with.
//!
//! Denominators: 优秀率 and 合格率 over complete records; 测试率 over enrolled students;
//! 近视率 over students screened for vision; 超重率 and 肥胖率 over students with a WS/T 586
//! weight status.
use std::sync::Arc;

use wuyu_domain::{Scope, Term};
use wuyu_monitor::indicator::{IndicatorKey, IndicatorValue, Period, UnitRef, fitness_keys};
use wuyu_store::{FitnessGroupBy, FitnessSummaryRow};

use crate::{Service, ServiceError};

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The value of one fitness indicator from a group's counts (the page's target verdicts use
/// it too, so a verdict and the plan count the same way).
pub(crate) fn value_of(key: &str, r: &FitnessSummaryRow) -> Option<IndicatorValue> {
    let (num, den) = match key {
        fitness_keys::EXCELLENT_RATE => (r.excellent_count, r.ok_count),
        fitness_keys::PASS_RATE => (
            r.excellent_count + r.good_count + r.pass_level_count,
            r.ok_count,
        ),
        fitness_keys::TEST_RATE => (r.tested, r.enrolled),
        fitness_keys::MYOPIA_RATE => (r.myopia_count, r.vision_screened),
        fitness_keys::OVERWEIGHT_RATE => (r.overweight_count, r.weight_measured),
        fitness_keys::OBESE_RATE => (r.obese_count, r.weight_measured),
        _ => return None,
    };
    Some(IndicatorValue::rate(count(num), count(den)))
}

/// The counts of several groups added up (schools of one 学段).
fn add(rows: &[&FitnessSummaryRow]) -> FitnessSummaryRow {
    let mut sum = FitnessSummaryRow::default();
    for r in rows {
        sum.enrolled += r.enrolled;
        sum.tested += r.tested;
        sum.ok_count += r.ok_count;
        sum.excellent_count += r.excellent_count;
        sum.good_count += r.good_count;
        sum.pass_level_count += r.pass_level_count;
        sum.vision_screened += r.vision_screened;
        sum.myopia_count += r.myopia_count;
        sum.weight_measured += r.weight_measured;
        sum.overweight_count += r.overweight_count;
        sum.obese_count += r.obese_count;
    }
    sum
}

/// The district's fitness terms, read once per evaluation.
pub(crate) async fn terms(svc: &Service) -> Result<Arc<Vec<Term>>, ServiceError> {
    svc.once("fitness::terms".into(), async {
        Ok(Arc::new(svc.store().fitness_terms(&Scope::District).await?))
    })
    .await
}

/// The district's summary rows of `term` grouped `by`, read once per evaluation: the plan asks
/// for every school of the district in turn.
async fn summary(
    svc: &Service,
    term: Term,
    by: FitnessGroupBy,
) -> Result<Arc<Vec<FitnessSummaryRow>>, ServiceError> {
    svc.once(format!("fitness::summary:{}:{by:?}", term.code()), async {
        Ok(Arc::new(
            svc.store()
                .fitness_summary(&Scope::District, None, term, by)
                .await?,
        ))
    })
    .await
}

/// The term a period stands for: the term itself; for a school year its latest term with
/// records (spring before autumn of the same school year).
async fn term_of(svc: &Service, period: Period) -> Result<Option<Term>, ServiceError> {
    match period {
        Period::Term(t) => Ok(Some(t)),
        Period::SchoolYear(y) => Ok(terms(svc)
            .await?
            .iter()
            .copied()
            .filter(|t| i32::from(t.school_year) == y)
            .max()),
        Period::Exam(_) => Err(ServiceError::BadRequest(
            "fitness indicators are measured per term".into(),
        )),
    }
}

/// The value of fitness indicator `key` for `unit` in `period`, over the whole district's
/// records (the plan's view). `None`: no student of the unit was tested in the period. An unknown key, a
/// named school set or an exam period is a bad request.
pub async fn indicator(
    svc: &Service,
    key: &IndicatorKey,
    unit: &UnitRef,
    period: Period,
) -> Result<Option<IndicatorValue>, ServiceError> {
    let key = key.as_str();
    if value_of(key, &FitnessSummaryRow::default()).is_none() {
        return Err(ServiceError::BadRequest(format!(
            "not a fitness indicator: {key}"
        )));
    }
    let Some(term) = term_of(svc, period).await? else {
        return Ok(None);
    };
    let store = svc.store();
    let district = &Scope::District;
    let row = match unit {
        UnitRef::District => summary(svc, term, FitnessGroupBy::District)
            .await?
            .first()
            .cloned(),
        UnitRef::Location(l) => summary(svc, term, FitnessGroupBy::Location)
            .await?
            .iter()
            .find(|r| r.key.location == Some(*l))
            .cloned(),
        UnitRef::Stage(stage) => {
            let schools = svc.district_schools().await?;
            let rows = summary(svc, term, FitnessGroupBy::School).await?;
            let of_stage: Vec<&FitnessSummaryRow> = rows
                .iter()
                .filter(|r| {
                    schools
                        .iter()
                        .any(|s| Some(s.school.id) == r.key.school_id && s.school.stage == *stage)
                })
                .collect();
            (!of_stage.is_empty()).then(|| add(&of_stage))
        }
        UnitRef::School(s) => summary(svc, term, FitnessGroupBy::School)
            .await?
            .iter()
            .find(|r| r.key.school_id == Some(*s))
            .cloned(),
        UnitRef::Class(s, c) => store
            .fitness_summary(district, Some(*s), term, FitnessGroupBy::Class)
            .await?
            .into_iter()
            .find(|r| r.key.class_id == Some(*c)),
        UnitRef::SchoolSet(name) => {
            return Err(ServiceError::BadRequest(format!(
                "school set “{name}” is not defined"
            )));
        }
    };
    // A unit nobody in was tested has no value for the period (not a 0 % 测试率).
    Ok(row.filter(|r| r.tested > 0).and_then(|r| value_of(key, &r)))
}
