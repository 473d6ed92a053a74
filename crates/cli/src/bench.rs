//! `wuyu bench`: end-to-end timings of the main jobs on a synthetic district — generate,
//! write CSV, parse + validate, import into a fresh database, and the district home page on
//! that database — as medians where a step is repeated. BENCHMARKS.md records its output.
//! It calls the reader and the store directly, not the service's imports: it times each of
//! those steps on its own.
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use wuyu_domain::Role;
use wuyu_store::{ImportMeta, Store};

use crate::accounts::{AccountSpec, create_account};

mod archive;

#[derive(clap::Args)]
pub struct BenchArgs {
    /// 模拟学生人数
    #[arg(long, default_value_t = 1_000_000)]
    students: usize,
    /// 随机种子（同一种子生成同样的数据）
    #[arg(long, default_value_t = 20240901)]
    seed: u64,
    /// 存放 CSV 和 SQLite 数据库的工作目录（默认用临时目录）
    #[arg(long)]
    dir: Option<PathBuf>,
    /// 导入到这个（空的）PostgreSQL 数据库，而不是新建的 SQLite 文件
    #[arg(long)]
    db: Option<String>,
    /// 每个页面请求的次数（报告中位数）
    #[arg(long, default_value_t = 11)]
    runs: usize,
    /// 同时测体质健康：为每名学生生成一个学期的成绩，导入同一数据库（写入时评分），
    /// 并测各级汇总的速度
    #[arg(long)]
    fitness: bool,
    /// 与 --fitness 同用：另外以 XLSX 写出、读入并导入成绩
    #[arg(long)]
    fitness_xlsx: bool,
    /// 同时测综合素质档案：为每名学生生成一个学期的写实记录和艺术测评并导入，
    /// 测覆盖率汇总、覆盖率页面和一个班的综合素质评价报告（PDF）
    #[arg(long)]
    archive: bool,
    /// 与 --archive 同用：把生成的写实记录重复导入，直到约这么多条（0：各一条）
    #[arg(long, default_value_t = 0)]
    archive_records: usize,
    /// 与 --archive 同用：改为按学校写出 CSV，像 `wuyu archive import-records` 一样经服务导入
    /// （逐格检查，待审核），只测导入
    #[arg(long)]
    archive_csv: bool,
}

pub async fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("wuyu-bench-{}", std::process::id())));
    std::fs::create_dir_all(&dir).with_context(|| format!("无法创建目录 {}", dir.display()))?;
    println!("wuyu bench: {} students, seed {}", args.students, args.seed);

    let t = Instant::now();
    let district = wuyu_synth::generate(&wuyu_synth::SynthConfig {
        seed: args.seed,
        students: args.students,
        ..Default::default()
    });
    report("generate district", t.elapsed(), args.students);

    // The CSV holds students only: schools and classes go in first, as a school would have
    // them already, so the timed import is the students file alone.
    let csv_path = dir.join("students.csv");
    let t = Instant::now();
    let file = std::fs::File::create(&csv_path)
        .with_context(|| format!("无法创建 {}", csv_path.display()))?;
    wuyu_ingest::write_students_csv(&district.batch.students, std::io::BufWriter::new(file))?;
    let size = std::fs::metadata(&csv_path)
        .with_context(|| format!("无法读取 {}", csv_path.display()))?
        .len();
    report("write students CSV", t.elapsed(), args.students);
    println!("    ({:.1} MB)", size as f64 / 1e6);

    let t = Instant::now();
    let bytes =
        std::fs::read(&csv_path).with_context(|| format!("无法读取 {}", csv_path.display()))?;
    let read = wuyu_ingest::read_roster(
        "students.csv",
        &bytes,
        &wuyu_ingest::RosterOptions::default(),
    )?;
    let parse = t.elapsed();
    report("read + validate CSV", parse, read.batch.students.len());
    if !read.errors.is_empty() {
        bail!(
            "the generated CSV has {} row errors: {}",
            read.errors.len(),
            read.errors[0]
        );
    }

    let db_url = match &args.db {
        Some(url) => url.clone(),
        None => {
            let p = dir.join("bench.db");
            for s in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{s}", p.display()));
            }
            p.to_string_lossy().into_owned()
        }
    };
    let store = crate::open_store(&db_url).await?;
    store.set_district(&district.district).await?;
    let mut skeleton = district.batch.clone();
    skeleton.students.clear();
    let meta = |name: &str| ImportMeta {
        username: "bench".into(),
        file_name: name.into(),
        file_sha256: read.file_sha256.clone(),
        at: 0,
    };
    store.import_roster(&skeleton, &meta("skeleton")).await?;
    let mut students_only = read.batch;
    students_only.schools.clear();
    students_only.classes.clear();
    let t = Instant::now();
    store
        .import_roster(&students_only, &meta("students.csv"))
        .await
        .context("import failed")?;
    let import = t.elapsed();
    report(
        &format!("import into {}", store.backend()),
        import,
        students_only.students.len(),
    );
    report(
        "CSV → database, total",
        parse + import,
        students_only.students.len(),
    );

    if args.fitness {
        fitness(store.as_ref(), &district, &args, &dir).await?;
    }
    let archive_term = match args.archive {
        true => Some(archive::run(Arc::clone(&store), &district, &args, &dir).await?),
        false => None,
    };
    if args.archive_csv {
        return Ok(ExitCode::SUCCESS);
    }
    home_page(store, &args, archive_term).await?;
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(ExitCode::SUCCESS)
}

