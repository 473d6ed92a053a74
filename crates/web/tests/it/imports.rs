//! 导入中心 over HTTP: a school admin uploads a roster with errors, sees every error and the
//! error file, uploads the fixed file and confirms it; nothing is written before confirm; a
//! file over the size cap or an XLSX decompression bomb is refused with the database as it was.
use std::io::{Cursor, Write};

use axum::body::Body;
use axum::http::{Method, Request};
use wuyu_domain::{SchoolId, Scope};
use wuyu_store::Store;

use crate::support::{HOST, ORIGIN, Session, TestApp, body_text, get, location, post};

const BOUNDARY: &str = "----wuyuTestBoundary7MA4YWxk";

/// The fixture's school A code is S001; 7 年级 1班 exists.
const BAD_ROSTER: &str = "学校代码,年级,班级,学籍号,姓名,性别,出生日期\n\
    S001,7,1班,A2024070199,新同学,男,2012-03-05\n\
    S001,7,1班,A2024070198,错误生,X,2012-03-05\n\
    S002,1,1班,B2024010199,外校生,女,2018-03-05\n";

pub(crate) const GOOD_ROSTER: &str = "学校代码,年级,班级,学籍号,姓名,性别,出生日期\n\
    S001,7,1班,A2024070199,新同学,男,2012-03-05\n\
    S001,7,1班,A2024070198,改正生,女,2012-03-05\n";

/// A multipart upload as a browser's upload form sends it (CSRF token in the header).
pub(crate) fn upload(
    s: &Session,
    kind: &str,
    file_name: &str,
    bytes: &[u8],
    fields: &[(&str, &str)],
) -> Request<Body> {
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    Request::builder()
        .method(Method::POST)
        .uri(format!("/imports/{kind}"))
        .header("host", HOST)
        .header("origin", ORIGIN)
        .header("cookie", format!("wuyu_session={}", s.cookie))
        .header("x-csrf-token", &s.csrf)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap()
}

async fn students_of(store: &dyn Store, school: i64) -> Vec<String> {
    store
        .list_students(&Scope::District, SchoolId(school), None)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name.to_string())
        .collect()
}

async fn history(app: &TestApp, s: &Session) -> String {
    let resp = app.send(get("/imports").cookie(&s.cookie).build()).await;
    assert_eq!(resp.status(), 200);
    body_text(resp).await
}

