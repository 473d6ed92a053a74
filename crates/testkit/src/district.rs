//! One small district, shared by the store, web and CLI tests: two schools (第一实验中学, an
//! urban junior school in 实验教育集团, and 柳林小学, a rural primary), five classes, eight
//! students, three teachers with four assignments, two terms of fitness records and one user
//! per role. [`load`] puts it into a migrated store and returns the ids the store assigned.
use std::collections::HashMap;

use time::macros::date;
use wuyu_domain::roster::{NewAssignment, NewClass, NewSchool, NewStudent, NewTeacher};
use wuyu_domain::{
    FitnessBatch, FitnessMeasures, Grade, IdCardNo, Location, NewFitnessRecord, Origin, PersonName,
    Role, RosterBatch, SchoolCode, SchoolId, Scope, Sex, Stage, StudentNo, Term, TermPart, UserId,
};
use wuyu_store::{ImportMeta, NewUser, Store};

use crate::cheap_hash;

/// Every fixture user's password.
pub const PASSWORD: &str = "test-password-123";

/// Ids the store assigned to the fixture's records.
#[derive(Debug, Clone, Default)]
pub struct Ids {
    pub school_a: i64,
    pub school_b: i64,
    /// 七年级 1班 of school A: taught by teacher-a; the parent's child is here.
    pub class_a7_1: i64,
    /// 七年级 2班 of school A: not taught by teacher-a.
    pub class_a7_2: i64,
    /// 八年级 1班 of school A: taught by teacher-a.
    pub class_a8_1: i64,
    /// 一年级 1班 of school B: taught by teacher-b.
    pub class_b1_1: i64,
    /// parent-a's child (school A, 七年级 1班), with a 身份证号.
    pub child: i64,
    /// Another student of school A, in 七年级 2班.
    pub other_a: i64,
    /// A student of school B.
    pub student_b: i64,
    /// A user that district admins may (de)activate in the matrix.
    pub spare_user: i64,
    pub users: HashMap<String, i64>,
    /// Filled by the web tests' `TestApp::with_exams`; zeros otherwise.
    pub exams: ExamIds,
}

/// Ids of the web tests' exam fixture; zeros without it.
#[derive(Debug, Clone, Default)]
pub struct ExamIds {
    pub baseline: i64,
    pub midterm: i64,
    pub monthly: i64,
    /// 河西中学 (rural junior) and 城北学校 (urban nine-year).
    pub school_c: i64,
    pub school_d: i64,
    pub class_c: i64,
    /// 学籍号 → student id, for every exam student.
    pub students: HashMap<String, i64>,
}

/// The full 身份证号 of the child (for "never shown in full" checks).
pub fn child_id_card() -> String {
    id_card("32010220120305123").as_str().to_string()
}

/// The child's 学籍号: "G" + the 身份证号, as many real ones are.
pub fn child_student_no() -> String {
    format!("G{}", child_id_card())
}

/// How the pages show an ID number: first 3 and last 4 characters.
pub fn masked_id(full: &str) -> String {
    format!("{}***********{}", &full[..3], &full[14..])
}

pub fn id_card(first17: &str) -> IdCardNo {
    let b: &[u8; 17] = first17.as_bytes().try_into().expect("17 digits");
    IdCardNo::parse(&format!("{first17}{}", IdCardNo::check_char(b))).expect("valid id")
}

pub fn school(
    code: &str,
    name: &str,
    stage: Stage,
    location: Location,
    group: Option<&str>,
) -> NewSchool {
    NewSchool {
        origin: Origin::default(),
        code: SchoolCode::parse(code).unwrap(),
        name: name.into(),
        stage,
        location,
        school_group: group.map(String::from),
    }
}

pub fn class(school: &str, grade: u8, name: &str) -> NewClass {
    NewClass {
        origin: Origin::default(),
        school_code: SchoolCode::parse(school).unwrap(),
        grade: Grade::new(grade).unwrap(),
        name: name.into(),
        class_type: None,
    }
}

