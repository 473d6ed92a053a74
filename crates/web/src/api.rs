//! JSON API under `/api/v1`, signed in with the same session cookie as the pages. The OpenAPI
//! document is generated from these routes (utoipa-axum), so it cannot drift from them.
use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wuyu_domain::{ClassId, ClassType, Grade, SchoolId};
use wuyu_service::store_types::SchoolSummary;

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
        (name = "exams", description = "考试分析：三率一分、增值评价、小题分析、平行班比较预警"),
        (name = "plan", description = "目标任务：任务分解表各项年度目标在全区和各校的完成情况"),
        (name = "staff", description = "教师考核：年度考核等次、优秀名额计算、公示与复核"),
        (name = "surveys", description = "满意度调查：各单位、各维度的回收率与满意率（样本不足不报告）"),
        (name = "archive", description = "综合素质档案：写实记录、班主任审核、学生档案与覆盖率"),
        (name = "psych", description = "心理健康：筛查人数按关注等级统计，少于 10 人的格子不公布")
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
        .routes(routes!(list_classes))
        .merge(crate::roster::api_routes())
        .merge(crate::fitness::api_routes())
        .merge(crate::exam::api_routes())
        .merge(crate::plan::api_routes())
        .merge(crate::staff::api_routes())
        .merge(crate::archive::api_routes())
        .merge(crate::bulletin::api_routes())
        .merge(crate::survey::api_routes())
        .merge(crate::psych::api_routes())
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
    /// 班级类型: `ordinary` (普通班), `experimental` (实验班), `key` (重点班), `talent`
    /// (特长班) or `other` (其他).
    #[schema(example = "ordinary")]
    pub class_type: String,
    /// 曾用名, possibly empty.
    pub former_names: Vec<String>,
    /// 学籍状态: `enrolled` (在读), `transferred_out` (转出), `suspended` (休学) or
    /// `dropped_out` (辍学).
    #[schema(example = "enrolled")]
    pub status: String,
    /// The date the status took effect (ISO); absent for a student 在读 since enrolment.
    pub status_date: Option<String>,
}

/// A class with its type, 班主任 and student count.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ClassDto {
    pub id: i64,
    /// 年级 1–12.
    pub grade: u8,
    pub name: String,
    /// 班级类型: `ordinary` (普通班), `experimental` (实验班), `key` (重点班), `talent`
    /// (特长班) or `other` (其他). Parallel classes share school, grade and type.
    #[schema(example = "experimental")]
    pub class_type: String,
    /// 班级类型 in Chinese, e.g. 实验班.
    #[schema(example = "实验班")]
    pub class_type_zh: String,
    /// 班主任 (names); empty when the roster names none or the caller does not see 任课.
    pub head_teachers: Vec<String>,
    pub student_count: i64,
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
    let schools = wuyu_service::roster::schools(&state.svc, &me.viewer()).await?;
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
    let (classes, students) =
        wuyu_service::roster::school_students(&state.svc, &me.viewer(), id).await?;
    let classes: HashMap<ClassId, (Grade, String, ClassType)> = classes
        .into_iter()
        .map(|c| {
            (
                c.class.id,
                (c.class.grade, c.class.name, c.class.class_type),
            )
        })
        .collect();

    let mut e = audit::entry(Some(&me.user), "", "api_list_students", &ip);
    e.school_id = Some(id);
    e.entity = format!("school:{id}");
    e.detail = format!("{} students", students.len());
    wuyu_service::audit::append(&state.svc, &e).await?;

    let out = students
        .into_iter()
        .map(|s| {
            let (grade, class_name, class_type) = classes
                .get(&s.class_id)
                .map(|(g, n, t)| (g.get(), n.clone(), *t))
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
                class_type: class_type.code().to_string(),
                former_names: s.former_names.iter().map(|n| n.to_string()).collect(),
                status: s.status.code().to_string(),
                status_date: s.status_date.map(format_date),
            }
        })
        .collect();
    Ok(Json(out))
}

/// The classes of a school that the caller may see (a teacher: their classes only), with
/// their type and 班主任.
#[utoipa::path(
    get,
    path = "/api/v1/schools/{id}/classes",
    tag = "schools",
    operation_id = "list_school_classes",
    security(("session" = [])),
    params(("id" = i64, Path, description = "学校编号")),
    responses(
        (status = 200, description = "班级列表", body = [ClassDto]),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "学校不存在", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_classes(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Json<Vec<ClassDto>>, ApiError> {
    let id = SchoolId(p.map_err(|_| AppError::NotFound)?.0);
    let viewer = me.viewer();
    let classes = wuyu_service::roster::classes(&state.svc, &viewer, id).await?;
    let out = classes
        .into_iter()
        .map(|c| ClassDto {
            id: c.summary.class.id.0,
            grade: c.summary.class.grade.get(),
            name: c.summary.class.name,
            class_type: c.summary.class.class_type.code().to_string(),
            class_type_zh: c.summary.class.class_type.label_zh().to_string(),
            head_teachers: c.head_teachers,
            student_count: c.summary.student_count,
        })
        .collect();
    Ok(Json(out))
}
