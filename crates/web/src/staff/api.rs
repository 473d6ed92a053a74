//! The appraisal API: one school's appraisal of a year as the caller may see it.
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;
use wuyu_domain::SchoolId;
use wuyu_service::audit::Requester;
use wuyu_service::staff::{AppraisalView, appraisal as read_appraisal};

use crate::access::{ApiRequire, cap};
use crate::auth::ClientIp;
use crate::error::{ApiError, AppError, Problem};
use crate::state::AppState;

/// The cap arithmetic: 优秀 places = ⌊q × N⌋.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CapDto {
    /// Teachers who get a level (vetoed ones included).
    pub n_base: u32,
    /// The quota in percent: 20, 25 (award) or 15 (accountable).
    pub quota_percent: u32,
    /// q × N with two decimals.
    pub product: String,
    pub cap: u32,
    pub excellent: usize,
    pub committee: usize,
}

/// One teacher's row.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AppraisalRowDto {
    pub staff_no: String,
    pub name: String,
    pub score: Option<f64>,
    pub org_score: Option<f64>,
    /// `uploaded` (the final score as given) or `composed` (from the sources, §6.2).
    pub score_basis: String,
    /// The raw ratings of colleagues.
    pub peer_ratings: Vec<f64>,
    /// Their trimmed mean (≥ 5 raters: highest and lowest dropped); `null` under 3 raters.
    pub peer_score: Option<f64>,
    pub parent_score: Option<f64>,
    /// Where the parent/student score came from: `uploaded`, `survey` (a 师德 round), or
    /// null without one.
    pub parent_source: Option<String>,
    /// The 师德 round the parent/student score was taken from.
    pub parent_survey_id: Option<i64>,
    /// Where the peer ratings came from: `uploaded`, `survey`, or null without any.
    pub peer_source: Option<String>,
    pub peer_survey_id: Option<i64>,
    /// From the exams, by `teaching_basis`: `parallel` — share of counted exams not below the
    /// parallel classes × 100; `value_added` — the teacher's value-added as a percentile rank
    /// among the district's teachers.
    pub teaching_score: Option<f64>,
    /// `parallel` or `value_added`; null without a teaching result.
    pub teaching_basis: Option<String>,
    /// The teacher's value-added (student SD units) behind a `value_added` score.
    pub teaching_value_added: Option<f64>,
    pub workload_score: Option<f64>,
    /// The weights used for a composed score, re-normalised over the sources present.
    pub weights: Option<WeightsDto>,
    /// A source was missing and the weights were re-normalised.
    pub renormalised: bool,
    /// The missing sources: `org`, `peer`, `parent`, `teaching`, `workload`.
    pub missing_sources: Vec<String>,
    /// `excellent`, `qualified`, `basic`, `unqualified`, `comment_only`, `no_level`,
    /// `deferred` or `committee`.
    pub level: String,
    pub level_zh: String,
    pub ethics_violation: bool,
    /// `warning`, `demerit`, `demotion` or `dismissal`.
    pub sanction: Option<String>,
    pub appeal: Option<String>,
    pub appeal_answer: Option<String>,
    /// When the teacher confirmed having seen the result (unix seconds).
    pub confirmed_at: Option<i64>,
}

/// The weights of the five sources (summing to 1).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WeightsDto {
    pub org: f64,
    pub peer: f64,
    pub parent: f64,
    pub teaching: f64,
    pub workload: f64,
}

/// A school's appraisal of a year.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AppraisalDto {
    pub school_id: i64,
    pub school_year: i32,
    /// `normal`, `award` or `accountable`.
    pub unit_rating: String,
    /// `draft`, `publicity` or `approved`.
    pub state: String,
    pub state_zh: String,
    /// Last day of the 公示 (ISO date).
    pub publicity_until: Option<String>,
    pub arithmetic: CapDto,
    pub rows: Vec<AppraisalRowDto>,
}

