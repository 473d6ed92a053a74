//! 教师考核 in the browser, the whole round: the school uploads its inputs (a teacher outside
//! the roster refused with file, row, column and value, nothing written), sees the cap
//! arithmetic and the 师德 veto as a reason, starts the 公示; the district sees the round in its
//! list, cannot approve before the 公示 ends, returns it with a reason the school reads, and
//! approves after the 公示; the teacher sees only their own result, appeals it, reads the
//! answer and confirms. The committee fills a tied place with a reason, never over the cap.
use std::io::Cursor;

use axum::body::to_bytes;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use wuyu_analytics::appraisal::{Level, UnitRating};
use wuyu_domain::SchoolId;
use wuyu_store::AuditEntry;
use wuyu_store::staff::{AppraisalInput, AppraisalState, NewAppraisal, ScoreSources};

use crate::support::{Session, TestApp, body_text, get, location, post};

const BOUNDARY: &str = "----wuyuStaffBoundary";
const HEADER: &str =
    "学校,单位考核结果,工号,考核得分,组织评价得分,初任月数,病事假天数,立案调查,师德违规,处分\n";

async fn page(app: &TestApp, s: &Session, path: &str) -> (u16, String, String) {
    let resp = app.send(get(path).cookie(&s.cookie).build()).await;
    let status = resp.status().as_u16();
    let loc = location(&resp);
    (status, loc, body_text(resp).await)
}

async fn form(app: &TestApp, s: &Session, path: &str, body: &str) -> (u16, String, String) {
    let resp = app
        .send(
            post(path)
                .cookie(&s.cookie)
                .form(&format!("csrf_token={}&{body}", s.csrf))
                .build(),
        )
        .await;
    let status = resp.status().as_u16();
    let loc = location(&resp);
    (status, loc, body_text(resp).await)
}

async fn upload(app: &TestApp, s: &Session, path: &str, csv: &str) -> (u16, String, String) {
    let body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"考核.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{BOUNDARY}--\r\n"
    );
    let req = post(path)
        .cookie(&s.cookie)
        .header("x-csrf-token", &s.csrf)
        .header(
            "content-type",
            &format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(&body);
    let resp = app.send(req.build()).await;
    let status = resp.status().as_u16();
    let loc = location(&resp);
    (status, loc, body_text(resp).await)
}

/// The district settings form as posted, every other setting at the fixture's value, with
/// the appraisal fields `appraisal` (weights, teaching basis).
fn settings_form(appraisal: &str) -> String {
    format!(
        "fitness_excellent_pct=30&fitness_myopia_max_pct=50&excellent_pct=80&good_pct=70&\
         pass_pct=60&low_pct=40&borderline_points=5&parallel_threshold_pct=60&\
         parallel_cycle_years=3&parallel_min_events=6&parallel_min_level=school&\
         star_hours=100,300,600,1000,1500&archive_publicity_days=5&training_cycle_hours=360&\
         {appraisal}"
    )
}

