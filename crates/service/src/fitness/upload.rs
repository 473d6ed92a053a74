//! A school's fitness records of one term in the national upload template's layout (for the
//! school to report upward): the classes the caller may see, from the same store reads as the
//! PE teacher's class view, written by `wuyu_ingest`'s template writers. The file carries a
//! whole school's health data with full 学籍号, so every one made is audited; who may ask for
//! it is `Capability::ExportFitnessUpload`, checked by the edge.
use wuyu_domain::{SchoolClass, SchoolId, Scope, Term};
use wuyu_ingest::{TemplateRow, write_fitness_template_csv, write_fitness_template_xlsx};
use wuyu_store::ClassFitnessRow;

use crate::audit::{BulkExport, Requester, record_export};
use crate::{Service, ServiceError};

/// The audit action of the upload file.
pub const EXPORT_ACTION: &str = "export_fitness_upload";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateFormat {
    Xlsx,
    Csv,
}

/// The file and how many students it lists (students without a record of the term are left
/// out: the template carries results).
pub struct TemplateExport {
    pub bytes: Vec<u8>,
    pub students: usize,
}

/// 班级编号: the number in the class name (初二(3)班 → 3), else the class's position in its
/// grade (classes sorted by name).
fn class_number(class: &SchoolClass, position_in_grade: u32) -> u32 {
    let digits: String = class
        .name
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap_or(position_in_grade)
}

/// Every class of `school` the caller's scope reaches (the operator's at the command line:
/// [`Scope::District`]), each student with a record of `term`, ordered
/// by grade, class and 学籍号. `term` `None`: the latest term with records (`NotFound` when
/// there is none). The export is written to the audit log as `who`'s before it is returned.
pub async fn upload_template(
    svc: &Service,
    who: &Requester,
    scope: &Scope,
    school: SchoolId,
    term: Option<&str>,
    format: TemplateFormat,
) -> Result<(Term, TemplateExport), ServiceError> {
    let store = svc.store();
    store.school(scope, school).await?;
    let terms = store.fitness_terms(scope).await?;
    let term = super::pick_term(&terms, term)?.ok_or(ServiceError::NotFound)?;
    let mut classes = store.list_classes(scope, school).await?;
    classes.sort_by(|a, b| (a.class.grade, &a.class.name).cmp(&(b.class.grade, &b.class.name)));
    let mut per_class: Vec<(SchoolClass, u32, Vec<ClassFitnessRow>)> = Vec::new();
    let mut position = 0;
    for (i, c) in classes.iter().enumerate() {
        position = if i > 0 && classes[i - 1].class.grade == c.class.grade {
            position + 1
        } else {
            1
        };
        let rows = store.class_fitness(scope, school, c.class.id, term).await?;
        per_class.push((c.class.clone(), class_number(&c.class, position), rows));
    }
    let rows: Vec<TemplateRow<'_>> = per_class
        .iter()
        .flat_map(|(class, no, rows)| {
            rows.iter().filter_map(move |r| {
                let rec = r.record.as_ref()?;
                Some(TemplateRow {
                    grade: rec.grade,
                    class_no: *no,
                    class_name: &class.name,
                    student_no: r.student.student_no.as_str(),
                    ethnicity: r.student.ethnicity,
                    name: r.student.name.as_str(),
                    sex: r.student.sex,
                    birth_date: r.student.birth_date,
                    measures: &rec.measures,
                })
            })
        })
        .collect();
    let students = rows.len();
    let bytes = match format {
        TemplateFormat::Xlsx => write_fitness_template_xlsx(rows)
            .map_err(|e| ServiceError::Internal(format!("upload template: {e}")))?,
        TemplateFormat::Csv => {
            let mut out = Vec::new();
            write_fitness_template_csv(rows, &mut out)
                .map_err(|e| ServiceError::Internal(format!("upload template: {e}")))?;
            out
        }
    };
    record_export(
        svc,
        who,
        &BulkExport {
            action: EXPORT_ACTION,
            school: Some(school),
            entity: format!("school:{school}"),
            detail: format!("term={}", term.code()),
            rows: students,
        },
    )
    .await?;
    Ok((term, TemplateExport { bytes, students }))
}
