//! The exam XLSX exports: the bytes and the file name, from the same read models the pages
//! show.
use wuyu_domain::{ExamId, Viewer};
use wuyu_report::exam::{Sheet, overview_sheet, sheets_xlsx};
use wuyu_store::ExamUnitKind;
use wuyu_store::exam::TOTAL;

use super::overview::{SchoolsTable, focus, school_view};
use super::sheets::{classes_sheet, schools_sheet, va_sheet};
use super::units::{UnitsOf, units};
use super::va::value_added;
use super::{exam, subjects_with_total};
use crate::{Service, ServiceError};

/// An XLSX file to download.
#[derive(Debug, Clone)]
pub struct XlsxFile {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// The data rows of all its sheets (what an audit entry counts).
    pub rows: usize,
}

pub(crate) fn xlsx(sheets: &[Sheet], file_name: String) -> Result<XlsxFile, ServiceError> {
    let bytes = sheets_xlsx(sheets).map_err(|e| ServiceError::Internal(format!("xlsx: {e}")))?;
    let rows = sheets.iter().map(|s| s.rows.len()).sum();
    Ok(XlsxFile {
        file_name,
        bytes,
        rows,
    })
}

/// `exam-{id}-overview.xlsx`: the district overview (全区, 城乡, 学段 in every subject), one
/// sheet of schools per subject (and 总分) as the page shows them, and the school value-added
/// of 总分. District scope only (a school's roles export their class comparison).
pub async fn overview_xlsx(
    svc: &Service,
    viewer: &Viewer,
    id: ExamId,
) -> Result<XlsxFile, ServiceError> {
    let exam = exam(svc, viewer, id).await?;
    if !viewer.scope.is_district() {
        return Err(ServiceError::Forbidden);
    }
    let overview = units(svc, viewer, id, UnitsOf::Overview).await?;
    let schools = units(svc, viewer, id, UnitsOf::Schools).await?;
    let mut sheets = vec![overview_sheet(
        &format!("{} · 全区概况", exam.name),
        &overview.units,
    )];
    for subject in subjects_with_total(&exam) {
        sheets.push(schools_sheet(&exam, &SchoolsTable::new(&schools, &subject)));
    }
    if let Some(va) = value_added(svc, viewer, id, TOTAL, ExamUnitKind::School, None).await? {
        sheets.push(va_sheet(&va, "学校"));
    }
    xlsx(&sheets, format!("exam-{id}-overview.xlsx"))
}

/// `exam-{id}-school-{s}-classes.xlsx`: a school's class comparison, one sheet per subject
/// (and 总分), as the school's page shows it. District roles name the school.
pub async fn classes_xlsx(
    svc: &Service,
    viewer: &Viewer,
    id: ExamId,
    asked_school: Option<i64>,
) -> Result<XlsxFile, ServiceError> {
    let exam = exam(svc, viewer, id).await?;
    let school = focus(svc, viewer, asked_school)
        .await?
        .ok_or_else(|| ServiceError::BadRequest("school required".into()))?;
    let view = school_view(svc, viewer, &exam, school, None).await?;
    let ranks = view.classes.ranks_shown();
    let sheets: Vec<Sheet> = subjects_with_total(&exam)
        .iter()
        .map(|subject| {
            classes_sheet(
                &exam,
                &view.school_name,
                &view.classes.units,
                view.own.as_ref(),
                view.district(),
                subject,
                ranks,
            )
            .0
        })
        .collect();
    xlsx(&sheets, format!("exam-{id}-school-{school}-classes.xlsx"))
}
