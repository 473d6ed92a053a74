//! Story tests of the store: each story runs against SQLite (a temp file) and PostgreSQL (a
//! fresh database on the server `WUYU_TEST_PG_URL` names). Under `CI=true` a missing
//! PostgreSQL fails the PostgreSQL half instead of skipping it.
use time::macros::date;
use wuyu_domain::roster::{NewAssignment, NewClass, NewSchool, NewStudent, NewTeacher};
use wuyu_domain::{
    ClassId, District, Grade, IdCardNo, Location, PersonName, Role, RosterBatch, SchoolId, Scope,
    Sex, Stage, StudentId, StudentNo, User,
};
use wuyu_store::{AuditEntry, NewSession, NewUser, Store, StoreError};

// --- fixtures (shared with the exam stories: tests/common) --------------------------------

mod common;
use common::*;

fn id_card(first17: &str) -> IdCardNo {
    let b: &[u8; 17] = first17.as_bytes().try_into().unwrap();
    IdCardNo::parse(&format!("{first17}{}", IdCardNo::check_char(b))).unwrap()
}

fn student(row: u32, school: &str, grade: u8, class: &str, no: &str, name: &str) -> NewStudent {
    NewStudent {
        origin: o("学生", row),
        school_code: code(school),
        grade: Grade::new(grade).unwrap(),
        class_name: class.into(),
        student_no: StudentNo::parse(no).unwrap(),
        name: PersonName::parse(name).unwrap(),
        sex: if row.is_multiple_of(2) {
            Sex::Male
        } else {
            Sex::Female
        },
        birth_date: date!(2013 - 05 - 01),
        id_card_no: None,
        ethnicity: None,
    }
}

/// Two schools: A (urban primary) with classes 1班 and 2班 of grade 5, B (rural junior) with
/// 7年级 1班. Five students, two teachers at A.
fn batch() -> RosterBatch {
    let mut s1 = student(2, "A001", 5, "1班", "G0000000001", "张三");
    s1.id_card_no = Some(id_card("33019920130501123"));
    s1.birth_date = date!(2013 - 05 - 01);
    RosterBatch {
        schools: vec![
            NewSchool {
                origin: o("学校", 2),
                code: code("A001"),
                name: "城关第一小学".into(),
                stage: Stage::Primary,
                location: Location::Urban,
                school_group: Some("城关教育集团".into()),
            },
            NewSchool {
                origin: o("学校", 3),
                code: code("B001"),
                name: "青石镇中学".into(),
                stage: Stage::Junior,
                location: Location::Rural,
                school_group: None,
            },
        ],
        classes: vec![
            NewClass {
                origin: o("班级", 2),
                school_code: code("A001"),
                grade: Grade::new(5).unwrap(),
                name: "1班".into(),
            },
            NewClass {
                origin: o("班级", 3),
                school_code: code("A001"),
                grade: Grade::new(5).unwrap(),
                name: "2班".into(),
            },
            NewClass {
                origin: o("班级", 4),
                school_code: code("B001"),
                grade: Grade::new(7).unwrap(),
                name: "1班".into(),
            },
        ],
        students: vec![
            s1,
            student(3, "A001", 5, "1班", "G0000000002", "李四"),
            student(4, "A001", 5, "2班", "G0000000003", "王五"),
            student(5, "B001", 7, "1班", "G0000000004", "赵六"),
            student(6, "B001", 7, "1班", "G0000000005", "陈七"),
        ],
        teachers: vec![
            NewTeacher {
                origin: o("教师", 2),
                school_code: code("A001"),
                staff_no: "T01".into(),
                name: PersonName::parse("刘老师").unwrap(),
                sex: Some(Sex::Female),
            },
            NewTeacher {
                origin: o("教师", 3),
                school_code: code("A001"),
                staff_no: "T02".into(),
                name: PersonName::parse("周老师").unwrap(),
                sex: None,
            },
        ],
        assignments: vec![NewAssignment {
            origin: o("任课", 2),
            school_code: code("A001"),
            staff_no: "T01".into(),
            grade: Grade::new(5).unwrap(),
            class_name: "1班".into(),
            subject: "数学".into(),
            share: 1.0,
        }],
    }
}

