//! The role × route matrix: every route, as every role (and anonymously), answers the
//! expected status.
use axum::http::Method;

use crate::support::{Req, TestApp, body_text, get, location, post};

/// Columns of the matrix.
const WHO: [&str; 8] = [
    "anonymous",
    "district",
    "analyst",
    "school-a",
    "teacher-a",
    "counsellor-a",
    "parent-a",
    "teacher-b",
];

struct Case {
    method: Method,
    path: String,
    /// Form body for POST; `{csrf}` is replaced by the caller's token.
    body: &'static str,
    /// Expected status per column of [`WHO`].
    expect: [u16; 8],
}

fn case(method: Method, path: String, body: &'static str, expect: [u16; 8]) -> Case {
    Case {
        method,
        path,
        body,
        expect,
    }
}

// One line per route keeps the matrix readable.
#[rustfmt::skip]
fn cases(app: &TestApp) -> Vec<Case> {
    let i = &app.ids;
    let (a, b) = (i.school_a, i.school_b);
    let e = &i.exams;
    let m = e.midterm;
    let g = || Method::GET;
    let p = || Method::POST;
    let create = "csrf_token={csrf}&username=matrix-new&display_name=%E6%96%B0%E7%94%A8%E6%88%B7\
                  &role=district_analyst&school_id=&teacher_staff_no=&student_no=&password=long-enough-pw";
    let token = "csrf_token={csrf}";
    // A PDF is 200 when this build writes PDFs, else 400 with the Chinese reason.
    let pdf = if wuyu_service::bulletin::PDF_AVAILABLE { 200 } else { 400 };
    // A decision on an alert that does not exist (no such school or teacher).
    let decide = "csrf_token={csrf}&school=999999&teacher=999999&subject=%E8%AF%AD%E6%96%87\
                  &year=2024&decision=demote&reason=%E5%A4%8D%E6%A0%B8";
    vec![
        //                                                                            anon dist anal schA tchA cnsA parA tchB
        case(g(), "/login".into(), "",                                               [200, 303, 303, 303, 303, 303, 303, 303]),
        case(g(), "/".into(), "",                                                    [303, 200, 200, 303, 303, 303, 303, 303]),
        case(g(), format!("/schools/{a}"), "",                                       [303, 200, 200, 200, 200, 200, 403, 403]),
        case(g(), format!("/schools/{b}"), "",                                       [303, 200, 200, 403, 403, 403, 403, 200]),
        case(g(), "/schools/999999".into(), "",                                      [303, 404, 404, 403, 403, 403, 403, 403]),
        case(g(), format!("/schools/{a}/assignments"), "",                           [303, 200, 200, 200, 403, 403, 403, 403]),
        case(g(), format!("/schools/{b}/assignments"), "",                           [303, 200, 200, 403, 403, 403, 403, 403]),
        case(g(), format!("/schools/{a}/assignments.xlsx"), "",                      [303, 200, 200, 200, 403, 403, 403, 403]),
        // The 导出 XLSX of the school page's classes and the class page's students: the pages' readers.
        case(g(), format!("/schools/{a}/classes.xlsx"), "",                          [303, 200, 200, 200, 200, 200, 403, 403]),
        case(g(), format!("/schools/{b}/classes.xlsx"), "",                          [303, 200, 200, 403, 403, 403, 403, 200]),
        case(g(), "/schools/999999/classes.xlsx".into(), "",                         [303, 404, 404, 403, 403, 403, 403, 403]),
        case(g(), "/schools/not-a-number".into(), "",                                [303, 404, 404, 404, 404, 404, 404, 404]),
        // Classes teacher-a teaches, one of their school they do not teach, one of school B.
        case(g(), format!("/schools/{a}/classes/{}", i.class_a7_1), "",              [303, 200, 200, 200, 200, 200, 403, 403]),
        case(g(), format!("/schools/{a}/classes/{}", i.class_a8_1), "",              [303, 200, 200, 200, 200, 200, 403, 403]),
        case(g(), format!("/schools/{a}/classes/{}", i.class_a7_2), "",              [303, 200, 200, 200, 403, 200, 403, 403]),
        case(g(), format!("/schools/{b}/classes/{}", i.class_b1_1), "",              [303, 200, 200, 403, 403, 403, 403, 200]),
        case(g(), format!("/schools/{a}/classes/{}/students.xlsx", i.class_a7_1), "", [303, 200, 200, 200, 200, 200, 403, 403]),
        case(g(), format!("/schools/{a}/classes/{}/students.xlsx", i.class_a7_2), "", [303, 200, 200, 200, 403, 200, 403, 403]),
        case(g(), format!("/schools/{b}/classes/{}/students.xlsx", i.class_b1_1), "", [303, 200, 200, 403, 403, 403, 403, 200]),
        case(g(), format!("/schools/{a}/classes/999999"), "",                        [303, 404, 404, 404, 403, 404, 403, 403]),
        // The parent's child, another child of school A, a child of school B.
        case(g(), format!("/schools/{a}/students/{}", i.child), "",                  [303, 200, 200, 200, 200, 200, 200, 403]),
        case(g(), format!("/schools/{a}/students/{}", i.other_a), "",                [303, 200, 200, 200, 403, 200, 403, 403]),
        case(g(), format!("/schools/{b}/students/{}", i.student_b), "",              [303, 200, 200, 403, 403, 403, 403, 200]),
        // School B's student asked for under school A's id: not a student of school A.
        case(g(), format!("/schools/{a}/students/{}", i.student_b), "",              [303, 404, 404, 404, 404, 404, 404, 403]),
        case(g(), "/admin/users".into(), "",                                         [303, 200, 403, 403, 403, 403, 403, 403]),
        case(g(), "/admin/audit".into(), "",                                         [303, 200, 403, 403, 403, 403, 403, 403]),
        case(g(), "/admin/audit.xlsx".into(), "",                                    [303, 200, 403, 403, 403, 403, 403, 403]),
        case(p(), "/admin/users".into(), create,                                     [303, 303, 403, 403, 403, 403, 403, 403]),
        case(p(), format!("/admin/users/{}/deactivate", i.spare_user), token,        [303, 303, 403, 403, 403, 403, 403, 403]),
        case(p(), format!("/admin/users/{}/activate", i.spare_user), token,          [303, 303, 403, 403, 403, 403, 403, 403]),
        case(p(), "/admin/users/999999/activate".into(), token,                      [303, 404, 403, 403, 403, 403, 403, 403]),
        case(g(), "/admin/settings".into(), "",                                      [303, 200, 403, 403, 403, 403, 403, 403]),
        case(p(), "/admin/settings".into(), token,                                   [303, 200, 403, 403, 403, 403, 403, 403]),
        case(g(), "/api/v1/schools".into(), "",                                      [401, 200, 200, 200, 200, 200, 200, 200]),
        case(g(), format!("/api/v1/schools/{a}/students"), "",                       [401, 200, 200, 200, 200, 200, 403, 403]),
        case(g(), format!("/api/v1/schools/{b}/students"), "",                       [401, 200, 200, 403, 403, 403, 403, 200]),
        case(g(), "/api/v1/schools/999999/students".into(), "",                      [401, 404, 404, 403, 403, 403, 403, 403]),
        case(g(), "/api/v1/schools/x/students".into(), "",                           [401, 404, 404, 404, 404, 404, 404, 404]),
        case(g(), format!("/api/v1/schools/{a}/classes"), "",                        [401, 200, 200, 200, 200, 200, 403, 403]),
        case(g(), format!("/api/v1/schools/{b}/classes"), "",                        [401, 200, 200, 403, 403, 403, 403, 200]),
        case(g(), "/api/v1/schools/999999/classes".into(), "",                       [401, 404, 404, 403, 403, 403, 403, 403]),
        // The staff list: the district and the school's admin; a teacher's scope is their classes.
        case(g(), format!("/api/v1/schools/{a}/teachers"), "",                       [401, 200, 200, 200, 403, 403, 403, 403]),
        case(g(), format!("/api/v1/schools/{b}/teachers"), "",                       [401, 200, 200, 403, 403, 403, 403, 403]),
        case(g(), "/api/v1/schools/999999/teachers".into(), "",                      [401, 404, 404, 403, 403, 403, 403, 403]),
        // 特殊群体 flags: admins and the 班主任 only (teacher-a teaches the child's class but
        // is not its 班主任).
        case(g(), format!("/api/v1/schools/{a}/students/{}/flags", i.child), "",     [401, 200, 403, 200, 403, 403, 403, 403]),
        case(g(), format!("/api/v1/schools/{b}/students/{}/flags", i.student_b), "", [401, 200, 403, 403, 403, 403, 403, 403]),
        case(g(), format!("/api/v1/schools/{a}/students/999999/flags"), "",          [401, 404, 403, 404, 404, 403, 403, 403]),
        // 体质健康: aggregates for district, school admin and teachers (their classes); never
        // counsellors or parents (the parent reads the child's history on the child's page).
        case(g(), "/fitness".into(), "",                                             [303, 200, 200, 200, 200, 403, 403, 200]),
        case(g(), "/fitness?term=2024-autumn".into(), "",                            [303, 200, 200, 200, 200, 403, 403, 200]),
        case(g(), "/fitness?term=nonsense".into(), "",                               [303, 400, 400, 400, 400, 403, 403, 400]),
        case(g(), "/fitness/export.xlsx?term=2024-autumn&by=school".into(), "",      [303, 200, 200, 200, 200, 403, 403, 200]),
        // One school's view (district drill-down; a school's own roles may name their school).
        case(g(), format!("/fitness?school={a}"), "",                                [303, 200, 200, 200, 200, 403, 403, 403]),
        case(g(), format!("/fitness?school={b}"), "",                                [303, 200, 200, 403, 403, 403, 403, 200]),
        case(g(), "/fitness?school=999999".into(), "",                               [303, 404, 404, 403, 403, 403, 403, 403]),
        case(g(), format!("/fitness/export.xlsx?by=class&school={a}"), "",           [303, 200, 200, 200, 200, 403, 403, 403]),
        // The national upload file of a school (full 学籍号): only the roles that submit it.
        case(g(), format!("/schools/{a}/fitness/upload.xlsx?term=2024-autumn"), "",  [303, 200, 403, 200, 403, 403, 403, 403]),
        case(g(), format!("/schools/{b}/fitness/upload.xlsx?term=2024-autumn"), "",  [303, 200, 403, 403, 403, 403, 403, 403]),
        case(g(), "/schools/999999/fitness/upload.xlsx".into(), "",                  [303, 404, 403, 403, 403, 403, 403, 403]),
        case(g(), "/fitness/export.xlsx?by=nonsense".into(), "",                     [303, 400, 400, 400, 400, 403, 403, 400]),
        case(g(), format!("/schools/{a}/classes/{}/fitness", i.class_a7_1), "",      [303, 200, 200, 200, 200, 403, 403, 403]),
        case(g(), format!("/schools/{a}/classes/{}/fitness", i.class_a7_2), "",      [303, 200, 200, 200, 403, 403, 403, 403]),
        case(g(), format!("/schools/{b}/classes/{}/fitness", i.class_b1_1), "",      [303, 200, 200, 403, 403, 403, 403, 200]),
        case(g(), format!("/schools/{a}/classes/{}/fitness/lists/retest", i.class_a7_1), "",       [303, 200, 200, 200, 200, 403, 403, 403]),
        case(g(), format!("/schools/{a}/classes/{}/fitness/lists/failed-items", i.class_a7_2), "", [303, 200, 200, 200, 403, 403, 403, 403]),
        case(g(), format!("/schools/{b}/classes/{}/fitness/lists/failing", i.class_b1_1), "",      [303, 200, 200, 403, 403, 403, 403, 200]),
        case(g(), format!("/schools/{a}/classes/{}/fitness/lists/nonsense", i.class_a7_1), "",     [303, 404, 404, 404, 404, 403, 403, 404]),
        // 单条更正: admins, and teachers for their classes; a bad value changes nothing.
        case(g(), format!("/schools/{a}/students/{}/fitness/2024-autumn/fix", i.child), "",         [303, 200, 403, 200, 200, 403, 403, 403]),
        case(g(), format!("/schools/{a}/students/{}/fitness/2024-autumn/fix", i.other_a), "",       [303, 200, 403, 200, 403, 403, 403, 403]),
        case(g(), format!("/schools/{a}/students/{}/fitness/1999-autumn/fix", i.child), "",         [303, 404, 403, 404, 404, 403, 403, 404]),
        case(p(), format!("/schools/{a}/students/{}/fitness/2024-autumn/fix", i.child), "csrf_token={csrf}&run_50m=abc", [303, 422, 403, 422, 422, 403, 403, 403]),
        case(g(), format!("/schools/{a}/students/{}/fitness/2024-autumn/exempt", i.child), "",      [303, 200, 403, 200, 200, 403, 403, 403]),
        case(g(), format!("/schools/{a}/students/{}/fitness/2024-autumn/exempt", i.other_a), "",    [303, 200, 403, 200, 403, 403, 403, 403]),
        case(g(), format!("/schools/{a}/students/{}/fitness/nonsense/exempt", i.child), "",         [303, 404, 403, 404, 404, 403, 403, 404]),
        case(p(), format!("/schools/{a}/students/{}/fitness/2024-autumn/exempt", i.child), "csrf_token={csrf}&step=exempt&reason=", [303, 422, 403, 422, 422, 403, 403, 403]),
        case(g(), "/api/v1/fitness/summary".into(), "",                              [401, 200, 200, 200, 200, 403, 403, 200]),
        case(g(), format!("/api/v1/fitness/summary?by=school&school={b}"), "",       [401, 200, 200, 403, 403, 403, 403, 200]),
        case(g(), "/api/v1/fitness/summary?by=nonsense".into(), "",                  [401, 400, 400, 400, 400, 403, 403, 400]),
        case(g(), format!("/api/v1/schools/{a}/students/{}/fitness", i.child), "",   [401, 200, 200, 200, 200, 403, 200, 403]),
        case(g(), format!("/api/v1/schools/{a}/students/{}/fitness", i.other_a), "", [401, 200, 200, 200, 403, 403, 403, 403]),
        case(g(), format!("/api/v1/schools/{b}/students/{}/fitness", i.student_b), "", [401, 200, 200, 403, 403, 403, 403, 200]),
        // 考试分析: district roles, the school admin and teachers of schools that sat the exam
        // (school B sat none); never counsellors or parents.
        case(g(), "/exams".into(), "",                                               [303, 200, 200, 200, 200, 403, 403, 200]),
        case(g(), format!("/exams/{m}"), "",                                         [303, 200, 200, 200, 200, 403, 403, 403]),
        // An exam's score lines: read by whoever sees the exam, set by the district admin.
        case(g(), format!("/exams/{m}/lines"), "",                                   [303, 200, 200, 200, 200, 403, 403, 403]),
        case(p(), format!("/exams/{m}/lines"), "csrf_token={csrf}&district=1",       [303, 303, 403, 403, 403, 403, 403, 403]),
        case(p(), "/exams/999999/lines".into(), "csrf_token={csrf}&district=1",      [303, 404, 403, 403, 403, 403, 403, 403]),
        case(g(), format!("/exams/{m}?subject=%E6%95%B0%E5%AD%A6"), "",              [303, 200, 200, 200, 200, 403, 403, 403]),
        case(g(), format!("/exams/{m}?subject=nonsense"), "",                        [303, 400, 400, 400, 400, 403, 403, 403]),
        case(g(), format!("/exams/{m}?school=x"), "",                                [303, 400, 400, 400, 400, 403, 403, 403]),
        case(g(), format!("/exams/{}", e.monthly), "",                               [303, 200, 200, 200, 200, 403, 403, 403]),
        case(g(), "/exams/999999".into(), "",                                        [303, 404, 404, 404, 404, 403, 403, 404]),
        case(g(), "/exams/not-a-number".into(), "",                                  [303, 404, 404, 404, 404, 404, 404, 404]),
        // One school's view: district drill-down, a school's own roles may name their school.
        case(g(), format!("/exams/{m}?school={a}"), "",                              [303, 200, 200, 200, 200, 403, 403, 403]),
        case(g(), format!("/exams/{m}?school={}", e.school_c), "",                   [303, 200, 200, 403, 403, 403, 403, 403]),
        case(g(), format!("/exams/{m}?school=999999"), "",                           [303, 404, 404, 403, 403, 403, 403, 403]),
        case(g(), format!("/exams/{m}/export.xlsx"), "",                             [303, 200, 200, 403, 403, 403, 403, 403]),
        case(g(), format!("/exams/{m}/classes/export.xlsx"), "",                     [303, 400, 400, 200, 200, 403, 403, 403]),
        case(g(), format!("/exams/{m}/classes/export.xlsx?school={a}"), "",          [303, 200, 200, 200, 200, 403, 403, 403]),
        case(g(), format!("/exams/{m}/items"), "",                                   [303, 200, 200, 200, 200, 403, 403, 403]),
        case(g(), format!("/exams/{m}/items?subject=%E6%80%BB%E5%88%86"), "",        [303, 400, 400, 400, 400, 403, 403, 403]),
        case(g(), format!("/exams/{m}/items?school={}", e.school_d), "",             [303, 200, 200, 403, 403, 403, 403, 403]),
        // The school selector's "全区" sends an empty school.
        case(g(), format!("/exams/{m}/items?school="), "",                           [303, 200, 200, 200, 200, 403, 403, 403]),
        case(g(), format!("/exams/{m}/items/export.xlsx"), "",                       [303, 200, 200, 200, 200, 403, 403, 403]),
        case(g(), format!("/exams/{}/items/export.xlsx", e.monthly), "",             [303, 404, 404, 404, 404, 403, 403, 403]),
        // A class's students: the class teacher, not the teacher of another class (audited).
        case(g(), format!("/exams/{m}/schools/{a}/classes/{}", i.class_a7_1), "",    [303, 200, 200, 200, 200, 403, 403, 403]),
        case(g(), format!("/exams/{m}/schools/{a}/classes/{}", i.class_a7_2), "",    [303, 200, 200, 200, 403, 403, 403, 403]),
        case(g(), format!("/exams/{m}/schools/{}/classes/{}", e.school_c, e.class_c), "", [303, 200, 200, 403, 403, 403, 403, 403]),
        case(g(), format!("/exams/{m}/schools/{a}/classes/999999"), "",              [303, 404, 404, 404, 403, 403, 403, 403]),
        case(g(), format!("/exams/{m}/schools/{a}/classes/{}/export.xlsx", i.class_a7_1), "", [303, 200, 200, 200, 200, 403, 403, 403]),
        case(g(), format!("/exams/{m}/schools/{a}/classes/{}/export.xlsx", i.class_a7_2), "", [303, 200, 200, 200, 403, 403, 403, 403]),
        // Parallel-class alerts: district roles and the school's admin only.
        case(g(), "/exams/alerts".into(), "",                                        [303, 200, 200, 200, 403, 403, 403, 403]),
        case(g(), "/exams/alerts?year=2024".into(), "",                              [303, 200, 200, 200, 403, 403, 403, 403]),
        case(g(), "/exams/alerts?year=abc".into(), "",                               [303, 400, 400, 400, 403, 403, 403, 403]),
        case(g(), format!("/exams/alerts?school={}", e.school_d), "",                [303, 200, 200, 403, 403, 403, 403, 403]),
        case(g(), "/exams/alerts/export.xlsx".into(), "",                            [303, 200, 200, 200, 403, 403, 403, 403]),
        case(p(), "/exams/alerts/decision".into(), decide,                    [303, 404, 403, 403, 403, 403, 403, 403]),
        case(g(), "/api/v1/exams".into(), "",                                        [401, 200, 200, 200, 200, 403, 403, 200]),
        case(g(), format!("/api/v1/exams/{m}/units"), "",                            [401, 200, 200, 200, 200, 403, 403, 403]),
        case(g(), format!("/api/v1/exams/{m}/units?filter=schools"), "",             [401, 200, 200, 200, 200, 403, 403, 403]),
        case(g(), format!("/api/v1/exams/{m}/units?filter=classes"), "",             [401, 400, 400, 200, 200, 403, 403, 403]),
        case(g(), format!("/api/v1/exams/{m}/units?filter=classes&school={a}"), "",  [401, 200, 200, 200, 200, 403, 403, 403]),
        case(g(), format!("/api/v1/exams/{m}/units?filter=nonsense"), "",            [401, 400, 400, 400, 400, 403, 403, 403]),
        case(g(), "/api/v1/exams/999999/units".into(), "",                           [401, 404, 404, 404, 404, 403, 403, 404]),
        case(g(), format!("/api/v1/exams/{m}/value-added"), "",                      [401, 200, 200, 200, 200, 403, 403, 403]),
        case(g(), format!("/api/v1/exams/{m}/value-added?level=class&school={a}"), "", [401, 200, 200, 200, 200, 403, 403, 403]),
        case(g(), format!("/api/v1/exams/{}/value-added", e.baseline), "",           [401, 404, 404, 404, 404, 403, 403, 403]),
        case(g(), format!("/api/v1/exams/{m}/items"), "",                            [401, 200, 200, 200, 200, 403, 403, 403]),
        case(g(), format!("/api/v1/exams/{m}/students?school={a}&class={}", i.class_a7_1), "", [401, 200, 200, 200, 200, 403, 403, 403]),
        case(g(), format!("/api/v1/exams/{m}/students?school={a}&class={}", i.class_a7_2), "", [401, 200, 200, 200, 403, 403, 403, 403]),
        case(g(), format!("/api/v1/exams/{m}/students"), "",                         [401, 400, 400, 200, 200, 403, 403, 403]),
        case(g(), "/api/v1/exams/alerts".into(), "",                                 [401, 200, 200, 200, 403, 403, 403, 403]),
        case(g(), format!("/api/v1/exams/alerts?school={a}"), "",                    [401, 200, 200, 200, 403, 403, 403, 403]),
        // 导入中心: district and school admins (their school); the kind, token and file must exist.
        case(g(), "/imports".into(), "",                                             [303, 200, 403, 200, 403, 403, 403, 403]),
        case(g(), "/imports/history.xlsx".into(), "",                                [303, 200, 403, 200, 403, 403, 403, 403]),
        case(g(), "/imports/roster".into(), "",                                      [303, 200, 403, 200, 403, 403, 403, 403]),
        case(g(), "/imports/fitness".into(), "",                                     [303, 200, 403, 200, 403, 403, 403, 403]),
        case(g(), "/imports/exam-scores".into(), "",                                 [303, 200, 403, 200, 403, 403, 403, 403]),
        case(g(), "/imports/exam-items".into(), "",                                  [303, 200, 403, 200, 403, 403, 403, 403]),
        case(g(), "/imports/activities".into(), "",                                  [303, 200, 403, 200, 403, 403, 403, 403]),
        case(g(), "/imports/art".into(), "",                                         [303, 200, 403, 200, 403, 403, 403, 403]),
        case(g(), "/imports/activities/template.xlsx".into(), "",                    [303, 200, 403, 200, 403, 403, 403, 403]),
        case(g(), "/imports/art/template.xlsx".into(), "",                           [303, 200, 403, 200, 403, 403, 403, 403]),
        case(g(), "/imports/nonsense".into(), "",                                    [303, 404, 403, 404, 403, 403, 403, 403]),
        case(g(), "/imports/roster/template.xlsx".into(), "",                        [303, 200, 403, 200, 403, 403, 403, 403]),
        case(g(), "/imports/fitness/template.xlsx".into(), "",                       [303, 200, 403, 200, 403, 403, 403, 403]),
        case(g(), format!("/imports/exam-scores/template.xlsx?exam={m}"), "",        [303, 200, 403, 200, 403, 403, 403, 403]),
        case(g(), "/imports/exam-scores/template.xlsx".into(), "",                   [303, 400, 403, 400, 403, 403, 403, 403]),
        case(g(), "/imports/exam-items/template.xlsx".into(), "",                    [303, 404, 403, 404, 403, 403, 403, 403]),
        // A form post is not an upload (the browser sends multipart): refused, nothing held.
        case(p(), "/imports/roster".into(), token,                                   [303, 400, 403, 400, 403, 403, 403, 403]),
        case(g(), "/imports/uploads/no-such-token".into(), "",                       [303, 404, 403, 404, 403, 403, 403, 403]),
        case(g(), "/imports/uploads/no-such-token/errors.xlsx".into(), "",           [303, 404, 403, 404, 403, 403, 403, 403]),
        case(p(), "/imports/uploads/no-such-token/confirm".into(), token,            [303, 404, 403, 404, 403, 403, 403, 403]),
        case(g(), "/imports/history/999999/file".into(), "",                         [303, 404, 403, 404, 403, 403, 403, 403]),
        case(g(), "/imports/history/x/file".into(), "",                              [303, 404, 403, 404, 403, 403, 403, 403]),
        case(p(), "/imports/history/999999/undo".into(), token,                      [303, 404, 403, 404, 403, 403, 403, 403]),
        case(p(), "/imports/history/x/undo".into(), token,                           [303, 404, 403, 404, 403, 403, 403, 403]),
        // 心理健康: answers and cases for the school's counsellor only; flags for a 班主任 (the
        // fixture's teachers are 班主任 of no class, so refused); counts for leaders.
        case(g(), "/psych".into(), "",                                               [303, 403, 403, 403, 403, 200, 403, 403]),
        case(g(), "/psych?campaign=x".into(), "",                                    [303, 403, 403, 403, 403, 400, 403, 403]),
        case(g(), "/psych/flags".into(), "",                                         [303, 403, 403, 403, 403, 403, 403, 403]),
        // Answer codes: printed by the counsellor; the code page needs no account (a signed-in
        // user on the same computer does not block it) and refuses an unknown code.
        case(g(), "/psych/codes".into(), "",                                         [303, 403, 403, 403, 403, 200, 403, 403]),
        case(p(), "/psych/codes".into(), "csrf_token={csrf}&campaign=999999&class=1", [303, 403, 403, 403, 403, 404, 403, 403]),
        // District scale definitions: listed for the district admin and counsellors, loaded
        // by the district admin only (an upload is multipart: a form post is a bad request).
        case(g(), "/psych/scales".into(), "",                                        [303, 200, 403, 403, 403, 200, 403, 403]),
        case(p(), "/psych/scales".into(), token,                                     [303, 400, 403, 403, 403, 403, 403, 403]),
        case(g(), "/api/v1/psych/scales".into(), "",                                 [401, 200, 403, 403, 403, 200, 403, 403]),
        // Correcting a stored answer set: the school's counsellor only.
        case(g(), "/psych/correct?campaign=999999&student_no=X".into(), "",          [303, 403, 403, 403, 403, 404, 403, 403]),
        case(p(), "/psych/correct".into(), "csrf_token={csrf}&campaign=999999&student_no=X&reason=x", [303, 403, 403, 403, 403, 404, 403, 403]),
        // Consent: the counsellor's class sheet; the parent's own child's page.
        case(g(), "/psych/consent".into(), "",                                       [303, 403, 403, 403, 403, 200, 403, 403]),
        case(p(), "/psych/consent".into(), "csrf_token={csrf}&campaign=999999&class=1&student=1&guardian=given&decided_on=2025-01-01&channel=paper", [303, 403, 403, 403, 403, 404, 403, 403]),
        case(g(), "/psych/child-consent".into(), "",                                 [303, 403, 403, 403, 403, 403, 200, 403]),
        case(p(), "/psych/child-consent".into(), "csrf_token={csrf}&campaign=999999&guardian=given", [303, 403, 403, 403, 403, 403, 403, 403]),
        // A case's counselling records: the school's counsellor only.
        case(g(), "/psych/cases/999999".into(), "",                                  [303, 403, 403, 403, 403, 404, 403, 403]),
        case(p(), "/psych/cases/999999/records".into(), "csrf_token={csrf}&held_on=2025-10-09&kind=individual&summary=x", [303, 403, 403, 403, 403, 404, 403, 403]),
        // 紧急查阅: the district admin, with a reason; an unknown 学籍号 is a form error.
        case(g(), "/psych/break-glass".into(), "",                                   [303, 200, 403, 403, 403, 403, 403, 403]),
        case(p(), "/psych/break-glass".into(), "csrf_token={csrf}&school=1&student_no=NOPE&reason=%E7%B4%A7%E6%80%A5%E6%9F%A5%E9%98%85", [303, 422, 403, 403, 403, 403, 403, 403]),
        // Aggregates as API and XLSX: the page's audience.
        case(g(), "/api/v1/psych/aggregates".into(), "",                             [401, 200, 200, 200, 403, 200, 403, 403]),
        case(g(), "/api/v1/psych/aggregates?year=1900".into(), "",                   [401, 400, 400, 400, 403, 400, 403, 403]),
        case(g(), "/psych/aggregates.xlsx?year=2025".into(), "",                     [303, 200, 200, 200, 403, 200, 403, 403]),
        case(g(), "/answer".into(), "",                                              [200, 200, 200, 200, 200, 200, 200, 200]),
        case(p(), "/answer".into(), "code=NOPE2345",                                 [422, 422, 422, 422, 422, 422, 422, 422]),
        case(p(), "/answer/submit".into(), "code=NOPE2345",                          [422, 422, 422, 422, 422, 422, 422, 422]),
        // 综合素质档案: the child's, another child of school A; coverage.
        case(g(), format!("/schools/{a}/students/{}/archive", i.child), "",          [303, 200, 200, 200, 200, 403, 200, 403]),
        case(g(), format!("/schools/{a}/students/{}/archive", i.other_a), "",        [303, 200, 200, 200, 403, 403, 403, 403]),
        case(g(), format!("/schools/{a}/students/{}/archive?term=2025-autumn", i.child), "", [303, 200, 200, 200, 200, 403, 200, 403]),
        case(g(), format!("/schools/{a}/students/{}/archive?term=bad", i.child), "", [303, 400, 400, 400, 400, 403, 400, 400]),
        case(g(), format!("/schools/{a}/students/{}/archive/card.pdf", i.child), "", [303, pdf, pdf, pdf, pdf, 403, pdf, 403]),
        case(g(), format!("/schools/{a}/students/{}/archive/card.pdf", i.other_a), "", [303, pdf, pdf, pdf, 403, 403, 403, 403]),
        case(g(), format!("/schools/{a}/classes/{}/archive/cards.pdf", i.class_a7_1), "", [303, pdf, 403, pdf, pdf, 403, 403, 403]),
        case(g(), format!("/schools/{a}/classes/{}/archive/cards.pdf", i.class_a7_2), "", [303, pdf, 403, pdf, 403, 403, 403, 403]),
        case(g(), "/archive/coverage".into(), "",                                    [303, 200, 200, 200, 403, 403, 403, 403]),
        // A family's entry (家务劳动, 志愿服务) for a child: whoever records for the child; an empty form is 422.
        case(p(), format!("/schools/{a}/students/{}/archive/entries", i.child), "csrf_token={csrf}&term=2025-autumn", [303, 403, 403, 422, 422, 403, 422, 403]),
        case(p(), format!("/schools/{a}/students/{}/archive/entries", i.other_a), "csrf_token={csrf}&term=2025-autumn", [303, 403, 403, 422, 403, 403, 403, 403]),
        // A record's evidence file: readers of students' archives; a record that does not exist is 404.
        case(g(), format!("/schools/{a}/archive/records/999999/evidence/1"), "",     [303, 404, 404, 404, 404, 403, 404, 404]),
        case(g(), format!("/schools/{a}/archive/records/x/evidence/1"), "",          [303, 404, 404, 404, 404, 403, 404, 404]),
        // 公示: the class's page (a parent: their child's class), one POST per step (an unknown
        // step changes nothing), a family's objection (no such record: refused on the page).
        case(g(), format!("/schools/{a}/classes/{}/archive/publicity?term=2025-autumn", i.class_a7_1), "", [303, 403, 403, 200, 200, 403, 200, 403]),
        case(g(), format!("/schools/{a}/classes/{}/archive/publicity?term=2025-autumn", i.class_a7_2), "", [303, 403, 403, 200, 403, 403, 403, 403]),
        case(g(), format!("/schools/{a}/classes/{}/archive/publicity?term=bad", i.class_a7_1), "", [303, 403, 403, 400, 400, 403, 400, 400]),
        case(p(), format!("/schools/{a}/classes/{}/archive/publicity", i.class_a7_1), "csrf_token={csrf}&term=2025-autumn&step=bogus", [303, 403, 403, 400, 400, 403, 400, 400]),
        case(p(), format!("/schools/{a}/students/{}/archive/objections", i.child), "csrf_token={csrf}&record=999999&text=x", [303, 403, 403, 422, 422, 403, 422, 403]),
        // 家长确认: the family only (no 公示 is open in the fixture: refused with a reason).
        case(p(), format!("/schools/{a}/students/{}/archive/confirm", i.child), "csrf_token={csrf}&term=2025-autumn", [303, 403, 403, 403, 403, 403, 422, 403]),
        case(p(), format!("/schools/{a}/students/{}/archive/confirm", i.other_a), "csrf_token={csrf}&term=2025-autumn", [303, 403, 403, 403, 403, 403, 403, 403]),
        case(g(), format!("/api/v1/archive/publicity/{a}/{}?term=2025-autumn", i.class_a7_1), "", [401, 403, 403, 200, 200, 403, 200, 403]),
        case(g(), format!("/api/v1/archive/publicity/{a}/{}?term=2025-autumn", i.class_a7_2), "", [401, 403, 403, 200, 403, 403, 403, 403]),
        case(p(), "/api/v1/archive/publicity".into(), token,                        [401, 403, 403, 400, 400, 403, 400, 400]),
        case(p(), "/api/v1/archive/objections".into(), token,                       [401, 403, 403, 400, 400, 403, 400, 400]),
        case(g(), "/archive/coverage?term=bad".into(), "",                           [303, 400, 400, 400, 403, 403, 403, 403]),
        // The class's 写实记录: school staff who reach the class; review by its 班主任 (none in the fixture).
        case(g(), format!("/schools/{a}/classes/{}/archive?term=2025-autumn", i.class_a7_1), "", [303, 403, 403, 200, 200, 403, 403, 403]),
        case(g(), format!("/schools/{a}/classes/{}/archive", i.class_a7_2), "",      [303, 403, 403, 200, 403, 403, 403, 403]),
        case(g(), format!("/schools/{a}/classes/{}/archive?term=bad", i.class_a7_1), "", [303, 403, 403, 400, 400, 403, 400, 400]),
        case(g(), format!("/schools/{a}/classes/{}/archive/export.xlsx?term=2025-autumn", i.class_a7_1), "", [303, 403, 403, 200, 200, 403, 403, 403]),
        case(g(), "/archive/coverage/export.xlsx?term=2025-autumn".into(), "",      [303, 200, 200, 200, 403, 403, 403, 403]),
        case(g(), "/archive/coverage/export.xlsx?term=bad".into(), "",              [303, 400, 400, 400, 403, 403, 403, 403]),
        case(g(), "/archive/class".into(), "",                                       [303, 403, 403, 403, 303, 403, 403, 303]),
        case(p(), format!("/schools/{a}/classes/{}/archive", i.class_a7_1), "csrf_token={csrf}&term=2025-autumn", [303, 403, 403, 422, 422, 403, 403, 403]),
        case(p(), format!("/schools/{a}/classes/{}/archive/review", i.class_a7_1), "csrf_token={csrf}&term=2025-autumn&id=999999&decision=approve", [303, 403, 403, 422, 422, 403, 403, 403]),
        case(g(), format!("/api/v1/archive/classes/{a}/{}?term=2025-autumn", i.class_a7_1), "", [401, 403, 403, 200, 200, 403, 403, 403]),
        case(g(), format!("/api/v1/archive/classes/{a}/{}?term=bad", i.class_a7_1), "", [401, 403, 403, 400, 400, 403, 400, 400]),
        // Form bodies are not JSON: refused as malformed once the role may post at all.
        case(p(), format!("/api/v1/archive/classes/{a}/{}/records", i.class_a7_1), token, [401, 403, 403, 400, 400, 403, 400, 400]),
        case(p(), "/api/v1/archive/review".into(), token,                            [401, 403, 403, 400, 400, 403, 403, 400]),
        case(g(), format!("/api/v1/archive/students/{a}/{}", i.child), "",           [401, 200, 200, 200, 200, 403, 200, 403]),
        case(g(), format!("/api/v1/archive/students/{a}/{}", i.other_a), "",         [401, 200, 200, 200, 403, 403, 403, 403]),
        case(g(), "/api/v1/archive/coverage".into(), "",                             [401, 200, 200, 200, 403, 403, 403, 403]),
        case(g(), "/api/v1/archive/coverage?term=bad".into(), "",                    [401, 400, 400, 400, 403, 403, 403, 403]),
        case(g(), "/psych/aggregates".into(), "",                                    [303, 200, 200, 200, 403, 200, 403, 403]),
        case(g(), "/psych/aggregates?year=1900".into(), "",                          [303, 400, 400, 400, 403, 400, 403, 403]),
        case(p(), "/psych/cases/999999/close".into(), "csrf_token={csrf}&outcome=x", [303, 403, 403, 403, 403, 404, 403, 403]),
        case(p(), "/psych/cases/999999/steps/1".into(), token,                       [303, 403, 403, 403, 403, 404, 403, 403]),
        case(g(), "/plan".into(), "",                                                [303, 200, 200, 200, 403, 403, 403, 403]),
        case(g(), "/plan?year=1999".into(), "",                                      [303, 400, 400, 400, 403, 403, 403, 403]),
        case(g(), "/plan?domain=nonsense".into(), "",                                [303, 400, 400, 400, 403, 403, 403, 403]),
        case(g(), "/plan/targets/plan.none".into(), "",                              [303, 404, 404, 404, 403, 403, 403, 403]),
        case(g(), "/api/v1/plan".into(), "",                                         [401, 200, 200, 200, 403, 403, 403, 403]),
        case(g(), "/api/v1/plan/targets/plan.none".into(), "",                       [401, 404, 404, 404, 403, 403, 403, 403]),
        // 指标填报: the page for plan viewers; entries for admins; review and lock for the
        // district admin (an unknown target: not found / refused with a reason).
        case(g(), "/plan/reports".into(), "",                                        [303, 200, 200, 200, 403, 403, 403, 403]),
        case(g(), "/api/v1/plan/reports".into(), "",                                 [401, 200, 200, 200, 403, 403, 403, 403]),
        case(p(), "/plan/reports/review".into(), "csrf_token={csrf}&key=plan.none&year=2025&school=&decision=approve", [303, 404, 403, 403, 403, 403, 403, 403]),
        case(p(), "/plan/reports/lock".into(), "csrf_token={csrf}&year=1999&reason=x", [303, 400, 403, 403, 403, 403, 403, 403]),
        case(p(), "/plan/reports/reopen".into(), "csrf_token={csrf}&year=2025&school=999999&decision=reopen&reason=x", [303, 404, 403, 403, 403, 403, 403, 403]),
        case(p(), "/plan/reports/due".into(), "csrf_token={csrf}&year=2025&key=plan.none&cadence=yearly&day=15", [303, 404, 403, 403, 403, 403, 403, 403]),
        case(g(), "/plan/reports/evidence?key=plan.none&year=2025&school=".into(), "", [303, 404, 404, 403, 403, 403, 403, 403]),
        // 名录: the page and list for plan viewers; entries (multipart: a form body is a bad
        // request) for admins; review for the district admin; files within the school.
        case(g(), "/plan/registry".into(), "",                                       [303, 200, 200, 200, 403, 403, 403, 403]),
        case(g(), "/api/v1/plan/registry".into(), "",                                [401, 200, 200, 200, 403, 403, 403, 403]),
        case(p(), "/plan/registry".into(), token,                                    [303, 400, 403, 400, 403, 403, 403, 403]),
        case(p(), "/plan/registry/review".into(), "csrf_token={csrf}&id=999999&decision=approve", [303, 404, 403, 403, 403, 403, 403, 403]),
        case(g(), "/plan/registry/evidence?id=999999".into(), "",                    [303, 404, 404, 404, 403, 403, 403, 403]),
        // 学校组: district roles read them; the district admin stores one (an empty name refused).
        case(g(), "/plan/sets".into(), "",                                           [303, 200, 200, 403, 403, 403, 403, 403]),
        case(p(), "/plan/sets".into(), "csrf_token={csrf}&name=",                    [303, 400, 403, 403, 403, 403, 403, 403]),
        case(g(), "/plan/targets/plan.none/edit".into(), "",                         [303, 404, 403, 403, 403, 403, 403, 403]),
        case(p(), "/plan/targets/plan.none/edit".into(), "csrf_token={csrf}&unit=x&scope=district", [303, 404, 403, 403, 403, 403, 403, 403]),
        // Appraisal (personnel data): none stored yet, so a reader who may see it gets 404;
        // a teacher reaches only their own school, counsellors and parents never.
        case(g(), format!("/api/v1/staff/appraisal/{a}/2024"), "",                   [401, 404, 404, 404, 404, 403, 403, 403]),
        case(g(), format!("/api/v1/staff/appraisal/{b}/2024"), "",                   [401, 404, 404, 403, 403, 403, 403, 404]),
        case(g(), "/staff/appraisal".into(), "",                                        [303, 200, 200, 303, 303, 403, 403, 303]),
        case(g(), format!("/staff/appraisal/{a}/2024"), "",                             [303, 200, 200, 200, 200, 403, 403, 403]),
        case(g(), format!("/staff/appraisal/{b}/2024"), "",                             [303, 200, 200, 403, 403, 403, 403, 200]),
        case(p(), "/staff/appraisal/pool".into(), "csrf_token={csrf}&year=2024",        [303, 200, 403, 403, 403, 403, 403, 403]),
        case(g(), format!("/staff/appraisal/{a}/2024/publicity"), "",                   [303, 404, 404, 404, 404, 403, 403, 403]),
        case(g(), format!("/staff/appraisal/{a}/2024/publicity.pdf"), "",               [303, 404, 404, 404, 404, 403, 403, 403]),
        case(g(), format!("/staff/appraisal/{a}/2024/export.xlsx"), "",                 [303, 404, 404, 404, 403, 403, 403, 403]),
        // No round exists: the steps a role may take reach the store and find none (404).
        case(p(), format!("/staff/appraisal/{a}/2024/import"), token,                   [303, 400, 403, 400, 403, 403, 403, 403]),
        case(p(), format!("/staff/appraisal/{a}/2024/committee"), "csrf_token={csrf}&teacher=999999&decision=excellent&reason=x", [303, 404, 403, 404, 403, 403, 403, 403]),
        case(p(), format!("/staff/appraisal/{a}/2024/publicise"), token,                [303, 404, 403, 404, 403, 403, 403, 403]),
        case(p(), format!("/staff/appraisal/{b}/2024/publicise"), token,                [303, 404, 403, 403, 403, 403, 403, 403]),
        case(p(), format!("/staff/appraisal/{a}/2024/redraft"), token,                  [303, 404, 403, 404, 403, 403, 403, 403]),
        case(p(), format!("/staff/appraisal/{b}/2024/redraft"), token,                  [303, 404, 403, 403, 403, 403, 403, 403]),
        case(p(), format!("/staff/appraisal/{a}/2024/approve"), token,                  [303, 404, 403, 403, 403, 403, 403, 403]),
        case(p(), format!("/staff/appraisal/{a}/2024/return"), "csrf_token={csrf}&text=x", [303, 404, 403, 403, 403, 403, 403, 403]),
        case(p(), format!("/staff/appraisal/{a}/2024/answer"), "csrf_token={csrf}&teacher=999999&text=x", [303, 404, 403, 403, 403, 403, 403, 403]),
        case(p(), format!("/staff/appraisal/{a}/2024/appeal"), "csrf_token={csrf}&text=x", [303, 403, 403, 403, 404, 403, 403, 403]),
        case(p(), format!("/staff/appraisal/{a}/2024/confirm"), token,                  [303, 403, 403, 403, 404, 403, 403, 403]),
        case(g(), format!("/api/v1/staff/appraisal/{a}/x"), "",                      [401, 404, 404, 404, 404, 403, 403, 404]),
        case(g(), "/staff/development".into(), "",                                     [303, 200, 200, 200, 200, 403, 403, 200]),
        case(g(), format!("/staff/development?school={b}"), "",                         [303, 200, 200, 200, 200, 403, 403, 200]),
        case(p(), format!("/staff/development/{a}/training"), token,                   [303, 400, 403, 400, 403, 403, 403, 403]),
        case(p(), format!("/staff/development/{b}/training"), token,                   [303, 400, 403, 403, 403, 403, 403, 403]),
        case(p(), format!("/staff/development/{a}/title"), token,                      [303, 400, 403, 400, 403, 403, 403, 403]),
        case(p(), format!("/staff/development/{a}/studio"), token,                     [303, 400, 403, 400, 403, 403, 403, 403]),
        // 月度调度 for every plan role; 季度通报 for district roles (this fixture has no plan: 400).
        case(g(), "/plan/progress".into(), "",                                       [303, 200, 200, 200, 403, 403, 403, 403]),
        case(g(), "/plan/progress?key=plan.none".into(), "",                         [303, 404, 404, 404, 403, 403, 403, 403]),
        case(g(), "/plan/bulletin?quarter=2025Q1&format=xlsx".into(), "",            [303, 400, 400, 403, 403, 403, 403, 403]),
        case(g(), "/plan/bulletin?quarter=2025Q9".into(), "",                        [303, 400, 400, 403, 403, 403, 403, 403]),
        case(g(), "/plan/bulletin?year=2099&format=xlsx".into(), "",                [303, 400, 400, 403, 403, 403, 403, 403]),
        case(g(), "/plan/bulletin?year=abc".into(), "",                             [303, 400, 400, 403, 403, 403, 403, 403]),
        case(g(), "/api/v1/plan/progress".into(), "",                                [401, 200, 200, 200, 403, 403, 403, 403]),
        case(g(), "/api/v1/plan/bulletin?quarter=2025Q1".into(), "",                 [401, 400, 400, 403, 403, 403, 403, 403]),
        // 修改密码: everyone signed in. 账号管理: district and school admins (their school's).
        case(g(), "/account/password".into(), "",                                   [303, 200, 200, 200, 200, 200, 200, 200]),
        // A weak new password is refused for everyone (nothing changes mid-matrix).
        case(p(), "/account/password".into(), "csrf_token={csrf}&old_password=x&new_password=weak&confirm_password=weak", [303, 422, 422, 422, 422, 422, 422, 422]),
        case(g(), "/accounts".into(), "",                                            [303, 200, 403, 200, 403, 403, 403, 403]),
        case(p(), "/accounts/999999/reset-password".into(), token,                   [303, 404, 403, 404, 403, 403, 403, 403]),
        case(p(), "/accounts/x/reset-password".into(), token,                        [303, 404, 403, 404, 403, 403, 403, 403]),
        case(p(), "/accounts/999999/unlock".into(), token,                           [303, 404, 403, 404, 403, 403, 403, 403]),
        // 批量开通 for a school that does not exist: nothing to open, or not the caller's.
        case(p(), "/accounts/teachers".into(), "csrf_token={csrf}&school_id=999999", [303, 200, 403, 403, 403, 403, 403, 403]),
        case(p(), "/accounts/binding-codes".into(), "csrf_token={csrf}&school_id=999999&class_id=1", [303, 404, 403, 403, 403, 403, 403, 403]),
        // 家长开通账号 is for the signed-out; 我的孩子 for parents.
        case(g(), "/bind".into(), "",                                                [200, 303, 303, 303, 303, 303, 303, 303]),
        case(g(), "/account/children".into(), "",                                    [303, 403, 403, 403, 403, 403, 200, 403]),
        case(p(), "/account/child".into(), "csrf_token={csrf}&student_id=999999",    [303, 403, 403, 403, 403, 403, 403, 403]),
        // 满意度调查: results for district roles and school admins; rounds are the district's;
        // answering needs no account (an unknown code: 404 for everyone).
        case(g(), "/surveys".into(), "",                                             [303, 200, 200, 200, 403, 403, 403, 403]),
        case(p(), "/surveys".into(), "csrf_token={csrf}&template=none",              [303, 200, 403, 403, 403, 403, 403, 403]),
        case(g(), "/surveys/new".into(), "",                                         [303, 200, 403, 403, 403, 403, 403, 403]),
        case(p(), "/surveys/new".into(), "csrf_token={csrf}&title=&audience=parents", [303, 422, 403, 403, 403, 403, 403, 403]),
        case(g(), "/surveys/999999".into(), "",                                      [303, 404, 404, 404, 403, 403, 403, 403]),
        case(g(), "/surveys/999999/export.xlsx".into(), "",                          [303, 404, 404, 404, 403, 403, 403, 403]),
        case(g(), format!("/surveys/999999/codes?school={a}"), "",                   [303, 404, 403, 404, 403, 403, 403, 403]),
        case(p(), "/surveys/999999/codes".into(), "csrf_token={csrf}&school_id=&count=5", [303, 400, 403, 404, 403, 403, 403, 403]),
        case(g(), format!("/surveys/999999/links?school={a}"), "",                   [303, 404, 403, 404, 403, 403, 403, 403]),
        case(p(), "/surveys/999999/links".into(), "csrf_token={csrf}&school_id=",    [303, 400, 403, 404, 403, 403, 403, 403]),
        case(p(), "/surveys/999999/close".into(), token,                             [303, 404, 403, 403, 403, 403, 403, 403]),
        case(g(), "/api/v1/surveys/999999/results".into(), "",                       [401, 404, 404, 404, 403, 403, 403, 403]),
        // 师德评价 per named teacher: staff data, never for teachers, parents or counsellors.
        case(g(), "/surveys/999999/teachers".into(), "",                             [303, 404, 404, 404, 403, 403, 403, 403]),
        case(g(), "/api/v1/surveys/999999/teachers".into(), "",                      [401, 404, 404, 404, 403, 403, 403, 403]),
        // Free-text answers: the school's admin and district roles only.
        case(g(), "/surveys/999999/texts".into(), "",                                [303, 404, 404, 404, 403, 403, 403, 403]),
        case(g(), "/s".into(), "",                                                   [200, 200, 200, 200, 200, 200, 200, 200]),
        case(g(), "/s/NOSUCHCODE2".into(), "",                                       [404, 404, 404, 404, 404, 404, 404, 404]),
        case(p(), "/s/NOSUCHCODE2".into(), "q0=5",                                   [404, 404, 404, 404, 404, 404, 404, 404]),
        case(g(), "/s/l/NOSUCHLINK99".into(), "",                                    [404, 404, 404, 404, 404, 404, 404, 404]),
        case(g(), "/api/v1/nothing-here".into(), "",                                 [404, 404, 404, 404, 404, 404, 404, 404]),
        case(g(), "/api/openapi.json".into(), "",                                    [200, 200, 200, 200, 200, 200, 200, 200]),
        case(g(), "/no/such/page".into(), "",                                        [404, 404, 404, 404, 404, 404, 404, 404]),
    ]
}

