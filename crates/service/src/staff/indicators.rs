//! The staff indicator source: the plan's teacher targets from stored titles and training.
//! Judged per school year y (Sep y – Aug y+1; the plan year is y+1):
//! * 骨干以上教师/百名学生: teachers holding any title awarded by the plan year × 100 / the
//!   unit's enrolled students (today's enrolment: the roster keeps no history);
//! * 666 person-times: training records of the level taken by the end of the school year
//!   (the targets are cumulative);
//! * 名优教师 培养: teachers given a title of the level in the plan year;
//! * 培训学时达标率: roster teachers whose hours in the five-year cycle holding the plan year
//!   (up to the end of the school year) reach the district's `training_cycle_hours`.
use std::collections::HashSet;
use std::sync::Arc;

use wuyu_monitor::indicator::{IndicatorKey, IndicatorValue, Period, UnitRef, staff_keys};
use wuyu_store::staff::{StaffReader, TitleLevel, TitleRow, TrainingLevel, TrainingRow};

use crate::{Service, ServiceError};

fn count(n: usize) -> IndicatorValue {
    IndicatorValue {
        num: n as f64,
        den: 1.0,
        n: n as u64,
    }
}

/// The value of a staff key for `unit` in the school year `period`.
pub async fn indicator(
    svc: &Service,
    key: &IndicatorKey,
    unit: &UnitRef,
    period: Period,
) -> Result<Option<IndicatorValue>, ServiceError> {
    let Period::SchoolYear(year) = period else {
        return Err(ServiceError::BadRequest(
            "staff indicators are measured per school year".into(),
        ));
    };
    let store = svc.store();
    let schools = svc.district_schools().await?;
    let in_unit: Vec<_> = schools
        .iter()
        .filter(|s| match unit {
            UnitRef::District => true,
            UnitRef::School(id) => s.school.id == *id,
            UnitRef::Location(l) => s.school.location == *l,
            UnitRef::Stage(st) => s.school.stage == *st,
            UnitRef::Class(..) | UnitRef::SchoolSet(_) => false,
        })
        .collect();
    if matches!(unit, UnitRef::Class(..) | UnitRef::SchoolSet(_)) {
        return Err(ServiceError::BadRequest(
            "staff indicators are counted by school, 城乡, 学段 or the district".into(),
        ));
    }
    let unit_ids: HashSet<i64> = in_unit.iter().map(|s| s.school.id.0).collect();
    let ids = &unit_ids;
    let plan_year = year + 1;
    let k = key.as_str();
    let training = |level: TrainingLevel| async move {
        let end = format!("{plan_year}-08-31");
        let rows = training_rows(svc).await?;
        Ok::<_, ServiceError>(count(
            rows.iter()
                .filter(|r| ids.contains(&r.school_id.0) && r.level == level)
                .filter(|r| r.taken_on.as_str() <= end.as_str())
                .count(),
        ))
    };
    let honours = |level: TitleLevel| async move {
        let rows = title_rows(svc).await?;
        let teachers: HashSet<(i64, i64)> = rows
            .iter()
            .filter(|r| ids.contains(&r.school_id.0) && r.level == level && r.year == plan_year)
            .map(|r| (r.school_id.0, r.teacher_id.0))
            .collect();
        Ok::<_, ServiceError>(count(teachers.len()))
    };
    let v = match k {
        staff_keys::KEY_TEACHERS_PER_100 => {
            let students: i64 = in_unit.iter().map(|s| s.student_count).sum();
            if students <= 0 {
                return Ok(None);
            }
            let rows = title_rows(svc).await?;
            let teachers: HashSet<(i64, i64)> = rows
                .iter()
                .filter(|r| ids.contains(&r.school_id.0) && r.year <= plan_year)
                .map(|r| (r.school_id.0, r.teacher_id.0))
                .collect();
            IndicatorValue {
                num: teachers.len() as f64 * 100.0,
                den: students as f64,
                n: students as u64,
            }
        }
        staff_keys::TRAINING_GENERAL => training(TrainingLevel::General).await?,
        staff_keys::TRAINING_KEY => training(TrainingLevel::Key).await?,
        staff_keys::TRAINING_ADVANCED => training(TrainingLevel::Advanced).await?,
        staff_keys::HONOURS_PROVINCE => honours(TitleLevel::Province).await?,
        staff_keys::HONOURS_CITY => honours(TitleLevel::City).await?,
        staff_keys::HONOURS_DISTRICT => honours(TitleLevel::District).await?,
        staff_keys::TRAINING_COMPLETION => {
            let all = svc
                .once("staff::teachers".into(), async {
                    Ok(Arc::new(store.staff_teachers(StaffReader::District).await?))
                })
                .await?;
            let teachers: Vec<_> = all
                .iter()
                .filter(|t| ids.contains(&t.school_id.0))
                .collect();
            if teachers.is_empty() {
                return Ok(None);
            }
            let required = f64::from(
                crate::settings::district_settings(svc)
                    .await?
                    .training_cycle_hours
                    .0,
            );
            let cycle = super::records::Cycle::of(plan_year);
            let end = format!("{plan_year}-08-31");
            let mut hours: std::collections::HashMap<(i64, i64), f64> = Default::default();
            for r in training_rows(svc).await?.iter() {
                if cycle.holds(&r.taken_on) && r.taken_on.as_str() <= end.as_str() {
                    *hours.entry((r.school_id.0, r.teacher_id.0)).or_default() += r.hours;
                }
            }
            let met = teachers
                .iter()
                .filter(|t| {
                    hours
                        .get(&(t.school_id.0, t.teacher_id.0))
                        .is_some_and(|h| *h + 1e-9 >= required)
                })
                .count();
            IndicatorValue::rate(met as u64, teachers.len() as u64)
        }
        other => {
            return Err(ServiceError::BadRequest(format!(
                "not a staff indicator: {other}"
            )));
        }
    };
    Ok(Some(v))
}

/// Every training record of the district, read once per evaluation (the plan asks per school).
async fn training_rows(svc: &Service) -> Result<Arc<Vec<TrainingRow>>, ServiceError> {
    svc.once("staff::training".into(), async {
        Ok(Arc::new(svc.store().training(StaffReader::District).await?))
    })
    .await
}

/// Every title of the district, read once per evaluation.
async fn title_rows(svc: &Service) -> Result<Arc<Vec<TitleRow>>, ServiceError> {
    svc.once("staff::titles".into(), async {
        Ok(Arc::new(svc.store().titles(StaffReader::District).await?))
    })
    .await
}