/// One term of fitness results for every student, end to end as a district would receive
/// them: generated, written in the national upload template's layout as CSV (and, with
/// `--fitness-xlsx`, XLSX), read and validated, imported (resolve, score at write, upsert, the
/// rollup), then the summaries by school and for the district (medians of `runs`).
async fn fitness(
    store: &dyn Store,
    district: &wuyu_synth::SynthDistrict,
    args: &BenchArgs,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    use wuyu_domain::{Scope, Term, TermPart};
    use wuyu_store::FitnessGroupBy;
    let term = Term::new(district.school_year, TermPart::Autumn)?;
    let t = Instant::now();
    let batch = wuyu_synth::generate_fitness(district, args.seed, &[term]);
    report("generate fitness", t.elapsed(), batch.len());
    let test_date = batch.records.first().map(|r| r.test_date);

    let students: std::collections::HashMap<&str, &wuyu_domain::roster::NewStudent> = district
        .batch
        .students
        .iter()
        .map(|s| (s.student_no.as_str(), s))
        .collect();
    let rows = || {
        batch.records.iter().map(|r| {
            let s = students[r.student_no.as_str()];
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
        })
    };

    let mut files = vec!["fitness.csv"];
    if args.fitness_xlsx {
        files.push("fitness.xlsx");
    }
    for name in files {
        let path = dir.join(name);
        let t = Instant::now();
        if name.ends_with(".csv") {
            let file = std::fs::File::create(&path)
                .with_context(|| format!("无法创建 {}", path.display()))?;
            wuyu_ingest::write_fitness_template_csv(rows(), std::io::BufWriter::new(file))?;
        } else {
            std::fs::write(&path, wuyu_ingest::write_fitness_template_xlsx(rows())?)
                .with_context(|| format!("无法写入 {}", path.display()))?;
        }
        let size = std::fs::metadata(&path)
            .with_context(|| format!("无法读取 {}", path.display()))?
            .len();
        report(&format!("write {name}"), t.elapsed(), batch.len());
        println!("    ({:.1} MB)", size as f64 / 1e6);

        let started = Instant::now();
        let bytes = std::fs::read(&path).with_context(|| format!("无法读取 {}", path.display()))?;
        let read = wuyu_ingest::read_fitness_batch(name, &bytes, term, test_date)?;
        drop(bytes);
        report(
            &format!("read + validate {name}"),
            started.elapsed(),
            read.batch.len(),
        );
        if let Some(e) = read.errors.first() {
            bail!(
                "{} row errors in the generated {name}: {e}",
                read.errors.len()
            );
        }
        let meta = ImportMeta {
            username: "bench".into(),
            file_name: name.to_string(),
            file_sha256: String::new(),
            at: 0,
        };
        let t = Instant::now();
        let s = store
            .import_fitness(&read.batch, &meta)
            .await
            .context("fitness import failed")?;
        report(
            &format!("import {} ({})", store.backend(), name),
            t.elapsed(),
            s.records_written as usize,
        );
        report(
            &format!("{name} → database, total"),
            started.elapsed(),
            s.records_written as usize,
        );
    }
    for by in [FitnessGroupBy::School, FitnessGroupBy::District] {
        let runs = args.runs.max(1);
        let mut times = Vec::with_capacity(runs);
        let mut rows = 0;
        for _ in 0..runs {
            let t = Instant::now();
            rows = store
                .fitness_summary(&Scope::District, None, term, by)
                .await?
                .len();
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "  fitness_summary by {:<9} median {:>8.1} ms  (min {:.1}, max {:.1}, {runs} runs, {rows} rows)",
            by.code(),
            times[runs / 2].as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3,
            times[runs - 1].as_secs_f64() * 1e3,
        );
    }
    Ok(())
}