#[allow(clippy::too_many_arguments)]
pub fn student(
    school: &str,
    grade: u8,
    class: &str,
    no: &str,
    name: &str,
    sex: Sex,
    birth: time::Date,
    id: Option<IdCardNo>,
) -> NewStudent {
    NewStudent {
        origin: Origin::default(),
        school_code: SchoolCode::parse(school).unwrap(),
        grade: Grade::new(grade).unwrap(),
        class_name: class.into(),
        student_no: StudentNo::parse(no).unwrap(),
        name: PersonName::parse(name).unwrap(),
        sex,
        birth_date: birth,
        id_card_no: id,
        ethnicity: None,
        former_names: None,
        status: None,
        flags: None,
    }
}

fn teacher(school: &str, staff_no: &str, name: &str) -> NewTeacher {
    NewTeacher {
        origin: Origin::default(),
        school_code: SchoolCode::parse(school).unwrap(),
        staff_no: staff_no.into(),
        name: PersonName::parse(name).unwrap(),
        sex: None,
        subject: None,
        employment: None,
        birth_year: None,
    }
}

fn assignment(
    school: &str,
    staff_no: &str,
    grade: u8,
    class: &str,
    subject: &str,
) -> NewAssignment {
    NewAssignment {
        origin: Origin::default(),
        school_code: SchoolCode::parse(school).unwrap(),
        staff_no: staff_no.into(),
        grade: Grade::new(grade).unwrap(),
        class_name: class.into(),
        subject: subject.into(),
        share: 1.0,
    }
}

pub fn roster() -> RosterBatch {
    use Sex::{Female, Male};
    RosterBatch {
        schools: vec![
            school(
                "S001",
                "第一实验中学",
                Stage::Junior,
                Location::Urban,
                Some("实验教育集团"),
            ),
            school("S002", "柳林小学", Stage::Primary, Location::Rural, None),
        ],
        classes: vec![
            class("S001", 7, "1班"),
            class("S001", 7, "2班"),
            class("S001", 8, "1班"),
            class("S002", 1, "1班"),
            class("S002", 2, "1班"),
        ],
        students: vec![
            student(
                "S001",
                7,
                "1班",
                &child_student_no(),
                "张小明",
                Male,
                date!(2012 - 03 - 05),
                Some(id_card("32010220120305123")),
            ),
            student(
                "S001",
                7,
                "1班",
                "A2024070102",
                "李小红",
                Female,
                date!(2012 - 05 - 10),
                None,
            ),
            student(
                "S001",
                7,
                "2班",
                "A2024070201",
                "王磊",
                Male,
                date!(2012 - 01 - 20),
                Some(id_card("32010220120120135")),
            ),
            student(
                "S001",
                7,
                "2班",
                "A2024070202",
                "赵敏",
                Female,
                date!(2012 - 07 - 01),
                None,
            ),
            student(
                "S001",
                8,
                "1班",
                "A2023080101",
                "陈晨",
                Male,
                date!(2011 - 09 - 09),
                None,
            ),
            student(
                "S002",
                1,
                "1班",
                "B2024010101",
                "刘洋",
                Male,
                date!(2018 - 04 - 04),
                None,
            ),
            student(
                "S002",
                1,
                "1班",
                "B2024010102",
                "周婷",
                Female,
                date!(2018 - 06 - 12),
                None,
            ),
            student(
                "S002",
                2,
                "1班",
                "B2023020101",
                "吴昊",
                Male,
                date!(2017 - 02 - 28),
                None,
            ),
        ],
        teachers: vec![
            teacher("S001", "T01", "孙老师"),
            teacher("S001", "T02", "钱老师"),
            teacher("S002", "T11", "郑老师"),
        ],
        assignments: vec![
            assignment("S001", "T01", 7, "1班", "语文"),
            assignment("S001", "T01", 8, "1班", "数学"),
            assignment("S001", "T02", 7, "2班", "英语"),
            assignment("S002", "T11", 1, "1班", "语文"),
        ],
    }
}

