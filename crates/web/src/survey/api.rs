//! The results API: the same read model as the page.
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;
use wuyu_domain::OVERALL_ITEM;
use wuyu_service::survey::{self, SurveyResults};

use crate::access::{ApiRequire, cap};
use crate::error::{ApiError, AppError, Problem};
use crate::state::AppState;

/// 满意率 of one dimension or item in one unit; numbers are null when suppressed.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RateDto {
    /// The dimension's name, or the item's code.
    pub name: String,
    /// Respondents with a valid answer (a scale score for a dimension).
    pub n: usize,
    /// 满意率 (top-2) as a fraction.
    pub top2_rate: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// 满意度指数 0–100.
    pub index: Option<f64>,
    pub suppressed: bool,
}

/// One option of a choice item; count and share are null when the item is suppressed.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OptionDto {
    pub label: String,
    pub count: Option<usize>,
    /// count ÷ the item's n, as a fraction.
    pub share: Option<f64>,
}

/// A single or multiple choice item in one unit. n counts the respondents who answered the
/// item; a multiple choice item's shares may sum past 1.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ChoiceDto {
    pub code: String,
    pub text: String,
    pub multiple: bool,
    pub n: usize,
    pub suppressed: bool,
    pub options: Vec<OptionDto>,
}

/// One unit: 全区, 城区/农村, a 学段, a school or a class.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SurveyUnitDto {
    /// `district`, `location`, `stage`, `school` or `class`.
    pub kind: String,
    pub name: String,
    pub school_id: Option<i64>,
    /// The class of a `class` unit (answers through the class's link or codes).
    pub class_id: Option<i64>,
    pub responses: usize,
    pub codes_issued: usize,
    /// Codes answered / codes issued, as a fraction; null without codes.
    pub response_rate: Option<f64>,
    pub dimensions: Vec<RateDto>,
    /// The 5-point items.
    pub items: Vec<RateDto>,
    /// The choice items.
    pub choices: Vec<ChoiceDto>,
}

/// A questionnaire's results.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SurveyResultsDto {
    pub questionnaire_id: i64,
    pub title: String,
    pub version: i32,
    /// `parents`, `students` or `teachers`.
    pub audience: String,
    /// `draft`, `published` or `closed`.
    pub status: String,
    /// Fewest valid answers for a unit to be reported.
    pub min_n: usize,
    /// The item code of the overall satisfaction question.
    pub overall_item: String,
    pub units: Vec<SurveyUnitDto>,
}

fn dto(r: SurveyResults) -> SurveyResultsDto {
    let kind = |k| match k {
        survey::UnitKind::District => "district",
        survey::UnitKind::Location => "location",
        survey::UnitKind::Stage => "stage",
        survey::UnitKind::School => "school",
        survey::UnitKind::Class => "class",
    };
    SurveyResultsDto {
        questionnaire_id: r.questionnaire.id,
        title: r.questionnaire.title.clone(),
        version: r.questionnaire.version,
        audience: r.questionnaire.audience.code().into(),
        status: r.questionnaire.status.code().into(),
        min_n: r.min_n,
        overall_item: OVERALL_ITEM.into(),
        units: r
            .units
            .into_iter()
            .map(|u| SurveyUnitDto {
                kind: kind(u.kind).into(),
                name: u.name,
                school_id: u.school_id,
                class_id: u.class_id,
                responses: u.responses,
                codes_issued: u.codes_issued,
                response_rate: u.response_rate,
                dimensions: u
                    .scales
                    .iter()
                    .map(|s| RateDto {
                        name: s.name.clone(),
                        n: s.result.n,
                        top2_rate: s.result.top2_rate,
                        ci_low: s.result.ci_low,
                        ci_high: s.result.ci_high,
                        index: s.result.index,
                        suppressed: s.result.suppressed(),
                    })
                    .collect(),
                items: u
                    .items
                    .iter()
                    .map(|i| {
                        let s = i.reported.stats;
                        RateDto {
                            name: i.code.clone(),
                            n: i.reported.n,
                            top2_rate: s.map(|s| s.top2_rate),
                            ci_low: s.map(|s| s.ci_low),
                            ci_high: s.map(|s| s.ci_high),
                            index: s.map(|s| s.index),
                            suppressed: i.reported.suppressed(),
                        }
                    })
                    .collect(),
                choices: u
                    .choices
                    .into_iter()
                    .map(|c| ChoiceDto {
                        code: c.code,
                        text: c.text,
                        multiple: c.multiple,
                        n: c.n,
                        suppressed: c.suppressed,
                        options: c
                            .options
                            .into_iter()
                            .map(|o| OptionDto {
                                label: o.label,
                                count: o.count,
                                share: o.share,
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// A questionnaire's results within the caller's scope: the district and its breakdowns for
/// district roles, one school for its admin. Units under the minimum carry null numbers.
#[utoipa::path(
    get,
    path = "/api/v1/surveys/{id}/results",
    tag = "surveys",
    operation_id = "survey_results",
    security(("session" = [])),
    params(("id" = i64, Path, description = "The questionnaire's id")),
    responses(
        (status = 200, description = "满意度结果", body = SurveyResultsDto),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "没有这份问卷", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn results(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ViewSurveyResults>,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Json<SurveyResultsDto>, ApiError> {
    let Path(id) = p.map_err(|_| AppError::NotFound)?;
    let r = survey::survey_results(&state.svc, &me.viewer(), id)
        .await
        .map_err(AppError::from)?;
    Ok(Json(dto(r)))
}
