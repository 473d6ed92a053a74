//! The archive API: a class's records of a term, recording one activity for the class or some
//! of its students, the 班主任's review, a student's archive (audited read) and coverage. Each
//! is one service call, the same as the pages'.
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use wuyu_domain::{ClassId, SchoolId, StudentId, Term};
use wuyu_service::ServiceError;
use wuyu_service::archive::{
    self, ActivityForm, ArchiveRecord, Attendees, ClassRecordError, CoverageRow, Review,
};
use wuyu_service::audit::Requester;

use crate::access::{ApiRequire, cap};
use crate::auth::ClientIp;
use crate::error::{ApiError, AppError, Problem};
use crate::state::AppState;

/// A refusal's Chinese reason as a 400 problem document; other errors as usual.
fn refused(detail: String) -> Response {
    let p = Problem {
        kind: "about:blank".into(),
        title: "请求被拒绝".into(),
        status: 400,
        detail,
    };
    let mut resp = (StatusCode::BAD_REQUEST, Json(p)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    resp
}

fn problem(e: ServiceError) -> Response {
    match e {
        ServiceError::BadRequest(why) => refused(why),
        other => ApiError::from(other).into_response(),
    }
}

fn bad() -> Response {
    ApiError(AppError::BadRequest).into_response()
}

/// An activity record.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RecordDto {
    pub id: i64,
    pub student_id: i64,
    pub student_name: String,
    /// e.g. `volunteer_service`, `labor_home`, `study_tour`.
    pub category: String,
    pub category_zh: String,
    /// ISO date; `end_date` for an activity of several days.
    pub date: String,
    pub end_date: Option<String>,
    /// Hours with at most one decimal, as recorded.
    pub hours: String,
    /// The part of the hours spent travelling (not counted towards stars).
    pub travel: String,
    pub organiser: String,
    pub description: String,
    /// `teacher`, `parent` or `student`.
    pub entrant: String,
    /// `draft`, `submitted`, `approved` or `returned`.
    pub state: String,
    pub return_reason: Option<String>,
    /// The record's evidence files (photos, certificates), each with its download link.
    pub evidence: Vec<EvidenceDto>,
}

/// An evidence file of a record (downloading it is audited).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EvidenceDto {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub href: String,
}

fn record_dto(r: &ArchiveRecord) -> RecordDto {
    RecordDto {
        id: r.id,
        student_id: r.student_id.0,
        student_name: r.student_name.clone(),
        category: r.category.code().into(),
        category_zh: r.category.label_zh().into(),
        date: r.date.to_string(),
        end_date: r.end_date.map(|d| d.to_string()),
        hours: r.hours.to_string(),
        travel: r.travel.to_string(),
        organiser: r.organiser.clone(),
        description: r.description.clone(),
        entrant: r.entrant.code().into(),
        state: r.state.code().into(),
        return_reason: r.return_reason.clone(),
        evidence: evidence_dtos(r.school_id, r.id, &r.evidence),
    }
}

/// A record's evidence files, each linked to the audited, rights-checked download.
fn evidence_dtos(
    school: SchoolId,
    record: i64,
    files: &[archive::EvidenceRef],
) -> Vec<EvidenceDto> {
    files
        .iter()
        .map(|e| EvidenceDto {
            id: e.id,
            name: e.name.clone(),
            content_type: e.content_type.clone(),
            size: e.size,
            sha256: e.sha256.clone(),
            href: super::evidence_href(school, record, e.id),
        })
        .collect()
}

/// A student, by id and name.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StudentRefDto {
    pub id: i64,
    pub name: String,
}

/// A class's records of a term (the 班主任's page).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ClassArchiveDto {
    pub class_id: i64,
    /// e.g. `2025-autumn`.
    pub term: String,
    /// Whether the caller may approve and return here (the class's 班主任, the school admin).
    pub may_review: bool,
    pub records: Vec<RecordDto>,
    /// Students with no record at all this term.
    pub without_records: Vec<StudentRefDto>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct TermQuery {
    /// e.g. `2025-autumn`; left out: the term of today (class) or the latest with records
    /// (coverage).
    pub term: Option<String>,
}

/// A term code that does not parse is a malformed request (400).
struct BadTerm;

impl IntoResponse for BadTerm {
    fn into_response(self) -> Response {
        bad()
    }
}

