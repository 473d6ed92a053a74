//! Counselling records (心理档案) of a crisis case: written and read by the school's
//! counsellor only; every read and write audited.
use serde::Serialize;
use wuyu_domain::{SchoolId, Viewer};
use wuyu_store::psych::CaseRow;
use wuyu_store::psych_work::{CounsellingKind, CounsellingRow, NewCounselling};

use super::audit::{counsellor, now_unix, record};
use crate::audit::Requester;
use crate::{Service, ServiceError};

/// Longest summary or next step kept, in characters.
pub const MAX_TEXT: usize = 2000;

/// A case with its counselling records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseFile {
    pub case: CaseRow,
    pub records: Vec<CounsellingRow>,
    pub now: i64,
}

pub async fn case_file(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    case: i64,
) -> Result<CaseFile, ServiceError> {
    let entity = format!("psych_case:{case}");
    let token = counsellor(svc, viewer, who, school, &entity).await?;
    let found = svc
        .store()
        .cases(&token)
        .await?
        .into_iter()
        .find(|c| c.id == case)
        .ok_or(ServiceError::NotFound)?;
    record(
        svc,
        who,
        "psych_read_counselling",
        Some(school),
        entity,
        format!("student={}", found.student_id.0),
    )
    .await?;
    let records = svc.store().sessions(&token, case).await?;
    Ok(CaseFile {
        case: found,
        records,
        now: now_unix(),
    })
}

/// A record as the form gives it.
#[derive(Debug, Clone, Default)]
pub struct CounsellingInput {
    /// yyyy-mm-dd
    pub held_on: String,
    pub kind: String,
    pub summary: String,
    pub next_step: String,
}

fn validate(i: &CounsellingInput) -> Result<(String, CounsellingKind), ServiceError> {
    let bad = |m: String| Err(ServiceError::BadRequest(m));
    let date = time::Date::parse(
        i.held_on.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    );
    let Ok(date) = date else {
        return bad(format!(
            "日期“{}”无效：应为 yyyy-mm-dd 格式的日期",
            i.held_on
        ));
    };
    let Some(kind) = CounsellingKind::from_code(i.kind.trim()) else {
        return bad(format!("记录类型“{}”无法识别", i.kind));
    };
    if i.summary.trim().is_empty() {
        return bad("辅导记录的内容摘要不能为空".into());
    }
    for (field, v) in [("内容摘要", &i.summary), ("下一步", &i.next_step)] {
        let n = v.chars().count();
        if n > MAX_TEXT {
            return bad(format!("{field}共 {n} 字，超过上限 {MAX_TEXT} 字"));
        }
    }
    Ok((date.to_string(), kind))
}

pub async fn add_counselling(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    case: i64,
    input: &CounsellingInput,
) -> Result<i32, ServiceError> {
    let entity = format!("psych_case:{case}");
    let token = counsellor(svc, viewer, who, school, &entity).await?;
    let (held_on, kind) = validate(input)?;
    let seq = svc
        .store()
        .add_session(
            &token,
            case,
            &NewCounselling {
                held_on,
                kind,
                summary: input.summary.trim().to_string(),
                next_step: input.next_step.trim().to_string(),
                recorded_by: who.username.clone(),
                recorded_at: now_unix(),
            },
        )
        .await?;
    record(
        svc,
        who,
        "psych_add_counselling",
        Some(school),
        entity,
        format!("record={seq} kind={}", kind.code()),
    )
    .await?;
    Ok(seq)
}
