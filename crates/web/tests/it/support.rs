//! Test fixture: a temporary SQLite store with two schools, their classes, students, teachers
//! and assignments, one user per role, and a small HTTP client over `tower::ServiceExt::oneshot`.
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, Response, StatusCode, header};
use time::macros::date;
use tower::ServiceExt;
use wuyu_domain::roster::{NewAssignment, NewClass, NewSchool, NewStudent, NewTeacher};
use wuyu_domain::{
    FitnessBatch, FitnessMeasures, Grade, IdCardNo, Location, NewFitnessRecord, Origin, PersonName,
    Role, RosterBatch, SchoolCode, SchoolId, Scope, Sex, Stage, StudentNo, Term, TermPart, UserId,
};
use wuyu_store::{ImportMeta, NewUser, SqliteStore, Store};
use wuyu_web::{WebSettings, password, router};

pub const PASSWORD: &str = "test-password-123";
pub const HOST: &str = "wuyu.test";
pub const ORIGIN: &str = "http://wuyu.test";

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "wuyu-web-test-{}-{}-{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Self(dir)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Ids the store assigned to the fixture's records.
#[derive(Debug, Clone, Default)]
pub struct Ids {
    pub school_a: i64,
    pub school_b: i64,
    /// 七年级 1班 of school A: taught by teacher-a; the parent's child is here.
    pub class_a7_1: i64,
    /// 七年级 2班 of school A: not taught by teacher-a.
    pub class_a7_2: i64,
    /// 八年级 1班 of school A: taught by teacher-a.
    pub class_a8_1: i64,
    /// 一年级 1班 of school B: taught by teacher-b.
    pub class_b1_1: i64,
    /// parent-a's child (school A, 七年级 1班), with a 身份证号.
    pub child: i64,
    /// Another student of school A, in 七年级 2班.
    pub other_a: i64,
    /// A student of school B.
    pub student_b: i64,
    /// A user that district admins may (de)activate in the matrix.
    pub spare_user: i64,
    pub users: HashMap<String, i64>,
    /// Filled by [`TestApp::with_exams`].
    pub exams: ExamIds,
}

/// Ids of the exam fixture ([`crate::exam_data`]); zeros without it.
#[derive(Debug, Clone, Default)]
pub struct ExamIds {
    pub baseline: i64,
    pub midterm: i64,
    pub monthly: i64,
    /// 河西中学 (rural junior) and 城北学校 (urban nine-year).
    pub school_c: i64,
    pub school_d: i64,
    pub class_c: i64,
    /// 学籍号 → student id, for every exam student.
    pub students: HashMap<String, i64>,
}

pub struct TestApp {
    pub router: Router,
    pub store: Arc<dyn Store>,
    pub ids: Ids,
    _dir: TempDir,
}

/// The full 身份证号 of the child (for "never shown in full" checks).
pub fn child_id_card() -> String {
    id_card("32010220120305123").as_str().to_string()
}

/// The child's 学籍号: "G" + the 身份证号, as many real ones are.
pub fn child_student_no() -> String {
    format!("G{}", child_id_card())
}

/// How the pages show an ID number: first 3 and last 4 characters.
pub fn masked_id(full: &str) -> String {
    format!("{}***********{}", &full[..3], &full[14..])
}

fn id_card(first17: &str) -> IdCardNo {
    let b: &[u8; 17] = first17.as_bytes().try_into().expect("17 digits");
    IdCardNo::parse(&format!("{first17}{}", IdCardNo::check_char(b))).expect("valid id")
}

fn school(
    code: &str,
    name: &str,
    stage: Stage,
    location: Location,
    group: Option<&str>,
) -> NewSchool {
    NewSchool {
        origin: Origin::default(),
        code: SchoolCode::parse(code).unwrap(),
        name: name.into(),
        stage,
        location,
        school_group: group.map(String::from),
    }
}

