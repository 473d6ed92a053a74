//! Building audit entries. Writes go through `Store::append_audit`; a sensitive read whose
//! audit row cannot be written fails rather than showing unaudited data.
use wuyu_domain::User;
use wuyu_service::store_types::AuditEntry;

use crate::auth::now_unix;

/// An entry for `action` by `user` (or an anonymous `username`, e.g. a failed sign-in) from
/// `ip`; callers fill in school, entity and detail.
pub(crate) fn entry(user: Option<&User>, username: &str, action: &str, ip: &str) -> AuditEntry {
    AuditEntry {
        at: now_unix(),
        user_id: user.map(|u| u.id),
        username: user.map_or_else(|| username.to_string(), |u| u.username.clone()),
        action: action.to_string(),
        school_id: None,
        entity: String::new(),
        detail: String::new(),
        ip: ip.to_string(),
    }
}

/// Every audit action and how the audit page names it. A refused attempt is logged as the
/// action plus `_denied` and read as "（被拒绝）" after the action's label.
const ACTION_LABELS: &[(&str, &str)] = &[
    ("login", "登录"),
    ("login_failed", "登录失败"),
    ("logout", "退出登录"),
    ("create_user", "创建账号"),
    ("activate_user", "启用账号"),
    ("deactivate_user", "停用账号"),
    ("change_password", "修改密码"),
    ("reset_password", "重置密码"),
    ("unlock_user", "解除登录限制"),
    ("open_teacher_accounts", "批量开通教师账号"),
    ("issue_binding_codes", "生成家长绑定码"),
    ("open_parent_account", "家长开通账号"),
    ("bind_child", "家长绑定孩子"),
    ("read_student", "查看学生信息"),
    ("read_student_fitness", "查看学生体测记录"),
    ("read_student_exams", "查看学生考试成绩"),
    ("read_class", "查看班级学生名单"),
    ("read_class_fitness", "查看班级体测成绩"),
    ("read_class_exam", "查看班级考试成绩"),
    ("api_list_students", "接口：读取学生名单"),
    ("api_read_student_fitness", "接口：读取学生体测记录"),
    ("api_read_exam_students", "接口：读取学生考试成绩"),
    ("export_class_exam", "导出班级考试成绩"),
    ("export_fitness_upload", "导出国家体测上报表"),
    ("export_alerts", "导出平行班比较预警"),
    ("export_class_roster", "导出班级学生名单"),
    ("alert_decision", "记录平行班预警处理决定"),
    ("update_setting", "修改区级设置"),
];

/// The Chinese label of an audit action; an action without one is shown as stored.
/// Every action code with its label, for the audit page's search form.
pub(crate) fn action_options() -> impl Iterator<Item = (&'static str, &'static str)> {
    ACTION_LABELS.iter().copied()
}

pub(crate) fn action_zh(action: &str) -> String {
    let label = |a: &str| ACTION_LABELS.iter().find(|(k, _)| *k == a).map(|(_, v)| *v);
    if let Some(l) = label(action) {
        return l.to_string();
    }
    match action.strip_suffix("_denied").and_then(label) {
        Some(l) => format!("{l}（被拒绝）"),
        None => action.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_in_chinese_and_refusals_say_so() {
        assert_eq!(action_zh("export_fitness_upload"), "导出国家体测上报表");
        assert_eq!(action_zh("read_student_denied"), "查看学生信息（被拒绝）");
        assert_eq!(action_zh("something_new"), "something_new");
        for (a, l) in ACTION_LABELS {
            assert!(!a.is_empty() && !l.is_ascii(), "{a}");
        }
    }
}
