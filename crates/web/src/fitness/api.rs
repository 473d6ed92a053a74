//! The fitness API: `GET /api/v1/fitness/summary` (the table the /fitness page and its
//! export show, from the same service call) and a student's records of every term.
use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use wuyu_domain::{SchoolId, StudentId};
use wuyu_service::ServiceError;
use wuyu_service::fitness::{SummaryQuery, student_history, summary};
use wuyu_service::store_types::{FitnessGroupBy, FitnessRecord, FitnessSummaryRow};

use crate::access::{ApiRequire, cap};
use crate::audit;
use crate::auth::{ApiUser, ClientIp};
use crate::error::{ApiError, AppError, Problem};
use crate::state::AppState;
use crate::view::format_date;

/// Query of `GET /api/v1/fitness/summary`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FitnessSummaryQuery {
    /// 学期, e.g. `2024-spring`; the latest term with records when left out.
    pub term: Option<String>,
    /// Grouping: `district` (default), `school`, `grade`, `class`, `sex` or `location`.
    pub by: Option<String>,
    /// Narrow to one school (district roles; other roles may only name their own).
    pub school: Option<i64>,
}

/// One group's counts and rates. Rates are fractions in 0..=1, `null` when their denominator
/// is 0: 测试率 over enrolled; 合格率, 优良率, 优秀率, 不及格率 over complete records;
/// overweight/obese over records with a weight status (WS/T 586); stunting/wasting over
/// records with a malnutrition status (WS/T 456); 近视率 over screened records.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FitnessSummaryRowDto {
    /// Set when grouped by school or class.
    pub school_id: Option<i64>,
    pub school_name: Option<String>,
    /// Set when grouped by class.
    pub class_id: Option<i64>,
    pub class_name: Option<String>,
    /// Set when grouped by grade or class.
    pub grade: Option<u8>,
    /// Set when grouped by sex: `male` or `female`.
    pub sex: Option<String>,
    /// Set when grouped by location: `urban` or `rural`.
    pub location: Option<String>,
    /// 应测.
    pub enrolled: i64,
    /// 实测.
    pub tested: i64,
    pub test_rate: Option<f64>,
    /// Complete records (the denominator of the level rates).
    pub ok_count: i64,
    pub incomplete_count: i64,
    pub excellent_count: i64,
    pub good_count: i64,
    pub pass_level_count: i64,
    pub fail_count: i64,
    /// 合格率.
    pub pass_rate: Option<f64>,
    /// 优良率.
    pub good_or_better_rate: Option<f64>,
    /// 优秀率.
    pub excellent_rate: Option<f64>,
    /// 不及格率.
    pub fail_rate: Option<f64>,
    /// Mean 学年总分 of complete records.
    pub mean_year_total: Option<f64>,
    /// BMI categories of the fitness standard.
    pub bmi_measured: i64,
    pub bmi_underweight: i64,
    pub bmi_normal: i64,
    pub bmi_overweight: i64,
    pub bmi_obese: i64,
    pub weight_measured: i64,
    pub overweight_rate: Option<f64>,
    pub obese_rate: Option<f64>,
    pub growth_measured: i64,
    pub stunting_rate: Option<f64>,
    pub wasting_rate: Option<f64>,
    pub vision_screened: i64,
    pub myopia_count: i64,
    /// 近视率.
    pub myopia_rate: Option<f64>,
}

fn sex_code(s: wuyu_domain::Sex) -> String {
    match s {
        wuyu_domain::Sex::Male => "male",
        wuyu_domain::Sex::Female => "female",
    }
    .to_string()
}

