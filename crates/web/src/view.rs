//! What every page's layout needs (navigation for the caller's role, their name, the CSRF
//! token) and small formatting helpers for templates.
use askama::Template;
use axum::response::Html;
use time::{OffsetDateTime, UtcOffset};
use wuyu_domain::{Capability, Role, Scope, StudentNo, grants};

use crate::assets;
use crate::auth::CurrentUser;
use crate::error::AppError;

pub(crate) struct NavLink {
    pub href: String,
    pub label: &'static str,
    pub active: bool,
}

/// The layout around every signed-in page.
pub(crate) struct Chrome {
    pub display_name: String,
    pub role_label: &'static str,
    pub csrf_token: String,
    pub nav: Vec<NavLink>,
    pub css_url: String,
    pub htmx_url: String,
    pub echarts_url: String,
    pub app_js_url: String,
    /// tables.js: sorting and filtering of long tables.
    pub tables_js_url: String,
}

impl Chrome {
    /// `current` is the path of the page, to mark its link active.
    pub fn new(me: &CurrentUser, current: &str) -> Self {
        let nav = nav_links(me.role(), &me.scope)
            .into_iter()
            .map(|(href, label)| NavLink {
                active: href == current,
                href,
                label,
            })
            .collect();
        Self {
            display_name: me.user.display_name.clone(),
            role_label: me.role().label_zh(),
            csrf_token: me.csrf_token.clone(),
            nav,
            css_url: assets::url("app.css"),
            htmx_url: assets::url("vendor/htmx.min.js"),
            echarts_url: assets::url("vendor/echarts.min.js"),
            app_js_url: assets::url("app.js"),
            tables_js_url: assets::url("tables.js"),
        }
    }
}

/// The links a role may use: nothing it would be refused.
fn nav_links(role: Role, scope: &Scope) -> Vec<(String, &'static str)> {
    let mut links = Vec::new();
    match (role, scope) {
        _ if grants(role, Capability::DistrictOverview) => {
            links.push(("/".to_string(), "区级总览"));
        }
        (
            Role::Parent,
            Scope::Parent {
                school_id,
                student_ids,
            },
        ) => {
            for s in student_ids {
                links.push((format!("/schools/{school_id}/students/{s}"), "孩子档案"));
                links.push((
                    format!("/schools/{school_id}/students/{s}/archive"),
                    "综合素质",
                ));
            }
        }
        (Role::Teacher, _) => {
            if let Some(s) = scope.school_id() {
                links.push((format!("/schools/{s}"), "我的班级"));
            }
        }
        _ => {
            if let Some(s) = scope.school_id() {
                links.push((format!("/schools/{s}"), "本校"));
            }
        }
    }
    // Each link only where the one capability table grants what it opens.
    if grants(role, Capability::ViewExams) {
        links.push(("/exams".to_string(), "考试分析"));
    }
    if grants(role, Capability::ViewFitness) {
        links.push(("/fitness".to_string(), "体质健康"));
    }
    // 心理健康: one entry, to the page the role's need to know opens.
    if grants(role, Capability::ViewPsychRecords) {
        links.push(("/psych".to_string(), "心理健康"));
    } else if grants(role, Capability::ViewPsychFlags) {
        links.push(("/psych/flags".to_string(), "心理健康"));
    } else if grants(role, Capability::ViewPsychAggregates) {
        links.push(("/psych/aggregates".to_string(), "心理健康"));
    } else if grants(role, Capability::ViewChildPsychConsent) {
        links.push(("/psych/child-consent".to_string(), "心理筛查"));
    }
    if grants(role, Capability::LoadPsychScales) {
        links.push(("/psych/scales".to_string(), "量表定义"));
    }
    if grants(role, Capability::ViewArchiveCoverage) {
        links.push(("/archive/coverage".to_string(), "综合素质"));
    }
    if grants(role, Capability::ViewSurveyResults) {
        links.push(("/surveys".to_string(), "满意度调查"));
    }
    // A teacher's 写实记录 opens their class (a school admin reaches classes from coverage).
    if role == Role::Teacher && grants(role, Capability::RecordActivities) {
        links.push(("/archive/class".to_string(), "写实记录"));
    }
    if grants(role, Capability::ViewStaffAppraisal) {
        links.push(("/staff/appraisal".to_string(), "教师考核"));
        links.push(("/staff/development".to_string(), "教师发展"));
    }
    if grants(role, Capability::ViewPlan) {
        links.push(("/plan".to_string(), "目标任务"));
        links.push(("/plan/progress".to_string(), "月度调度"));
        links.push(("/plan/registry".to_string(), "名录"));
    }
    if grants(role, Capability::SubmitPlanReports) || grants(role, Capability::ReviewPlanReports) {
        links.push(("/plan/reports".to_string(), "指标填报"));
    }
    if grants(role, Capability::ManageImports) {
        links.push(("/imports".to_string(), "导入中心"));
    }
    if grants(role, Capability::LinkChildren) {
        links.push(("/account/children".to_string(), "我的孩子"));
    }
    if grants(role, Capability::ManageAccounts) {
        links.push(("/accounts".to_string(), "账号管理"));
    }
    if grants(role, Capability::ManageUsers) {
        links.push(("/admin/users".to_string(), "用户管理"));
    }
    if grants(role, Capability::ViewAudit) {
        links.push(("/admin/audit".to_string(), "审计日志"));
    }
    if grants(role, Capability::ManageSettings) {
        links.push(("/admin/settings".to_string(), "区级设置"));
    }
    links
}

