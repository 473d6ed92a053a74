//! 教师考核 pages: `/staff/appraisal` (the district: every school's round of a year — quota
//! use, vetoes, pending approvals; others go to their school's round) and
//! `/staff/appraisal/{school}/{year}` (one round: the cap arithmetic, every teacher the viewer
//! may see with level and reason, and the actions the viewer's rights allow). Each handler is
//! one call to `wuyu_service::staff`; the POST handlers are in `actions`.
use askama::Template;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wuyu_analytics::appraisal::{Level, SourceKind};
use wuyu_analytics::compare::AlertStatus;
use wuyu_domain::{Capability, SchoolId};
use wuyu_service::ServiceError;
use wuyu_service::audit::Requester;
use wuyu_service::staff::{
    AppraisalRow, AppraisalState, AppraisalView, RoundSummary, ScoreBasis, TeacherAlert,
    level_reason_zh, missing_sources_zh, peer_text_zh, score_arithmetic_zh,
};

use crate::access::{Require, cap};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::exam::query;
use crate::pages::path_ids;
use crate::state::AppState;
use crate::view::{Chrome, format_time, render};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct YearQuery {
    #[serde(default, deserialize_with = "crate::exam::empty_as_none")]
    pub year: Option<i32>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DoneQuery {
    /// What was just done, for the notice.
    #[serde(default)]
    pub done: Option<String>,
}

/// The school year whose appraisal is due: it ends in July, so until the next one is under
/// way (September) the year just ended is the one to appraise.
pub(crate) fn default_year() -> i32 {
    let now = time::OffsetDateTime::now_utc();
    if u8::from(now.month()) >= 9 {
        now.year()
    } else {
        now.year() - 1
    }
}

/// The years a selector offers: the chosen one and the four before the default.
fn year_options(chosen: i32) -> Vec<(i32, bool)> {
    let last = default_year().max(chosen);
    (last - 4..=last).rev().map(|y| (y, y == chosen)).collect()
}

pub(crate) struct RoundLine {
    school_id: i64,
    school: String,
    state: &'static str,
    state_class: &'static str,
    teachers: u32,
    n_base: u32,
    quota: String,
    committee: u32,
    vetoes: u32,
    open_appeals: u32,
    publicity_until: String,
    /// In 公示 and past its last day: the district may approve.
    pending: bool,
}

#[derive(Template)]
#[template(path = "staff_rounds.html")]
struct RoundsPage {
    chrome: Chrome,
    notice: Option<String>,
    can_pool: bool,
    year: i32,
    years: Vec<(i32, bool)>,
    rounds: Vec<RoundLine>,
    pending: usize,
    vetoes: u32,
}

fn round_line(s: &RoundSummary, school: String, today: &str) -> RoundLine {
    let r = &s.round;
    RoundLine {
        school_id: r.school_id.0,
        school,
        state: r.state.label_zh(),
        state_class: state_class(r.state),
        teachers: s.teachers,
        n_base: r.n_base,
        quota: format!("{} / {}", s.excellent, r.cap),
        committee: s.committee,
        vetoes: s.vetoes,
        open_appeals: s.open_appeals,
        publicity_until: r.publicity_until.clone().unwrap_or_default(),
        pending: r.state == AppraisalState::Publicity
            && r.publicity_until.as_deref().is_some_and(|u| today > u),
    }
}

fn state_class(s: AppraisalState) -> &'static str {
    match s {
        AppraisalState::Draft => "",
        AppraisalState::Publicity => "target-missed",
        AppraisalState::Approved => "target-met",
    }
}

pub(crate) fn today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC))
        .date()
}

