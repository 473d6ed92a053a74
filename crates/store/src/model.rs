//! Rows the store returns and the inputs it takes (beyond the domain types).
use serde::{Deserialize, Serialize};
use wuyu_domain::{
    ClassId, Location, Role, School, SchoolClass, SchoolId, Stage, StudentId, TeacherId, User,
    UserId,
};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolSummary {
    pub school: School,
    pub class_count: i64,
    pub student_count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassSummary {
    pub class: SchoolClass,
    pub student_count: i64,
}

/// One cell of the district overview: schools of a stage and location.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverviewCell {
    pub stage: Stage,
    pub location: Location,
    pub schools: i64,
    pub classes: i64,
    pub students: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssignmentView {
    pub teacher_id: TeacherId,
    pub teacher_name: String,
    pub staff_no: String,
    pub class_id: ClassId,
    pub subject: String,
    pub share: f64,
}

/// A teacher as the roster holds them, with the titles the staff imports recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeacherView {
    pub teacher_id: TeacherId,
    pub staff_no: String,
    pub name: String,
    pub sex: Option<wuyu_domain::Sex>,
    /// 任教学科
    pub subject: Option<String>,
    pub employment: Option<wuyu_domain::Employment>,
    pub birth_year: Option<i32>,
    /// Titles as "区级骨干教师（2023）", oldest first.
    pub titles: Vec<String>,
}

/// Who imported what, for the import record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportMeta {
    pub username: String,
    pub file_name: String,
    pub file_sha256: String,
    pub at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub import_id: i64,
    pub schools_added: u64,
    pub schools_updated: u64,
    pub classes_added: u64,
    pub students_added: u64,
    pub students_updated: u64,
    pub teachers_added: u64,
    pub teachers_updated: u64,
    pub assignments_written: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRecord {
    pub id: i64,
    pub at: i64,
    pub username: String,
    pub kind: String,
    pub file_name: String,
    pub file_sha256: String,
    pub records: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    pub school_id: Option<SchoolId>,
    pub teacher_id: Option<TeacherId>,
    pub student_id: Option<StudentId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCredentials {
    pub user: User,
    pub password_hash: String,
    pub active: bool,
    /// The password is a one-time password: the user must change it before anything else.
    pub must_change_password: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRow {
    pub user: User,
    pub active: bool,
    pub school_name: Option<String>,
    pub must_change_password: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// SHA-256 (hex) of the cookie token: a leaked database does not leak live sessions.
    pub token_hash: String,
    pub user_id: UserId,
    pub csrf_token: String,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: i64,
    /// Last request seen on this session (unix seconds), for the idle timeout.
    pub last_seen_at: i64,
    pub must_change_password: bool,
    /// A parent's chosen child (school, student), if one was chosen and is still linked.
    pub child: Option<(SchoolId, StudentId)>,
}

/// One audit record: sign-ins, reads of an individual student's record, imports, user changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: i64,
    pub user_id: Option<UserId>,
    pub username: String,
    /// e.g. `login`, `login_failed`, `logout`, `read_student`, `import_roster`, `create_user`.
    pub action: String,
    pub school_id: Option<SchoolId>,
    /// e.g. `student:12`.
    pub entity: String,
    pub detail: String,
    pub ip: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    pub id: i64,
    #[serde(flatten)]
    pub entry: AuditEntry,
}

/// A parent account's child, for choosing whose pages to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChildRow {
    pub school_id: SchoolId,
    pub student_id: StudentId,
    pub name: String,
}

/// Whom a redeemed binding code links the child to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParentTarget {
    /// A signed-in parent adding a child.
    Existing(UserId),
    /// A parent's first sign-in: the account is created with the child.
    New(NewUser),
}