pub(crate) fn report(what: &str, d: Duration, rows: usize) {
    let secs = d.as_secs_f64();
    println!(
        "  {what:<28} {secs:>8.3} s   {:>12.0} rows/s",
        rows as f64 / secs.max(1e-9)
    );
}

/// Serves the database in-process and times the district home page and the schools API
/// over real HTTP, signed in as a district admin.
async fn home_page(
    store: Arc<dyn Store>,
    args: &BenchArgs,
    archive_term: Option<wuyu_domain::Term>,
) -> anyhow::Result<()> {
    let password = "bench-password-123";
    create_account(
        store.as_ref(),
        &AccountSpec {
            username: "bench-district".into(),
            display_name: "bench".into(),
            role: Role::DistrictAdmin,
            school_code: None,
            teacher_staff_no: None,
            student_no: None,
        },
        password,
    )
    .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(wuyu_web::serve(
        listener,
        store,
        wuyu_web::WebSettings::default(),
    ));
    let runs = args.runs.max(1);
    let fitness_page = args.fitness;
    let result = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let cookie = login(addr, "bench-district", password)?;
        let mut paths = vec!["/".to_string(), "/api/v1/schools".into()];
        if fitness_page {
            paths.push("/fitness".into());
        }
        if let Some(term) = archive_term {
            // The page as opened (the latest term with records) and for a named term.
            paths.push("/archive/coverage".into());
            paths.push(format!("/archive/coverage?term={}", term.code()));
            paths.push(format!("/api/v1/archive/coverage?term={}", term.code()));
        }
        for path in paths {
            let mut times = Vec::with_capacity(runs);
            let mut bytes = 0;
            for _ in 0..runs {
                let t = Instant::now();
                let (status, body) = get(addr, &path, &cookie)?;
                times.push(t.elapsed());
                if status != 200 {
                    bail!("GET {path} answered {status}");
                }
                bytes = body.len();
            }
            times.sort();
            println!(
                "  GET {path:<24} median {:>8.1} ms  (min {:.1}, max {:.1}, {} runs, {} KB)",
                times[runs / 2].as_secs_f64() * 1e3,
                times[0].as_secs_f64() * 1e3,
                times[runs - 1].as_secs_f64() * 1e3,
                runs,
                bytes / 1024
            );
        }
        Ok(())
    })
    .await?;
    server.abort();
    result
}

fn http(addr: SocketAddr, request: &str) -> anyhow::Result<(u16, String, Vec<u8>)> {
    let mut s = TcpStream::connect(addr)?;
    s.write_all(request.as_bytes())?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("malformed HTTP response")?;
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("no status")?;
    Ok((status, head, buf[split + 4..].to_vec()))
}

fn login(addr: SocketAddr, username: &str, password: &str) -> anyhow::Result<String> {
    let body = format!("username={username}&password={password}");
    let req = format!(
        "POST /login HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
         Sec-Fetch-Site: same-origin\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, head, _) = http(addr, &req)?;
    if status != 303 {
        bail!("login answered {status}");
    }
    head.lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("set-cookie").then(|| v.trim())
        })
        .find(|v| v.starts_with("wuyu_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
        .context("login set no session cookie")
}

fn get(addr: SocketAddr, path: &str, cookie: &str) -> anyhow::Result<(u16, Vec<u8>)> {
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    );
    let (status, _, body) = http(addr, &req)?;
    Ok((status, body))
}
