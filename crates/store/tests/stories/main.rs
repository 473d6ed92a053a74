//! Story tests of the store: each story runs against SQLite (a temp file) and PostgreSQL (a
//! fresh database on the server `WUYU_TEST_PG_URL` names). Under `CI=true` a missing
//! PostgreSQL fails the PostgreSQL half instead of skipping it.

mod accounts;
mod archive;
mod fitness;
mod journals;
mod plan_registry;
mod plan_reports;
mod psych_scales;
mod roster;
mod staff;
mod survey;
mod undo;
use time::macros::date;
use wuyu_domain::roster::{NewAssignment, NewClass, NewSchool, NewStudent, NewTeacher};
use wuyu_domain::{
    ClassId, District, Grade, IdCardNo, Location, PersonName, Role, RosterBatch, SchoolId, Scope,
    Sex, Stage, StudentId, StudentNo, User, UserId,
};
use wuyu_store::{AuditEntry, AuditFilter, NewSession, NewUser, Store, StoreError};

// --- fixtures (shared with the exam stories: tests/common) --------------------------------

#[path = "../common/mod.rs"]
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
        former_names: None,
        status: None,
        flags: None,
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
                class_type: None,
            },
            NewClass {
                origin: o("班级", 3),
                school_code: code("A001"),
                grade: Grade::new(5).unwrap(),
                name: "2班".into(),
                class_type: None,
            },
            NewClass {
                origin: o("班级", 4),
                school_code: code("B001"),
                grade: Grade::new(7).unwrap(),
                name: "1班".into(),
                class_type: None,
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
                subject: None,
                employment: None,
                birth_year: None,
            },
            NewTeacher {
                origin: o("教师", 3),
                school_code: code("A001"),
                staff_no: "T02".into(),
                name: PersonName::parse("周老师").unwrap(),
                sex: None,
                subject: None,
                employment: None,
                birth_year: None,
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
