//! `/exams/{id}/items?subject=&school=`: item analysis of one subject — the district-wide item
//! table (难度, 区分度, 点二列相关, 删除该题后α, with flags), the paper's reliability, the heat map
//! items × classes of the caller's scope, and knowledge-point mastery by class.
//! `/exams/{id}/items/export.xlsx` downloads the same tables.
use askama::Template;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use wuyu_domain::{Capability, ExamId};
use wuyu_service::exam::items::{items as read_items, items_xlsx};
use wuyu_service::exam::sheets::{ITEM_HEADERS, NumFormat, item_flags};
use wuyu_service::exam::{self as svc_exam, units::UnitsOf};

use super::overview::{ExamHeader, urlencode};
use super::{
    ExamQuery, SubjectOption, TableView, charts, fmt_num, query, require, subject_options,
    xlsx_file,
};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::path_ids;
use crate::state::AppState;
use crate::view::{Chrome, render, script_json};

/// A heat map taller than this many classes is left to the per-school view.
const HEATMAP_MAX_CLASSES: usize = 60;

pub(crate) struct PaperFact {
    pub label: &'static str,
    pub key: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "exam_items.html")]
struct ItemsPage {
    chrome: Chrome,
    exam: ExamHeader,
    school_param: Option<i64>,
    /// District roles: the schools that sat the exam, to narrow the heat map to one.
    schools: Vec<(i64, String, bool)>,
    back_href: String,
    subjects: Vec<SubjectOption>,
    subject: String,
    has_items: bool,
    facts: Vec<PaperFact>,
    flagged: usize,
    items_table: String,
    heatmap_json: String,
    heatmap_rows: usize,
    heatmap_note: String,
    heat_table: String,
    mastery_table: String,
    export_href: String,
}

pub(crate) async fn items(
    State(state): State<AppState>,
    me: CurrentUser,
    p: Result<Path<i64>, PathRejection>,
    q: Result<Query<ExamQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let id = ExamId(path_ids(p)?);
    let viewer = require(&me, Capability::ViewExams)?;
    let exam = svc_exam::exam(&state.svc, &viewer, id).await?;
    let q = query(q)?;
    let it = read_items(&state.svc, &viewer, &exam, q.subject.as_deref(), q.school).await?;
    let (subject, report, district_focus) =
        (it.subject.clone(), it.report.as_ref(), it.district_focus);
    let school_q = q.school.map(|s| format!("&school={s}")).unwrap_or_default();
    let schools = if me.scope.is_district() {
        svc_exam::units::units(&state.svc, &viewer, id, UnitsOf::Schools)
            .await?
            .units
            .into_iter()
            .filter_map(|u| {
                u.unit
                    .school_id
                    .map(|s| (s.0, u.unit.name, Some(s) == district_focus))
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut page = ItemsPage {
        chrome: Chrome::new(&me, "/exams"),
        exam: ExamHeader::new(&exam),
        // The school selector carries the school for district roles.
        school_param: if me.scope.is_district() {
            None
        } else {
            q.school
        },
        schools,
        back_href: format!(
            "/exams/{id}{}",
            q.school.map(|s| format!("?school={s}")).unwrap_or_default()
        ),
        subjects: subject_options(&exam, &subject, false),
        has_items: report.is_some(),
        facts: Vec::new(),
        flagged: 0,
        items_table: String::new(),
        heatmap_json: String::new(),
        heatmap_rows: 0,
        heatmap_note: String::new(),
        heat_table: String::new(),
        mastery_table: String::new(),
        export_href: format!(
            "/exams/{id}/items/export.xlsx?subject={}{school_q}",
            urlencode(&subject)
        ),
        subject: subject.clone(),
    };
    if let Some(report) = report {
        let (sheets, labels) = (&it.sheets, &it.labels);
        let a = &report.analysis;
        let f = |v: Option<f64>, fm| v.map_or_else(|| "—".into(), |v| fmt_num(v, fm));
        page.facts = vec![
            PaperFact {
                label: "参考人数",
                key: "n",
                value: a.n.to_string(),
            },
            PaperFact {
                label: "题数",
                key: "k",
                value: a.k.to_string(),
            },
            PaperFact {
                label: "平均分",
                key: "mean",
                value: f(Some(a.mean), NumFormat::Two),
            },
            PaperFact {
                label: "标准差",
                key: "sd",
                value: f(Some(a.sd), NumFormat::Two),
            },
            PaperFact {
                label: "试卷难度",
                key: "difficulty",
                value: f(Some(a.difficulty), NumFormat::Two),
            },
            PaperFact {
                label: "Cronbach α",
                key: "alpha",
                value: f(a.alpha, NumFormat::Three),
            },
            PaperFact {
                label: "KR-20",
                key: "kr20",
                value: f(a.kr20, NumFormat::Three),
            },
            PaperFact {
                label: "KR-21",
                key: "kr21",
                value: f(a.kr21, NumFormat::Three),
            },
            PaperFact {
                label: "测量标准误 SEM",
                key: "sem",
                value: f(a.sem, NumFormat::Two),
            },
        ];
        // The item rows of the sheet (the paper's rows under them are the facts above).
        let mut item_sheet = sheets[0].clone();
        item_sheet.rows.truncate(a.items.len());
        let mut table = TableView::from_sheet("items", &item_sheet, usize::MAX, &[]);
        let flag_col = ITEM_HEADERS.iter().position(|h| *h == "提示");
        for (row, it) in table.rows.iter_mut().zip(&a.items) {
            if !item_flags(it.difficulty, it.discrimination, it.zero_variance).is_empty() {
                row.class = "flagged";
                page.flagged += 1;
                if let Some(cell) = flag_col.and_then(|c| row.cells.get_mut(c)) {
                    cell.class = format!("{} flag", cell.class).trim().to_string();
                }
            }
        }
        page.items_table = table.html()?;
        if report.classes.len() <= HEATMAP_MAX_CLASSES {
            page.heatmap_json = script_json(&charts::item_heatmap(report, labels));
            page.heatmap_rows = report.classes.len();
        } else {
            page.heatmap_note = format!(
                "共 {} 个班级，请在上方选择学校查看该校各班的热力图。",
                report.classes.len()
            );
        }
        page.heat_table = TableView::from_sheet("heat", &sheets[1], 0, &[]).html()?;
        page.mastery_table = TableView::from_sheet("mastery", &sheets[2], 0, &[]).html()?;
    }
    Ok(render(&page)?.into_response())
}

/// `GET /exams/{id}/items/export.xlsx?subject=&school=`: the item table with the paper's
/// reliability, each class's 得分率 per item and the knowledge-point mastery.
pub(crate) async fn export(
    State(state): State<AppState>,
    me: CurrentUser,
    p: Result<Path<i64>, PathRejection>,
    q: Result<Query<ExamQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let id = ExamId(path_ids(p)?);
    let viewer = require(&me, Capability::ViewExams)?;
    // The exam first: 403/404 before the parameters are looked at.
    svc_exam::exam(&state.svc, &viewer, id).await?;
    let q = query(q)?;
    Ok(xlsx_file(
        items_xlsx(&state.svc, &viewer, id, q.subject.as_deref(), q.school).await?,
    ))
}
