//! `wuyu`: the command-line entry point. Thin: it parses arguments and calls the library
//! crates (ingest, store, synth, web), printing Chinese messages for people and exiting
//! non-zero on failure.
#![forbid(unsafe_code)]

// Shared verbs: `import`, `export` and `template` dispatch one line per capability.
mod export;
mod import;
mod progress;
mod template;
mod terms;
mod upload;

// One module per capability (plus the demo, benchmarks and file-only analytics).
mod accounts;
mod analytics;
mod bench;
mod demo;
mod exam;
mod fitness;
mod roster;
mod settings;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "wuyu", version, about = "五育并举 区域教育质量监测平台 (wuyu)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a fresh demo district (synthetic data, demo accounts) and serve it.
    Demo(demo::DemoArgs),
    /// Serve the web UI and API on a database.
    Serve {
        /// Database URL: a SQLite file path / sqlite:// URL, or postgres://…
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", env = "WUYU_LISTEN")]
        listen: String,
        /// Mark the session cookie Secure (serve behind HTTPS).
        #[arg(long, env = "WUYU_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Address of a reverse proxy whose X-Forwarded-For is believed (repeatable).
        #[arg(long = "trusted-proxy", value_name = "IP")]
        trusted_proxies: Vec<std::net::IpAddr>,
    },
    /// Database maintenance.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// 考试：创建、列出、重新计算统计（成绩用 wuyu import exam-scores / exam-items 导入）
    Exam {
        #[command(subcommand)]
        command: exam::ExamCommand,
    },
    /// Import data files.
    Import {
        #[command(subcommand)]
        command: import::ImportCommand,
    },
    /// Export data in official layouts (e.g. the fitness upload template).
    Export {
        #[command(subcommand)]
        command: export::ExportCommand,
    },
    /// Write a ready-to-fill XLSX template.
    Template {
        #[command(subcommand)]
        command: template::TemplateCommand,
    },
    /// District settings: ranks hidden, fitness targets, exam lines and rules.
    Settings {
        #[command(subcommand)]
        command: settings::SettingsCommand,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: accounts::UserCommand,
    },
    /// Write a synthetic district's roster to a students CSV (for trials and benchmarks).
    Synth {
        #[arg(long, default_value_t = 50_000)]
        students: usize,
        #[arg(long, default_value_t = 20240901)]
        seed: u64,
        /// Output CSV file.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Physical fitness: score files without a database (国家学生体质健康标准).
    Fitness {
        #[command(subcommand)]
        command: fitness::FitnessCommand,
    },
    /// Exam statistics on CSV files, printed as JSON (item analysis, value-added, shrinkage).
    Analytics {
        #[command(subcommand)]
        command: analytics::AnalyticsCommand,
    },
    /// Measure the speed of the main jobs (see BENCHMARKS.md).
    Bench(bench::BenchArgs),
}

#[derive(Subcommand)]
enum DbCommand {
    /// Apply pending migrations.
    Migrate {
        #[arg(long, env = "WUYU_DB")]
        db: String,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Demo(args) => demo::run(args).await,
        Command::Serve {
            db,
            listen,
            secure_cookies,
            trusted_proxies,
        } => {
            let store = open_store(&db).await?;
            let settings = wuyu_web::WebSettings {
                secure_cookies,
                trusted_proxies,
                ..Default::default()
            };
            serve(store, &listen, settings).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Db {
            command: DbCommand::Migrate { db },
        } => {
            open_store(&db).await?;
            println!("数据库已是最新结构（{db}）");
            Ok(ExitCode::SUCCESS)
        }
        Command::Exam { command } => exam::run(command).await,
        Command::Import { command } => import::run(command).await,
        Command::Export { command } => export::run(command).await,
        Command::Template { command } => template::run(command).await,
        Command::User { command } => accounts::run(command).await,
        Command::Settings { command } => settings::run(command).await,
        Command::Synth {
            students,
            seed,
            output,
        } => {
            let d = wuyu_synth::generate(&wuyu_synth::SynthConfig {
                seed,
                students,
                ..Default::default()
            });
            let file = std::fs::File::create(&output)
                .with_context(|| format!("无法创建 {}", output.display()))?;
            wuyu_ingest::write_students_csv(&d.batch.students, std::io::BufWriter::new(file))?;
            println!(
                "已写入 {} 名学生：{}",
                d.batch.students.len(),
                output.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Fitness { command } => fitness::run(command),
        Command::Analytics { command } => analytics::run(command),
        Command::Bench(args) => bench::run(args).await,
    }
}

/// Opens and migrates the store a URL names.
pub(crate) async fn open_store(url: &str) -> anyhow::Result<std::sync::Arc<dyn wuyu_store::Store>> {
    let store = wuyu_store::connect(url)
        .await
        .with_context(|| format!("无法打开数据库 {url}"))?;
    store.migrate().await.context("数据库迁移失败")?;
    Ok(store)
}

pub(crate) async fn serve(
    store: std::sync::Arc<dyn wuyu_store::Store>,
    listen: &str,
    settings: wuyu_web::WebSettings,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("无法监听 {listen}"))?;
    let addr = listener.local_addr()?;
    println!("wuyu 已启动：http://{addr}/  （按 Ctrl-C 停止）");
    if !addr.ip().is_loopback() && !settings.secure_cookies {
        eprintln!(
            "警告：在非本机地址上提供服务，但会话 Cookie 未标记 Secure。请在 HTTPS 反向代理之后运行并加上 --secure-cookies。"
        );
    }
    wuyu_web::serve(listener, store, settings).await?;
    Ok(())
}