async fn counts(store: &dyn Store) -> (usize, i64, i64) {
    let schools = store.list_schools(&Scope::District).await.unwrap();
    (
        schools.len(),
        schools.iter().map(|s| s.class_count).sum(),
        schools.iter().map(|s| s.student_count).sum(),
    )
}

async fn school_id(store: &dyn Store, code: &str) -> SchoolId {
    store
        .list_schools(&Scope::District)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.school.code.as_str() == code)
        .unwrap()
        .school
        .id
}

// --- stories --------------------------------------------------------------------------------

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

// --- fitness (issue 3) ------------------------------------------------------------------------

use wuyu_domain::{FitnessBatch, FitnessMeasures, NewFitnessRecord, Term, TermPart};
use wuyu_standards::{FitnessGrade, exact_age, score_record, weight_status};
use wuyu_store::{FitnessGroupBy, FitnessRecord, FitnessSummaryRow};

fn term(year: u16, part: TermPart) -> Term {
    Term::new(year, part).unwrap()
}

/// Raw results a grade-5 or grade-7 student of `sex` takes; `q` in 0..=4 moves every result
/// from weak to strong, so the records spread over the levels.
fn measures(grade: u8, sex: Sex, q: u8) -> FitnessMeasures {
    let q = f64::from(q);
    let male = sex == Sex::Male;
    let mut m = FitnessMeasures {
        height_cm: Some(140.0 + 4.0 * q + if grade == 7 { 12.0 } else { 0.0 }),
        weight_kg: Some(32.0 + 5.0 * q),
        vital_capacity: Some(1200.0 + 400.0 * q + if grade == 7 { 600.0 } else { 0.0 }),
        run_50m: Some(11.5 - 0.6 * q),
        sit_and_reach: Some(-2.0 + 4.0 * q),
        ..Default::default()
    };
    if grade <= 6 {
        m.rope_skip_1min = Some(60.0 + 30.0 * q);
        m.sit_up_1min = Some(15.0 + 8.0 * q);
        m.shuttle_50x8 = Some(130.0 - 8.0 * q);
    } else {
        m.standing_long_jump = Some(140.0 + 15.0 * q);
        if male {
            m.pull_up = Some(q * 3.0);
            m.run_1000m = Some(330.0 - 20.0 * q);
        } else {
            m.sit_up_1min = Some(20.0 + 8.0 * q);
            m.run_800m = Some(300.0 - 18.0 * q);
        }
    }
    // Vision: myopic for q 0, reduced acuity only for q 1, normal otherwise.
    m.acuity_left = Some(if q < 2.0 { 4.7 } else { 5.0 });
    m.acuity_right = Some(5.0);
    m.se_left = Some(if q < 1.0 { -1.25 } else { 0.0 });
    m.se_right = Some(0.0);
    m
}

fn record(row: u32, no: &str, t: Term, grade: u8, sex: Sex, q: u8) -> NewFitnessRecord {
    NewFitnessRecord {
        origin: o("体测", row),
        student_no: StudentNo::parse(no).unwrap(),
        term: t,
        test_date: date!(2024 - 10 - 15),
        grade: None,
        sex: Some(sex),
        measures: measures(grade, sex, q),
    }
}

/// The roster's five students (sexes as `student()` assigns them), all with a record.
fn fitness_batch(t: Term) -> FitnessBatch {
    let mut records = vec![
        record(2, "G0000000001", t, 5, Sex::Male, 4),
        record(3, "G0000000002", t, 5, Sex::Female, 2),
        record(4, "G0000000003", t, 5, Sex::Male, 0),
        record(5, "G0000000004", t, 7, Sex::Female, 1),
        record(6, "G0000000005", t, 7, Sex::Male, 3),
    ];
    // One INCOMPLETE record (50米跑 not tested) and one without vision screening.
    records[1].measures.run_50m = None;
    records[4].measures.acuity_left = None;
    records[4].measures.acuity_right = None;
    records[4].measures.se_left = None;
    records[4].measures.se_right = None;
    FitnessBatch { records }
}

