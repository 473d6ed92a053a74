//! The report card (综合素质评价报告): the student's archive as a printable PDF, one student or
//! a whole class in one file. It is made from the same audited read as the archive page, so
//! a parent gets only their own child's card, and every card handed out is in the audit log.
use serde::Serialize;
use wuyu_domain::{Capability, ClassId, SchoolId, StudentId, Viewer};

use super::student::{StudentArchive, student_archive};
use crate::audit::{BulkExport, Requester, record_export};
use crate::{Service, ServiceError};

/// One signature line: who signs (班主任, 校长), their name and the date, empty until signed.
#[derive(Debug, Clone, Serialize)]
pub struct CardSignature {
    pub role: String,
    pub name: String,
    pub date: String,
}

/// One domain of the card: its label, its hours, its approved records as table rows
/// (date, category, hours, organiser, description).
#[derive(Debug, Clone, Serialize)]
pub struct CardDomain {
    pub label: String,
    pub hours: String,
    pub records: Vec<[String; 5]>,
}

/// One student's card, every cell formatted as it should read.
#[derive(Debug, Clone, Serialize)]
pub struct ReportCard {
    pub name: String,
    pub school: String,
    pub class: String,
    pub period: String,
    /// (label, value) rows: volunteer hours and stars, out-of-class labor hours.
    pub summary: Vec<[String; 2]>,
    pub domains: Vec<CardDomain>,
    /// (school year, total, level).
    pub art: Vec<[String; 3]>,
    /// (term, year total, level).
    pub fitness: Vec<[String; 3]>,
    /// (exam, marks): marks only, never a rank.
    pub exams: Vec<[String; 2]>,
    pub signatures: Vec<CardSignature>,
}

/// The document: one or more cards.
#[derive(Debug, Clone, Serialize)]
pub struct ReportCards {
    pub title: String,
    pub generated_on: String,
    pub cards: Vec<ReportCard>,
}

pub const CARD_TITLE: &str = "综合素质评价报告";

/// The card of one archive; `signatures` as recorded (names and dates), in signing order.
pub fn card_of(
    a: &StudentArchive,
    school: &str,
    class: &str,
    signatures: Vec<CardSignature>,
) -> ReportCard {
    let domains = a
        .domains
        .iter()
        .map(|d| CardDomain {
            label: d.label_zh.to_string(),
            hours: d.hours.to_string(),
            records: d
                .records
                .iter()
                .map(|r| {
                    [
                        match r.end_date {
                            Some(e) => format!("{} 至 {e}", r.date),
                            None => r.date.to_string(),
                        },
                        r.category.label_zh().to_string(),
                        r.hours.to_string(),
                        r.organiser.clone(),
                        r.description.clone(),
                    ]
                })
                .collect(),
        })
        .collect();
    ReportCard {
        name: a.name.clone(),
        school: school.to_string(),
        class: class.to_string(),
        period: "在校期间全部已审核记录".into(),
        summary: vec![
            [
                "志愿服务时长（不含路程）".into(),
                format!("{} 小时", a.volunteer_hours),
            ],
            ["志愿服务星级".into(), a.stars_zh.clone()],
            [
                "课外劳动时长（校内劳动、家务劳动）".into(),
                format!("{} 小时", a.labor_hours),
            ],
        ],
        domains,
        art: a
            .art
            .iter()
            .map(|x| {
                [
                    // A school year is named by the year it starts (2025 = 2025–2026 学年).
                    format!("{}–{}学年", x.school_year, x.school_year + 1),
                    x.total.to_string(),
                    x.level.label_zh().to_string(),
                ]
            })
            .collect(),
        fitness: a
            .fitness
            .iter()
            .map(|f| {
                [
                    f.term_zh.clone(),
                    f.year_total.map_or("—".into(), |t| format!("{t:.1}")),
                    f.level_zh.unwrap_or("—").to_string(),
                ]
            })
            .collect(),
        exams: a
            .exams
            .iter()
            .map(|e| {
                let marks: Vec<String> = e
                    .marks
                    .iter()
                    .map(|(s, m)| format!("{s} {}", m.map_or("缺考".into(), |m| format!("{m}"))))
                    .collect();
                [format!("{}（{}）", e.exam, e.date), marks.join("、")]
            })
            .collect(),
        signatures,
    }
}

