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
