//! 单条更正: a PE teacher or admin corrects one student's results of one term in a form. The
//! record goes through the fitness import (the same validation and score-at-write as a file,
//! rescored at once, journaled like any import), and the change is audited with the values
//! before and after. A blank result is 缺考 (not tested): the record becomes 缺项.
use time::OffsetDateTime;
use wuyu_domain::Student;
use wuyu_domain::{
    Capability, FitnessBatch, FitnessMeasures, NewFitnessRecord, Origin, SchoolId, StudentId, Term,
    Viewer,
};
use wuyu_store::{AuditEntry, FitnessImportSummary, FitnessRecord, ImportMeta, StoreError};

use crate::audit::Requester;
use crate::{Service, ServiceError};

/// The results a form corrects, with their Chinese labels and units, in form order.
pub const FIX_FIELDS: [(&str, &str); 12] = [
    ("height_cm", "身高（厘米）"),
    ("weight_kg", "体重（千克）"),
    ("vital_capacity", "肺活量（毫升）"),
    ("run_50m", "50米跑（秒）"),
    ("sit_and_reach", "坐位体前屈（厘米）"),
    ("rope_skip_1min", "一分钟跳绳（次）"),
    ("sit_up_1min", "一分钟仰卧起坐（次）"),
    ("shuttle_50x8", "50米×8往返跑（秒）"),
    ("standing_long_jump", "立定跳远（厘米）"),
    ("pull_up", "引体向上（次）"),
    ("run_1000m", "1000米跑（秒）"),
    ("run_800m", "800米跑（秒）"),
];

/// The form key that marks the whole record 缺考 (every result cleared).
pub const ALL_ABSENT: &str = "all_absent";

/// The field `code` of `m`.
pub fn measure<'a>(m: &'a mut FitnessMeasures, code: &str) -> Option<&'a mut Option<f64>> {
    Some(match code {
        "height_cm" => &mut m.height_cm,
        "weight_kg" => &mut m.weight_kg,
        "vital_capacity" => &mut m.vital_capacity,
        "run_50m" => &mut m.run_50m,
        "sit_and_reach" => &mut m.sit_and_reach,
        "rope_skip_1min" => &mut m.rope_skip_1min,
        "sit_up_1min" => &mut m.sit_up_1min,
        "shuttle_50x8" => &mut m.shuttle_50x8,
        "standing_long_jump" => &mut m.standing_long_jump,
        "pull_up" => &mut m.pull_up,
        "run_1000m" => &mut m.run_1000m,
        "run_800m" => &mut m.run_800m,
        _ => return None,
    })
}

/// The student and their record of `term`, for the correction form (`NotFound` without one).
pub async fn fix_form(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
    student: StudentId,
    term: Term,
) -> Result<(Student, FitnessRecord), ServiceError> {
    if !viewer.can(Capability::FixFitnessRecords) {
        return Err(ServiceError::Forbidden);
    }
    let store = svc.store();
    let s = store.student(&viewer.scope, school, student).await?;
    let record = store
        .student_fitness(&viewer.scope, school, student)
        .await?
        .into_iter()
        .find(|r| r.term == term)
        .ok_or(ServiceError::NotFound)?;
    Ok((s, record))
}

fn shown(v: Option<f64>) -> String {
    v.map_or_else(|| "缺考".to_string(), |v| v.to_string())
}

/// Replaces the student's results of `term` with `form` (field code → text; blank: 缺考),
/// keeping the test date and vision of the stored record. `BadRequest` names the field and
/// value that is not a number; `Rejected` carries the scorer's row errors; nothing is written
/// then. `NotFound` when the student has no record of the term.
pub async fn fix_record(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    student: StudentId,
    term: Term,
    form: &[(String, String)],
) -> Result<FitnessImportSummary, ServiceError> {
    if !viewer.can(Capability::FixFitnessRecords) {
        return Err(ServiceError::Forbidden);
    }
    let store = svc.store();
    let (s, old) = fix_form(svc, viewer, school, student, term).await?;
    let mut measures = old.measures;
    let mut changes = Vec::new();
    // 整条记为缺考: the student missed the whole test; every result is cleared.
    let all_absent = form.iter().any(|(k, _)| k == ALL_ABSENT);
    for (code, label) in FIX_FIELDS {
        let given = form.iter().find(|(k, _)| k == code).map(|(_, v)| v.trim());
        let Some(text) = (if all_absent { Some("") } else { given }) else {
            continue;
        };
        let value = if text.is_empty() {
            None
        } else {
            Some(
                text.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| {
                        ServiceError::BadRequest(format!(
                            "{label}“{text}”不是数字；不测请留空（缺考）"
                        ))
                    })?,
            )
        };
        let slot = measure(&mut measures, code).expect("every FIX_FIELDS code is a measure");
        if *slot != value {
            changes.push(format!("{code}: {} → {}", shown(*slot), shown(value)));
            *slot = value;
        }
    }
    let batch = FitnessBatch {
        records: vec![NewFitnessRecord {
            origin: Origin {
                sheet: "单条更正".into(),
                row: 1,
            },
            student_no: s.student_no.clone(),
            term,
            test_date: old.test_date,
            grade: Some(old.grade),
            sex: Some(s.sex),
            measures,
        }],
    };
    let at = OffsetDateTime::now_utc().unix_timestamp();
    let meta = ImportMeta {
        username: who.username.clone(),
        file_name: format!("单条更正：{}", s.name),
        file_sha256: String::new(),
        at,
    };
    let summary = store
        .import_fitness(&batch, &meta)
        .await
        .map_err(|e| match e {
            StoreError::Rejected(rows) => ServiceError::Rejected(rows),
            other => other.into(),
        })?;
    store
        .append_audit(&AuditEntry {
            at,
            user_id: who.user_id,
            username: who.username.clone(),
            action: "fix_fitness_record".into(),
            school_id: Some(school),
            entity: format!("student:{}", student.0),
            detail: format!(
                "term={}{} {}",
                term.code(),
                if all_absent {
                    " 整条记为缺考"
                } else {
                    ""
                },
                changes.join("; ")
            ),
            ip: who.ip.clone(),
        })
        .await?;
    Ok(summary)
}