async fn all_records(store: &dyn Store, t: Term) -> Vec<(FitnessRecord, String)> {
    let mut out = Vec::new();
    for s in store.list_schools(&Scope::District).await.unwrap() {
        let code = s.school.code.as_str().to_string();
        for st in store
            .list_students(&Scope::District, s.school.id, None)
            .await
            .unwrap()
        {
            for r in store
                .student_fitness(&Scope::District, s.school.id, st.id)
                .await
                .unwrap()
            {
                if r.term == t {
                    out.push((r, code.clone()));
                }
            }
        }
    }
    out
}

/// The counts a summary row must have, computed from the records themselves.
fn expected(records: &[&FitnessRecord], enrolled: i64) -> FitnessSummaryRow {
    use wuyu_standards::{Level, MalnutritionStatus, VisionStatus, WeightStatus};
    let n = |f: &dyn Fn(&FitnessRecord) -> bool| records.iter().filter(|r| f(r)).count() as i64;
    let ok = n(&|r| r.complete);
    let ws = n(&|r| r.weight_status.is_some());
    let screened = n(&|r| {
        matches!(
            r.vision_status,
            Some(VisionStatus::Myopia | VisionStatus::ReducedVision | VisionStatus::Normal)
        )
    });
    let rate = |a: i64, b: i64| (b > 0).then(|| a as f64 / b as f64);
    FitnessSummaryRow {
        enrolled,
        tested: records.len() as i64,
        ok_count: ok,
        pass_rate: rate(n(&|r| r.level.is_some_and(|l| l >= Level::Pass)), ok),
        good_or_better_rate: rate(n(&|r| r.level.is_some_and(|l| l >= Level::Good)), ok),
        excellent_rate: rate(n(&|r| r.level == Some(Level::Excellent)), ok),
        fail_rate: rate(n(&|r| r.level == Some(Level::Fail)), ok),
        weight_measured: ws,
        overweight_rate: rate(
            n(&|r| r.weight_status == Some(WeightStatus::Overweight)),
            ws,
        ),
        obese_rate: rate(n(&|r| r.weight_status == Some(WeightStatus::Obese)), ws),
        stunting_count: n(&|r| r.malnutrition == Some(MalnutritionStatus::Stunting)),
        wasting_count: n(&|r| r.malnutrition.is_some_and(|m| m.is_wasting())),
        vision_screened: screened,
        myopia_rate: rate(
            n(&|r| r.vision_status == Some(VisionStatus::Myopia)),
            screened,
        ),
        bmi_measured: n(&|r| r.bmi_category.is_some()),
        ..Default::default()
    }
}

fn assert_matches(got: &FitnessSummaryRow, want: &FitnessSummaryRow) {
    assert_eq!(got.enrolled, want.enrolled);
    assert_eq!(got.tested, want.tested);
    assert_eq!(
        got.test_rate,
        Some(want.tested as f64 / want.enrolled as f64)
    );
    assert_eq!(got.ok_count, want.ok_count);
    assert_eq!(got.incomplete_count, want.tested - want.ok_count);
    assert_eq!(got.pass_rate, want.pass_rate);
    assert_eq!(got.good_or_better_rate, want.good_or_better_rate);
    assert_eq!(got.excellent_rate, want.excellent_rate);
    assert_eq!(got.fail_rate, want.fail_rate);
    assert_eq!(got.weight_measured, want.weight_measured);
    assert_eq!(got.overweight_rate, want.overweight_rate);
    assert_eq!(got.obese_rate, want.obese_rate);
    assert_eq!(got.stunting_count, want.stunting_count);
    assert_eq!(got.wasting_count, want.wasting_count);
    assert_eq!(got.vision_screened, want.vision_screened);
    assert_eq!(got.myopia_rate, want.myopia_rate);
    assert_eq!(got.bmi_measured, want.bmi_measured);
}