impl From<FitnessSummaryRow> for FitnessSummaryRowDto {
    fn from(r: FitnessSummaryRow) -> Self {
        Self {
            school_id: r.key.school_id.map(|s| s.0),
            school_name: r.key.school_name,
            class_id: r.key.class_id.map(|c| c.0),
            class_name: r.key.class_name,
            grade: r.key.grade.map(|g| g.get()),
            sex: r.key.sex.map(sex_code),
            location: r.key.location.map(|l| l.code().to_string()),
            enrolled: r.enrolled,
            tested: r.tested,
            test_rate: r.test_rate,
            ok_count: r.ok_count,
            incomplete_count: r.incomplete_count,
            excellent_count: r.excellent_count,
            good_count: r.good_count,
            pass_level_count: r.pass_level_count,
            fail_count: r.fail_count,
            pass_rate: r.pass_rate,
            good_or_better_rate: r.good_or_better_rate,
            excellent_rate: r.excellent_rate,
            fail_rate: r.fail_rate,
            mean_year_total: r.mean_year_total,
            bmi_measured: r.bmi_measured,
            bmi_underweight: r.bmi_underweight,
            bmi_normal: r.bmi_normal,
            bmi_overweight: r.bmi_overweight,
            bmi_obese: r.bmi_obese,
            weight_measured: r.weight_measured,
            overweight_rate: r.overweight_rate,
            obese_rate: r.obese_rate,
            growth_measured: r.growth_measured,
            stunting_rate: r.stunting_rate,
            wasting_rate: r.wasting_rate,
            vision_screened: r.vision_screened,
            myopia_count: r.myopia_count,
            myopia_rate: r.myopia_rate,
        }
    }
}

/// A fitness summary: the term and grouping it is for, and one row per group.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FitnessSummaryDto {
    /// e.g. `2024-spring`; `null` when there are no records at all.
    pub term: Option<String>,
    pub by: String,
    pub rows: Vec<FitnessSummaryRowDto>,
}

/// Counts and rates of one term for the caller's scope (a teacher: their classes). The same
/// store call as the /fitness page. Forbidden for parents and counsellors.
#[utoipa::path(
    get,
    path = "/api/v1/fitness/summary",
    tag = "fitness",
    operation_id = "fitness_summary",
    security(("session" = [])),
    params(FitnessSummaryQuery),
    responses(
        (status = 200, description = "体质健康汇总", body = FitnessSummaryDto),
        (status = 400, description = "参数无效", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn fitness_summary(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ViewFitness>,
    q: Result<Query<FitnessSummaryQuery>, QueryRejection>,
) -> Result<Json<FitnessSummaryDto>, ApiError> {
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let q = SummaryQuery {
        term: q.term,
        by: q.by,
        school: q.school.map(SchoolId),
    };
    let table = summary(&state.svc, &me.viewer(), &q, FitnessGroupBy::District)
        .await
        .map_err(AppError::from)?;
    Ok(Json(FitnessSummaryDto {
        term: table.term.map(|t| t.code()),
        by: table.by.code().to_string(),
        rows: table
            .lines
            .into_iter()
            .map(|l| FitnessSummaryRowDto::from(l.row))
            .collect(),
    }))
}

/// One item of a record: the raw result and what it scored.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FitnessItemDto {
    /// Item code, e.g. `run_50m`.
    #[schema(example = "run_50m")]
    pub item: String,
    /// e.g. 50米跑.
    pub name: String,
    /// `kg/m2`, `ml`, `s`, `cm` or `count`.
    pub unit: String,
    /// The raw result (for BMI the rounded BMI).
    pub value: f64,
    /// 单项得分 0–100.
    pub score: u8,
    /// 附加分 (bonus items only).
    pub bonus: u8,
}

/// One term's fitness and health record of a student, raw and scored.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FitnessRecordDto {
    #[schema(example = "2024-spring")]
    pub term: String,
    pub test_date: String,
    /// The grade the record was scored for.
    pub grade: u8,
    pub age_years: f64,
    pub height_cm: Option<f64>,
    pub weight_kg: Option<f64>,
    pub bmi: Option<f64>,
    /// `underweight`, `normal`, `overweight` or `obese` (fitness standard).
    pub bmi_category: Option<String>,
    pub items: Vec<FitnessItemDto>,
    /// 附加分.
    pub bonus_total: u8,
    /// 标准分.
    pub standard_score: Option<f64>,
    /// 学年总分.
    pub year_total: Option<f64>,
    /// `excellent`, `good`, `pass` or `fail`; `null` when incomplete.
    pub level: Option<String>,
    /// `false`: INCOMPLETE (required items missing, no total and no level).
    pub complete: bool,
    /// Codes of the missing required items.
    pub missing: Vec<String>,
    /// WS/T 586: `normal`, `overweight` or `obese`.
    pub weight_status: Option<String>,
    /// WS/T 456.
    pub malnutrition: Option<String>,
    /// Vision screening: `myopia`, `reduced_vision`, `normal` or `incomplete`.
    pub vision_status: Option<String>,
    pub acuity_left: Option<f64>,
    pub acuity_right: Option<f64>,
}

