//! One-time answer codes: the counsellor prints a sheet of codes for a class; a student opens
//! the code's page without an account and answers once. The answers are scored by the same
//! rules as an import and a level-3 result opens a crisis case in the same transaction.
use serde::Serialize;
use sha2::{Digest, Sha256};
use wuyu_domain::{ClassId, SchoolId, Viewer};
use wuyu_standards::scales::{
    ASQ_ITEMS, AsqAnswer, BuiltinScale, GAD_ITEMS, PHQ_ITEMS, ScaleDefinition, ScreeningAnswers,
    parse_asq, parse_item, score_screening,
};
use wuyu_store::psych::Campaign;
use wuyu_store::psych::scales::{CustomAnswers, ScaleRef};
use wuyu_store::psych_work::{CodeRefusal, CodeSubmitted};

use super::audit::{counsellor, now_unix, record};
use crate::audit::Requester;
use crate::{Service, ServiceError};

/// One line of a printed code sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeSheetRow {
    pub student_no: String,
    pub name: String,
    /// The fresh code, or `None` with the reason in `note`.
    pub code: Option<String>,
    pub note: &'static str,
}

/// A class's code sheet: the codes exist only here, the store keeps their hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeSheet {
    pub campaign_name: String,
    pub class_label: String,
    pub opens_on: String,
    pub closes_on: String,
    pub rows: Vec<CodeSheetRow>,
}

/// Codes are read case-insensitively, ignoring spaces and dashes a student may type.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

fn code_hash(code: &str) -> String {
    let digest = Sha256::digest(normalise(code).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// 8 characters without look-alikes, easy to type from paper.
fn fresh_code() -> Result<String, ServiceError> {
    loop {
        let raw = crate::accounts::one_time_password()
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let code: String = raw
            .to_uppercase()
            .chars()
            .filter(|c| !matches!(c, 'O' | 'I' | 'L'))
            .take(8)
            .collect();
        if code.len() == 8 {
            return Ok(code);
        }
    }
}

/// Issues a code to every student of the class who has consent and has not answered yet
/// (replacing an unused earlier code) and answers the sheet to print.
pub async fn issue_codes(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    campaign: i64,
    class: ClassId,
) -> Result<CodeSheet, ServiceError> {
    let token = counsellor(
        svc,
        viewer,
        who,
        school,
        &format!("psych_campaign:{campaign}"),
    )
    .await?;
    let camp = svc
        .store()
        .campaigns(&viewer.scope, school)
        .await?
        .into_iter()
        .find(|c| c.id == campaign)
        .ok_or(ServiceError::NotFound)?;
    let students = svc.store().code_students(&token, campaign, class).await?;
    let mut rows = Vec::with_capacity(students.len());
    let mut hashes = Vec::new();
    for s in &students {
        let (code, note) = if s.answered {
            (None, "已作答")
        } else if !s.consent_ok {
            (None, "未取得知情同意，未发码")
        } else {
            let code = fresh_code()?;
            hashes.push((s.student_id, code_hash(&code)));
            (Some(code), "")
        };
        rows.push(CodeSheetRow {
            student_no: s.student_no.clone(),
            name: s.name.clone(),
            code,
            note,
        });
    }
    svc.store()
        .issue_codes(&token, campaign, &hashes, &who.username, now_unix())
        .await?;
    let class_label = students
        .first()
        .map(|s| s.class_label.clone())
        .unwrap_or_default();
    record(
        svc,
        who,
        "psych_issue_codes",
        Some(school),
        format!("psych_campaign:{campaign}"),
        format!("class={} codes={}", class.0, hashes.len()),
    )
    .await?;
    Ok(CodeSheet {
        campaign_name: camp.name,
        class_label,
        opens_on: camp.opens_on,
        closes_on: camp.closes_on,
        rows,
    })
}

/// Today in China (UTC+8), as the campaign windows are written.
fn today() -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::now_utc()
        .to_offset(offset)
        .date()
        .to_string()
}

/// Why a submission was not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeError {
    /// The code cannot be used (unknown, used, outside the window, no consent).
    Refused(CodeRefusal),
    /// The answers are incomplete or out of range: the Chinese message names the item.
    Invalid(String),
}

impl From<ServiceError> for CodeError {
    fn from(e: ServiceError) -> Self {
        CodeError::Invalid(match e {
            ServiceError::BadRequest(m) | ServiceError::Conflict(m) => m,
            other => {
                tracing::error!(error = %other, "psych code submission failed");
                "提交失败，请稍后再试。".into()
            }
        })
    }
}

/// What the answer page shows: the campaign's scales, never a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeForm {
    pub campaign: Campaign,
    /// The campaign's district scale, at its pinned version.
    pub custom: Option<ScaleDefinition>,
}

/// Opens a code: the form to answer, or why it cannot be used.
pub async fn open_code(svc: &Service, code: &str) -> Result<CodeForm, CodeError> {
    let target = svc
        .store()
        .code_target(&code_hash(code))
        .await
        .map_err(ServiceError::from)?
        .ok_or(CodeError::Refused(CodeRefusal::Unknown))?;
    let today = today();
    let refusal = if target.used {
        Some(CodeRefusal::Used)
    } else if today < target.campaign.opens_on {
        Some(CodeRefusal::NotOpen)
    } else if today > target.campaign.closes_on {
        Some(CodeRefusal::Expired)
    } else if !target.consent_ok {
        Some(CodeRefusal::NoConsent)
    } else {
        None
    };
    match refusal {
        Some(r) => Err(CodeError::Refused(r)),
        None => {
            let custom = match &target.campaign.custom_scale {
                Some(r) => Some(super::scales::definition(svc, r).await?),
                None => None,
            };
            Ok(CodeForm {
                campaign: target.campaign,
                custom,
            })
        }
    }
}

