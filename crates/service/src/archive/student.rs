//! The student's archive (综合素质档案): five domains with the approved records and hours,
//! volunteer hours and star level, labor hours, art assessments, fitness and exam summaries —
//! never a rank. Every read is audited (refused reads too).
use std::collections::BTreeMap;

use serde::Serialize;
use wuyu_domain::{
    ActivityCategory, ArchiveDomain, Capability, ClassId, PublicityStage, RecordState, SchoolId,
    StudentId, Tenths, Term, Viewer,
};
use wuyu_standards::archive::stars_label_zh;
use wuyu_store::AuditEntry;
use wuyu_store::archive::{ActivityRecord, ArtAssessment};

use super::now_unix;
use crate::audit::{Requester, append};
use crate::{Service, ServiceError};

/// One domain of the archive.
#[derive(Debug, Clone, Serialize)]
pub struct DomainSection {
    pub domain: ArchiveDomain,
    pub label_zh: &'static str,
    pub records: Vec<ActivityRecord>,
    pub hours: Tenths,
}

/// A fitness term as the archive shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FitnessLine {
    pub term_zh: String,
    pub year_total: Option<f64>,
    pub level_zh: Option<&'static str>,
}

/// An exam as the archive shows it: the marks, no rank, no percentile.
#[derive(Debug, Clone, Serialize)]
pub struct ExamLine {
    pub exam: String,
    pub date: String,
    pub marks: Vec<(String, Option<f64>)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StudentArchive {
    pub student_id: StudentId,
    pub name: String,
    pub class_id: ClassId,
    /// Terms whose 公示 is open today for the student's class: their approved records may be
    /// objected to (质疑).
    pub in_publicity: Vec<Term>,
    /// Of those terms, the ones the family has confirmed (家长确认).
    pub confirmed: Vec<Term>,
    pub domains: Vec<DomainSection>,
    /// Approved volunteer service hours over every term, travel excluded.
    pub volunteer_hours: Tenths,
    pub stars: u8,
    pub stars_zh: String,
    /// Approved out-of-class labor hours (校内劳动, 家务劳动) over every term.
    pub labor_hours: Tenths,
    pub art: Vec<ArtAssessment>,
    pub fitness: Vec<FitnessLine>,
    pub exams: Vec<ExamLine>,
    /// Records not yet approved (shown to the family and the school as pending).
    pub pending: Vec<ActivityRecord>,
    /// Terms with an approved record, newest first: the page's term selector.
    pub terms: Vec<Term>,
}

impl StudentArchive {
    /// The five domains with `term`'s approved records and hours only (one semester's view);
    /// the hours, stars and art of the whole stage stay on the archive itself.
    pub fn domains_in(&self, term: Term) -> Vec<DomainSection> {
        self.domains
            .iter()
            .map(|d| {
                let records: Vec<ActivityRecord> = d
                    .records
                    .iter()
                    .filter(|r| r.term == term)
                    .cloned()
                    .collect();
                DomainSection {
                    domain: d.domain,
                    label_zh: d.label_zh,
                    hours: Tenths(records.iter().map(|r| r.hours.0).sum()),
                    records,
                }
            })
            .collect()
    }
}

fn entry(who: &Requester, action: &str, school: SchoolId, student: StudentId) -> AuditEntry {
    AuditEntry {
        at: now_unix(),
        user_id: who.user_id,
        username: who.username.clone(),
        action: action.into(),
        school_id: Some(school),
        entity: format!("student:{}", student.0),
        detail: String::new(),
        ip: who.ip.clone(),
    }
}

pub async fn student_archive(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    student: StudentId,
) -> Result<StudentArchive, ServiceError> {
    if !viewer.can(Capability::ViewStudentArchive) {
        let mut e = entry(who, "archive_read_denied", school, student);
        e.detail = format!("role={} refused", viewer.role().code());
        append(svc, &e).await?;
        return Err(ServiceError::Forbidden);
    }
    let store = svc.store();
    let rows = match store
        .student_archive(
            &viewer.scope,
            school,
            student,
            &entry(who, "archive_read_student", school, student),
        )
        .await
    {
        Ok(r) => r,
        Err(wuyu_store::StoreError::Forbidden) => {
            append(svc, &entry(who, "archive_read_denied", school, student)).await?;
            return Err(ServiceError::Forbidden);
        }
        Err(e) => return Err(e.into()),
    };
    let person = store.student(&viewer.scope, school, student).await?;
    let thresholds = svc.store().district_settings().await?.star_thresholds;
    let (approved, pending): (Vec<ActivityRecord>, Vec<ActivityRecord>) = rows
        .records
        .into_iter()
        .partition(|r| r.state == RecordState::Approved);
    let mut terms: Vec<Term> = approved.iter().map(|r| r.term).collect();
    terms.sort_unstable_by(|a, b| b.cmp(a));
    terms.dedup();
    let mut by_domain: BTreeMap<ArchiveDomain, Vec<ActivityRecord>> = BTreeMap::new();
    let (mut volunteer, mut labor) = (0, 0);
    for r in approved {
        if r.category == ActivityCategory::Volunteer {
            volunteer += r.hours.0 - r.travel.0;
        }
        if r.category.is_out_of_class_labor() {
            labor += r.hours.0;
        }
        by_domain.entry(r.category.domain()).or_default().push(r);
    }
    let domains = ArchiveDomain::ALL
        .into_iter()
        .map(|d| {
            let records = by_domain.remove(&d).unwrap_or_default();
            DomainSection {
                domain: d,
                label_zh: d.label_zh(),
                hours: Tenths(records.iter().map(|r| r.hours.0).sum()),
                records,
            }
        })
        .collect();
    // Fitness and exams as far as the viewer's scope reaches them; marks only, no ranks.
    let fitness = store
        .student_fitness(&viewer.scope, school, student)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|f| FitnessLine {
            term_zh: f.term.label_zh(),
            year_total: f.year_total,
            level_zh: f.level.map(|l| l.label_zh()),
        })
        .collect();
    let exams = store
        .student_exams(&viewer.scope, school, student)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|e| ExamLine {
            exam: e.exam.name.clone(),
            date: e.exam.date.to_string(),
            marks: e.marks.into_iter().map(|m| (m.subject, m.score)).collect(),
        })
        .collect();
    let stars = thresholds.stars(Tenths(volunteer));
    let today = super::publicity::today();
    let in_publicity = match store
        .class_publicities(&viewer.scope, school, person.class_id)
        .await
    {
        Ok(all) => all
            .into_iter()
            .filter(|p| {
                PublicityStage::on(
                    today,
                    p.ends_on,
                    p.head_signed.is_some(),
                    p.principal_signed.is_some(),
                ) == PublicityStage::Open
            })
            .map(|p| p.term)
            .collect(),
        // Whoever may not see the class's 公示 (a district reader) just reads.
        Err(wuyu_store::StoreError::Forbidden) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let mut confirmed = Vec::new();
    for &t in &in_publicity {
        let by = store
            .archive_confirmations(&viewer.scope, school, person.class_id, t)
            .await?;
        if by.iter().any(|c| c.student_id == student) {
            confirmed.push(t);
        }
    }
    Ok(StudentArchive {
        confirmed,
        student_id: student,
        name: person.name.as_str().to_string(),
        class_id: person.class_id,
        in_publicity,
        domains,
        volunteer_hours: Tenths(volunteer),
        stars,
        stars_zh: stars_label_zh(stars),
        labor_hours: Tenths(labor),
        art: rows.art,
        fitness,
        exams,
        pending,
        terms,
    })
}