fn dto(v: AppraisalView) -> AppraisalDto {
    let a = v.arithmetic;
    AppraisalDto {
        school_id: v.round.school_id.0,
        school_year: v.round.school_year,
        unit_rating: v.round.unit_rating.code().to_string(),
        state: v.round.state.code().to_string(),
        state_zh: v.round.state.label_zh().to_string(),
        publicity_until: v.round.publicity_until,
        arithmetic: CapDto {
            n_base: a.n_base,
            quota_percent: a.quota_percent,
            product: a.product,
            cap: a.cap,
            excellent: a.excellent,
            committee: a.committee,
        },
        rows: v
            .rows
            .into_iter()
            .map(|r| AppraisalRowDto {
                staff_no: r.staff_no,
                name: r.teacher_name,
                score: r.input.score,
                org_score: r.input.org_score,
                score_basis: r.input.sources.score_basis.code().to_string(),
                peer_ratings: r.input.sources.peer_ratings.clone(),
                peer_score: r.input.sources.peer_score,
                parent_score: r.input.sources.parent_score,
                parent_source: match (r.input.sources.parent_survey, r.input.sources.parent_score) {
                    (Some(_), _) => Some("survey".into()),
                    (None, Some(_)) => Some("uploaded".into()),
                    (None, None) => None,
                },
                parent_survey_id: r.input.sources.parent_survey.map(|s| s.questionnaire_id),
                peer_source: match r.input.sources.peer_survey {
                    Some(_) => Some("survey".into()),
                    None if !r.input.sources.peer_ratings.is_empty() => Some("uploaded".into()),
                    None => None,
                },
                peer_survey_id: r.input.sources.peer_survey.map(|s| s.questionnaire_id),
                teaching_score: r.input.sources.teaching_score,
                teaching_basis: r.input.sources.teaching_basis.map(|b| b.code().to_string()),
                teaching_value_added: r.input.sources.teaching_value_added,
                workload_score: r.input.sources.workload_score,
                weights: r.input.sources.weights.map(|w| WeightsDto {
                    org: w[0],
                    peer: w[1],
                    parent: w[2],
                    teaching: w[3],
                    workload: w[4],
                }),
                renormalised: r.input.sources.renormalised,
                missing_sources: r
                    .input
                    .sources
                    .missing
                    .iter()
                    .map(|k| k.code().to_string())
                    .collect(),
                level: r.input.level.code().to_string(),
                level_zh: r.input.level.label_zh().to_string(),
                ethics_violation: r.input.ethics_violation,
                sanction: r.input.sanction.map(|s| s.code().to_string()),
                appeal: r.appeal.as_ref().map(|a| a.text.clone()),
                appeal_answer: r.appeal.and_then(|a| a.answer),
                confirmed_at: r.confirmed_at,
            })
            .collect(),
    }
}

/// A school's appraisal of a year with its cap arithmetic: the district and the school admin
/// see every teacher, a teacher only their own row. Personnel data: every read is audited.
#[utoipa::path(
    get,
    path = "/api/v1/staff/appraisal/{school}/{year}",
    tag = "staff",
    operation_id = "staff_appraisal",
    security(("session" = [])),
    params(
        ("school" = i64, Path, description = "The school's id"),
        ("year" = i32, Path, description = "The school year (2024 = 2024–2025)"),
    ),
    responses(
        (status = 200, description = "年度考核结果与优秀名额计算", body = AppraisalDto),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "没有这次考核", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn appraisal(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ViewStaffAppraisal>,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i32)>, PathRejection>,
) -> Result<Json<AppraisalDto>, ApiError> {
    let Path((school, year)) = p.map_err(|_| AppError::NotFound)?;
    let who = Requester::user(&me.user, &ip);
    let view = read_appraisal(&state.svc, &me.viewer(), &who, SchoolId(school), year)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound)?;
    Ok(Json(dto(view)))
}