/// `GET /staff/appraisal?year=`: the district's list; a school's admin or teacher goes to
/// their own school's round.
pub(crate) async fn rounds(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewStaffAppraisal>,
    q: Result<Query<YearQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = query(q)?;
    let year = q.year.unwrap_or_else(default_year);
    let viewer = me.viewer();
    if !viewer.scope.is_district() {
        let school = viewer.scope.school_id().ok_or(AppError::Forbidden)?;
        return Ok(Redirect::to(&format!("/staff/appraisal/{school}/{year}")).into_response());
    }
    rounds_page(&state, &me, year, None).await
}

/// The district's list of `year`, with a notice (what the pooling did).
pub(crate) async fn rounds_page(
    state: &AppState,
    me: &CurrentUser,
    year: i32,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let viewer = me.viewer();
    let list = wuyu_service::staff::rounds(&state.svc, &viewer, year).await?;
    let schools = wuyu_service::roster::schools(&state.svc, &viewer).await?;
    let name = |id: SchoolId| {
        schools
            .iter()
            .find(|s| s.school.id == id)
            .map_or_else(|| id.0.to_string(), |s| s.school.name.clone())
    };
    let today = today().to_string();
    let rounds: Vec<RoundLine> = list
        .iter()
        .map(|s| round_line(s, name(s.round.school_id), &today))
        .collect();
    let page = RoundsPage {
        chrome: Chrome::new(me, "/staff/appraisal"),
        notice,
        can_pool: viewer.can(Capability::ApproveStaffAppraisal),
        year,
        years: year_options(year),
        pending: rounds.iter().filter(|r| r.pending).count(),
        vetoes: rounds.iter().map(|r| r.vetoes).sum(),
        rounds,
    };
    Ok(render(&page)?.into_response())
}

pub(crate) struct TeacherLine {
    teacher_id: i64,
    staff_no: String,
    name: String,
    score: String,
    org_score: String,
    /// 上传总分 or 按来源合成.
    basis: &'static str,
    composed: bool,
    peer: String,
    /// 上传 or 师德评价问卷（n 人）: where the peer ratings came from.
    peer_origin: String,
    parent: String,
    parent_origin: String,
    teaching: String,
    /// 平行班比较 or the value-added behind the rank: what the teaching result measured.
    teaching_origin: String,
    workload: String,
    /// The weighted sum with the weights used, e.g. `0.5×88.00 + … = 86.30`.
    arithmetic: String,
    /// Which sources were missing (their weight re-normalised over the others); empty if none.
    missing: String,
    level: &'static str,
    level_class: &'static str,
    reason: String,
    appeal: String,
    appeal_answer: String,
    confirmed: String,
    /// The committee decides this place (tied at the cap, or decided before).
    committee_place: bool,
    /// An appeal waits for the district's answer.
    open_appeal: bool,
    /// The teacher may still appeal (基本合格 / 不合格, none recorded).
    may_appeal: bool,
}

fn level_class(l: Level) -> &'static str {
    match l {
        Level::Excellent => "target-met",
        Level::Basic | Level::Unqualified => "target-missed",
        _ => "",
    }
}

