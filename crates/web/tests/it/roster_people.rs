//! The roster's people fields on the pages: 学籍状态 on the student page for everyone who sees
//! the student, 特殊群体 only for admins (each read audited), and the school's teacher list
//! with 任教学科, 专兼职 and 出生年份 for its administrators.
use wuyu_service::Service;
use wuyu_service::file::UploadedFile;
use wuyu_service::import::ImportActor;
use wuyu_testkit::district::child_student_no;

use crate::support::{TestApp, body_text, get};

async fn import_people(app: &TestApp) {
    let svc = Service::new(app.store.clone());
    let students = format!(
        "学校代码,年级,班级,学籍号,姓名,性别,出生日期,学籍状态,状态日期,特殊群体\n\
         S001,7,1班,{},张小明,男,2012-03-05,在读,,留守\n",
        child_student_no()
    );
    let teachers = "学校代码,工号,姓名,任教学科,专兼职,出生年份\nS001,T01,孙老师,体育,专职,1984\n";
    for (name, text) in [("学生.csv", students.as_str()), ("教师.csv", teachers)] {
        let out = wuyu_service::roster::import_roster(
            &svc,
            &ImportActor::Operator("tester".into()),
            &UploadedFile::new(name, text.as_bytes().to_vec()),
            None,
        )
        .await
        .unwrap();
        assert!(out.errors().is_empty(), "{:?}", out.errors());
    }
}

async fn page(app: &TestApp, user: &str, path: &str) -> String {
    let s = app.login(user).await;
    let resp = app.send(get(path).cookie(&s.cookie).build()).await;
    assert_eq!(resp.status(), 200, "{user} {path}");
    body_text(resp).await
}

async fn flag_reads(app: &TestApp) -> usize {
    app.store
        .list_audit(500)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.entry.action == "read_student_flags")
        .count()
}

#[tokio::test]
async fn status_for_all_flags_for_admins_and_teachers_for_the_school() {
    let app = TestApp::new().await;
    import_people(&app).await;
    let (a, child) = (app.ids.school_a, app.ids.child);
    let path = format!("/schools/{a}/students/{child}");

    let before = flag_reads(&app).await;
    let html = page(&app, "district", &path).await;
    assert!(html.contains("<dt>学籍状态</dt><dd>在读</dd>"), "{html}");
    assert!(
        html.contains(r#"<dd data-field="flags">留守</dd>"#),
        "{html}"
    );
    assert_eq!(flag_reads(&app).await, before + 1);

    // teacher-a teaches the class but is not its 班主任; the analyst has no grant.
    for user in ["teacher-a", "analyst"] {
        let html = page(&app, user, &path).await;
        assert!(html.contains("<dt>学籍状态</dt>"), "{user}");
        assert!(!html.contains("特殊群体"), "{user}");
        assert!(!html.contains("留守"), "{user}");
    }
    assert_eq!(flag_reads(&app).await, before + 1);

    let html = page(&app, "school-a", &format!("/schools/{a}")).await;
    let row = html
        .lines()
        .find(|l| l.contains("<td>孙老师</td><td>T01</td>"))
        .unwrap_or_else(|| panic!("{html}"));
    assert!(
        row.contains("<td>体育</td><td>专职</td><td class=\"num\">1984</td>"),
        "{row}"
    );
    let html = page(&app, "teacher-a", &format!("/schools/{a}")).await;
    assert!(!html.contains("任教学科"));
}