/// The text of the row of `staff_no` in the appraisal table, tags stripped.
fn row_text(html: &str, staff_no: &str) -> Option<String> {
    let start = html.find(&format!("data-teacher=\"{staff_no}\""))?;
    let end = start + html[start..].find("</tr>")?;
    let mut out = String::new();
    let mut in_tag = false;
    for c in html[start..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    Some(out)
}

#[tokio::test]
async fn a_round_from_upload_to_the_teachers_confirmation() {
    let app = TestApp::new().await;
    let a = app.ids.school_a;
    let round = format!("/staff/appraisal/{a}/2024");
    let school = app.login("school-a").await;
    let district = app.login("district").await;
    let teacher = app.login("teacher-a").await; // T01 孙老师
    let teacher_b = app.login("teacher-b").await;

    // The school's and the teacher's list lead to their own school's round.
    let (status, loc, _) = page(&app, &school, "/staff/appraisal?year=2024").await;
    assert_eq!((status, loc.as_str()), (303, round.as_str()));
    let (status, loc, _) = page(&app, &teacher, "/staff/appraisal?year=2024").await;
    assert_eq!((status, loc.as_str()), (303, round.as_str()));

    // A teacher outside the roster: the whole file refused, naming the row.
    let bad = format!("{HEADER}S001,一般,T01,88,80,,,,是,\nS001,一般,T99,90,90,,,,,\n");
    let (status, _, html) = upload(&app, &school, &format!("{round}/import"), &bad).await;
    assert_eq!(status, 400);
    assert!(html.contains("考核.csv 第 3 行“工号”列（T99）"), "{html}");
    let (_, _, html) = page(&app, &school, &round).await;
    assert!(html.contains("这一学年还没有考核数据"), "nothing written");

    // T01 with a confirmed 师德 violation: vetoed to 不合格, shown with the reason.
    let good = format!("{HEADER}S001,一般,T01,88,80,,,,是,\nS001,一般,T02,92,90,,,,,\n");
    let (status, loc, _) = upload(&app, &school, &format!("{round}/import"), &good).await;
    assert_eq!(
        (status, loc.as_str()),
        (303, format!("{round}?done=imported").as_str())
    );
    let (_, _, html) = page(&app, &school, &round).await;
    assert!(
        html.contains("⌊20% × 2⌋ = ⌊0.40⌋ = <strong>0</strong> 名"),
        "{html}"
    );
    let t01 = row_text(&html, "T01").expect("T01 row");
    assert!(
        t01.contains("不合格") && t01.contains("师德一票否决"),
        "{t01}"
    );
    let t02 = row_text(&html, "T02").expect("T02 row");
    assert!(t02.contains("合格") && !t02.contains("否决"), "{t02}");

    // The district pools the cap-0 drafts: school A alone, N 2, still no place.
    let (status, _, html) = form(&app, &district, "/staff/appraisal/pool", "year=2024").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("区统筹完成：1 所名额为 0 的学校合并计算，N = 2"),
        "{html}"
    );
    let (status, _, _) = form(&app, &school, "/staff/appraisal/pool", "year=2024").await;
    assert_eq!(status, 403);

    // The teacher sees their own row only; another school's teacher nothing.
    let (status, _, html) = page(&app, &teacher, &round).await;
    assert_eq!(status, 200);
    assert!(row_text(&html, "T01").is_some());
    assert!(row_text(&html, "T02").is_none() && !html.contains("钱老师"));
    assert!(
        !html.contains("data-cap"),
        "no school figures for a teacher"
    );
    let (status, _, _) = page(&app, &teacher_b, &round).await;
    assert_eq!(status, 403);
    let (status, _, _) = page(&app, &teacher, &format!("{round}/publicity")).await;
    assert_eq!(status, 404, "a draft is not posted");

    // The personnel office's table: every teacher with inputs, level and reason; not for teachers.
    let resp = app
        .send(
            get(&format!("{round}/export.xlsx"))
                .cookie(&school.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status().as_u16(), 200);
    let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    c => c.to_string(),
                })
                .collect()
        })
        .collect();
    assert!(
        rows[0][0].contains("优秀上限 ⌊20% × 2⌋ = ⌊0.40⌋ = 0 名"),
        "{:?}",
        rows[0]
    );
    assert_eq!(rows[1][0..3], ["工号", "姓名", "考核得分"]);
    let t01 = rows
        .iter()
        .find(|r| r[0] == "T01")
        .expect("T01 in the export");
    assert_eq!(
        (t01[2].as_str(), t01[7].as_str(), t01[9].as_str()),
        ("88", "是", "不合格")
    );
    assert!(t01[10].contains("师德一票否决"), "{t01:?}");
    assert_eq!(rows.len(), 4, "title, header, two teachers");
    let resp = app
        .send(
            get(&format!("{round}/export.xlsx"))
                .cookie(&teacher.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status().as_u16(), 403);
    let log = app.store.list_audit(1000).await.unwrap();
    assert!(log.iter().any(|r| r.entry.action == "export_appraisal"));
    // Not their round to submit.
    let (status, _, _) = form(&app, &teacher, &format!("{round}/publicise"), "").await;
    assert_eq!(status, 403);

    // 公示: frozen for the school, listed for the district, not approvable before its end.
    let (status, _, _) = form(&app, &school, &format!("{round}/publicise"), "").await;
    assert_eq!(status, 303);
    let (status, _, html) = upload(&app, &school, &format!("{round}/import"), &good).await;
    assert_eq!(status, 400, "the 公示 freezes the proposal: {html}");
    assert!(html.contains("data-error"), "{html}");
    let (status, _, html) = page(&app, &teacher, &format!("{round}/publicity")).await;
    assert_eq!(
        status, 200,
        "posted for the school's teachers once the 公示 starts"
    );
    assert!(
        html.contains("共 2 人，优秀等次名额 0 名")
            && html.contains("本次没有拟定为优秀等次的人员")
    );
    let list = &html[html.find("data-publicity").unwrap()..html.find("</article>").unwrap()];
    assert!(
        !list.contains("88") && !list.contains("92"),
        "no scores on the 公示 list: {list}"
    );
    let (_, _, html) = page(&app, &district, "/staff/appraisal?year=2024").await;
    assert!(html.contains(&format!("data-school=\"{a}\"")) && html.contains("公示中"));
    assert!(html.contains("data-count=\"vetoes\">1<"), "{html}");
    let (status, _, html) = form(&app, &district, &format!("{round}/approve"), "").await;
    assert_eq!(status, 400);
    assert!(html.contains("公示期满后才能审定"), "{html}");

    // Returned with a reason the school reads; an empty reason is refused.
    let (status, _, html) = form(&app, &district, &format!("{round}/return"), "text=").await;
    assert_eq!(status, 400);
    assert!(html.contains("请写明退回的理由"));
    let reason = "T02%E7%BB%84%E7%BB%87%E8%AF%84%E4%BB%B7%E5%BE%85%E6%A0%B8"; // T02组织评价待核
    let (status, _, _) = form(
        &app,
        &district,
        &format!("{round}/return"),
        &format!("text={reason}"),
    )
    .await;
    assert_eq!(status, 303);
    let (_, _, html) = page(&app, &school, &round).await;
    assert!(html.contains("区教育局退回：T02组织评价待核") && html.contains("草稿"));

    // A 公示 that has ended (set up directly: the clock cannot be turned) is approved.
    let audit = AuditEntry {
        at: 1,
        user_id: None,
        username: "test".into(),
        action: "publicise_appraisal".into(),
        school_id: Some(SchoolId(a)),
        entity: String::new(),
        detail: String::new(),
        ip: String::new(),
    };
    app.store
        .advance_appraisal(
            SchoolId(a),
            2024,
            AppraisalState::Publicity,
            Some("2020-01-10"),
            "2020-01-06",
            &audit,
        )
        .await
        .unwrap();
    let (status, _, _) = form(&app, &school, &format!("{round}/approve"), "").await;
    assert_eq!(status, 403, "a school does not approve its own round");
    let (status, _, _) = form(&app, &district, &format!("{round}/approve"), "").await;
    assert_eq!(status, 303);
    let (_, _, html) = page(&app, &district, "/staff/appraisal?year=2024").await;
    assert!(html.contains("已审定") && html.contains("data-count=\"pending\">0<"));

    // The teacher appeals the 不合格, the district answers, the teacher confirms.
    let (status, _, _) = form(
        &app,
        &teacher,
        &format!("{round}/appeal"),
        "text=%E8%AF%B7%E5%A4%8D%E6%A0%B8",
    )
    .await;
    assert_eq!(status, 303);
    let (_, _, html) = page(&app, &district, &round).await;
    assert!(row_text(&html, "T01").unwrap().contains("待答复"));
    let t01_id = html
        .split("name=\"teacher\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("answer form")
        .to_string();
    let (status, _, _) = form(
        &app,
        &district,
        &format!("{round}/answer"),
        &format!("teacher={t01_id}&text=%E7%BB%B4%E6%8C%81%E5%8E%9F%E7%BB%93%E6%9E%9C"),
    )
    .await;
    assert_eq!(status, 303);
    let (status, _, _) = form(&app, &teacher, &format!("{round}/confirm"), "").await;
    assert_eq!(status, 303);
    let (_, _, html) = page(&app, &teacher, &round).await;
    let mine = row_text(&html, "T01").unwrap();
    assert!(
        mine.contains("答复：维持原结果") && mine.contains("已确认"),
        "{mine}"
    );
}

#[tokio::test]
async fn the_committee_fills_a_tied_place_with_a_reason_never_over_the_cap() {
    let app = TestApp::new().await;
    let a = SchoolId(app.ids.school_a);
    let t01 = app
        .store
        .teacher_by_staff_no(a, "T01")
        .await
        .unwrap()
        .unwrap();
    let t02 = app
        .store
        .teacher_by_staff_no(a, "T02")
        .await
        .unwrap()
        .unwrap();
    // Two teachers tied at a cap of 1 (as the rules leave it for the committee).
    let row = |t, score| AppraisalInput {
        teacher_id: t,
        score: Some(score),
        org_score: Some(90.0),
        sources: ScoreSources::default(),
        first_job_months: None,
        leave_days: 0,
        under_investigation: false,
        ethics_violation: false,
        sanction: None,
        level: Level::Committee,
        committee_reason: None,
    };
    let draft = NewAppraisal {
        school_id: a,
        school_year: 2023,
        unit_rating: UnitRating::Normal,
        n_base: 5,
        cap: 1,
        rows: vec![row(t01, 90.0), row(t02, 90.0)],
    };
    let audit = AuditEntry {
        at: 1,
        user_id: None,
        username: "test".into(),
        action: "import_appraisal".into(),
        school_id: Some(a),
        entity: String::new(),
        detail: String::new(),
        ip: String::new(),
    };
    app.store.save_appraisal(&draft, &audit).await.unwrap();
    let round = format!("/staff/appraisal/{}/2023", a.0);
    let school = app.login("school-a").await;
    let (_, _, html) = page(&app, &school, &round).await;
    assert!(html.contains("需集体研究 2 名"), "{html}");
    assert!(html.contains("data-committee=\"T01\"") && html.contains("data-committee=\"T02\""));

    let decide =
        |t: i64, d: &str, reason: &str| format!("teacher={t}&decision={d}&reason={reason}");
    let (status, _, html) = form(
        &app,
        &school,
        &format!("{round}/committee"),
        &decide(t02.0, "excellent", ""),
    )
    .await;
    assert_eq!(status, 400, "a reason is required");
    assert!(html.contains("请写明集体研究的理由"));
    let (status, _, _) = form(
        &app,
        &school,
        &format!("{round}/committee"),
        &decide(t02.0, "excellent", "%E5%85%AC%E5%BC%80%E8%AF%BE"),
    )
    .await;
    assert_eq!(status, 303);
    let (status, _, html) = form(
        &app,
        &school,
        &format!("{round}/committee"),
        &decide(t01.0, "excellent", "x"),
    )
    .await;
    assert_eq!(status, 400, "the second 优秀 would exceed the cap");
    assert!(html.contains("优秀名额已满：上限 1 名"), "{html}");
    let (status, _, _) = form(
        &app,
        &school,
        &format!("{round}/committee"),
        &decide(t01.0, "qualified", "x"),
    )
    .await;
    assert_eq!(status, 303);
    let (_, _, html) = page(&app, &school, &round).await;
    let t02_row = row_text(&html, "T02").unwrap();
    assert!(
        t02_row.contains("优秀") && t02_row.contains("集体研究：公开课"),
        "{t02_row}"
    );
    assert!(html.contains("已定优秀 1 名，需集体研究 0 名"), "{html}");
    let (status, _, html) = page(&app, &school, &format!("{round}/publicity")).await;
    assert_eq!(status, 200, "the school previews its list before the 公示");
    assert!(
        html.contains("<td>T02</td><td>钱老师</td><td>优秀</td>") && !html.contains("孙老师"),
        "{html}"
    );
    // The same list as a PDF to post: names and the proposed level, no scores.
    let resp = app
        .send(
            get(&format!("{round}/publicity.pdf"))
                .cookie(&school.cookie)
                .build(),
        )
        .await;
    if wuyu_service::bulletin::PDF_AVAILABLE {
        assert_eq!(resp.status().as_u16(), 200);
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        let lines = wuyu_testkit::pdf_lines(&bytes);
        assert!(
            lines.iter().any(|l| l.contains("拟定优秀等次人员公示")),
            "{lines:?}"
        );
        assert!(lines.iter().any(|l| l == "1T02钱老师优秀"), "{lines:?}");
        assert!(!lines.iter().any(|l| l.contains("孙老师")), "{lines:?}");
    } else {
        assert_eq!(resp.status().as_u16(), 400);
    }
    // A teacher cannot decide.
    let teacher = app.login("teacher-a").await;
    let (status, _, _) = form(
        &app,
        &teacher,
        &format!("{round}/committee"),
        &decide(t01.0, "excellent", "x"),
    )
    .await;
    assert_eq!(status, 403);
}

/// The parallel-class alerts and the district's recorded decision are part of the teacher's
/// appraisal file: the school admin sees them for every teacher, the teacher only their own.
#[tokio::test]
async fn the_appraisal_file_shows_the_parallel_class_alert_and_its_decision() {
    use crate::exam_data as x;
    use wuyu_domain::SubjectMark;
    let app = TestApp::with_exams().await;
    let a = SchoolId(app.ids.school_a);
    // Six 区级 语文 exams in which 1班 (孙老师, T01) is 2 points below 2班 each time.
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
                    file_sha256: "5".repeat(64),
                    at: 0,
                },
            )
            .await
            .unwrap();
    }
    let t01 = app
        .store
        .teacher_by_staff_no(a, "T01")
        .await
        .unwrap()
        .unwrap();
    let t02 = app
        .store
        .teacher_by_staff_no(a, "T02")
        .await
        .unwrap()
        .unwrap();
    let district = app.login("district").await;
    let (status, _, _) = form(
        &app,
        &district,
        "/exams/alerts/decision",
        &format!(
            "school={}&teacher={}&subject=%E8%AF%AD%E6%96%87&year=2024&decision=demote&reason=%E5%A4%8D%E6%A0%B8%E5%B1%9E%E5%AE%9E",
            a.0, t01.0
        ),
    )
    .await;
    assert_eq!(status, 303);
    let row = |t, score| AppraisalInput {
        teacher_id: t,
        score: Some(score),
        org_score: Some(80.0),
        sources: ScoreSources::default(),
        first_job_months: None,
        leave_days: 0,
        under_investigation: false,
        ethics_violation: false,
        sanction: None,
        level: Level::Qualified,
        committee_reason: None,
    };
    let draft = NewAppraisal {
        school_id: a,
        school_year: 2024,
        unit_rating: UnitRating::Normal,
        n_base: 2,
        cap: 0,
        rows: vec![row(t01, 80.0), row(t02, 82.0)],
    };
    let audit = AuditEntry {
        at: 1,
        user_id: None,
        username: "test".into(),
        action: "import_appraisal".into(),
        school_id: Some(a),
        entity: String::new(),
        detail: String::new(),
        ip: String::new(),
    };
    app.store.save_appraisal(&draft, &audit).await.unwrap();
    let round = format!("/staff/appraisal/{}/2024", a.0);
    let alert_text = |html: &str, staff_no: &str| {
        let start = html.find(&format!("data-alert=\"{staff_no}\""))?;
        let end = start + html[start..].find("</tr>")?;
        Some(html[start..end].to_string())
    };
    for who in ["school-a", "teacher-a"] {
        let s = app.login(who).await;
        let (status, _, html) = page(&app, &s, &round).await;
        assert_eq!(status, 200, "{who}");
        let t = alert_text(&html, "T01").unwrap_or_else(|| panic!("{who}: {html}"));
        assert!(t.contains("语文") && t.contains("预警"), "{t}");
        assert!(t.contains("低聘：复核属实（district"), "{t}");
        assert!(alert_text(&html, "T02").is_none(), "T02 was not below");
    }
}

