//! 导出 XLSX of the long tables: a class's students, a school's classes, the import history and
//! the audit log. Each download, read back, has the page's Chinese headers and the rows the
//! page shows to the same viewer; a role that may not see the page gets 403 and no workbook;
//! the class list, like its page, is audited.
use std::io::Cursor;

use axum::body::to_bytes;
use calamine::{Reader, Xlsx, open_workbook_from_rs};
use wuyu_testkit::{child_id_card, masked_id};

use crate::imports::{GOOD_ROSTER, upload};
use crate::support::{Session, TestApp, body_text, get, location, post};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

struct Download {
    status: u16,
    content_type: String,
    disposition: String,
    body: Vec<u8>,
}

async fn fetch(app: &TestApp, s: &Session, path: &str) -> Download {
    let resp = app.send(get(path).cookie(&s.cookie).build()).await;
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    let status = resp.status().as_u16();
    let body = to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Download {
        status,
        content_type,
        disposition,
        body,
    }
}

async fn page(app: &TestApp, s: &Session, path: &str) -> String {
    let resp = app.send(get(path).cookie(&s.cookie).build()).await;
    assert_eq!(resp.status(), 200, "{path}");
    body_text(resp).await
}

/// The workbook `path` gives `s`, checked to be one, as text rows (title, headers, data).
async fn workbook(app: &TestApp, s: &Session, path: &str) -> Vec<Vec<String>> {
    let d = fetch(app, s, path).await;
    assert_eq!(d.status, 200, "{path}");
    assert_eq!(d.content_type, XLSX, "{path}");
    // The Chinese file name travels RFC 6266 style.
    assert!(
        d.disposition.contains("filename*=UTF-8''"),
        "{}",
        d.disposition
    );
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(d.body)).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// `path` refused to `s`: 403 and no workbook.
async fn refused(app: &TestApp, s: &Session, path: &str) {
    let d = fetch(app, s, path).await;
    assert_eq!(d.status, 403, "{path}");
    assert_ne!(d.content_type, XLSX, "{path}");
    assert!(!d.body.starts_with(b"PK"), "{path} gave a workbook");
}

fn strip_tags(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.trim().to_string()
}