fn term_param(t: Option<&str>) -> Result<Option<Term>, BadTerm> {
    match t.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Term::parse_code(t).map(Some).map_err(|_| BadTerm),
        None => Ok(None),
    }
}

fn today_term() -> Result<Term, BadTerm> {
    Term::of_date(time::OffsetDateTime::now_utc().date()).map_err(|_| BadTerm)
}

/// A class's records of a term, with who has none.
#[utoipa::path(
    get,
    path = "/api/v1/archive/classes/{school}/{class}",
    tag = "archive",
    operation_id = "archive_class",
    security(("session" = [])),
    params(
        ("school" = i64, Path, description = "The school's id"),
        ("class" = i64, Path, description = "The class's id"),
        TermQuery,
    ),
    responses(
        (status = 200, description = "本班本学期写实记录", body = ClassArchiveDto),
        (status = 400, description = "学期无效", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn class_records(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::RecordActivities>,
    p: Result<Path<(i64, i64)>, PathRejection>,
    q: Result<Query<TermQuery>, QueryRejection>,
) -> Response {
    let (Ok(Path((school, class))), Ok(Query(q))) = (p, q) else {
        return bad();
    };
    let term = match term_param(q.term.as_deref()) {
        Ok(Some(t)) => t,
        Ok(None) => match today_term() {
            Ok(t) => t,
            Err(r) => return r.into_response(),
        },
        Err(r) => return r.into_response(),
    };
    match archive::class_archive(
        &state.svc,
        &me.viewer(),
        SchoolId(school),
        ClassId(class),
        term,
    )
    .await
    {
        Ok(a) => Json(ClassArchiveDto {
            class_id: a.class.id.0,
            term: a.term.code(),
            may_review: a.may_review,
            records: a.records.iter().map(record_dto).collect(),
            without_records: a
                .without_records
                .into_iter()
                .map(|(id, name)| StudentRefDto { id: id.0, name })
                .collect(),
        })
        .into_response(),
        Err(e) => problem(e),
    }
}

/// One activity for the whole class (no `students`) or the listed students of it.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct RecordBody {
    /// e.g. `2025-autumn`; the dates must fall in it.
    pub term: String,
    /// A category code (`volunteer_service`) or its Chinese name (志愿服务).
    pub category: String,
    /// ISO date.
    pub date: String,
    #[serde(default)]
    pub end_date: String,
    /// Hours, at most one decimal.
    pub hours: String,
    #[serde(default)]
    pub travel: String,
    #[serde(default)]
    pub organiser: String,
    pub description: String,
    /// Student ids of the class; left out: the whole class.
    pub students: Option<Vec<i64>>,
}

/// The new records' ids.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RecordedDto {
    pub ids: Vec<i64>,
}

