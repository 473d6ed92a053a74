//! Choice and short-text survey items through the service on both backends: answers outside
//! an item's options, too many picks, too long a text and a missing required item are refused
//! with nothing stored; per unit each option's count and share over the respondents who
//! answered the item (hand-computed below), suppressed under the minimum; free text only for
//! the school's admin and district roles, every read audited; the XLSX has the choice items.
use std::sync::Arc;

use calamine::{Data, Reader, Xlsx};
use wuyu_analytics::satisfaction::Answer;
use wuyu_domain::{
    ItemKind, NewQuestionnaire, OtherAnswers, QuestionnaireStatus, Role, SchoolId, Scope,
    SurveyAbout, SurveyAudience, SurveyItem, User, UserId, Viewer,
};
use wuyu_service::audit::Requester;
use wuyu_service::survey::{self, ChoiceResult, UnitKind};
use wuyu_service::{Service, ServiceError};
use wuyu_store::Store;
use wuyu_testkit::district;

fn viewer(role: Role, scope: Scope) -> Viewer {
    Viewer::new(
        User {
            id: UserId(1),
            username: "u".into(),
            display_name: "用户".into(),
            role,
            school_id: scope.school_id(),
            teacher_id: None,
            student_id: None,
        },
        scope,
    )
}

fn who(name: &str) -> Requester {
    Requester {
        user_id: None,
        username: name.into(),
        ip: "10.0.0.9".into(),
    }
}

fn item(code: &str, text: &str, kind: ItemKind, required: bool) -> SurveyItem {
    SurveyItem {
        code: code.into(),
        text: text.into(),
        reverse: false,
        allow_unknown: false,
        scale: None,
        kind,
        required,
    }
}

fn form() -> NewQuestionnaire {
    let own = |o: &[&str]| o.iter().map(|s| s.to_string()).collect();
    NewQuestionnaire {
        title: "教师课后服务调查".into(),
        audience: SurveyAudience::Teachers,
        about: SurveyAbout::School,
        items: vec![
            item("Q1", "您对课后服务安排的满意程度", ItemKind::Likert, false),
            item(
                "C1",
                "您本学期承担课后服务吗",
                ItemKind::Single {
                    options: own(&["承担", "不承担"]),
                },
                false,
            ),
            item(
                "C2",
                "您指导过哪些项目（最多两项）",
                ItemKind::Multiple {
                    options: own(&["作业辅导", "体育", "艺术"]),
                    max_picks: Some(2),
                },
                true,
            ),
            item("T1", "意见和建议", ItemKind::Text { max_chars: 10 }, false),
        ],
    }
}

fn other(c1: Option<usize>, c2: &[usize], t1: Option<&str>) -> OtherAnswers {
    let mut choices = vec![(2, c2.to_vec())];
    if let Some(c) = c1 {
        choices.push((1, vec![c]));
    }
    OtherAnswers {
        choices,
        texts: t1.map(|t| (3, t.to_string())).into_iter().collect(),
    }
}

fn likert() -> Vec<Answer> {
    vec![
        Answer::Point(4),
        Answer::Blank,
        Answer::Blank,
        Answer::Blank,
    ]
}

/// (label, count, share) of a choice result.
fn shares(c: &ChoiceResult) -> Vec<(&str, Option<usize>, Option<f64>)> {
    c.options
        .iter()
        .map(|o| {
            (
                o.label.as_str(),
                o.count,
                o.share.map(|s| (s * 1e4).round() / 1e4),
            )
        })
        .collect()
}

