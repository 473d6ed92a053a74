//! Accounts in bulk, from the roster: teachers get accounts named by their 工号 with one-time
//! passwords; parents get, per class, one-time binding codes the school hands out, with which
//! a parent opens their account or adds a child to it (see [`super::parents`]).
use sha2::{Digest, Sha256};
use wuyu_domain::{Capability, ClassId, Role, SchoolId, Scope, TeacherId, Viewer};
use wuyu_store::NewUser;

use super::rules::one_time_password;
use crate::{Service, ServiceError};

/// An account opened in bulk, with the one-time password to hand over (shown once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
}

/// A teacher no account was opened for, and why (Chinese).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedTeacher {
    pub staff_no: String,
    pub name: String,
    pub reason: String,
}

/// The caller manages accounts of `school`: a district admin, or that school's admin.
fn check_school(viewer: &Viewer, school: SchoolId) -> Result<(), ServiceError> {
    let reaches = match &viewer.scope {
        Scope::District => true,
        Scope::School { school_id } => *school_id == school,
        _ => false,
    };
    if viewer.can(Capability::ManageAccounts) && reaches {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// The teacher accounts to open: one per teacher of the school without an account, each with
/// its one-time password (to hash, then [`open_teacher_accounts`]), and those skipped.
#[derive(Debug, Clone)]
pub struct TeacherAccountPlan {
    pub school: SchoolId,
    pub accounts: Vec<IssuedAccount>,
    pub skipped: Vec<SkippedTeacher>,
    teachers: Vec<TeacherId>,
}

/// Plans an account for every teacher of `school` who has none: username = 工号, the teacher's
/// name, a fresh one-time password. A 工号 that cannot be a username, or is one already, is
/// skipped with the reason.
pub async fn plan_teacher_accounts(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
) -> Result<TeacherAccountPlan, ServiceError> {
    check_school(viewer, school)?;
    let store = svc.store();
    let mut plan = TeacherAccountPlan {
        school,
        accounts: Vec::new(),
        skipped: Vec::new(),
        teachers: Vec::new(),
    };
    for (teacher, staff_no, name) in store.teachers_without_account(school).await? {
        let valid = !staff_no.is_empty()
            && staff_no.chars().count() <= super::MAX_USERNAME_CHARS
            && staff_no
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        let reason = if !valid {
            Some(format!(
                "工号“{staff_no}”不能用作用户名（只能包含英文字母、数字和 . _ -）"
            ))
        } else if store.user_credentials(&staff_no).await?.is_some() {
            Some(format!("用户名“{staff_no}”已被其他账号占用"))
        } else {
            None
        };
        if let Some(reason) = reason {
            plan.skipped.push(SkippedTeacher {
                staff_no,
                name,
                reason,
            });
            continue;
        }
        let password = one_time_password().map_err(|e| ServiceError::Internal(e.to_string()))?;
        plan.teachers.push(teacher);
        plan.accounts.push(IssuedAccount {
            username: staff_no,
            display_name: name,
            password,
        });
    }
    Ok(plan)
}

/// Creates the planned accounts with their passwords' hashes (in plan order), all or none.
pub async fn open_teacher_accounts(
    svc: &Service,
    viewer: &Viewer,
    plan: &TeacherAccountPlan,
    password_hashes: Vec<String>,
) -> Result<(), ServiceError> {
    check_school(viewer, plan.school)?;
    if password_hashes.len() != plan.accounts.len() {
        return Err(ServiceError::Internal(
            "one hash per planned account".into(),
        ));
    }
    let users: Vec<NewUser> = plan
        .accounts
        .iter()
        .zip(&plan.teachers)
        .zip(password_hashes)
        .map(|((a, teacher), password_hash)| NewUser {
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            role: Role::Teacher,
            password_hash,
            school_id: Some(plan.school),
            teacher_id: Some(*teacher),
            student_id: None,
        })
        .collect();
    svc.store().create_one_time_users(&users).await?;
    Ok(())
}

/// One line of a class's sheet of binding codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingCodeRow {
    pub student_no: String,
    pub name: String,
    pub code: String,
}

/// A class's sheet of binding codes, to print and hand out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingSheet {
    pub school_name: String,
    pub class_name: String,
    pub rows: Vec<BindingCodeRow>,
}

/// The SHA-256 under which a binding code is kept; codes are read case-insensitively.
pub(crate) fn code_hash(code: &str) -> String {
    let digest = Sha256::digest(code.trim().to_uppercase().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// 8 characters without look-alikes, easy to type from paper.
fn binding_code() -> Result<String, ServiceError> {
    let raw = one_time_password().map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(raw
        .to_uppercase()
        .chars()
        .filter(|c| !matches!(c, 'O' | 'I' | 'L'))
        .take(8)
        .collect())
}

/// Issues a fresh binding code for every student of the class (replacing earlier ones) and
/// answers the sheet: the codes exist only there, the store keeps their hashes.
pub async fn issue_binding_codes(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
    class: ClassId,
    now: i64,
) -> Result<BindingSheet, ServiceError> {
    check_school(viewer, school)?;
    let store = svc.store();
    let school_row = store.school(&viewer.scope, school).await?;
    let class_row = store.class(&viewer.scope, school, class).await?;
    let students = store
        .list_students(&viewer.scope, school, Some(class))
        .await?;
    let mut rows = Vec::with_capacity(students.len());
    let mut hashes = Vec::with_capacity(students.len());
    for s in students {
        let mut code = binding_code()?;
        while code.len() < 8 {
            code = binding_code()?;
        }
        hashes.push((s.id, code_hash(&code)));
        rows.push(BindingCodeRow {
            student_no: s.student_no.as_str().to_string(),
            name: s.name.as_str().to_string(),
            code,
        });
    }
    store.issue_binding_codes(school, &hashes, now).await?;
    Ok(BindingSheet {
        school_name: school_row.name,
        class_name: format!("{}{}", class_row.grade.label_zh(), class_row.name),
        rows,
    })
}