/// Records one activity (for review by the 班主任), all or nothing.
#[utoipa::path(
    post,
    path = "/api/v1/archive/classes/{school}/{class}/records",
    tag = "archive",
    operation_id = "archive_record",
    security(("session" = [])),
    params(
        ("school" = i64, Path, description = "The school's id"),
        ("class" = i64, Path, description = "The class's id"),
    ),
    request_body = RecordBody,
    responses(
        (status = 200, description = "已记录，待班主任审核", body = RecordedDto),
        (status = 400, description = "记录被拒绝（每个字段的原因见 detail）", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn record(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::RecordActivities>,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64)>, PathRejection>,
    body: Result<Json<RecordBody>, JsonRejection>,
) -> Response {
    let (Ok(Path((school, class))), Ok(Json(b))) = (p, body) else {
        return bad();
    };
    let term = match term_param(Some(&b.term)) {
        Ok(Some(t)) => t,
        Ok(None) => return refused("学期不能为空".into()),
        Err(r) => return r.into_response(),
    };
    let form = ActivityForm {
        category: b.category,
        date: b.date,
        end_date: b.end_date,
        hours: b.hours,
        travel: b.travel,
        organiser: b.organiser,
        description: b.description,
    };
    let attendees = match b.students {
        None => Attendees::WholeClass,
        Some(ids) => Attendees::Students(ids.into_iter().map(StudentId).collect()),
    };
    let who = Requester::user(&me.user, &ip);
    match archive::record_class_activity(
        &state.svc,
        &me.viewer(),
        &who,
        SchoolId(school),
        ClassId(class),
        term,
        &attendees,
        &form,
        &[],
    )
    .await
    {
        Ok(ids) => Json(RecordedDto { ids }).into_response(),
        Err(ClassRecordError::Fields(errors)) => refused(
            errors
                .iter()
                .map(|e| format!("{}：{}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("；"),
        ),
        Err(ClassRecordError::Service(e)) => problem(e),
    }
}

/// The 班主任's decision on submitted records of one school.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ReviewBody {
    pub school_id: i64,
    pub ids: Vec<i64>,
    /// `approve` or `return`.
    pub decision: String,
    /// Required when returning.
    #[serde(default)]
    pub reason: String,
}

/// How many records were reviewed.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReviewedDto {
    pub reviewed: usize,
}

/// Approves submitted records or returns them with a reason, all or nothing.
#[utoipa::path(
    post,
    path = "/api/v1/archive/review",
    tag = "archive",
    operation_id = "archive_review",
    security(("session" = [])),
    request_body = ReviewBody,
    responses(
        (status = 200, description = "已审核", body = ReviewedDto),
        (status = 400, description = "审核被拒绝（原因见 detail）", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn review(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ReviewActivities>,
    ClientIp(ip): ClientIp,
    body: Result<Json<ReviewBody>, JsonRejection>,
) -> Response {
    let Ok(Json(b)) = body else {
        return bad();
    };
    if b.ids.is_empty() {
        return refused("请至少选择一条记录".into());
    }
    let decision = match b.decision.as_str() {
        "approve" => Review::Approve,
        "return" if b.reason.trim().is_empty() => {
            return refused("退回时必须填写原因".into());
        }
        "return" => Review::Return(b.reason.trim().to_string()),
        _ => return bad(),
    };
    let who = Requester::user(&me.user, &ip);
    match archive::review(
        &state.svc,
        &me.viewer(),
        &who,
        SchoolId(b.school_id),
        &b.ids,
        &decision,
    )
    .await
    {
        Ok(()) => Json(ReviewedDto {
            reviewed: b.ids.len(),
        })
        .into_response(),
        Err(e) => problem(e),
    }
}

/// A domain of the archive with its approved records.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DomainDto {
    /// `moral`, `academic`, `physical`, `aesthetic` or `practice`.
    pub domain: String,
    pub domain_zh: String,
    pub hours: String,
    pub records: Vec<RecordDto>,
}

/// An art assessment of a school year.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ArtDto {
    pub school_year: i32,
    pub basic: String,
    pub academic: String,
    pub development: String,
    pub total: String,
    /// `excellent`, `good`, `pass` or `fail`.
    pub level: String,
    pub level_zh: String,
}

/// A student's archive: approved records by domain, hours and stars, art; no rank.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StudentArchiveDto {
    pub student_id: i64,
    pub name: String,
    pub domains: Vec<DomainDto>,
    /// Approved volunteer hours, travel excluded.
    pub volunteer_hours: String,
    /// 0 to 5.
    pub stars: u8,
    pub stars_zh: String,
    pub labor_hours: String,
    pub art: Vec<ArtDto>,
    /// Records awaiting review (counted, not listed).
    pub pending: usize,
    /// Terms with approved records, newest first (`2025-autumn`).
    pub terms: Vec<String>,
    /// The term the domains show, when one was asked for; the hours and stars are the
    /// stage's either way.
    pub term: Option<String>,
}

