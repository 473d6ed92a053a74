//! The PE teacher's class view `/schools/{id}/classes/{class_id}/fitness`: every student of
//! the class with the term's scores. Health data of named children: every read is audited.
use askama::Template;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use wuyu_domain::{ClassId, SchoolId, Term};
use wuyu_service::audit::{BulkExport, Requester, record_export};
use wuyu_service::fitness::class_view as read_class;
use wuyu_service::fitness::{ClassList, class_list, class_list_xlsx};
use wuyu_service::store_types::ClassFitnessRow;
use wuyu_standards::FitnessItem;

use super::format::{TermOption, item_value, one, term_options, unit_zh};
use super::pages::FitnessQuery;
use crate::access::{Require, cap};
use crate::audit;
use crate::auth::ClientIp;
use crate::error::AppError;
use crate::pages::path_ids;
use crate::roster::school::class_label;
use crate::state::AppState;
use crate::view::{Chrome, masked_student_no, render};

pub(crate) struct ScoreCell {
    /// The raw result as recorded.
    pub text: String,
    /// The item score (0–100), empty when not tested.
    pub score: String,
    pub title: String,
    pub fail: bool,
}

pub(crate) struct ClassStudentRow {
    pub href: String,
    pub student_no: String,
    pub name: String,
    pub sex: &'static str,
    /// 已测 / 缺测 / 未完成.
    pub status: &'static str,
    pub status_class: &'static str,
    pub standard_score: String,
    pub bonus: String,
    pub year_total: String,
    pub level: &'static str,
    pub cells: Vec<ScoreCell>,
    pub failed: String,
    pub missing: String,
    /// 更正: the correction form of a tested student, for roles that may correct.
    pub fix_href: Option<String>,
    /// 免测: the exemption form (mark or lift), for roles that may correct.
    pub exempt_href: Option<String>,
}

#[derive(Template)]
#[template(path = "class_fitness.html")]
struct ClassFitnessPage {
    chrome: Chrome,
    school_href: String,
    school_name: String,
    class_href: String,
    heading: String,
    terms: Vec<TermOption>,
    term_label: String,
    has_term: bool,
    item_names: Vec<&'static str>,
    rows: Vec<ClassStudentRow>,
    enrolled: usize,
    tested: usize,
    missing_test: usize,
    exempt: usize,
    incomplete: usize,
    with_failed_item: usize,
    lists: Vec<ListLink>,
}

/// A list of the class with its count and its download.
pub(crate) struct ListLink {
    pub title: &'static str,
    pub count: usize,
    pub href: String,
}

fn class_student_row(
    school: SchoolId,
    term: Term,
    items: &[FitnessItem],
    r: &ClassFitnessRow,
) -> ClassStudentRow {
    let s = &r.student;
    let base = |status, status_class| ClassStudentRow {
        href: format!("/schools/{school}/students/{}", s.id),
        student_no: masked_student_no(&s.student_no),
        name: s.name.to_string(),
        sex: s.sex.label_zh(),
        status,
        status_class,
        standard_score: "—".into(),
        bonus: "—".into(),
        year_total: "—".into(),
        level: "—",
        cells: items
            .iter()
            .map(|_| ScoreCell {
                text: "—".into(),
                score: String::new(),
                title: String::new(),
                fail: false,
            })
            .collect(),
        failed: String::new(),
        missing: String::new(),
        fix_href: None,
        exempt_href: None,
    };
    let Some(rec) = &r.record else {
        let mut row = match &r.exemption {
            Some(reason) => {
                let mut row = base("免测", "exempt");
                row.missing = format!("免测：{reason}");
                row
            }
            None => base("缺测", "missing"),
        };
        row.exempt_href = Some(format!(
            "/schools/{school}/students/{}/fitness/{}/exempt",
            s.id,
            term.code()
        ));
        return row;
    };
    let mut row = if rec.complete {
        base("已测", "")
    } else {
        base("未完成", "incomplete")
    };
    row.fix_href = Some(format!(
        "/schools/{school}/students/{}/fitness/{}/fix",
        s.id,
        rec.term.code()
    ));
    row.standard_score = one(rec.standard_score);
    row.bonus = rec.bonus_total.to_string();
    row.year_total = one(rec.year_total);
    row.level = rec.level.map_or("—", |l| l.label_zh());
    for (cell, item) in row.cells.iter_mut().zip(items) {
        if let Some(res) = rec.item(*item) {
            // The raw result is in the cell itself: phones have no hover.
            cell.text = item_value(*item, res.value);
            cell.title = format!("{} {}，得分 {}", cell.text, unit_zh(*item), res.score);
            cell.score = res.score.to_string();
            cell.fail = res.score < 60;
        }
    }
    row.failed = rec
        .failed_items()
        .map(FitnessItem::name_zh)
        .collect::<Vec<_>>()
        .join("、");
    row.missing = rec
        .missing
        .iter()
        .map(|i| i.name_zh())
        .collect::<Vec<_>>()
        .join("、");
    row
}

