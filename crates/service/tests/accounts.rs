//! 账号管理 on both backends: who may reset whose password, and what a reset does.
use std::sync::Arc;

use wuyu_domain::{Location, Role, RosterBatch, SchoolId, Scope, Sex, Stage, User, Viewer};
use wuyu_service::accounts;
use wuyu_service::{Service, ServiceError};
use wuyu_store::{ImportMeta, NewUser, Store};

async fn two_schools(store: &dyn Store) -> (SchoolId, SchoolId) {
    use wuyu_testkit::district::{class, school, student};
    let mut roster = RosterBatch::default();
    for (code, name) in [("N01", "北校"), ("S01", "南校")] {
        roster
            .schools
            .push(school(code, name, Stage::Junior, Location::Urban, None));
        roster.classes.push(class(code, 7, "1班"));
        roster.students.push(student(
            code,
            7,
            "1班",
            &format!("{code}2024000001"),
            "学生甲",
            Sex::Male,
            time::macros::date!(2013 - 03 - 01),
            None,
        ));
    }
    let meta = ImportMeta {
        username: "tester".into(),
        file_name: "roster.xlsx".into(),
        file_sha256: "cd".repeat(32),
        at: 1_700_000_000,
    };
    store.import_roster(&roster, &meta).await.unwrap();
    (
        store.school_by_code("N01").await.unwrap().unwrap(),
        store.school_by_code("S01").await.unwrap().unwrap(),
    )
}

async fn account(store: &dyn Store, username: &str, role: Role, school: Option<SchoolId>) -> User {
    let id = store
        .create_user(&NewUser {
            username: username.into(),
            display_name: username.into(),
            role,
            password_hash: "$argon2id$chosen".into(),
            school_id: school,
            teacher_id: None,
            student_id: None,
        })
        .await
        .unwrap();
    store.user(id).await.unwrap()
}

async fn resets_reach_only_the_callers_accounts(store: Arc<dyn Store>) {
    let (north, south) = two_schools(store.as_ref()).await;
    let svc = Service::new(Arc::clone(&store));
    let district = account(store.as_ref(), "district", Role::DistrictAdmin, None).await;
    let admin_n = account(store.as_ref(), "admin-n", Role::SchoolAdmin, Some(north)).await;
    let teacher_n = account(store.as_ref(), "teacher-n", Role::Counsellor, Some(north)).await;
    let teacher_s = account(store.as_ref(), "teacher-s", Role::Counsellor, Some(south)).await;
    let analyst = account(store.as_ref(), "analyst", Role::DistrictAnalyst, None).await;

    let as_district = Viewer::new(district.clone(), Scope::District);
    let as_admin_n = Viewer::new(admin_n.clone(), Scope::School { school_id: north });
    let as_teacher = Viewer::new(teacher_n.clone(), Scope::Counsellor { school_id: north });

    // The lists: the district sees every account, a school admin their school's.
    let all = accounts::managed_accounts(&svc, &as_district)
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
    let mine: Vec<String> = accounts::managed_accounts(&svc, &as_admin_n)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.user.username)
        .collect();
    assert_eq!(mine, ["admin-n", "teacher-n"]);
    assert!(matches!(
        accounts::managed_accounts(&svc, &as_teacher).await,
        Err(ServiceError::Forbidden)
    ));

    // A school admin resets their school's accounts, not another school's nor the district's.
    let reset = accounts::reset_password(&svc, &as_admin_n, teacher_n.id, "$argon2id$once")
        .await
        .unwrap();
    assert_eq!(reset.username, "teacher-n");
    let creds = store.user_credentials("teacher-n").await.unwrap().unwrap();
    assert!(creds.must_change_password);
    assert_eq!(creds.password_hash, "$argon2id$once");
    for other in [&teacher_s, &analyst, &district] {
        assert!(
            matches!(
                accounts::reset_password(&svc, &as_admin_n, other.id, "$argon2id$x").await,
                Err(ServiceError::Forbidden)
            ),
            "{}",
            other.username
        );
        let creds = store
            .user_credentials(&other.username)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(creds.password_hash, "$argon2id$chosen", "unchanged");
    }
    assert!(matches!(
        accounts::reset_password(&svc, &as_teacher, teacher_n.id, "$argon2id$x").await,
        Err(ServiceError::Forbidden)
    ));
    // The district resets anyone.
    accounts::reset_password(&svc, &as_district, teacher_s.id, "$argon2id$once")
        .await
        .unwrap();
    assert!(
        store
            .user_credentials("teacher-s")
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );

    // Changing one's own password clears the one-time flag.
    let as_teacher_s = Viewer::new(teacher_s.clone(), Scope::Counsellor { school_id: south });
    accounts::change_own_password(&svc, &as_teacher_s, "$argon2id$new")
        .await
        .unwrap();
    let creds = store.user_credentials("teacher-s").await.unwrap().unwrap();
    assert!(!creds.must_change_password);
    assert_eq!(creds.password_hash, "$argon2id$new");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    let db = wuyu_testkit::sqlite().await;
    resets_reach_only_the_callers_accounts(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        resets_reach_only_the_callers_accounts(Arc::clone(&db.store)).await;
    }
}
