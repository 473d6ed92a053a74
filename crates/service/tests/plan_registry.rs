//! The registry of designations (issue 11): a school enters an award with its evidence
//! (待审核, not yet counted), the district approves or returns it, the district's own entries
//! count at once, and the plan's counts of designations, shares of schools and school events
//! are judged from the approved items — by hand: 2 of 4 labour schools, 1 of 2 green schools,
//! school A held a sports day and school B did not. With the testkit district, both backends.
use std::sync::Arc;

use wuyu_domain::{Role, SchoolId, Scope, User, UserId, Viewer};
use wuyu_monitor::indicator::Verdict;
use wuyu_monitor::plan_report::ReportStatus;
use wuyu_service::audit::Requester;
use wuyu_service::file::UploadedFile;
use wuyu_service::import::ImportActor;
use wuyu_service::plan::{
    RegistryInput, Review, StatusLine, add_item, import_plan, item_evidence, items, plan_status,
    review_item,
};
use wuyu_service::{Service, ServiceError};
use wuyu_store::Store;

const PLAN: &str = "indicator,unit,target_2025,comparator,scope\n\
    创成市劳动特色学校,schools,4,>=,district\n\
    绿色学校覆盖,% of schools,100,>=,district\n\
    运动会或体育节,per school per year,1,>=,per school\n";

const PDF: &[u8] = b"%PDF-1.4 award document";

fn viewer(role: Role, scope: Scope) -> Viewer {
    Viewer::new(
        User {
            id: UserId(1),
            username: format!("{role:?}"),
            display_name: "u".into(),
            role,
            school_id: scope.school_id(),
            teacher_id: None,
            student_id: None,
        },
        scope,
    )
}

fn who(v: &Viewer) -> Requester {
    Requester::user(&v.user, "127.0.0.1")
}

fn entry(school: Option<i64>, kind: &str, level: &str, on: &str, file: bool) -> RegistryInput {
    RegistryInput {
        school: school.map(SchoolId),
        kind: kind.into(),
        level: level.into(),
        title: format!("{level}级{kind}"),
        awarded_on: on.into(),
        note: String::new(),
        evidence: file.then(|| UploadedFile::new("认定文件.pdf", PDF.to_vec())),
    }
}

fn line<'a>(lines: &'a [StatusLine], name: &str, unit: &str) -> &'a StatusLine {
    lines
        .iter()
        .find(|l| l.name == name && l.unit.label == unit)
        .unwrap_or_else(|| panic!("no line {name} / {unit}"))
}