/// A weight in percent with at most one decimal (50, 12.5).
fn percent_text(w: f64) -> String {
    let t = format!("{:.1}", w * 100.0);
    t.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn score_text(s: Option<f64>) -> String {
    s.map_or("—".into(), |v| format!("{v:.1}"))
}

fn teacher_line(r: &AppraisalRow, state: AppraisalState) -> TeacherLine {
    let i = &r.input;
    TeacherLine {
        teacher_id: i.teacher_id.0,
        staff_no: r.staff_no.clone(),
        name: r.teacher_name.clone(),
        score: score_text(i.score),
        org_score: score_text(i.org_score),
        basis: i.sources.score_basis.label_zh(),
        composed: i.sources.score_basis == ScoreBasis::Composed,
        peer: peer_text_zh(&i.sources),
        peer_origin: wuyu_service::staff::peer_origin_zh(&i.sources),
        parent: score_text(i.sources.parent_score),
        parent_origin: wuyu_service::staff::parent_origin_zh(&i.sources),
        teaching: score_text(i.sources.teaching_score),
        teaching_origin: wuyu_service::staff::teaching_origin_zh(&i.sources),
        workload: score_text(i.sources.workload_score),
        arithmetic: score_arithmetic_zh(r),
        missing: missing_sources_zh(r),
        level: i.level.label_zh(),
        level_class: level_class(i.level),
        reason: level_reason_zh(r),
        appeal: r
            .appeal
            .as_ref()
            .map(|a| a.text.clone())
            .unwrap_or_default(),
        appeal_answer: r
            .appeal
            .as_ref()
            .and_then(|a| a.answer.clone())
            .unwrap_or_default(),
        confirmed: r.confirmed_at.map(format_time).unwrap_or_default(),
        committee_place: i.level == Level::Committee || i.committee_reason.is_some(),
        open_appeal: r.appeal.as_ref().is_some_and(|a| a.answer.is_none()),
        may_appeal: state != AppraisalState::Draft
            && matches!(i.level, Level::Basic | Level::Unqualified)
            && r.appeal.is_none(),
    }
}

#[derive(Template)]
#[template(path = "staff_appraisal.html")]
struct RoundPage {
    chrome: Chrome,
    school_id: i64,
    school: String,
    year: i32,
    years: Vec<(i32, bool)>,
    error: Option<String>,
    notice: Option<&'static str>,
    /// `None`: no round for the year yet.
    round: Option<RoundInfo>,
    teachers: Vec<TeacherLine>,
    /// The viewer is a teacher: the page shows their own result.
    own: bool,
    can_manage: bool,
    can_approve: bool,
    /// The school may upload inputs: no round yet, or a draft.
    can_upload: bool,
    /// The parallel-class alerts in the teachers' appraisal files.
    alerts: Vec<AlertLine>,
    /// The district's current source weights, e.g. `组织评价 50%、同事互评 30%、…`.
    weights: String,
    /// Composed rows of a draft whose weights are not the district's current ones.
    reweighted: usize,
}

/// A parallel-class alert as the appraisal file shows it.
pub(crate) struct AlertLine {
    staff_no: String,
    name: String,
    subject: String,
    status: &'static str,
    /// "3 / 4 次" — weighted events below the parallel classes, of the eligible ones.
    below: String,
    /// The recorded decision with its reason, who and when; empty when none.
    decision: String,
}

fn alert_line(a: &TeacherAlert, rows: &[AppraisalRow]) -> AlertLine {
    let staff_no = rows
        .iter()
        .find(|r| r.input.teacher_id == a.teacher_id)
        .map(|r| r.staff_no.clone())
        .unwrap_or_default();
    AlertLine {
        staff_no,
        name: a.teacher_name.clone(),
        subject: a.subject.clone(),
        status: match a.alert.status {
            AlertStatus::Flagged => "预警",
            AlertStatus::InsufficientEvents => "样本不足",
            AlertStatus::NotFlagged => "未预警",
        },
        below: format!(
            "{:.0} / {:.0} 次",
            a.alert.weighted_below, a.alert.weighted_events
        ),
        decision: a.decision.as_ref().map_or_else(String::new, |d| {
            format!(
                "{}：{}（{}，{}）",
                d.kind.label_zh(),
                d.reason,
                d.decided_by,
                format_time(d.decided_at)
            )
        }),
    }
}

pub(crate) struct RoundInfo {
    state: &'static str,
    state_class: &'static str,
    draft: bool,
    publicity: bool,
    approved: bool,
    publicity_until: String,
    return_reason: String,
    unit_rating: &'static str,
    n_base: u32,
    quota_percent: u32,
    product: String,
    cap: u32,
    excellent: usize,
    committee: usize,
    /// The 公示's last day has passed: the district may approve.
    approvable: bool,
}

fn round_info(v: &AppraisalView, today: &str) -> RoundInfo {
    let r = &v.round;
    let a = &v.arithmetic;
    RoundInfo {
        state: r.state.label_zh(),
        state_class: state_class(r.state),
        draft: r.state == AppraisalState::Draft,
        publicity: r.state == AppraisalState::Publicity,
        approved: r.state == AppraisalState::Approved,
        publicity_until: r.publicity_until.clone().unwrap_or_default(),
        return_reason: r.return_reason.clone().unwrap_or_default(),
        unit_rating: match r.unit_rating {
            wuyu_analytics::appraisal::UnitRating::Normal => "一般",
            wuyu_analytics::appraisal::UnitRating::Award => "记功（集体记功及以上或优秀单位）",
            wuyu_analytics::appraisal::UnitRating::Accountable => "问责（不合格或被问责）",
        },
        n_base: a.n_base,
        quota_percent: a.quota_percent,
        product: a.product.clone(),
        cap: a.cap,
        excellent: a.excellent,
        committee: a.committee,
        approvable: r.state == AppraisalState::Publicity
            && r.publicity_until.as_deref().is_some_and(|u| today > u),
    }
}

fn notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "imported" => Some("已导入考核数据，等次已按规则重新计算。"),
        "decided" => Some("已记录集体研究的决定。"),
        "publicised" => Some("已开始公示，公示期满后由区教育局审定。"),
        "approved" => Some("已审定考核结果。"),
        "returned" => Some("已退回学校，学校会看到退回理由。"),
        "appealed" => Some("已提交复核/申诉申请。"),
        "answered" => Some("已记录答复。"),
        "confirmed" => Some("已确认知晓考核结果。"),
        "redrafted" => Some("已按区里现在的权重重新合成考核得分，等次已重新计算。"),
        _ => None,
    }
}

