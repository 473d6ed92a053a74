//! Crash safety and reads during a long import (issue 16), with the real binary:
//!
//! - `wuyu import roster` and `wuyu import fitness` killed with SIGKILL at pseudo-random points
//!   of their run (a bounded number of runs; the seed is printed, `WUYU_CRASH_SEED` repeats
//!   one): afterwards the database passes SQLite's integrity and foreign-key checks and holds
//!   either the whole import or none of it. The same on PostgreSQL when `WUYU_TEST_PG_URL` is
//!   set (without it they skip, like the other PostgreSQL tests).
//! - `wuyu serve` answering audited pages while another process imports (and so holds SQLite's
//!   write lock): every page within 200 ms; then the server and the import are both killed,
//!   and after a restart every audit entry of an answered page is in the log, exactly once.
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use wuyu_domain::{Term, TermPart};
use wuyu_store::{ImportMeta, SqliteStore, Store};
use wuyu_testkit::TempDir;

const PASSWORD: &str = "crash-test-password-1";

/// Runs per import kind and backend: each is a full import cut short, so keep it small.
const RUNS: usize = 3;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A small deterministic generator for the kill points (no rand dependency).
struct Lcg(u64);

impl Lcg {
    fn from_env() -> Self {
        let seed = std::env::var("WUYU_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            });
        eprintln!("kill points from WUYU_CRASH_SEED={seed}");
        Self(seed)
    }

    /// A fraction in [0.05, 0.95).
    fn fraction(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        0.05 + 0.9 * ((self.0 >> 11) as f64 / (1u64 << 53) as f64)
    }
}

/// The synthetic district as files: the students CSV and one term of fitness results in the
/// national upload layout, plus the term's code.
struct Files {
    dir: TempDir,
    district: wuyu_synth::SynthDistrict,
    students_csv: PathBuf,
    fitness_csv: PathBuf,
    term: Term,
    records: usize,
}

fn files(students: usize) -> Files {
    let dir = TempDir::tagged("crash");
    let district = wuyu_synth::generate(&wuyu_synth::SynthConfig {
        seed: 16,
        students,
        ..Default::default()
    });
    let students_csv = dir.join("students.csv");
    wuyu_ingest::write_students_csv(
        &district.batch.students,
        std::io::BufWriter::new(std::fs::File::create(&students_csv).unwrap()),
    )
    .unwrap();
    let term = Term::new(district.school_year, TermPart::Autumn).unwrap();
    let batch = wuyu_synth::generate_fitness(&district, 16, &[term]);
    let by_no: std::collections::HashMap<&str, &wuyu_domain::roster::NewStudent> = district
        .batch
        .students
        .iter()
        .map(|s| (s.student_no.as_str(), s))
        .collect();
    let rows = batch.records.iter().map(|r| {
        let s = by_no[r.student_no.as_str()];
        let class_no = s
            .class_name
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or(1);
        wuyu_ingest::TemplateRow {
            grade: s.grade,
            class_no,
            class_name: &s.class_name,
            student_no: s.student_no.as_str(),
            ethnicity: s.ethnicity,
            name: s.name.as_str(),
            sex: s.sex,
            birth_date: s.birth_date,
            measures: &r.measures,
        }
    });
    let fitness_csv = dir.join("fitness.csv");
    wuyu_ingest::write_fitness_template_csv(
        rows,
        std::io::BufWriter::new(std::fs::File::create(&fitness_csv).unwrap()),
    )
    .unwrap();
    let records = batch.records.len();
    Files {
        dir,
        district,
        students_csv,
        fitness_csv,
        term,
        records,
    }
}

fn meta(name: &str) -> ImportMeta {
    ImportMeta {
        username: "setup".into(),
        file_name: name.into(),
        file_sha256: String::new(),
        at: 0,
    }
}

/// Schools, classes and teachers (and with `students`, the students too) into `store`.
async fn seed(store: &dyn Store, f: &Files, students: bool) {
    store.set_district(&f.district.district).await.unwrap();
    let mut batch = f.district.batch.clone();
    if !students {
        batch.students.clear();
    }
    store.import_roster(&batch, &meta("setup")).await.unwrap();
}

fn wuyu() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wuyu"));
    c.env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn import_cmd(kind: &str, f: &Files, db: &str) -> Command {
    let mut c = wuyu();
    c.arg("import");
    match kind {
        "roster" => {
            c.args(["roster", f.students_csv.to_str().unwrap()]);
        }
        _ => {
            // The national template has no test-date column: the date comes with the import.
            let date = format!("{}-10-15", f.term.calendar_year());
            c.args(["fitness", f.fitness_csv.to_str().unwrap()]).args([
                "--term",
                &f.term.code(),
                "--test-date",
                &date,
                "--force",
            ]);
        }
    }
    c.args(["--db", db, "--user", "crash-test"]);
    c
}

/// What "all or nothing" compares: the import's rows and the import records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Counts {
    students: i64,
    fitness: i64,
    rollup: i64,
    imports: i64,
}