#[tokio::test]
async fn a_school_admin_fixes_a_roster_and_confirms_it() {
    let app = TestApp::new().await;
    let a = app.ids.school_a;
    let s = app.login("school-a").await;
    let before = students_of(app.store.as_ref(), a).await;

    // The nav leads to the centre; the roster page offers the template.
    let home = body_text(
        app.send(get(&format!("/schools/{a}")).cookie(&s.cookie).build())
            .await,
    )
    .await;
    assert!(home.contains("导入中心"));
    let resp = app
        .send(
            get("/imports/roster/template.xlsx")
                .cookie(&s.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let template = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    assert!(template.starts_with(b"PK"));

    // A file with a bad sex and a row of another school: held, previewed, not written.
    let resp = app
        .send(upload(&s, "roster", "名册.csv", BAD_ROSTER.as_bytes(), &[]))
        .await;
    assert_eq!(resp.status(), 303);
    let preview = location(&resp);
    assert!(preview.starts_with("/imports/uploads/"), "{preview}");
    let page = body_text(app.send(get(&preview).cookie(&s.cookie).build()).await).await;
    assert!(page.contains("文件有错误，不能导入"), "{page}");
    assert!(page.contains("性别"), "{page}");
    assert!(page.contains("学校管理员只能导入本校"), "{page}");
    assert!(
        !page.contains("确认导入</button>"),
        "no confirm with errors"
    );
    assert_eq!(students_of(app.store.as_ref(), a).await, before);

    // The error file lists every error and marks the cells.
    let resp = app
        .send(
            get(&format!("{preview}/errors.xlsx"))
                .cookie(&s.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let list = wb.worksheet_range("错误清单").unwrap();
    let text: Vec<String> = list
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    assert!(
        text[0].starts_with("文件|工作表|行|列|值|问题|修改建议"),
        "{text:?}"
    );
    assert!(text.iter().any(|l| l.contains("|3|性别|X|")), "{text:?}");
    assert!(
        text.iter().any(|l| l.contains("|4|学校代码|S002|")),
        "{text:?}"
    );

    // Confirming a file with errors writes nothing either (it is refused, not half-written).
    let token_form = format!("csrf_token={}", s.csrf);
    let resp = app
        .send(
            post(&format!("{preview}/confirm"))
                .cookie(&s.cookie)
                .form(&token_form)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(students_of(app.store.as_ref(), a).await, before);

    // The fixed file: previewed with its rows, still nothing written until confirm.
    let resp = app
        .send(upload(
            &s,
            "roster",
            "名册-改.csv",
            GOOD_ROSTER.as_bytes(),
            &[],
        ))
        .await;
    assert_eq!(resp.status(), 303);
    let preview = location(&resp);
    let page = body_text(app.send(get(&preview).cookie(&s.cookie).build()).await).await;
    assert!(
        page.contains("改正生") && page.contains("确认导入"),
        "{page}"
    );
    assert_eq!(students_of(app.store.as_ref(), a).await, before);

    let resp = app
        .send(
            post(&format!("{preview}/confirm"))
                .cookie(&s.cookie)
                .form(&token_form)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), preview);
    let page = body_text(app.send(get(&preview).cookie(&s.cookie).build()).await).await;
    assert!(page.contains("已导入：新增学生 2"), "{page}");
    let after = students_of(app.store.as_ref(), a).await;
    assert_eq!(after.len(), before.len() + 2);
    assert!(after.contains(&"改正生".to_string()));

    // A second click imports nothing more.
    let resp = app
        .send(
            post(&format!("{preview}/confirm"))
                .cookie(&s.cookie)
                .form(&token_form)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(students_of(app.store.as_ref(), a).await.len(), after.len());

    // History: both uploads, their outcome, the file for download; the import is audited.
    let h = history(&app, &s).await;
    assert!(h.contains("名册.csv") && h.contains("名册-改.csv"), "{h}");
    assert!(h.contains("已导入") && h.contains("有错误，未导入"), "{h}");
    let audit = app.store.list_audit(20).await.unwrap();
    assert!(audit.iter().any(|r| r.entry.action == "import_roster"
        && r.entry.detail.starts_with("名册-改.csv sha256=")
        && r.entry.detail.ends_with(" imported")));

    // Another school's admin does not see them; the district does.
    let d = app.login("district").await;
    assert!(history(&app, &d).await.contains("名册-改.csv"));
    // The uploader's preview is theirs alone.
    let resp = app.send(get(&preview).cookie(&d.cookie).build()).await;
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn the_stored_file_downloads_for_admins_of_its_scope_and_is_audited() {
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
    let uploads = app.store.list_uploads(&Scope::District, 10).await.unwrap();
    let id = uploads[0].id;
    let resp = app
        .send(
            get(&format!("/imports/history/{id}/file"))
                .cookie(&s.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''")
    );
    assert_eq!(body_text(resp).await, GOOD_ROSTER);
    let audit = app.store.list_audit(5).await.unwrap();
    assert_eq!(audit[0].entry.action, "download_import_file");
    let d = app.login("district").await;
    let resp = app
        .send(
            get(&format!("/imports/history/{id}/file"))
                .cookie(&d.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
}

fn zip_bomb(inflated: usize) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    let chunk = vec![b' '; 1024 * 1024];
    for _ in 0..inflated / chunk.len() {
        w.write_all(&chunk).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[tokio::test]
async fn an_oversized_file_or_a_bomb_is_refused_and_nothing_is_held() {
    let app = TestApp::new().await;
    let a = app.ids.school_a;
    let s = app.login("school-a").await;
    let before = students_of(app.store.as_ref(), a).await;

    let big = vec![b'x'; wuyu_service::import_centre::MAX_UPLOAD_BYTES + 200 * 1024];
    let resp = app
        .send(upload(&s, "roster", "大文件.csv", &big, &[]))
        .await;
    assert_eq!(resp.status(), 413);
    let page = body_text(resp).await;
    assert!(page.contains("超过 20 MB 的上传限制"), "{page}");

    let bomb = zip_bomb(wuyu_service::import_centre::MAX_UNPACKED_BYTES as usize + 2 * 1024 * 1024);
    assert!(bomb.len() < 2 * 1024 * 1024, "{}", bomb.len());
    let resp = app
        .send(upload(&s, "roster", "炸弹.xlsx", &bomb, &[]))
        .await;
    assert_eq!(resp.status(), 422);
    let page = body_text(resp).await;
    assert!(page.contains("解压后超过 200 MB"), "{page}");

    assert!(
        app.store
            .list_uploads(&Scope::District, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(students_of(app.store.as_ref(), a).await, before);
    assert!(
        app.store
            .list_imports(10)
            .await
            .unwrap()
            .iter()
            .all(|r| r.username == "fixture")
    );
}

#[tokio::test]
async fn a_fitness_upload_needs_a_term_and_a_teacher_cannot_upload() {
    let app = TestApp::new().await;
    let s = app.login("school-a").await;
    let resp = app
        .send(upload(
            &s,
            "fitness",
            "体测.csv",
            b"a,b\n1,2\n",
            &[("term", "nonsense")],
        ))
        .await;
    assert_eq!(resp.status(), 422);
    assert!(body_text(resp).await.contains("学期“nonsense”无效"));

    let t = app.login("teacher-a").await;
    let resp = app
        .send(upload(
            &t,
            "roster",
            "名册.csv",
            GOOD_ROSTER.as_bytes(),
            &[],
        ))
        .await;
    assert_eq!(resp.status(), 403);
    assert!(
        app.store
            .list_uploads(&Scope::District, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// 张小明's and 李小红's results of the fixture's latest term, with 50米跑 as given.
fn fitness_csv(run_50m: &str) -> String {
    format!(
        "学籍号,grade,性别,身高,体重,肺活量,50米跑,坐位体前屈,立定跳远,引体向上,1000米跑,一分钟仰卧起坐,800米跑\n\
         {},7,男,160,50,2800,{run_50m},8,200,6,250,,\n\
         A2024070102,7,女,155,45,2300,9.0,12,175,,,40,230\n",
        wuyu_testkit::child_student_no()
    )
}

/// The raw 50米跑 of every record of the fixture's latest term at school A, by 学籍号.
async fn runs(app: &TestApp, school: i64) -> Vec<(String, Option<f64>)> {
    let store = app.store.as_ref();
    let mut out = Vec::new();
    for st in store
        .list_students(&Scope::District, SchoolId(school), None)
        .await
        .unwrap()
    {
        for r in store
            .student_fitness(&Scope::District, SchoolId(school), st.id)
            .await
            .unwrap()
        {
            if r.term == wuyu_testkit::term_now() {
                out.push((st.student_no.as_str().to_string(), r.measures.run_50m));
            }
        }
    }
    out
}

async fn confirm_fitness(app: &TestApp, s: &Session, file: &str, run_50m: &str) {
    let resp = app
        .send(upload(
            s,
            "fitness",
            file,
            fitness_csv(run_50m).as_bytes(),
            &[("term", "2024-autumn"), ("test_date", "2024-10-20")],
        ))
        .await;
    assert_eq!(resp.status(), 303);
    let preview = location(&resp);
    let page = body_text(app.send(get(&preview).cookie(&s.cookie).build()).await).await;
    assert!(page.contains("确认导入</button>"), "{page}");
    let resp = app
        .send(
            post(&format!("{preview}/confirm"))
                .cookie(&s.cookie)
                .form(&format!("csrf_token={}", s.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 303);
    let page = body_text(app.send(get(&preview).cookie(&s.cookie).build()).await).await;
    assert!(page.contains("已导入"), "{page}");
}

/// The history's 撤销 form actions, newest first.
fn undo_actions(page: &str) -> Vec<String> {
    page.match_indices("action=\"/imports/history/")
        .map(|(i, _)| {
            let rest = &page[i + "action=\"".len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

#[tokio::test]
async fn a_school_admin_undoes_the_last_fitness_import_and_not_an_earlier_one() {
    let app = TestApp::new().await;
    let a = app.ids.school_a;
    let s = app.login("school-a").await;
    let before = runs(&app, a).await;
    confirm_fitness(&app, &s, "体测一.csv", "7.9").await;
    let first = runs(&app, a).await;
    assert_ne!(first, before);
    confirm_fitness(&app, &s, "体测二.csv", "8.4").await;
    assert_ne!(runs(&app, a).await, first);

    let page = history(&app, &s).await;
    let undo = undo_actions(&page);
    // Only the last import of the school and term keeps its journal: the first one's was
    // dropped when the second wrote the same term, and the history says so.
    assert_eq!(undo.len(), 1, "only the last import offers 撤销: {page}");
    assert!(
        page.contains("之后的同类导入已写入同一学校，不能再撤销"),
        "{page}"
    );
    let form = format!("csrf_token={}", s.csrf);
    let undo_as = |who: &Session, action: &str| {
        post(action)
            .cookie(&who.cookie)
            .form(&format!("csrf_token={}", who.csrf))
            .build()
    };
    // The first upload's undo address, from its download link (newest first).
    let files: Vec<&str> = page
        .match_indices("href=\"/imports/history/")
        .map(|(i, _)| {
            let rest = &page[i + "href=\"/imports/history/".len()..];
            &rest[..rest.find('/').unwrap()]
        })
        .collect();
    let earlier = format!("/imports/history/{}/undo", files[1]);

    // The earlier import, posted anyway (an old page): refused with the reason, nothing
    // changed.
    let resp = app.send(undo_as(&s, &earlier)).await;
    assert_eq!(resp.status(), 409);
    let page = body_text(resp).await;
    assert!(
        page.contains("体测二.csv") && page.contains("撤销记录已清理"),
        "{page}"
    );
    assert_ne!(runs(&app, a).await, first);

    // A teacher may not undo imports.
    let t = app.login("teacher-a").await;
    assert_eq!(app.send(undo_as(&t, &undo[0])).await.status(), 403);

    // The last one: undone, the first file's results are back, audited, the button gone.
    let resp = app
        .send(post(&undo[0]).cookie(&s.cookie).form(&form).build())
        .await;
    assert_eq!(resp.status(), 200);
    let page = body_text(resp).await;
    assert!(page.contains("已撤销"), "{page}");
    assert_eq!(runs(&app, a).await, first);
    assert_eq!(undo_actions(&page).len(), 0);
    let audit = app.store.list_audit(5).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|r| r.entry.action == "undo_import" && r.entry.username == "school-a"),
        "{audit:?}"
    );
    // The first stays refused: its journal is gone, so it is never misapplied.
    assert_eq!(app.send(undo_as(&s, &earlier)).await.status(), 409);
    assert_eq!(runs(&app, a).await, first);
}

#[tokio::test]
async fn the_art_upload_form_asks_the_district_for_the_school_and_previews_a_bad_row() {
    let app = TestApp::new().await;
    let d = app.login("district").await;
    let page = body_text(
        app.send(get("/imports/art").cookie(&d.cookie).build())
            .await,
    )
    .await;
    assert!(
        page.contains("name=\"school\"") && page.contains("name=\"school_year\""),
        "{page}"
    );
    let s = app.login("school-a").await;
    let page = body_text(
        app.send(get("/imports/activities").cookie(&s.cookie).build())
            .await,
    )
    .await;
    assert!(
        page.contains("name=\"term\"") && !page.contains("name=\"school\""),
        "{page}"
    );

    let csv = format!(
        "学籍号,基础指标,学业指标,发展指标\n{},41,45,12\n",
        crate::support::child_student_no()
    );
    let resp = app
        .send(upload(
            &s,
            "art",
            "艺术测评.csv",
            csv.as_bytes(),
            &[("school_year", "2025")],
        ))
        .await;
    assert_eq!(resp.status(), 303);
    let preview = location(&resp);
    let page = body_text(app.send(get(&preview).cookie(&s.cookie).build()).await).await;
    assert!(page.contains("基础指标") && page.contains("41"), "{page}");
    assert!(
        !page.contains("确认导入</button>"),
        "a file with a bad row cannot be confirmed"
    );
}

#[tokio::test]
async fn a_running_import_shows_its_stage_and_reloads_and_is_not_started_twice() {
    let app = TestApp::new().await;
    let a = app.ids.school_a;
    let s = app.login("school-a").await;
    let before = students_of(app.store.as_ref(), a).await;
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
    // The upload is taken up as a long import in the background would be.
    let id = app
        .store
        .list_uploads(
            &Scope::School {
                school_id: SchoolId(a),
            },
            1,
        )
        .await
        .unwrap()[0]
        .id;
    assert!(app.store.claim_upload(id).await.unwrap());
    app.store.set_upload_stage(id, "write").await.unwrap();
    let page = body_text(app.send(get(&preview).cookie(&s.cookie).build()).await).await;
    assert!(page.contains("正在导入（写入数据库）"), "{page}");
    assert!(
        page.contains("正在后台导入") && page.contains("http-equiv=\"refresh\""),
        "{page}"
    );
    // A second confirm while it runs starts nothing: back to the page, nothing written.
    let resp = app
        .send(
            post(&format!("{preview}/confirm"))
                .cookie(&s.cookie)
                .form(&format!("csrf_token={}", s.csrf))
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(students_of(app.store.as_ref(), a).await, before);
}

#[tokio::test]
async fn the_history_says_which_imports_cannot_be_undone_and_why() {
    let app = TestApp::new().await;
    let s = app.login("school-a").await;
    let training = "学校代码,工号,培训项目,培训日期,学时,培训层级,培训机构\n\
        S001,T01,新课标研修,2025-03-15,12,普及,区教师发展中心\n";
    let resp = app
        .send(upload(
            &s,
            "staff-training",
            "培训.csv",
            training.as_bytes(),
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
    let page = body_text(app.send(get(&preview).cookie(&s.cookie).build()).await).await;
    assert!(page.contains("已导入"), "{page}");
    // Imported, but no 撤销 button: the reason instead.
    let page = history(&app, &s).await;
    assert!(page.contains("培训.csv"), "{page}");
    assert!(undo_actions(&page).is_empty(), "{page}");
    assert!(
        page.contains("此类导入不能撤销，请上传修正后的文件"),
        "{page}"
    );
}
