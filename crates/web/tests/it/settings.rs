//! `/admin/settings`: a district admin changes the district's settings in the browser; bad
//! values come back with Chinese messages and nothing stored; every change is audited with
//! its old and new value; new exam lines recompute the exams.
use wuyu_domain::ExamId;
use wuyu_domain::Scope;
use wuyu_store::ExamUnitFilter;
use wuyu_store::exam::TOTAL;

use crate::support::{TestApp, body_text, get, post};

/// The settings form with the defaults, changed by `over` (`field=value` pairs).
fn form(over: &[(&str, &str)]) -> String {
    let mut fields = vec![
        ("fitness_excellent_pct", "30"),
        ("fitness_myopia_max_pct", "50"),
        ("excellent_pct", "80"),
        ("good_pct", "70"),
        ("pass_pct", "60"),
        ("low_pct", "40"),
        ("borderline_points", "5"),
        ("parallel_threshold_pct", "60"),
        ("parallel_cycle_years", "3"),
        ("parallel_min_events", "6"),
        ("parallel_min_level", "school"),
        ("star_hours", "100,300,600,1000,1500"),
        ("archive_publicity_days", "5"),
        ("training_cycle_hours", "360"),
    ];
    for (k, v) in over {
        match fields.iter_mut().find(|(f, _)| f == k) {
            Some(f) => f.1 = v,
            None => fields.push((k, v)),
        }
    }
    fields
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn a_district_admin_changes_settings_in_the_browser_and_each_change_is_audited() {
    let app = TestApp::with_exams().await;
    let admin = app.login("district").await;
    let send = |body: String| {
        app.send(
            post("/admin/settings")
                .cookie(&admin.cookie)
                .form(&format!("csrf_token={}&{body}", admin.csrf))
                .build(),
        )
    };
    let show = || app.send(get("/admin/settings").cookie(&admin.cookie).build());

    // The form shows what is in effect: the defaults.
    let html = body_text(show().await).await;
    assert!(
        html.contains("name=\"excellent_pct\" value=\"80\""),
        "{html}"
    );
    assert!(html.contains("name=\"parallel_threshold_pct\" value=\"60\""));
    let before = app.store.district_settings().await.unwrap();

    // A pass line above the excellent line and a target in words: refused, every problem
    // named, what was typed kept, nothing stored or audited.
    let resp = send(form(&[
        ("pass_pct", "85"),
        ("fitness_excellent_pct", "三十"),
    ]))
    .await;
    assert_eq!(resp.status(), 200);
    let html = body_text(resp).await;
    assert!(html.contains("优秀线 ≥ 良好线 ≥ 及格线 ≥ 低分线"), "{html}");
    assert!(html.contains("体测优秀率目标应为 0 到 100 之间的百分数，而不是“三十”"));
    assert!(html.contains("name=\"pass_pct\" value=\"85\""));
    assert_eq!(app.store.district_settings().await.unwrap(), before);
    let audit = app.store.list_audit(100).await.unwrap();
    assert!(!audit.iter().any(|r| r.entry.action == "update_setting"));

    // Excellent at 85 % and students' ranks on: two settings change, every exam recomputed.
    let exams = app.store.list_exams(&Scope::District).await.unwrap().len();
    let resp = send(form(&[
        ("excellent_pct", "85"),
        ("show_student_ranks", "on"),
    ]))
    .await;
    assert_eq!(resp.status(), 303);
    let to = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/admin/settings?"), "{to}");
    let html = body_text(app.send(get(&to).cookie(&admin.cookie).build()).await).await;
    assert!(
        html.contains(&format!(
            "已保存 2 项设置，并按新设置重新计算了 {exams} 次考试。"
        )),
        "{html}"
    );
    assert!(html.contains("name=\"excellent_pct\" value=\"85\""));
    let after = app.store.district_settings().await.unwrap();
    assert!(after.show_student_ranks);
    assert_eq!(
        after.exam.lines.excellent,
        wuyu_analytics::descriptive::Line::Fraction(0.85)
    );
    // The stored statistics use the new line: 85 % of the 总分's full marks.
    let e = &app.ids.exams;
    let exam = app
        .store
        .exam(&Scope::District, ExamId(e.midterm))
        .await
        .unwrap();
    let full: f64 = exam.subjects.iter().map(|s| s.full_marks).sum();
    let units = app
        .store
        .exam_unit_stats(
            &Scope::District,
            ExamId(e.midterm),
            ExamUnitFilter::Overview,
        )
        .await
        .unwrap();
    let total = units[0]
        .subjects
        .iter()
        .find(|s| s.subject == TOTAL)
        .unwrap();
    assert!((total.rates.excellent_line - 0.85 * full).abs() < 1e-9);

    // Each change is in the audit log with its old and new value.
    let audit = app.store.list_audit(100).await.unwrap();
    let changes: Vec<_> = audit
        .iter()
        .filter(|r| r.entry.action == "update_setting")
        .collect();
    assert_eq!(changes.len(), 2, "{changes:?}");
    let ranks = changes
        .iter()
        .find(|r| r.entry.entity == "setting:show_student_ranks")
        .unwrap();
    assert_eq!(ranks.entry.detail, "false → true");
    let lines = changes
        .iter()
        .find(|r| r.entry.entity == "setting:exam_settings")
        .unwrap();
    assert!(lines.entry.detail.contains("0.8") && lines.entry.detail.contains("0.85"));

    // Nobody else may open or post the form.
    for who in ["analyst", "school-a", "teacher-a"] {
        let s = app.login(who).await;
        let resp = app
            .send(get("/admin/settings").cookie(&s.cookie).build())
            .await;
        assert_eq!(resp.status(), 403, "{who}");
    }
}

#[tokio::test]
async fn volunteer_star_hours_are_a_district_setting_checked_ascending() {
    use time::macros::date;
    use wuyu_domain::{ActivityCategory, SchoolId, StudentId, Tenths, Term, TermPart, Viewer};
    use wuyu_service::Service;
    use wuyu_service::archive::{ActivityInput, Review, record_activity, review};
    use wuyu_service::audit::Requester;

    let app = TestApp::new().await;
    let admin = app.login("district").await;
    let send = |body: String| {
        app.send(
            post("/admin/settings")
                .cookie(&admin.cookie)
                .form(&format!("csrf_token={}&{body}", admin.csrf))
                .build(),
        )
    };
    let html = body_text(
        app.send(get("/admin/settings").cookie(&admin.cookie).build())
            .await,
    )
    .await;
    assert!(
        html.contains("name=\"star_hours\" value=\"100,300,600,1000,1500\""),
        "{html}"
    );

    // Not ascending: refused with the stars named, nothing stored.
    let html = body_text(send(form(&[("star_hours", "2,4,4,8,10")])).await).await;
    assert!(html.contains("三星 4 小时不大于二星 4 小时"), "{html}");
    let stored = app.store.district_settings().await.unwrap();
    assert_eq!(stored.star_thresholds, Default::default());

    // 2/4/6/8/10 h: a child with 4.5 h of service (1 h of it travel) has 一星, not 二星.
    let resp = send(form(&[("star_hours", "2,4,6,8,10")])).await;
    assert_eq!(resp.status(), 303);
    let svc = Service::new(app.store.clone());
    let user = app
        .store
        .user_credentials("school-a")
        .await
        .unwrap()
        .unwrap()
        .user;
    let scope = wuyu_service::accounts::scope_for(&svc, &user)
        .await
        .unwrap();
    let (v, who) = (
        Viewer::new(user.clone(), scope),
        Requester::user(&user, "127.0.0.1"),
    );
    let a = SchoolId(app.ids.school_a);
    let input = ActivityInput {
        category: ActivityCategory::Volunteer,
        term: Term::new(2025, TermPart::Autumn).unwrap(),
        date: date!(2025 - 10 - 01),
        end_date: None,
        hours: Tenths(45),
        travel: Tenths(10),
        organiser: "社区".into(),
        description: "社区清洁".into(),
    };
    let ids = record_activity(&svc, &v, &who, a, &[StudentId(app.ids.child)], &input)
        .await
        .unwrap();
    review(&svc, &v, &who, a, &ids, &Review::Approve)
        .await
        .unwrap();
    let parent = app.login("parent-a").await;
    let path = format!(
        "/schools/{}/students/{}/archive",
        app.ids.school_a, app.ids.child
    );
    let html = body_text(app.send(get(&path).cookie(&parent.cookie).build()).await).await;
    assert!(html.contains("3.5 小时 · 一星"), "{html}");
}

/// One whole-number setting on the page: its default shown, a bad value refused with
/// `refusal` and nothing stored, then `good` stored and audited as "default → good".
struct WholeSetting {
    field: &'static str,
    default: u32,
    bad: &'static str,
    refusal: &'static str,
    good: u32,
    stored: fn(&wuyu_store::DistrictSettings) -> u32,
}

async fn set_on_the_page(w: WholeSetting) {
    let app = TestApp::new().await;
    let admin = app.login("district").await;
    let send = |body: String| {
        app.send(
            post("/admin/settings")
                .cookie(&admin.cookie)
                .form(&format!("csrf_token={}&{body}", admin.csrf))
                .build(),
        )
    };
    let stored = || async { (w.stored)(&app.store.district_settings().await.unwrap()) };
    let html = body_text(
        app.send(get("/admin/settings").cookie(&admin.cookie).build())
            .await,
    )
    .await;
    let shown = format!("name=\"{}\" value=\"{}\"", w.field, w.default);
    assert!(html.contains(&shown), "{}: the default is shown", w.field);

    let html = body_text(send(form(&[(w.field, w.bad)])).await).await;
    assert!(html.contains(w.refusal), "{html}");
    assert_eq!(stored().await, w.default, "nothing stored");

    let good = w.good.to_string();
    let resp = send(form(&[(w.field, good.as_str())])).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(stored().await, w.good);
    let audit = app.store.list_audit(100).await.unwrap();
    let change = audit
        .iter()
        .find(|r| r.entry.entity == format!("setting:{}", w.field))
        .expect("the change is audited");
    assert_eq!(change.entry.detail, format!("{} → {}", w.default, w.good));
}

#[tokio::test]
async fn archive_publicity_days_are_set_on_the_page_checked_and_audited() {
    // Fewer than 5 working days is refused.
    set_on_the_page(WholeSetting {
        field: "archive_publicity_days",
        default: 5,
        bad: "3",
        refusal: "综合素质档案公示期应为 5 到 30 个工作日，而不是“3”",
        good: 10,
        stored: |s| s.archive_publicity_days.0,
    })
    .await;
}

#[tokio::test]
async fn training_cycle_hours_are_set_on_the_page_checked_and_audited() {
    // Not a whole number of hours is refused.
    set_on_the_page(WholeSetting {
        field: "training_cycle_hours",
        default: 360,
        bad: "36.5",
        refusal: "教师培训每五年周期学时应为 1 到 1000 的整数，而不是“36.5”",
        good: 240,
        stored: |s| s.training_cycle_hours.0,
    })
    .await;
}

/// The psych screening's attention-level thresholds on the page: shown at their defaults, a
/// 一般关注 threshold above 重点关注 refused with nothing stored, a lower one stored and
/// audited with old and new rules.
#[tokio::test]
async fn psych_level_thresholds_are_set_on_the_page_checked_and_audited() {
    let app = TestApp::new().await;
    let admin = app.login("district").await;
    let send = |body: String| {
        app.send(
            post("/admin/settings")
                .cookie(&admin.cookie)
                .form(&format!("csrf_token={}&{body}", admin.csrf))
                .build(),
        )
    };
    let html = body_text(
        app.send(get("/admin/settings").cookie(&admin.cookie).build())
            .await,
    )
    .await;
    assert!(
        html.contains("name=\"general_phq_total\" value=\"10\""),
        "{html}"
    );
    assert!(
        html.contains("name=\"crisis_phq_item9\" value=\"2\""),
        "{html}"
    );
    let stored = || async {
        app.store
            .district_settings()
            .await
            .unwrap()
            .psych_level_rules
            .general_phq_total
    };
    let html = body_text(send(form(&[("general_phq_total", "16")])).await).await;
    assert!(
        html.contains("关注等级规则 general_phq_total 不能大于 focus_phq_total"),
        "{html}"
    );
    assert_eq!(stored().await, 10, "nothing stored");
    let html = body_text(send(form(&[("general_phq_total", "八")])).await).await;
    assert!(
        html.contains("一般关注：PHQ 总分达到应为整数，而不是“八”"),
        "{html}"
    );
    let resp = send(form(&[("general_phq_total", "8")])).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(stored().await, 8);
    let audit = app.store.list_audit(100).await.unwrap();
    let change = audit
        .iter()
        .find(|r| r.entry.entity == "setting:psych_level_rules")
        .expect("the change is audited");
    assert!(
        change.entry.detail.contains("\"general_phq_total\":10")
            && change.entry.detail.contains("\"general_phq_total\":8"),
        "{}",
        change.entry.detail
    );
}

/// A made-up 3-item scale (answers 0–2) with one subscale whose bands are 低 and 偏高.
const SCALE: &str = r#"{"code": "test_sc", "name_zh": "测试量表（虚构）", "version": "v1",
  "item_count": 3, "answer_values": [0, 1, 2],
  "subscales": [{"code": "stress", "name_zh": "疲惫感", "items": [1, 2, 3], "method": "mean",
    "cutoffs": [{"min": 0, "max": 0.99, "label_zh": "低"}, {"min": 1, "max": 2, "label_zh": "偏高"}]}]}"#;