story!(a_fitness_import_scores_every_record_at_write);
async fn a_fitness_import_scores_every_record_at_write(store: &dyn Store) {
    store
        .import_roster(&batch(), &meta("r.xlsx"))
        .await
        .unwrap();
    let t = term(2024, TermPart::Autumn);
    let fb = fitness_batch(t);
    let summary = store.import_fitness(&fb, &meta("tice.xlsx")).await.unwrap();
    assert_eq!(summary.records_written, 5);
    assert_eq!(summary.incomplete, 1);
    assert_eq!(summary.complete, 4);
    assert_eq!(summary.schools, 2);
    assert_eq!(summary.terms, vec!["2024-autumn".to_string()]);
    let imports = store.list_imports(10).await.unwrap();
    assert_eq!(imports[0].kind, "fitness");
    assert_eq!(imports[0].records, 5);
    assert_eq!(imports[0].id, summary.import_id);
    assert_eq!(
        store.fitness_terms(&Scope::District).await.unwrap(),
        vec![t]
    );

    // Every stored score is what the standard gives for the same input, at the roster's grade.
    let records = all_records(store, t).await;
    assert_eq!(records.len(), 5);
    for (rec, _) in &records {
        let input = fb
            .records
            .iter()
            .find(|r| r.measures == rec.measures)
            .expect("raw values stored as given");
        let grade = rec.grade;
        assert_eq!(rec.sex, input.sex.unwrap());
        let want = score_record(&wuyu_store::fitness::fitness_input(
            grade,
            rec.sex,
            &input.measures,
        ))
        .unwrap();
        assert!([5, 7].contains(&grade.get()), "the roster's grade");
        assert_eq!(want.grade, FitnessGrade::from(grade));
        assert_eq!(rec.bmi, want.bmi.map(|b| b.as_f64()));
        assert_eq!(rec.bmi_category, want.bmi_category);
        assert_eq!(rec.standard_score, want.standard_score.map(|p| p.as_f64()));
        assert_eq!(rec.year_total, want.year_total.map(|p| p.as_f64()));
        assert_eq!(rec.level, want.level);
        assert_eq!(rec.complete, want.is_complete());
        assert_eq!(rec.bonus_total, want.bonus_total);
        let scored: Vec<_> = want
            .items
            .iter()
            .map(|(i, s)| (i, s.score, s.bonus))
            .collect();
        let stored: Vec<_> = rec
            .items
            .iter()
            .map(|i| (i.item, i.score, i.bonus))
            .collect();
        assert_eq!(stored, scored);
        let age = exact_age(date!(2013 - 05 - 01), date!(2024 - 10 - 15)).unwrap();
        assert_eq!(rec.age_years, age);
        assert_eq!(
            rec.weight_status,
            Some(weight_status(rec.sex, age, want.bmi.unwrap()).unwrap())
        );
    }
    let incomplete = records.iter().find(|(r, _)| !r.complete).unwrap();
    assert_eq!(
        incomplete.0.missing,
        vec![wuyu_standards::FitnessItem::Run50m]
    );
    assert_eq!(incomplete.0.level, None);
    assert!(records.iter().any(|(r, _)| r.vision_status.is_none()));
    assert!(
        records
            .iter()
            .any(|(r, _)| r.vision_status == Some(wuyu_standards::VisionStatus::Myopia))
    );
}

story!(an_unknown_student_no_rejects_the_whole_fitness_batch);
async fn an_unknown_student_no_rejects_the_whole_fitness_batch(store: &dyn Store) {
    store
        .import_roster(&batch(), &meta("r.xlsx"))
        .await
        .unwrap();
    let t = term(2024, TermPart::Autumn);
    let mut fb = fitness_batch(t);
    fb.records[3].student_no = StudentNo::parse("G0000009999").unwrap();
    // A sex that contradicts the roster is an error too.
    fb.records[0].sex = Some(Sex::Female);
    let Err(StoreError::Rejected(errors)) = store.import_fitness(&fb, &meta("bad.xlsx")).await
    else {
        panic!("expected a rejection");
    };
    assert_eq!(errors.len(), 2, "{errors:?}");
    let unknown = errors.iter().find(|e| e.column == "学籍号").unwrap();
    assert_eq!(
        (
            unknown.file.as_str(),
            unknown.sheet.as_str(),
            unknown.row,
            unknown.value.as_str()
        ),
        ("bad.xlsx", "体测", 5, "G0000009999")
    );
    assert!(unknown.message_zh.contains("不在学籍名册中"));
    assert!(errors.iter().any(|e| e.column == "性别" && e.row == 2));
    // Nothing written: no records, no terms, no import record.
    assert!(all_records(store, t).await.is_empty());
    assert!(
        store
            .fitness_terms(&Scope::District)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .list_imports(10)
            .await
            .unwrap()
            .iter()
            .all(|i| i.kind != "fitness")
    );
    // The same 学籍号 twice in one term is an error as well.
    let mut dup = fitness_batch(t);
    dup.records.push(dup.records[0].clone());
    assert!(matches!(
        store.import_fitness(&dup, &meta("dup.xlsx")).await,
        Err(StoreError::Rejected(e)) if e.len() == 1 && e[0].message_zh.contains("重复")
    ));
}

