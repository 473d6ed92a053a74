//! `/exams/alerts?year=&school=`: the parallel-class rule (spec §5.3) for the teachers of the
//! caller's school (district roles: every school, or `?school=`), over the three school years
//! ending with `year` — 预警 for human review, with the evidence of every exam. District roles
//! and the school's admin only. `/exams/alerts/export.xlsx` downloads the evidence.
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wuyu_analytics::compare::AlertStatus;
use wuyu_domain::{SchoolId, Scope};
use wuyu_service::audit::{BulkExport, Requester, record_export};
use wuyu_service::exam::alerts::{
    Alerts, DecisionInput, alerts as read_alerts, alerts_xlsx, decide as decide_alert,
};
use wuyu_service::exam::sheets::{Cell, NumFormat, Sheet, alert_status_zh, event_outcome_zh};
use wuyu_service::store_types::{AlertDecisionKind, TeacherAlert};

use super::{TableView, fmt_num, pct, query, xlsx_file};
use crate::access::{Require, cap};
use crate::auth::ClientIp;
use crate::error::AppError;
use crate::state::AppState;
use crate::view::{Chrome, render};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct AlertsQuery {
    /// The school year the three-year cycle ends with (2024 = 2024–2025 学年).
    #[serde(default, deserialize_with = "super::empty_as_none")]
    pub year: Option<i32>,
    #[serde(default, deserialize_with = "super::empty_as_none")]
    pub school: Option<i64>,
}

/// The teachers' table of the page: one row per teacher and subject.
fn summary_sheet<'a>(rows: impl Iterator<Item = (&'a TeacherAlert, &'a String)>) -> Sheet {
    Sheet {
        name: "预警汇总".into(),
        title: String::new(),
        headers: [
            "学校",
            "教师",
            "学科",
            "结论",
            "低于平行班比例",
            "计入次数",
            "低于次数",
            "平均差（分）",
            "平均差（标准差）",
            "无差异时出现的概率",
            "同班增值均值（分）",
            "处理决定",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .map(|(t, s)| {
                vec![
                    Cell::Text(s.clone()),
                    Cell::Text(t.teacher_name.clone()),
                    Cell::Text(t.subject.clone()),
                    Cell::Text(alert_status_zh(t.alert.status).into()),
                    t.alert
                        .below_share
                        .map_or(Cell::Empty, |v| Cell::Number(v, NumFormat::Percent)),
                    Cell::Number(t.alert.weighted_events, NumFormat::One),
                    Cell::Number(t.alert.weighted_below, NumFormat::One),
                    t.alert
                        .mean_difference
                        .map_or(Cell::Empty, |v| Cell::Number(v, NumFormat::Two)),
                    t.alert
                        .mean_difference_sd
                        .map_or(Cell::Empty, |v| Cell::Number(v, NumFormat::Two)),
                    t.alert
                        .chance
                        .map_or(Cell::Empty, |p| Cell::Text(chance_zh(p))),
                    t.mean_value_added()
                        .map_or(Cell::Empty, |(v, _)| Cell::Number(v, NumFormat::Two)),
                    Cell::Text(
                        t.decision
                            .as_ref()
                            .map_or("未处理", |d| d.kind.label_zh())
                            .into(),
                    ),
                ]
            })
            .collect(),
    }
}

/// A value-added with its sign, as the evidence reads it: "+1.20", "-0.35".
fn signed(v: f64) -> String {
    let s = fmt_num(v, NumFormat::Two);
    if v > 0.0 && !s.starts_with('+') {
        format!("+{s}")
    } else {
        s
    }
}

/// The chance of being below that often with no real difference, as a reader takes it in:
/// "1.6%", "<0.1%".
pub(crate) fn chance_zh(p: f64) -> String {
    if p < 0.001 {
        "<0.1%".into()
    } else {
        format!("{:.1}%", p * 100.0)
    }
}

/// District-wide: the counts per school (each school links to its own list with the evidence).
fn schools_sheet(a: &Alerts) -> (Sheet, Vec<Option<String>>) {
    let mut order: Vec<(SchoolId, &String)> = Vec::new();
    for (t, name) in a.alerts.iter().zip(&a.school_names) {
        if !order.iter().any(|(s, _)| *s == t.school_id) {
            order.push((t.school_id, name));
        }
    }
    let count = |s: SchoolId, st: AlertStatus| {
        a.alerts
            .iter()
            .filter(|t| t.school_id == s && t.alert.status == st)
            .count()
    };
    let mut rows: Vec<(SchoolId, Vec<Cell>)> = order
        .iter()
        .map(|(s, name)| {
            let n = |st| Cell::Number(count(*s, st) as f64, NumFormat::Int);
            (
                *s,
                vec![
                    Cell::Text((*name).clone()),
                    n(AlertStatus::Flagged),
                    n(AlertStatus::InsufficientEvents),
                    n(AlertStatus::NotFlagged),
                ],
            )
        })
        .collect();
    // Schools with the most alerts first.
    rows.sort_by_key(|(s, _)| std::cmp::Reverse(count(*s, AlertStatus::Flagged)));
    let hrefs = rows
        .iter()
        .map(|(s, _)| Some(format!("/exams/alerts?year={}&school={s}", a.year)))
        .collect();
    (
        Sheet {
            name: "各校".into(),
            title: String::new(),
            headers: ["学校", "预警", "样本不足", "未预警"]
                .map(String::from)
                .to_vec(),
            rows: rows.into_iter().map(|(_, r)| r).collect(),
        },
        hrefs,
    )
}

