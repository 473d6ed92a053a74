//! The survey indicator source: the plan's satisfaction targets (家长及社会满意度, 课后服务满意率)
//! from the school year's parents' round, counted as the results page counts them, and no
//! value for a unit under the minimum respondents.
use std::sync::Arc;

use time::{OffsetDateTime, UtcOffset};
use wuyu_analytics::satisfaction::{Answer, MinRespondents, Tally, scale_result};
use wuyu_domain::{
    OVERALL_ITEM, Questionnaire, QuestionnaireStatus, Scope, SurveyAbout, SurveyAudience,
};
use wuyu_monitor::indicator::{IndicatorKey, IndicatorValue, Period, UnitRef, survey_keys};

use crate::{Service, ServiceError};

/// The dimension the after-school indicator reads.
const AFTER_SCHOOL: &str = "课后服务";

/// The school year (2024 = 2024–2025, from 1 September, Beijing time) a round was started in.
pub fn school_year_at(unix: i64) -> i32 {
    let offset = UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC);
    let t = OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset);
    if u8::from(t.month()) >= 9 {
        t.year()
    } else {
        t.year() - 1
    }
}

/// The latest parents' round about the school (published or closed) started in `school_year`
/// that measures survey indicator `key`: 家长满意度 needs the overall item, 课后服务满意率 the
/// 课后服务 dimension. A 师德 round about a teacher, or a 课后服务 round started after the
/// satisfaction round, never stands in for the other.
pub async fn parents_round(
    svc: &Service,
    school_year: i32,
    key: &str,
) -> Result<Option<Questionnaire>, ServiceError> {
    let all = svc
        .once("survey::questionnaires".into(), async {
            Ok(Arc::new(svc.store().list_questionnaires().await?))
        })
        .await?;
    Ok(all
        .iter()
        .filter(|q| {
            q.audience == SurveyAudience::Parents
                && q.about == SurveyAbout::School
                && q.status != QuestionnaireStatus::Draft
                && school_year_at(q.created_at) == school_year
                && measures(q, key)
        })
        .max_by_key(|q| (q.created_at, q.id))
        .cloned())
}

/// Whether round `q` has what indicator `key` is counted from.
fn measures(q: &Questionnaire, key: &str) -> bool {
    match key {
        survey_keys::PARENT_SATISFACTION => q.items.iter().any(|i| i.code == OVERALL_ITEM),
        survey_keys::AFTER_SCHOOL_SATISFACTION => q
            .items
            .iter()
            .any(|i| i.scale.as_deref() == Some(AFTER_SCHOOL)),
        _ => false,
    }
}

pub async fn indicator(
    svc: &Service,
    key: &IndicatorKey,
    unit: &UnitRef,
    period: Period,
) -> Result<Option<IndicatorValue>, ServiceError> {
    let key = key.as_str();
    if key != survey_keys::PARENT_SATISFACTION && key != survey_keys::AFTER_SCHOOL_SATISFACTION {
        return Err(ServiceError::BadRequest(format!(
            "not a survey indicator: {key}"
        )));
    }
    let year = match period {
        Period::SchoolYear(y) => y,
        Period::Term(t) => i32::from(t.school_year),
        Period::Exam(_) => {
            return Err(ServiceError::BadRequest(
                "survey indicators are measured per school year".into(),
            ));
        }
    };
    if let UnitRef::SchoolSet(name) = unit {
        return Err(ServiceError::BadRequest(format!(
            "school set “{name}” is not defined"
        )));
    }
    // Answers carry no class: a class has no satisfaction value.
    if matches!(unit, UnitRef::Class(..)) {
        return Ok(None);
    }
    let Some(q) = parents_round(svc, year, key).await? else {
        return Ok(None);
    };
    let store = svc.store();
    let district = &Scope::District;
    let schools = svc.district_schools().await?;
    let in_unit = |id: wuyu_domain::SchoolId| match unit {
        UnitRef::District => true,
        UnitRef::School(s) => *s == id,
        UnitRef::Location(l) => schools
            .iter()
            .any(|s| s.school.id == id && s.school.location == *l),
        UnitRef::Stage(st) => schools
            .iter()
            .any(|s| s.school.id == id && s.school.stage == *st),
        UnitRef::SchoolSet(_) | UnitRef::Class(..) => false,
    };
    let k = q.items.len().max(1);
    // Rows of the unit's schools, keyed as the results page keys them.
    let answers = svc
        .once(format!("survey::answers:{}", q.id), async {
            Ok(Arc::new(store.survey_answers(district, q.id).await?))
        })
        .await?;
    let rows: Vec<Vec<Answer>> = answers
        .iter()
        .filter(|s| in_unit(s.school_id))
        .flat_map(|s| {
            s.answers
                .chunks_exact(k)
                .map(|r| {
                    r.iter()
                        .zip(&q.items)
                        .map(|(a, item)| if item.reverse { a.reversed() } else { *a })
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let min = MinRespondents::new(q.audience.min_respondents());
    let (rate, n) = if key == survey_keys::PARENT_SATISFACTION {
        let Some(j) = q.items.iter().position(|i| i.code == OVERALL_ITEM) else {
            return Ok(None);
        };
        match Tally::from_answers(rows.iter().map(|r| r[j]))
            .report(min)
            .stats
        {
            Some(s) => (s.top2_rate, s.n),
            None => return Ok(None),
        }
    } else {
        let cols: Vec<usize> = (0..q.items.len())
            .filter(|&j| q.items[j].scale.as_deref() == Some(AFTER_SCHOOL))
            .collect();
        if cols.is_empty() {
            return Ok(None);
        }
        let sub: Vec<Answer> = rows
            .iter()
            .flat_map(|r| cols.iter().map(|&j| r[j]))
            .collect();
        let s = scale_result(&sub, cols.len(), &vec![false; cols.len()], min)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        match s.top2_rate {
            Some(r) => (r, s.n),
            None => return Ok(None),
        }
    };
    // The rate's numerator as a count: it is a share of n respondents.
    let num = (rate * n as f64).round() as u64;
    Ok(Some(IndicatorValue::rate(num, n as u64)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_belongs_to_the_school_year_it_started_in() {
        // 2024-08-31 16:00 UTC is 1 September 00:00 in Beijing.
        assert_eq!(school_year_at(1_725_120_000), 2024);
        assert_eq!(school_year_at(1_725_120_000 - 1), 2023);
        // 2025-06-30 in Beijing: still 2024–2025.
        assert_eq!(school_year_at(1_751_212_800), 2024);
    }
}