fn class(school: &str, grade: u8, name: &str) -> NewClass {
    NewClass {
        origin: Origin::default(),
        school_code: SchoolCode::parse(school).unwrap(),
        grade: Grade::new(grade).unwrap(),
        name: name.into(),
    }
}

#[allow(clippy::too_many_arguments)]
fn student(
    school: &str,
    grade: u8,
    class: &str,
    no: &str,
    name: &str,
    sex: Sex,
    birth: time::Date,
    id: Option<IdCardNo>,
) -> NewStudent {
    NewStudent {
        origin: Origin::default(),
        school_code: SchoolCode::parse(school).unwrap(),
        grade: Grade::new(grade).unwrap(),
        class_name: class.into(),
        student_no: StudentNo::parse(no).unwrap(),
        name: PersonName::parse(name).unwrap(),
        sex,
        birth_date: birth,
        id_card_no: id,
        ethnicity: None,
    }
}

fn teacher(school: &str, staff_no: &str, name: &str) -> NewTeacher {
    NewTeacher {
        origin: Origin::default(),
        school_code: SchoolCode::parse(school).unwrap(),
        staff_no: staff_no.into(),
        name: PersonName::parse(name).unwrap(),
        sex: None,
    }
}

fn assignment(
    school: &str,
    staff_no: &str,
    grade: u8,
    class: &str,
    subject: &str,
) -> NewAssignment {
    NewAssignment {
        origin: Origin::default(),
        school_code: SchoolCode::parse(school).unwrap(),
        staff_no: staff_no.into(),
        grade: Grade::new(grade).unwrap(),
        class_name: class.into(),
        subject: subject.into(),
        share: 1.0,
    }
}

fn roster() -> RosterBatch {
    use Sex::{Female, Male};
    RosterBatch {
        schools: vec![
            school(
                "S001",
                "第一实验中学",
                Stage::Junior,
                Location::Urban,
                Some("实验教育集团"),
            ),
            school("S002", "柳林小学", Stage::Primary, Location::Rural, None),
        ],
        classes: vec![
            class("S001", 7, "1班"),
            class("S001", 7, "2班"),
            class("S001", 8, "1班"),
            class("S002", 1, "1班"),
            class("S002", 2, "1班"),
        ],
        students: vec![
            student(
                "S001",
                7,
                "1班",
                &child_student_no(),
                "张小明",
                Male,
                date!(2012 - 03 - 05),
                Some(id_card("32010220120305123")),
            ),
            student(
                "S001",
                7,
                "1班",
                "A2024070102",
                "李小红",
                Female,
                date!(2012 - 05 - 10),
                None,
            ),
            student(
                "S001",
                7,
                "2班",
                "A2024070201",
                "王磊",
                Male,
                date!(2012 - 01 - 20),
                Some(id_card("32010220120120135")),
            ),
            student(
                "S001",
                7,
                "2班",
                "A2024070202",
                "赵敏",
                Female,
                date!(2012 - 07 - 01),
                None,
            ),
            student(
                "S001",
                8,
                "1班",
                "A2023080101",
                "陈晨",
                Male,
                date!(2011 - 09 - 09),
                None,
            ),
            student(
                "S002",
                1,
                "1班",
                "B2024010101",
                "刘洋",
                Male,
                date!(2018 - 04 - 04),
                None,
            ),
            student(
                "S002",
                1,
                "1班",
                "B2024010102",
                "周婷",
                Female,
                date!(2018 - 06 - 12),
                None,
            ),
            student(
                "S002",
                2,
                "1班",
                "B2023020101",
                "吴昊",
                Male,
                date!(2017 - 02 - 28),
                None,
            ),
        ],
        teachers: vec![
            teacher("S001", "T01", "孙老师"),
            teacher("S001", "T02", "钱老师"),
            teacher("S002", "T11", "郑老师"),
        ],
        assignments: vec![
            assignment("S001", "T01", 7, "1班", "语文"),
            assignment("S001", "T01", 8, "1班", "数学"),
            assignment("S001", "T02", 7, "2班", "英语"),
            assignment("S002", "T11", 1, "1班", "语文"),
        ],
    }
}

