//! Answers from XLSX/CSV: read (every cell checked by ingest), scored at write with
//! `wuyu-standards`, stored in one transaction with a crisis case for every level-3 result.
//! Any row error rejects the file; students without consent are skipped and counted.
use serde::Serialize;
use wuyu_domain::{SchoolId, Viewer};
use wuyu_ingest::read_psych_answers_with;
use wuyu_standards::scales::{ASQ_ITEMS, BuiltinScale, GAD_ITEMS, PHQ_ITEMS, score_screening};
use wuyu_store::ImportMeta;
use wuyu_store::psych::scales::CustomAnswers;
use wuyu_store::psych::{NewResponse, ResponseImportSummary};

use super::audit::{counsellor, now_unix, record};
use crate::audit::Requester;
use crate::{Service, ServiceError};

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    pub summary: ResponseImportSummary,
    pub rows_read: usize,
}

pub async fn import_answers(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    school: SchoolId,
    campaign_id: i64,
    bytes: &[u8],
    file_name: &str,
) -> Result<ImportOutcome, ServiceError> {
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
    // The campaign's district scale, at its pinned version: its columns are read and scored
    // with exactly that version.
    let custom = match &campaign.custom_scale {
        Some(r) => Some((r.clone(), super::scales::definition(svc, r).await?)),
        None => None,
    };
    let read = read_psych_answers_with(bytes, file_name, custom.as_ref().map(|c| &c.1))
        .map_err(|e| ServiceError::BadRequest(e.to_string()))?;
    if !read.errors.is_empty() {
        return Err(ServiceError::Rejected(read.errors));
    }
    let wants = |f: fn(&BuiltinScale) -> bool| campaign.scales.iter().any(f);
    let (phq, gad, asq) = (
        wants(|s| matches!(s, BuiltinScale::Phq(_))),
        wants(|s| *s == BuiltinScale::Gad7),
        wants(|s| *s == BuiltinScale::Asq),
    );
    let rules = svc.store().district_settings().await?.psych_level_rules;
    let mut rows = Vec::with_capacity(read.rows.len());
    for r in &read.rows {
        // A scale of the campaign with every cell blank was not answered (不完整); a scale
        // the campaign did not give is ignored.
        let mut a = r.answers;
        a.phq = if phq {
            Some(a.phq.unwrap_or([None; PHQ_ITEMS]))
        } else {
            None
        };
        a.gad = if gad {
            Some(a.gad.unwrap_or([None; GAD_ITEMS]))
        } else {
            None
        };
        a.asq = if asq {
            Some(a.asq.unwrap_or([None; ASQ_ITEMS]))
        } else {
            None
        };
        let mut result =
            score_screening(&a, &rules).map_err(|e| ServiceError::Internal(e.to_string()))?;
        // Like a built-in scale: every cell blank is not answered (incomplete, no scores).
        let custom = match &custom {
            Some((scale, def)) => {
                let answers = r
                    .custom
                    .clone()
                    .unwrap_or_else(|| vec![None; usize::from(def.item_count)]);
                let result = def
                    .score(&answers)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?;
                Some(CustomAnswers {
                    scale: scale.clone(),
                    answers,
                    result,
                })
            }
            None => None,
        };
        super::levels::raise_by_scale(&mut result, custom.as_ref(), &rules);
        rows.push(NewResponse {
            origin: r.origin.clone(),
            student_no: r.student_no.clone(),
            answers: a,
            result,
            custom,
        });
    }
    let meta = ImportMeta {
        username: who.username.clone(),
        file_name: file_name.to_string(),
        file_sha256: read.file_sha256.clone(),
        at: now_unix(),
    };
    let summary = svc
        .store()
        .import_responses(&token, campaign_id, &rows, &meta)
        .await?;
    record(
        svc,
        who,
        "psych_import_answers",
        Some(school),
        format!("psych_campaign:{campaign_id}"),
        format!(
            "file={} sha256={} written={} no_consent={} cases={}",
            file_name,
            read.file_sha256,
            summary.written,
            summary.refused_no_consent.len(),
            summary.cases_opened
        ),
    )
    .await?;
    Ok(ImportOutcome {
        summary,
        rows_read: read.rows.len(),
    })
}
