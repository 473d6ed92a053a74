//! The plan's status (issue 11, step 2): every target × unit of a year judged through the
//! indicator sources, for the district and every school. With the testkit district (school A,
//! urban junior: 1 of 4 screened students myopic; school B, rural primary: 0 of 2), on both
//! backends: a school that meets and one that misses the 近视率 target, a reported target with
//! no value (待填报), a computed one without data (无数据), and what each role sees.
use std::sync::Arc;

use wuyu_domain::{Role, SchoolId, Scope, User, UserId, Viewer};
use wuyu_monitor::indicator::Verdict;
use wuyu_service::file::UploadedFile;
use wuyu_service::import::ImportActor;
use wuyu_service::plan::{StatusLine, by_gap, import_plan, plan_status};
use wuyu_service::{Service, ServiceError};
use wuyu_store::Store;

const PLAN: &str = "indicator,unit,target_2024,target_2025,comparator,scope\n\
    总体近视率,% of screened students,,20,<=,district and per school\n\
    市级文明校园,schools,,25,>=,district\n\
    城区初中中考及格率,% of students sitting,55,60,>=,each named urban junior school\n\
    体质健康优秀率,% of tested students,,,>=,district\n";

fn viewer(role: Role, scope: Scope) -> Viewer {
    Viewer::new(
        User {
            id: UserId(1),
            username: "u".into(),
            display_name: "u".into(),
            role,
            school_id: scope.school_id(),
            teacher_id: None,
            student_id: None,
        },
        scope,
    )
}

/// Lines as (indicator, unit, verdict, value, n, gap).
type Row = (
    String,
    String,
    Verdict,
    Option<f64>,
    Option<u64>,
    Option<f64>,
);

fn rows(lines: &[StatusLine]) -> Vec<Row> {
    lines
        .iter()
        .map(|l| {
            (
                l.name.clone(),
                l.unit.label.clone(),
                l.verdict,
                l.value,
                l.n,
                l.gap,
            )
        })
        .collect()
}

async fn story(store: Arc<dyn Store>) {
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let svc = Service::new(store);
    let file = UploadedFile::new("plan.csv", PLAN.as_bytes().to_vec());
    let out = import_plan(&svc, &ImportActor::Operator("t".into()), &file)
        .await
        .unwrap();
    assert!(out.imported().is_some(), "{:?}", out.errors());

    let district = viewer(Role::DistrictAnalyst, Scope::District);
    // 2025 = the 2024–2025 school year, the fixture's latest fitness term (autumn 2024).
    let s = plan_status(&svc, &district, Some(2025), None)
        .await
        .unwrap();
    assert_eq!(s.year, 2025);
    assert_eq!(s.years, vec![2024, 2025]);
    assert_eq!(s.without_target, 1, "体质健康优秀率 has no 2025 target");
    let myopia = "总体近视率".to_string();
    assert_eq!(
        rows(&s.lines),
        vec![
            // District: 1 of 6 screened = 16.7 % ≤ 20 %.
            (
                myopia.clone(),
                "全区".into(),
                Verdict::Met,
                Some(16.7),
                Some(6),
                Some(3.3)
            ),
            // School A: 1 of 4 = 25.0 %, 5 points above the ceiling.
            (
                myopia.clone(),
                "第一实验中学".into(),
                Verdict::NotMet,
                Some(25.0),
                Some(4),
                Some(-5.0)
            ),
            (
                myopia.clone(),
                "柳林小学".into(),
                Verdict::Met,
                Some(0.0),
                Some(2),
                Some(20.0)
            ),
            (
                "市级文明校园".into(),
                "全区".into(),
                Verdict::AwaitingReport,
                None,
                None,
                None
            ),
            // The named set 城区初中 is school A; no 中考 was stored.
            (
                "城区初中中考及格率".into(),
                "第一实验中学".into(),
                Verdict::NoData,
                None,
                None,
                None
            ),
        ]
    );
    let a = &s.lines[1];
    assert_eq!(a.value_text, "25.0%");
    assert_eq!(a.as_of.as_deref(), Some("2024–2025学年秋季学期"));

    // One target, schools furthest behind first.
    let mut t = plan_status(&svc, &district, Some(2025), Some(&s.lines[0].key))
        .await
        .unwrap();
    by_gap(&mut t.lines);
    let order: Vec<&str> = t.lines.iter().map(|l| l.unit.label.as_str()).collect();
    assert_eq!(order, vec!["第一实验中学", "全区", "柳林小学"]);

    // A school admin sees their own school's lines only.
    let school_a = viewer(
        Role::SchoolAdmin,
        Scope::School {
            school_id: SchoolId(ids.school_a),
        },
    );
    let own = plan_status(&svc, &school_a, Some(2025), None)
        .await
        .unwrap();
    assert_eq!(own.lines.len(), 2);
    assert!(
        own.lines
            .iter()
            .all(|l| l.unit.school_id == Some(ids.school_a))
    );

    // 2024: only the 中考 target has a value for the year.
    let y = plan_status(&svc, &district, Some(2024), None)
        .await
        .unwrap();
    assert_eq!(y.lines.len(), 1);
    assert_eq!(y.without_target, 3);

    // Refused: a role without ViewPlan; a year the plan has no column for; an unknown key.
    let teacher = viewer(
        Role::Teacher,
        Scope::School {
            school_id: SchoolId(ids.school_a),
        },
    );
    assert!(matches!(
        plan_status(&svc, &teacher, None, None).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        plan_status(&svc, &district, Some(2030), None).await,
        Err(ServiceError::BadRequest(_))
    ));
    assert!(matches!(
        plan_status(&svc, &district, None, Some("plan.nope")).await,
        Err(ServiceError::NotFound)
    ));

    // The small-cell rule: with a minimum of 5 the district's 6 are judged, while school A's
    // 4 and school B's 2 are 样本不足 — not judged, and only n is shown.
    let small = "indicator,unit,target_2025,comparator,scope,min_n\n\
                 总体近视率,% of screened students,20,<=,district and per school,5\n";
    import_plan(
        &svc,
        &ImportActor::Operator("t".into()),
        &UploadedFile::new("plan.csv", small.as_bytes().to_vec()),
    )
    .await
    .unwrap();
    let s = plan_status(&svc, &district, Some(2025), None)
        .await
        .unwrap();
    assert_eq!(
        rows(&s.lines),
        vec![
            (
                myopia.clone(),
                "全区".into(),
                Verdict::Met,
                Some(16.7),
                Some(6),
                Some(3.3)
            ),
            (
                myopia.clone(),
                "第一实验中学".into(),
                Verdict::TooFew,
                None,
                Some(4),
                None
            ),
            (
                myopia.clone(),
                "柳林小学".into(),
                Verdict::TooFew,
                None,
                Some(2),
                None
            ),
        ]
    );
    assert_eq!(s.lines[1].value_text, "样本不足");
    assert_eq!(s.lines[1].verdict_zh, "样本不足");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    let db = wuyu_testkit::sqlite().await;
    story(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        story(Arc::clone(&db.store)).await;
    }
}

