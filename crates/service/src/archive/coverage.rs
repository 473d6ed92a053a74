//! Coverage of the archive by school (the district page) or by class (the school page): art
//! activity, 校外实践, weekly labor hours, volunteer hours per student and the art assessment
//! levels, over enrolled students and approved records.
use std::collections::BTreeMap;

use serde::Serialize;
use wuyu_domain::{Capability, SchoolId, Scope, Term, Viewer};
use wuyu_monitor::archive::ArchiveCounts;

use super::TERM_WEEKS;
use crate::{Service, ServiceError};

/// One row of a coverage table: a school (district page) or a class (school page).
#[derive(Debug, Clone, Serialize)]
pub struct CoverageRow {
    pub school_id: SchoolId,
    pub label: String,
    #[serde(skip)]
    pub counts: ArchiveCounts,
    pub students: u64,
    pub art_coverage: Option<f64>,
    pub off_campus_rate: Option<f64>,
    pub labor_met_rate: Option<f64>,
    pub volunteer_hours_per_student: Option<f64>,
    pub art_excellent_rate: Option<f64>,
    pub art_pass_rate: Option<f64>,
}

fn rate(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

impl CoverageRow {
    fn new(school_id: SchoolId, label: String, c: ArchiveCounts) -> Self {
        Self {
            school_id,
            label,
            students: c.students,
            art_coverage: rate(c.art_covered, c.students),
            off_campus_rate: rate(c.off_campus_covered, c.students),
            labor_met_rate: rate(c.labor_met, c.students),
            volunteer_hours_per_student: (c.students > 0)
                .then(|| f64::from(c.volunteer_hours.0) / 10.0 / c.students as f64),
            art_excellent_rate: rate(c.art_excellent, c.art_assessed),
            art_pass_rate: rate(c.art_passed, c.art_assessed),
            counts: c,
        }
    }
}

/// The latest term with archive records in the scope, if any.
pub async fn district_term(svc: &Service, scope: &Scope) -> Result<Option<Term>, ServiceError> {
    Ok(svc.store().archive_terms(scope).await?.into_iter().next())
}

/// Coverage in `term`: by class of `school` when one is given, else by school of the scope.
pub async fn coverage(
    svc: &Service,
    viewer: &Viewer,
    school: Option<SchoolId>,
    term: Term,
) -> Result<Vec<CoverageRow>, ServiceError> {
    if !viewer.can(Capability::ViewArchiveCoverage) {
        return Err(ServiceError::Forbidden);
    }
    let store = svc.store();
    let classes = store
        .archive_counts(&viewer.scope, school, term, TERM_WEEKS)
        .await?;
    if school.is_some() {
        return Ok(classes
            .into_iter()
            .map(|c| {
                let label = wuyu_domain::Grade::new(c.grade)
                    .map_or_else(|_| c.grade.to_string(), |g| g.label_zh().to_string());
                CoverageRow::new(c.school_id, format!("{label}{}", c.class_name), c.counts)
            })
            .collect());
    }
    let mut by_school: BTreeMap<SchoolId, ArchiveCounts> = BTreeMap::new();
    for c in &classes {
        by_school.entry(c.school_id).or_default().merge(&c.counts);
    }
    // The names from the district's cached school list: listing the scope's schools counts
    // their students, 0.25 s at 1,000,000 students on every request. Only schools the scoped
    // counts already hold are looked up.
    let schools = svc.district_schools().await?;
    let names: BTreeMap<SchoolId, &str> = schools
        .iter()
        .map(|s| (s.school.id, s.school.name.as_str()))
        .collect();
    Ok(by_school
        .into_iter()
        .map(|(id, c)| {
            let name = names.get(&id).map(|n| n.to_string()).unwrap_or_default();
            CoverageRow::new(id, name, c)
        })
        .collect())
}
