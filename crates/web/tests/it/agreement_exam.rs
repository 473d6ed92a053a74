//! One exam table three ways: the district overview's school table for one subject on the
//! page, in the API and in the XLSX export (read back) shows the same numbers for every school —
//! including a mean that lands exactly on a .x5 boundary at the shown precision — and a school
//! with fewer than 10 students gets no rank anywhere. The same exam checks the exam indicator
//! source against hand-computed numbers.
//!
//! The exam is new (the other exam tests do not see it): 七年级数学单元测验, 数学 only.
//!
//! | school | students | marks | mean |
//! |---|---|---|---|
//! | S001 七年级1班 | 12 | 90 each | 90 |
//! | S001 七年级2班 | 12 | 70 × 11, 73 | 70.25 |
//! | S001 (the school) | 24 | | 1923 / 24 = 80.125 → "80.13" |
//! | S003 河西中学 (rural) | 12 | 90 × 4, 67.5 × 8 | 75 |
//! | S004 城北学校 | 8 (k < 8) | 78 × 7, 79 | 625 / 8 = 78.125 → "78.13", no rank |
use std::collections::HashMap;
use std::io::Cursor;
use std::sync::Arc;

use axum::body::to_bytes;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use serde_json::Value;
use time::macros::date;
use wuyu_domain::{
    ExamId, ExamLevel, ExamSubject, Grade, Location, NewExam, SchoolId, SubjectMark, Term, TermPart,
};
use wuyu_monitor::display::{Precision, number_text, percent_text};
use wuyu_monitor::indicator::{IndicatorKey, IndicatorValue, UnitRef, exam_keys};
use wuyu_service::Service;
use wuyu_store::ImportMeta;

use crate::exam_data::{self as x, ExamStudent};
use crate::exams::table;
use crate::support::{TestApp, body_json, body_text, get};

const UNIT_TEST: &str = "七年级数学单元测验";
const MATH: &str = "数学";

/// The marks of the table above; `None`: not in the exam.
fn mark(s: &ExamStudent) -> Option<f64> {
    match (s.class, s.k) {
        (0, _) => Some(90.0),
        (1, 11) => Some(73.0),
        (1, _) => Some(70.0),
        (2, k) if k < 4 => Some(90.0),
        (2, _) => Some(67.5),
        (3, 7) => Some(79.0),
        (3, k) if k < 7 => Some(78.0),
        _ => None,
    }
}

/// The fixture with the unit test imported; its id.
async fn app_with_unit_test() -> (TestApp, ExamId) {
    let app = TestApp::with_exams().await;
    let id = app
        .store
        .create_exam(&NewExam {
            name: UNIT_TEST.into(),
            date: date!(2024 - 12 - 03),
            term: Term::new(2024, TermPart::Autumn).unwrap(),
            level: ExamLevel::District,
            grade: Grade::new(7).unwrap(),
            subjects: vec![ExamSubject {
                name: MATH.into(),
                full_marks: 100.0,
            }],
            baseline: None,
        })
        .await
        .expect("create the unit test");
    app.store
        .import_exam_scores(
            &x::score_batch(id, &[MATH], |s| vec![mark(s).map(SubjectMark::Score)]),
            &ImportMeta {
                username: "fixture".into(),
                file_name: "unit-test.xlsx".into(),
                file_sha256: "3".repeat(64),
                at: 0,
            },
        )
        .await
        .expect("import the unit test");
    (app, id)
}

/// One school's row as each channel shows it: rank, mean, 优秀率, 及格率 as text.
#[derive(Debug, PartialEq)]
struct Shown {
    rank: String,
    mean: String,
    excellent: String,
    pass: String,
}

fn shown(rank: Option<f64>, mean: Option<f64>, excellent: Option<f64>, pass: Option<f64>) -> Shown {
    Shown {
        rank: rank.map_or_else(|| "—".into(), |r| format!("{r:.0}")),
        mean: number_text(mean, Precision::Two),
        excellent: percent_text(excellent, Precision::Two),
        pass: percent_text(pass, Precision::Two),
    }
}

