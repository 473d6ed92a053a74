//! The roster read models' scope rules and the admin token of the account operations, on both
//! backends (testkit's harness: without `WUYU_TEST_PG_URL` the PostgreSQL half is skipped,
//! under `CI=true` it fails).
use std::collections::BTreeSet;
use std::sync::Arc;

use wuyu_domain::{
    AdminToken, ClassId, Location, Role, RosterBatch, SchoolId, Scope, Sex, Stage, StudentId, User,
    UserId, Viewer,
};
use wuyu_service::accounts::{self, AccountError, AccountSpec};
use wuyu_service::{Service, ServiceError, roster, settings};
use wuyu_store::{ImportMeta, NewSession, Store};

/// 北校 with 七年级 1班 (3 students) and 2班 (2), 南校 with 七年级 1班 (2).
const CLASSES: [(&str, &str, usize); 3] = [("N01", "1班", 3), ("N01", "2班", 2), ("S01", "1班", 2)];

async fn fill(store: &dyn Store) {
    use wuyu_testkit::district::{class, school, student};
    let mut roster = RosterBatch::default();
    for (code, name) in [("N01", "北校"), ("S01", "南校")] {
        roster
            .schools
            .push(school(code, name, Stage::Junior, Location::Urban, None));
    }
    for (c, (code, name, n)) in CLASSES.iter().enumerate() {
        roster.classes.push(class(code, 7, name));
        for i in 0..*n {
            roster.students.push(student(
                code,
                7,
                name,
                &format!("{code}{c}0{i:02}"),
                &format!("学生{c}{i}"),
                Sex::Female,
                time::macros::date!(2013 - 03 - 01),
                None,
            ));
        }
    }
    let meta = ImportMeta {
        username: "tester".into(),
        file_name: "roster.xlsx".into(),
        file_sha256: "ab".repeat(32),
        at: 1_700_000_000,
    };
    store.import_roster(&roster, &meta).await.unwrap();
}

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

fn forbidden<T: std::fmt::Debug>(r: Result<T, ServiceError>) -> bool {
    matches!(r, Err(ServiceError::Forbidden))
}

async fn roster_scopes(svc: &Service, store: &dyn Store) {
    let north = store.school_by_code("N01").await.unwrap().unwrap();
    let south = store.school_by_code("S01").await.unwrap().unwrap();
    let analyst = viewer(Role::DistrictAnalyst, Scope::District);

    // The district home page counts every school, class and student.
    let home = roster::district_home(svc, &analyst).await.unwrap();
    assert_eq!(home.schools.len(), 2);
    assert_eq!(home.cells.iter().map(|c| c.students).sum::<i64>(), 7);
    assert_eq!(home.cells.iter().map(|c| c.classes).sum::<i64>(), 3);

    // An analyst sees a school's classes and teacher assignments, but no ID numbers.
    let page = roster::school_view(svc, &analyst, north).await.unwrap();
    assert_eq!(page.school.name, "北校");
    assert_eq!(page.classes.len(), 2);
    assert!(page.assignments.is_some());
    let class_of = |name: &str| -> ClassId {
        page.classes
            .iter()
            .find(|c| c.class.name == name)
            .unwrap()
            .class
            .id
    };
    let (c1, c2) = (class_of("1班"), class_of("2班"));
    let class = roster::class_view(svc, &analyst, north, c1).await.unwrap();
    assert_eq!(class.students.len(), 3);
    assert!(!class.shows_id_numbers);
    assert!(matches!(
        roster::school_view(svc, &analyst, SchoolId(999_999)).await,
        Err(ServiceError::NotFound)
    ));

    // A school admin of 南校: their school only, with ID numbers.
    let south_admin = viewer(Role::SchoolAdmin, Scope::School { school_id: south });
    let schools = roster::schools(svc, &south_admin).await.unwrap();
    assert_eq!(
        schools
            .iter()
            .map(|s| s.school.name.as_str())
            .collect::<Vec<_>>(),
        ["南校"]
    );
    assert!(forbidden(
        roster::school_view(svc, &south_admin, north).await
    ));
    assert!(forbidden(
        roster::class_view(svc, &south_admin, north, c1).await
    ));
    let own = roster::school_view(svc, &south_admin, south).await.unwrap();
    let own_class = roster::class_view(svc, &south_admin, south, own.classes[0].class.id)
        .await
        .unwrap();
    assert!(own_class.shows_id_numbers);
    assert_eq!(own_class.students.len(), 2);

    // A teacher of 北校 1班: that class only, no assignments table.
    let teacher = viewer(
        Role::Teacher,
        Scope::Classes {
            school_id: north,
            class_ids: BTreeSet::from([c1]),
        },
    );
    let page = roster::school_view(svc, &teacher, north).await.unwrap();
    assert_eq!(page.classes.len(), 1);
    assert!(page.assignments.is_none());
    assert!(forbidden(
        roster::class_view(svc, &teacher, north, c2).await
    ));
    let (_, students) = roster::school_students(svc, &teacher, north).await.unwrap();
    assert_eq!(students.len(), 3);

    // A parent: their own child and the child's class name, nobody else, no class list.
    let child: StudentId = students[0].id;
    let other: StudentId = students[1].id;
    let parent = viewer(
        Role::Parent,
        Scope::Parent {
            school_id: north,
            student_ids: BTreeSet::from([child]),
        },
    );
    let (school, s) = roster::student(svc, &parent, north, child).await.unwrap();
    assert_eq!((school.name.as_str(), s.id), ("北校", child));
    assert!(forbidden(roster::student(svc, &parent, north, other).await));
    assert!(forbidden(roster::class_view(svc, &parent, north, c1).await));
    let class = roster::class_of_student(svc, &parent, north, child)
        .await
        .unwrap();
    assert_eq!(class.map(|c| c.name), Some("1班".to_string()));
}