/// Signature lines not signed yet.
fn unsigned() -> Vec<CardSignature> {
    ["班主任", "校长"]
        .into_iter()
        .map(|r| CardSignature {
            role: r.into(),
            name: "（未签字）".into(),
            date: "—".into(),
        })
        .collect()
}

fn render(doc: &ReportCards) -> Result<Vec<u8>, ServiceError> {
    wuyu_report::pdf::render(wuyu_report::pdf::Document::ReportCard, doc).map_err(|e| match e {
        wuyu_report::pdf::PdfError::Unavailable(m) => ServiceError::BadRequest(m),
        other => ServiceError::Internal(other.to_string()),
    })
}

/// The card of one student's archive after its audited read, with school and class names.
async fn one_card(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    student: StudentId,
) -> Result<ReportCard, ServiceError> {
    let a = student_archive(svc, viewer, who, school, student).await?;
    let store = svc.store();
    let person = store.student(&viewer.scope, school, student).await?;
    let school_name = store.school(&viewer.scope, school).await.map(|s| s.name);
    let class_name = store
        .class(&viewer.scope, school, person.class_id)
        .await
        .map(|c| format!("{}{}", c.grade.label_zh(), c.name));
    let signatures =
        super::publicity::card_signatures(svc, viewer, school, person.class_id).await?;
    // A parent's scope may not list the school or class: the card still says whose it is.
    Ok(card_of(
        &a,
        &school_name.unwrap_or_default(),
        &class_name.unwrap_or_default(),
        if signatures.is_empty() {
            unsigned()
        } else {
            signatures
        },
    ))
}

fn today() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}

/// One student's report card as a PDF (the caller: anyone who may read that archive).
pub async fn report_card_pdf(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    student: StudentId,
) -> Result<Vec<u8>, ServiceError> {
    let card = one_card(svc, viewer, who, school, student).await?;
    let bytes = render(&ReportCards {
        title: CARD_TITLE.into(),
        generated_on: today(),
        cards: vec![card],
    })?;
    record_export(
        svc,
        who,
        &BulkExport {
            action: "archive_report_card",
            school: Some(school),
            entity: format!("student:{}", student.0),
            detail: "format=pdf".into(),
            rows: 1,
        },
    )
    .await?;
    Ok(bytes)
}

/// Every student's card of one class (or of the whole school, class by class) as one PDF, for
/// printing (the school admin, the class's teachers, the district); each student's archive
/// read is audited on its own.
pub async fn class_report_cards_pdf(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    class: Option<ClassId>,
) -> Result<Vec<u8>, ServiceError> {
    if !viewer.can(Capability::PrintReportCards) {
        return Err(ServiceError::Forbidden);
    }
    if let Some(c) = class {
        // A class outside the scope is refused (not an empty file).
        svc.store().class(&viewer.scope, school, c).await?;
    }
    let students = svc
        .store()
        .list_students(&viewer.scope, school, class)
        .await?;
    if students.is_empty() {
        return Err(ServiceError::NotFound);
    }
    let mut cards = Vec::with_capacity(students.len());
    for s in &students {
        cards.push(one_card(svc, viewer, who, school, s.id).await?);
    }
    let bytes = render(&ReportCards {
        title: CARD_TITLE.into(),
        generated_on: today(),
        cards,
    })?;
    record_export(
        svc,
        who,
        &BulkExport {
            action: "archive_report_cards",
            school: Some(school),
            entity: class.map_or_else(|| "school".into(), |c| format!("class:{}", c.0)),
            detail: "format=pdf".into(),
            rows: students.len(),
        },
    )
    .await?;
    Ok(bytes)
}
