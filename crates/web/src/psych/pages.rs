//! The three psych pages.
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wuyu_domain::SchoolId;
use wuyu_service::audit::Requester;
use wuyu_service::psych::{self, AggregateCell, Campaign, CaseRow, CaseStep, StepKind};
use wuyu_standards::scales::{AttentionLevel, ScaleDefinition, ScreeningResult};

use crate::access::{Require, cap};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::state::AppState;
use crate::view::{Chrome, format_time, render};

#[derive(Debug, Deserialize)]
pub(crate) struct CampaignQuery {
    campaign: Option<i64>,
}

pub(crate) struct CampaignOption {
    id: i64,
    label: String,
    selected: bool,
}

pub(crate) struct LevelCount {
    label: &'static str,
    level: u8,
    count: usize,
}

pub(crate) struct ResultRow {
    name: String,
    student_no: String,
    class_label: String,
    level: u8,
    level_label: &'static str,
    phq: String,
    gad: String,
    asq: String,
    incomplete: bool,
    /// The district scale's subscales and bands (empty when the campaign names none).
    custom: String,
}

pub(crate) struct StepRow {
    seq: i32,
    label: &'static str,
    assignee: &'static str,
    due: String,
    done: String,
    overdue: bool,
    is_referral: bool,
    note: String,
    institution: String,
}

pub(crate) struct CaseItem {
    id: i64,
    student: String,
    class_label: String,
    opened: String,
    opened_by: String,
    closed: bool,
    outcome: String,
    steps: Vec<StepRow>,
}

pub(crate) struct OverdueRow {
    case_id: i64,
    student: String,
    step: &'static str,
    due: String,
}

pub(crate) struct BreakGlassRow {
    at: String,
    who: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "psych.html")]
struct CounsellorPage {
    chrome: Chrome,
    message: String,
    campaigns: Vec<CampaignOption>,
    campaign_name: String,
    campaign_id: i64,
    levels: Vec<LevelCount>,
    results: Vec<ResultRow>,
    /// The campaign's district scale (name and version), when it names one.
    custom_title: Option<String>,
    overdue: Vec<OverdueRow>,
    cases: Vec<CaseItem>,
    break_glass: Vec<BreakGlassRow>,
}

fn total(t: Option<u8>, band: Option<&'static str>) -> String {
    match (t, band) {
        (Some(t), Some(b)) => format!("{t}（{b}）"),
        _ => "不完整".into(),
    }
}

/// The PHQ, GAD-7 and ASQ cells of a result, as the counsellor reads them.
pub(crate) fn result_cells(s: &ScreeningResult) -> [String; 3] {
    [
        s.phq.map_or("—".into(), |p| {
            let t = total(p.total, p.band.map(|b| b.label_zh()));
            match p.item9 {
                Some(i9) => format!("{t}，第9题 {i9}"),
                None => t,
            }
        }),
        s.gad.map_or("—".into(), |g| {
            total(g.total, g.band.map(|b| b.label_zh()))
        }),
        s.asq.map_or("—".into(), |a| a.label_zh().to_string()),
    ]
}

fn result_row(r: &psych::ResponseRow) -> ResultRow {
    let s: &ScreeningResult = &r.result;
    let [phq, gad, asq] = result_cells(s);
    ResultRow {
        name: r.student_name.clone(),
        student_no: r.student_no.clone(),
        class_label: r.class_label.clone(),
        level: s.level.number(),
        level_label: s.level.label_zh(),
        phq,
        gad,
        asq,
        incomplete: s.incomplete,
        custom: String::new(),
    }
}

