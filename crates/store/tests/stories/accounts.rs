//! Users, sessions, scopes and the audit log.
use super::*;

story!(users_sessions_and_scopes);
async fn users_sessions_and_scopes(store: &dyn Store) {
    store
        .import_roster(&batch(), &meta("r.xlsx"))
        .await
        .unwrap();
    let a = school_id(store, "A001").await;
    let teacher_id = store.list_assignments(&Scope::District, a).await.unwrap()[0].teacher_id;
    let new = |username: &str, role| NewUser {
        username: username.into(),
        display_name: format!("{username} 显示名"),
        role,
        password_hash: "$argon2id$fake".into(),
        school_id: role.needs_school().then_some(a),
        teacher_id: (role == Role::Teacher).then_some(teacher_id),
        student_id: (role == Role::Parent).then_some(StudentId(1)),
    };
    let admin = store
        .create_user(&new("admin", Role::DistrictAdmin))
        .await
        .unwrap();
    let t = store
        .create_user(&new("teacher", Role::Teacher))
        .await
        .unwrap();
    assert_ne!(admin, t);
    assert!(matches!(
        store.create_user(&new("admin", Role::Parent)).await,
        Err(StoreError::Conflict(_))
    ));

    let creds = store.user_credentials("teacher").await.unwrap().unwrap();
    assert_eq!(creds.password_hash, "$argon2id$fake");
    assert!(creds.active);
    assert_eq!(creds.user.teacher_id, Some(teacher_id));
    assert!(store.user_credentials("nobody").await.unwrap().is_none());

    // The teacher's scope is the classes of their assignments.
    let scope = store.scope_for(&creds.user).await.unwrap();
    let Scope::Classes {
        school_id,
        class_ids,
    } = &scope
    else {
        panic!("teacher scope: {scope:?}");
    };
    assert_eq!(*school_id, a);
    assert_eq!(class_ids.len(), 1);
    let admin_user: User = store.user(admin).await.unwrap();
    assert_eq!(store.scope_for(&admin_user).await.unwrap(), Scope::District);

    // Sessions: live until they expire, gone after logout or deactivation.
    let session = |hash: &str, exp| NewSession {
        token_hash: hash.into(),
        user_id: t,
        csrf_token: "csrf".into(),
        created_at: 100,
        expires_at: exp,
    };
    store.create_session(&session("h1", 1000)).await.unwrap();
    store.create_session(&session("h2", 200)).await.unwrap();
    let live = store.session("h1", 150).await.unwrap().unwrap();
    assert_eq!(live.user.username, "teacher");
    assert_eq!(live.csrf_token, "csrf");
    assert!(
        store.session("h1", 1000).await.unwrap().is_none(),
        "expired"
    );
    assert_eq!(store.delete_expired_sessions(500).await.unwrap(), 1);
    store.delete_session("h1").await.unwrap();
    assert!(store.session("h1", 150).await.unwrap().is_none());

    store.create_session(&session("h3", 1000)).await.unwrap();
    store.set_user_active(t, false).await.unwrap();
    assert!(store.session("h3", 150).await.unwrap().is_none());
    assert!(
        !store
            .user_credentials("teacher")
            .await
            .unwrap()
            .unwrap()
            .active
    );
    store.set_user_active(t, true).await.unwrap();
    store.set_password(t, "$argon2id$new").await.unwrap();
    assert_eq!(
        store
            .user_credentials("teacher")
            .await
            .unwrap()
            .unwrap()
            .password_hash,
        "$argon2id$new"
    );
    assert_eq!(store.list_users().await.unwrap().len(), 2);
    assert_eq!(
        store.list_users().await.unwrap()[1].school_name.as_deref(),
        Some("城关第一小学")
    );
}