pub(crate) struct EventView {
    pub exam: String,
    pub year: i32,
    pub class: String,
    pub n: usize,
    pub class_mean: String,
    pub parallel_average: String,
    pub difference: String,
    pub difference_sd: String,
    pub outcome: String,
    pub below: bool,
    pub eligible: bool,
    /// The class's value-added in this exam and subject ("—" without a baseline).
    pub value_added: String,
}

pub(crate) struct TeacherView {
    pub anchor: String,
    pub school: String,
    pub teacher: String,
    pub subject: String,
    pub status: &'static str,
    pub flagged: bool,
    pub share: String,
    pub mean_difference: String,
    pub chance: String,
    /// "+1.20 分（4 次考试）" or "—".
    pub value_added: String,
    pub teacher_id: i64,
    pub school_id: i64,
    /// The recorded decision: "低聘（理由…，张三 2025-06-01）".
    pub decision: Option<String>,
    pub events: Vec<EventView>,
}

#[derive(Template)]
#[template(path = "exam_alerts.html")]
struct AlertsPage {
    chrome: Chrome,
    years: Vec<(i32, bool)>,
    school: Option<i64>,
    cycle: String,
    rule: String,
    flagged: usize,
    insufficient: usize,
    not_flagged: usize,
    summary_table: String,
    /// District-wide view: the counts per school; evidence only on a school's list.
    schools_table: String,
    district_wide: bool,
    teachers: Vec<TeacherView>,
    export_href: String,
    scope_label: String,
    /// District admins record decisions on a school's list.
    can_decide: bool,
    year: i32,
    decision_kinds: Vec<(&'static str, &'static str)>,
}

pub(crate) async fn alerts(
    State(state): State<AppState>,
    // Refused roles are refused before their parameters are looked at.
    Require(me, _): Require<cap::ViewExamAlerts>,
    q: Result<Query<AlertsQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = query(q)?;
    let a = read_alerts(&state.svc, &me.viewer(), q.year, q.school).await?;
    let count = |s: AlertStatus| a.alerts.iter().filter(|t| t.alert.status == s).count();
    let rule = a.alerts.first().map(|t| t.alert.rule).unwrap_or_default();
    let district_wide = me.scope.is_district() && a.focus.is_none();
    // Anchor of each teacher on their school's list (the same order, filtered by school).
    let mut seen: std::collections::HashMap<SchoolId, usize> = Default::default();
    let anchors: Vec<String> = a
        .alerts
        .iter()
        .map(|t| {
            let k = seen.entry(t.school_id).or_default();
            *k += 1;
            format!("t{}", *k - 1)
        })
        .collect();
    let (summary_table, schools_table) = if district_wide {
        let flagged: Vec<(usize, &TeacherAlert)> = a
            .alerts
            .iter()
            .enumerate()
            .filter(|(_, t)| t.alert.status == AlertStatus::Flagged)
            .collect();
        let hrefs: Vec<Option<String>> = flagged
            .iter()
            .map(|(i, t)| {
                Some(format!(
                    "/exams/alerts?year={}&school={}#{}",
                    a.year, t.school_id, anchors[*i]
                ))
            })
            .collect();
        let sheet = summary_sheet(flagged.iter().map(|(i, t)| (*t, &a.school_names[*i])));
        let (schools, school_hrefs) = schools_sheet(&a);
        (
            TableView::from_sheet("alerts", &sheet, 1, &hrefs).html()?,
            TableView::from_sheet("alert-schools", &schools, 0, &school_hrefs).html()?,
        )
    } else {
        let hrefs: Vec<Option<String>> = anchors.iter().map(|x| Some(format!("#{x}"))).collect();
        let sheet = summary_sheet(a.alerts.iter().zip(&a.school_names));
        (
            TableView::from_sheet("alerts", &sheet, 1, &hrefs).html()?,
            String::new(),
        )
    };
    let scope_label = match (&me.scope, a.focus) {
        (Scope::District, None) => "全区各校".to_string(),
        (_, Some(_)) => a.focus_name.clone().unwrap_or_default(),
        _ => String::new(),
    };
    let school_q = q.school.map(|s| format!("&school={s}")).unwrap_or_default();
    let page = AlertsPage {
        chrome: Chrome::new(&me, "/exams"),
        years: a.years.iter().rev().map(|y| (*y, *y == a.year)).collect(),
        school: q.school,
        cycle: format!(
            "{}–{} 学年至 {}–{} 学年",
            a.year - rule.cycle_years + 1,
            a.year - rule.cycle_years + 2,
            a.year,
            a.year + 1
        ),
        rule: rule.describe_zh(),
        flagged: count(AlertStatus::Flagged),
        insufficient: count(AlertStatus::InsufficientEvents),
        not_flagged: count(AlertStatus::NotFlagged),
        summary_table,
        schools_table,
        district_wide,
        teachers: a
            .alerts
            .iter()
            .filter(|_| !district_wide)
            .zip(&a.school_names)
            .zip(&anchors)
            .map(|((t, school), anchor)| TeacherView {
                anchor: anchor.clone(),
                school: school.clone(),
                teacher: t.teacher_name.clone(),
                subject: t.subject.clone(),
                status: alert_status_zh(t.alert.status),
                flagged: t.alert.status == AlertStatus::Flagged,
                share: pct(t.alert.below_share),
                mean_difference: t
                    .alert
                    .mean_difference
                    .map_or_else(|| "—".into(), |v| fmt_num(v, NumFormat::Two)),
                chance: t.alert.chance.map_or_else(|| "—".into(), chance_zh),
                value_added: t.mean_value_added().map_or_else(
                    || "—".into(),
                    |(v, k)| format!("{} 分（{k} 次考试）", signed(v)),
                ),
                teacher_id: t.teacher_id.0,
                school_id: t.school_id.0,
                decision: t.decision.as_ref().map(|d| {
                    let day = time::OffsetDateTime::from_unix_timestamp(d.decided_at)
                        .map(|t| t.date().to_string())
                        .unwrap_or_default();
                    format!(
                        "{}（理由：{}；{} {}）",
                        d.kind.label_zh(),
                        d.reason,
                        d.decided_by,
                        day
                    )
                }),
                events: t
                    .alert
                    .events
                    .iter()
                    .zip(
                        t.event_value_added
                            .iter()
                            .copied()
                            .chain(std::iter::repeat(None)),
                    )
                    .map(|(e, va)| EventView {
                        exam: e.exam.clone(),
                        year: e.school_year,
                        class: e.class.clone(),
                        n: e.n,
                        class_mean: fmt_num(e.class_mean, NumFormat::Two),
                        parallel_average: e
                            .parallel_average
                            .map_or_else(|| "—".into(), |v| fmt_num(v, NumFormat::Two)),
                        difference: e
                            .difference
                            .map_or_else(|| "—".into(), |v| fmt_num(v, NumFormat::Two)),
                        difference_sd: e
                            .difference_sd
                            .map_or_else(|| "—".into(), |v| fmt_num(v, NumFormat::Two)),
                        outcome: event_outcome_zh(e),
                        below: e.below == Some(true),
                        eligible: e.eligible,
                        value_added: va.map_or_else(|| "—".into(), signed),
                    })
                    .collect(),
            })
            .collect(),
        export_href: format!("/exams/alerts/export.xlsx?year={}{school_q}", a.year),
        scope_label,
        can_decide: me.viewer().can(wuyu_domain::Capability::DecideExamAlerts),
        year: a.year,
        decision_kinds: AlertDecisionKind::ALL
            .iter()
            .map(|k| (k.code(), k.label_zh()))
            .collect(),
    };
    Ok(render(&page)?.into_response())
}

