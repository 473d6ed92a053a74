//! Item analysis of one subject (难度, 区分度, 点二列相关, the heat map, knowledge points).
use std::collections::{BTreeSet, HashMap};

use wuyu_domain::{Exam, ExamId, SchoolId, Viewer};
use wuyu_report::exam::{Sheet, item_sheets};
use wuyu_store::{ExamUnit, ItemReport};

use super::export::{XlsxFile, xlsx};
use super::optional;
use super::overview::focus;
use crate::{Service, ServiceError};

/// The item analysis of one subject as the page and the export show it.
#[derive(Debug, Clone)]
pub struct Items {
    pub subject: String,
    /// The school district roles narrowed the classes to.
    pub district_focus: Option<SchoolId>,
    /// `None` when no subject has item points.
    pub report: Option<ItemReport>,
    /// The item table (with the paper's rows), the heat map table and the knowledge points.
    pub sheets: Vec<Sheet>,
    /// The class labels of the heat map ("学校 班级" when several schools are shown).
    pub labels: Vec<String>,
}

/// The item analysis of `exam` in the subject asked for (or the first with item points),
/// narrowed to `?school=` for district roles.
pub async fn items(
    svc: &Service,
    viewer: &Viewer,
    exam: &Exam,
    asked_subject: Option<&str>,
    asked_school: Option<i64>,
) -> Result<Items, ServiceError> {
    let focus = focus(svc, viewer, asked_school).await?;
    let district_focus = if viewer.scope.is_district() {
        focus
    } else {
        None
    };
    let (subject, report) = item_report(svc, viewer, exam, asked_subject, district_focus).await?;
    let (sheets, labels) = match &report {
        Some(r) => labelled_sheets(svc, viewer, exam, &subject, r).await?,
        None => (Vec::new(), Vec::new()),
    };
    Ok(Items {
        subject,
        district_focus,
        report,
        sheets,
        labels,
    })
}

/// `exam-{id}-items.xlsx`: the sheets of [`items`]; `NotFound` without item points.
pub async fn items_xlsx(
    svc: &Service,
    viewer: &Viewer,
    id: ExamId,
    asked_subject: Option<&str>,
    asked_school: Option<i64>,
) -> Result<XlsxFile, ServiceError> {
    let exam = super::exam(svc, viewer, id).await?;
    let items = items(svc, viewer, &exam, asked_subject, asked_school).await?;
    if items.report.is_none() {
        return Err(ServiceError::NotFound);
    }
    xlsx(&items.sheets, format!("exam-{id}-items.xlsx"))
}

fn short_school(u: &ExamUnit) -> String {
    u.school_id.map(|s| format!("校{s}")).unwrap_or_default()
}

/// The sheets with the class labels of the page (school names resolved when the classes of
/// several schools are shown).
async fn labelled_sheets(
    svc: &Service,
    viewer: &Viewer,
    exam: &Exam,
    subject: &str,
    report: &ItemReport,
) -> Result<(Vec<Sheet>, Vec<String>), ServiceError> {
    let several = report
        .classes
        .iter()
        .map(|(u, _)| u.school_id)
        .collect::<BTreeSet<_>>()
        .len()
        > 1;
    let labels: Vec<String> = if several {
        let names: HashMap<SchoolId, String> = svc
            .store()
            .list_schools(&viewer.scope)
            .await?
            .into_iter()
            .map(|s| (s.school.id, s.school.name))
            .collect();
        report
            .classes
            .iter()
            .map(|(u, _)| {
                let school = u
                    .school_id
                    .and_then(|s| names.get(&s).cloned())
                    .unwrap_or_else(|| short_school(u));
                format!("{school} {}", u.name)
            })
            .collect()
    } else {
        report.classes.iter().map(|(u, _)| u.name.clone()).collect()
    };
    let sheets = item_sheets(
        &format!("{} · {subject} · 小题分析", exam.name),
        report,
        &labels,
    );
    Ok((sheets, labels))
}

/// The subject asked for (it must be one of the exam's, not 总分), or the first subject with
/// item points; `None` when no subject has any. `school` narrows the classes (district roles).
pub async fn item_report(
    svc: &Service,
    viewer: &Viewer,
    exam: &Exam,
    asked: Option<&str>,
    school: Option<SchoolId>,
) -> Result<(String, Option<ItemReport>), ServiceError> {
    let store = svc.store();
    if let Some(s) = asked.map(str::trim).filter(|s| !s.is_empty()) {
        if exam.subject(s).is_none() {
            return Err(ServiceError::BadRequest(format!("unknown subject {s}")));
        }
        let r = optional(store.exam_items(&viewer.scope, exam.id, s, school).await)?;
        return Ok((s.to_string(), r));
    }
    for s in &exam.subjects {
        if let Some(r) = optional(
            store
                .exam_items(&viewer.scope, exam.id, &s.name, school)
                .await,
        )? {
            return Ok((s.name.clone(), Some(r)));
        }
    }
    Ok((
        exam.subjects
            .first()
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        None,
    ))
}
