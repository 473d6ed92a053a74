//! Roster SQL: the column lists and the row tuples they read, and their conversion to domain
//! types.
use wuyu_domain::{
    ClassId, ClassType, EthnicityCode, Grade, IdCardNo, Location, PersonName, Role, School,
    SchoolClass, SchoolCode, SchoolId, Sex, Stage, Student, StudentId, StudentNo, StudentStatus,
    TeacherId, User, UserId,
};

use crate::StoreError;
use crate::backend::corrupt;

pub(crate) type SchoolTuple = (i64, String, String, String, String, Option<String>);
pub(crate) type ClassTuple = (i64, i64, i32, String, String);
pub(crate) type StudentTuple = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    time::Date,
    Option<String>,
    Option<i32>,
    String,
    String,
    Option<time::Date>,
);
pub(crate) type UserTuple = (
    i64,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

pub(crate) const SCHOOL_COLS: &str = "s.id, s.code, s.name, s.stage, s.location, s.school_group";
pub(crate) const STUDENT_COLS: &str = "school_id, id, class_id, student_no, name, sex, birth_date, \
     id_card_no, ethnicity, former_names, status, status_date";
pub(crate) const CLASS_COLS: &str = "school_id, id, grade, name, class_type";
pub(crate) const USER_COLS: &str =
    "u.id, u.username, u.display_name, u.role, u.school_id, u.teacher_id, u.student_id";

pub(crate) fn school_from(t: SchoolTuple) -> Result<School, StoreError> {
    Ok(School {
        id: SchoolId(t.0),
        code: SchoolCode::parse(&t.1).map_err(|e| corrupt("school.code", e))?,
        name: t.2,
        stage: Stage::parse(&t.3).map_err(|e| corrupt("school.stage", e))?,
        location: Location::parse(&t.4).map_err(|e| corrupt("school.location", e))?,
        school_group: t.5,
    })
}

pub(crate) fn class_from(t: ClassTuple) -> Result<SchoolClass, StoreError> {
    Ok(SchoolClass {
        school_id: SchoolId(t.0),
        id: ClassId(t.1),
        grade: u8::try_from(t.2)
            .ok()
            .and_then(|g| Grade::new(g).ok())
            .ok_or_else(|| corrupt("school_class.grade", t.2))?,
        name: t.3,
        class_type: ClassType::parse(&t.4).map_err(|e| corrupt("school_class.class_type", e))?,
    })
}

pub(crate) fn student_from(t: StudentTuple) -> Result<Student, StoreError> {
    Ok(Student {
        school_id: SchoolId(t.0),
        id: StudentId(t.1),
        class_id: ClassId(t.2),
        student_no: StudentNo::parse(&t.3).map_err(|e| corrupt("student.student_no", e))?,
        name: PersonName::parse(&t.4).map_err(|e| corrupt("student.name", e))?,
        sex: Sex::parse(&t.5).map_err(|e| corrupt("student.sex", e))?,
        birth_date: t.6,
        id_card_no: t
            .7
            .as_deref()
            .map(IdCardNo::parse)
            .transpose()
            .map_err(|e| corrupt("student.id_card_no", e))?,
        ethnicity: t
            .8
            .map(|e| {
                u8::try_from(e)
                    .ok()
                    .and_then(|e| EthnicityCode::new(e).ok())
                    .ok_or_else(|| corrupt("student.ethnicity", e))
            })
            .transpose()?,
        former_names: Student::parse_former_names(&t.9)
            .map_err(|e| corrupt("student.former_names", e))?,
        status: StudentStatus::parse(&t.10).map_err(|e| corrupt("student.status", e))?,
        status_date: t.11,
    })
}

pub(crate) fn user_from(t: UserTuple) -> Result<User, StoreError> {
    Ok(User {
        id: UserId(t.0),
        username: t.1,
        display_name: t.2,
        role: Role::parse(&t.3).map_err(|e| corrupt("app_user.role", e))?,
        school_id: t.4.map(SchoolId),
        teacher_id: t.5.map(TeacherId),
        student_id: t.6.map(StudentId),
    })
}