/// `GET /exams/alerts/export.xlsx?year=&school=`: one row per teacher and exam (the evidence).
pub(crate) async fn export(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewExamAlerts>,
    ClientIp(ip): ClientIp,
    q: Result<Query<AlertsQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = query(q)?;
    let file = alerts_xlsx(&state.svc, &me.viewer(), q.year, q.school).await?;
    // The list names teachers: every download is audited before it is handed out.
    let export = BulkExport {
        action: "export_alerts",
        school: q.school.map(SchoolId),
        entity: q
            .school
            .map_or_else(|| "district".into(), |s| format!("school:{s}")),
        detail: q.year.map(|y| format!("year={y}")).unwrap_or_default(),
        rows: file.rows,
    };
    record_export(&state.svc, &Requester::user(&me.user, &ip), &export).await?;
    Ok(xlsx_file(file))
}

#[derive(Debug, Deserialize)]
pub(crate) struct DecisionForm {
    school: i64,
    teacher: i64,
    subject: String,
    year: i32,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /exams/alerts/decision`: a district admin records the decision on one teacher's
/// alert (audited with what it replaced), then returns to the school's list at that teacher.
pub(crate) async fn decide(
    State(state): State<AppState>,
    Require(me, _): Require<cap::DecideExamAlerts>,
    ClientIp(ip): ClientIp,
    form: Result<axum::Form<DecisionForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, AppError> {
    let axum::Form(f) = form.map_err(|_| AppError::BadRequest)?;
    let kind = AlertDecisionKind::parse(&f.decision).ok_or(AppError::BadRequest)?;
    let input = DecisionInput {
        school: SchoolId(f.school),
        teacher: wuyu_domain::TeacherId(f.teacher),
        subject: f.subject,
        year: f.year,
        kind,
        reason: f.reason,
    };
    decide_alert(
        &state.svc,
        &me.viewer(),
        &Requester::user(&me.user, &ip),
        &input,
    )
    .await?;
    Ok(axum::response::Redirect::to(&format!(
        "/exams/alerts?year={}&school={}",
        input.year, input.school
    ))
    .into_response())
}