/// The counts through `$pool` (a SQLite or PostgreSQL pool).
macro_rules! counts {
    ($pool:expr) => {{
        let mut n = [0i64; 4];
        for (k, t) in [
            "student",
            "fitness_record",
            "fitness_rollup",
            "import_record",
        ]
        .iter()
        .enumerate()
        {
            let (c,): (i64,) =
                sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {t}")))
                    .fetch_one($pool)
                    .await
                    .unwrap();
            n[k] = c;
        }
        Counts {
            students: n[0],
            fitness: n[1],
            rollup: n[2],
            imports: n[3],
        }
    }};
}

/// Copies a SQLite database (main file and write-ahead log) that no process is writing.
fn copy_db(from: &Path, to: &Path) {
    for s in ["", "-wal"] {
        let src = PathBuf::from(format!("{}{s}", from.display()));
        if src.exists() {
            std::fs::copy(&src, format!("{}{s}", to.display())).unwrap();
        }
    }
}

/// SQLite after a crash: opened as the server would (recovery of the log), integrity and
/// foreign keys checked, and the counts.
fn sqlite_after_crash(db: &Path) -> Counts {
    rt().block_on(async {
        let store = SqliteStore::open(db.to_str().unwrap()).await.unwrap();
        store.migrate().await.unwrap();
        let integrity: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
            .fetch_all(store.pool())
            .await
            .unwrap();
        assert_eq!(integrity, vec![("ok".to_string(),)], "integrity_check");
        let fk: Vec<(String, i64, String, i64)> = sqlx::query_as("PRAGMA foreign_key_check")
            .fetch_all(store.pool())
            .await
            .unwrap();
        assert!(fk.is_empty(), "foreign_key_check: {fk:?}");
        counts!(store.pool())
    })
}

/// Runs the import to the end once (how long it takes, what "all" is), then `RUNS` times
/// killed at a random point of that time; each time the database holds all of it or none.
fn kill_runs(
    kind: &str,
    fresh: &mut dyn FnMut(usize) -> String,
    after_crash: &mut dyn FnMut(&str) -> Counts,
) {
    let mut rng = Lcg::from_env();
    let db = fresh(0);
    let before = after_crash(&db);
    let t = Instant::now();
    let out = import_cmd(kind, FILES.get().unwrap(), &db)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let full = t.elapsed();
    assert!(
        out.status.success(),
        "{kind} import without a kill failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all = after_crash(&db);
    assert_ne!(before, all, "the import changed something");
    eprintln!("{kind}: uninterrupted import {full:?}, {before:?} → {all:?}");
    let (mut none_seen, mut all_seen) = (0, 0);
    for run in 1..=RUNS {
        let db = fresh(run);
        let at = full.mul_f64(rng.fraction());
        let mut child = import_cmd(kind, FILES.get().unwrap(), &db).spawn().unwrap();
        std::thread::sleep(at);
        let finished = child.try_wait().unwrap().is_some();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let now = after_crash(&db);
        eprintln!("{kind} run {run}: killed at {at:?} (finished before: {finished}): {now:?}");
        assert!(
            now == before || now == all,
            "{kind} killed at {at:?}: neither nothing ({before:?}) nor everything ({all:?}): {now:?}"
        );
        if now == before {
            none_seen += 1;
        } else {
            all_seen += 1;
        }
    }
    eprintln!("{kind}: {none_seen} runs left nothing, {all_seen} everything");
}

static FILES: std::sync::OnceLock<Files> = std::sync::OnceLock::new();

fn shared_files() -> &'static Files {
    FILES.get_or_init(|| files(12_000))
}