/// The body rows of the page's `<table data-table="{name}">`, each cell's text (tags stripped,
/// askama's escapes undone for the characters these tables hold).
fn page_rows(html: &str, name: &str) -> Vec<Vec<String>> {
    let at = html
        .find(&format!("data-table=\"{name}\""))
        .unwrap_or_else(|| panic!("table {name} on the page"));
    let table = &html[at..at + html[at..].find("</table>").unwrap()];
    let body = &table[table.find("<tbody>").unwrap()..];
    body.split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let inner = &cell[cell.find('>').unwrap() + 1..];
                    let inner = &inner[..inner.find("</td>").unwrap_or(inner.len())];
                    strip_tags(inner)
                        .replace("&#43;", "+")
                        .replace("&#61;", "=")
                        .replace("&#34;", "\"")
                        .replace("&#39;", "'")
                        .replace("&amp;", "&")
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn a_class_list_downloads_as_its_page_shows_it_and_every_download_is_audited() {
    let app = TestApp::new().await;
    let (a, c) = (app.ids.school_a, app.ids.class_a7_1);
    let page_path = format!("/schools/{a}/classes/{c}");
    let path = format!("{page_path}/students.xlsx");

    // The school's admin sees masked ID numbers on the page, and in the file.
    let s = app.login("school-a").await;
    let html = page(&app, &s, &page_path).await;
    assert!(html.contains(&format!("href=\"{path}\"")) && html.contains("导出 XLSX"));
    let shown = page_rows(&html, "students");
    let rows = workbook(&app, &s, &path).await;
    assert_eq!(rows[0][0], "第一实验中学 七年级 1班 学生名单");
    assert_eq!(
        rows[1],
        ["学籍号", "姓名", "曾用名", "性别", "出生日期", "身份证号"]
    );
    assert_eq!(rows[2..], shown[..], "the page's rows, in its order");
    // The row a teacher would check: the child, 学籍号 and 身份证号 masked as on the page.
    let child = rows.iter().find(|r| r[1] == "张小明").unwrap();
    assert_eq!(child[3], "男");
    assert_eq!(child[4], "2012-03-05");
    assert_eq!(child[5], masked_id(&child_id_card()));
    assert!(
        rows.iter().flatten().all(|v| !v.contains(&child_id_card())),
        "no full ID number in the file"
    );
    // Audited like the page's read: who, which class, masked IDs in it, how many rows.
    let audit = app.store.list_audit(5).await.unwrap();
    let e = &audit[0].entry;
    assert_eq!(e.action, "export_class_roster");
    assert_eq!(e.username, "school-a");
    assert_eq!(e.school_id.map(|s| s.0), Some(a));
    assert_eq!(e.entity, format!("class:{a}:{c}"));
    assert_eq!(
        e.detail, "masked id_card_no shown rows=2",
        "张小明 and 李小红"
    );

    // A teacher of the class: no ID column, the same students.
    let t = app.login("teacher-a").await;
    let shown = page_rows(&page(&app, &t, &page_path).await, "students");
    let rows = workbook(&app, &t, &path).await;
    assert_eq!(rows[1], ["学籍号", "姓名", "曾用名", "性别", "出生日期"]);
    assert_eq!(rows[2..], shown[..]);
    let audit = app.store.list_audit(5).await.unwrap();
    assert_eq!(audit[0].entry.action, "export_class_roster");
    assert_eq!(audit[0].entry.detail, "rows=2");

    // A class teacher-a does not teach, and a parent: refused, and nothing audited.
    let p = app.login("parent-a").await;
    let before = app.store.list_audit(1000).await.unwrap().len();
    let other = format!("/schools/{a}/classes/{}/students.xlsx", app.ids.class_a7_2);
    refused(&app, &t, &other).await;
    refused(&app, &p, &path).await;
    let audit = app.store.list_audit(1000).await.unwrap();
    assert_eq!(audit.len(), before, "a refused download writes nothing");
    let exports = audit
        .iter()
        .filter(|r| r.entry.action == "export_class_roster")
        .count();
    assert_eq!(exports, 2);

    // The audit page names the download in Chinese.
    let d = app.login("district").await;
    assert!(
        page(&app, &d, "/admin/audit")
            .await
            .contains("导出班级学生名单")
    );
}

#[tokio::test]
async fn a_schools_classes_download_as_the_school_page_lists_them_for_each_viewer() {
    let app = TestApp::new().await;
    let a = app.ids.school_a;
    let path = format!("/schools/{a}/classes.xlsx");

    let s = app.login("school-a").await;
    let html = page(&app, &s, &format!("/schools/{a}")).await;
    assert!(html.contains(&format!("href=\"{path}\"")));
    // The page's columns less its 查看学生 link.
    let shown: Vec<Vec<String>> = page_rows(&html, "classes")
        .into_iter()
        .map(|r| r[..4].to_vec())
        .collect();
    let rows = workbook(&app, &s, &path).await;
    assert_eq!(rows[0][0], "第一实验中学 班级");
    assert_eq!(rows[1], ["年级", "班级", "班级类型", "学生数"]);
    assert_eq!(rows[2..], shown[..]);
    assert_eq!(rows.len() - 2, 3, "school A has three classes");
    let c71 = rows
        .iter()
        .find(|r| r[0] == "七年级" && r[1] == "1班")
        .unwrap();
    assert_eq!(c71[3], "2", "张小明 and 李小红");

    // The 任课 table goes through the same helper.
    let shown = page_rows(
        &page(&app, &s, &format!("/schools/{a}/assignments")).await,
        "assignments",
    );
    let rows = workbook(&app, &s, &format!("/schools/{a}/assignments.xlsx")).await;
    assert_eq!(rows[1], ["教师", "工号", "班级", "科目", "比例"]);
    assert_eq!(rows[2..], shown[..]);
    assert!(
        rows.contains(
            &["孙老师", "T01", "七年级 1班", "语文", "100%"]
                .map(String::from)
                .to_vec()
        )
    );

    // A teacher: the classes they teach only, as on their page.
    let t = app.login("teacher-a").await;
    let html = page(&app, &t, &format!("/schools/{a}")).await;
    let shown: Vec<Vec<String>> = page_rows(&html, "classes")
        .into_iter()
        .map(|r| r[..4].to_vec())
        .collect();
    let rows = workbook(&app, &t, &path).await;
    assert_eq!(rows[0][0], "第一实验中学 我任教的班级");
    assert_eq!(rows[2..], shown[..]);
    let names: Vec<String> = rows[2..]
        .iter()
        .map(|r| format!("{}{}", r[0], r[1]))
        .collect();
    assert_eq!(names, ["七年级1班", "八年级1班"]);

    // A parent, and another school's teacher: refused.
    refused(&app, &app.login("parent-a").await, &path).await;
    refused(&app, &app.login("teacher-b").await, &path).await;
}

#[tokio::test]
async fn the_import_history_downloads_as_the_centre_lists_it() {
    let app = TestApp::new().await;
    let s = app.login("school-a").await;
    let resp = app
        .send(upload(
            &s,
            "roster",
            "名册.csv",
            GOOD_ROSTER.as_bytes(),
            &[],
        ))
        .await;
    assert_eq!(resp.status(), 303);
    let preview = location(&resp);
    let resp = app
        .send(
            post(&format!("{preview}/confirm"))
                .cookie(&s.cookie)
                .form(&format!("csrf_token={}", s.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 303);

    let html = page(&app, &s, "/imports").await;
    assert!(html.contains("href=\"/imports/history.xlsx\""));
    let shown = page_rows(&html, "import-history");
    let rows = workbook(&app, &s, "/imports/history.xlsx").await;
    assert_eq!(rows[0][0], "本校的导入记录（从新到旧）");
    assert_eq!(
        rows[1],
        [
            "上传时间",
            "类型",
            "文件名",
            "上传人",
            "状态",
            "导入结果",
            "错误数",
            "文件指纹（SHA-256）",
            "撤销"
        ]
    );
    assert_eq!(rows.len() - 2, shown.len());
    let line = &rows[2];
    let on_page = &shown[0];
    assert_eq!(
        line[..7],
        on_page[..7],
        "time, kind, file, who, status, counts, errors"
    );
    assert_eq!(
        (line[2].as_str(), line[3].as_str(), line[4].as_str()),
        ("名册.csv", "school-a", "已导入")
    );
    assert!(line[5].contains("新增学生 2"), "{line:?}");
    // The whole fingerprint, of which the page shows the start.
    assert_eq!(line[7].len(), 64);
    assert!(line[7].starts_with(&on_page[7]), "{line:?} {on_page:?}");
    assert_eq!(line[8], "可撤销");

    // The district's history holds it too; the analyst and a teacher may not download it.
    let d = app.login("district").await;
    let rows = workbook(&app, &d, "/imports/history.xlsx").await;
    assert_eq!(rows[0][0], "全区的导入记录（从新到旧）");
    assert!(rows.iter().any(|r| r[2] == "名册.csv"));
    refused(&app, &app.login("analyst").await, "/imports/history.xlsx").await;
    refused(&app, &app.login("teacher-a").await, "/imports/history.xlsx").await;
}

#[tokio::test]
async fn the_audit_log_downloads_as_the_audit_page_shows_it_to_district_admins_only() {
    let app = TestApp::new().await;
    // Something to find: school-a reads a class (audited as 查看班级学生名单).
    let s = app.login("school-a").await;
    page(
        &app,
        &s,
        &format!(
            "/schools/{}/classes/{}",
            app.ids.school_a, app.ids.class_a7_1
        ),
    )
    .await;

    let d = app.login("district").await;
    let html = page(&app, &d, "/admin/audit").await;
    assert!(html.contains("href=\"/admin/audit.xlsx\""));
    let shown = page_rows(&html, "audit");
    let rows = workbook(&app, &d, "/admin/audit.xlsx").await;
    assert_eq!(
        rows[1],
        ["时间", "用户", "操作", "学校", "对象", "详情", "IP"]
    );
    assert_eq!(rows[2..], shown[..], "the page's rows, newest first");
    assert!(
        rows[2..]
            .iter()
            .any(|r| r[1] == "district" && r[2] == "登录"),
        "the district admin's sign-in is listed"
    );
    let read = rows.iter().find(|r| r[2] == "查看班级学生名单").unwrap();
    assert_eq!(read[1], "school-a");
    assert_eq!(read[3], app.ids.school_a.to_string());
    assert_eq!(
        read[4],
        format!("class:{}:{}", app.ids.school_a, app.ids.class_a7_1)
    );

    for who in ["analyst", "school-a", "teacher-a"] {
        refused(&app, &app.login(who).await, "/admin/audit.xlsx").await;
    }
}

/// The `href` of the page's "更早的记录" link, unescaped, if there is one.
fn older_link(html: &str) -> Option<String> {
    let at = html.find("data-link=\"older\"")?;
    let start = html[..at].rfind("href=\"")? + 6;
    let end = start + html[start..].find('"')?;
    // As a browser reads the attribute: the page escapes `&`.
    Some(html[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

#[tokio::test]
async fn the_audit_log_is_searched_by_who_what_and_which_child_and_paged() {
    let app = TestApp::new().await;
    let school = app.ids.school_a;
    // 205 reads of one student by one teacher, a day apart from another student's read.
    let entry = |at: i64, entity: &str| wuyu_service::store_types::AuditEntry {
        at,
        user_id: None,
        username: "teacher-a".into(),
        action: "read_student".into(),
        school_id: Some(wuyu_domain::SchoolId(school)),
        entity: entity.into(),
        detail: String::new(),
        ip: "10.0.0.9".into(),
    };
    // 2025-09-01 08:00 Beijing time.
    let day = 1_756_684_800;
    for k in 0..205 {
        app.store
            .append_audit(&entry(day + k, "student:77"))
            .await
            .unwrap();
    }
    app.store
        .append_audit(&entry(day + 86_400, "student:770"))
        .await
        .unwrap();
    let d = app.login("district").await;

    // Who read student 77: page one is full and links to the rest, which ends the list.
    let first = page(&app, &d, "/admin/audit?entity=student%3A77&to=2025-09-01").await;
    let rows = page_rows(&first, "audit");
    assert_eq!(rows.len(), 200);
    assert!(
        rows.iter()
            .all(|r| r[1] == "teacher-a" && r[4] == "student:77")
    );
    let older = older_link(&first).expect("a link to the older entries");
    assert!(older.contains("entity=student%3A77") && older.contains("to=2025-09-01"));
    let second = page(&app, &d, &older).await;
    let rest = page_rows(&second, "audit");
    assert_eq!(rest.len(), 5, "205 entries in all, none twice");
    assert!(rest.iter().all(|r| r[4] == "student:77"));
    assert_eq!(older_link(&second), None);
    // The next day holds only student 770's read, which is not student 77's.
    let next_day = page(&app, &d, "/admin/audit?entity=student%3A77&from=2025-09-02").await;
    assert_eq!(page_rows(&next_day, "audit"), [["没有符合条件的记录。"]]);
    let other = page(&app, &d, "/admin/audit?entity=student%3A770").await;
    let rows = page_rows(&other, "audit");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][4], "student:770");
    // By account and action; the workbook holds the same search.
    let path = "/admin/audit?user=district&action=login";
    let html = page(&app, &d, path).await;
    let shown = page_rows(&html, "audit");
    assert!(!shown.is_empty());
    assert!(shown.iter().all(|r| r[1] == "district" && r[2] == "登录"));
    assert!(
        html.replace("&#38;", "&")
            .contains("href=\"/admin/audit.xlsx?user=district&action=login\"")
    );
    let rows = workbook(&app, &d, "/admin/audit.xlsx?user=district&action=login").await;
    assert_eq!(rows[2..], shown[..]);
    // A day that is not one is refused in Chinese.
    let resp = app
        .send(
            get("/admin/audit?from=2025-02-30")
                .cookie(&d.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 400);
    assert!(
        body_text(resp)
            .await
            .contains("开始日期“2025-02-30”不是日期")
    );
}

#[tokio::test]
async fn the_archive_class_page_offers_its_records_as_xlsx() {
    let app = TestApp::new().await;
    let (a, c) = (app.ids.school_a, app.ids.class_a7_1);
    let t = app.login("teacher-a").await;
    let html = page(
        &app,
        &t,
        &format!("/schools/{a}/classes/{c}/archive?term=2025-autumn"),
    )
    .await;
    let href = format!("/schools/{a}/classes/{c}/archive/export.xlsx?term=2025-autumn");
    assert!(html.contains(&format!("href=\"{href}\"")), "{html}");
    assert!(html.contains("导出 XLSX"));
    let rows = workbook(&app, &t, &href).await;
    assert_eq!(rows[1][..3], ["学生", "类别", "日期"]);
    refused(&app, &app.login("teacher-b").await, &href).await;
}
