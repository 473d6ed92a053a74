//! The exam capability's indicator source: 优秀率, 及格率 and 平均分 of 总分 for a unit in one
//! exam, as `{num, den, n}` from the statistics stored at import (the district's lines and
//! absent policy). The plan asks for the whole district, so the read is unscoped.
use std::sync::Arc;

use wuyu_domain::{ExamId, Scope};
use wuyu_monitor::indicator::{IndicatorKey, IndicatorValue, UnitRef, exam_keys};
use wuyu_store::exam::TOTAL;
use wuyu_store::{ExamUnitFilter, ExamUnitKind, ExamUnitStat};

use crate::{Service, ServiceError};

/// The value of `key` for `unit` in `exam`; `None` when the unit did not sit the exam (or
/// is a kind of unit exams are not counted over, such as a named school set).
pub async fn indicator(
    svc: &Service,
    key: &IndicatorKey,
    unit: &UnitRef,
    exam: ExamId,
) -> Result<Option<IndicatorValue>, ServiceError> {
    let pick: fn(&wuyu_analytics::descriptive::RateSummary) -> Option<IndicatorValue> =
        match key.as_str() {
            exam_keys::EXCELLENT_RATE => {
                |r| (r.n > 0).then(|| IndicatorValue::rate(r.excellent_count as u64, r.n as u64))
            }
            exam_keys::PASS_RATE => {
                |r| (r.n > 0).then(|| IndicatorValue::rate(r.pass_count as u64, r.n as u64))
            }
            exam_keys::MEAN => |r| {
                r.mean
                    .map(|m| IndicatorValue::mean(m * r.n as f64, r.n as u64))
            },
            other => {
                return Err(ServiceError::BadRequest(format!(
                    "not an exam indicator: {other}"
                )));
            }
        };
    let Some(filter) = filter_of(unit) else {
        return Ok(None);
    };
    // Read once per evaluation: the plan asks for every school of the district in turn.
    let memo = match filter {
        ExamUnitFilter::Overview => format!("exam::units:{}:overview", exam.0),
        ExamUnitFilter::Schools => format!("exam::units:{}:schools", exam.0),
        ExamUnitFilter::Classes(s) => format!("exam::units:{}:classes:{}", exam.0, s.0),
    };
    let units: Arc<Vec<ExamUnitStat>> = svc
        .once(memo, async {
            Ok(Arc::new(
                svc.store()
                    .exam_unit_stats(&Scope::District, exam, filter)
                    .await?,
            ))
        })
        .await?;
    Ok(units
        .iter()
        .find(|u| is_unit(unit, u))
        .and_then(|u| u.subjects.iter().find(|s| s.subject == TOTAL))
        .and_then(|s| pick(&s.rates)))
}

/// Which stored units hold `unit`; `None` for units exams are not counted over.
fn filter_of(unit: &UnitRef) -> Option<ExamUnitFilter> {
    match unit {
        UnitRef::District | UnitRef::Location(_) | UnitRef::Stage(_) => {
            Some(ExamUnitFilter::Overview)
        }
        UnitRef::School(_) => Some(ExamUnitFilter::Schools),
        UnitRef::Class(s, _) => Some(ExamUnitFilter::Classes(*s)),
        UnitRef::SchoolSet(_) => None,
    }
}

fn is_unit(unit: &UnitRef, u: &ExamUnitStat) -> bool {
    let k = u.unit.kind;
    match unit {
        UnitRef::District => k == ExamUnitKind::District,
        UnitRef::Location(l) => k == ExamUnitKind::Location && u.unit.location == Some(*l),
        UnitRef::Stage(s) => k == ExamUnitKind::Stage && u.unit.stage == Some(*s),
        UnitRef::School(s) => k == ExamUnitKind::School && u.unit.school_id == Some(*s),
        UnitRef::Class(_, c) => k == ExamUnitKind::Class && u.unit.class_id == Some(*c),
        UnitRef::SchoolSet(_) => false,
    }
}