/// A district big enough that its fitness import holds the write lock for the whole series
/// of page requests (12,000 students write in well under a second).
fn big_files() -> &'static Files {
    static BIG: std::sync::OnceLock<Files> = std::sync::OnceLock::new();
    BIG.get_or_init(|| files(80_000))
}

/// A migrated SQLite copy of the seeded database, per run.
fn sqlite_kill_runs(kind: &str, with_students: bool) {
    let f = shared_files();
    let base = f.dir.join(&format!("base-{kind}.db"));
    rt().block_on(async {
        let store = SqliteStore::open(base.to_str().unwrap()).await.unwrap();
        store.migrate().await.unwrap();
        seed(&store, f, with_students).await;
        store.pool().close().await;
    });
    let mut fresh = |run: usize| {
        let db = f.dir.join(&format!("{kind}-{run}.db"));
        copy_db(&base, &db);
        db.to_str().unwrap().to_string()
    };
    let mut check = |db: &str| sqlite_after_crash(Path::new(db));
    kill_runs(kind, &mut fresh, &mut check);
}

#[test]
fn sqlite_roster_import_killed_at_random_points_is_all_or_nothing() {
    sqlite_kill_runs("roster", false);
}

#[test]
fn sqlite_fitness_import_killed_at_random_points_is_all_or_nothing() {
    sqlite_kill_runs("fitness", true);
}

/// PostgreSQL: a fresh database per run (testkit's), seeded in-process, imported by the binary.
fn pg_kill_runs(kind: &str, with_students: bool) {
    if std::env::var_os("WUYU_TEST_PG_URL").is_none() {
        eprintln!("WUYU_TEST_PG_URL is not set: the PostgreSQL kill runs are skipped");
        return;
    }
    let f = shared_files();
    // Worker threads keep driving the seeded pools' connections while this thread waits for
    // the binary; the databases' clean-up at the end needs them (a current-thread runtime
    // would hang there).
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    // Kept alive until the end: each drops (and deletes) its database.
    let mut dbs = Vec::new();
    let mut fresh = |_run: usize| {
        let db = rt
            .block_on(wuyu_testkit::postgres())
            .expect("WUYU_TEST_PG_URL is set");
        rt.block_on(seed(db.store.as_ref(), f, with_students));
        let url = db.url.clone();
        dbs.push(db);
        url
    };
    let check_rt = self::rt();
    let mut check = |url: &str| {
        check_rt.block_on(async {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            // The killed client's transaction ends when the server notices the closed socket (the
            // seeding pool's idle connections do not matter).
            for _ in 0..100 {
                let (others,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM pg_stat_activity \
                     WHERE datname = current_database() AND pid <> pg_backend_pid() \
                     AND state <> 'idle'",
                )
                .fetch_one(&pool)
                .await
                .unwrap();
                if others == 0 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            // PostgreSQL checks foreign keys itself; none may be left unvalidated.
            let (unvalidated,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f' AND NOT convalidated",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            assert_eq!(unvalidated, 0);
            let c = counts!(&pool);
            pool.close().await;
            c
        })
    };
    kill_runs(kind, &mut fresh, &mut check);
}

#[test]
fn postgres_roster_import_killed_at_random_points_is_all_or_nothing() {
    pg_kill_runs("roster", false);
}

#[test]
fn postgres_fitness_import_killed_at_random_points_is_all_or_nothing() {
    pg_kill_runs("fitness", true);
}

// ---- reads during an import, and the audit log across a kill ----

fn http(addr: SocketAddr, request: &str) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP response");
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head, buf[split + 4..].to_vec())
}

fn get(addr: SocketAddr, path: &str, cookie: &str) -> u16 {
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    );
    http(addr, &req).0
}