#[tokio::test]
async fn every_role_gets_the_expected_status_on_every_route() {
    // With the exams: the fixture's roster plus two schools and grade-7 students.
    let app = TestApp::with_exams().await;
    let cases = cases(&app);
    let mut failures = Vec::new();
    for (col, who) in WHO.iter().enumerate() {
        let session = if *who == "anonymous" {
            None
        } else {
            Some(app.login(who).await)
        };
        for c in &cases {
            let mut req = if c.method == Method::POST {
                post(&c.path)
            } else {
                Req::new(c.method.clone(), &c.path)
            };
            if let Some(s) = &session {
                req = req.cookie(&s.cookie);
            }
            if c.method == Method::POST {
                let token = session.as_ref().map(|s| s.csrf.as_str()).unwrap_or("");
                req = req.form(&c.body.replace("{csrf}", token));
            }
            let resp = app.send(req.build()).await;
            let got = resp.status().as_u16();
            if got != c.expect[col] {
                failures.push(format!(
                    "{who:>13} {} {}: expected {}, got {got} (location {:?})",
                    c.method,
                    c.path,
                    c.expect[col],
                    location(&resp)
                ));
            }
            // Anonymous page requests go to the sign-in form, never elsewhere.
            if *who == "anonymous" && got == 303 {
                assert_eq!(location(&resp), "/login", "{} {}", c.method, c.path);
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[tokio::test]
async fn school_roles_are_sent_to_their_own_pages() {
    let app = TestApp::new().await;
    let i = &app.ids;
    for (who, target) in [
        ("school-a", format!("/schools/{}", i.school_a)),
        ("counsellor-a", format!("/schools/{}", i.school_a)),
        ("teacher-a", format!("/schools/{}", i.school_a)),
        ("teacher-b", format!("/schools/{}", i.school_b)),
        (
            "parent-a",
            format!("/schools/{}/students/{}", i.school_a, i.child),
        ),
    ] {
        let s = app.login(who).await;
        let resp = app.send(get("/").cookie(&s.cookie).build()).await;
        assert_eq!(resp.status(), 303, "{who}");
        assert_eq!(location(&resp), target, "{who}");
    }
}

#[tokio::test]
async fn forbidden_and_missing_pages_are_chinese_and_api_errors_are_problem_json() {
    let app = TestApp::new().await;
    let t = app.login("teacher-a").await;
    let resp = app
        .send(get("/admin/users").cookie(&t.cookie).build())
        .await;
    assert_eq!(resp.status(), 403);
    assert!(body_text(resp).await.contains("无权访问"));

    let d = app.login("district").await;
    let resp = app
        .send(get("/schools/424242").cookie(&d.cookie).build())
        .await;
    assert_eq!(resp.status(), 404);
    assert!(body_text(resp).await.contains("未找到"));

    let resp = app
        .send(
            get(&format!("/api/v1/schools/{}/students", app.ids.school_b))
                .cookie(&t.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 403);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let problem = crate::support::body_json(resp).await;
    assert_eq!(problem["title"], "无权访问");
    assert_eq!(problem["status"], 403);

    let resp = app.send(get("/api/v1/schools").build()).await;
    assert_eq!(resp.status(), 401);
    let problem = crate::support::body_json(resp).await;
    assert_eq!(problem["title"], "未登录");
}