async fn accounts_need_the_admin_token(svc: &Service) {
    // Only a district admin with the district scope gets the token; an analyst does not, so
    // an analyst cannot list, create or (de)activate users through the service.
    let analyst = viewer(Role::DistrictAnalyst, Scope::District);
    assert!(analyst.admin_token().is_none());
    let school_admin = viewer(
        Role::SchoolAdmin,
        Scope::School {
            school_id: SchoolId(1),
        },
    );
    assert!(school_admin.admin_token().is_none());
    let admin = viewer(Role::DistrictAdmin, Scope::District)
        .admin_token()
        .expect("a district admin holds the admin token");

    let spec = AccountSpec {
        username: "analyst.li".into(),
        display_name: "李分析".into(),
        role: Some(Role::DistrictAnalyst),
        password: "long-enough-password".into(),
        ..Default::default()
    };
    let mut new = accounts::resolve(svc, admin, &spec).await.unwrap();
    new.password_hash = "not-a-real-hash".into();
    let id = accounts::create_user(svc, admin, &new).await.unwrap();
    assert!(matches!(
        accounts::create_user(svc, AdminToken::operator(), &new).await,
        Err(ServiceError::Conflict(_))
    ));
    let short = AccountSpec {
        password: "short".into(),
        ..spec.clone()
    };
    assert!(matches!(
        accounts::resolve(svc, admin, &short).await,
        Err(AccountError::Invalid(_))
    ));
    let users = accounts::list_users(svc, admin).await.unwrap();
    assert!(users.iter().any(|u| u.user.id == id && u.active));

    // Deactivated accounts show so at sign-in; a session is found until deleted.
    accounts::set_user_active(svc, admin, id, false)
        .await
        .unwrap();
    let creds = accounts::credentials(svc, "analyst.li")
        .await
        .unwrap()
        .unwrap();
    assert!(!creds.active);
    accounts::set_user_active(svc, admin, id, true)
        .await
        .unwrap();
    assert_eq!(
        accounts::sign_in_scope(svc, &creds.user).await.unwrap(),
        Ok(Scope::District)
    );
    let session = NewSession {
        token_hash: "f".repeat(64),
        user_id: id,
        csrf_token: "csrf".into(),
        created_at: 1_000,
        expires_at: 2_000,
    };
    accounts::create_session(svc, &session).await.unwrap();
    let found = accounts::session(svc, &session.token_hash, 1_500)
        .await
        .unwrap();
    assert_eq!(found.map(|s| s.user.id), Some(id));
    accounts::delete_session(svc, &session.token_hash)
        .await
        .unwrap();
    assert!(
        accounts::session(svc, &session.token_hash, 1_500)
            .await
            .unwrap()
            .is_none()
    );

    // Typed settings round-trip.
    let mut s = settings::district_settings(svc).await.unwrap();
    assert!(!s.hide_ranks);
    s.hide_ranks = true;
    settings::set_district_settings(svc, admin, &s)
        .await
        .unwrap();
    assert!(settings::district_settings(svc).await.unwrap().hide_ranks);
}

async fn story(store: Arc<dyn Store>) {
    fill(store.as_ref()).await;
    let svc = Service::new(Arc::clone(&store));
    roster_scopes(&svc, store.as_ref()).await;
    accounts_need_the_admin_token(&svc).await;
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