fn login(addr: SocketAddr, username: &str) -> String {
    let body = format!("username={username}&password={PASSWORD}");
    let req = format!(
        "POST /login HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
         Sec-Fetch-Site: same-origin\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, head, _) = http(addr, &req);
    assert_eq!(status, 303, "login");
    head.lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("set-cookie").then(|| v.trim())
        })
        .find(|v| v.starts_with("wuyu_session="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_string()
}

/// Does some process hold the database's write lock (an import between BEGIN IMMEDIATE and
/// COMMIT)?
fn write_locked(probe: &sqlx::SqlitePool, rt: &tokio::runtime::Runtime) -> bool {
    rt.block_on(async {
        let mut conn = probe.acquire().await.unwrap();
        match sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
            Ok(_) => {
                sqlx::query("ROLLBACK").execute(&mut *conn).await.unwrap();
                false
            }
            Err(_) => true,
        }
    })
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `wuyu serve` on a free loopback port, once it accepts connections.
fn serve(db: &str) -> (Killed, SocketAddr) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let server = Killed(
        wuyu()
            .args(["serve", "--db", db, "--listen", &addr.to_string()])
            .spawn()
            .unwrap(),
    );
    let up = Instant::now();
    while TcpStream::connect(addr).is_err() {
        assert!(
            up.elapsed() < Duration::from_secs(60),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, addr)
}

/// A connection that never waits for the write lock, to see who holds it.
fn probe(db: &Path, rt: &tokio::runtime::Runtime) -> sqlx::SqlitePool {
    rt.block_on(async {
        use sqlx::sqlite::SqliteConnectOptions;
        sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                SqliteConnectOptions::new()
                    .filename(db)
                    .busy_timeout(Duration::ZERO),
            )
            .await
            .unwrap()
    })
}

