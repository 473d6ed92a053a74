//! The registry of indicator sources: "value of indicator K for unit U in period P", answered
//! by the capability that owns K (the part of the key before the dot). The plan evaluates every
//! target through [`value`] alone; a new capability registers its source with one line in
//! [`Source::of`] and one arm in [`value`].
use wuyu_domain::{ExamLevel, Scope};
use wuyu_monitor::indicator::{IndicatorKey, IndicatorValue, Period, UnitRef};

use crate::{Service, ServiceError};

/// The capabilities that answer for indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Fitness,
    Exam,
    Archive,
    /// Satisfaction from the school year's parents' survey round.
    Survey,
    Psych,
    /// Teachers: titles and training (per school year).
    Staff,
    /// Reported indicators (填报): the approved values of the plan's own keys.
    Plan,
    /// Counts of approved registry items (designations, bases, events).
    Registry,
    /// Enrolment status and teachers' subjects (today's roster, per school year).
    Roster,
}

impl Source {
    /// The source that owns `key`, if any.
    pub fn of(key: &IndicatorKey) -> Option<Source> {
        match key.capability() {
            "fitness" => Some(Source::Fitness),
            "exam" => Some(Source::Exam),
            "archive" => Some(Source::Archive),
            "survey" => Some(Source::Survey),
            "psych" => Some(Source::Psych),
            "staff" => Some(Source::Staff),
            "plan" => Some(Source::Plan),
            "registry" => Some(Source::Registry),
            "roster" => Some(Source::Roster),
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
        (Source::Archive, period) => crate::archive::indicator(svc, key, unit, period).await,
        (Source::Survey, period) => crate::survey::indicator(svc, key, unit, period).await,
        (Source::Psych, period) => crate::psych::indicator(svc, key, unit, period).await,
        (Source::Staff, period) => {
            crate::staff::indicators::indicator(svc, key, unit, period).await
        }
        (Source::Plan, period) => crate::plan::reports::indicator(svc, key, unit, period).await,
        (Source::Registry, period) => {
            crate::plan::registry::indicator(svc, key, unit, period).await
        }
        (Source::Roster, period) => crate::roster::indicator(svc, key, unit, period).await,
        (Source::Exam, _) => Err(ServiceError::BadRequest(format!(
            "{} is measured per exam",
            key.as_str()
        ))),
    }
}

/// What a measure (a source's key, perhaps with the kind of exam after a colon) is measured
/// on for a school year: the source's own key, the period and the data it is as of.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub key: IndicatorKey,
    pub period: Period,
    /// The fitness term or the exam (name and date), for "as of".
    pub as_of: String,
}