impl From<FitnessRecord> for FitnessRecordDto {
    fn from(r: FitnessRecord) -> Self {
        Self {
            term: r.term.code(),
            test_date: format_date(r.test_date),
            grade: r.grade.get(),
            age_years: r.age_years,
            height_cm: r.measures.height_cm,
            weight_kg: r.measures.weight_kg,
            bmi: r.bmi,
            bmi_category: r.bmi_category.map(|c| c.code().to_string()),
            items: r
                .items
                .iter()
                .map(|i| FitnessItemDto {
                    item: i.item.code().to_string(),
                    name: i.item.name_zh().to_string(),
                    unit: i.item.unit().to_string(),
                    value: i.value,
                    score: i.score,
                    bonus: i.bonus,
                })
                .collect(),
            bonus_total: r.bonus_total,
            standard_score: r.standard_score,
            year_total: r.year_total,
            level: r.level.map(|l| l.code().to_string()),
            complete: r.complete,
            missing: r.missing.iter().map(|i| i.code().to_string()).collect(),
            weight_status: r.weight_status.map(|w| w.code().to_string()),
            malnutrition: r.malnutrition.map(|m| m.code().to_string()),
            vision_status: r.vision_status.map(|v| v.code().to_string()),
            acuity_left: r.measures.acuity_left,
            acuity_right: r.measures.acuity_right,
        }
    }
}

/// A student's fitness and health records of every term, oldest first, for whoever may see
/// the student (a parent: their own child). Audited. Forbidden for counsellors.
#[utoipa::path(
    get,
    path = "/api/v1/schools/{id}/students/{student_id}/fitness",
    tag = "fitness",
    operation_id = "student_fitness",
    security(("session" = [])),
    params(
        ("id" = i64, Path, description = "学校编号"),
        ("student_id" = i64, Path, description = "学生编号"),
    ),
    responses(
        (status = 200, description = "各学期体质健康记录", body = [FitnessRecordDto]),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "学生不存在", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn student_fitness(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64)>, PathRejection>,
) -> Result<Json<Vec<FitnessRecordDto>>, ApiError> {
    let (id, student_id) = p.map_err(|_| AppError::NotFound)?.0;
    let (id, student_id) = (SchoolId(id), StudentId(student_id));
    // Roles without the grant are refused by the store, so their attempts are audited too.
    let read = student_history(&state.svc, &me.viewer(), id, student_id).await;
    // Refused reads are audited too, like the student page.
    let action = match &read {
        Err(ServiceError::Forbidden) => "api_read_student_fitness_denied",
        _ => "api_read_student_fitness",
    };
    if !matches!(read, Err(ServiceError::NotFound)) {
        let mut e = audit::entry(Some(&me.user), "", action, &ip);
        e.school_id = Some(id);
        e.entity = format!("student:{id}:{student_id}");
        wuyu_service::audit::append(&state.svc, &e).await?;
    }
    Ok(Json(
        read.map_err(AppError::from)?
            .into_iter()
            .map(FitnessRecordDto::from)
            .collect(),
    ))
}