story!(reimporting_a_fitness_term_replaces_the_records);
async fn reimporting_a_fitness_term_replaces_the_records(store: &dyn Store) {
    store
        .import_roster(&batch(), &meta("r.xlsx"))
        .await
        .unwrap();
    let t = term(2024, TermPart::Autumn);
    store
        .import_fitness(&fitness_batch(t), &meta("a.xlsx"))
        .await
        .unwrap();
    let mut again = fitness_batch(t);
    again.records.truncate(1);
    again.records[0].measures.run_50m = Some(12.9);
    store.import_fitness(&again, &meta("b.xlsx")).await.unwrap();
    let records = all_records(store, t).await;
    assert_eq!(records.len(), 5, "the other students' records stay");
    let a = school_id(store, "A001").await;
    let zhang = store.student_by_no("G0000000001").await.unwrap().unwrap().1;
    let history = store
        .student_fitness(&Scope::District, a, zhang)
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].measures.run_50m, Some(12.9));
    // A second term is history, not a replacement; histories come oldest first.
    let spring = term(2024, TermPart::Spring);
    let mut next = fitness_batch(spring);
    for r in &mut next.records {
        r.test_date = date!(2025 - 04 - 20);
    }
    store.import_fitness(&next, &meta("c.xlsx")).await.unwrap();
    let history = store
        .student_fitness(&Scope::District, a, zhang)
        .await
        .unwrap();
    assert_eq!(
        history.iter().map(|r| r.term).collect::<Vec<_>>(),
        vec![t, spring]
    );
    assert_eq!(
        store.fitness_terms(&Scope::District).await.unwrap(),
        vec![t, spring]
    );
}

