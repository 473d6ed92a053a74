//! The district overview of an exam (全区, 城乡, 学段, every school, school value-added) and a
//! school's class comparison (its classes against the school and the district, class
//! value-added): what `/exams/{id}`, its API twins and its exports show.
use wuyu_domain::{Exam, ExamId, Location, RanksToken, SchoolId, Viewer};
use wuyu_monitor::display::{Precision, shown};
use wuyu_store::{ExamUnitKind, ExamUnitStat, SubjectStat};

use super::units::{ExamUnits, UnitsOf, units};
use super::va::{ValueAdded, value_added};
use crate::focus::focus_school;
use crate::{Service, ServiceError};

/// A unit's statistic in one subject.
pub fn stat<'a>(u: &'a ExamUnitStat, subject: &str) -> Option<&'a SubjectStat> {
    u.subjects.iter().find(|s| s.subject == subject)
}

/// One school of the district's school table in one subject.
#[derive(Debug, Clone)]
pub struct SchoolLine {
    pub school_id: Option<SchoolId>,
    pub name: String,
    pub location: Option<Location>,
    /// The statistic; `stat.rank` is the school's rank as the viewer may see it.
    pub stat: SubjectStat,
}

/// The district's schools in one subject: ordered by rank when ranks are shown (unranked
/// schools last, in the store's order), in the store's order otherwise.
#[derive(Debug, Clone)]
pub struct SchoolsTable {
    pub subject: String,
    pub ranks: Option<RanksToken>,
    pub rows: Vec<SchoolLine>,
}

impl SchoolsTable {
    pub fn new(schools: &ExamUnits, subject: &str) -> Self {
        let mut order: Vec<usize> = (0..schools.units.len())
            .filter(|&i| stat(&schools.units[i], subject).is_some())
            .collect();
        if schools.ranks_shown() {
            order.sort_by_key(|&i| {
                stat(&schools.units[i], subject)
                    .and_then(|s| s.rank)
                    .unwrap_or(u32::MAX)
            });
        }
        let rows = order
            .into_iter()
            .filter_map(|i| {
                let u = &schools.units[i];
                stat(u, subject).map(|s| SchoolLine {
                    school_id: u.unit.school_id,
                    name: u.unit.name.clone(),
                    location: u.unit.location,
                    stat: s.clone(),
                })
            })
            .collect();
        Self {
            subject: subject.to_string(),
            ranks: schools.ranks,
            rows,
        }
    }

    pub fn ranks_shown(&self) -> bool {
        self.ranks.is_some()
    }
}

/// The schools table of `exam` in `subject` (总分 or a subject of the exam).
pub async fn schools_table(
    svc: &Service,
    viewer: &Viewer,
    exam: ExamId,
    subject: &str,
) -> Result<SchoolsTable, ServiceError> {
    let schools = units(svc, viewer, exam, UnitsOf::Schools).await?;
    Ok(SchoolsTable::new(&schools, subject))
}

/// What the district view of an exam shows for one subject.
#[derive(Debug, Clone)]
pub struct DistrictOverview {
    /// 全区, 城区/农村 and 学段 in every subject.
    pub overview: ExamUnits,
    pub schools: SchoolsTable,
    /// The school value-added in the subject (`None` without a baseline).
    pub va: Option<ValueAdded>,
}

impl DistrictOverview {
    pub fn district(&self) -> Option<&ExamUnitStat> {
        self.overview
            .units
            .iter()
            .find(|u| u.unit.kind == ExamUnitKind::District)
    }

    /// The mean of 城区 (or 农村) schools at two decimals.
    pub fn location_mean(&self, loc: Location) -> Option<f64> {
        self.overview
            .units
            .iter()
            .find(|u| u.unit.kind == ExamUnitKind::Location && u.unit.location == Some(loc))
            .and_then(|u| stat(u, &self.schools.subject))
            .and_then(|s| s.rates.mean)
            .map(|m| shown(m, Precision::Two))
    }
}

pub async fn district_overview(
    svc: &Service,
    viewer: &Viewer,
    exam: &Exam,
    subject: &str,
) -> Result<DistrictOverview, ServiceError> {
    let overview = units(svc, viewer, exam.id, UnitsOf::Overview).await?;
    let schools = schools_table(svc, viewer, exam.id, subject).await?;
    let va = value_added(svc, viewer, exam.id, subject, ExamUnitKind::School, None).await?;
    Ok(DistrictOverview {
        overview,
        schools,
        va,
    })
}

/// What a school's class comparison shows for one subject.
#[derive(Debug, Clone)]
pub struct SchoolView {
    pub school: SchoolId,
    pub school_name: String,
    pub overview: ExamUnits,
    /// The school's own row (among the schools of the district).
    pub own: Option<ExamUnitStat>,
    pub classes: ExamUnits,
    pub class_va: Option<ValueAdded>,
    /// The district's school model, for the school's own line.
    pub school_va: Option<ValueAdded>,
}

impl SchoolView {
    pub fn district(&self) -> Option<&ExamUnitStat> {
        self.overview
            .units
            .iter()
            .find(|u| u.unit.kind == ExamUnitKind::District)
    }
}

/// The school the viewer focuses on (`?school=` for district roles, their own otherwise);
/// `None`: the whole district.
pub async fn focus(
    svc: &Service,
    viewer: &Viewer,
    asked: Option<i64>,
) -> Result<Option<SchoolId>, ServiceError> {
    focus_school(svc.store().as_ref(), &viewer.scope, asked.map(SchoolId)).await
}

/// A school's class comparison; the value-added of `va_subject` too, when one is named (the
/// export of every subject has none).
pub async fn school_view(
    svc: &Service,
    viewer: &Viewer,
    exam: &Exam,
    school: SchoolId,
    va_subject: Option<&str>,
) -> Result<SchoolView, ServiceError> {
    let school_name = svc.store().school(&viewer.scope, school).await?.name;
    let overview = units(svc, viewer, exam.id, UnitsOf::Overview).await?;
    let schools = units(svc, viewer, exam.id, UnitsOf::Schools).await?;
    let classes = units(svc, viewer, exam.id, UnitsOf::Classes(Some(school))).await?;
    let (class_va, school_va) = match va_subject {
        Some(subject) => (
            value_added(
                svc,
                viewer,
                exam.id,
                subject,
                ExamUnitKind::Class,
                Some(school),
            )
            .await?,
            value_added(svc, viewer, exam.id, subject, ExamUnitKind::School, None).await?,
        ),
        None => (None, None),
    };
    let own = schools
        .units
        .into_iter()
        .find(|u| u.unit.school_id == Some(school));
    Ok(SchoolView {
        school,
        school_name,
        overview,
        own,
        classes,
        class_va,
        school_va,
    })
}
