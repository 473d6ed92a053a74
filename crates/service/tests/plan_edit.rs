//! Editing the plan (issue 11): the district admin changes a target's yearly values, unit and
//! units; bad values are refused in Chinese with nothing written; the verdicts follow the new
//! target; the audit log holds the old and new values. With the testkit district (1 of 6
//! screened students myopic), on both backends.
use std::sync::Arc;

use wuyu_domain::{AdminToken, Role, SchoolId, Scope, User, UserId, Viewer};
use wuyu_monitor::indicator::Verdict;
use wuyu_monitor::plan::{AppliesTo, TargetCell, UnitKind};
use wuyu_service::audit::Requester;
use wuyu_service::file::UploadedFile;
use wuyu_service::import::ImportActor;
use wuyu_service::plan::{PlanEdit, edit_indicator, import_plan, plan, plan_status};
use wuyu_service::{Service, ServiceError};
use wuyu_store::Store;

const PLAN: &str = "indicator,unit,target_2024,target_2025,comparator,scope\n\
    总体近视率,% of screened students,,20,<=,district\n\
    市级文明校园,schools,20+2,25,>=,district\n";

fn viewer(role: Role, scope: Scope) -> Viewer {
    Viewer::new(
        User {
            id: UserId(1),
            username: "editor".into(),
            display_name: "u".into(),
            role,
            school_id: scope.school_id(),
            teacher_id: None,
            student_id: None,
        },
        scope,
    )
}

fn edit(unit: &str, scope: &str, t2024: &str, t2025: &str) -> PlanEdit {
    PlanEdit {
        unit: unit.into(),
        scope: scope.into(),
        targets: vec![(2024, t2024.into()), (2025, t2025.into())],
    }
}

fn refused(r: Result<impl std::fmt::Debug, ServiceError>) -> String {
    match r {
        Err(ServiceError::BadRequest(m)) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn story(store: Arc<dyn Store>) {
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let svc = Service::new(store);
    let file = UploadedFile::new("plan.csv", PLAN.as_bytes().to_vec());
    import_plan(&svc, &ImportActor::Operator("t".into()), &file)
        .await
        .unwrap();
    let before = plan(&svc).await.unwrap();
    let myopia = before.indicators[0].key.clone();
    let civil = before.indicators[1].key.clone();
    let admin = viewer(Role::DistrictAdmin, Scope::District);
    let who = Requester::user(&admin.user, "127.0.0.1");
    let district_verdict = |s: &wuyu_service::plan::PlanStatus| {
        s.lines
            .iter()
            .find(|l| l.key == myopia && l.unit.kind == "district")
            .map(|l| (l.verdict, l.value))
            .unwrap()
    };
    let s = plan_status(&svc, &admin, Some(2025), None).await.unwrap();
    assert_eq!(district_verdict(&s), (Verdict::Met, Some(16.7)));

    // Refused, in Chinese, nothing written: a rate of 130, words for a computed target, an
    // unknown scope, an empty unit; and by role.
    let m = refused(
        edit_indicator(
            &svc,
            &admin,
            &who,
            &myopia,
            &edit("% of screened students", "district", "", "130"),
        )
        .await,
    );
    assert!(
        m.contains("2025 年目标“130”") && m.contains("0 到 100"),
        "{m}"
    );
    let m = refused(
        edit_indicator(
            &svc,
            &admin,
            &who,
            &myopia,
            &edit("% of screened students", "district", "很多", "20"),
        )
        .await,
    );
    assert!(m.contains("2024 年目标“很多”"), "{m}");
    let m = refused(
        edit_indicator(
            &svc,
            &admin,
            &who,
            &civil,
            &edit("schools", "火星", "", "25"),
        )
        .await,
    );
    assert!(m.contains("适用范围") && m.contains("火星"), "{m}");
    assert!(
        refused(edit_indicator(&svc, &admin, &who, &civil, &edit(" ", "district", "", "25")).await)
            .contains("单位")
    );
    for v in [
        viewer(Role::DistrictAnalyst, Scope::District),
        viewer(
            Role::SchoolAdmin,
            Scope::School {
                school_id: SchoolId(ids.school_a),
            },
        ),
    ] {
        assert!(matches!(
            edit_indicator(
                &svc,
                &v,
                &who,
                &civil,
                &edit("schools", "district", "", "30")
            )
            .await,
            Err(ServiceError::Forbidden)
        ));
    }
    assert!(matches!(
        edit_indicator(
            &svc,
            &admin,
            &who,
            "plan.none",
            &edit("schools", "district", "", "30")
        )
        .await,
        Err(ServiceError::NotFound)
    ));
    assert_eq!(plan(&svc).await.unwrap(), before);

    // The 近视率 ceiling tightened to 10 %: the district's 16.7 % now misses it.
    let (_, changed) = edit_indicator(
        &svc,
        &admin,
        &who,
        &myopia,
        &edit("% of screened students", "district", "", "10"),
    )
    .await
    .unwrap();
    assert_eq!(changed, "2025年目标: 20 → 10");
    let s = plan_status(&svc, &admin, Some(2025), None).await.unwrap();
    assert_eq!(district_verdict(&s), (Verdict::NotMet, Some(16.7)));

    // 市级文明校园: a new unit, judged for every school, targets changed.
    edit_indicator(
        &svc,
        &admin,
        &who,
        &civil,
        &edit("所", "per school", "20", "30"),
    )
    .await
    .unwrap();
    let after = plan(&svc).await.unwrap();
    let c = after.indicator(&civil).unwrap();
    assert_eq!(
        (c.unit.as_str(), c.kind, c.scope.as_str()),
        ("所", UnitKind::Count, "per school")
    );
    assert_eq!(
        c.applies_to,
        vec![AppliesTo::EachSchool {
            location: None,
            stage: None
        }]
    );
    assert_eq!(c.targets[&2024], TargetCell::Number(20.0));
    assert_eq!(c.targets[&2025], TargetCell::Number(30.0));
    assert_eq!(c.name, "市级文明校园", "other fields are kept");
    let s = plan_status(&svc, &admin, Some(2025), Some(&civil))
        .await
        .unwrap();
    assert_eq!(s.lines.len(), 2, "one line per school now");
    // Saving the same values again writes nothing.
    let (_, changed) = edit_indicator(
        &svc,
        &admin,
        &who,
        &civil,
        &edit("所", "per school", "20", "30"),
    )
    .await
    .unwrap();
    assert!(changed.is_empty());

    // Audited with the old and new values.
    let token: AdminToken = admin.admin_token().unwrap();
    let log = wuyu_service::audit::list(&svc, token, 50).await.unwrap();
    let edits: Vec<&str> = log
        .iter()
        .filter(|r| r.entry.action == "plan_edit")
        .map(|r| r.entry.detail.as_str())
        .collect();
    assert_eq!(
        edits,
        vec![
            "市级文明校园: 单位: schools → 所; 范围: district → per school; 2024年目标: 20+2 → 20; 2025年目标: 25 → 30",
            "总体近视率: 2025年目标: 20 → 10",
        ]
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
