//! Migrations, district settings and roster imports.
use super::*;

story!(migrating_twice_changes_nothing);
async fn migrating_twice_changes_nothing(store: &dyn Store) {
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(counts(store).await, (0, 0, 0));
    assert!(store.district().await.unwrap().is_none());
    let d = District {
        code: "330199".into(),
        name: "示范区".into(),
    };
    store.set_district(&d).await.unwrap();
    store.set_district(&d).await.unwrap();
    assert_eq!(store.district().await.unwrap(), Some(d));
    store.set_setting("hide_ranks", "true").await.unwrap();
    store.set_setting("hide_ranks", "false").await.unwrap();
    assert_eq!(
        store.setting("hide_ranks").await.unwrap().as_deref(),
        Some("false")
    );
    assert_eq!(store.setting("nope").await.unwrap(), None);
}

story!(district_settings_are_typed_and_checked_before_they_are_stored);
async fn district_settings_are_typed_and_checked_before_they_are_stored(store: &dyn Store) {
    store.migrate().await.unwrap();
    let defaults = store.district_settings().await.unwrap();
    assert_eq!(defaults, wuyu_store::DistrictSettings::default());
    assert!(!defaults.hide_ranks);
    assert_eq!(defaults.fitness_targets.excellent_rate, 0.30);

    // Refused values leave nothing behind.
    let bad = store.set_setting("hide_ranks", "yes").await.unwrap_err();
    assert!(bad.to_string().contains("true 或 false"), "{bad}");
    let bad = store
        .set_setting("fitness_targets", r#"{"excellent_rate": 30}"#)
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("0 到 1"), "{bad}");
    assert!(store.set_setting("nope", "1").await.is_err());
    assert_eq!(store.setting("hide_ranks").await.unwrap(), None);
    assert_eq!(store.setting("fitness_targets").await.unwrap(), None);

    let mut s = defaults.clone();
    s.hide_ranks = true;
    s.fitness_targets.myopia_rate_max = 0.45;
    s.exam.va_min_n = 12;
    store.set_district_settings(&s).await.unwrap();
    assert_eq!(store.district_settings().await.unwrap(), s);
    assert_eq!(store.exam_settings().await.unwrap().va_min_n, 12);
    assert_eq!(
        store.setting("hide_ranks").await.unwrap().as_deref(),
        Some("true")
    );
}