fn bad(r: Result<impl std::fmt::Debug, ServiceError>) -> String {
    match r {
        Err(ServiceError::BadRequest(m)) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn story(store: Arc<dyn Store>) {
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let svc = Service::new(Arc::clone(&store));
    import_plan(
        &svc,
        &ImportActor::Operator("t".into()),
        &UploadedFile::new("plan.csv", PLAN.as_bytes().to_vec()),
    )
    .await
    .unwrap();
    let (a, b) = (ids.school_a, ids.school_b);
    let school = |id: i64| Scope::School {
        school_id: SchoolId(id),
    };
    let admin_a = viewer(Role::SchoolAdmin, school(a));
    let admin_b = viewer(Role::SchoolAdmin, school(b));
    let district = viewer(Role::DistrictAdmin, Scope::District);
    let analyst = viewer(Role::DistrictAnalyst, Scope::District);
    let teacher = viewer(Role::Teacher, school(a));

    // Bad entries are refused in Chinese, naming the value, and nothing is stored.
    let add = |v: &Viewer, e: RegistryInput| {
        let svc = &svc;
        let v = v.clone();
        async move { add_item(svc, &v, &who(&v), &e).await }
    };
    assert!(
        bad(add(
            &admin_a,
            entry(None, "劳动特色学校", "乡", "2024-10-01", true)
        )
        .await)
        .contains("“乡”")
    );
    assert!(
        bad(add(
            &admin_a,
            entry(None, "劳动特色学校", "市", "2024-13-01", true)
        )
        .await)
        .contains("2024-13-01")
    );
    assert!(
        bad(add(
            &admin_a,
            entry(None, "劳动特色学校", "市", "2099-01-01", true)
        )
        .await)
        .contains("晚于今天")
    );
    assert!(
        bad(add(
            &admin_a,
            entry(None, "劳动特色学校", "市", "2024-10-01", false)
        )
        .await)
        .contains("认定文件")
    );
    assert!(bad(add(&admin_a, entry(None, " ", "市", "2024-10-01", true)).await).contains("类型"));
    let mut exe = entry(None, "劳动特色学校", "市", "2024-10-01", false);
    exe.evidence = Some(UploadedFile::new("奖牌.exe", b"MZ".to_vec()));
    assert!(bad(add(&admin_a, exe).await).contains("奖牌.exe"));
    // Another school, a teacher and an analyst may not enter; nothing was written.
    for (v, s) in [(&admin_a, Some(b)), (&teacher, None), (&analyst, Some(a))] {
        assert!(matches!(
            add(v, entry(s, "劳动特色学校", "市", "2024-10-01", true)).await,
            Err(ServiceError::Forbidden)
        ));
    }
    assert!(items(&svc, &district).await.unwrap().is_empty());

    // School A's city labour school waits for review and does not count yet.
    let labour_a = add(
        &admin_a,
        entry(None, "劳动特色学校", "市级", "2024-10-01", true),
    )
    .await
    .unwrap();
    assert_eq!(labour_a.status, ReportStatus::Submitted);
    assert_eq!(labour_a.school_id, Some(SchoolId(a)));
    let s = plan_status(&svc, &analyst, Some(2025), None).await.unwrap();
    let l = line(&s.lines, "创成市劳动特色学校", "全区");
    assert_eq!((l.verdict, l.value), (Verdict::NotMet, Some(0.0)));

    // A school does not review; the district returns one with a reason, approves the other.
    assert!(matches!(
        review_item(
            &svc,
            &admin_a,
            &who(&admin_a),
            labour_a.id,
            &Review::Approve
        )
        .await,
        Err(ServiceError::Forbidden)
    ));
    let sports_b = add(
        &admin_b,
        entry(None, "运动会或体育节", "区", "2024-04-20", true),
    )
    .await
    .unwrap();
    let empty = Review::Return { reason: " ".into() };
    assert!(
        bad(review_item(&svc, &district, &who(&district), sports_b.id, &empty).await)
            .contains("退回理由")
    );
    let back = review_item(
        &svc,
        &district,
        &who(&district),
        sports_b.id,
        &Review::Return {
            reason: "运动会在上一学年举办".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(back.status, ReportStatus::Returned);
    review_item(
        &svc,
        &district,
        &who(&district),
        labour_a.id,
        &Review::Approve,
    )
    .await
    .unwrap();

    // The district's own entries are approved as entered: school B's city labour school, a
    // district-level one (not city: not counted), green school A, school A's sports day.
    for e in [
        entry(Some(b), "劳动特色学校", "市", "2025-03-01", false),
        entry(Some(b), "劳动特色学校", "区", "2025-03-01", false),
        entry(Some(a), "绿色学校", "市", "2023-06-01", false),
        entry(Some(a), "运动会或体育节", "区", "2024-11-08", false),
    ] {
        let it = add(&district, e).await.unwrap();
        assert_eq!(it.status, ReportStatus::Approved);
    }

    let s = plan_status(&svc, &analyst, Some(2025), None).await.unwrap();
    let got = |name: &str, unit: &str| {
        let l = line(&s.lines, name, unit);
        (l.verdict, l.value, l.gap)
    };
    // 2 city labour schools against 4.
    assert_eq!(
        got("创成市劳动特色学校", "全区"),
        (Verdict::NotMet, Some(2.0), Some(-2.0))
    );
    // 1 of the 2 schools is a green school (awarded before the year: held).
    assert_eq!(
        got("绿色学校覆盖", "全区"),
        (Verdict::NotMet, Some(50.0), Some(-50.0))
    );
    // School A held its sports day in 2024–2025; school B's was returned (and a year early).
    assert_eq!(got("运动会或体育节", "第一实验中学").0, Verdict::Met);
    assert_eq!(
        got("运动会或体育节", "柳林小学"),
        (Verdict::NotMet, Some(0.0), Some(-1.0))
    );
    assert!(
        line(&s.lines, "创成市劳动特色学校", "全区")
            .as_of
            .as_deref()
            .is_some_and(|a| a.contains("2024–2025学年名录"))
    );

    // Each school reads its own items and evidence only.
    let own_a = items(&svc, &admin_a).await.unwrap();
    assert_eq!(own_a.len(), 3);
    assert!(own_a.iter().all(|i| i.school_id == Some(SchoolId(a))));
    assert_eq!(
        item_evidence(&svc, &admin_a, labour_a.id)
            .await
            .unwrap()
            .bytes,
        PDF
    );
    assert!(matches!(
        item_evidence(&svc, &admin_a, sports_b.id).await,
        Err(ServiceError::Forbidden)
    ));
    assert_eq!(items(&svc, &district).await.unwrap().len(), 6);
    // Every entry and review is audited under its item.
    let log = store.list_audit(200).await.unwrap();
    let n = |action: &str| log.iter().filter(|e| e.entry.action == action).count();
    assert_eq!(
        (
            n("plan_registry_add"),
            n("plan_registry_approve"),
            n("plan_registry_return")
        ),
        (6, 1, 1)
    );
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
