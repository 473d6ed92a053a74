//! A school's quality trend (the plan: a principal whose school did not improve is not
//! reappointed): 三率一分 in 总分 of every exam the school sat, and its value-added where the
//! exam has a baseline, grouped by school year. The roster holds no principal's start year, so
//! every year on record is shown.
use std::collections::BTreeMap;

use wuyu_domain::{Capability, ExamId, ExamLevel, SchoolId, Viewer};
use wuyu_store::exam::TOTAL;
use wuyu_store::{ExamUnitFilter, ExamUnitKind};

use super::optional;
use crate::{Service, ServiceError};

/// One exam as the school sat it (总分).
#[derive(Debug, Clone, PartialEq)]
pub struct TrendExam {
    pub exam: ExamId,
    pub name: String,
    pub date: time::Date,
    pub level: ExamLevel,
    pub school_year: i32,
    /// 统计人数.
    pub n: usize,
    pub full_marks: f64,
    pub mean: Option<f64>,
    pub excellent_rate: Option<f64>,
    pub pass_rate: Option<f64>,
    pub low_rate: Option<f64>,
    /// The school's EB value-added in 总分 from the exam's baseline.
    pub value_added: Option<f64>,
    excellent_count: usize,
    pass_count: usize,
    low_count: usize,
}

/// One school year: counts pooled over its exams (rates), the mean 得分率 (exams differ in
/// full marks, so raw means are not added up) and the mean value-added.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendYear {
    pub school_year: i32,
    pub exams: usize,
    pub n: usize,
    pub excellent_rate: Option<f64>,
    pub pass_rate: Option<f64>,
    pub low_rate: Option<f64>,
    /// Student-weighted mean of mean / full marks.
    pub score_rate: Option<f64>,
    pub value_added: Option<f64>,
    pub value_added_exams: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SchoolTrend {
    /// Oldest first.
    pub years: Vec<TrendYear>,
    /// Oldest first.
    pub exams: Vec<TrendExam>,
}

pub async fn school_trend(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
) -> Result<SchoolTrend, ServiceError> {
    if !viewer.can(Capability::ViewExams) {
        return Err(ServiceError::Forbidden);
    }
    let store = svc.store();
    store.school(&viewer.scope, school).await?;
    let mut exams = Vec::new();
    for e in store.list_exams(&viewer.scope).await? {
        let id = e.exam.id;
        let stats = store
            .exam_unit_stats(&viewer.scope, id, ExamUnitFilter::Schools)
            .await?;
        let Some(total) = stats
            .iter()
            .filter(|u| u.unit.school_id == Some(school))
            .flat_map(|u| &u.subjects)
            .find(|s| s.subject == TOTAL)
        else {
            continue;
        };
        let va = match e.exam.baseline {
            Some(_) => optional(
                store
                    .exam_value_added(&viewer.scope, id, TOTAL, ExamUnitKind::School, None)
                    .await,
            )?
            .and_then(|r| {
                r.groups
                    .iter()
                    .zip(&r.units)
                    .find(|(g, u)| u.school_id == Some(school) && !g.suppressed)
                    .and_then(|(g, _)| g.shrunken.or(g.estimate))
            }),
            None => None,
        };
        let r = &total.rates;
        exams.push(TrendExam {
            exam: id,
            name: e.exam.name.clone(),
            date: e.exam.date,
            level: e.exam.level,
            school_year: i32::from(e.exam.term.school_year),
            n: r.n,
            full_marks: r.full_marks,
            mean: r.mean,
            excellent_rate: r.excellent_rate,
            pass_rate: r.pass_rate,
            low_rate: r.low_rate,
            value_added: va,
            excellent_count: r.excellent_count,
            pass_count: r.pass_count,
            low_count: r.low_count,
        });
    }
    exams.sort_by_key(|e| (e.date, e.exam.0));
    let mut by_year: BTreeMap<i32, Vec<&TrendExam>> = BTreeMap::new();
    for e in &exams {
        by_year.entry(e.school_year).or_default().push(e);
    }
    let years = by_year
        .into_iter()
        .map(|(school_year, list)| {
            let n: usize = list.iter().map(|e| e.n).sum();
            let rate = |count: fn(&TrendExam) -> usize| {
                (n > 0).then(|| list.iter().map(|e| count(e)).sum::<usize>() as f64 / n as f64)
            };
            let scored: Vec<(f64, usize)> = list
                .iter()
                .filter_map(|e| e.mean.map(|m| (m / e.full_marks, e.n)))
                .collect();
            let scored_n: usize = scored.iter().map(|s| s.1).sum();
            let vas: Vec<f64> = list.iter().filter_map(|e| e.value_added).collect();
            TrendYear {
                school_year,
                exams: list.len(),
                n,
                excellent_rate: rate(|e| e.excellent_count),
                pass_rate: rate(|e| e.pass_count),
                low_rate: rate(|e| e.low_count),
                score_rate: (scored_n > 0).then(|| {
                    scored.iter().map(|(r, k)| r * *k as f64).sum::<f64>() / scored_n as f64
                }),
                value_added: (!vas.is_empty()).then(|| vas.iter().sum::<f64>() / vas.len() as f64),
                value_added_exams: vas.len(),
            }
        })
        .collect();
    Ok(SchoolTrend { years, exams })
}