pub(crate) async fn class_view(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewFitness>,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64)>, PathRejection>,
    q: Result<Query<FitnessQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let (id, class_id) = path_ids(p)?;
    let (id, class_id) = (SchoolId(id), ClassId(class_id));
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let v = read_class(&state.svc, &me.viewer(), id, class_id, q.term.as_deref()).await?;
    // Health data of named children: record every reader.
    let mut e = audit::entry(Some(&me.user), "", "read_class_fitness", &ip);
    e.school_id = Some(id);
    e.entity = format!("class:{id}:{class_id}");
    e.detail = v.term.map(Term::code).unwrap_or_default();
    wuyu_service::audit::append(&state.svc, &e).await?;

    let page = ClassFitnessPage {
        chrome: Chrome::new(&me, "/fitness"),
        school_href: format!("/schools/{id}"),
        school_name: v.school_name.clone(),
        class_href: format!("/schools/{id}/classes/{class_id}"),
        heading: class_label(&v.class),
        terms: term_options(&v.terms, v.term),
        term_label: v.term.map(Term::label_zh).unwrap_or_default(),
        has_term: v.term.is_some(),
        item_names: v.items.iter().map(|i| i.name_zh()).collect(),
        enrolled: v.enrolled(),
        tested: v.tested(),
        missing_test: v.missing_test(),
        exempt: v.exempt(),
        incomplete: v.incomplete(),
        with_failed_item: v.with_failed_item(),
        // Rows exist only with a term.
        rows: v
            .term
            .map(|term| {
                v.rows
                    .iter()
                    .map(|r| {
                        let mut row = class_student_row(id, term, &v.items, r);
                        if !wuyu_domain::grants(
                            me.role(),
                            wuyu_domain::Capability::FixFitnessRecords,
                        ) {
                            row.fix_href = None;
                            row.exempt_href = None;
                        }
                        row
                    })
                    .collect()
            })
            .unwrap_or_default(),
        lists: ClassList::ALL
            .into_iter()
            .map(|l| ListLink {
                title: l.title_zh(),
                count: class_list(&v, l).len(),
                href: format!(
                    "/schools/{id}/classes/{class_id}/fitness/lists/{}?term={}",
                    l.code(),
                    v.term.map(Term::code).unwrap_or_default()
                ),
            })
            .collect(),
    };
    Ok(render(&page)?.into_response())
}

/// `GET /schools/{id}/classes/{class_id}/fitness/lists/{list}?term=`: 补测名单, 单项不及格
/// or 不及格学生 of the class as a workbook (named children's health data: audited with its
/// row count before it is handed out).
pub(crate) async fn list_export(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewFitness>,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64, String)>, PathRejection>,
    q: Result<Query<FitnessQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let (id, class_id, code) = path_ids(p)?;
    let list = ClassList::from_code(&code).ok_or(AppError::NotFound)?;
    let (id, class_id) = (SchoolId(id), ClassId(class_id));
    let Query(q) = q.map_err(|_| AppError::BadRequest)?;
    let v = read_class(&state.svc, &me.viewer(), id, class_id, q.term.as_deref()).await?;
    let out = class_list_xlsx(&v, list, masked_student_no)?;
    record_export(
        &state.svc,
        &Requester::user(&me.user, &ip),
        &BulkExport {
            action: "export_class_fitness_list",
            school: Some(id),
            entity: format!("class:{id}:{class_id}"),
            detail: format!("list={} term={}", list.code(), out.term.code()),
            rows: out.rows,
        },
    )
    .await?;
    Ok(crate::import_centre::download(
        out.bytes,
        &out.file_name,
        crate::import_centre::XLSX,
    ))
}