/// The round page, with an error (a refused step) or a notice (what was just done).
pub(crate) async fn round_page(
    state: &AppState,
    me: &CurrentUser,
    ip: &str,
    school: SchoolId,
    year: i32,
    error: Option<String>,
    done: Option<&str>,
) -> Result<Response, AppError> {
    let viewer = me.viewer();
    let who = Requester::user(&me.user, ip);
    let view = wuyu_service::staff::appraisal(&state.svc, &viewer, &who, school, year).await?;
    let name = wuyu_service::roster::school(&state.svc, &viewer, school)
        .await?
        .name;
    let today = today().to_string();
    let own = viewer.user.teacher_id.is_some() && !viewer.can(Capability::ManageStaffAppraisal);
    let weights = wuyu_service::settings::district_settings(&state.svc)
        .await?
        .appraisal_weights;
    let weights = SourceKind::ALL
        .iter()
        .zip(weights.as_array())
        .map(|(k, w)| format!("{} {}%", k.label_zh(), percent_text(w)))
        .collect::<Vec<_>>()
        .join("、");
    let page = RoundPage {
        chrome: Chrome::new(me, "/staff/appraisal"),
        school_id: school.0,
        school: name,
        year,
        years: year_options(year),
        notice: notice(done),
        round: view.as_ref().map(|v| round_info(v, &today)),
        teachers: view.as_ref().map_or_else(Vec::new, |v| {
            v.rows
                .iter()
                .map(|r| teacher_line(r, v.round.state))
                .collect()
        }),
        own,
        can_manage: viewer.can(Capability::ManageStaffAppraisal),
        can_upload: viewer.can(Capability::ManageStaffAppraisal)
            && view
                .as_ref()
                .is_none_or(|v| v.round.state == AppraisalState::Draft),
        can_approve: viewer.can(Capability::ApproveStaffAppraisal),
        alerts: view.as_ref().map_or_else(Vec::new, |v| {
            v.alerts.iter().map(|a| alert_line(a, &v.rows)).collect()
        }),
        error: error.clone(),
        weights,
        reweighted: view.as_ref().map_or(0, |v| v.reweighted),
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/appraisal/{school}/{year}` (`?done=` after an action).
pub(crate) async fn round(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewStaffAppraisal>,
    ClientIp(ip): ClientIp,
    p: Result<axum::extract::Path<(i64, i32)>, PathRejection>,
    q: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let (school, year) = path_ids(p)?;
    let q = query(q)?;
    round_page(
        &state,
        &me,
        &ip,
        SchoolId(school),
        year,
        None,
        q.done.as_deref(),
    )
    .await
}

/// A refused step shows the round again with the Chinese reason; row errors of an upload are
/// listed with file, row, column and value; anything else is an error page.
pub(crate) async fn refused_or(
    state: &AppState,
    me: &CurrentUser,
    ip: &str,
    school: SchoolId,
    year: i32,
    e: ServiceError,
) -> Result<Response, AppError> {
    let why = match e {
        ServiceError::BadRequest(why) | ServiceError::Conflict(why) => why,
        ServiceError::Rejected(rows) => rows
            .iter()
            .map(|r| {
                format!(
                    "{} 第 {} 行“{}”列（{}）：{}",
                    r.file, r.row, r.column, r.value, r.message_zh
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
        other => return Err(other.into()),
    };
    round_page(state, me, ip, school, year, Some(why), None).await
}

#[derive(Template)]
#[template(path = "staff_publicity.html")]
struct PublicityPage {
    chrome: Chrome,
    school_id: i64,
    school: String,
    year: i32,
    state: &'static str,
    publicity_until: String,
    n_base: u32,
    cap: u32,
    excellent: Vec<(String, String)>,
}

/// `GET /staff/appraisal/{school}/{year}/publicity`: the printable 公示 list.
pub(crate) async fn publicity(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewStaffAppraisal>,
    ClientIp(ip): ClientIp,
    p: Result<axum::extract::Path<(i64, i32)>, PathRejection>,
) -> Result<Response, AppError> {
    let (school, year) = path_ids(p)?;
    let who = Requester::user(&me.user, &ip);
    let l =
        wuyu_service::staff::publicity_list(&state.svc, &me.viewer(), &who, SchoolId(school), year)
            .await?;
    let page = PublicityPage {
        chrome: Chrome::new(&me, "/staff/appraisal"),
        school_id: school,
        school: l.school,
        year,
        state: l.state.label_zh(),
        publicity_until: l.publicity_until.unwrap_or_default(),
        n_base: l.n_base,
        cap: l.cap,
        excellent: l.excellent,
    };
    Ok(render(&page)?.into_response())
}

/// `GET /staff/appraisal/{school}/{year}/publicity.pdf`: the 公示 list to print and post.
pub(crate) async fn publicity_pdf(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewStaffAppraisal>,
    ClientIp(ip): ClientIp,
    p: Result<axum::extract::Path<(i64, i32)>, PathRejection>,
) -> Result<Response, AppError> {
    let (school, year) = path_ids(p)?;
    let who = Requester::user(&me.user, &ip);
    let bytes =
        wuyu_service::staff::publicity_pdf(&state.svc, &me.viewer(), &who, SchoolId(school), year)
            .await?;
    Ok(crate::import_centre::download(
        bytes,
        &format!("考核优秀公示-{year}.pdf"),
        "application/pdf",
    ))
}

/// `GET /staff/appraisal/{school}/{year}/export.xlsx`: the table a personnel office files.
pub(crate) async fn export(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewStaffAppraisal>,
    ClientIp(ip): ClientIp,
    p: Result<axum::extract::Path<(i64, i32)>, PathRejection>,
) -> Result<Response, AppError> {
    let (school, year) = path_ids(p)?;
    let who = Requester::user(&me.user, &ip);
    let f =
        wuyu_service::staff::appraisal_xlsx(&state.svc, &me.viewer(), &who, SchoolId(school), year)
            .await?;
    Ok(crate::exam::xlsx_file(f))
}