async fn page_rows(app: &TestApp, id: ExamId) -> HashMap<String, Shown> {
    let s = app.login("analyst").await;
    let uri = format!("/exams/{id}?subject=%E6%95%B0%E5%AD%A6");
    let resp = app.send(get(&uri).cookie(&s.cookie).build()).await;
    assert_eq!(resp.status(), 200);
    let t = table(&body_text(resp).await, "schools");
    let col = |h: &str| {
        t[0].iter()
            .position(|x| x == h)
            .unwrap_or_else(|| panic!("{h}"))
    };
    let (r, n, m, e, p) = (
        col("排名"),
        col("学校"),
        col("平均分"),
        col("优秀率"),
        col("及格率"),
    );
    t[1..]
        .iter()
        .map(|row| {
            (
                row[n].clone(),
                Shown {
                    rank: row[r].clone(),
                    mean: row[m].clone(),
                    excellent: row[e].clone(),
                    pass: row[p].clone(),
                },
            )
        })
        .collect()
}

async fn api_rows(app: &TestApp, id: ExamId) -> HashMap<String, Shown> {
    let s = app.login("analyst").await;
    let uri = format!("/api/v1/exams/{id}/units?filter=schools");
    let resp = app.send(get(&uri).cookie(&s.cookie).build()).await;
    assert_eq!(resp.status(), 200);
    let v: Value = body_json(resp).await;
    assert_eq!(v["ranks_shown"], true);
    v["units"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| {
            let st = u["subjects"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["subject"] == MATH)?;
            Some((
                u["name"].as_str().unwrap().to_string(),
                shown(
                    st.get("rank").and_then(Value::as_f64),
                    st["mean"].as_f64(),
                    st["excellent_rate"].as_f64(),
                    st["pass_rate"].as_f64(),
                ),
            ))
        })
        .collect()
}

