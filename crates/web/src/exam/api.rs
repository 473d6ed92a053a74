//! Exam endpoints of the JSON API (issue 4): the same store calls as the exam pages, the
//! numbers unrounded (rates as fractions in 0..=1, `null` without a denominator). Ranks (school,
//! class, student and value-added ranks) are left out of the answer for callers who may not see
//! them (teachers, and everyone when the district setting `hide_ranks` is on); `ranks_shown`
//! says which applies.
use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use wuyu_domain::{Capability, ClassId, Exam, ExamId, SchoolId};
use wuyu_service::ServiceError;
use wuyu_service::exam::units::{UnitsOf, units};
use wuyu_service::exam::va::{ValueAdded, value_added};
use wuyu_service::exam::{self as svc_exam, alerts, class, items, overview::focus, pick_subject};
use wuyu_service::ranks::{ranks_token, student_ranks_token};
use wuyu_service::store_types::{
    Borderline, ExamSummary, ExamUnit, ExamUnitKind, ExamUnitStat, StudentMark, SubjectStat,
};

use crate::access::{ApiRequire, cap};
use crate::audit;
use crate::auth::{ApiUser, ClientIp};
use crate::error::{ApiError, AppError, Problem};
use crate::state::AppState;
use crate::view::{format_date, masked_student_no};

fn exam_path(p: Result<Path<i64>, PathRejection>) -> Result<ExamId, ApiError> {
    Ok(ExamId(p.map_err(|_| AppError::NotFound)?.0))
}

fn q<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    Ok(q.map_err(|_| AppError::BadRequest)?.0)
}

fn kind_code(k: ExamUnitKind) -> &'static str {
    match k {
        ExamUnitKind::District => "district",
        ExamUnitKind::Location => "location",
        ExamUnitKind::Stage => "stage",
        ExamUnitKind::School => "school",
        ExamUnitKind::Class => "class",
    }
}

// --- list ----------------------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ExamSubjectDto {
    pub name: String,
    pub full_marks: f64,
}

/// An exam with how many schools and students sat it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ExamDto {
    pub id: i64,
    pub name: String,
    /// ISO date.
    #[schema(example = "2024-11-12")]
    pub date: String,
    #[schema(example = "2024-autumn")]
    pub term: String,
    /// `school` (校级), `district` (区级), `city` (市级) or `zhongkao` (中考).
    #[schema(example = "district")]
    pub level: String,
    /// e.g. 区级.
    pub level_name: String,
    /// 年级 1–12.
    pub grade: u8,
    pub subjects: Vec<ExamSubjectDto>,
    /// The exam value-added is measured from (入口考试).
    pub baseline: Option<i64>,
    pub schools: u64,
    /// Students with at least one mark (score or 缺考).
    pub students: u64,
    /// Item-level points were imported for some subject.
    pub has_items: bool,
}

fn exam_dto(e: &Exam, schools: u64, students: u64, has_items: bool) -> ExamDto {
    ExamDto {
        id: e.id.0,
        name: e.name.clone(),
        date: format_date(e.date),
        term: e.term.code(),
        level: e.level.code().to_string(),
        level_name: e.level.name_zh().to_string(),
        grade: e.grade.get(),
        subjects: e
            .subjects
            .iter()
            .map(|s| ExamSubjectDto {
                name: s.name.clone(),
                full_marks: s.full_marks,
            })
            .collect(),
        baseline: e.baseline.map(|b| b.0),
        schools,
        students,
        has_items,
    }
}

impl From<ExamSummary> for ExamDto {
    fn from(s: ExamSummary) -> Self {
        exam_dto(&s.exam, s.schools, s.students, s.has_items)
    }
}