/// School sets the district names (学校组): a target on 学校组:两校 is judged for no school
/// until the set is stored, then for each ticked school; a stored 城区初中 replaces the roster
/// rule; only the district admin stores sets, each change audited with before and after.
async fn school_sets(store: Arc<dyn Store>) {
    use wuyu_service::audit::Requester;
    use wuyu_service::plan::{school_sets, set_school_set};
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let svc = Service::new(Arc::clone(&store));
    let plan = "indicator,unit,target_2025,comparator,scope\n\
                总体近视率,% of screened students,20,<=,学校组:两校\n\
                城区初中中考及格率,% of students sitting,60,>=,城区初中\n";
    import_plan(
        &svc,
        &ImportActor::Operator("t".into()),
        &UploadedFile::new("plan.csv", plan.as_bytes().to_vec()),
    )
    .await
    .unwrap();
    let admin = viewer(Role::DistrictAdmin, Scope::District);
    let analyst = viewer(Role::DistrictAnalyst, Scope::District);
    let who = Requester::user(&admin.user, "127.0.0.1");
    let units = |s: &wuyu_service::plan::PlanStatus| {
        s.lines
            .iter()
            .map(|l| (l.name.clone(), l.unit.label.clone(), l.value))
            .collect::<Vec<_>>()
    };
    let (a, b) = (SchoolId(ids.school_a), SchoolId(ids.school_b));
    let s = plan_status(&svc, &analyst, Some(2025), None).await.unwrap();
    assert_eq!(
        units(&s),
        vec![
            ("总体近视率".into(), "学校组“两校”各校".into(), None),
            ("城区初中中考及格率".into(), "第一实验中学".into(), None),
        ]
    );
    // Who may store a set, and a name that cannot be one.
    assert!(matches!(
        set_school_set(&svc, &analyst, &who, "两校", &[a]).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        set_school_set(&svc, &admin, &who, "学校组:两校", &[a]).await,
        Err(ServiceError::BadRequest(m)) if m.contains("冒号")
    ));
    assert!(matches!(
        set_school_set(&svc, &admin, &who, "两校", &[SchoolId(999_999)]).await,
        Err(ServiceError::BadRequest(m)) if m.contains("999999")
    ));
    set_school_set(&svc, &admin, &who, "两校", &[a, b])
        .await
        .unwrap();
    set_school_set(&svc, &admin, &who, "城区初中", &[b])
        .await
        .unwrap();
    let s = plan_status(&svc, &analyst, Some(2025), None).await.unwrap();
    assert_eq!(
        units(&s),
        vec![
            ("总体近视率".into(), "第一实验中学".into(), Some(25.0)),
            ("总体近视率".into(), "柳林小学".into(), Some(0.0)),
            ("城区初中中考及格率".into(), "柳林小学".into(), None),
        ]
    );
    let sets = school_sets(&svc, &analyst).await.unwrap();
    let names: Vec<(&str, bool, usize)> = sets
        .iter()
        .map(|s| (s.name.as_str(), s.by_rule, s.members.len()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("两校", false, 2),
            ("城区初中", false, 1),
            ("其余初中", true, 0)
        ]
    );
    // Removing the stored 城区初中 brings the rule back.
    set_school_set(&svc, &admin, &who, "城区初中", &[])
        .await
        .unwrap();
    let s = plan_status(&svc, &analyst, Some(2025), None).await.unwrap();
    assert_eq!(s.lines[2].unit.label, "第一实验中学");
    let log = store.list_audit(100).await.unwrap();
    let details: Vec<&str> = log
        .iter()
        .filter(|e| e.entry.action == "plan_school_set")
        .map(|e| e.entry.detail.as_str())
        .collect();
    assert_eq!(details.len(), 3);
    assert!(
        details.contains(&" → 第一实验中学、柳林小学"),
        "{details:?}"
    );
    assert!(details.contains(&"第一实验中学 → 柳林小学"), "{details:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn school_sets_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    school_sets(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn school_sets_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        school_sets(Arc::clone(&db.store)).await;
    }
}