/// 教师发展 in the browser: the school admin registers a course through the form (a bad
/// number of hours refused in Chinese, nothing written), the teacher reads their own hours
/// against the requirement and no one else's.
#[tokio::test]
async fn the_development_page_takes_a_course_and_shows_the_cycle_hours() {
    let app = TestApp::new().await;
    let a = app.ids.school_a;
    let school = app.login("school-a").await;
    let teacher = app.login("teacher-a").await;
    let path = format!("/staff/development/{a}/training");
    let fields = |hours: &str| {
        format!(
            "staff_no=T01&course=%E6%96%B0%E8%AF%BE%E6%A0%87&taken_on=2024-03-01&hours={hours}\
             &level=%E9%AA%A8%E5%B9%B2&provider=%E5%8C%BA%E8%BF%9B%E4%BF%AE%E6%A0%A1"
        )
    };
    let (status, _, html) = form(&app, &school, &path, &fields("1200")).await;
    assert_eq!(status, 400);
    assert!(
        html.contains("“学时”（1200）应是大于 0、不超过 1000 的数"),
        "{html}"
    );
    let (_, _, html) = page(&app, &teacher, "/staff/development?year=2024").await;
    assert!(html.contains("还没有培训记录"), "nothing written");

    let (status, loc, _) = form(&app, &school, &path, &fields("40")).await;
    assert_eq!(
        (status, loc.as_str()),
        (
            303,
            format!("/staff/development?school={a}&done=training").as_str()
        )
    );
    let (_, _, html) = page(&app, &school, "/staff/development?year=2024").await;
    let t01 = row_text(&html, "T01").expect("T01 row");
    assert!(t01.contains("40.0") && t01.contains("未达标"), "{t01}");
    assert!(
        row_text(&html, "T02").is_some(),
        "every roster teacher is listed"
    );

    let (_, _, html) = page(&app, &teacher, "/staff/development?year=2024").await;
    assert!(html.contains("我的培训与荣誉"), "{html}");
    assert!(
        html.contains("<strong data-hours>40.0</strong> 学时 / 要求 360 学时"),
        "{html}"
    );
    assert!(
        html.contains("新课标") && !html.contains("钱老师"),
        "{html}"
    );
    assert!(!html.contains("data-form="), "a teacher gets no forms");
}