story!(one_time_passwords_idle_clock_and_school_accounts);
async fn one_time_passwords_idle_clock_and_school_accounts(store: &dyn Store) {
    store
        .import_roster(&batch(), &meta("r.xlsx"))
        .await
        .unwrap();
    let (a, b) = (
        school_id(store, "A001").await,
        school_id(store, "B001").await,
    );
    let add = |username: &'static str, role: Role, school: Option<SchoolId>| NewUser {
        username: username.into(),
        display_name: username.into(),
        role,
        password_hash: "$argon2id$old".into(),
        school_id: school,
        teacher_id: None,
        student_id: None,
    };
    let admin_a = store
        .create_user(&add("admin-a", Role::SchoolAdmin, Some(a)))
        .await
        .unwrap();
    store
        .create_user(&add("admin-b", Role::SchoolAdmin, Some(b)))
        .await
        .unwrap();
    store
        .create_user(&add("district", Role::DistrictAdmin, None))
        .await
        .unwrap();
    let creds = store.user_credentials("admin-a").await.unwrap().unwrap();
    assert!(
        !creds.must_change_password,
        "a new account chose nothing yet"
    );

    // A session starts with its idle clock at its creation; a touch moves it.
    let session = |hash: &str| NewSession {
        token_hash: hash.into(),
        user_id: admin_a,
        csrf_token: "c".into(),
        created_at: 100,
        expires_at: 10_000,
    };
    store.create_session(&session("s1")).await.unwrap();
    let row = store.session("s1", 150).await.unwrap().unwrap();
    assert_eq!(row.last_seen_at, 100);
    assert!(!row.must_change_password);
    assert_eq!(row.child, None);
    store.touch_session("s1", 900).await.unwrap();
    assert_eq!(
        store
            .session("s1", 950)
            .await
            .unwrap()
            .unwrap()
            .last_seen_at,
        900
    );

    // A reset sets a one-time password: flagged, and every session of the user ends.
    store
        .set_one_time_password(admin_a, "$argon2id$once")
        .await
        .unwrap();
    assert!(store.session("s1", 950).await.unwrap().is_none());
    let creds = store.user_credentials("admin-a").await.unwrap().unwrap();
    assert_eq!(creds.password_hash, "$argon2id$once");
    assert!(creds.must_change_password);
    store.create_session(&session("s2")).await.unwrap();
    assert!(
        store
            .session("s2", 150)
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );
    let listed = store.school_users(a).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|u| u.user.username.as_str())
            .collect::<Vec<_>>(),
        ["admin-a"],
        "a school's accounts only"
    );
    assert!(listed[0].must_change_password);

    // The user's own choice clears the flag (and ends the one-time session too).
    store.set_password(admin_a, "$argon2id$mine").await.unwrap();
    assert!(store.session("s2", 150).await.unwrap().is_none());
    let creds = store.user_credentials("admin-a").await.unwrap().unwrap();
    assert!(!creds.must_change_password);
    assert!(matches!(
        store.set_one_time_password(UserId(999_999), "x").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.list_users().await.unwrap().len(), 3);
}

story!(audit_entries_are_kept_in_order);
async fn audit_entries_are_kept_in_order(store: &dyn Store) {
    for (i, action) in ["login", "read_student", "logout"].iter().enumerate() {
        store
            .append_audit(&AuditEntry {
                at: 1000 + i as i64,
                user_id: None,
                username: "u".into(),
                action: (*action).into(),
                school_id: Some(SchoolId(1)),
                entity: "student:1:2".into(),
                detail: String::new(),
                ip: "127.0.0.1".into(),
            })
            .await
            .unwrap();
    }
    let rows = store.list_audit(2).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].entry.action, "logout");
    assert_eq!(rows[1].entry.action, "read_student");
    assert!(rows[0].id > rows[1].id);
}

story!(audit_search_finds_who_read_one_child_page_by_page);
async fn audit_search_finds_who_read_one_child_page_by_page(store: &dyn Store) {
    let entry = |at: i64, user: &str, action: &str, school: i64, entity: &str| AuditEntry {
        at,
        user_id: None,
        username: user.into(),
        action: action.into(),
        school_id: Some(SchoolId(school)),
        entity: entity.into(),
        detail: String::new(),
        ip: "127.0.0.1".into(),
    };
    // `_` in an entity is an ordinary character, not a LIKE wildcard.
    let entries = [
        entry(100, "t1", "read_student", 1, "student:1:2"),
        entry(200, "t2", "read_student", 1, "student:1:2"),
        entry(300, "t1", "read_student_psych", 1, "student:1:2"),
        entry(400, "t1", "read_student", 1, "student:1:20"),
        entry(500, "t1", "read_student", 2, "student:2:2"),
        entry(600, "t1", "read_student", 1, "student:1_2"),
    ];
    for e in &entries {
        store.append_audit(e).await.unwrap();
    }
    let search = |f: AuditFilter, limit| async move {
        store
            .search_audit(&f, limit)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.id, r.entry.at))
            .collect::<Vec<_>>()
    };
    let at = |rows: &[(i64, i64)]| rows.iter().map(|r| r.1).collect::<Vec<_>>();
    let child = || AuditFilter {
        entity: Some("student:1:2".into()),
        ..AuditFilter::default()
    };
    // The child's entries, not student 1:20's nor 1_2's.
    assert_eq!(at(&search(child(), 10).await), [300, 200, 100]);
    let school_1 = AuditFilter {
        entity: Some("student:1".into()),
        ..AuditFilter::default()
    };
    assert_eq!(at(&search(school_1, 10).await), [400, 300, 200, 100]);
    let by_t1 = AuditFilter {
        username: Some("t1".into()),
        action: Some("read_student".into()),
        school_id: Some(SchoolId(1)),
        ..AuditFilter::default()
    };
    assert_eq!(at(&search(by_t1, 10).await), [600, 400, 100]);
    let days = AuditFilter {
        since: Some(200),
        until: Some(400),
        ..child()
    };
    assert_eq!(at(&search(days, 10).await), [300, 200]);
    // Two at a time: the second page starts below the first one's oldest id.
    let first = search(child(), 2).await;
    assert_eq!(at(&first), [300, 200]);
    let next = AuditFilter {
        before_id: Some(first[1].0),
        ..child()
    };
    assert_eq!(at(&search(next, 2).await), [100]);
    assert!(
        search(
            AuditFilter {
                username: Some("nobody".into()),
                ..AuditFilter::default()
            },
            10
        )
        .await
        .is_empty()
    );
}
