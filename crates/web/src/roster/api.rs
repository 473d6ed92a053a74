//! The roster's people API: a school's teachers with their 任教学科, 专兼职, 出生年份 and
//! titles, and a student's 特殊群体 flags (sensitive: admins and the 班主任 only, audited).
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;
use wuyu_domain::{SchoolId, StudentId};
use wuyu_service::audit::Requester;

use crate::access::{ApiRequire, cap};
use crate::auth::ClientIp;
use crate::error::{ApiError, AppError, Problem};
use crate::state::AppState;

/// A teacher as the roster holds them.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TeacherDto {
    pub id: i64,
    /// 工号
    pub staff_no: String,
    pub name: String,
    /// 任教学科, e.g. 体育; absent when the roster does not say.
    pub subject: Option<String>,
    /// `full_time` (专职) or `part_time` (兼职); absent when the roster does not say.
    #[schema(example = "full_time")]
    pub employment: Option<String>,
    pub birth_year: Option<i32>,
    /// Titles, e.g. 区级骨干教师（2023）.
    pub titles: Vec<String>,
}

/// A student's 特殊群体 flags.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FlagsDto {
    /// `disability` (残疾), `left_behind` (留守), `hardship` (困境); empty when none.
    pub flags: Vec<String>,
    /// The same in Chinese.
    pub flags_zh: Vec<String>,
}

/// The teachers of a school, for the district and the school's administrators.
#[utoipa::path(
    get,
    path = "/api/v1/schools/{id}/teachers",
    tag = "schools",
    operation_id = "list_school_teachers",
    security(("session" = [])),
    params(("id" = i64, Path, description = "学校编号")),
    responses(
        (status = 200, description = "教师列表", body = [TeacherDto]),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "学校不存在", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn teachers(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ViewRoster>,
    p: Result<Path<i64>, PathRejection>,
) -> Result<Json<Vec<TeacherDto>>, ApiError> {
    let id = SchoolId(p.map_err(|_| AppError::NotFound)?.0);
    let list = wuyu_service::roster::teachers(&state.svc, &me.viewer(), id)
        .await
        .map_err(AppError::from)?;
    Ok(Json(
        list.into_iter()
            .map(|t| TeacherDto {
                id: t.teacher_id.0,
                staff_no: t.staff_no,
                name: t.name,
                subject: t.subject,
                employment: t.employment.map(|e| e.code().to_string()),
                birth_year: t.birth_year,
                titles: t.titles,
            })
            .collect(),
    ))
}

/// A student's 特殊群体 flags: district and school admins, and the 班主任 of the student's
/// class. Every read is audited.
#[utoipa::path(
    get,
    path = "/api/v1/schools/{id}/students/{student_id}/flags",
    tag = "schools",
    operation_id = "student_flags",
    security(("session" = [])),
    params(
        ("id" = i64, Path, description = "学校编号"),
        ("student_id" = i64, Path, description = "学生编号"),
    ),
    responses(
        (status = 200, description = "特殊群体标记", body = FlagsDto),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "学生不存在", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn flags(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ViewStudentFlags>,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64)>, PathRejection>,
) -> Result<Json<FlagsDto>, ApiError> {
    let Path((id, student)) = p.map_err(|_| AppError::NotFound)?;
    let who = Requester::user(&me.user, &ip);
    let flags = wuyu_service::roster::student_flags(
        &state.svc,
        &me.viewer(),
        &who,
        SchoolId(id),
        StudentId(student),
    )
    .await
    .map_err(AppError::from)?;
    Ok(Json(FlagsDto {
        flags: flags.iter().map(|f| f.code().to_string()).collect(),
        flags_zh: flags.iter().map(|f| f.label_zh().to_string()).collect(),
    }))
}