/// A student's archive. A child's personal record: every read is audited.
#[utoipa::path(
    get,
    path = "/api/v1/archive/students/{school}/{student}",
    tag = "archive",
    operation_id = "archive_student",
    security(("session" = [])),
    params(
        ("school" = i64, Path, description = "The school's id"),
        ("student" = i64, Path, description = "The student's id"),
        TermQuery,
    ),
    responses(
        (status = 200, description = "学生综合素质档案", body = StudentArchiveDto),
        (status = 400, description = "学期无效", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "没有这名学生", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn student(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ViewStudentArchive>,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64)>, PathRejection>,
    q: Result<Query<TermQuery>, QueryRejection>,
) -> Response {
    let (Ok(Path((school, student))), Ok(Query(q))) = (p, q) else {
        return bad();
    };
    let term = match term_param(q.term.as_deref()) {
        Ok(t) => t,
        Err(r) => return r.into_response(),
    };
    let who = Requester::user(&me.user, &ip);
    let a = match archive::student_archive(
        &state.svc,
        &me.viewer(),
        &who,
        SchoolId(school),
        StudentId(student),
    )
    .await
    {
        Ok(a) => a,
        Err(e) => return problem(e),
    };
    // One semester's records when a term is asked for; the stage's totals either way.
    let domains = term.map_or_else(|| a.domains.clone(), |t| a.domains_in(t));
    Json(StudentArchiveDto {
        student_id: a.student_id.0,
        name: a.name,
        domains: domains
            .iter()
            .map(|d| DomainDto {
                domain: serde_json::to_value(d.domain)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
                domain_zh: d.label_zh.into(),
                hours: d.hours.to_string(),
                records: d.records.iter().map(record_dto).collect(),
            })
            .collect(),
        volunteer_hours: a.volunteer_hours.to_string(),
        stars: a.stars,
        stars_zh: a.stars_zh,
        labor_hours: a.labor_hours.to_string(),
        art: a
            .art
            .iter()
            .map(|x| ArtDto {
                school_year: x.school_year,
                basic: x.parts.basic.to_string(),
                academic: x.parts.academic.to_string(),
                development: x.parts.development.to_string(),
                total: x.total.to_string(),
                level: x.level.code().into(),
                level_zh: x.level.label_zh().into(),
            })
            .collect(),
        pending: a.pending.len(),
        terms: a.terms.iter().map(|t| t.code()).collect(),
        term: term.map(|t| t.code()),
    })
    .into_response()
}

/// Coverage of a school (district callers) or a class (a school admin) in a term.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CoverageDto {
    pub school_id: i64,
    pub label: String,
    pub students: u64,
    /// Shares 0–1; null without students.
    pub art_coverage: Option<f64>,
    pub off_campus_rate: Option<f64>,
    pub labor_met_rate: Option<f64>,
    pub volunteer_hours_per_student: Option<f64>,
    pub art_excellent_rate: Option<f64>,
    pub art_pass_rate: Option<f64>,
}

impl From<&CoverageRow> for CoverageDto {
    fn from(r: &CoverageRow) -> Self {
        Self {
            school_id: r.school_id.0,
            label: r.label.clone(),
            students: r.students,
            art_coverage: r.art_coverage,
            off_campus_rate: r.off_campus_rate,
            labor_met_rate: r.labor_met_rate,
            volunteer_hours_per_student: r.volunteer_hours_per_student,
            art_excellent_rate: r.art_excellent_rate,
            art_pass_rate: r.art_pass_rate,
        }
    }
}

/// The term's coverage rows (the coverage page's table).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CoverageTableDto {
    /// Null when there is no record at all yet.
    pub term: Option<String>,
    pub rows: Vec<CoverageDto>,
}

/// Archive coverage: schools for district callers, classes for a school admin.
#[utoipa::path(
    get,
    path = "/api/v1/archive/coverage",
    tag = "archive",
    operation_id = "archive_coverage",
    security(("session" = [])),
    params(TermQuery),
    responses(
        (status = 200, description = "综合素质覆盖率", body = CoverageTableDto),
        (status = 400, description = "学期无效", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn coverage(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ViewArchiveCoverage>,
    q: Result<Query<TermQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(q)) = q else {
        return bad();
    };
    let viewer = me.viewer();
    let term = match term_param(q.term.as_deref()) {
        Ok(Some(t)) => Some(t),
        Ok(None) => match archive::district_term(&state.svc, &viewer.scope).await {
            Ok(t) => t,
            Err(e) => return problem(e),
        },
        Err(r) => return r.into_response(),
    };
    let rows = match term {
        Some(t) => {
            match archive::coverage(&state.svc, &viewer, viewer.scope.school_id(), t).await {
                Ok(rows) => rows,
                Err(e) => return problem(e),
            }
        }
        None => Vec::new(),
    };
    Json(CoverageTableDto {
        term: term.map(|t| t.code()),
        rows: rows.iter().map(CoverageDto::from).collect(),
    })
    .into_response()
}

/// An objection (质疑) to a record in 公示 and its answer.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ObjectionDto {
    pub id: i64,
    pub record_id: i64,
    pub student_id: i64,
    pub student_name: String,
    pub raised_by: String,
    pub text: String,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
}