/// The earlier fitness term of the fixture (2023–2024 spring).
pub fn term_before() -> Term {
    Term::new(2023, TermPart::Spring).unwrap()
}

/// The later (latest) fitness term of the fixture (2024–2025 autumn).
pub fn term_now() -> Term {
    Term::new(2024, TermPart::Autumn).unwrap()
}

/// Raw results of a grade-1/2 or grade-7/8 student; `q` in 0..=4 moves every result from
/// weak to strong, so the records spread over the levels.
fn measures(grade: u8, sex: Sex, q: u8) -> FitnessMeasures {
    let q = f64::from(q);
    let junior = grade >= 7;
    let mut m = FitnessMeasures {
        height_cm: Some(if junior { 152.0 } else { 118.0 } + 3.0 * q),
        weight_kg: Some(if junior { 40.0 } else { 20.0 } + 4.0 * q),
        vital_capacity: Some(if junior { 1800.0 } else { 700.0 } + 400.0 * q),
        run_50m: Some(if junior { 10.5 } else { 13.0 } - 0.6 * q),
        sit_and_reach: Some(-2.0 + 4.0 * q),
        ..Default::default()
    };
    if junior {
        m.standing_long_jump = Some(140.0 + 15.0 * q);
        if sex == Sex::Male {
            m.pull_up = Some(q * 3.0);
            m.run_1000m = Some(330.0 - 20.0 * q);
        } else {
            m.sit_up_1min = Some(20.0 + 8.0 * q);
            m.run_800m = Some(300.0 - 18.0 * q);
        }
    } else {
        m.rope_skip_1min = Some(40.0 + 25.0 * q);
    }
    // Vision: myopic for q 0, reduced acuity for q 1, normal otherwise.
    m.acuity_left = Some(if q < 2.0 { 4.7 } else { 5.0 });
    m.acuity_right = Some(5.0);
    m.se_left = Some(if q < 1.0 { -1.25 } else { 0.0 });
    m.se_right = Some(0.0);
    m
}

fn fitness_record(term: Term, no: &str, grade: u8, sex: Sex, q: u8) -> NewFitnessRecord {
    NewFitnessRecord {
        origin: Origin::default(),
        student_no: StudentNo::parse(no).unwrap(),
        term,
        test_date: if term == term_now() {
            date!(2024 - 10 - 15)
        } else {
            date!(2024 - 04 - 15)
        },
        grade: None,
        sex: Some(sex),
        measures: measures(grade, sex, q),
    }
}