/// The period `measure` is judged in for `school_year`: for fitness the school year's latest
/// term with records; for exams the school year's latest exam of the measure's kind (`中考`:
/// exams of that level; another kind: exams whose name contains it, `小学质量监测` also
/// grade-6 exams named 质量监测). `None`: no data for the school year.
pub async fn period_for(
    svc: &Service,
    measure: &IndicatorKey,
    school_year: i32,
) -> Result<Option<Measured>, ServiceError> {
    let (key, kind) = match measure.as_str().split_once(':') {
        Some((k, q)) => (IndicatorKey::new(k), Some(q)),
        None => (measure.clone(), None),
    };
    let unknown = || ServiceError::BadRequest(format!("no indicator source for {}", key.as_str()));
    let store = svc.store();
    match Source::of(&key).ok_or_else(unknown)? {
        // Titles and training are dated: the school year itself is the period.
        Source::Staff => Ok(Some(Measured {
            key,
            period: Period::SchoolYear(school_year),
            as_of: format!("{}–{}学年教师档案", school_year, school_year + 1),
        })),
        // Reported values are entered per school year; "as of" is the year's reporting.
        Source::Plan => Ok(Some(Measured {
            key,
            period: Period::SchoolYear(school_year),
            as_of: format!("{}–{}学年填报", school_year, school_year + 1),
        })),
        // Registry counts keep their kind and level (after the colon) for the source to read.
        Source::Registry => Ok(Some(Measured {
            key: measure.clone(),
            period: Period::SchoolYear(school_year),
            as_of: format!(
                "{}–{}学年名录（截至 {} 年 8 月 31 日）",
                school_year,
                school_year + 1,
                school_year + 1
            ),
        })),
        // The roster keeps no history: every year is counted on today's roster.
        Source::Roster => Ok(Some(Measured {
            key,
            period: Period::SchoolYear(school_year),
            as_of: "当前花名册（辍学按学籍状态日期计入学年）".into(),
        })),
        // Psychology teachers are counted on today's roster, like the roster's own targets.
        Source::Psych
            if key.as_str() == wuyu_monitor::indicator::psych_keys::TEACHER_SCHOOL_SHARE =>
        {
            Ok(Some(Measured {
                key,
                period: Period::SchoolYear(school_year),
                as_of: "当前花名册（任教学科含“心理”的教师）".into(),
            }))
        }
        // Screening runs once per school year; cases are counted by the day they opened.
        Source::Psych => Ok(Some(Measured {
            key,
            period: Period::SchoolYear(school_year),
            as_of: format!("{}–{}学年", school_year, school_year + 1),
        })),
        Source::Fitness => {
            let terms = crate::fitness::indicator_terms(svc).await?;
            Ok(terms
                .iter()
                .copied()
                .filter(|t| i32::from(t.school_year) == school_year)
                .max()
                .map(|t| Measured {
                    key,
                    period: Period::Term(t),
                    as_of: t.label_zh(),
                }))
        }
        Source::Survey => Ok(crate::survey::parents_round(svc, school_year, key.as_str())
            .await?
            .map(|q| Measured {
                key,
                period: Period::SchoolYear(school_year),
                as_of: format!("{}（第 {} 版）", q.title, q.version),
            })),
        Source::Archive => {
            let terms = crate::archive::indicator_terms(svc).await?;
            Ok(terms
                .iter()
                .copied()
                .find(|t| i32::from(t.school_year) == school_year)
                .map(|t| Measured {
                    key,
                    period: Period::Term(t),
                    as_of: t.label_zh(),
                }))
        }
        Source::Exam => {
            let exams = svc
                .once("exam::list".into(), async {
                    Ok(std::sync::Arc::new(
                        store.list_exams(&Scope::District).await?,
                    ))
                })
                .await?;
            let of_kind = |e: &wuyu_domain::Exam| match kind {
                None => true,
                Some("中考") => e.level == ExamLevel::Zhongkao,
                Some(k) => {
                    e.name.contains(k)
                        || (k == "小学质量监测"
                            && e.name.contains("质量监测")
                            && e.grade.get() <= 6)
                }
            };
            Ok(exams
                .iter()
                .map(|s| s.exam.clone())
                .filter(|e| i32::from(e.term.school_year) == school_year && of_kind(e))
                .max_by_key(|e| (e.date, e.id.0))
                .map(|e| Measured {
                    key,
                    period: Period::Exam(e.id),
                    as_of: format!("{}（{}）", e.name, e.date),
                }))
        }
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
        assert_eq!(
            Source::of(&k(wuyu_monitor::indicator::archive_keys::ART_COVERAGE)),
            Some(Source::Archive)
        );
        assert_eq!(Source::of(&k("plan.1a2b3c4d")), Some(Source::Plan));
        assert_eq!(
            Source::of(&k(
                wuyu_monitor::indicator::survey_keys::PARENT_SATISFACTION
            )),
            Some(Source::Survey)
        );
        assert_eq!(
            Source::of(&k(wuyu_monitor::indicator::psych_keys::SCREENING_COVERAGE)),
            Some(Source::Psych)
        );
        assert_eq!(
            Source::of(&k(wuyu_monitor::indicator::staff_keys::TRAINING_KEY)),
            Some(Source::Staff)
        );
        assert_eq!(
            Source::of(&k(
                wuyu_monitor::indicator::roster_keys::ART_FULL_TIME_SHARE
            )),
            Some(Source::Roster)
        );
    }
}
