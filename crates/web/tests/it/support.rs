//! Test fixture: a temporary SQLite store holding the shared district of `wuyu_testkit` (two
//! schools, their classes, students, teachers and assignments, fitness results, one user per
//! role) and a small HTTP client over `tower::ServiceExt::oneshot`. The fixture, `TempDir` and
//! the ids are re-exported here so tests keep importing them from `support`.
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, Response, StatusCode, header};
use time::macros::date;
use tower::ServiceExt;
use wuyu_domain::{FitnessBatch, Location, RosterBatch, SchoolId, Scope, Sex, Stage};
use wuyu_store::{ImportMeta, SqliteStore, Store};
use wuyu_testkit::district::{self, class, fitness_record, school, student};
// Every name tests imported from here before the move stays importable from here.
#[allow(unused_imports)]
pub use wuyu_testkit::{
    ExamIds, Ids, PASSWORD, TempDir, child_id_card, child_student_no, fitness_batch, masked_id,
    term_before, term_now,
};
use wuyu_web::{WebSettings, router};

pub const HOST: &str = "wuyu.test";
pub const ORIGIN: &str = "http://wuyu.test";

pub struct TestApp {
    pub router: Router,
    pub store: Arc<dyn Store>,
    pub ids: Ids,
    _dir: TempDir,
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_settings(WebSettings::default()).await
    }

    pub async fn with_settings(settings: WebSettings) -> Self {
        let dir = TempDir::new();
        let db = dir.path().join("wuyu.db");
        let store = SqliteStore::open(db.to_str().expect("utf-8 path"))
            .await
            .expect("open store");
        let store: Arc<dyn Store> = Arc::new(store);
        store.migrate().await.expect("migrate");
        let ids = district::load(store.as_ref()).await;
        Self {
            router: router(Arc::clone(&store), settings),
            store,
            ids,
            _dir: dir,
        }
    }

    /// One more junior school (城区) with one class, 七年级 1班, whose students were all tested
    /// in [`term_now`]: one student per entry of `strengths` (0 weak and myopic … 4 strong, as
    /// in the fixture's records). Returns the school's id.
    pub async fn add_tested_school(&self, code: &str, name: &str, strengths: &[u8]) -> SchoolId {
        let meta = |f: &str| ImportMeta {
            username: "fixture".into(),
            file_name: f.into(),
            file_sha256: "3".repeat(64),
            at: 0,
        };
        let no = |i: usize| format!("{code}20240701{i:02}");
        let sex = |i: usize| {
            if i.is_multiple_of(2) {
                Sex::Male
            } else {
                Sex::Female
            }
        };
        let batch = RosterBatch {
            schools: vec![school(code, name, Stage::Junior, Location::Urban, None)],
            classes: vec![class(code, 7, "1班")],
            students: (0..strengths.len())
                .map(|i| {
                    student(
                        code,
                        7,
                        "1班",
                        &no(i),
                        &format!("学生{}", i + 1),
                        sex(i),
                        date!(2012 - 03 - 05),
                        None,
                    )
                })
                .collect(),
            ..Default::default()
        };
        self.store
            .import_roster(&batch, &meta("roster"))
            .await
            .expect("import roster");
        let records = strengths
            .iter()
            .enumerate()
            .map(|(i, q)| fitness_record(term_now(), &no(i), 7, sex(i), *q))
            .collect();
        self.store
            .import_fitness(&FitnessBatch { records }, &meta("fitness"))
            .await
            .expect("import fitness");
        self.store
            .school_by_code(code)
            .await
            .unwrap()
            .expect("school")
    }

    /// An app over a store the caller filled (no fixture; ids are zeros).
    pub fn bare(router: Router, store: Arc<dyn Store>, dir: TempDir) -> Self {
        Self {
            router,
            store,
            ids: Ids::default(),
            _dir: dir,
        }
    }

    /// The fixture plus the exams of [`crate::exam_data`]: two more schools and grade-7
    /// students, an entrance exam (baseline), a district midterm measured from it with item
    /// points in 数学, and school A's 校级 monthly test.
    pub async fn with_exams() -> Self {
        use crate::exam_data as x;
        use wuyu_domain::ExamLevel;
        let mut app = Self::new().await;
        let meta = |f: &str| ImportMeta {
            username: "fixture".into(),
            file_name: f.into(),
            file_sha256: "2".repeat(64),
            at: 0,
        };
        let store = &app.store;
        store
            .import_roster(&x::roster(), &meta("exam roster"))
            .await
            .expect("import exam roster");
        let names: Vec<&str> = x::SUBJECTS.iter().map(|(n, _)| *n).collect();
        let baseline = store
            .create_exam(&x::new_exam(x::BASELINE, ExamLevel::District, None))
            .await
            .expect("create baseline");
        store
            .import_exam_scores(
                &x::score_batch(baseline, &names, |s| x::baseline(s).to_vec()),
                &meta("baseline.xlsx"),
            )
            .await
            .expect("import baseline");
        let midterm = store
            .create_exam(&x::new_exam(
                x::MIDTERM,
                ExamLevel::District,
                Some(baseline),
            ))
            .await
            .expect("create midterm");
        store
            .import_exam_scores(
                &x::score_batch(midterm, &names, |s| x::midterm(s).to_vec()),
                &meta("midterm.xlsx"),
            )
            .await
            .expect("import midterm");
        store
            .import_exam_items(&x::item_batch(midterm), &meta("midterm-math-items.xlsx"))
            .await
            .expect("import midterm items");
        let monthly = store
            .create_exam(&x::new_exam(x::MONTHLY, ExamLevel::School, None))
            .await
            .expect("create monthly");
        store
            .import_exam_scores(
                &x::score_batch(monthly, &names[..1], |s| vec![x::monthly(s)]),
                &meta("monthly.xlsx"),
            )
            .await
            .expect("import monthly");

        let d = Scope::District;
        let schools = store.list_schools(&d).await.unwrap();
        let school = |code: &str| {
            schools
                .iter()
                .find(|s| s.school.code.as_str() == code)
                .map(|s| s.school.id)
                .expect("school")
        };
        let (c, dd) = (school("S003"), school("S004"));
        let first_class =
            async |s: SchoolId| store.list_classes(&d, s).await.unwrap()[0].class.id.0;
        let mut students = HashMap::new();
        for s in [SchoolId(app.ids.school_a), c, dd] {
            for st in store.list_students(&d, s, None).await.unwrap() {
                students.insert(st.student_no.as_str().to_string(), st.id.0);
            }
        }
        app.ids.exams = ExamIds {
            baseline: baseline.0,
            midterm: midterm.0,
            monthly: monthly.0,
            school_c: c.0,
            school_d: dd.0,
            class_c: first_class(c).await,
            students,
        };
        app
    }

    pub async fn send(&self, req: Request<Body>) -> Response<Body> {
        self.router.clone().oneshot(req).await.expect("infallible")
    }

    /// Signs in through the form; panics unless it succeeds.
    pub async fn login(&self, username: &str) -> Session {
        let resp = self
            .send(login_request(username, PASSWORD, None, "127.0.0.1:5000"))
            .await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "login {username}");
        let cookie = session_cookie(&resp).expect("session cookie");
        let csrf = self.csrf_token(&cookie).await;
        Session { cookie, csrf }
    }

    /// The CSRF token the pages embed for this session (following the home redirect once).
    async fn csrf_token(&self, cookie: &str) -> String {
        let mut path = "/".to_string();
        for _ in 0..2 {
            let resp = self.send(get(&path).cookie(cookie).build()).await;
            if resp.status() == StatusCode::SEE_OTHER {
                path = location(&resp);
                continue;
            }
            let html = body_text(resp).await;
            return meta_csrf(&html).expect("csrf meta tag");
        }
        panic!("no page with a CSRF token");
    }
}