/// Two terms of fitness records. In the latest term: 赵敏 (7-2) and 吴昊 (school B) are missing
/// a test, 陈晨 (8-1) is INCOMPLETE (no 50米跑), 王磊 (7-2) is weak everywhere.
pub fn fitness_batch() -> FitnessBatch {
    use Sex::{Female, Male};
    let (before, now) = (term_before(), term_now());
    let child = child_student_no();
    let mut records = vec![
        fitness_record(before, &child, 7, Male, 2),
        fitness_record(before, "A2024070102", 7, Female, 1),
        fitness_record(before, "A2024070201", 7, Male, 0),
        fitness_record(before, "A2024070202", 7, Female, 3),
        fitness_record(before, "A2023080101", 8, Male, 2),
        fitness_record(before, "B2024010101", 1, Male, 1),
        fitness_record(now, &child, 7, Male, 4),
        fitness_record(now, "A2024070102", 7, Female, 2),
        fitness_record(now, "A2024070201", 7, Male, 0),
        fitness_record(now, "A2023080101", 8, Male, 3),
        fitness_record(now, "B2024010101", 1, Male, 3),
        fitness_record(now, "B2024010102", 1, Female, 1),
    ];
    records[9].measures.run_50m = None;
    FitnessBatch { records }
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
        store
            .import_roster(
                &roster(),
                &ImportMeta {
                    username: "fixture".into(),
                    file_name: "fixture".into(),
                    file_sha256: "0".repeat(64),
                    at: 0,
                },
            )
            .await
            .expect("import roster");
        store
            .import_fitness(
                &fitness_batch(),
                &ImportMeta {
                    username: "fixture".into(),
                    file_name: "fitness".into(),
                    file_sha256: "1".repeat(64),
                    at: 0,
                },
            )
            .await
            .expect("import fitness");

        let d = Scope::District;
        let schools = store.list_schools(&d).await.unwrap();
        let school_id = |code: &str| {
            schools
                .iter()
                .find(|s| s.school.code.as_str() == code)
                .map(|s| s.school.id)
                .expect("school")
        };
        let (a, b) = (school_id("S001"), school_id("S002"));
        let class_id = |classes: &[wuyu_store::ClassSummary], grade: u8, name: &str| {
            classes
                .iter()
                .find(|c| c.class.grade.get() == grade && c.class.name == name)
                .map(|c| c.class.id.0)
                .expect("class")
        };
        let classes_a = store.list_classes(&d, a).await.unwrap();
        let classes_b = store.list_classes(&d, b).await.unwrap();
        let student_id = async |school: SchoolId, no: &str| {
            store
                .list_students(&d, school, None)
                .await
                .unwrap()
                .into_iter()
                .find(|s| s.student_no.as_str() == no)
                .map(|s| s.id)
                .expect("student")
        };
        let child = student_id(a, &child_student_no()).await;
        let other_a = student_id(a, "A2024070201").await;
        let student_b = student_id(b, "B2024010101").await;
        let teacher_id = async |school: SchoolId, staff_no: &str| {
            store
                .list_assignments(&d, school)
                .await
                .unwrap()
                .into_iter()
                .find(|t| t.staff_no == staff_no)
                .map(|t| t.teacher_id)
                .expect("teacher")
        };
        let t01 = teacher_id(a, "T01").await;
        let t11 = teacher_id(b, "T11").await;

        let hash = password::hash_password(PASSWORD);
        let mut users = HashMap::new();
        let specs: Vec<(&str, Role, Option<SchoolId>, Option<_>, Option<_>)> = vec![
            ("district", Role::DistrictAdmin, None, None, None),
            ("analyst", Role::DistrictAnalyst, None, None, None),
            ("school-a", Role::SchoolAdmin, Some(a), None, None),
            ("teacher-a", Role::Teacher, Some(a), Some(t01), None),
            ("counsellor-a", Role::Counsellor, Some(a), None, None),
            ("parent-a", Role::Parent, Some(a), None, Some(child)),
            ("teacher-b", Role::Teacher, Some(b), Some(t11), None),
            ("inactive", Role::DistrictAnalyst, None, None, None),
            ("spare", Role::DistrictAnalyst, None, None, None),
        ];
        for (username, role, school_id, teacher_id, student_id) in specs {
            let id = store
                .create_user(&NewUser {
                    username: username.into(),
                    display_name: format!("{username} 显示名"),
                    role,
                    password_hash: hash.clone(),
                    school_id,
                    teacher_id,
                    student_id,
                })
                .await
                .expect("create user");
            users.insert(username.to_string(), id.0);
        }
        store
            .set_user_active(UserId(users["inactive"]), false)
            .await
            .unwrap();

        let ids = Ids {
            school_a: a.0,
            school_b: b.0,
            class_a7_1: class_id(&classes_a, 7, "1班"),
            class_a7_2: class_id(&classes_a, 7, "2班"),
            class_a8_1: class_id(&classes_a, 8, "1班"),
            class_b1_1: class_id(&classes_b, 1, "1班"),
            child: child.0,
            other_a: other_a.0,
            student_b: student_b.0,
            spare_user: users["spare"],
            users,
            exams: ExamIds::default(),
        };
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
