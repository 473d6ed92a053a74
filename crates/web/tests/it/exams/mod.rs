//! 考试分析 pages, API and exports on the exam fixture ([`crate::exam_data`]). Expected numbers
//! are recomputed here from the marks the fixture imported (plain arithmetic a 教研员 would do)
//! or, where the page only formats a stored statistic (composite, value-added, α), taken from
//! the store with the same scope; pages, API and XLSX must show the same numbers.

mod classes;
mod exports;
mod lines;
mod overview;
mod trend;
use std::collections::HashMap;
use std::io::Cursor;

use axum::body::to_bytes;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use serde_json::Value;
use wuyu_analytics::round::round_half_away;
use wuyu_domain::{ExamId, SchoolId, Scope, SubjectMark};
use wuyu_store::ExamUnitKind;

use crate::exam_data::{self as x, ExamStudent};
use crate::support::{TestApp, body_json, body_text, get};

// --- helpers ---------------------------------------------------------------------------------

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn two(v: f64) -> String {
    format!("{:.2}", round_half_away(v, 2) + 0.0)
}

fn three(v: f64) -> String {
    format!("{:.3}", round_half_away(v, 3) + 0.0)
}

fn pct(v: f64) -> String {
    format!("{:.2}%", round_half_away(v * 100.0, 2) + 0.0)
}

async fn get_as(app: &TestApp, who: &str, path: &str) -> (u16, String) {
    let s = app.login(who).await;
    let resp = app.send(get(path).cookie(&s.cookie).build()).await;
    let status = resp.status().as_u16();
    (status, body_text(resp).await)
}

/// Posts a form (`fields`, the CSRF token added) as `who`.
async fn post_form(
    app: &TestApp,
    who: &str,
    path: &str,
    fields: &str,
) -> axum::http::Response<axum::body::Body> {
    let s = app.login(who).await;
    app.send(
        crate::support::post(path)
            .cookie(&s.cookie)
            .form(&format!("csrf_token={}&{fields}", s.csrf))
            .build(),
    )
    .await
}

async fn page(app: &TestApp, who: &str, path: &str) -> String {
    let (status, html) = get_as(app, who, path).await;
    assert_eq!(status, 200, "{who} {path}: {html}");
    html
}

async fn api(app: &TestApp, who: &str, path: &str) -> Value {
    let s = app.login(who).await;
    let resp = app.send(get(path).cookie(&s.cookie).build()).await;
    assert_eq!(resp.status(), 200, "{who} {path}");
    body_json(resp).await
}

async fn xlsx(app: &TestApp, who: &str, path: &str) -> Xlsx<Cursor<Vec<u8>>> {
    let s = app.login(who).await;
    let resp = app.send(get(path).cookie(&s.cookie).build()).await;
    assert_eq!(resp.status(), 200, "{who} {path}");
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&gt;", ">")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in s.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    unescape(out.trim())
}

/// The cells of `<table data-table="id">`: the header row first, then each body row.
pub(crate) fn table(html: &str, id: &str) -> Vec<Vec<String>> {
    let tag = format!("data-table=\"{id}\"");
    let start = html
        .find(&tag)
        .unwrap_or_else(|| panic!("table {id} on the page"));
    let end = start + html[start..].find("</table>").unwrap();
    html[start..end]
        .split("<tr")
        .skip(1)
        .map(|row| {
            let mut cells = Vec::new();
            let mut rest = row;
            while let Some(i) = rest.find("<t") {
                let after = &rest[i + 2..];
                if !(after.starts_with('d') || after.starts_with('h')) {
                    rest = after;
                    continue;
                }
                let open_end = after.find('>').unwrap() + 1;
                let close = after.find("</t").unwrap();
                cells.push(strip_tags(&after[open_end..close]));
                rest = &after[close + 3..];
            }
            cells
        })
        .collect()
}

/// The row of a table whose column `col` reads `label`, as header → cell.
fn row_of(t: &[Vec<String>], col: usize, label: &str) -> HashMap<String, String> {
    let row = t
        .iter()
        .skip(1)
        .find(|r| r.get(col).map(String::as_str) == Some(label))
        .unwrap_or_else(|| panic!("row {label} in {t:?}"));
    t[0].iter().cloned().zip(row.iter().cloned()).collect()
}

/// The text of `data-stat="key"` (or another attribute) on a page.
fn attr_text(html: &str, attr: &str, key: &str) -> String {
    let tag = format!("{attr}=\"{key}\">");
    let start = html
        .find(&tag)
        .unwrap_or_else(|| panic!("{attr}={key} on the page"))
        + tag.len();
    let end = html[start..].find('<').unwrap() + start;
    unescape(&html[start..end])
}

fn chart(html: &str, id: &str) -> Value {
    let tag = format!("<script type=\"application/json\" id=\"{id}\">");
    let start = html
        .find(&tag)
        .unwrap_or_else(|| panic!("chart {id} on the page"))
        + tag.len();
    let end = html[start..].find("</script>").unwrap() + start;
    serde_json::from_str(&html[start..end]).unwrap()
}

/// What a 教研员 computes for a group of marks: 三率一分 with absent students excluded.
#[derive(Debug)]
struct Hand {
    enrolled: usize,
    sat: usize,
    n: usize,
    mean: f64,
    excellent: f64,
    pass: f64,
    low: f64,
}

fn hand(marks: &[Option<SubjectMark>], full: f64) -> Hand {
    let enrolled = marks.iter().filter(|m| m.is_some()).count();
    let scores: Vec<f64> = marks.iter().filter_map(|m| x::score(*m)).collect();
    let n = scores.len() as f64;
    let share = |f: &dyn Fn(f64) -> bool| scores.iter().filter(|s| f(**s)).count() as f64 / n;
    Hand {
        enrolled,
        sat: scores.len(),
        n: scores.len(),
        mean: scores.iter().sum::<f64>() / n,
        excellent: share(&|s| s >= 0.8 * full),
        pass: share(&|s| s >= 0.6 * full),
        low: share(&|s| s < 0.4 * full),
    }
}

/// The midterm marks of one subject (or 总分: the sum for students with every subject).
fn midterm_marks(students: &[&ExamStudent], subject: &str) -> (Vec<Option<SubjectMark>>, f64) {
    if subject == "总分" {
        let marks = students
            .iter()
            .map(|s| {
                let m = x::midterm(s);
                let scores: Vec<f64> = m.iter().filter_map(|m| x::score(*m)).collect();
                Some(if scores.len() == 3 {
                    SubjectMark::Score(scores.iter().sum())
                } else {
                    SubjectMark::Absent
                })
            })
            .collect();
        return (marks, 320.0);
    }
    let j = x::subject_index(subject);
    (
        students.iter().map(|s| x::midterm(s)[j]).collect(),
        x::SUBJECTS[j].1,
    )
}

fn students_where(f: impl Fn(&ExamStudent) -> bool) -> Vec<ExamStudent> {
    x::students().into_iter().filter(|s| f(s)).collect()
}

fn school_of(s: &ExamStudent) -> &'static str {
    x::CLASSES[s.class].0
}

const SCHOOL_NAMES: [(&str, &str); 3] = [
    ("S001", "第一实验中学"),
    ("S003", "河西中学"),
    ("S004", "城北学校"),
];

// --- the list --------------------------------------------------------------------------------