/// Reads the form's answers (`phq_1`…, `gad_1`…, `asq_1`… as submitted) for the campaign's
/// scales; every item must be answered, each value in range.
pub fn read_answers(
    campaign: &Campaign,
    form: &[(String, String)],
) -> Result<ScreeningAnswers, CodeError> {
    let get = |key: &str| {
        form.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let missing = |scale: &str, i: usize| {
        CodeError::Invalid(format!(
            "{scale} 第 {i} 题还没有作答，请选择一个答案后再提交。"
        ))
    };
    let bad = |scale: &str, i: usize, v: &str| {
        CodeError::Invalid(format!("{scale} 第 {i} 题的答案“{v}”无效，请重新选择。"))
    };
    let mut a = ScreeningAnswers::default();
    for scale in &campaign.scales {
        match scale {
            BuiltinScale::Phq(_) | BuiltinScale::Gad7 => {
                let (prefix, n) = if *scale == BuiltinScale::Gad7 {
                    ("gad", GAD_ITEMS)
                } else {
                    ("phq", PHQ_ITEMS)
                };
                let mut items = [None; PHQ_ITEMS];
                for (i, slot) in items.iter_mut().take(n).enumerate() {
                    let v =
                        get(&format!("{prefix}_{}", i + 1)).ok_or(missing(scale.label(), i + 1))?;
                    *slot = Some(
                        parse_item(v)
                            .ok()
                            .flatten()
                            .ok_or_else(|| bad(scale.label(), i + 1, v))?,
                    );
                }
                if *scale == BuiltinScale::Gad7 {
                    let mut g = [None; GAD_ITEMS];
                    g.copy_from_slice(&items[..GAD_ITEMS]);
                    a.gad = Some(g);
                } else {
                    a.phq = Some(items);
                }
            }
            BuiltinScale::Asq => {
                let mut items: [Option<AsqAnswer>; ASQ_ITEMS] = [None; ASQ_ITEMS];
                for (i, slot) in items.iter_mut().enumerate() {
                    let v = get(&format!("asq_{}", i + 1)).ok_or(missing(scale.label(), i + 1))?;
                    *slot = Some(
                        parse_asq(v)
                            .ok()
                            .flatten()
                            .ok_or_else(|| bad(scale.label(), i + 1, v))?,
                    );
                }
                a.asq = Some(items);
            }
        }
    }
    Ok(a)
}

/// Reads and scores the form's answers to the campaign's district scale (`{code}_1`…): every
/// item answered with one of its answer values.
pub fn read_custom_answers(
    scale: &ScaleRef,
    def: &ScaleDefinition,
    form: &[(String, String)],
) -> Result<CustomAnswers, CodeError> {
    let mut answers = Vec::with_capacity(def.item_count as usize);
    for i in 1..=def.item_count {
        let v = form
            .iter()
            .find(|(k, _)| *k == format!("{}_{i}", def.code))
            .map(|(_, v)| v.trim())
            .unwrap_or("");
        let parsed = def
            .parse_answer(v)
            .map_err(|e| CodeError::Invalid(format!("{} 第 {i} 题：{e}", def.name_zh)))?;
        let Some(a) = parsed else {
            return Err(CodeError::Invalid(format!(
                "{} 第 {i} 题还没有作答，请选择一个答案后再提交。",
                def.name_zh
            )));
        };
        answers.push(Some(a));
    }
    let result = def
        .score(&answers)
        .map_err(|e| CodeError::Invalid(e.to_string()))?;
    Ok(CustomAnswers {
        scale: scale.clone(),
        answers,
        result,
    })
}

/// Scores and writes one submission made with a code; audited as the code's student.
pub async fn submit_code(
    svc: &Service,
    code: &str,
    form: &[(String, String)],
    ip: &str,
) -> Result<CodeSubmitted, CodeError> {
    let opened = open_code(svc, code).await?;
    let answers = read_answers(&opened.campaign, form)?;
    let custom = match (&opened.campaign.custom_scale, &opened.custom) {
        (Some(r), Some(def)) => Some(read_custom_answers(r, def, form)?),
        _ => None,
    };
    let rules = svc
        .store()
        .district_settings()
        .await
        .map_err(|e| CodeError::from(ServiceError::from(e)))?
        .psych_level_rules;
    let mut result =
        score_screening(&answers, &rules).map_err(|e| CodeError::Invalid(e.to_string()))?;
    super::levels::raise_by_scale(&mut result, custom.as_ref(), &rules);
    let hash = code_hash(code);
    let target = svc
        .store()
        .code_target(&hash)
        .await
        .map_err(ServiceError::from)?
        .ok_or(CodeError::Refused(CodeRefusal::Unknown))?;
    let done = svc
        .store()
        .submit_with_code(
            &hash,
            &today(),
            &answers,
            &result,
            custom.as_ref(),
            now_unix(),
        )
        .await
        .map_err(ServiceError::from)?
        .map_err(CodeError::Refused)?;
    let who = Requester {
        user_id: None,
        username: "答题码".into(),
        ip: ip.to_string(),
    };
    record(
        svc,
        &who,
        "psych_code_submit",
        Some(target.school_id),
        format!("student:{}", target.student_id.0),
        format!(
            "campaign={} case_opened={}",
            opened.campaign.id, done.case_opened
        ),
    )
    .await?;
    Ok(done)
}