/// The exams the caller may see (district: all; a school's admin and teachers: the exams their
/// school sat), newest first. Forbidden for counsellors and parents.
#[utoipa::path(
    get,
    path = "/api/v1/exams",
    tag = "exams",
    operation_id = "list_exams",
    security(("session" = [])),
    responses(
        (status = 200, description = "考试列表", body = [ExamDto]),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn list_exams(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ViewExams>,
) -> Result<Json<Vec<ExamDto>>, ApiError> {
    let exams = svc_exam::list(&state.svc, &me.viewer()).await?;
    Ok(Json(exams.into_iter().map(ExamDto::from).collect()))
}

// --- unit statistics -------------------------------------------------------------------------

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct UnitsQuery {
    /// `overview` (default: 全区, 城区/农村, 学段), `schools` or `classes`.
    pub filter: Option<String>,
    /// For `classes`: the school (district roles must name one; others get their own).
    pub school: Option<i64>,
}

/// One unit's statistics in one subject (or 总分). Rates are fractions; 缺考 students are
/// excluded from rates and means under the district's default policy (`absent` counts them).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SubjectStatDto {
    pub subject: String,
    pub full_marks: f64,
    /// 应考.
    pub enrolled: usize,
    /// 实考.
    pub sat: usize,
    /// 缺考.
    pub absent: usize,
    pub excluded: usize,
    /// 统计人数: the denominator of the rates and the mean.
    pub n: usize,
    /// 参考率 = 实考 / 应考.
    pub participation_rate: Option<f64>,
    pub mean: Option<f64>,
    /// 得分率 = mean / full marks.
    pub score_rate: Option<f64>,
    pub excellent_line: f64,
    pub good_line: Option<f64>,
    pub pass_line: f64,
    pub low_line: f64,
    pub excellent_count: usize,
    pub good_count: Option<usize>,
    pub pass_count: usize,
    pub low_count: usize,
    /// 优秀率.
    pub excellent_rate: Option<f64>,
    /// 良好率.
    pub good_rate: Option<f64>,
    /// 及格率.
    pub pass_rate: Option<f64>,
    /// 低分率.
    pub low_rate: Option<f64>,
    /// Sample standard deviation.
    pub sd: Option<f64>,
    pub min: Option<f64>,
    pub p25: Option<f64>,
    pub median: Option<f64>,
    pub p75: Option<f64>,
    pub max: Option<f64>,
    /// 综合指数 (standardised composite of mean, 优秀率, 及格率 and 低分率 across the units
    /// compared).
    pub composite: Option<f64>,
    /// Rank by mean among the units of the same kind, ties sharing the best rank. Absent when
    /// the caller may not see ranks (`ranks_shown` false) or the unit is not ranked (fewer than
    /// 10 students, or the district row).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<u32>,
    /// Mean minus the best unit's mean (≤ 0).
    pub gap_to_best: Option<f64>,
    /// Mean minus the district mean.
    pub gap_to_district: Option<f64>,
    /// Students per tenth of full marks (the last bin includes full marks).
    pub histogram: Vec<u32>,
}