story!(fitness_aggregates_equal_counts_from_the_records);
async fn fitness_aggregates_equal_counts_from_the_records(store: &dyn Store) {
    store
        .import_roster(&batch(), &meta("r.xlsx"))
        .await
        .unwrap();
    let t = term(2024, TermPart::Autumn);
    let mut fb = fitness_batch(t);
    fb.records.remove(2); // 王五 is missing a test
    store.import_fitness(&fb, &meta("f.xlsx")).await.unwrap();
    let records = all_records(store, t).await;
    let all: Vec<&FitnessRecord> = records.iter().map(|r| &r.0).collect();

    let district = store
        .fitness_summary(&Scope::District, None, t, FitnessGroupBy::District)
        .await
        .unwrap();
    assert_eq!(district.len(), 1);
    assert_matches(&district[0], &expected(&all, 5));

    let by_school = store
        .fitness_summary(&Scope::District, None, t, FitnessGroupBy::School)
        .await
        .unwrap();
    assert_eq!(by_school.len(), 2);
    for row in &by_school {
        let code = row.key.school_code.clone().unwrap();
        let mine: Vec<&FitnessRecord> = records
            .iter()
            .filter(|r| r.1 == code)
            .map(|r| &r.0)
            .collect();
        let enrolled = if code == "A001" { 3 } else { 2 };
        assert_matches(row, &expected(&mine, enrolled));
    }
    let by_sex = store
        .fitness_summary(&Scope::District, None, t, FitnessGroupBy::Sex)
        .await
        .unwrap();
    assert_eq!(by_sex.iter().map(|r| r.enrolled).sum::<i64>(), 5);
    for row in &by_sex {
        let mine: Vec<&FitnessRecord> = all
            .iter()
            .copied()
            .filter(|r| Some(r.sex) == row.key.sex)
            .collect();
        assert_eq!(row.tested, mine.len() as i64);
        assert_eq!(row.ok_count, expected(&mine, 0).ok_count);
    }
    let by_class = store
        .fitness_summary(&Scope::District, None, t, FitnessGroupBy::Class)
        .await
        .unwrap();
    assert_eq!(by_class.len(), 3);
    assert_eq!(by_class.iter().map(|r| r.tested).sum::<i64>(), 4);
    let by_grade = store
        .fitness_summary(&Scope::District, None, t, FitnessGroupBy::Grade)
        .await
        .unwrap();
    assert_eq!(
        by_grade
            .iter()
            .map(|r| (r.key.grade.unwrap().get(), r.enrolled, r.tested))
            .collect::<Vec<_>>(),
        vec![(5, 3, 2), (7, 2, 2)]
    );
    let by_location = store
        .fitness_summary(&Scope::District, None, t, FitnessGroupBy::Location)
        .await
        .unwrap();
    assert_eq!(by_location.len(), 2);

    // Items: tested, mean score and pass count from the records.
    let items = store
        .fitness_item_summary(&Scope::District, None, t, FitnessGroupBy::District)
        .await
        .unwrap();
    assert_eq!(items.len(), 1);
    for stat in &items[0].items {
        let scores: Vec<f64> = all
            .iter()
            .filter_map(|r| r.item(stat.item))
            .map(|i| f64::from(i.score))
            .collect();
        assert_eq!(stat.tested, scores.len() as i64, "{:?}", stat.item);
        assert_eq!(
            stat.pass_count,
            scores.iter().filter(|s| **s >= 60.0).count() as i64
        );
        match stat.mean_score {
            None => assert!(scores.is_empty()),
            Some(m) => {
                let want = scores.iter().sum::<f64>() / scores.len() as f64;
                assert!((m - want).abs() < 1e-9, "{:?}: {m} vs {want}", stat.item);
            }
        }
    }

    // The PE teacher's class view: every student, the missing one without a record.
    let a = school_id(store, "A001").await;
    let classes = store.list_classes(&Scope::District, a).await.unwrap();
    let c2 = classes.iter().find(|c| c.class.name == "2班").unwrap();
    let rows = store
        .class_fitness(&Scope::District, a, c2.class.id, t)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].record.is_none(), "王五 is missing a test");
    let c1 = classes.iter().find(|c| c.class.name == "1班").unwrap();
    let rows = store
        .class_fitness(&Scope::District, a, c1.class.id, t)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.record.is_some()));
    assert!(rows.iter().any(|r| !r.record.as_ref().unwrap().complete));
}

story!(an_empty_fitness_term_gives_zeros_not_nan);
async fn an_empty_fitness_term_gives_zeros_not_nan(store: &dyn Store) {
    let t = term(2030, TermPart::Spring);
    // No roster at all: the district row is all zeros and no rate.
    let rows = store
        .fitness_summary(&Scope::District, None, t, FitnessGroupBy::District)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].enrolled, 0);
    assert_eq!(rows[0].test_rate, None);
    store
        .import_roster(&batch(), &meta("r.xlsx"))
        .await
        .unwrap();
    let rows = store
        .fitness_summary(&Scope::District, None, t, FitnessGroupBy::School)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    for r in &rows {
        assert!(r.enrolled > 0);
        assert_eq!(r.tested, 0);
        assert_eq!(r.test_rate, Some(0.0));
        for rate in [
            r.pass_rate,
            r.good_or_better_rate,
            r.excellent_rate,
            r.fail_rate,
            r.overweight_rate,
            r.obese_rate,
            r.stunting_rate,
            r.wasting_rate,
            r.myopia_rate,
            r.mean_year_total,
        ] {
            assert_eq!(rate, None);
        }
    }
    let items = store
        .fitness_item_summary(&Scope::District, None, t, FitnessGroupBy::District)
        .await
        .unwrap();
    assert!(
        items[0]
            .items
            .iter()
            .all(|i| i.tested == 0 && i.pass_rate.is_none())
    );
}