async fn story(store: Arc<dyn Store>) {
    let ids = district::load(store.as_ref()).await;
    let svc = Service::new(Arc::clone(&store));
    let (a, b) = (SchoolId(ids.school_a), SchoolId(ids.school_b));
    let district_admin = viewer(Role::DistrictAdmin, Scope::District);
    let admin_a = viewer(Role::SchoolAdmin, Scope::School { school_id: a });
    let teacher = viewer(Role::Teacher, Scope::School { school_id: a });
    let parent = viewer(Role::Parent, Scope::School { school_id: a });

    // A definition with one option is refused before anything is stored.
    let mut bad = form();
    bad.items[1].kind = ItemKind::Single {
        options: vec!["承担".into()],
    };
    match survey::create_questionnaire(&svc, &district_admin, &bad, 1).await {
        Err(ServiceError::BadRequest(m)) => assert!(m.contains("2–20 个选项"), "{m}"),
        other => panic!("{other:?}"),
    }
    let q = survey::create_questionnaire(&svc, &district_admin, &form(), 1)
        .await
        .unwrap();
    survey::set_status(&svc, &district_admin, q, QuestionnaireStatus::Published)
        .await
        .unwrap();
    survey::create_link(&svc, &admin_a, q, (a, None), "tok-choice-a")
        .await
        .unwrap();

    // School A, 10 teachers through the link. C1: 6 承担, 3 不承担, 1 skipped (n = 9, under
    // the minimum of 10).
    // C2: 5 × {作业辅导, 体育}, 3 × {作业辅导}, 2 × {艺术} (n = 10): 8, 5, 2.
    for i in 0..10 {
        let c1 = match i {
            0..6 => Some(0),
            6..9 => Some(1),
            _ => None,
        };
        let c2: &[usize] = match i {
            0..5 => &[0, 1],
            5..8 => &[0],
            _ => &[2],
        };
        let t1 = match i {
            0 => Some(" 很好 "),
            1 => Some("希望多些体育"),
            _ => None,
        };
        survey::submit_with(&svc, "tok-choice-a", &likert(), &other(c1, c2, t1), 10 + i)
            .await
            .unwrap();
    }
    // School B, 9 teachers through one-time codes, each {体育}: under the minimum of 10.
    let codes = survey::issue_codes(&svc, &district_admin, q, b, None, 9, 5)
        .await
        .unwrap();
    for c in &codes {
        survey::submit_code_with(&svc, c, &likert(), &other(Some(0), &[1], None), 20)
            .await
            .unwrap();
    }

    // Refused, each with its reason, and nothing stored.
    let refusals = [
        (other(Some(0), &[5], None), "不在该题的 3 个选项之中"),
        (
            other(Some(0), &[0, 1, 2], None),
            "最多选 2 项，现在选了 3 项",
        ),
        (
            other(Some(0), &[0], Some("一二三四五六七八九十一")),
            "最多 10 字，现在是 11 字",
        ),
        (other(Some(0), &[], None), "必须作答"),
        (
            OtherAnswers {
                choices: vec![(1, vec![0, 1]), (2, vec![0])],
                texts: vec![],
            },
            "只能选一项",
        ),
    ];
    for (answers, why) in &refusals {
        match survey::submit_with(&svc, "tok-choice-a", &likert(), answers, 99).await {
            Err(ServiceError::BadRequest(m)) => {
                assert!(m.contains(why), "{m}");
                assert!(m.contains("第 "), "the item is named: {m}");
            }
            other => panic!("{why}: {other:?}"),
        }
    }
    // A 5-point answer given to a choice item is refused too.
    let mut wrong = likert();
    wrong[2] = Answer::Point(5);
    assert!(matches!(
        survey::submit_with(&svc, "tok-choice-a", &wrong, &other(None, &[0], None), 99).await,
        Err(ServiceError::BadRequest(_))
    ));

    let r = survey::survey_results(&svc, &district_admin, q)
        .await
        .unwrap();
    let unit = |kind: UnitKind, school: Option<i64>| {
        r.units
            .iter()
            .find(|u| u.kind == kind && (school.is_none() || u.school_id == school))
            .unwrap()
    };
    let ua = unit(UnitKind::School, Some(a.0));
    assert_eq!(ua.responses, 10, "nothing of the refused answers is stored");
    // Only the 5-point item is among the items; the choice items are apart.
    assert_eq!(ua.items.len(), 1);
    assert_eq!(ua.choices.len(), 2);
    let (c1, c2) = (&ua.choices[0], &ua.choices[1]);
    // Valid n is who answered the item: 9 of the school's 10 answered C1, under the minimum.
    assert_eq!((c1.n, c1.multiple, c1.suppressed), (9, false, true));
    assert_eq!(shares(c1), [("承担", None, None), ("不承担", None, None)]);
    assert_eq!((c2.n, c2.multiple), (10, true));
    assert_eq!(
        shares(c2),
        [
            ("作业辅导", Some(8), Some(0.8)),
            ("体育", Some(5), Some(0.5)),
            ("艺术", Some(2), Some(0.2))
        ]
    );
    let sum: f64 = c2.options.iter().filter_map(|o| o.share).sum();
    assert!(sum > 1.0, "multiple choice shares sum past 100 %: {sum}");
    // School B: 9 respondents, under the minimum of 10 teachers: n only.
    let ub = unit(UnitKind::School, Some(b.0));
    assert_eq!(ub.responses, 9);
    assert!(ub.choices.iter().all(|c| c.suppressed && c.n == 9));
    assert!(
        ub.choices[1]
            .options
            .iter()
            .all(|o| o.count.is_none() && o.share.is_none())
    );
    // The district pools both: C2 n = 19, 体育 5 + 9 = 14.
    let d = unit(UnitKind::District, None);
    assert_eq!(d.choices[1].n, 19);
    assert_eq!(d.choices[1].options[1].count, Some(14));
    // C1 in the district: 6 + 9 = 15 承担 and 3 不承担 of 18.
    assert_eq!(d.choices[0].n, 18);
    assert_eq!(
        shares(&d.choices[0]),
        [
            ("承担", Some(15), Some(0.8333)),
            ("不承担", Some(3), Some(0.1667))
        ]
    );

    // The XLSX has a sheet of the choice items.
    let f = survey::results_xlsx(&r).unwrap();
    let mut wb = Xlsx::new(std::io::Cursor::new(f.bytes)).unwrap();
    let sheet = wb.worksheet_range("选择题").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => i.to_string(),
                    _ => String::new(),
                })
                .collect()
        })
        .collect();
    let school_a = &r
        .units
        .iter()
        .find(|u| u.school_id == Some(a.0))
        .unwrap()
        .name;
    assert!(
        rows.iter().any(|row| row.first() == Some(school_a)
            && row.get(1).map(String::as_str) == Some("C2")
            && row.get(5).map(String::as_str) == Some("作业辅导")
            && row.get(6).map(String::as_str) == Some("8")),
        "{rows:?}"
    );

    // Free text: never for a teacher or a parent, the school's admin sees their school's, and
    // every read is audited.
    for v in [&teacher, &parent] {
        assert!(matches!(
            survey::survey_texts(&svc, v, &who("t"), q).await,
            Err(ServiceError::Forbidden)
        ));
    }
    let texts = survey::survey_texts(&svc, &admin_a, &who("school-a"), q)
        .await
        .unwrap();
    let got: Vec<&str> = texts.lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(got, ["很好", "希望多些体育"]);
    assert!(texts.lines.iter().all(|l| l.item_code == "T1"));
    let admin_b = viewer(Role::SchoolAdmin, Scope::School { school_id: b });
    let none = survey::survey_texts(&svc, &admin_b, &who("school-b"), q)
        .await
        .unwrap();
    assert!(none.lines.is_empty());
    let log = store.list_audit(50).await.unwrap();
    let reads: Vec<_> = log
        .iter()
        .filter(|e| e.entry.action == "read_survey_texts")
        .collect();
    assert!(
        reads.iter().any(|e| e.entry.username == "school-a"
            && e.entry.entity == format!("survey_text:{q}")
            && e.entry.school_id == Some(a)),
        "{reads:?}"
    );
    assert!(
        !reads.iter().any(|e| e.entry.username == "t"),
        "refused reads are not reads"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn choices_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    story(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn choices_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        story(Arc::clone(&db.store)).await;
    }
}