/// The appraisal composed from its sources, as the school admin sees it: each source's value,
/// the weights used, the weighted sum and the re-normalisation flag per teacher — the teaching
/// result taken from the exams' parallel-class comparison — and the same in the XLSX export
/// and the API. Every expected number is computed by hand in the comments.
#[tokio::test]
async fn the_page_shows_each_teachers_score_composed_from_its_sources() {
    use crate::exam_data as x;
    use wuyu_domain::SubjectMark;
    let app = TestApp::with_exams().await;
    let a = SchoolId(app.ids.school_a);
    // 孙老师 (T01) teaches 七年级 1班 语文. The fixture's 入学摸底, 期中 and 月考 have 1班 above
    // 2班 (intake 0 vs −3); six 区级 统测 put it 2 points below: 3 of 9 counted exams not below
    // → teaching result 100 × 3 / 9 = 33.33. 钱老师 (T02, 2班 英语) has only two 英语 exams:
    // too few to judge, so the teaching source is missing for T02.
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
                    file_sha256: "6".repeat(64),
                    at: 0,
                },
            )
            .await
            .unwrap();
    }
    // The district's weights: 组织 40 %, 同事互评 20 %, 家长学生 20 %, 教学成绩 10 %, 工作量 10 %.
    let district = app.login("district").await;
    let (status, _, html) = form(
        &app,
        &district,
        "/admin/settings",
        &settings_form(
            "weight_org=40&weight_peer=20&weight_parent=20&weight_teaching=10&weight_workload=10",
        ),
    )
    .await;
    assert!(status == 303 || status == 200, "{status} {html}");
    let school = app.login("school-a").await;
    let round = format!("/staff/appraisal/{}/2024", a.0);
    // T01: every source. T02: two raters only (too few) and no teaching result.
    let csv = "学校,工号,考核得分,组织评价得分,同事互评,家长学生评价,工作量\n\
               S001,T01,,88,90;85;70;92;88,80,75\n\
               S001,T02,,90,80;90,85,70\n";
    let (status, _, _) = upload(&app, &school, &format!("{round}/import"), csv).await;
    assert_eq!(status, 303);
    let (_, _, html) = page(&app, &school, &round).await;
    assert!(
        html.contains("当前区设置的权重：组织评价 40%、同事互评 20%、家长学生评价 20%、教学成绩 10%、工作量 10%"),
        "{html}"
    );
    // T01: 0.4·88 + 0.2·87.667 + 0.2·80 + 0.1·33.333 + 0.1·75 = 79.567.
    let t01 = row_text(&html, "T01").expect("T01 row");
    assert!(t01.contains("按来源合成"), "{t01}");
    assert!(
        t01.contains("87.67（5 人评，去掉最高、最低分后 3 人）"),
        "{t01}"
    );
    assert!(t01.contains("33.3"), "teaching result: {t01}");
    assert!(
        t01.contains("0.4×88.00 + 0.2×87.67 + 0.2×80.00 + 0.1×33.33 + 0.1×75.00 = 79.57"),
        "{t01}"
    );
    assert!(!t01.contains("重新归一"), "{t01}");
    // T02: peer (0.2) and teaching (0.1) missing; 0.4, 0.2, 0.1 over 0.7 →
    // (0.4·90 + 0.2·85 + 0.1·70) / 0.7 = 60 / 0.7 = 85.714; flagged, never a 0.
    let t02 = row_text(&html, "T02").expect("T02 row");
    assert!(
        t02.contains("0.571×90.00 + 0.286×85.00 + 0.143×70.00 = 85.71"),
        "{t02}"
    );
    assert!(
        t02.contains("缺少同事互评、教学成绩，其余权重已重新归一"),
        "{t02}"
    );
    assert!(
        t02.contains("不计（2 人评，去掉最高、最低分后不足 3 人）"),
        "{t02}"
    );

    // The XLSX the personnel office files carries the same arithmetic and flag.
    let resp = app
        .send(
            get(&format!("{round}/export.xlsx"))
                .cookie(&school.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status().as_u16(), 200);
    let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<String> = sheet
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>())
        .collect();
    for expected in [
        "得分方式",
        "得分构成",
        "按来源合成",
        "0.4 / 0.2 / 0.2 / 0.1 / 0.1",
        "0.571×90.00 + 0.286×85.00 + 0.143×70.00 = 85.71",
        "缺少同事互评、教学成绩，其余权重已重新归一",
        "90;85;70;92;88",
    ] {
        assert!(cells.iter().any(|c| c == expected), "{expected}: {cells:?}");
    }

    // The API: the sources, the weights used and the flag.
    let resp = app
        .send(
            get(&format!("/api/v1/staff/appraisal/{}/2024", a.0))
                .cookie(&school.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status().as_u16(), 200);
    let v: serde_json::Value = serde_json::from_str(&body_text(resp).await).unwrap();
    let t02 = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["staff_no"] == "T02")
        .unwrap();
    assert_eq!(t02["score_basis"], "composed");
    assert_eq!(t02["renormalised"], true);
    assert_eq!(
        t02["missing_sources"],
        serde_json::json!(["peer", "teaching"])
    );
    assert!((t02["weights"]["org"].as_f64().unwrap() - 4.0 / 7.0).abs() < 1e-9);
    assert!((t02["score"].as_f64().unwrap() - 60.0 / 0.7).abs() < 1e-9);
    assert_eq!(t02["peer_ratings"], serde_json::json!([80.0, 90.0]));

    // The district drops the teaching result (组织 50 %, 互评 20 %, 家长 20 %, 工作量 10 %): the
    // draft says both composed scores still use the old weights, until the school redrafts.
    let (status, _, html) = form(
        &app,
        &district,
        "/admin/settings",
        &settings_form(
            "weight_org=50&weight_peer=20&weight_parent=20&weight_teaching=0&weight_workload=10",
        ),
    )
    .await;
    assert!(status == 303 || status == 200, "{status} {html}");
    let (_, _, html) = page(&app, &school, &round).await;
    assert!(html.contains("data-reweighted=\"2\""), "{html}");
    let (status, loc, _) = form(&app, &school, &format!("{round}/redraft"), "").await;
    assert_eq!(
        (status, loc.as_str()),
        (303, &*format!("{round}?done=redrafted"))
    );
    let (_, _, html) = page(&app, &school, &loc).await;
    assert!(html.contains("已按区里现在的权重重新合成"), "{html}");
    assert!(!html.contains("data-reweighted"), "{html}");
    // T01: 0.5·88 + 0.2·87.667 + 0.2·80 + 0.1·75 = 85.033.
    let t01 = row_text(&html, "T01").expect("T01 row");
    assert!(
        t01.contains("0.5×88.00 + 0.2×87.67 + 0.2×80.00 + 0.1×75.00 = 85.03"),
        "{t01}"
    );
    // A teacher cannot redraft.
    let teacher = app.login("teacher-a").await;
    let (status, _, _) = form(&app, &teacher, &format!("{round}/redraft"), "").await;
    assert_eq!(status, 403);
}