/// A record as the 公示 shows it: no 学籍号, no ID number, no 家访.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PublicLineDto {
    pub record_id: i64,
    pub student_id: i64,
    pub student_name: String,
    pub category_zh: String,
    pub date: String,
    pub hours: String,
    pub organiser: String,
    pub description: String,
    /// The record's evidence files; each `href` is the audited download, which checks the
    /// reader's rights again.
    pub evidence: Vec<EvidenceDto>,
}

/// A family's confirmation (家长确认) of a student's semester archive.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ConfirmationDto {
    pub student_id: i64,
    pub student_name: String,
    /// The parent's account name.
    pub confirmed_by: String,
    /// Unix seconds.
    pub confirmed_at: i64,
}

/// A signature: name and ISO date.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SignatureDto {
    pub name: String,
    pub date: String,
}

/// A class's 公示 of one term.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PublicityDto {
    pub class_id: i64,
    pub term: String,
    /// `open`, `ended`, `head_signed`, `locked`; null: not opened yet.
    pub stage: Option<String>,
    pub stage_zh: String,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub head_teacher: Option<SignatureDto>,
    pub principal: Option<SignatureDto>,
    pub records: Vec<PublicLineDto>,
    pub objections: Vec<ObjectionDto>,
    /// Students whose families confirmed the archive; a parent sees only their own child's.
    pub confirmations: Vec<ConfirmationDto>,
    pub may_open: bool,
    pub may_object: bool,
    pub may_answer: bool,
    pub may_sign: bool,
}

fn publicity_dto(school: SchoolId, v: archive::PublicityView) -> PublicityDto {
    let sig = |s: &Option<(String, time::Date)>| {
        s.as_ref().map(|(n, d)| SignatureDto {
            name: n.clone(),
            date: d.to_string(),
        })
    };
    let p = v.publicity.as_ref();
    PublicityDto {
        class_id: v.class_id.0,
        term: v.term.code(),
        stage: v.stage.and_then(|s| {
            serde_json::to_value(s)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
        }),
        stage_zh: v.stage_zh.clone(),
        starts_on: p.map(|p| p.starts_on.to_string()),
        ends_on: p.map(|p| p.ends_on.to_string()),
        head_teacher: p.and_then(|p| sig(&p.head_signed)),
        principal: p.and_then(|p| sig(&p.principal_signed)),
        records: v
            .lines
            .iter()
            .map(|l| PublicLineDto {
                record_id: l.record_id,
                student_id: l.student_id.0,
                student_name: l.student.clone(),
                category_zh: l.category_zh.into(),
                date: l.date.clone(),
                hours: l.hours.clone(),
                organiser: l.organiser.clone(),
                description: l.description.clone(),
                evidence: evidence_dtos(school, l.record_id, &l.evidence),
            })
            .collect(),
        objections: v
            .objections
            .iter()
            .map(|o| ObjectionDto {
                id: o.id,
                record_id: o.record_id,
                student_id: o.student_id.0,
                student_name: o.student_name.clone(),
                raised_by: o.raised_by.clone(),
                text: o.text.clone(),
                answer: o.answer.clone(),
                answered_by: o.answered_by.clone(),
            })
            .collect(),
        confirmations: v
            .confirmations
            .iter()
            .map(|c| ConfirmationDto {
                student_id: c.student_id.0,
                student_name: c.student_name.clone(),
                confirmed_by: c.confirmed_by.clone(),
                confirmed_at: c.confirmed_at,
            })
            .collect(),
        may_open: v.may_open,
        may_object: v.may_object,
        may_answer: v.may_answer,
        may_sign: v.may_sign,
    }
}

