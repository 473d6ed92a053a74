//! 学校与学生 (roster): the district home page, a school's page, a class page and a student's
//! page, each a thin handler over `wuyu_service::roster`. The schools, classes and students
//! API routes are in `crate::api`; teachers and flags in [`api`].
pub(crate) mod api;
pub(crate) mod home;
pub(crate) mod school;
pub(crate) mod student;

use axum::Router;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The roster pages.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/schools/{id}", get(school::school))
        .route("/schools/{id}/assignments", get(school::assignments))
        .route(
            "/schools/{id}/assignments.xlsx",
            get(school::assignments_xlsx),
        )
        .route("/schools/{id}/classes.xlsx", get(school::classes_xlsx))
        .route("/schools/{id}/classes/{class_id}", get(school::class))
        .route(
            "/schools/{id}/classes/{class_id}/students.xlsx",
            get(school::class_students_xlsx),
        )
        .route("/schools/{id}/students/{student_id}", get(student::student))
}

/// The roster's people API.
pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::teachers))
        .routes(routes!(api::flags))
}
