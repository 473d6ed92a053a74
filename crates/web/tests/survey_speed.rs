//! Timing of anonymous survey answers over loopback (issue 15: "100,000 responses submitted
//! over loopback — the form must keep answering"), ignored by default:
//!
//! cargo test --release -p wuyu-web --test survey_speed -- --ignored --nocapture
//!
//! The real server on 127.0.0.1 (a trusted proxy, so each parent's address comes in
//! `X-Forwarded-For`, as behind the school's reverse proxy) takes 100,000 answers to a school's
//! link from 100,000 addresses on four keep-alive connections, while one address floods the same
//! link (refused past its limit) and another opens the form now and then (its latency is the
//! "keeps answering" number). The baseline, in the same run: the same 100,000 answers written
//! straight into the store, no HTTP. Then the results over HTTP (district admin, JSON API).
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use wuyu_analytics::satisfaction::Answer;
use wuyu_domain::{QuestionnaireStatus, SURVEY_TEMPLATES, SchoolId};
use wuyu_store::{SqliteStore, Store};
use wuyu_testkit::{PASSWORD, TempDir, district};

const RESPONSES: u32 = 100_000;
const CLIENTS: u32 = 4;

/// One keep-alive HTTP/1.1 connection: request, then the response by its Content-Length.
struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conn {
    fn open(addr: SocketAddr) -> Conn {
        let s = TcpStream::connect(addr).unwrap();
        s.set_nodelay(true).unwrap();
        Conn {
            reader: BufReader::new(s.try_clone().unwrap()),
            writer: s,
        }
    }

    fn send(&mut self, request: &str) -> (u16, String, Vec<u8>) {
        self.writer.write_all(request.as_bytes()).unwrap();
        let mut head = String::new();
        let mut status = 0;
        let mut len = 0;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).unwrap();
            if status == 0 {
                status = line.split(' ').nth(1).unwrap().parse().unwrap();
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                len = v.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let mut body = vec![0; len];
        self.reader.read_exact(&mut body).unwrap();
        (status, head, body)
    }
}

/// A form post as a phone's browser sends it: same-origin, or the CSRF check refuses it (403).
fn post(path: &str, from: &str, body: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: bench\r\nOrigin: http://bench\r\n\
         X-Forwarded-For: {from}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

fn get(path: &str, from: &str, cookie: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: bench\r\nX-Forwarded-For: {from}\r\nCookie: {cookie}\r\n\r\n"
    )
}

/// Address number `n` as a dotted quad in 10.0.0.0/8.
fn addr_of(n: u32) -> String {
    let n = n + 1;
    format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255)
}