async fn xlsx_rows(app: &TestApp, id: ExamId) -> HashMap<String, Shown> {
    let s = app.login("analyst").await;
    let resp = app
        .send(
            get(&format!("/exams/{id}/export.xlsx"))
                .cookie(&s.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range(MATH).expect("the 数学 sheet");
    let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    // Row 1 is the title, row 2 the headers.
    let col = |h: &str| {
        rows[1]
            .iter()
            .position(|c| matches!(c, Data::String(s) if s == h))
            .unwrap_or_else(|| panic!("{h}"))
    };
    let (r, n, m, e, p) = (
        col("排名"),
        col("学校"),
        col("平均分"),
        col("优秀率"),
        col("及格率"),
    );
    let num = |c: Option<&Data>| match c {
        Some(Data::Float(v)) => Some(*v),
        Some(Data::Int(v)) => Some(*v as f64),
        _ => None,
    };
    rows[2..]
        .iter()
        .map(|row| {
            (
                row[n].to_string(),
                shown(
                    num(row.get(r)),
                    num(row.get(m)),
                    num(row.get(e)),
                    num(row.get(p)),
                ),
            )
        })
        .collect()
}

#[tokio::test]
async fn page_api_and_export_show_the_same_school_table() {
    let (app, id) = app_with_unit_test().await;
    let page = page_rows(&app, id).await;
    let api = api_rows(&app, id).await;
    let xlsx = xlsx_rows(&app, id).await;

    // Hand-computed: 80.125 and 78.125 show as 80.13 and 78.13 (四舍五入, not ties-to-even).
    let row = |name: &str| {
        page.iter()
            .find(|(k, _)| k.contains(name))
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("{name} on the page"))
    };
    let (a, c, d) = (row("第一实验"), row("河西"), row("城北"));
    assert_eq!(
        a,
        &Shown {
            rank: "1".into(),
            mean: "80.13".into(),
            excellent: "50.00%".into(),
            pass: "100.00%".into(),
        }
    );
    assert_eq!(
        c,
        &Shown {
            rank: "2".into(),
            mean: "75.00".into(),
            excellent: "33.33%".into(),
            pass: "100.00%".into(),
        }
    );
    assert_eq!(
        d,
        &Shown {
            rank: "—".into(),
            mean: "78.13".into(),
            excellent: "0.00%".into(),
            pass: "100.00%".into(),
        }
    );

    // Every school: the same text on the page, from the API's numbers and from the export's.
    assert_eq!(page.len(), 3, "{page:?}");
    assert_eq!(page, api);
    assert_eq!(page, xlsx);
}

/// `{num, den, n}` within rounding of the sum of marks.
fn close(got: Option<IndicatorValue>, num: f64, den: f64, n: u64) {
    let v = got.expect("a value");
    assert!((v.num - num).abs() < 1e-9, "{v:?} vs {num}");
    assert_eq!((v.den, v.n), (den, n), "{v:?}");
}

#[tokio::test]
async fn the_exam_indicator_source_gives_the_hand_computed_values() {
    let (app, id) = app_with_unit_test().await;
    let svc = Service::new(Arc::clone(&app.store));
    let e = &app.ids.exams;
    let (a, c, d) = (
        SchoolId(app.ids.school_a),
        SchoolId(e.school_c),
        SchoolId(e.school_d),
    );
    let key = |k: &str| IndicatorKey::new(k);
    let get = async |k: &str, u: UnitRef| {
        wuyu_service::exam::indicator(&svc, &key(k), &u, id)
            .await
            .expect("indicator")
    };
    let (exc, pass, mean) = (
        exam_keys::EXCELLENT_RATE,
        exam_keys::PASS_RATE,
        exam_keys::MEAN,
    );

    // 全区: 44 students, 12 + 4 + 0 at ≥ 80, all at ≥ 60, marks summing to 1923 + 900 + 625.
    close(get(exc, UnitRef::District).await, 16.0, 44.0, 44);
    close(get(pass, UnitRef::District).await, 44.0, 44.0, 44);
    close(get(mean, UnitRef::District).await, 3448.0, 44.0, 44);
    // 城区 = 第一实验中学 + 城北学校, 农村 = 河西中学.
    close(
        get(exc, UnitRef::Location(Location::Urban)).await,
        12.0,
        32.0,
        32,
    );
    close(
        get(mean, UnitRef::Location(Location::Urban)).await,
        2548.0,
        32.0,
        32,
    );
    close(
        get(exc, UnitRef::Location(Location::Rural)).await,
        4.0,
        12.0,
        12,
    );
    // 初中: 第一实验中学 and 河西中学 (城北学校 is a 九年一贯制).
    close(
        get(mean, UnitRef::Stage(wuyu_domain::Stage::Junior)).await,
        2823.0,
        36.0,
        36,
    );
    // Schools and classes.
    close(get(mean, UnitRef::School(a)).await, 1923.0, 24.0, 24);
    close(get(exc, UnitRef::School(c)).await, 4.0, 12.0, 12);
    close(get(exc, UnitRef::School(d)).await, 0.0, 8.0, 8);
    close(get(mean, UnitRef::School(d)).await, 625.0, 8.0, 8);
    let (c71, c72) = (
        wuyu_domain::ClassId(app.ids.class_a7_1),
        wuyu_domain::ClassId(app.ids.class_a7_2),
    );
    close(get(exc, UnitRef::Class(a, c71)).await, 12.0, 12.0, 12);
    close(get(mean, UnitRef::Class(a, c72)).await, 843.0, 12.0, 12);
    // 70.25 as shown: the value the plan judges.
    assert_eq!(
        get(mean, UnitRef::Class(a, c72))
            .await
            .and_then(|v| v.value()),
        Some(70.25)
    );
    // A school that did not sit it, a school set: no value. Another capability's key: refused.
    assert_eq!(
        get(mean, UnitRef::School(SchoolId(app.ids.school_b))).await,
        None
    );
    assert_eq!(
        get(mean, UnitRef::SchoolSet("城区四所初中".into())).await,
        None
    );
    assert!(
        wuyu_service::exam::indicator(&svc, &key("fitness.pass_rate"), &UnitRef::District, id)
            .await
            .is_err()
    );
}