#[derive(Debug, Clone)]
pub struct Session {
    /// The session token (cookie value).
    pub cookie: String,
    pub csrf: String,
}

pub fn login_request(
    user: &str,
    password: &str,
    cookie: Option<&str>,
    peer: &str,
) -> Request<Body> {
    let mut b = post("/login").form(&format!("username={user}&password={password}"));
    if let Some(c) = cookie {
        b = b.cookie(c);
    }
    b.peer(peer).build()
}

/// A request builder that fills in what a same-origin browser would send.
pub struct Req {
    method: Method,
    uri: String,
    headers: Vec<(String, String)>,
    body: String,
    peer: Option<SocketAddr>,
}

pub fn get(uri: &str) -> Req {
    Req::new(Method::GET, uri)
}

pub fn post(uri: &str) -> Req {
    Req::new(Method::POST, uri).header("origin", ORIGIN)
}

impl Req {
    pub fn new(method: Method, uri: &str) -> Self {
        Self {
            method,
            uri: uri.to_string(),
            headers: vec![("host".into(), HOST.into())],
            body: String::new(),
            peer: None,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(n, _)| n != name);
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn without(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| n != name);
        self
    }

    pub fn cookie(self, token: &str) -> Self {
        self.header("cookie", &format!("wuyu_session={token}"))
    }

    pub fn form(mut self, body: &str) -> Self {
        self.body = body.to_string();
        self.header("content-type", "application/x-www-form-urlencoded")
    }

    /// A raw body (multipart, JSON); the caller sets its content type.
    pub fn body(mut self, body: &str) -> Self {
        self.body = body.to_string();
        self
    }

    pub fn peer(mut self, addr: &str) -> Self {
        self.peer = Some(addr.parse().expect("socket address"));
        self
    }

    pub fn build(self) -> Request<Body> {
        let mut b = Request::builder().method(self.method).uri(self.uri);
        for (n, v) in &self.headers {
            b = b.header(n.as_str(), v.as_str());
        }
        let mut req = b.body(Body::from(self.body)).expect("request");
        if let Some(p) = self.peer {
            req.extensions_mut().insert(ConnectInfo(p));
        }
        req
    }
}

pub fn session_cookie(resp: &Response<Body>) -> Option<String> {
    resp.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("wuyu_session="))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
        .filter(|v| !v.is_empty())
}

pub fn location(resp: &Response<Body>) -> String {
    resp.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

pub async fn body_text(resp: Response<Body>) -> String {
    let bytes = to_bytes(resp.into_body(), usize::MAX).await.expect("body");
    String::from_utf8(bytes.to_vec()).expect("utf-8 body")
}

pub async fn body_json(resp: Response<Body>) -> serde_json::Value {
    let bytes = to_bytes(resp.into_body(), usize::MAX).await.expect("body");
    serde_json::from_slice(&bytes).expect("json body")
}

fn meta_csrf(html: &str) -> Option<String> {
    const TAG: &str = r#"<meta name="csrf-token" content=""#;
    let start = html.find(TAG)? + TAG.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}