/// The district scale's bands that raise the attention level, typed on the settings page one
/// a line: a band the loaded scale does not have and a line that is not four words come back
/// in Chinese with nothing stored; a good mapping is stored, audited old → new and shown again.
#[tokio::test]
async fn district_scale_mappings_are_typed_on_the_page_checked_and_audited() {
    let app = TestApp::new().await;
    let admin = app.login("district").await;
    let svc = wuyu_service::Service::new(app.store.clone());
    let (d, dwho) = wuyu_service::accounts::acting_as(&svc, "district", "127.0.0.1")
        .await
        .unwrap()
        .unwrap();
    wuyu_service::psych::load_scale(&svc, &d, &dwho, "test.json", SCALE.as_bytes(), "")
        .await
        .unwrap();
    let send = |body: String| {
        app.send(
            post("/admin/settings")
                .cookie(&admin.cookie)
                .form(&format!("csrf_token={}&{body}", admin.csrf))
                .build(),
        )
    };
    let html = body_text(
        app.send(get("/admin/settings").cookie(&admin.cookie).build())
            .await,
    )
    .await;
    assert!(
        html.contains(r#"<textarea name="psych_scale_levels" rows="4" cols="50"></textarea>"#),
        "{html}"
    );
    let stored = || async {
        app.store
            .district_settings()
            .await
            .unwrap()
            .psych_level_rules
            .scale_levels
    };
    let resp = send(form(&[("psych_scale_levels", "test_sc+stress+极高+2")])).await;
    assert_eq!(resp.status(), 200);
    let html = body_text(resp).await;
    assert!(
        html.contains(
            "关注等级映射第 1 条的区间“极高”在量表“test_sc”的分量表“stress”中不存在（已有区间：低、偏高）"
        ),
        "{html}"
    );
    assert!(
        html.contains("test_sc stress 极高 2</textarea>"),
        "typed text kept"
    );
    let html = body_text(send(form(&[("psych_scale_levels", "test_sc+stress")])).await).await;
    assert!(
        html.contains("关注等级映射第 1 行“test_sc stress”应为：量表代码 分量表代码或 total 区间名称 等级（1–3）"),
        "{html}"
    );
    let html = body_text(send(form(&[("psych_scale_levels", "nope+stress+偏高+2")])).await).await;
    assert!(
        html.contains("关注等级映射第 1 条的量表代码“nope”没有载入（已载入：test_sc）"),
        "{html}"
    );
    assert!(stored().await.is_empty(), "nothing stored");
    assert!(
        !app.store
            .list_audit(100)
            .await
            .unwrap()
            .iter()
            .any(|r| r.entry.entity == "setting:psych_level_rules")
    );

    let resp = send(form(&[("psych_scale_levels", "test_sc+stress+偏高+2")])).await;
    assert_eq!(resp.status(), 303);
    let m = stored().await;
    assert_eq!((m.len(), m[0].band.as_str(), m[0].level), (1, "偏高", 2));
    let audit = app.store.list_audit(100).await.unwrap();
    let change = audit
        .iter()
        .find(|r| r.entry.entity == "setting:psych_level_rules")
        .expect("the change is audited");
    assert!(
        change.entry.detail.contains(r#""scale_levels":[]} → "#)
            && change.entry.detail.contains(r#""band":"偏高","level":2"#),
        "{}",
        change.entry.detail
    );
    let html = body_text(
        app.send(get("/admin/settings").cookie(&admin.cookie).build())
            .await,
    )
    .await;
    assert!(html.contains(">test_sc stress 偏高 2</textarea>"), "{html}");
}