/// A score as read: whole numbers plain, means to two places.
fn score_text(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

/// The district scale's cell: each subscale (by its Chinese name) and the total with its band.
pub(crate) fn custom_cell(c: &psych::CustomAnswers, def: Option<&ScaleDefinition>) -> String {
    let name = |code: &str| {
        def.and_then(|d| {
            d.subscales
                .iter()
                .chain(d.total.iter())
                .find(|s| s.code == code)
                .map(|s| s.name_zh.clone())
        })
        .unwrap_or_else(|| code.to_string())
    };
    let mut parts: Vec<String> = c
        .result
        .subscales
        .iter()
        .chain(c.result.total.iter())
        .map(|s| match (s.score, &s.band) {
            (Some(x), Some(b)) => format!("{} {}（{b}）", name(&s.code), score_text(x)),
            (Some(x), None) => format!("{} {}", name(&s.code), score_text(x)),
            (None, _) => format!("{} 不完整", name(&s.code)),
        })
        .collect();
    if c.result.invalid {
        parts.push("效度量表提示结果无效".into());
    }
    parts.join("；")
}

fn step_row(s: &CaseStep, now: i64) -> StepRow {
    StepRow {
        seq: s.seq,
        label: s.kind.label_zh(),
        assignee: s.assignee.label_zh(),
        due: format_time(s.due_at),
        done: s.done_at.map_or(String::new(), |t| {
            format!(
                "{} {}",
                format_time(t),
                s.done_by.clone().unwrap_or_default()
            )
        }),
        overdue: s.is_overdue(now),
        is_referral: s.kind == StepKind::Referral,
        note: s.note.clone(),
        institution: s.institution.clone().unwrap_or_default(),
    }
}

fn case_item(c: &CaseRow, now: i64) -> CaseItem {
    CaseItem {
        id: c.id,
        student: c.student_name.clone(),
        class_label: c.class_label.clone(),
        opened: format_time(c.opened_at),
        opened_by: c.opened_by.clone(),
        closed: c.closed,
        outcome: c.outcome.clone().unwrap_or_default(),
        steps: c.steps.iter().map(|s| step_row(s, now)).collect(),
    }
}

fn school_of(me: &CurrentUser) -> Result<SchoolId, AppError> {
    me.scope.school_id().ok_or(AppError::Forbidden)
}

/// The counsellor's page, with an optional message from a refused form.
pub(crate) async fn counsellor_page(
    state: &AppState,
    me: &CurrentUser,
    ip: &str,
    campaign: Option<i64>,
    message: String,
) -> Result<Response, AppError> {
    let school = school_of(me)?;
    let viewer = me.viewer();
    let who = Requester::user(&me.user, ip);
    let all: Vec<Campaign> = psych::campaigns(&state.svc, &viewer, school).await?;
    let chosen = campaign
        .and_then(|id| all.iter().find(|c| c.id == id))
        .or(all.first());
    let mut levels: Vec<LevelCount> = AttentionLevel::ALL
        .iter()
        .rev()
        .map(|l| LevelCount {
            label: l.label_zh(),
            level: l.number(),
            count: 0,
        })
        .collect();
    let mut results = Vec::new();
    let mut custom_title = None;
    if let Some(c) = chosen {
        let def = match &c.custom_scale {
            Some(s) => Some(psych::scale_definition(&state.svc, s).await?),
            None => None,
        };
        if let (Some(d), Some(s)) = (&def, &c.custom_scale) {
            custom_title = Some(format!("{}（第 {} 版）", d.name_zh, s.version));
        }
        for r in psych::responses(&state.svc, &viewer, &who, school, c.id).await? {
            let n = r.result.level.number();
            if let Some(l) = levels.iter_mut().find(|l| l.level == n) {
                l.count += 1;
            }
            // Level 0 is counted, not listed: the list is for those who need a person — or
            // whom the district scale's own cut-offs mark.
            let custom_flag = r
                .custom
                .as_ref()
                .is_some_and(|c| c.result.level.number() > 0);
            if n > 0 || custom_flag {
                let mut row = result_row(&r);
                if let Some(c) = &r.custom {
                    row.custom = custom_cell(c, def.as_ref());
                }
                results.push(row);
            }
        }
    }
    let view = psych::cases(&state.svc, &viewer, &who, school).await?;
    let page = CounsellorPage {
        chrome: Chrome::new(me, "/psych"),
        message,
        campaigns: all
            .iter()
            .map(|c| CampaignOption {
                id: c.id,
                label: match &c.custom_scale {
                    Some(s) => format!(
                        "{}（{} 至 {}，自定义量表 {} 第 {} 版）",
                        c.name, c.opens_on, c.closes_on, s.code, s.version
                    ),
                    None => format!("{}（{} 至 {}）", c.name, c.opens_on, c.closes_on),
                },
                selected: chosen.is_some_and(|x| x.id == c.id),
            })
            .collect(),
        campaign_name: chosen.map(|c| c.name.clone()).unwrap_or_default(),
        campaign_id: chosen.map_or(0, |c| c.id),
        levels,
        results,
        custom_title,
        overdue: view
            .overdue
            .iter()
            .map(|(id, name, s)| OverdueRow {
                case_id: *id,
                student: name.clone(),
                step: s.kind.label_zh(),
                due: format_time(s.due_at),
            })
            .collect(),
        cases: view.cases.iter().map(|c| case_item(c, view.now)).collect(),
        break_glass: view
            .break_glass
            .iter()
            .map(|r| BreakGlassRow {
                at: format_time(r.entry.at),
                who: r.entry.username.clone(),
                detail: format!("{} {}", r.entry.entity, r.entry.detail),
            })
            .collect(),
    };
    Ok(render(&page)?.into_response())
}

pub(crate) async fn counsellor(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPsychRecords>,
    ClientIp(ip): ClientIp,
    q: Result<Query<CampaignQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    counsellor_page(&state, &me, &ip, q.campaign, String::new()).await
}

pub(crate) struct FlagItem {
    name: String,
    class_label: String,
    level: u8,
    level_label: &'static str,
    campaign: String,
    tasks: Vec<String>,
}

#[derive(Template)]
#[template(path = "psych_flags.html")]
struct FlagsPage {
    chrome: Chrome,
    flags: Vec<FlagItem>,
}

/// The 班主任's list: level and tasks, nothing else.
pub(crate) async fn flags(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPsychFlags>,
    ClientIp(ip): ClientIp,
) -> Result<Response, AppError> {
    let who = Requester::user(&me.user, &ip);
    let rows = psych::class_flags(&state.svc, &me.viewer(), &who).await?;
    let page = FlagsPage {
        chrome: Chrome::new(&me, "/psych/flags"),
        flags: rows
            .iter()
            .map(|f| FlagItem {
                name: f.student_name.clone(),
                class_label: f.class_label.clone(),
                level: f.level.number(),
                level_label: f.level.label_zh(),
                campaign: f.campaign_name.clone(),
                tasks: f
                    .tasks
                    .iter()
                    .map(|t| format!("{}（{} 前）", t.kind.label_zh(), format_time(t.due_at)))
                    .collect(),
            })
            .collect(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct YearQuery {
    year: Option<i32>,
}

pub(crate) struct AggItem {
    school: String,
    location: &'static str,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "psych_aggregates.html")]
struct AggregatesPage {
    chrome: Chrome,
    year: i32,
    rows: Vec<AggItem>,
    total: AggItem,
    min: u64,
    /// The district admin's link to 紧急查阅.
    break_glass: bool,
}

fn show(c: AggregateCell) -> String {
    c.0.map_or_else(|| "*".into(), |n| n.to_string())
}

fn agg_item(r: &psych::AggregateRow) -> AggItem {
    let mut cells: Vec<String> = r.levels.iter().rev().map(|c| show(*c)).collect();
    cells.push(show(r.screened));
    cells.push(show(r.consented));
    cells.push(show(r.not_consented));
    AggItem {
        school: r.school_name.clone(),
        location: r.location.label_zh(),
        cells,
    }
}

/// Counts by school and level for leaders: cells under 10 shown as *.
pub(crate) async fn aggregates(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPsychAggregates>,
    ClientIp(ip): ClientIp,
    q: Result<Query<YearQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let year = super::api::school_year(q.year)?;
    let who = Requester::user(&me.user, &ip);
    let agg = psych::aggregates(&state.svc, &me.viewer(), &who, year).await?;
    let page = AggregatesPage {
        chrome: Chrome::new(&me, "/psych/aggregates"),
        year,
        rows: agg.rows.iter().map(agg_item).collect(),
        total: agg_item(&agg.total),
        min: psych::SUPPRESS_BELOW,
        break_glass: me.viewer().can(wuyu_domain::Capability::PsychBreakGlass),
    };
    Ok(render(&page)?.into_response())
}

/// `GET /psych/aggregates.xlsx?year=`: the page's counts as a workbook, suppressed alike.
pub(crate) async fn aggregates_xlsx(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPsychAggregates>,
    ClientIp(ip): ClientIp,
    q: Result<Query<YearQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let year = super::api::school_year(q.year)?;
    let who = Requester::user(&me.user, &ip);
    let bytes = psych::aggregates_xlsx(&state.svc, &me.viewer(), &who, year).await?;
    Ok(crate::exam::xlsx_response(
        bytes,
        &format!("psych-aggregates-{year}.xlsx"),
    ))
}

/// The school year now: from September on, the year begun; before, the year before.
pub(crate) fn current_school_year() -> i32 {
    let now = time::OffsetDateTime::now_utc();
    if u8::from(now.month()) >= 9 {
        now.year()
    } else {
        now.year() - 1
    }
}
