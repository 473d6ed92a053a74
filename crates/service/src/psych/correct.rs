//! Correction of a mis-entered answer set (modules.md §3: screening data is never deleted by a
//! school). The school's counsellor enters the right answers with a reason; the store keeps the
//! values before, rescoring gives the new level, and a correction that raises the level to 3
//! opens a crisis case. A case is never closed by a correction. Every read and write is
//! audited, the reason with it.
use serde::Serialize;
use wuyu_domain::{SchoolId, StudentId, Viewer};
use wuyu_standards::scales::{
    ASQ_ITEMS, AsqAnswer, BuiltinScale, GAD_ITEMS, PHQ_ITEMS, ScreeningAnswers, parse_asq,
    parse_item, score_screening,
};
use wuyu_store::psych::{Campaign, ResponseRow};
use wuyu_store::psych_work::{CorrectionDone, CorrectionRow, NewCorrection};

use super::MAX_TEXT;
use super::audit::{counsellor, now_unix, record};
use crate::audit::Requester;
use crate::{Service, ServiceError};

/// What the correction page shows: the stored answers and the corrections made so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorrectionView {
    pub campaign: Campaign,
    pub response: ResponseRow,
    pub corrections: Vec<CorrectionRow>,
}

/// A correction as the form gives it: `phq_1`…, `gad_1`…, `asq_1`… (blank = unanswered, as
/// in an import) and the reason.
#[derive(Debug, Clone, Default)]
pub struct CorrectionInput {
    pub campaign_id: i64,
    pub student_no: String,
    pub form: Vec<(String, String)>,
    pub reason: String,
}

/// The stored response of one student, read with the counsellor's token.
async fn stored(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    (campaign_id, student_no): (i64, &str),
) -> Result<(wuyu_domain::PsychToken, Campaign, ResponseRow), ServiceError> {
    let token = counsellor(
        svc,
        viewer,
        who,
        school,
        &format!("psych_campaign:{campaign_id}"),
    )
    .await?;
    let campaign = svc
        .store()
        .campaigns(&viewer.scope, school)
        .await?
        .into_iter()
        .find(|c| c.id == campaign_id)
        .ok_or(ServiceError::NotFound)?;
    let no = student_no.trim();
    let response = svc
        .store()
        .responses(&token, campaign_id)
        .await?
        .into_iter()
        .find(|r| r.student_no == no)
        .ok_or_else(|| {
            ServiceError::BadRequest(format!(
                "学籍号“{no}”在“{}”中没有答卷：只能更正已提交的答卷",
                campaign.name
            ))
        })?;
    Ok((token, campaign, response))
}

/// The correction page of one student's answers; audited as a read of the record.
pub async fn correction_view(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    campaign_id: i64,
    student_no: &str,
) -> Result<CorrectionView, ServiceError> {
    let (token, campaign, response) =
        stored(svc, viewer, who, school, (campaign_id, student_no)).await?;
    let corrections = svc
        .store()
        .corrections(&token, campaign_id, response.student_id)
        .await?;
    record(
        svc,
        who,
        "psych_read_response",
        Some(school),
        format!("student:{}", response.student_id.0),
        format!("campaign={campaign_id} for=correction"),
    )
    .await?;
    Ok(CorrectionView {
        campaign,
        response,
        corrections,
    })
}

/// Reads corrected answers for the campaign's scales: blank is unanswered (the result is then
/// 不完整, as for an import); a value out of range is refused, naming the item and value.
pub fn read_corrected(
    campaign: &Campaign,
    form: &[(String, String)],
) -> Result<ScreeningAnswers, ServiceError> {
    let get = |key: &str| {
        form.iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.trim())
    };
    let bad = |scale: &BuiltinScale, i: usize, v: &str, allowed: &str| {
        ServiceError::BadRequest(format!(
            "{} 第 {i} 题的答案“{v}”无效：应为 {allowed}，未作答请留空",
            scale.label()
        ))
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
                    let v = get(&format!("{prefix}_{}", i + 1));
                    *slot = parse_item(v).map_err(|_| bad(scale, i + 1, v, "0–3"))?;
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
                    let v = get(&format!("asq_{}", i + 1));
                    *slot = parse_asq(v).map_err(|_| bad(scale, i + 1, v, "yes、no 或 refused"))?;
                }
                a.asq = Some(items);
            }
        }
    }
    Ok(a)
}

/// Corrects one student's answers: rescored, the values before kept with the reason, a crisis
/// case opened if the level becomes 3. Audited with the reason.
pub async fn correct_answers(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    input: &CorrectionInput,
) -> Result<(StudentId, CorrectionDone), ServiceError> {
    let (token, campaign, response) = stored(
        svc,
        viewer,
        who,
        school,
        (input.campaign_id, &input.student_no),
    )
    .await?;
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(ServiceError::BadRequest(
            "更正原因不能为空：请写明哪里录错、依据是什么（如纸质答卷原件）".into(),
        ));
    }
    let n = reason.chars().count();
    if n > MAX_TEXT {
        return Err(ServiceError::BadRequest(format!(
            "更正原因共 {n} 字，超过上限 {MAX_TEXT} 字"
        )));
    }
    let answers = read_corrected(&campaign, &input.form)?;
    let rules = svc.store().district_settings().await?.psych_level_rules;
    let mut result =
        score_screening(&answers, &rules).map_err(|e| ServiceError::BadRequest(e.to_string()))?;
    // The district scale's answers stay as submitted; its mapped level still counts.
    super::levels::raise_by_scale(&mut result, response.custom.as_ref(), &rules);
    let done = svc
        .store()
        .correct_response(
            &token,
            &NewCorrection {
                campaign_id: campaign.id,
                student_id: response.student_id,
                answers,
                result,
                reason: reason.to_string(),
                by: who.username.clone(),
                at: now_unix(),
            },
        )
        .await?;
    record(
        svc,
        who,
        "psych_correct_response",
        Some(school),
        format!("student:{}", response.student_id.0),
        format!(
            "campaign={} old_level={} new_level={} case_opened={} reason={reason}",
            campaign.id,
            done.old_level.number(),
            done.new_level.number(),
            done.case_opened.map_or("none".into(), |c| c.to_string()),
        ),
    )
    .await?;
    Ok((response.student_id, done))
}