/// The earlier fitness term of the fixture (2023–2024 spring).
pub fn term_before() -> Term {
    Term::new(2023, TermPart::Spring).unwrap()
}

/// The later (latest) fitness term of the fixture (2024–2025 autumn).
pub fn term_now() -> Term {
    Term::new(2024, TermPart::Autumn).unwrap()
}

/// Raw results of a grade-1/2 or grade-7/8 student; `q` in 0..=4 moves every result from
/// weak to strong, so the records spread over the levels.
fn measures(grade: u8, sex: Sex, q: u8) -> FitnessMeasures {
    let q = f64::from(q);
    let junior = grade >= 7;
    let mut m = FitnessMeasures {
        height_cm: Some(if junior { 152.0 } else { 118.0 } + 3.0 * q),
        weight_kg: Some(if junior { 40.0 } else { 20.0 } + 4.0 * q),
        vital_capacity: Some(if junior { 1800.0 } else { 700.0 } + 400.0 * q),
        run_50m: Some(if junior { 10.5 } else { 13.0 } - 0.6 * q),
        sit_and_reach: Some(-2.0 + 4.0 * q),
        ..Default::default()
    };
    if junior {
        m.standing_long_jump = Some(140.0 + 15.0 * q);
        if sex == Sex::Male {
            m.pull_up = Some(q * 3.0);
            m.run_1000m = Some(330.0 - 20.0 * q);
        } else {
            m.sit_up_1min = Some(20.0 + 8.0 * q);
            m.run_800m = Some(300.0 - 18.0 * q);
        }
    } else {
        m.rope_skip_1min = Some(40.0 + 25.0 * q);
    }
    // Vision: myopic for q 0, reduced acuity for q 1, normal otherwise.
    m.acuity_left = Some(if q < 2.0 { 4.7 } else { 5.0 });
    m.acuity_right = Some(5.0);
    m.se_left = Some(if q < 1.0 { -1.25 } else { 0.0 });
    m.se_right = Some(0.0);
    m
}

pub fn fitness_record(term: Term, no: &str, grade: u8, sex: Sex, q: u8) -> NewFitnessRecord {
    NewFitnessRecord {
        origin: Origin::default(),
        student_no: StudentNo::parse(no).unwrap(),
        term,
        test_date: if term == term_now() {
            date!(2024 - 10 - 15)
        } else {
            date!(2024 - 04 - 15)
        },
        grade: None,
        sex: Some(sex),
        measures: measures(grade, sex, q),
    }
}

/// Two terms of fitness records. In the latest term: 赵敏 (7-2) and 吴昊 (school B) are missing
/// a test, 陈晨 (8-1) is INCOMPLETE (no 50米跑), 王磊 (7-2) is weak everywhere.
pub fn fitness_batch() -> FitnessBatch {
    use Sex::{Female, Male};
    let (before, now) = (term_before(), term_now());
    let child = child_student_no();
    let mut records = vec![
        fitness_record(before, &child, 7, Male, 2),
        fitness_record(before, "A2024070102", 7, Female, 1),
        fitness_record(before, "A2024070201", 7, Male, 0),
        fitness_record(before, "A2024070202", 7, Female, 3),
        fitness_record(before, "A2023080101", 8, Male, 2),
        fitness_record(before, "B2024010101", 1, Male, 1),
        fitness_record(now, &child, 7, Male, 4),
        fitness_record(now, "A2024070102", 7, Female, 2),
        fitness_record(now, "A2024070201", 7, Male, 0),
        fitness_record(now, "A2023080101", 8, Male, 3),
        fitness_record(now, "B2024010101", 1, Male, 3),
        fitness_record(now, "B2024010102", 1, Female, 1),
    ];
    records[9].measures.run_50m = None;
    FitnessBatch { records }
}