/// Waits until `import` holds the database's write lock (it must not end before).
fn wait_for_write_lock(
    probe: &sqlx::SqlitePool,
    rt: &tokio::runtime::Runtime,
    import: &mut Killed,
) {
    let wait = Instant::now();
    while !write_locked(probe, rt) {
        assert!(
            import.0.try_wait().unwrap().is_none(),
            "the import ended before it took the write lock"
        );
        assert!(wait.elapsed() < Duration::from_secs(120), "no write lock");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A signed-in POST of a form (the session's CSRF token taken from `page`'s form).
fn post_form(addr: SocketAddr, cookie: &str, page: &str, path: &str, fields: &str) -> u16 {
    let req = format!(
        "GET {page} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    );
    let (status, _, body) = http(addr, &req);
    assert_eq!(status, 200, "{page}");
    let html = String::from_utf8_lossy(&body);
    let field = "name=\"csrf_token\" value=\"";
    let at = html.find(field).expect("a CSRF field") + field.len();
    let token = &html[at..at + html[at..].find('"').unwrap()];
    let body = format!("csrf_token={token}&{fields}");
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nCookie: {cookie}\r\n\
         Sec-Fetch-Site: same-origin\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    http(addr, &req).0
}

#[test]
fn pages_answer_during_an_import_and_no_audit_entry_is_lost_when_killed() {
    let f = big_files();
    let db = f.dir.join("serve.db");
    let rt = rt();
    let students: Vec<(i64, i64)> = rt.block_on(async {
        let store = SqliteStore::open(db.to_str().unwrap()).await.unwrap();
        store.migrate().await.unwrap();
        seed(&store, f, true).await;
        let ids = sqlx::query_as("SELECT school_id, id FROM student ORDER BY id LIMIT 12")
            .fetch_all(store.pool())
            .await
            .unwrap();
        store.pool().close().await;
        ids
    });
    let db_arg = db.to_str().unwrap();
    let added = wuyu()
        .args(["user", "add", "--db", db_arg, "--username", "auditor"])
        .args(["--role", "district_admin", "--password", PASSWORD])
        .status()
        .unwrap();
    assert!(added.success());

    let (mut server, addr) = serve(db_arg);
    let cookie = login(addr, "auditor");
    // The district pages once before the import (their read models are then kept).
    for path in ["/", "/fitness"] {
        assert_eq!(get(addr, path, &cookie), 200, "{path}");
    }

    let probe = probe(&db, &rt);
    let mut import = Killed(import_cmd("fitness", f, db_arg).spawn().unwrap());
    wait_for_write_lock(&probe, &rt, &mut import);

    // Audited pages (each writes an audit entry) and the district pages, while the import
    // holds the write lock.
    let mut answered = 0;
    let mut slowest = Duration::ZERO;
    for (school, student) in &students {
        for path in [
            format!("/schools/{school}/students/{student}"),
            "/".to_string(),
            "/fitness".to_string(),
        ] {
            let t = Instant::now();
            let status = get(addr, &path, &cookie);
            let took = t.elapsed();
            assert_eq!(status, 200, "{path}");
            assert!(
                took < Duration::from_millis(200),
                "{path} took {took:?} during the import"
            );
            slowest = slowest.max(took);
        }
        answered += 1;
    }
    eprintln!("{answered} audited pages during the import, slowest page {slowest:?}");
    assert!(
        write_locked(&probe, &rt),
        "the import finished during the requests: make the file bigger"
    );

    // Both killed mid-import.
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    import.0.kill().unwrap();
    import.0.wait().unwrap();
    rt.block_on(probe.close());

    // Restart: the queued entries reach the log, each once; the import left nothing.
    let (entries, c) = rt.block_on(async {
        use wuyu_store::AuditStore;
        let store = SqliteStore::open(db_arg).await.unwrap();
        store.migrate().await.unwrap();
        let log = store.list_audit(10_000).await.unwrap();
        let c = counts!(store.pool());
        let (in_log,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'read_student' AND username = 'auditor'",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        let read: Vec<String> = log
            .into_iter()
            .filter(|r| r.entry.action == "read_student" && r.entry.username == "auditor")
            .map(|r| r.entry.entity)
            .collect();
        assert_eq!(
            in_log as usize,
            read.len(),
            "every entry in audit_log itself"
        );
        (read, c)
    });
    assert_eq!(
        entries.len(),
        students.len(),
        "one entry per page: {entries:?}"
    );
    let mut distinct = entries.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        students.len(),
        "no entry twice: {entries:?}"
    );
    assert_eq!(c.fitness, 0, "the killed import wrote nothing");
    let _ = f.records;
}

/// Another writer while a long import holds SQLite's one write lock (a district admin changing
/// a password in the server while the CLI imports a term of results): it waits for the
/// import's write and then succeeds; nothing is refused with "database is locked".
#[test]
fn a_writer_waits_for_the_import_and_then_succeeds() {
    let f = big_files();
    let db = f.dir.join("writer.db");
    let rt = rt();
    rt.block_on(async {
        let store = SqliteStore::open(db.to_str().unwrap()).await.unwrap();
        store.migrate().await.unwrap();
        seed(&store, f, true).await;
        store.pool().close().await;
    });
    let db_arg = db.to_str().unwrap();
    let added = wuyu()
        .args(["user", "add", "--db", db_arg, "--username", "writer"])
        .args(["--role", "district_admin", "--password", PASSWORD])
        .status()
        .unwrap();
    assert!(added.success());
    let (_server, addr) = serve(db_arg);
    let cookie = login(addr, "writer");

    let probe = probe(&db, &rt);
    let t = Instant::now();
    let mut import = Killed(
        import_cmd("fitness", f, db_arg)
            .arg("-v")
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    wait_for_write_lock(&probe, &rt, &mut import);
    let new = "crash-test-password-2";
    let asked = Instant::now();
    let status = post_form(
        addr,
        &cookie,
        "/account/password",
        "/account/password",
        &format!("old_password={PASSWORD}&new_password={new}&confirm_password={new}"),
    );
    let waited = asked.elapsed();
    assert_eq!(status, 303, "the password change went through");
    let mut log = String::new();
    import
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let finished = import.0.wait().unwrap();
    assert!(finished.success(), "the import completed");
    eprintln!(
        "{}",
        log.lines()
            .filter(|l| l.contains("committed"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!(
        "the writer waited {waited:?} (import {:?} in all)",
        t.elapsed()
    );
    rt.block_on(probe.close());

    // Both writes are stored: the import's records, and the new password signs in.
    let c = sqlite_after_crash(&db);
    assert!(c.fitness > 0, "{c:?}");
    let body = format!("username=writer&password={new}");
    let req = format!(
        "POST /login HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
         Sec-Fetch-Site: same-origin\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    assert_eq!(http(addr, &req).0, 303, "the new password signs in");
}