story!(a_roster_import_lands_whole_and_reads_back_in_scope);
async fn a_roster_import_lands_whole_and_reads_back_in_scope(store: &dyn Store) {
    let summary = store
        .import_roster(&batch(), &meta("roster.xlsx"))
        .await
        .unwrap();
    assert_eq!(summary.schools_added, 2);
    assert_eq!(summary.classes_added, 3);
    assert_eq!(summary.students_added, 5);
    assert_eq!(summary.teachers_added, 2);
    assert_eq!(summary.assignments_written, 1);
    assert_eq!(counts(store).await, (2, 3, 5));

    let imports = store.list_imports(10).await.unwrap();
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].file_name, "roster.xlsx");
    assert_eq!(imports[0].records, 13);
    assert_eq!(imports[0].id, summary.import_id);

    let a = school_id(store, "A001").await;
    let b = school_id(store, "B001").await;
    let school = store.school(&Scope::District, a).await.unwrap();
    assert_eq!(school.name, "城关第一小学");
    assert_eq!(school.school_group.as_deref(), Some("城关教育集团"));

    // Students come back typed, with the ID number intact.
    let students = store
        .list_students(&Scope::District, a, None)
        .await
        .unwrap();
    assert_eq!(students.len(), 3);
    let zhang = students
        .iter()
        .find(|s| s.student_no.as_str() == "G0000000001")
        .unwrap();
    assert_eq!(zhang.name.as_str(), "张三");
    assert_eq!(zhang.birth_date, date!(2013 - 05 - 01));
    assert_eq!(
        zhang.id_card_no.as_ref().unwrap().birth_date().unwrap(),
        zhang.birth_date
    );

    // District overview: one urban primary, one rural junior.
    let cells = store.district_overview(&Scope::District).await.unwrap();
    assert_eq!(cells.len(), 2);
    let primary = cells.iter().find(|c| c.stage == Stage::Primary).unwrap();
    assert_eq!(
        (
            primary.location,
            primary.schools,
            primary.classes,
            primary.students
        ),
        (Location::Urban, 1, 2, 3)
    );

    // A school admin of A sees A only; B is forbidden.
    let admin_a = Scope::School { school_id: a };
    let listed = store.list_schools(&admin_a).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].school.id, a);
    assert!(matches!(
        store.list_students(&admin_a, b, None).await,
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(
        store.district_overview(&admin_a).await,
        Err(StoreError::Forbidden)
    ));

    // A teacher of A's 5年级1班 sees that class only.
    let classes = store.list_classes(&Scope::District, a).await.unwrap();
    let c1 = classes.iter().find(|c| c.class.name == "1班").unwrap();
    let c2 = classes.iter().find(|c| c.class.name == "2班").unwrap();
    assert_eq!((c1.student_count, c2.student_count), (2, 1));
    let teacher = Scope::Classes {
        school_id: a,
        class_ids: [c1.class.id].into(),
    };
    let visible = store.list_classes(&teacher, a).await.unwrap();
    assert_eq!(visible.len(), 1);
    let theirs = store.list_students(&teacher, a, None).await.unwrap();
    assert_eq!(theirs.len(), 2);
    assert!(theirs.iter().all(|s| s.class_id == c1.class.id));
    assert!(matches!(
        store.list_students(&teacher, a, Some(c2.class.id)).await,
        Err(StoreError::Forbidden)
    ));
    let other = students.iter().find(|s| s.class_id == c2.class.id).unwrap();
    assert!(matches!(
        store.student(&teacher, a, other.id).await,
        Err(StoreError::Forbidden)
    ));

    // A parent sees their child and nobody else.
    let parent = Scope::Parent {
        school_id: a,
        student_ids: [zhang.id].into(),
    };
    assert_eq!(
        store.student(&parent, a, zhang.id).await.unwrap().id,
        zhang.id
    );
    assert!(matches!(
        store.student(&parent, a, other.id).await,
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(
        store.list_students(&parent, a, None).await,
        Err(StoreError::Forbidden)
    ));

    // Unknown ids are NotFound for those who may look.
    assert!(matches!(
        store.school(&Scope::District, SchoolId(9999)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.student(&Scope::District, a, StudentId(9999)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.class(&Scope::District, a, ClassId(9999)).await,
        Err(StoreError::NotFound)
    ));

    let assignments = store.list_assignments(&admin_a, a).await.unwrap();
    assert_eq!(assignments.len(), 1);
    assert_eq!(assignments[0].teacher_name, "刘老师");
    assert_eq!(assignments[0].subject, "数学");
}

story!(a_rejected_import_changes_nothing);
async fn a_rejected_import_changes_nothing(store: &dyn Store) {
    store
        .import_roster(&batch(), &meta("first.xlsx"))
        .await
        .unwrap();
    let before = counts(store).await;

    // A valid new student, then one in an unknown class and one of an unknown school:
    // the whole file is refused, the valid row too.
    let bad = RosterBatch {
        students: vec![
            student(2, "A001", 5, "1班", "G0000000100", "新生甲"),
            student(3, "A001", 5, "9班", "G0000000101", "新生乙"),
            student(4, "Z999", 5, "1班", "G0000000102", "新生丙"),
        ],
        ..RosterBatch::default()
    };
    let Err(StoreError::Rejected(errors)) = store.import_roster(&bad, &meta("bad.csv")).await
    else {
        panic!("the import should be rejected");
    };
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(
        (
            errors[0].row,
            errors[0].column.as_str(),
            errors[0].value.as_str()
        ),
        (3, "班级", "9班")
    );
    assert!(errors[0].message_zh.contains("没有名为“9班”的班级"));
    assert_eq!(errors[0].file, "bad.csv");
    assert_eq!(
        (
            errors[1].row,
            errors[1].column.as_str(),
            errors[1].value.as_str()
        ),
        (4, "学校代码", "Z999")
    );
    assert_eq!(counts(store).await, before);
    assert_eq!(store.list_imports(10).await.unwrap().len(), 1);

    // Moving a student to another school by import is refused too.
    let moved = RosterBatch {
        students: vec![student(2, "B001", 7, "1班", "G0000000001", "张三")],
        ..RosterBatch::default()
    };
    let Err(StoreError::Rejected(errors)) = store.import_roster(&moved, &meta("move.csv")).await
    else {
        panic!("a silent transfer must be refused");
    };
    assert!(errors[0].message_zh.contains("已在另一所学校登记"));
    assert_eq!(counts(store).await, before);

    // Duplicated 学籍号 inside one batch.
    let dup = RosterBatch {
        students: vec![
            student(2, "A001", 5, "1班", "G0000000200", "甲"),
            student(3, "A001", 5, "1班", "G0000000200", "乙"),
        ],
        ..RosterBatch::default()
    };
    let Err(StoreError::Rejected(errors)) = store.import_roster(&dup, &meta("dup.csv")).await
    else {
        panic!("duplicates must be refused");
    };
    assert_eq!((errors[0].row, errors[0].column.as_str()), (3, "学籍号"));
    assert_eq!(counts(store).await, before);
}

story!(reimporting_a_roster_updates_in_place);
async fn reimporting_a_roster_updates_in_place(store: &dyn Store) {
    store
        .import_roster(&batch(), &meta("1.xlsx"))
        .await
        .unwrap();
    let mut again = batch();
    again.students[1].name = PersonName::parse("李四改").unwrap();
    again.students[1].class_name = "2班".into();
    again.assignments[0].share = 0.5;
    let s = store.import_roster(&again, &meta("2.xlsx")).await.unwrap();
    assert_eq!((s.schools_added, s.schools_updated), (0, 2));
    assert_eq!(s.classes_added, 0);
    assert_eq!((s.students_added, s.students_updated), (0, 5));
    assert_eq!((s.teachers_added, s.teachers_updated), (0, 2));
    assert_eq!(counts(store).await, (2, 3, 5));
    let a = school_id(store, "A001").await;
    let li = store
        .list_students(&Scope::District, a, None)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.student_no.as_str() == "G0000000002")
        .unwrap();
    assert_eq!(li.name.as_str(), "李四改");
    let class = store.class(&Scope::District, a, li.class_id).await.unwrap();
    assert_eq!(class.name, "2班");
    let assignments = store.list_assignments(&Scope::District, a).await.unwrap();
    assert_eq!(assignments.len(), 1);
    assert_eq!(assignments[0].share, 0.5);

    // A new school year: T01 moves from 1班 to 2班. The school's 任课 list is replaced, so the
    // teacher's scope loses 1班 at once; a batch without 任课 rows leaves the list alone.
    let mut moved = batch();
    moved.assignments[0].class_name = "2班".into();
    store.import_roster(&moved, &meta("3.xlsx")).await.unwrap();
    let assignments = store.list_assignments(&Scope::District, a).await.unwrap();
    assert_eq!(assignments.len(), 1);
    let class = store
        .class(&Scope::District, a, assignments[0].class_id)
        .await
        .unwrap();
    assert_eq!(class.name, "2班");
    let teacher = store.teacher_by_staff_no(a, "T01").await.unwrap().unwrap();
    let user = User {
        id: wuyu_domain::UserId(1),
        username: "t".into(),
        display_name: "t".into(),
        role: Role::Teacher,
        school_id: Some(a),
        teacher_id: Some(teacher),
        student_id: None,
    };
    let Scope::Classes { class_ids, .. } = store.scope_for(&user).await.unwrap() else {
        panic!("teacher scope");
    };
    assert_eq!(class_ids.into_iter().collect::<Vec<_>>(), vec![class.id]);
    let mut no_assignments = batch();
    no_assignments.assignments.clear();
    store
        .import_roster(&no_assignments, &meta("4.xlsx"))
        .await
        .unwrap();
    assert_eq!(
        store
            .list_assignments(&Scope::District, a)
            .await
            .unwrap()
            .len(),
        1
    );
}