fn forbidden<T>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::Forbidden))
}

story!(fitness_reads_respect_the_scope);
async fn fitness_reads_respect_the_scope(store: &dyn Store) {
    store
        .import_roster(&batch(), &meta("r.xlsx"))
        .await
        .unwrap();
    let t = term(2024, TermPart::Autumn);
    store
        .import_fitness(&fitness_batch(t), &meta("f.xlsx"))
        .await
        .unwrap();
    let a = school_id(store, "A001").await;
    let b = school_id(store, "B001").await;
    let classes = store.list_classes(&Scope::District, a).await.unwrap();
    let c1 = classes
        .iter()
        .find(|c| c.class.name == "1班")
        .unwrap()
        .class
        .id;
    let c2 = classes
        .iter()
        .find(|c| c.class.name == "2班")
        .unwrap()
        .class
        .id;
    let zhang = store.student_by_no("G0000000001").await.unwrap().unwrap().1;
    let wang = store.student_by_no("G0000000003").await.unwrap().unwrap().1;

    // Teacher of 1班: aggregates over their class only; other classes and students forbidden.
    let teacher = Scope::Classes {
        school_id: a,
        class_ids: [c1].into(),
    };
    let rows = store
        .fitness_summary(&teacher, None, t, FitnessGroupBy::District)
        .await
        .unwrap();
    assert_eq!((rows[0].enrolled, rows[0].tested), (2, 2));
    let by_class = store
        .fitness_summary(&teacher, Some(a), t, FitnessGroupBy::Class)
        .await
        .unwrap();
    assert_eq!(by_class.len(), 1);
    assert_eq!(by_class[0].key.class_id, Some(c1));
    assert!(forbidden(
        store
            .fitness_summary(&teacher, Some(b), t, FitnessGroupBy::School)
            .await
    ));
    assert_eq!(
        store.class_fitness(&teacher, a, c1, t).await.unwrap().len(),
        2
    );
    assert!(forbidden(store.class_fitness(&teacher, a, c2, t).await));
    assert_eq!(
        store
            .student_fitness(&teacher, a, zhang)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(forbidden(store.student_fitness(&teacher, a, wang).await));

    // Parent: own child's history only, no aggregates, no class list.
    let parent = Scope::Parent {
        school_id: a,
        student_ids: [zhang].into(),
    };
    assert_eq!(
        store
            .student_fitness(&parent, a, zhang)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(forbidden(store.student_fitness(&parent, a, wang).await));
    assert!(forbidden(
        store
            .fitness_summary(&parent, None, t, FitnessGroupBy::District)
            .await
    ));
    assert!(forbidden(
        store
            .fitness_item_summary(&parent, None, t, FitnessGroupBy::District)
            .await
    ));
    assert!(forbidden(store.class_fitness(&parent, a, c1, t).await));

    // Counsellor: no fitness reads at all.
    let counsellor = Scope::Counsellor { school_id: a };
    assert!(forbidden(
        store.student_fitness(&counsellor, a, zhang).await
    ));
    assert!(forbidden(store.class_fitness(&counsellor, a, c1, t).await));
    assert!(forbidden(store.fitness_terms(&counsellor).await));
    assert!(forbidden(
        store
            .fitness_summary(&counsellor, None, t, FitnessGroupBy::District)
            .await
    ));

    // School admin: their school, not the other one; the district row is their school's.
    let admin_b = Scope::School { school_id: b };
    let rows = store
        .fitness_summary(&admin_b, None, t, FitnessGroupBy::District)
        .await
        .unwrap();
    assert_eq!((rows[0].enrolled, rows[0].tested), (2, 2));
    assert!(forbidden(store.student_fitness(&admin_b, a, zhang).await));
    assert!(forbidden(
        store
            .fitness_summary(&admin_b, Some(a), t, FitnessGroupBy::Class)
            .await
    ));
    assert_eq!(store.fitness_terms(&admin_b).await.unwrap(), vec![t]);
    // Unknown student: NotFound, as for the roster.
    assert!(matches!(
        store
            .student_fitness(&Scope::District, a, StudentId(9999))
            .await,
        Err(StoreError::NotFound)
    ));
}