/// A class's 公示 of a term: the window, the records shown (with their evidence files' links
/// for staff; a parent sees none here), objections, the families' confirmations, signatures.
#[utoipa::path(
    get,
    path = "/api/v1/archive/publicity/{school}/{class}",
    tag = "archive",
    operation_id = "archive_publicity",
    security(("session" = [])),
    params(
        ("school" = i64, Path, description = "The school's id"),
        ("class" = i64, Path, description = "The class's id"),
        TermQuery,
    ),
    responses(
        (status = 200, description = "本班本学期公示", body = PublicityDto),
        (status = 400, description = "学期无效", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn publicity(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::RecordActivities>,
    p: Result<Path<(i64, i64)>, PathRejection>,
    q: Result<Query<TermQuery>, QueryRejection>,
) -> Response {
    let (Ok(Path((school, class))), Ok(Query(q))) = (p, q) else {
        return bad();
    };
    let term = match term_param(q.term.as_deref()) {
        Ok(Some(t)) => t,
        Ok(None) => match today_term() {
            Ok(t) => t,
            Err(r) => return r.into_response(),
        },
        Err(r) => return r.into_response(),
    };
    match archive::publicity(
        &state.svc,
        &me.viewer(),
        SchoolId(school),
        ClassId(class),
        term,
        archive::today(),
    )
    .await
    {
        Ok(v) => Json(publicity_dto(SchoolId(school), v)).into_response(),
        Err(e) => problem(e),
    }
}

/// A step of a class's 公示: `open` (the 班主任 or the school), `answer` an objection
/// (`objection_id`, `answer`), `sign` (a teacher as 班主任 after the window, then the school
/// as 校长, which locks the term).
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct PublicityStepBody {
    pub school_id: i64,
    pub class_id: i64,
    /// e.g. `2025-autumn`.
    pub term: String,
    /// `open`, `answer` or `sign`.
    pub step: String,
    #[serde(default)]
    pub objection_id: Option<i64>,
    #[serde(default)]
    pub answer: String,
}

/// Takes one step of a class's 公示; refusals (a record awaiting review, the window not over,
/// an objection unanswered, signing out of order) are 400 with the Chinese reason.
#[utoipa::path(
    post,
    path = "/api/v1/archive/publicity",
    tag = "archive",
    operation_id = "archive_publicity_step",
    security(("session" = [])),
    request_body = PublicityStepBody,
    responses(
        (status = 200, description = "本班本学期公示（此步之后）", body = PublicityDto),
        (status = 400, description = "被拒绝（原因见 detail）", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn publicity_step(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::RecordActivities>,
    ClientIp(ip): ClientIp,
    body: Result<Json<PublicityStepBody>, JsonRejection>,
) -> Response {
    let Ok(Json(b)) = body else {
        return bad();
    };
    let Ok(term) = Term::parse_code(b.term.trim()) else {
        return bad();
    };
    let (svc, viewer) = (&state.svc, me.viewer());
    let who = Requester::user(&me.user, &ip);
    let (school, class, today) = (SchoolId(b.school_id), ClassId(b.class_id), archive::today());
    let done = match (b.step.as_str(), b.objection_id) {
        ("open", _) => archive::open_publicity(svc, &viewer, &who, school, class, term, today)
            .await
            .map(|_| ()),
        ("answer", Some(id)) => {
            archive::answer_objection(svc, &viewer, &who, school, id, &b.answer).await
        }
        ("sign", _) => {
            archive::sign_publicity(svc, &viewer, &who, school, class, term, today).await
        }
        _ => return bad(),
    };
    if let Err(e) = done {
        return problem(e);
    }
    match archive::publicity(svc, &viewer, school, class, term, today).await {
        Ok(v) => Json(publicity_dto(school, v)).into_response(),
        Err(e) => problem(e),
    }
}

/// An objection to one record in 公示.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ObjectionBody {
    pub school_id: i64,
    pub record_id: i64,
    /// Why (at most 500 characters).
    pub text: String,
}

/// The new objection's id.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ObjectedDto {
    pub objection_id: i64,
}

/// A family (their own child's record) or a teacher objects to an approved record while its
/// class's 公示 is open.
#[utoipa::path(
    post,
    path = "/api/v1/archive/objections",
    tag = "archive",
    operation_id = "archive_object",
    security(("session" = [])),
    request_body = ObjectionBody,
    responses(
        (status = 200, description = "已提出质疑", body = ObjectedDto),
        (status = 400, description = "被拒绝（原因见 detail）", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn object(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::RecordActivities>,
    ClientIp(ip): ClientIp,
    body: Result<Json<ObjectionBody>, JsonRejection>,
) -> Response {
    let Ok(Json(b)) = body else {
        return bad();
    };
    match archive::object(
        &state.svc,
        &me.viewer(),
        &Requester::user(&me.user, &ip),
        SchoolId(b.school_id),
        b.record_id,
        &b.text,
        archive::today(),
    )
    .await
    {
        Ok(id) => Json(ObjectedDto { objection_id: id }).into_response(),
        Err(e) => problem(e),
    }
}