/// Renders a template into an HTML response body.
pub(crate) fn render<T: Template>(t: &T) -> Result<Html<String>, AppError> {
    Ok(Html(t.render()?))
}

/// Beijing time, as users read it.
pub(crate) fn format_time(unix: i64) -> String {
    let offset = UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC);
    match OffsetDateTime::from_unix_timestamp(unix) {
        Ok(t) => {
            let t = t.to_offset(offset);
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        }
        Err(_) => unix.to_string(),
    }
}

/// 学籍号 is often a letter plus the 身份证号 ("G" + 18 characters). Shown in full it would
/// reveal the ID number, so anything shaped like one — 17 digits and a digit or X, valid check
/// digit or not (a mistyped ID is still someone's ID) — is masked the way the ID itself is.
pub(crate) fn masked_student_no(no: &StudentNo) -> String {
    let s = no.as_str();
    let b = s.as_bytes();
    let id_at = (0..b.len().saturating_sub(17)).find(|&i| {
        b[i..i + 17].iter().all(u8::is_ascii_digit)
            && (b[i + 17].is_ascii_digit() || b[i + 17] == b'X')
    });
    match id_at {
        // Same shape as IdCardNo::masked: the first 3 and the last 4 of the 18 stay.
        Some(i) => format!("{}***********{}", &s[..i + 3], &s[i + 14..]),
        None => s.to_string(),
    }
}

pub(crate) fn format_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// JSON for a `<script type="application/json">` block: `<`, `>` and `&` are escaped so no
/// value can close the script element.
pub(crate) fn script_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_beijing_time() {
        assert_eq!(format_time(0), "1970-01-01 08:00:00");
        assert_eq!(
            format_date(time::macros::date!(2015 - 09 - 01)),
            "2015-09-01"
        );
    }

    #[test]
    fn student_numbers_embedding_an_id_number_are_masked() {
        let no = |s: &str| StudentNo::parse(s).unwrap();
        assert_eq!(
            masked_student_no(&no("G11010519491231002X")),
            "G110***********002X"
        );
        assert_eq!(
            masked_student_no(&no("11010519491231002X")),
            "110***********002X"
        );
        assert_eq!(masked_student_no(&no("A2024070101")), "A2024070101");
        // A mistyped ID (wrong check digit) is still someone's ID, and a suffix changes nothing.
        assert_eq!(
            masked_student_no(&no("G110105194912310021")),
            "G110***********0021"
        );
        assert_eq!(
            masked_student_no(&no("G11010519491231002X01")),
            "G110***********002X01"
        );
        // 17 digits alone are not ID-shaped.
        assert_eq!(
            masked_student_no(&no("L12345678901234567")),
            "L12345678901234567"
        );
    }

    #[test]
    fn script_json_cannot_close_the_script() {
        let v = serde_json::json!({"name": "</script><script>alert(1)</script>&"});
        let s = script_json(&v);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn nav_shows_admin_links_only_to_district_admins() {
        let d = nav_links(Role::DistrictAdmin, &Scope::District);
        assert!(d.iter().any(|(h, _)| h == "/admin/users"));
        let a = nav_links(Role::DistrictAnalyst, &Scope::District);
        assert!(!a.iter().any(|(h, _)| h.starts_with("/admin")));
        let p = nav_links(
            Role::Parent,
            &Scope::Parent {
                school_id: wuyu_domain::SchoolId(1),
                student_ids: [wuyu_domain::StudentId(7)].into(),
            },
        );
        assert_eq!(p[0].0, "/schools/1/students/7");
    }
}
