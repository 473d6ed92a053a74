//! The rules for a new account, in one place for the admin page and `wuyu user add`: a valid
//! username, display name and initial password, and the role's bindings resolved by natural
//! keys an administrator knows (school, 工号, 学籍号) — nothing the role does not use.
use thiserror::Error;
use wuyu_domain::{Role, SchoolId, StudentNo};
use wuyu_store::{NewUser, Store, StoreError};

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 256;
pub const MAX_USERNAME_CHARS: usize = 64;

/// An account to create, as an administrator describes it.
#[derive(Debug, Clone, Default)]
pub struct AccountSpec {
    pub username: String,
    pub display_name: String,
    pub role: Option<Role>,
    /// Required for school admins, counsellors and teachers; optional for parents (checked
    /// against the child's school); refused for district roles.
    pub school: Option<SchoolId>,
    /// 工号 of the teacher record: teachers only.
    pub teacher_staff_no: Option<String>,
    /// 学籍号 of the child: parents only.
    pub student_no: Option<String>,
    pub password: String,
}

#[derive(Debug, Error)]
pub enum AccountError {
    /// The administrator's input is wrong; the message says how (Chinese).
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid<T>(msg: impl Into<String>) -> Result<T, AccountError> {
    Err(AccountError::Invalid(msg.into()))
}

/// Checks `spec` and resolves its bindings. The returned `NewUser` has an empty
/// `password_hash`: the caller hashes `spec.password` (off the async runtime).
pub async fn resolve_account(
    store: &dyn Store,
    spec: &AccountSpec,
) -> Result<NewUser, AccountError> {
    let username = spec.username.trim();
    if username.is_empty() || username.chars().count() > MAX_USERNAME_CHARS {
        return invalid(format!(
            "用户名不能为空，且不超过 {MAX_USERNAME_CHARS} 个字符"
        ));
    }
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return invalid("用户名只能包含英文字母、数字和 . _ -");
    }
    let display_name = spec.display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 50 {
        return invalid("姓名不能为空，且不超过 50 个字符");
    }
    let Some(role) = spec.role else {
        return invalid("请选择角色");
    };
    let n = spec.password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return invalid(format!("初始密码至少 {MIN_PASSWORD_CHARS} 个字符"));
    }
    if n > MAX_PASSWORD_CHARS {
        return invalid(format!("初始密码不能超过 {MAX_PASSWORD_CHARS} 个字符"));
    }
    let staff_no = spec
        .teacher_staff_no
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let student_no = spec
        .student_no
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if staff_no.is_some() && role != Role::Teacher {
        return invalid("只有教师账号填写教师工号");
    }
    if student_no.is_some() && role != Role::Parent {
        return invalid("只有家长账号填写孩子的学籍号");
    }

    let mut new = NewUser {
        username: username.to_string(),
        display_name: display_name.to_string(),
        role,
        password_hash: String::new(),
        school_id: None,
        teacher_id: None,
        student_id: None,
    };
    match role {
        Role::DistrictAdmin | Role::DistrictAnalyst => {
            if spec.school.is_some() {
                return invalid("区级账号不属于任何学校，请不要选择学校");
            }
        }
        Role::SchoolAdmin | Role::Counsellor => {
            let Some(school) = spec.school else {
                return invalid("该角色需要选择学校");
            };
            new.school_id = Some(school);
        }
        Role::Teacher => {
            let Some(school) = spec.school else {
                return invalid("教师账号需要选择学校");
            };
            let Some(staff_no) = staff_no else {
                return invalid("教师账号需要填写教师工号");
            };
            let Some(teacher) = store.teacher_by_staff_no(school, staff_no).await? else {
                return invalid(format!("该校没有工号为“{staff_no}”的教师"));
            };
            new.school_id = Some(school);
            new.teacher_id = Some(teacher);
        }
        Role::Parent => {
            let Some(raw) = student_no else {
                return invalid("家长账号需要填写孩子的学籍号");
            };
            let no = match StudentNo::parse(raw) {
                Ok(no) => no,
                Err(e) => return invalid(format!("学籍号“{raw}”无效：{e}")),
            };
            let Some((school, student)) = store.student_by_no(no.as_str()).await? else {
                return invalid(format!("学籍号“{raw}”不存在"));
            };
            if spec.school.is_some_and(|s| s != school) {
                return invalid("该学生不在所选学校");
            }
            new.school_id = Some(school);
            new.student_id = Some(student);
        }
    }
    Ok(new)
}

/// The rule for a password a user chooses, as the 修改密码 page states it.
pub const PASSWORD_RULE_ZH: &str =
    "新密码至少 10 个字符，须同时包含字母和数字，不能与用户名相同，也不能与原密码相同。";

/// Checks a password the user chose against [`PASSWORD_RULE_ZH`]; the error says which part
/// failed, in Chinese.
pub fn check_new_password(username: &str, old: &str, new: &str) -> Result<(), String> {
    let n = new.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(format!("新密码至少 {MIN_PASSWORD_CHARS} 个字符"));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(format!("新密码不能超过 {MAX_PASSWORD_CHARS} 个字符"));
    }
    if !new.chars().any(|c| c.is_alphabetic()) || !new.chars().any(|c| c.is_ascii_digit()) {
        return Err("新密码须同时包含字母和数字".into());
    }
    if new.eq_ignore_ascii_case(username.trim()) {
        return Err("新密码不能与用户名相同".into());
    }
    if new == old {
        return Err("新密码不能与原密码相同".into());
    }
    Ok(())
}

/// A one-time password for a reset or a bulk account: 12 characters without look-alikes
/// (no 0/O, 1/l/I), so it can be read off a printed sheet.
pub fn one_time_password() -> Result<String, getrandom::Error> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    const LEN: usize = 12;
    // Rejection sampling keeps every character equally likely.
    let limit = 256 - 256 % ALPHABET.len();
    let mut out = String::with_capacity(LEN);
    while out.len() < LEN {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        for b in bytes.iter().map(|b| usize::from(*b)).filter(|b| *b < limit) {
            if out.len() < LEN {
                out.push(char::from(ALPHABET[b % ALPHABET.len()]));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_password_must_pass_every_part_of_the_rule() {
        assert!(check_new_password("zhang", "old-pass-1", "new-pass-2026").is_ok());
        for (new, why) in [
            ("short1", "至少 10 个字符"),
            ("only-letters-here", "字母和数字"),
            ("1234567890123", "字母和数字"),
            ("Zhangsan2026", ""),
        ] {
            let got = check_new_password("zhangsan2026", "old", new);
            if why.is_empty() {
                assert_eq!(got.unwrap_err(), "新密码不能与用户名相同");
            } else {
                assert!(got.unwrap_err().contains(why), "{new}");
            }
        }
        assert_eq!(
            check_new_password("u", "same-pass-99", "same-pass-99").unwrap_err(),
            "新密码不能与原密码相同"
        );
    }

    #[test]
    fn one_time_passwords_are_long_distinct_and_unambiguous() {
        let a = one_time_password().unwrap();
        let b = one_time_password().unwrap();
        assert_eq!(a.chars().count(), 12);
        assert_ne!(a, b);
        assert!(!a.contains(['0', 'O', '1', 'l', 'I']), "{a}");
    }
}