fn subject_dto(s: &SubjectStat, ranks: bool) -> SubjectStatDto {
    let r = &s.rates;
    SubjectStatDto {
        subject: s.subject.clone(),
        full_marks: r.full_marks,
        enrolled: r.enrolled,
        sat: r.sat,
        absent: r.absent,
        excluded: r.excluded,
        n: r.n,
        participation_rate: r.participation_rate,
        mean: r.mean,
        score_rate: r.score_rate,
        excellent_line: r.excellent_line,
        good_line: r.good_line,
        pass_line: r.pass_line,
        low_line: r.low_line,
        excellent_count: r.excellent_count,
        good_count: r.good_count,
        pass_count: r.pass_count,
        low_count: r.low_count,
        excellent_rate: r.excellent_rate,
        good_rate: r.good_rate,
        pass_rate: r.pass_rate,
        low_rate: r.low_rate,
        sd: s.sd,
        min: s.min,
        p25: s.p25,
        median: s.median,
        p75: s.p75,
        max: s.max,
        composite: s.composite,
        rank: if ranks { s.rank } else { None },
        gap_to_best: s.gap_to_best,
        gap_to_district: s.gap_to_district,
        histogram: s.histogram.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TeacherDto {
    pub subject: String,
    pub names: Vec<String>,
}

/// A unit (全区, 城区/农村, a stage, a school or a class) with its statistics per subject.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct UnitDto {
    /// `district`, `location`, `stage`, `school` or `class`.
    pub kind: String,
    pub school_id: Option<i64>,
    pub class_id: Option<i64>,
    /// `urban` or `rural`.
    pub location: Option<String>,
    pub stage: Option<String>,
    pub name: String,
    /// Classes: the teachers of each subject at exam time.
    pub teachers: Vec<TeacherDto>,
    pub subjects: Vec<SubjectStatDto>,
}

fn unit_fields(
    u: &ExamUnit,
) -> (
    String,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
) {
    (
        kind_code(u.kind).to_string(),
        u.school_id.map(|s| s.0),
        u.class_id.map(|c| c.0),
        u.location.map(|l| l.code().to_string()),
        u.stage.map(|s| s.code().to_string()),
    )
}

fn unit_dto(u: &ExamUnitStat, ranks: bool) -> UnitDto {
    let (kind, school_id, class_id, location, stage) = unit_fields(&u.unit);
    UnitDto {
        kind,
        school_id,
        class_id,
        location,
        stage,
        name: u.unit.name.clone(),
        teachers: u
            .teachers
            .iter()
            .map(|(s, n)| TeacherDto {
                subject: s.clone(),
                names: n.clone(),
            })
            .collect(),
        subjects: u.subjects.iter().map(|s| subject_dto(s, ranks)).collect(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct UnitsDto {
    pub exam: i64,
    pub filter: String,
    /// Whether ranks are included (role and district setting).
    pub ranks_shown: bool,
    pub units: Vec<UnitDto>,
}

/// 三率一分 and more of the exam's units: the district overview, the schools (a school's roles:
/// their own) or one school's classes. The same numbers as `/exams/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/exams/{id}/units",
    tag = "exams",
    operation_id = "exam_units",
    security(("session" = [])),
    params(("id" = i64, Path, description = "考试编号"), UnitsQuery),
    responses(
        (status = 200, description = "各单位统计", body = UnitsDto),
        (status = 400, description = "参数无效", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "考试不存在", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn exam_units(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    p: Result<Path<i64>, PathRejection>,
    query: Result<Query<UnitsQuery>, QueryRejection>,
) -> Result<Json<UnitsDto>, ApiError> {
    let id = exam_path(p)?;
    let viewer = super::require(&me, Capability::ViewExams)?;
    svc_exam::exam(&state.svc, &viewer, id).await?;
    let query = q(query)?;
    let filter_code = query
        .filter
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("overview");
    let of = match filter_code {
        "overview" => UnitsOf::Overview,
        "schools" => UnitsOf::Schools,
        "classes" => UnitsOf::Classes(query.school.map(SchoolId)),
        _ => return Err(AppError::BadRequest.into()),
    };
    let read = units(&state.svc, &viewer, id, of).await?;
    let ranks = read.ranks_shown();
    Ok(Json(UnitsDto {
        exam: id.0,
        filter: filter_code.to_string(),
        ranks_shown: ranks,
        units: read.units.iter().map(|u| unit_dto(u, ranks)).collect(),
    }))
}

// --- value-added ---------------------------------------------------------------------------

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ValueAddedQuery {
    /// A subject of the exam or 总分 (default).
    pub subject: Option<String>,
    /// `school` (default) or `class`.
    pub level: Option<String>,
    /// For `class`: the school (district roles; others get their own).
    pub school: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CoefficientDto {
    pub name: String,
    pub estimate: f64,
    pub se: f64,
}

/// One unit's value-added. A suppressed unit (too few matched students) has no numbers.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct VaUnitDto {
    pub school_id: Option<i64>,
    pub class_id: Option<i64>,
    pub name: String,
    /// Matched students.
    pub n: usize,
    /// Raw mean residual.
    pub estimate: Option<f64>,
    /// Posterior SD of the EB effect.
    pub se: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// The EB (shrunken) effect: what the caterpillar plot shows.
    pub shrunken: Option<f64>,
    /// Reliability λ.
    pub lambda: Option<f64>,
    /// `above`, `below` or `ns`; `null` below the classification minimum.
    pub class: Option<String>,
    pub suppressed: bool,
    /// Rank by EB effect; absent when ranks are not shown or the store says the units may not
    /// be ranked (`rankable` false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ValueAddedDto {
    pub exam: i64,
    pub baseline: i64,
    pub subject: String,
    /// `school` or `class`.
    pub level: String,
    /// What the model is, e.g. 随机截距模型（REML）经验贝叶斯增值.
    pub model_label: String,
    /// Matched students.
    pub n: usize,
    pub coefficients: Vec<CoefficientDto>,
    pub sigma2: Option<f64>,
    pub tau2: Option<f64>,
    pub icc: Option<f64>,
    /// `false`: no detectable between-unit variation — do not rank.
    pub rankable: Option<bool>,
    pub message: Option<String>,
    pub ranks_shown: bool,
    /// Ordered as the page shows them: by EB effect when ranks are shown and the units may be
    /// ranked, otherwise in the store's order.
    pub units: Vec<VaUnitDto>,
}

fn va_dto(va: &ValueAdded, ranks_shown: bool) -> ValueAddedDto {
    let r = &va.report;
    ValueAddedDto {
        exam: r.exam.0,
        baseline: r.baseline.0,
        subject: r.subject.clone(),
        level: kind_code(r.level).to_string(),
        model_label: r.model_label.clone(),
        n: r.n,
        coefficients: r
            .coefficients
            .iter()
            .map(|c| CoefficientDto {
                name: c.name.clone(),
                estimate: c.estimate,
                se: c.se,
            })
            .collect(),
        sigma2: r.sigma2,
        tau2: r.tau2,
        icc: r.icc,
        rankable: r.rankable,
        message: r.message.clone(),
        ranks_shown,
        units: va
            .order
            .iter()
            .copied()
            .map(|i| {
                let g = &r.groups[i];
                let u = r.units.get(i);
                VaUnitDto {
                    school_id: u.and_then(|u| u.school_id).map(|s| s.0),
                    class_id: u.and_then(|u| u.class_id).map(|c| c.0),
                    name: u.map(|u| u.name.clone()).unwrap_or_else(|| g.group.clone()),
                    n: g.n,
                    estimate: g.estimate,
                    se: g.se,
                    ci_low: g.ci_low,
                    ci_high: g.ci_high,
                    shrunken: g.shrunken,
                    lambda: g.lambda,
                    class: g.class.map(|c| {
                        match c {
                            wuyu_analytics::value_added::VaClass::Above => "above",
                            wuyu_analytics::value_added::VaClass::Below => "below",
                            wuyu_analytics::value_added::VaClass::Ns => "ns",
                        }
                        .to_string()
                    }),
                    suppressed: g.suppressed,
                    rank: va.rank(i),
                }
            })
            .collect(),
    }
}

/// Value-added of the schools (or one school's classes) from the exam's baseline, as the
/// caterpillar plot of `/exams/{id}` shows it. 404 when the exam has no baseline.
#[utoipa::path(
    get,
    path = "/api/v1/exams/{id}/value-added",
    tag = "exams",
    operation_id = "exam_value_added",
    security(("session" = [])),
    params(("id" = i64, Path, description = "考试编号"), ValueAddedQuery),
    responses(
        (status = 200, description = "增值评价", body = ValueAddedDto),
        (status = 400, description = "参数无效", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "考试不存在或没有入口考试", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn exam_value_added(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    p: Result<Path<i64>, PathRejection>,
    query: Result<Query<ValueAddedQuery>, QueryRejection>,
) -> Result<Json<ValueAddedDto>, ApiError> {
    let id = exam_path(p)?;
    let viewer = super::require(&me, Capability::ViewExams)?;
    let exam = svc_exam::exam(&state.svc, &viewer, id).await?;
    let query = q(query)?;
    let subject = pick_subject(&exam, query.subject.as_deref())?;
    let (level, school) = match query.level.as_deref().map(str::trim).unwrap_or("school") {
        "school" | "" => (ExamUnitKind::School, None),
        "class" => (
            ExamUnitKind::Class,
            Some(
                focus(&state.svc, &viewer, query.school)
                    .await?
                    .ok_or(AppError::BadRequest)?,
            ),
        ),
        _ => return Err(AppError::BadRequest.into()),
    };
    let ranks = ranks_token(&state.svc, &viewer).await?.is_some();
    let va = value_added(&state.svc, &viewer, id, &subject, level, school)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(va_dto(&va, ranks)))
}

// --- items -----------------------------------------------------------------------------------

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ItemsQuery {
    /// A subject of the exam; the first one with item points when left out.
    pub subject: Option<String>,
    /// District roles: one school's classes.
    pub school: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ItemDto {
    pub item: String,
    pub max_points: f64,
    pub knowledge_points: Vec<String>,
    pub mean: f64,
    /// 难度 P = 得分率 (higher is easier).
    pub difficulty: f64,
    /// 区分度 D (27 % groups).
    pub discrimination: f64,
    pub upper_rate: f64,
    pub lower_rate: f64,
    pub point_biserial: Option<f64>,
    pub corrected_item_total: Option<f64>,
    pub alpha_if_deleted: Option<f64>,
    pub zero_variance: bool,
    pub negative_discrimination: bool,
    /// The page's flags in words (negative discrimination, P < 0.2, P > 0.9).
    pub flags: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ClassItemsDto {
    pub school_id: Option<i64>,
    pub class_id: Option<i64>,
    pub name: String,
    /// The class's 得分率 per item, aligned with `items`.
    pub difficulty: Vec<Option<f64>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MasteryDto {
    pub school_id: Option<i64>,
    pub class_id: Option<i64>,
    pub knowledge_point: String,
    pub n: usize,
    pub items: usize,
    pub points: f64,
    pub max_points: f64,
    /// 得分率 of the knowledge point's items.
    pub score_rate: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ItemReportDto {
    pub exam: i64,
    pub subject: String,
    /// Students in the district-wide analysis.
    pub n: usize,
    pub k: usize,
    pub full_marks: f64,
    pub mean: f64,
    pub sd: f64,
    pub difficulty: f64,
    /// Cronbach's α.
    pub alpha: Option<f64>,
    pub kr20: Option<f64>,
    pub kr21: Option<f64>,
    pub sem: Option<f64>,
    pub items: Vec<ItemDto>,
    /// The heat map: classes of the caller's scope.
    pub classes: Vec<ClassItemsDto>,
    pub mastery: Vec<MasteryDto>,
}

/// Item analysis of one subject (district-wide statistics; classes of the caller's scope).
#[utoipa::path(
    get,
    path = "/api/v1/exams/{id}/items",
    tag = "exams",
    operation_id = "exam_items",
    security(("session" = [])),
    params(("id" = i64, Path, description = "考试编号"), ItemsQuery),
    responses(
        (status = 200, description = "小题分析", body = ItemReportDto),
        (status = 400, description = "参数无效", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "考试不存在或未导入小题分", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn exam_items(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    p: Result<Path<i64>, PathRejection>,
    query: Result<Query<ItemsQuery>, QueryRejection>,
) -> Result<Json<ItemReportDto>, ApiError> {
    let id = exam_path(p)?;
    let viewer = super::require(&me, Capability::ViewExams)?;
    let exam = svc_exam::exam(&state.svc, &viewer, id).await?;
    let query = q(query)?;
    let focus = focus(&state.svc, &viewer, query.school).await?;
    let district_focus = if me.scope.is_district() { focus } else { None };
    let (subject, report) = items::item_report(
        &state.svc,
        &viewer,
        &exam,
        query.subject.as_deref(),
        district_focus,
    )
    .await?;
    let r = report.ok_or(AppError::NotFound)?;
    let a = &r.analysis;
    let group = |s: &str| -> (Option<i64>, Option<i64>) {
        match s.split_once('/') {
            Some((s, c)) => (s.parse().ok(), c.parse().ok()),
            None => (s.parse().ok(), None),
        }
    };
    Ok(Json(ItemReportDto {
        exam: id.0,
        subject,
        n: a.n,
        k: a.k,
        full_marks: a.full_marks,
        mean: a.mean,
        sd: a.sd,
        difficulty: a.difficulty,
        alpha: a.alpha,
        kr20: a.kr20,
        kr21: a.kr21,
        sem: a.sem,
        items: a
            .items
            .iter()
            .enumerate()
            .map(|(j, it)| ItemDto {
                item: it.item.clone(),
                max_points: it.max_points,
                knowledge_points: r.knowledge_points.get(j).cloned().unwrap_or_default(),
                mean: it.mean,
                difficulty: it.difficulty,
                discrimination: it.discrimination,
                upper_rate: it.upper_rate,
                lower_rate: it.lower_rate,
                point_biserial: it.point_biserial,
                corrected_item_total: it.corrected_item_total,
                alpha_if_deleted: it.alpha_if_deleted,
                zero_variance: it.zero_variance,
                negative_discrimination: it.negative_discrimination,
                flags: wuyu_service::exam::sheets::item_flags(
                    it.difficulty,
                    it.discrimination,
                    it.zero_variance,
                )
                .into_iter()
                .map(String::from)
                .collect(),
            })
            .collect(),
        classes: r
            .classes
            .iter()
            .map(|(u, d)| ClassItemsDto {
                school_id: u.school_id.map(|s| s.0),
                class_id: u.class_id.map(|c| c.0),
                name: u.name.clone(),
                difficulty: d.clone(),
            })
            .collect(),
        mastery: r
            .mastery
            .iter()
            .map(|m| {
                let (school_id, class_id) = group(&m.group);
                MasteryDto {
                    school_id,
                    class_id,
                    knowledge_point: m.tag.clone(),
                    n: m.n,
                    items: m.items,
                    points: m.points,
                    max_points: m.max_points,
                    score_rate: m.score_rate,
                }
            })
            .collect(),
    }))
}

// --- students --------------------------------------------------------------------------------

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct StudentsQuery {
    /// The school (district roles must name one; others get their own).
    pub school: Option<i64>,
    /// One class (a teacher: one of their own).
    pub class: Option<i64>,
}

/// A student's mark in one subject (or 总分).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MarkDto {
    pub subject: String,
    /// `null` with `absent` false: did not take the subject.
    pub score: Option<f64>,
    /// 缺考 (never a 0).
    pub absent: bool,
    pub z: Option<f64>,
    pub t: Option<f64>,
    /// 百分等级 in the district (0–100).
    pub percentile: Option<f64>,
    /// Absent when the caller may not see ranks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub district_rank: Option<u32>,
    /// 临界生: `excellent` (just below the 优秀 line) or `pass` (just below the 及格 line).
    pub borderline: Option<String>,
}

fn mark_dto(m: &StudentMark, ranks: bool) -> MarkDto {
    MarkDto {
        subject: m.subject.clone(),
        score: m.score,
        absent: m.absent,
        z: m.z,
        t: m.t,
        percentile: m.percentile,
        district_rank: if ranks { m.district_rank } else { None },
        borderline: m.borderline.map(|b| {
            match b {
                Borderline::Excellent => "excellent",
                Borderline::Pass => "pass",
            }
            .to_string()
        }),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ExamStudentDto {
    pub student_id: i64,
    /// 学籍号, masked like an ID number when it embeds one.
    pub student_no: String,
    pub name: String,
    pub class_id: i64,
    pub marks: Vec<MarkDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ExamStudentsDto {
    pub exam: i64,
    pub school_id: i64,
    pub class_id: Option<i64>,
    pub ranks_shown: bool,
    pub students: Vec<ExamStudentDto>,
}

/// The students of a school (or one class) in the exam with their marks and standing, as the
/// class view shows them. Audited, refused reads too.
#[utoipa::path(
    get,
    path = "/api/v1/exams/{id}/students",
    tag = "exams",
    operation_id = "exam_students",
    security(("session" = [])),
    params(("id" = i64, Path, description = "考试编号"), StudentsQuery),
    responses(
        (status = 200, description = "学生成绩", body = ExamStudentsDto),
        (status = 400, description = "参数无效", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "考试不存在", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn exam_students(
    State(state): State<AppState>,
    // No capability extractor: the scope check refuses and the refusal is audited.
    ApiUser(me): ApiUser,
    ClientIp(ip): ClientIp,
    p: Result<Path<i64>, PathRejection>,
    query: Result<Query<StudentsQuery>, QueryRejection>,
) -> Result<Json<ExamStudentsDto>, ApiError> {
    let id = exam_path(p)?;
    let query = q(query)?;
    let school = match (query.school, me.scope.school_id()) {
        (Some(s), _) => SchoolId(s),
        (None, Some(own)) => own,
        (None, None) => return Err(AppError::BadRequest.into()),
    };
    let class = query.class.map(ClassId);
    let viewer = me.viewer();
    let read = class::students(&state.svc, &viewer, id, school, class).await;
    let action = match &read {
        Err(ServiceError::Forbidden) => "api_read_exam_students_denied",
        _ => "api_read_exam_students",
    };
    if !matches!(read, Err(ServiceError::NotFound)) {
        let mut e = audit::entry(Some(&me.user), "", action, &ip);
        e.school_id = Some(school);
        e.entity = match class {
            Some(c) => format!("class:{school}:{c}"),
            None => format!("school:{school}"),
        };
        e.detail = format!("exam:{id}");
        wuyu_service::audit::append(&state.svc, &e).await?;
    }
    let rows = read?;
    let ranks = student_ranks_token(&state.svc, &viewer).await?.is_some();
    Ok(Json(ExamStudentsDto {
        exam: id.0,
        school_id: school.0,
        class_id: class.map(|c| c.0),
        ranks_shown: ranks,
        students: rows
            .iter()
            .map(|r| ExamStudentDto {
                student_id: r.student_id.0,
                student_no: wuyu_domain::StudentNo::parse(&r.student_no)
                    .map(|n| masked_student_no(&n))
                    .unwrap_or_else(|_| r.student_no.clone()),
                name: r.name.clone(),
                class_id: r.class_id.0,
                marks: r.subjects.iter().map(|m| mark_dto(m, ranks)).collect(),
            })
            .collect(),
    }))
}

// --- alerts ----------------------------------------------------------------------------------

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AlertsApiQuery {
    /// The school year the three-year cycle ends with (2024 = 2024–2025); the latest school
    /// year with an exam when left out.
    pub year: Option<i32>,
    /// District roles: one school.
    pub school: Option<i64>,
}

/// One exam of the evidence.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EventDto {
    pub exam: String,
    pub school_year: i32,
    pub class: String,
    pub n: usize,
    pub class_mean: f64,
    pub parallel_average: Option<f64>,
    /// Rounded class mean − rounded parallel average.
    pub difference: Option<f64>,
    pub parallel_classes: usize,
    pub weight: f64,
    pub eligible: bool,
    /// Why an exam does not count.
    pub reason: Option<String>,
    /// `null` for exams that do not count.
    pub below: Option<bool>,
    /// The class's value-added in this exam and subject (EB estimate, points); `null` without
    /// a baseline. Beside the rule, not part of it.
    pub value_added: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TeacherAlertDto {
    pub school_id: i64,
    pub school_name: String,
    pub teacher_id: i64,
    pub teacher_name: String,
    pub subject: String,
    /// `flagged` (预警, for human review), `not_flagged` or `insufficient_events`.
    pub status: String,
    pub below_share: Option<f64>,
    pub weighted_events: f64,
    pub weighted_below: f64,
    /// Mean of the events' class value-added; `null` when none has one.
    pub value_added_mean: Option<f64>,
    pub events: Vec<EventDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AlertsDto {
    pub evaluation_year: i32,
    /// Always: an alert is for human review, never an automatic decision.
    pub note: String,
    pub teachers: Vec<TeacherAlertDto>,
}

/// The parallel-class rule (spec §5.3) for the teachers of the caller's school (district: every
/// school, or `school`): alerts for human review with every exam's evidence. District roles and
/// school admins only.
#[utoipa::path(
    get,
    path = "/api/v1/exams/alerts",
    tag = "exams",
    operation_id = "parallel_alerts",
    security(("session" = [])),
    params(AlertsApiQuery),
    responses(
        (status = 200, description = "平行班比较预警", body = AlertsDto),
        (status = 400, description = "参数无效", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权访问", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn parallel_alerts(
    State(state): State<AppState>,
    ApiRequire(me, _): ApiRequire<cap::ViewExamAlerts>,
    query: Result<Query<AlertsApiQuery>, QueryRejection>,
) -> Result<Json<AlertsDto>, ApiError> {
    let query = q(query)?;
    let a = alerts::alerts(&state.svc, &me.viewer(), query.year, query.school).await?;
    use wuyu_analytics::compare::AlertStatus;
    Ok(Json(AlertsDto {
        evaluation_year: a.year,
        note: "预警，仅供人工复核，不是自动判定".into(),
        teachers: a
            .alerts
            .iter()
            .zip(&a.school_names)
            .map(|(t, school)| TeacherAlertDto {
                school_id: t.school_id.0,
                school_name: school.clone(),
                teacher_id: t.teacher_id.0,
                teacher_name: t.teacher_name.clone(),
                subject: t.subject.clone(),
                status: match t.alert.status {
                    AlertStatus::Flagged => "flagged",
                    AlertStatus::NotFlagged => "not_flagged",
                    AlertStatus::InsufficientEvents => "insufficient_events",
                }
                .to_string(),
                below_share: t.alert.below_share,
                weighted_events: t.alert.weighted_events,
                weighted_below: t.alert.weighted_below,
                value_added_mean: t.mean_value_added().map(|m| m.0),
                events: t
                    .alert
                    .events
                    .iter()
                    .enumerate()
                    .map(|(i, e)| EventDto {
                        exam: e.exam.clone(),
                        school_year: e.school_year,
                        class: e.class.clone(),
                        n: e.n,
                        class_mean: e.class_mean,
                        parallel_average: e.parallel_average,
                        difference: e.difference,
                        parallel_classes: e.parallel_classes,
                        weight: e.weight,
                        eligible: e.eligible,
                        reason: e.reason.clone(),
                        below: e.below,
                        value_added: t.event_value_added.get(i).copied().flatten(),
                    })
                    .collect(),
            })
            .collect(),
    }))
}
