//! 账号管理 on both backends: who may reset whose password, and what a reset does.
use std::sync::Arc;

use wuyu_domain::{Location, Role, RosterBatch, SchoolId, Scope, Sex, Stage, User, UserId, Viewer};
use wuyu_service::accounts;
use wuyu_service::{Service, ServiceError};
use wuyu_store::{ImportMeta, NewSession, NewUser, Store};

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

/// Teacher accounts and parents' binding codes from the fixture's roster (school A: teachers
/// T01, bound to teacher-a already, and T02; the child in 七年级 1班, another in 2班).
async fn bulk_accounts_and_parents(store: Arc<dyn Store>) {
    use wuyu_domain::{ClassId, StudentId};
    use wuyu_service::accounts::BindError;
    let ids = wuyu_testkit::district::load(store.as_ref()).await;
    let svc = Service::new(Arc::clone(&store));
    let (a, b) = (SchoolId(ids.school_a), SchoolId(ids.school_b));
    let district = store.user(UserId(ids.users["district"])).await.unwrap();
    let as_district = Viewer::new(district, Scope::District);
    let admin_b = store.user(UserId(ids.users["teacher-b"])).await.unwrap();
    let as_admin_b = Viewer::new(
        User {
            role: Role::SchoolAdmin,
            ..admin_b
        },
        Scope::School { school_id: b },
    );
    let hash = wuyu_testkit::cheap_hash;
    // What the web does: plan, hash the one-time passwords, open.
    let open = async |viewer: &Viewer| {
        let plan = accounts::plan_teacher_accounts(&svc, viewer, a).await?;
        let hashes = plan.accounts.iter().map(|p| hash(&p.password)).collect();
        accounts::open_teacher_accounts(&svc, viewer, &plan, hashes).await?;
        Ok::<_, ServiceError>((plan.accounts, plan.skipped))
    };

    // Teachers: T02 has no account yet; T01 has teacher-a's. School B's admin cannot open A's.
    assert!(matches!(
        open(&as_admin_b).await,
        Err(ServiceError::Forbidden)
    ));
    let (issued, skipped) = open(&as_district).await.unwrap();
    assert_eq!(
        issued
            .iter()
            .map(|i| i.username.as_str())
            .collect::<Vec<_>>(),
        ["T02"]
    );
    assert!(skipped.is_empty());
    assert_eq!(issued[0].display_name, "钱老师");
    let creds = store.user_credentials("T02").await.unwrap().unwrap();
    assert!(creds.must_change_password);
    assert_eq!(creds.user.role, Role::Teacher);
    assert_eq!(creds.password_hash, hash(&issued[0].password));
    let scope = store.scope_for(&creds.user).await.unwrap();
    assert!(matches!(scope, Scope::Classes { school_id, .. } if school_id == a));
    let (again, _) = open(&as_district).await.unwrap();
    assert!(again.is_empty(), "a second run opens nothing twice");

    // Binding codes per class: one per student, shown only on the sheet.
    let sheet1 = accounts::issue_binding_codes(&svc, &as_district, a, ClassId(ids.class_a7_1), 100)
        .await
        .unwrap();
    let sheet2 = accounts::issue_binding_codes(&svc, &as_district, a, ClassId(ids.class_a7_2), 100)
        .await
        .unwrap();
    assert_eq!(sheet1.class_name, "七年级1班");
    assert!(matches!(
        accounts::issue_binding_codes(&svc, &as_admin_b, a, ClassId(ids.class_a7_1), 100).await,
        Err(ServiceError::Forbidden)
    ));
    let child = store
        .student(&Scope::District, a, StudentId(ids.child))
        .await
        .unwrap();
    let other = store
        .student(&Scope::District, a, StudentId(ids.other_a))
        .await
        .unwrap();
    let code_of = |sheet: &accounts::BindingSheet, no: &str| {
        sheet
            .rows
            .iter()
            .find(|r| r.student_no == no)
            .unwrap()
            .code
            .clone()
    };
    let code1 = code_of(&sheet1, child.student_no.as_str());
    let code2 = code_of(&sheet2, other.student_no.as_str());
    assert_eq!(code1.len(), 8);

    let parent = |username: &str| NewUser {
        username: username.into(),
        display_name: "家长".into(),
        role: Role::Parent,
        password_hash: hash("parent-pass-1"),
        school_id: None,
        teacher_id: None,
        student_id: None,
    };
    // A wrong code, or another child's code, opens nothing.
    for (no, code) in [
        (child.student_no.as_str(), "AAAAAAAA"),
        (child.student_no.as_str(), code2.as_str()),
    ] {
        assert!(matches!(
            accounts::open_parent_account(&svc, no, code, parent("mum"), 200).await,
            Err(BindError::BadCode)
        ));
    }
    assert!(store.user_credentials("mum").await.unwrap().is_none());
    // The right one (any case) opens the account with the child, once.
    let mum = accounts::open_parent_account(
        &svc,
        child.student_no.as_str(),
        &code1.to_lowercase(),
        parent("mum"),
        200,
    )
    .await
    .unwrap();
    assert!(matches!(
        accounts::open_parent_account(&svc, child.student_no.as_str(), &code1, parent("dad"), 201)
            .await,
        Err(BindError::BadCode)
    ));
    let mum_user = store.user(mum).await.unwrap();
    assert_eq!(mum_user.student_id, Some(child.id));
    let mum_scope = store.scope_for(&mum_user).await.unwrap();
    let as_mum = Viewer::new(mum_user, mum_scope);
    // A second child with its own code; then both are hers.
    assert_eq!(
        accounts::add_child(&svc, &as_mum, other.student_no.as_str(), &code2, 300)
            .await
            .unwrap(),
        other.id
    );
    let kids: Vec<StudentId> = accounts::children(&svc, &as_mum)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.student_id)
        .collect();
    assert_eq!(kids.len(), 2);
    assert!(kids.contains(&child.id) && kids.contains(&other.id));

    // The session shows the chosen child; a child not hers cannot be chosen.
    store
        .create_session(&NewSession {
            token_hash: "t".repeat(64),
            user_id: mum,
            csrf_token: "c".into(),
            created_at: 1,
            expires_at: i64::MAX / 2,
        })
        .await
        .unwrap();
    let row = store.session(&"t".repeat(64), 2).await.unwrap().unwrap();
    assert_eq!(row.child, None, "the first child until another is chosen");
    accounts::choose_child(&svc, &as_mum, &"t".repeat(64), other.id)
        .await
        .unwrap();
    let row = store.session(&"t".repeat(64), 2).await.unwrap().unwrap();
    assert_eq!(row.child, Some((a, other.id)));
    assert!(matches!(
        accounts::choose_child(&svc, &as_mum, &"t".repeat(64), StudentId(ids.student_b)).await,
        Err(ServiceError::Forbidden)
    ));

    // Issuing a class's codes again voids the earlier ones.
    let sheet1b =
        accounts::issue_binding_codes(&svc, &as_district, a, ClassId(ids.class_a7_1), 400)
            .await
            .unwrap();
    let fresh: Vec<&str> = sheet1b.rows.iter().map(|r| r.code.as_str()).collect();
    let old_unused: Vec<&accounts::BindingCodeRow> = sheet1
        .rows
        .iter()
        .filter(|r| r.student_no != child.student_no.as_str())
        .collect();
    if let Some(r) = old_unused.first() {
        assert!(!fresh.contains(&r.code.as_str()));
        assert!(matches!(
            accounts::open_parent_account(&svc, &r.student_no, &r.code, parent("gran"), 500).await,
            Err(BindError::BadCode)
        ));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    bulk_accounts_and_parents(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        bulk_accounts_and_parents(Arc::clone(&db.store)).await;
    }
}
