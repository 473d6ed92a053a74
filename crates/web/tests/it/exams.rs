//! 考试分析 pages, API and exports on the exam fixture ([`crate::exam_data`]). Expected numbers
//! are recomputed here from the marks the fixture imported (plain arithmetic a 教研员 would do)
//! or, where the page only formats a stored statistic (composite, value-added, α), taken from
//! the store with the same scope; pages, API and XLSX must show the same numbers.
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
fn table(html: &str, id: &str) -> Vec<Vec<String>> {
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

#[tokio::test]
async fn the_exam_list_is_newest_first_and_closed_to_counsellors_and_parents() {
    let app = TestApp::with_exams().await;
    let html = page(&app, "analyst", "/exams").await;
    let t = table(&html, "exams");
    let names: Vec<&str> = t.iter().skip(1).map(|r| r[0].as_str()).collect();
    assert_eq!(names, [x::MIDTERM, x::MONTHLY, x::BASELINE]);
    let mid = row_of(&t, 0, x::MIDTERM);
    assert_eq!(mid["级别"], "区级");
    assert_eq!(mid["年级"], "七年级");
    assert_eq!(mid["科目（满分）"], "语文 120、数学 100、英语 100");
    assert_eq!(
        (mid["学校数"].as_str(), mid["学生数"].as_str()),
        ("3", "48")
    );
    assert_eq!(row_of(&t, 0, x::MONTHLY)["级别"], "校级");
    assert!(html.contains(&format!("href=\"/exams/{}\"", app.ids.exams.midterm)));
    assert!(html.contains("href=\"/exams\" aria-current=\"page\">考试分析"));
    assert!(html.contains("平行班比较预警"));

    // The teacher sees their school's exams and no link to the alerts.
    let html = page(&app, "teacher-a", "/exams").await;
    assert_eq!(table(&html, "exams").len(), 4);
    assert!(!html.contains("平行班比较预警"));
    // School B sat none.
    let html = page(&app, "teacher-b", "/exams").await;
    assert!(html.contains("尚无考试数据"));
    for who in ["counsellor-a", "parent-a"] {
        assert_eq!(get_as(&app, who, "/exams").await.0, 403, "{who}");
        let (_, home) = get_as(&app, who, &format!("/schools/{}", app.ids.school_a)).await;
        assert!(!home.contains("href=\"/exams\""), "{who} nav");
    }
}

// --- the district overview -------------------------------------------------------------------

#[tokio::test]
async fn the_district_overview_has_the_hand_computed_rates_of_every_school() {
    let app = TestApp::with_exams().await;
    let e = &app.ids.exams;
    let all = x::students();
    let all_refs: Vec<&ExamStudent> = all.iter().collect();
    for subject in ["数学", "总分", "英语"] {
        let html = page(
            &app,
            "analyst",
            &format!("/exams/{}?subject={}", e.midterm, enc(subject)),
        )
        .await;
        // Headline: the district.
        let (marks, full) = midterm_marks(&all_refs, subject);
        let h = hand(&marks, full);
        // 总分: a student absent in one subject sat the exam but is left out of the 总分
        // statistics (统计人数).
        let sat = if subject == "总分" {
            all.len()
        } else {
            h.sat
        };
        assert_eq!(
            attr_text(&html, "data-stat", "sat"),
            format!("{sat} / {}", h.enrolled),
            "{subject}"
        );
        assert_eq!(
            attr_text(&html, "data-stat", "n"),
            h.n.to_string(),
            "{subject}"
        );
        assert_eq!(
            attr_text(&html, "data-stat", "mean"),
            two(h.mean),
            "{subject}"
        );
        assert_eq!(
            attr_text(&html, "data-stat", "excellent_rate"),
            pct(h.excellent)
        );
        assert_eq!(attr_text(&html, "data-stat", "pass_rate"), pct(h.pass));
        assert_eq!(attr_text(&html, "data-stat", "low_rate"), pct(h.low));
        // The lines are said in points: 80 %, 70 %, 60 % and 40 % of full marks.
        let line = |f: f64| format!("{}", f * full / 100.0);
        assert!(
            attr_text(&html, "data-note", "lines").starts_with(&format!(
                "优秀 ≥ {} 分、良好 ≥ {} 分、及格 ≥ {} 分、低分 < {} 分（满分 {full}）；缺考学生不计入",
                line(80.0),
                line(70.0),
                line(60.0),
                line(40.0)
            )),
            "{subject}: {}",
            attr_text(&html, "data-note", "lines")
        );
        if subject != "总分" {
            assert_eq!(
                attr_text(&html, "data-stat", "participation_rate"),
                pct(h.sat as f64 / h.enrolled as f64)
            );
        }

        // Every school, ranked by mean, with the gaps to the best school and the district.
        let t = table(&html, "schools");
        assert_eq!(t[0][0], "排名");
        let mut means: Vec<(f64, &str)> = SCHOOL_NAMES
            .iter()
            .map(|(code, name)| {
                let s: Vec<&ExamStudent> = all.iter().filter(|s| school_of(s) == *code).collect();
                let (m, f) = midterm_marks(&s, subject);
                (hand(&m, f).mean, *name)
            })
            .collect();
        means.sort_by(|a, b| b.0.total_cmp(&a.0));
        let rows: Vec<&str> = t.iter().skip(1).map(|r| r[1].as_str()).collect();
        assert_eq!(
            rows,
            means.iter().map(|m| m.1).collect::<Vec<_>>(),
            "ordered by rank"
        );
        for (rank, (mean, name)) in means.iter().enumerate() {
            let code = SCHOOL_NAMES.iter().find(|s| s.1 == *name).unwrap().0;
            let s: Vec<&ExamStudent> = all.iter().filter(|s| school_of(s) == code).collect();
            let (m, f) = midterm_marks(&s, subject);
            let want = hand(&m, f);
            let row = row_of(&t, 1, name);
            assert_eq!(row["排名"], (rank + 1).to_string(), "{subject} {name}");
            assert_eq!(row["平均分"], two(*mean));
            assert_eq!(row["优秀率"], pct(want.excellent), "{subject} {name}");
            assert_eq!(row["及格率"], pct(want.pass));
            assert_eq!(row["低分率"], pct(want.low));
            assert_eq!(row["统计人数"], want.n.to_string());
            assert_eq!(row["与最高差"], two(mean - means[0].0));
            assert_eq!(row["与全区差"], two(mean - h.mean));
            assert_eq!(row["城乡"], if code == "S003" { "农村" } else { "城区" });
        }
        // The composite is the store's (standardised across schools); the page formats it.
        let units = app
            .store
            .exam_unit_stats(
                &Scope::District,
                ExamId(e.midterm),
                wuyu_store::ExamUnitFilter::Schools,
            )
            .await
            .unwrap();
        for u in &units {
            let s = u.subjects.iter().find(|s| s.subject == subject).unwrap();
            assert_eq!(
                row_of(&t, 1, &u.unit.name)["综合指数"],
                two(s.composite.unwrap())
            );
        }

        // 城区 (S001 + S004) against 农村 (S003).
        let groups = table(&html, "groups");
        let urban: Vec<&ExamStudent> = all.iter().filter(|s| school_of(s) != "S003").collect();
        let (m, f) = midterm_marks(&urban, subject);
        assert_eq!(row_of(&groups, 0, "城区")["平均分"], two(hand(&m, f).mean));
        assert!(row_of(&groups, 0, "初中").contains_key("优秀率"));
        assert!(row_of(&groups, 0, "九年一贯制").contains_key("优秀率"));
    }

    // The subjects table of the district: one row per subject and 总分.
    let html = page(&app, "analyst", &format!("/exams/{}", e.midterm)).await;
    let t = table(&html, "subjects");
    for (subject, full) in x::SUBJECTS {
        let (m, f) = midterm_marks(&all_refs, subject);
        let row = row_of(&t, 0, subject);
        assert_eq!(row["满分"], format!("{full:.1}"));
        assert_eq!(row["平均分"], two(hand(&m, f).mean));
        assert_eq!(row["缺考"], if subject == "语文" { "0" } else { "1" });
    }
    // One distribution chart per subject and 总分, each with the district's counts.
    let hist = chart(&html, "chart-hist-1");
    let counts: u64 = hist["series"][0]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(hist["xAxis"]["data"].as_array().unwrap().len(), 10);
    assert!(counts > 0);
    for i in 0..4 {
        assert!(html.contains(&format!("data-chart=\"chart-hist-{i}\"")));
    }
    // A school drills down to its class comparison.
    let a = app.ids.school_a;
    assert!(html.contains(&format!("/exams/{}?school={a}&#38;subject=", e.midterm)));
}

#[tokio::test]
async fn the_caterpillar_plot_has_one_point_per_school_with_its_interval() {
    let app = TestApp::with_exams().await;
    let e = &app.ids.exams;
    let html = page(&app, "analyst", &format!("/exams/{}", e.midterm)).await;
    let va = app
        .store
        .exam_value_added(
            &Scope::District,
            ExamId(e.midterm),
            "总分",
            ExamUnitKind::School,
            None,
        )
        .await
        .unwrap();
    assert!(html.contains(&va.model_label), "the model is named");
    let c = chart(&html, "chart-va");
    let names: Vec<&str> = c["xAxis"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let points = c["series"][0]["data"].as_array().unwrap();
    let bars = c["series"][1]["data"].as_array().unwrap();
    assert_eq!(c["series"][1]["wuyu"], "errorbar");
    assert_eq!((names.len(), points.len(), bars.len()), (3, 3, 3));
    // Sorted by the EB estimate, each point inside its interval, equal to the store's numbers.
    let mut want: Vec<(f64, f64, f64, String)> = va
        .groups
        .iter()
        .zip(&va.units)
        .map(|(g, u)| {
            (
                g.shrunken.unwrap(),
                g.ci_low.unwrap(),
                g.ci_high.unwrap(),
                u.name.clone(),
            )
        })
        .collect();
    want.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (i, (est, lo, hi, name)) in want.iter().enumerate() {
        assert_eq!(names[i], name);
        let p = points[i].as_f64().unwrap();
        assert_eq!(p, round_half_away(*est, 3));
        assert_eq!(bars[i][0].as_u64(), Some(i as u64));
        let (l, h) = (bars[i][1].as_f64().unwrap(), bars[i][2].as_f64().unwrap());
        assert_eq!((l, h), (round_half_away(*lo, 3), round_half_away(*hi, 3)));
        assert!(l <= p && p <= h);
    }
    // The fixture's true value added orders 城北 > 第一实验 > 河西.
    assert_eq!(names, ["城北学校", "第一实验中学", "河西中学"]);
    let t = table(&html, "va");
    assert_eq!(t[0][0], "增值排名");
    assert_eq!(row_of(&t, 1, "城北学校")["增值排名"], "1");
    assert_eq!(
        row_of(&t, 1, "城北学校")["增值（经验贝叶斯）"],
        three(want[0].0)
    );
    assert!(!html.contains("学校间无可检测差异"));
}

#[tokio::test]
async fn schools_without_detectable_differences_are_not_ranked_by_value_added() {
    let app = TestApp::with_exams().await;
    let e = &app.ids.exams;
    // A re-test whose marks are the baseline plus noise that is the same in every class: no
    // school adds more than another.
    let exam = app
        .store
        .create_exam(&x::new_exam(
            "七年级复测",
            wuyu_domain::ExamLevel::District,
            Some(ExamId(e.baseline)),
        ))
        .await
        .unwrap();
    let noise = [
        6.0, -4.0, 2.0, -6.0, 4.0, -2.0, 5.0, -5.0, 3.0, -3.0, 1.0, -1.0,
    ];
    app.store
        .import_exam_scores(
            &x::score_batch(exam, &["数学"], |s| {
                let b = x::score(x::baseline(s)[1]).unwrap();
                vec![Some(SubjectMark::Score(b + noise[s.k]))]
            }),
            &wuyu_store::ImportMeta {
                username: "t".into(),
                file_name: "retest.xlsx".into(),
                file_sha256: "3".repeat(64),
                at: 0,
            },
        )
        .await
        .unwrap();
    let va = app
        .store
        .exam_value_added(&Scope::District, exam, "数学", ExamUnitKind::School, None)
        .await
        .unwrap();
    assert_eq!(va.rankable, Some(false), "{va:?}");
    let html = page(
        &app,
        "analyst",
        &format!("/exams/{exam}?subject={}", enc("数学")),
    )
    .await;
    assert!(html.contains("学校间无可检测差异，不排名"));
    let t = table(&html, "va");
    assert!(!t[0].contains(&"增值排名".to_string()), "{:?}", t[0]);
    let api = api(
        &app,
        "analyst",
        &format!("/api/v1/exams/{exam}/value-added?subject={}", enc("数学")),
    )
    .await;
    assert_eq!(api["rankable"], false);
    assert!(
        api["units"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u.get("rank").is_none())
    );
}

// --- ranks -----------------------------------------------------------------------------------

#[tokio::test]
async fn ranks_follow_the_role_and_the_district_setting() {
    let app = TestApp::with_exams().await;
    let e = &app.ids.exams;
    let (a, c71) = (app.ids.school_a, app.ids.class_a7_1);
    let overview = format!("/exams/{}", e.midterm);
    let class = format!("/exams/{}/schools/{a}/classes/{c71}", e.midterm);
    let units = format!("/api/v1/exams/{}/units?filter=schools", e.midterm);
    let students = format!(
        "/api/v1/exams/{}/students?school={a}&class={c71}",
        e.midterm
    );
    let has_rank = |v: &Value| {
        v["units"].as_array().unwrap().iter().any(|u| {
            u["subjects"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s.get("rank").is_some())
        })
    };
    let has_student_rank = |v: &Value| {
        v["students"].as_array().unwrap().iter().any(|s| {
            s["marks"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m.get("district_rank").is_some())
        })
    };

    // District analyst: school ranks, class ranks, student ranks.
    assert_eq!(
        table(&page(&app, "analyst", &overview).await, "schools")[0][0],
        "排名"
    );
    assert!(
        table(&page(&app, "analyst", &class).await, "students")[0]
            .contains(&"总分全区排名".to_string())
    );
    assert!(has_rank(&api(&app, "analyst", &units).await));
    assert!(has_student_rank(&api(&app, "analyst", &students).await));
    // School admin: ranks within the grade.
    let html = page(&app, "school-a", &overview).await;
    assert_eq!(table(&html, "classes")[0][0], "年级内排名");
    assert_eq!(table(&html, "va")[0][0], "增值排名");
    // Teacher: no rank anywhere, in the page or the JSON.
    let html = page(&app, "teacher-a", &overview).await;
    assert_eq!(table(&html, "classes")[0][0], "班级");
    assert!(!html.contains("排名"));
    assert!(!page(&app, "teacher-a", &class).await.contains("排名"));
    let v = api(&app, "teacher-a", &units).await;
    assert_eq!(v["ranks_shown"], false);
    assert!(!has_rank(&v));
    assert!(!has_student_rank(&api(&app, "teacher-a", &students).await));

    // The district hides ranks: nobody sees them, and the schools keep the store's order.
    app.store.set_setting("hide_ranks", "true").await.unwrap();
    let html = page(&app, "analyst", &overview).await;
    assert!(!html.contains("排名"), "no rank on the district page");
    let order: Vec<String> = table(&html, "schools")
        .iter()
        .skip(1)
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(order, ["第一实验中学", "河西中学", "城北学校"]);
    assert!(!page(&app, "school-a", &overview).await.contains("排名"));
    assert!(!page(&app, "analyst", &class).await.contains("排名"));
    let v = api(&app, "analyst", &units).await;
    assert!(!has_rank(&v) && v["ranks_shown"] == false);
    assert!(!has_student_rank(&api(&app, "analyst", &students).await));
    let va = api(
        &app,
        "analyst",
        &format!("/api/v1/exams/{}/value-added", e.midterm),
    )
    .await;
    assert!(
        va["units"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u.get("rank").is_none())
    );
}

// --- a school's view -------------------------------------------------------------------------

#[tokio::test]
async fn a_school_sees_its_classes_against_the_grade_with_their_teachers() {
    let app = TestApp::with_exams().await;
    let e = &app.ids.exams;
    let (a, c71, c72) = (app.ids.school_a, app.ids.class_a7_1, app.ids.class_a7_2);
    let path = format!("/exams/{}?subject={}", e.midterm, enc("语文"));
    let html = page(&app, "school-a", &path).await;
    let class_marks = |c: usize| {
        let s = students_where(|s| s.class == c);
        let r: Vec<&ExamStudent> = s.iter().collect();
        hand(&midterm_marks(&r, "语文").0, 120.0)
    };
    let school = {
        let s = students_where(|s| s.class < 2);
        let r: Vec<&ExamStudent> = s.iter().collect();
        hand(&midterm_marks(&r, "语文").0, 120.0)
    };
    let t = table(&html, "classes");
    for (c, label) in [(0, "1班"), (1, "2班")] {
        let h = class_marks(c);
        let row = row_of(&t, 1, label);
        assert_eq!(row["平均分"], two(h.mean));
        assert_eq!(row["优秀率"], pct(h.excellent));
        assert_eq!(row["及格率"], pct(h.pass));
        let diff = round_half_away(h.mean, 2) - round_half_away(school.mean, 2);
        assert_eq!(row["与年级差"], two(diff));
    }
    assert_eq!(row_of(&t, 1, "1班")["任课教师"], "孙老师");
    assert_eq!(row_of(&t, 1, "本校年级平均")["平均分"], two(school.mean));
    assert_eq!(attr_text(&html, "data-stat", "mean"), two(school.mean));
    // Ranks within the grade: 1班 has the higher 语文 mean.
    assert_eq!(row_of(&t, 1, "1班")["年级内排名"], "1");
    // Both classes link to their student lists for the school admin.
    for c in [c71, c72] {
        assert!(html.contains(&format!(
            "/exams/{}/schools/{a}/classes/{c}?subject=",
            e.midterm
        )));
    }
    // The teacher of 1班 sees the same comparison, a link to their class only.
    let html = page(&app, "teacher-a", &path).await;
    let t = table(&html, "classes");
    assert_eq!(row_of(&t, 0, "2班")["平均分"], two(class_marks(1).mean));
    assert!(html.contains(&format!(
        "/exams/{}/schools/{a}/classes/{c71}?subject=",
        e.midterm
    )));
    assert!(!html.contains(&format!("/classes/{c72}?subject=")));
    // Class value-added of the school's classes.
    let c = chart(&html, "chart-va");
    assert_eq!(c["xAxis"]["data"].as_array().unwrap().len(), 2);
    // A district role drills down to the same table; a school admin cannot name another school.
    let html = page(
        &app,
        "analyst",
        &format!("/exams/{}?school={a}&subject={}", e.midterm, enc("语文")),
    )
    .await;
    assert!(html.contains("返回全区"));
    assert_eq!(
        row_of(&table(&html, "classes"), 1, "1班")["平均分"],
        two(class_marks(0).mean)
    );
    assert_eq!(
        get_as(
            &app,
            "school-a",
            &format!("/exams/{}?school={}", e.midterm, e.school_c)
        )
        .await
        .0,
        403
    );
    // An unknown subject is a bad request; a school that did not sit the exam is refused.
    assert_eq!(
        get_as(&app, "school-a", &format!("/exams/{}?subject=x", e.midterm))
            .await
            .0,
        400
    );
    assert_eq!(
        get_as(&app, "teacher-b", &format!("/exams/{}", e.midterm))
            .await
            .0,
        403
    );
}

// --- the class view --------------------------------------------------------------------------

#[tokio::test]
async fn the_class_view_shows_absent_marks_standard_scores_and_is_audited() {
    let app = TestApp::with_exams().await;
    let e = &app.ids.exams;
    let (a, c71, c72) = (app.ids.school_a, app.ids.class_a7_1, app.ids.class_a7_2);
    let path = format!(
        "/exams/{}/schools/{a}/classes/{c71}?subject={}",
        e.midterm,
        enc("英语")
    );
    let html = page(&app, "teacher-a", &path).await;
    let t = table(&html, "students");
    assert_eq!(t.len(), 13, "12 students");
    // 李小红 was absent in 英语: 缺考, not 0, and no 总分.
    let li = row_of(&t, 0, "李小红");
    assert_eq!(li["英语"], "缺考");
    assert_eq!(li["总分"], "—");
    assert_eq!(li["英语Z分"], "—");
    assert!(
        html.contains("<td class=\"absent\">缺考</td>") || html.contains("class=\"num absent\"")
    );
    // 张小明's 英语 standing against the district's 47 英语 scores.
    let english: Vec<f64> = x::students()
        .iter()
        .filter_map(|s| x::score(x::midterm(s)[2]))
        .collect();
    let n = english.len() as f64;
    let mu = english.iter().sum::<f64>() / n;
    let sigma = (english.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / n).sqrt();
    let child = &x::students()[0];
    let mine = x::score(x::midterm(child)[2]).unwrap();
    let z = (mine - mu) / sigma;
    let below = english.iter().filter(|v| **v < mine).count() as f64;
    let equal = english.iter().filter(|v| **v == mine).count() as f64;
    let row = row_of(&t, 0, "张小明");
    assert_eq!(row["英语"], two(mine));
    assert_eq!(row["英语Z分"], two(z));
    assert_eq!(row["英语T分"], two(50.0 + 10.0 * z));
    assert_eq!(
        row["英语百分等级"],
        format!(
            "{:.1}",
            round_half_away(100.0 * (below + 0.5 * equal) / n, 1)
        )
    );
    let total: f64 = x::midterm(child).iter().filter_map(|m| x::score(*m)).sum();
    assert_eq!(row["总分"], two(total));
    assert_eq!(
        row["学籍号"],
        format!(
            "G{}",
            crate::support::masked_id(&crate::support::child_id_card())
        )
    );
    // 临界生 as the store marks them (within 5 points below a line), highlighted.
    let rows = app
        .store
        .exam_students(
            &Scope::District,
            ExamId(e.midterm),
            SchoolId(a),
            Some(wuyu_domain::ClassId(c71)),
        )
        .await
        .unwrap();
    for r in &rows {
        let b = r
            .subjects
            .iter()
            .find(|m| m.subject == "英语")
            .and_then(|m| m.borderline);
        let cell = &row_of(&t, 0, &r.name)["英语临界生"];
        assert_eq!(cell.is_empty(), b.is_none(), "{}", r.name);
        if let Some(m) = r
            .subjects
            .iter()
            .find(|m| m.subject == "英语")
            .and_then(|m| m.score)
        {
            // Hand check of the flag: within 5 points below 80 or 60.
            let want = (75.0..80.0).contains(&m) || (55.0..60.0).contains(&m);
            assert_eq!(b.is_some(), want, "{} {m}", r.name);
        }
    }
    // The read is audited.
    let audit = app.store.list_audit(1).await.unwrap();
    assert_eq!(audit[0].entry.action, "read_class_exam");
    assert_eq!(audit[0].entry.username, "teacher-a");
    assert_eq!(audit[0].entry.entity, format!("class:{a}:{c71}"));
    assert_eq!(audit[0].entry.detail, format!("exam:{}", e.midterm));

    // Another class of their school: refused, and the refusal is audited.
    let other = format!("/exams/{}/schools/{a}/classes/{c72}", e.midterm);
    assert_eq!(get_as(&app, "teacher-a", &other).await.0, 403);
    let audit = app.store.list_audit(1).await.unwrap();
    assert_eq!(audit[0].entry.action, "read_class_exam_denied");
    assert_eq!(audit[0].entry.entity, format!("class:{a}:{c72}"));
    assert_eq!(
        get_as(&app, "teacher-a", &format!("{other}/export.xlsx"))
            .await
            .0,
        403
    );

    // The district analyst sees the district rank, computed like a competition ranking.
    let html = page(&app, "analyst", &path).await;
    let t = table(&html, "students");
    let above = english.iter().filter(|v| **v > mine).count();
    assert_eq!(
        row_of(&t, 0, "张小明")["英语全区排名"],
        (above + 1).to_string()
    );
}

// --- items -----------------------------------------------------------------------------------

#[tokio::test]
async fn item_analysis_has_flags_a_heat_map_of_items_by_classes_and_mastery() {
    let app = TestApp::with_exams().await;
    let e = &app.ids.exams;
    let html = page(&app, "analyst", &format!("/exams/{}/items", e.midterm)).await;
    // The first subject with item points is chosen: 数学.
    assert!(html.contains("各题统计 · 数学"));
    let sat: Vec<ExamStudent> = students_where(|s| x::midterm(s)[1] != Some(SubjectMark::Absent));
    assert_eq!(sat.len(), 47);
    assert_eq!(attr_text(&html, "data-paper", "n"), "47");
    let t = table(&html, "items");
    for (j, (item, max, _)) in x::MATH_ITEMS.iter().enumerate() {
        let p = sat.iter().map(|s| x::math_items(s)[j]).sum::<f64>() / (47.0 * max);
        let row = row_of(&t, 0, item);
        assert_eq!(row["难度(得分率P)"], two(p), "item {item}");
    }
    // Flags: item 1 too easy, item 4 too hard, item 5 discriminates negatively.
    assert!(row_of(&t, 0, "1")["提示"].contains("过于容易"));
    assert!(row_of(&t, 0, "4")["提示"].contains("难度过大"));
    assert!(row_of(&t, 0, "5")["提示"].contains("区分度为负"));
    assert!(row_of(&t, 0, "2")["提示"].is_empty());
    assert_eq!(html.matches("<tr class=\"flagged\">").count(), 3);
    // α as the store computed it.
    let report = app
        .store
        .exam_items(&Scope::District, ExamId(e.midterm), "数学", None)
        .await
        .unwrap();
    assert_eq!(
        attr_text(&html, "data-paper", "alpha"),
        three(report.analysis.alpha.unwrap())
    );
    assert_eq!(
        row_of(&t, 0, "5")["区分度D"],
        two(report.analysis.items[4].discrimination)
    );
    assert!(report.analysis.items[4].discrimination < 0.0);

    // The heat map: 5 items × 4 classes, each cell the class's 得分率 on the item.
    let c = chart(&html, "chart-heatmap");
    assert_eq!(c["xAxis"]["data"].as_array().unwrap().len(), 5);
    let classes: Vec<&str> = c["yAxis"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        classes,
        [
            "第一实验中学 1班",
            "第一实验中学 2班",
            "河西中学 1班",
            "城北学校 1班"
        ]
    );
    let cells = c["series"][0]["data"].as_array().unwrap();
    assert_eq!(cells.len(), 20);
    for cell in cells {
        let (xi, yi, v) = (
            cell[0].as_u64().unwrap() as usize,
            cell[1].as_u64().unwrap() as usize,
            cell[2].as_f64().unwrap(),
        );
        let in_class: Vec<&ExamStudent> = sat.iter().filter(|s| s.class == yi).collect();
        let want = in_class.iter().map(|s| x::math_items(s)[xi]).sum::<f64>()
            / (in_class.len() as f64 * x::MATH_ITEMS[xi].1);
        assert_eq!(v, round_half_away(want, 2), "item {xi} class {yi}");
    }
    // Knowledge points: 数与式 (items 1 and 2) in 河西中学 1班.
    let m = table(&html, "mastery");
    let hexi: Vec<&ExamStudent> = sat.iter().filter(|s| s.class == 2).collect();
    let want = hexi
        .iter()
        .map(|s| x::math_items(s)[0] + x::math_items(s)[1])
        .sum::<f64>()
        / (hexi.len() as f64 * 40.0);
    assert_eq!(row_of(&m, 0, "河西中学 1班")["数与式"], pct(want));

    // A teacher's heat map has their own classes only (1班; 八年级 did not sit this exam).
    let html = page(&app, "teacher-a", &format!("/exams/{}/items", e.midterm)).await;
    let c = chart(&html, "chart-heatmap");
    assert_eq!(c["yAxis"]["data"], serde_json::json!(["1班"]));
    // A subject without item points says so; 总分 is not a paper.
    let html = page(
        &app,
        "analyst",
        &format!("/exams/{}/items?subject={}", e.midterm, enc("语文")),
    )
    .await;
    assert!(html.contains("语文未导入小题分"));
    assert_eq!(
        get_as(
            &app,
            "analyst",
            &format!("/exams/{}/items?subject={}", e.midterm, enc("总分"))
        )
        .await
        .0,
        400
    );
}

// --- alerts ----------------------------------------------------------------------------------

#[tokio::test]
async fn parallel_class_alerts_are_for_review_with_the_evidence_of_every_exam() {
    let app = TestApp::with_exams().await;
    let a = app.ids.school_a;
    // Six more 区级 语文 exams in which 1班 (孙老师) is 2 points below 2班 each time.
    for k in 0..6u8 {
        let mut ne = x::new_exam(
            &format!("语文统测{}", k + 1),
            wuyu_domain::ExamLevel::District,
            None,
        );
        ne.subjects.truncate(1);
        ne.date = time::Date::from_calendar_date(2025, time::Month::March, 1 + k).unwrap();
        ne.term = wuyu_domain::Term::new(2024, wuyu_domain::TermPart::Spring).unwrap();
        let exam = app.store.create_exam(&ne).await.unwrap();
        app.store
            .import_exam_scores(
                &x::score_batch(exam, &["语文"], |s| {
                    let v = 80.0 + s.k as f64 - if s.class == 0 { 2.0 } else { 0.0 };
                    vec![(s.class < 2).then_some(SubjectMark::Score(v))]
                }),
                &wuyu_store::ImportMeta {
                    username: "t".into(),
                    file_name: format!("统测{k}.xlsx"),
                    file_sha256: "4".repeat(64),
                    at: 0,
                },
            )
            .await
            .unwrap();
    }
    for who in ["teacher-a", "counsellor-a", "parent-a", "teacher-b"] {
        assert_eq!(get_as(&app, who, "/exams/alerts").await.0, 403, "{who}");
        assert_eq!(
            get_as(&app, who, "/exams/alerts/export.xlsx").await.0,
            403,
            "{who}"
        );
    }
    let html = page(&app, "school-a", "/exams/alerts").await;
    assert!(html.contains("仅供人工复核，不是自动判定"));
    assert_eq!(attr_text(&html, "data-count", "flagged"), "1");
    let t = table(&html, "alerts");
    let sun = row_of(&t, 1, "孙老师");
    assert_eq!(sun["结论"], "预警（待人工复核）");
    // Eight eligible events (baseline, midterm, six 统测; the 校级 月考 does not count); below
    // in the six 统测.
    assert_eq!(sun["计入次数"], "8.0");
    assert_eq!(sun["低于次数"], "6.0");
    assert_eq!(sun["低于平行班比例"], pct(6.0 / 8.0));
    // The evidence of a 统测: class mean and parallel average (student-weighted) by hand.
    let class_mean = (0..12).map(|k| 80.0 + k as f64 - 2.0).sum::<f64>() / 12.0;
    let other = (0..12).map(|k| 80.0 + k as f64).sum::<f64>() / 12.0;
    let parallel = (class_mean + other) / 2.0;
    let ev = table(&html, "evidence");
    let row = ev
        .iter()
        .find(|r| r[0].starts_with("语文统测1"))
        .expect("evidence row");
    assert_eq!(row[4], two(class_mean));
    assert_eq!(row[5], two(parallel));
    assert_eq!(row[7], "低于");
    let monthly = ev.iter().find(|r| r[0].starts_with(x::MONTHLY)).unwrap();
    assert!(monthly[7].starts_with("不计入"));

    // The district sees every school, and the API says the same.
    let html = page(&app, "analyst", "/exams/alerts").await;
    assert_eq!(
        row_of(&table(&html, "alerts"), 1, "孙老师")["计入次数"],
        "8.0"
    );
    // District-wide: counts per school (linking to the school's evidence), flagged teachers.
    let schools = table(&html, "alert-schools");
    assert_eq!(row_of(&schools, 0, "第一实验中学")["预警"], "1");
    assert!(html.contains(&format!("/exams/alerts?year=2024&#38;school={a}")));
    assert!(!html.contains("data-table=\"evidence\""));
    let v = api(&app, "analyst", &format!("/api/v1/exams/alerts?school={a}")).await;
    let sun = v["teachers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["teacher_name"] == "孙老师")
        .unwrap();
    assert_eq!(sun["status"], "flagged");
    assert_eq!(sun["weighted_below"], 6.0);
    assert!(v["note"].as_str().unwrap().contains("人工复核"));
    // The export lists every event of every teacher with the same numbers.
    let mut wb = xlsx(&app, "school-a", "/exams/alerts/export.xlsx").await;
    let sheet = wb.worksheet_range("平行班预警").unwrap();
    let rows: Vec<Vec<Data>> = sheet.rows().skip(2).map(|r| r.to_vec()).collect();
    let first = rows
        .iter()
        .find(|r| {
            r[1] == Data::String("孙老师".into()) && r[7].to_string().starts_with("语文统测1")
        })
        .unwrap();
    assert_eq!(first[11], Data::Float(class_mean));
    assert_eq!(first[13], Data::String("低于".into()));
}

// --- the student page ------------------------------------------------------------------------

#[tokio::test]
async fn the_parent_sees_the_childs_marks_without_ranks_and_the_read_is_audited() {
    let app = TestApp::with_exams().await;
    let i = &app.ids;
    let path = format!("/schools/{}/students/{}", i.school_a, i.child);
    let html = page(&app, "parent-a", &path).await;
    assert!(html.contains("<h2>考试成绩</h2>"));
    let child = &x::students()[0];
    let marks = x::midterm(child);
    let t = table(&html, "student-exam");
    // The newest exam first: the midterm.
    assert_eq!(t[0], ["科目", "成绩"]);
    for (j, (subject, _)) in x::SUBJECTS.iter().enumerate() {
        assert_eq!(
            row_of(&t, 0, subject)["成绩"],
            two(x::score(marks[j]).unwrap())
        );
    }
    for word in ["排名", "百分等级", "T分"] {
        assert!(!html.contains(word), "{word} shown to a parent");
    }
    let audit = app.store.list_audit(5).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|r| r.entry.action == "read_student_exams" && r.entry.username == "parent-a")
    );
    // A teacher sees T and 百分等级 but no rank; the analyst sees the rank.
    let html = page(&app, "teacher-a", &path).await;
    assert!(html.contains("百分等级") && !html.contains("全区排名"));
    let html = page(&app, "analyst", &path).await;
    assert!(html.contains("全区排名"));
    // 缺考 reads 缺考 on 李小红's page; the counsellor gets no exam section.
    let li = i.exams.students["A2024070102"];
    let html = page(
        &app,
        "school-a",
        &format!("/schools/{}/students/{li}", i.school_a),
    )
    .await;
    assert_eq!(
        row_of(&table(&html, "student-exam"), 0, "英语")["成绩"],
        "缺考"
    );
    let html = page(&app, "counsellor-a", &path).await;
    assert!(!html.contains("考试成绩"));
}

// --- API and exports -------------------------------------------------------------------------

#[tokio::test]
async fn the_api_gives_the_page_numbers_and_audits_student_reads() {
    let app = TestApp::with_exams().await;
    let e = &app.ids.exams;
    let a = app.ids.school_a;
    let list = api(&app, "school-a", "/api/v1/exams").await;
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, [x::MIDTERM, x::MONTHLY, x::BASELINE]);
    assert_eq!(list[0]["baseline"], e.baseline);
    assert_eq!(list[0]["has_items"], true);

    let html = page(
        &app,
        "analyst",
        &format!("/exams/{}?subject={}", e.midterm, enc("数学")),
    )
    .await;
    let t = table(&html, "schools");
    let v = api(
        &app,
        "analyst",
        &format!("/api/v1/exams/{}/units?filter=schools", e.midterm),
    )
    .await;
    for u in v["units"].as_array().unwrap() {
        let s = u["subjects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["subject"] == "数学")
            .unwrap();
        let row = row_of(&t, 1, u["name"].as_str().unwrap());
        assert_eq!(row["平均分"], two(s["mean"].as_f64().unwrap()));
        assert_eq!(row["优秀率"], pct(s["excellent_rate"].as_f64().unwrap()));
        assert_eq!(row["排名"], s["rank"].to_string());
        assert_eq!(row["综合指数"], two(s["composite"].as_f64().unwrap()));
    }
    let v = api(
        &app,
        "analyst",
        &format!("/api/v1/exams/{}/units", e.midterm),
    )
    .await;
    assert_eq!(v["units"][0]["name"], "全区");
    let v = api(
        &app,
        "school-a",
        &format!("/api/v1/exams/{}/units?filter=classes", e.midterm),
    )
    .await;
    assert_eq!(v["units"].as_array().unwrap().len(), 2);

    // Value-added: the caterpillar's numbers.
    let v = api(
        &app,
        "analyst",
        &format!("/api/v1/exams/{}/value-added", e.midterm),
    )
    .await;
    let c = chart(
        &page(&app, "analyst", &format!("/exams/{}", e.midterm)).await,
        "chart-va",
    );
    let units = v["units"].as_array().unwrap();
    assert_eq!(units.len(), 3);
    for (i, u) in units.iter().enumerate() {
        assert_eq!(c["xAxis"]["data"][i], u["name"]);
        assert_eq!(
            c["series"][0]["data"][i].as_f64().unwrap(),
            round_half_away(u["shrunken"].as_f64().unwrap(), 3)
        );
        assert_eq!(u["rank"], i as u64 + 1);
    }
    assert!(v["model_label"].as_str().unwrap().contains("REML"));
    let v = api(
        &app,
        "teacher-a",
        &format!("/api/v1/exams/{}/value-added?level=class", e.midterm),
    )
    .await;
    assert_eq!(v["units"].as_array().unwrap().len(), 2);

    // Items: the item table's difficulties and the heat map's classes.
    let v = api(
        &app,
        "analyst",
        &format!("/api/v1/exams/{}/items", e.midterm),
    )
    .await;
    let html = page(&app, "analyst", &format!("/exams/{}/items", e.midterm)).await;
    let t = table(&html, "items");
    for it in v["items"].as_array().unwrap() {
        let row = row_of(&t, 0, it["item"].as_str().unwrap());
        assert_eq!(
            row["难度(得分率P)"],
            two(it["difficulty"].as_f64().unwrap())
        );
    }
    assert_eq!(v["classes"].as_array().unwrap().len(), 4);
    assert_eq!(v["items"][4]["negative_discrimination"], true);

    // Students: the class view's numbers, audited; 缺考 is `absent`, never 0.
    let path = format!(
        "/api/v1/exams/{}/students?school={a}&class={}",
        e.midterm, app.ids.class_a7_1
    );
    let v = api(&app, "teacher-a", &path).await;
    let audit = app.store.list_audit(1).await.unwrap();
    assert_eq!(audit[0].entry.action, "api_read_exam_students");
    assert_eq!(
        audit[0].entry.entity,
        format!("class:{a}:{}", app.ids.class_a7_1)
    );
    let li = v["students"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "李小红")
        .unwrap();
    let en = li["marks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["subject"] == "英语")
        .unwrap();
    assert_eq!(
        (en["absent"].clone(), en["score"].clone()),
        (Value::Bool(true), Value::Null)
    );
    let s = app.login("teacher-a").await;
    let resp = app
        .send(
            get(&format!(
                "/api/v1/exams/{}/students?school={a}&class={}",
                e.midterm, app.ids.class_a7_2
            ))
            .cookie(&s.cookie)
            .build(),
        )
        .await;
    assert_eq!(resp.status(), 403);
    let audit = app.store.list_audit(1).await.unwrap();
    assert_eq!(audit[0].entry.action, "api_read_exam_students_denied");
}

#[tokio::test]
async fn the_xlsx_exports_have_the_page_numbers() {
    let app = TestApp::with_exams().await;
    let e = &app.ids.exams;
    let a = app.ids.school_a;
    let cell_text = |d: &Data| match d {
        Data::Float(v) => *v,
        other => panic!("number expected, got {other:?}"),
    };
    // The overview: a sheet per subject with the schools as on the page.
    let mut wb = xlsx(
        &app,
        "analyst",
        &format!("/exams/{}/export.xlsx", e.midterm),
    )
    .await;
    assert!(wb.sheet_names().contains(&"全区概况".to_string()));
    for subject in ["总分", "数学"] {
        let html = page(
            &app,
            "analyst",
            &format!("/exams/{}?subject={}", e.midterm, enc(subject)),
        )
        .await;
        let t = table(&html, "schools");
        let sheet = wb.worksheet_range(subject).unwrap();
        let header: Vec<String> = sheet
            .rows()
            .nth(1)
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(header, t[0], "same columns as the page");
        let col = |h: &str| header.iter().position(|x| x == h).unwrap();
        for (i, r) in sheet.rows().skip(2).enumerate() {
            let page_row = &t[i + 1];
            assert_eq!(r[col("学校")].to_string(), page_row[col("学校")]);
            assert_eq!(two(cell_text(&r[col("平均分")])), page_row[col("平均分")]);
            assert_eq!(pct(cell_text(&r[col("优秀率")])), page_row[col("优秀率")]);
            assert_eq!(
                two(cell_text(&r[col("综合指数")])),
                page_row[col("综合指数")]
            );
            assert_eq!(
                cell_text(&r[col("排名")]).to_string(),
                page_row[col("排名")]
            );
        }
    }
    // The class comparison of school A.
    let mut wb = xlsx(
        &app,
        "school-a",
        &format!("/exams/{}/classes/export.xlsx", e.midterm),
    )
    .await;
    let html = page(
        &app,
        "school-a",
        &format!("/exams/{}?subject={}", e.midterm, enc("英语")),
    )
    .await;
    let t = table(&html, "classes");
    let sheet = wb.worksheet_range("英语").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header, t[0]);
    let col = |h: &str| header.iter().position(|x| x == h).unwrap();
    let r1 = sheet.rows().nth(2).unwrap();
    assert_eq!(r1[col("班级")].to_string(), "1班");
    assert_eq!(
        two(cell_text(&r1[col("平均分")])),
        row_of(&t, 1, "1班")["平均分"]
    );
    assert_eq!(
        two(cell_text(&r1[col("与年级差")])),
        row_of(&t, 1, "1班")["与年级差"]
    );
    assert_eq!(cell_text(&r1[col("缺考")]), 1.0);

    // The student list: 缺考 as text, the same standard scores as the page.
    let path = format!(
        "/exams/{}/schools/{a}/classes/{}?subject={}",
        e.midterm,
        app.ids.class_a7_1,
        enc("英语")
    );
    let html = page(&app, "teacher-a", &path).await;
    let t = table(&html, "students");
    let export = path.replace("?", "/export.xlsx?");
    let mut wb = xlsx(&app, "teacher-a", &export).await;
    let audit = app.store.list_audit(1).await.unwrap();
    assert_eq!(audit[0].entry.action, "export_class_exam");
    let sheet = wb.worksheet_range("学生成绩").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header, t[0]);
    let col = |h: &str| header.iter().position(|x| x == h).unwrap();
    for r in sheet.rows().skip(2) {
        let name = r[col("姓名")].to_string();
        let page_row = row_of(&t, 0, &name);
        match &r[col("英语")] {
            Data::String(s) => {
                assert_eq!((s.as_str(), page_row["英语"].as_str()), ("缺考", "缺考"))
            }
            d => assert_eq!(two(cell_text(d)), page_row["英语"]),
        }
        if let Data::Float(z) = r[col("英语Z分")] {
            assert_eq!(two(z), page_row["英语Z分"]);
        }
    }
    // The items.
    let mut wb = xlsx(
        &app,
        "analyst",
        &format!("/exams/{}/items/export.xlsx", e.midterm),
    )
    .await;
    let html = page(&app, "analyst", &format!("/exams/{}/items", e.midterm)).await;
    let t = table(&html, "items");
    let sheet = wb.worksheet_range("小题分析").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header, t[0]);
    let col = |h: &str| header.iter().position(|x| x == h).unwrap();
    for r in sheet.rows().skip(2).take(5) {
        let row = row_of(&t, 0, &r[0].to_string());
        assert_eq!(
            two(cell_text(&r[col("难度(得分率P)")])),
            row["难度(得分率P)"]
        );
        assert_eq!(two(cell_text(&r[col("区分度D")])), row["区分度D"]);
    }
    assert!(wb.worksheet_range("各班得分率").is_ok() && wb.worksheet_range("知识点掌握").is_ok());
    // School roles export their classes, not the district's schools.
    assert_eq!(
        get_as(
            &app,
            "school-a",
            &format!("/exams/{}/export.xlsx", e.midterm)
        )
        .await
        .0,
        403
    );
}