/// Imports the roster and the fitness batch into `store` (migrated, empty) and creates one user
/// per role (password [`PASSWORD`], a cheap hash); `inactive` is deactivated.
pub async fn load(store: &dyn Store) -> Ids {
    store
        .import_roster(
            &roster(),
            &ImportMeta {
                username: "fixture".into(),
                file_name: "fixture".into(),
                file_sha256: "0".repeat(64),
                at: 0,
            },
        )
        .await
        .expect("import roster");
    store
        .import_fitness(
            &fitness_batch(),
            &ImportMeta {
                username: "fixture".into(),
                file_name: "fitness".into(),
                file_sha256: "1".repeat(64),
                at: 0,
            },
        )
        .await
        .expect("import fitness");

    let d = Scope::District;
    let schools = store.list_schools(&d).await.unwrap();
    let school_id = |code: &str| {
        schools
            .iter()
            .find(|s| s.school.code.as_str() == code)
            .map(|s| s.school.id)
            .expect("school")
    };
    let (a, b) = (school_id("S001"), school_id("S002"));
    let class_id = |classes: &[wuyu_store::ClassSummary], grade: u8, name: &str| {
        classes
            .iter()
            .find(|c| c.class.grade.get() == grade && c.class.name == name)
            .map(|c| c.class.id.0)
            .expect("class")
    };
    let classes_a = store.list_classes(&d, a).await.unwrap();
    let classes_b = store.list_classes(&d, b).await.unwrap();
    let student_id = async |school: SchoolId, no: &str| {
        store
            .list_students(&d, school, None)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.student_no.as_str() == no)
            .map(|s| s.id)
            .expect("student")
    };
    let child = student_id(a, &child_student_no()).await;
    let other_a = student_id(a, "A2024070201").await;
    let student_b = student_id(b, "B2024010101").await;
    let teacher_id = async |school: SchoolId, staff_no: &str| {
        store
            .list_assignments(&d, school)
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.staff_no == staff_no)
            .map(|t| t.teacher_id)
            .expect("teacher")
    };
    let t01 = teacher_id(a, "T01").await;
    let t11 = teacher_id(b, "T11").await;

    let hash = cheap_hash(PASSWORD);
    let mut users = HashMap::new();
    let specs: Vec<(&str, Role, Option<SchoolId>, Option<_>, Option<_>)> = vec![
        ("district", Role::DistrictAdmin, None, None, None),
        ("analyst", Role::DistrictAnalyst, None, None, None),
        ("school-a", Role::SchoolAdmin, Some(a), None, None),
        ("teacher-a", Role::Teacher, Some(a), Some(t01), None),
        ("counsellor-a", Role::Counsellor, Some(a), None, None),
        ("parent-a", Role::Parent, Some(a), None, Some(child)),
        ("teacher-b", Role::Teacher, Some(b), Some(t11), None),
        ("inactive", Role::DistrictAnalyst, None, None, None),
        ("spare", Role::DistrictAnalyst, None, None, None),
    ];
    for (username, role, school_id, teacher_id, student_id) in specs {
        let id = store
            .create_user(&NewUser {
                username: username.into(),
                display_name: format!("{username} 显示名"),
                role,
                password_hash: hash.clone(),
                school_id,
                teacher_id,
                student_id,
            })
            .await
            .expect("create user");
        users.insert(username.to_string(), id.0);
    }
    store
        .set_user_active(UserId(users["inactive"]), false)
        .await
        .unwrap();

    Ids {
        school_a: a.0,
        school_b: b.0,
        class_a7_1: class_id(&classes_a, 7, "1班"),
        class_a7_2: class_id(&classes_a, 7, "2班"),
        class_a8_1: class_id(&classes_a, 8, "1班"),
        class_b1_1: class_id(&classes_b, 1, "1班"),
        child: child.0,
        other_a: other_a.0,
        student_b: student_b.0,
        spare_user: users["spare"],
        users,
        exams: ExamIds::default(),
    }
}