/// A parent's answers: the same uneven mix each run.
fn answers(n: u32, items: usize) -> Vec<u8> {
    (0..items)
        .map(|i| 1 + ((n as usize * 7 + i * 3) % 23).min(4) as u8)
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn pct(v: &[Duration], p: f64) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v[((v.len() - 1) as f64 * p) as usize]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "timing run: cargo test --release -p wuyu-web --test survey_speed -- --ignored --nocapture"]
async fn hundred_thousand_answers_over_loopback() {
    let dir = TempDir::new();
    let db = dir.path().join("wuyu.db");
    let store = SqliteStore::open(db.to_str().unwrap()).await.unwrap();
    let store: Arc<dyn Store> = Arc::new(store);
    store.migrate().await.unwrap();
    let ids = district::load(store.as_ref()).await;
    let school = SchoolId(ids.school_a);
    let template = &SURVEY_TEMPLATES[0];
    let items = template.items.len();
    let mut rounds = Vec::new();
    for _ in 0..2 {
        let q = store
            .create_questionnaire(&template.questionnaire(), 1)
            .await
            .unwrap();
        store
            .set_questionnaire_status(q, QuestionnaireStatus::Published)
            .await
            .unwrap();
        rounds.push(q);
    }
    let (q_http, q_store) = (rounds[0], rounds[1]);
    store
        .create_survey_link(q_http, school, None, "BENCHLINK234")
        .await
        .unwrap();
    store
        .create_survey_link(q_store, school, None, "BENCHSTORE23")
        .await
        .unwrap();

    // Baseline: the store alone.
    let t = Instant::now();
    for n in 0..RESPONSES {
        let a: Vec<Answer> = answers(n, items).into_iter().map(Answer::Point).collect();
        store
            .submit_survey_response("BENCHSTORE23", &a, 10)
            .await
            .unwrap();
    }
    let store_time = t.elapsed();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let settings = wuyu_web::WebSettings {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..Default::default()
    };
    let server = tokio::spawn(wuyu_web::serve(listener, Arc::clone(&store), settings));

    let report = tokio::task::spawn_blocking(move || {
        let path = "/s/l/BENCHLINK234";
        let done = Arc::new(AtomicBool::new(false));
        // The flood: one address, as fast as it is answered.
        let flood = {
            let done = Arc::clone(&done);
            std::thread::spawn(move || {
                let mut c = Conn::open(addr);
                let body = (0..items)
                    .map(|i| format!("q{i}=5"))
                    .collect::<Vec<_>>()
                    .join("&");
                let (mut ok, mut refused) = (0u32, 0u32);
                while !done.load(Ordering::Relaxed) {
                    match c.send(&post(path, "192.168.77.7", &body)).0 {
                        200 => ok += 1,
                        429 => refused += 1,
                        s => panic!("flood answered {s}"),
                    }
                }
                (ok, refused)
            })
        };
        // The form, opened by a parent every 50 ms during the run.
        let probe = {
            let done = Arc::clone(&done);
            std::thread::spawn(move || {
                let mut c = Conn::open(addr);
                let mut times = Vec::new();
                while !done.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    let (status, _, _) = c.send(&get(path, "172.16.0.9", ""));
                    assert_eq!(status, 200);
                    times.push(t.elapsed());
                    std::thread::sleep(Duration::from_millis(50));
                }
                times
            })
        };
        let t = Instant::now();
        let clients: Vec<_> = (0..CLIENTS)
            .map(|k| {
                std::thread::spawn(move || {
                    let mut c = Conn::open(addr);
                    let mut times = Vec::new();
                    for n in (k..RESPONSES).step_by(CLIENTS as usize) {
                        let body = answers(n, items)
                            .iter()
                            .enumerate()
                            .map(|(i, p)| format!("q{i}={p}"))
                            .collect::<Vec<_>>()
                            .join("&");
                        let s = Instant::now();
                        let (status, _, _) = c.send(&post(path, &addr_of(n), &body));
                        assert_eq!(status, 200, "answer {n}");
                        times.push(s.elapsed());
                    }
                    times
                })
            })
            .collect();
        let mut each: Vec<Duration> = Vec::new();
        for c in clients {
            each.extend(c.join().unwrap());
        }
        let http_time = t.elapsed();
        done.store(true, Ordering::Relaxed);
        let (flood_ok, flood_refused) = flood.join().unwrap();
        let form = probe.join().unwrap();

        // Results over HTTP, signed in as the district admin.
        let mut c = Conn::open(addr);
        let login = format!("username=district&password={PASSWORD}");
        let (status, head, _) = c.send(&format!(
            "POST /login HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
             Sec-Fetch-Site: same-origin\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{login}",
            login.len()
        ));
        assert_eq!(status, 303);
        let cookie = head
            .lines()
            .filter_map(|l| l.split_once(':'))
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.trim())
            .find(|v| v.starts_with("wuyu_session="))
            .and_then(|v| v.split(';').next())
            .unwrap()
            .to_string();
        let mut results = Vec::new();
        let mut bytes = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let (status, _, body) = c.send(&get(
                &format!("/api/v1/surveys/{q_http}/results"),
                "127.0.0.1",
                &cookie,
            ));
            assert_eq!(status, 200);
            results.push(t.elapsed());
            bytes = body.len();
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(
                v["units"][0]["responses"].as_u64().unwrap(),
                u64::from(RESPONSES + flood_ok)
            );
        }
        println!(
            "store baseline: {RESPONSES} answers in {:.2} s ({:.0}/s)",
            store_time.as_secs_f64(),
            f64::from(RESPONSES) / store_time.as_secs_f64()
        );
        println!(
            "over HTTP ({CLIENTS} connections): {RESPONSES} answers in {:.2} s ({:.0}/s); \
             per answer median {:.2} ms, p99 {:.2} ms",
            http_time.as_secs_f64(),
            f64::from(RESPONSES) / http_time.as_secs_f64(),
            median(each.clone()).as_secs_f64() * 1e3,
            pct(&each, 0.99).as_secs_f64() * 1e3
        );
        println!(
            "flood from one address: {flood_ok} stored, {flood_refused} refused; \
             form opened {} times during the run: median {:.2} ms, max {:.2} ms",
            form.len(),
            median(form.clone()).as_secs_f64() * 1e3,
            pct(&form, 1.0).as_secs_f64() * 1e3
        );
        println!(
            "results of {} answers over HTTP: median of 5 {:.0} ms ({} KB)",
            RESPONSES + flood_ok,
            median(results).as_secs_f64() * 1e3,
            bytes / 1024
        );
        (flood_ok, form.len())
    })
    .await
    .unwrap();
    server.abort();
    assert!(report.0 <= 20, "the flood is bounded: {}", report.0);
    assert!(report.1 > 0);
}
