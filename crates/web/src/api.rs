//! JSON API under `/api/v1`, signed in with the same session cookie as the pages. The OpenAPI
//! document is generated from these routes (utoipa-axum), so it cannot drift from them.
use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wuyu_domain::{ClassId, Grade, SchoolId, Scope, StudentId};
use wuyu_store::{FitnessGroupBy, FitnessRecord, FitnessSummaryRow, SchoolSummary, StoreError};

use crate::audit;
use crate::auth::{ApiUser, ClientIp};
use crate::error::{ApiError, AppError, Problem};
use crate::session::COOKIE_NAME;
use crate::state::AppState;
use crate::view::{format_date, masked_student_no};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "wuyu API",
        version = "1",
        description = "五育质量监测平台 JSON API. Sign in at /login; the session cookie \
                       authenticates API calls. Every answer is limited to the caller's scope. \
                       Errors are RFC 9457 problem documents with a Chinese title."
    ),
    modifiers(&SessionCookie),
    components(schemas(Problem)),
    tags(
        (name = "schools", description = "学校与学生"),
        (name = "fitness", description = "体质健康（国家学生体质健康标准）"),
        (name = "exams", description = "考试分析：三率一分、增值评价、小题分析、平行班比较预警")
    )
)]
struct ApiDoc;

struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(COOKIE_NAME))),
        );
    }
}

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(list_schools))
        .routes(routes!(list_students))
        .routes(routes!(fitness_summary))
        .routes(routes!(student_fitness))
        .merge(crate::exam::api_routes())
}

/// A school with its class and student counts.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SchoolDto {
    pub id: i64,
    /// The district's school code.
    pub code: String,
    pub name: String,
    /// 学段: `primary`, `junior`, `nine_year`, `senior` or `complete`.
    #[schema(example = "junior")]
    pub stage: String,
    /// 城乡: `urban` or `rural`.
    #[schema(example = "urban")]
    pub location: String,
    /// 教育集团, if any.
    pub school_group: Option<String>,
    pub class_count: i64,
    pub student_count: i64,
}

impl From<SchoolSummary> for SchoolDto {
    fn from(s: SchoolSummary) -> Self {
        Self {
            id: s.school.id.0,
            code: s.school.code.to_string(),
            name: s.school.name,
            stage: s.school.stage.code().to_string(),
            location: s.school.location.code().to_string(),
            school_group: s.school.school_group,
            class_count: s.class_count,
            student_count: s.student_count,
        }
    }
}

/// A student as the API shows them: never the 身份证号, not even inside the 学籍号.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StudentDto {
    pub id: i64,
    /// 学籍号. A 学籍号 that embeds the 身份证号 (e.g. "G" + 18 characters) is masked like
    /// the ID number: `G110***********002X`.
    pub student_no: String,
    pub name: String,
    /// `male` or `female`.
    #[schema(example = "female")]
    pub sex: String,
    /// ISO date, e.g. `2012-03-05`.
    #[schema(example = "2012-03-05")]
    pub birth_date: String,
    pub class_id: i64,
    /// 年级 1–12.
    pub grade: u8,
    pub class_name: String,
}

/// The schools the caller may see.
#[utoipa::path(
    get,
    path = "/api/v1/schools",
    tag = "schools",
    operation_id = "list_schools",
    security(("session" = [])),
    responses(
        (status = 200, description = "学校列表", body = [SchoolDto]),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_schools(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<Vec<SchoolDto>>, ApiError> {
    let schools = state.store.list_schools(&me.scope).await?;
    Ok(Json(schools.into_iter().map(SchoolDto::from).collect()))
}

/// The students of a school that the caller may see (a teacher: their classes only).
#[utoipa::path(
    get,
    path = "/api/v1/schools/{id}/students",
    tag = "schools",
    operation_id = "list_school_students",
    security(("session" = [])),
    params(("id" = i64, Path, description = "学校编号")),
    responses(
        (status = 200, description = "学生列表", body = [StudentDto]),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "学校不存在", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_students(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ClientIp(ip): ClientIp,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Json<Vec<StudentDto>>, ApiError> {
    let id = SchoolId(p.map_err(|_| AppError::NotFound)?.0);
    // Answers 403/404 for the school itself before any roster is read.
    state.store.school(&me.scope, id).await?;
    let classes: HashMap<ClassId, (Grade, String)> = state
        .store
        .list_classes(&me.scope, id)
        .await?
        .into_iter()
        .map(|c| (c.class.id, (c.class.grade, c.class.name)))
        .collect();
    let students = state.store.list_students(&me.scope, id, None).await?;

    let mut e = audit::entry(Some(&me.user), "", "api_list_students", &ip);
    e.school_id = Some(id);
    e.entity = format!("school:{id}");
    e.detail = format!("{} students", students.len());
    state.store.append_audit(&e).await?;

    let out = students
        .into_iter()
        .map(|s| {
            let (grade, class_name) = classes
                .get(&s.class_id)
                .map(|(g, n)| (g.get(), n.clone()))
                .unwrap_or_default();
            StudentDto {
                id: s.id.0,
                student_no: masked_student_no(&s.student_no),
                name: s.name.to_string(),
                sex: match s.sex {
                    wuyu_domain::Sex::Male => "male",
                    wuyu_domain::Sex::Female => "female",
                }
                .to_string(),
                birth_date: format_date(s.birth_date),
                class_id: s.class_id.0,
                grade,
                class_name,
            }
        })
        .collect();
    Ok(Json(out))
}

// --- fitness -------------------------------------------------------------------------------

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
async fn fitness_summary(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    q: Result<Query<FitnessSummaryQuery>, QueryRejection>,
) -> Result<Json<FitnessSummaryDto>, ApiError> {
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    if matches!(me.scope, Scope::Parent { .. }) {
        return Err(AppError::Forbidden.into());
    }
    // Refused roles are refused before their parameters are looked at.
    let terms = state.store.fitness_terms(&me.scope).await?;
    let by = match q.by.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => FitnessGroupBy::parse(s).ok_or(AppError::BadRequest)?,
        None => FitnessGroupBy::District,
    };
    let term = crate::pages::fitness::pick_term(&terms, q.term.as_deref())?;
    let rows = match term {
        Some(t) => {
            state
                .store
                .fitness_summary(&me.scope, q.school.map(SchoolId), t, by)
                .await?
        }
        None => Vec::new(),
    };
    Ok(Json(FitnessSummaryDto {
        term: term.map(|t| t.code()),
        by: by.code().to_string(),
        rows: rows.into_iter().map(FitnessSummaryRowDto::from).collect(),
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
async fn student_fitness(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64)>, PathRejection>,
) -> Result<Json<Vec<FitnessRecordDto>>, ApiError> {
    let (id, student_id) = p.map_err(|_| AppError::NotFound)?.0;
    let (id, student_id) = (SchoolId(id), StudentId(student_id));
    let read = state.store.student_fitness(&me.scope, id, student_id).await;
    // Refused reads are audited too, like the student page.
    let action = match &read {
        Err(StoreError::Forbidden) => "api_read_student_fitness_denied",
        _ => "api_read_student_fitness",
    };
    if !matches!(read, Err(StoreError::NotFound)) {
        let mut e = audit::entry(Some(&me.user), "", action, &ip);
        e.school_id = Some(id);
        e.entity = format!("student:{id}:{student_id}");
        state.store.append_audit(&e).await?;
    }
    Ok(Json(
        read?.into_iter().map(FitnessRecordDto::from).collect(),
    ))
}