/// The district may take the teaching result from value-added instead of the parallel-class
/// comparison: each teacher's value-added over two school years, ranked among the district's
/// teachers (§2.3's percentile rank), shown with the value-added behind it — and a teacher
/// with one school year only has no teaching result (never a single-year verdict).
#[tokio::test]
async fn the_teaching_result_can_be_the_teachers_value_added() {
    use crate::exam_data as x;
    use wuyu_domain::SubjectMark;
    let app = TestApp::with_exams().await;
    let a = SchoolId(app.ids.school_a);
    // Two more 区级 exams in the 2023 school year, measured from the entrance exam, in 语文 and
    // 英语. Against where they started, 1班 (孙老师 T01's 语文) gains 6 points more than
    // expected, 2班 (钱老师 T02's 英语) 8 less, the other schools' classes nothing. With the
    // midterm (2024: +2, −1, −6, +7) the teachers' value-added orders T01 > T21 > T02 over the
    // three who have two years (T31 teaches 数学, which these exams leave out: one year only).
    const EFFECT: [f64; 4] = [6.0, -8.0, 0.0, 0.0];
    let baseline = app
        .store
        .list_exams(&wuyu_domain::Scope::District)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.exam.name == x::BASELINE)
        .unwrap()
        .exam
        .id;
    for k in 0..2u8 {
        let mut ne = x::new_exam(
            &format!("增值测{}", k + 1),
            wuyu_domain::ExamLevel::District,
            Some(baseline),
        );
        ne.subjects = vec![ne.subjects[0].clone(), ne.subjects[2].clone()];
        ne.date = time::Date::from_calendar_date(2024, time::Month::March, 4 + k).unwrap();
        ne.term = wuyu_domain::Term::new(2023, wuyu_domain::TermPart::Spring).unwrap();
        let exam = app.store.create_exam(&ne).await.unwrap();
        app.store
            .import_exam_scores(
                &x::score_batch(exam, &["语文", "英语"], |s| {
                    let wobble = ((s.k * 7 + usize::from(k)) % 5) as f64 - 2.0;
                    let b = x::baseline(s);
                    let mark = |m: &Option<SubjectMark>, full: f64| match m {
                        Some(SubjectMark::Score(v)) => Some(SubjectMark::Score(
                            (v + EFFECT[s.class] + wobble).clamp(0.0, full),
                        )),
                        _ => None,
                    };
                    vec![mark(&b[0], 120.0), mark(&b[2], 100.0)]
                }),
                &wuyu_store::ImportMeta {
                    username: "t".into(),
                    file_name: format!("增值{k}.xlsx"),
                    file_sha256: "7".repeat(64),
                    at: 0,
                },
            )
            .await
            .unwrap();
    }
    // The district: teaching results weigh 20 % and come from value-added (an unknown basis
    // is refused by name).
    let district = app.login("district").await;
    let (status, _, html) = form(
        &app,
        &district,
        "/admin/settings",
        &settings_form("appraisal_teaching=raw_mean"),
    )
    .await;
    assert_eq!(status, 200, "the form again, with the reason");
    assert!(
        html.contains("教学成绩来源（appraisal_teaching）应为 parallel（平行班比较）或 value_added（增值评价），而不是“raw_mean”"),
        "{html}"
    );
    let (status, _, html) = form(
        &app,
        &district,
        "/admin/settings",
        &settings_form("weight_org=50&weight_peer=30&weight_parent=0&weight_teaching=20&weight_workload=0&appraisal_teaching=value_added"),
    )
    .await;
    assert!(status == 303 || status == 200, "{status} {html}");
    let (_, _, html) = page(&app, &district, "/admin/settings").await;
    assert!(
        html.contains("<option value=\"value_added\" selected>"),
        "the setting shows as saved"
    );
    let school = app.login("school-a").await;
    let round = format!("/staff/appraisal/{}/2024", a.0);
    let csv = "学校,工号,考核得分,组织评价得分,同事互评,家长学生评价,工作量\n\
               S001,T01,,80,80;80;80,,\n\
               S001,T02,,80,80;80;80,,\n";
    let (status, _, html) = upload(&app, &school, &format!("{round}/import"), csv).await;
    assert_eq!(status, 303, "{html}");
    let (_, _, html) = page(&app, &school, &round).await;
    // Three teachers ranked: T01 highest → 100·(2 + ½)/3 = 83.3; T02 lowest → 100·½/3 = 16.7.
    // T01: 0.5·80 + 0.3·80 + 0.2·83.333 = 80.667; T02: 64 + 0.2·16.667 = 67.333.
    let t01 = row_text(&html, "T01").expect("T01 row");
    assert!(t01.contains("83.3") && t01.contains("增值 +"), "{t01}");
    assert!(t01.contains("= 80.67"), "{t01}");
    let t02 = row_text(&html, "T02").expect("T02 row");
    assert!(t02.contains("16.7") && t02.contains("增值 -"), "{t02}");
    assert!(t02.contains("= 67.33"), "{t02}");

    // The API carries the basis and the value-added behind the rank.
    let resp = app
        .send(
            get(&format!("/api/v1/staff/appraisal/{}/2024", a.0))
                .cookie(&school.cookie)
                .build(),
        )
        .await;
    let v: serde_json::Value = serde_json::from_str(&body_text(resp).await).unwrap();
    let row = |no: &str| {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["staff_no"] == no)
            .unwrap()
            .clone()
    };
    let (r1, r2) = (row("T01"), row("T02"));
    assert_eq!(r1["teaching_basis"], "value_added");
    assert!(r1["teaching_value_added"].as_f64().unwrap() > 0.0, "{r1}");
    assert!(r2["teaching_value_added"].as_f64().unwrap() < 0.0, "{r2}");
    assert!((r1["teaching_score"].as_f64().unwrap() - 250.0 / 3.0).abs() < 1e-9);
}
