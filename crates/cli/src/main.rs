//! `wuyu`: the command-line entry point. Thin: it parses arguments and calls the library
//! crates (ingest, store, synth, web), printing Chinese messages for people and exiting
//! non-zero on failure.
#![forbid(unsafe_code)]

// Shared verbs: `import`, `export` and `template` dispatch one line per capability.
mod export;
mod help;
mod import;
mod logging;
mod progress;
mod template;
mod terms;
mod upload;

// One module per capability (plus the demo, benchmarks and file-only analytics).
mod accounts;
mod analytics;
mod archive;
mod bench;
mod bulletin;
mod demo;
mod demo_reports;
mod exam;
mod fitness;
mod plan;
mod psych;
mod psych_scale;
mod roster;
mod settings;
mod staff;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "wuyu", version, about = "五育并举 区域教育质量监测平台 (wuyu)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// 在终端显示运行日志（-vv 显示调试日志）
    #[arg(short, long, action = ArgAction::Count, global = true)]
    verbose: u8,
    /// 把运行日志追加写入此文件（wuyu demo 默认写入数据目录下的 wuyu.log）
    #[arg(long, global = true, env = "WUYU_LOG_FILE", value_name = "FILE")]
    log_file: Option<PathBuf>,
}

impl Cli {
    /// Where this command's log lines go (see [`logging`]).
    fn log_target(&self) -> logging::LogTarget {
        let (default_file, server) = match &self.command {
            Command::Demo(args) => (Some(args.data_dir().join("wuyu.log")), false),
            Command::Serve { .. } => (None, true),
            _ => (None, false),
        };
        logging::LogTarget::choose(self.verbose, self.log_file.as_deref(), default_file, server)
    }
}

/// The command line, parsed with Chinese help and errors; exits on `--help`, `--version` and
/// parse errors as clap would (status 0 and 2).
fn parse() -> Cli {
    use clap::error::ErrorKind;
    let matches = help::localize(Cli::command()).try_get_matches();
    let parsed = matches.and_then(|m| Cli::from_arg_matches(&m));
    match parsed {
        Ok(cli) => cli,
        Err(e) => match e.kind() {
            ErrorKind::DisplayHelp => {
                print!("{}", help::annotations_zh(&e.render().to_string()));
                std::process::exit(0);
            }
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                eprint!("{}", help::annotations_zh(&e.render().to_string()));
                std::process::exit(2);
            }
            ErrorKind::DisplayVersion => e.exit(),
            _ => {
                eprintln!("{}", help::error_zh(&e));
                std::process::exit(2);
            }
        },
    }
}

#[derive(Subcommand)]
enum Command {
    /// 生成一个全新的演示区县（模拟数据、演示账号）并启动网页服务
    Demo(demo::DemoArgs),
    /// 在一个数据库上启动网页界面和 API 服务
    Serve {
        /// 数据库：SQLite 文件路径或 sqlite:// 地址，或 postgres://… 地址
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 监听地址
        #[arg(long, default_value = "127.0.0.1:8080", env = "WUYU_LISTEN")]
        listen: String,
        /// 会话 Cookie 标记为 Secure（在 HTTPS 反向代理之后运行时使用）
        #[arg(long, env = "WUYU_SECURE_COOKIES")]
        secure_cookies: bool,
        /// 可信反向代理的地址，采信其 X-Forwarded-For（可重复）
        #[arg(long = "trusted-proxy", value_name = "IP")]
        trusted_proxies: Vec<std::net::IpAddr>,
        /// 空闲超时（分钟）：登录后这么久没有操作即需重新登录
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=1440), env = "WUYU_IDLE_TIMEOUT_MINUTES")]
        idle_timeout_minutes: u32,
    },
    /// 数据库维护
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// 考试：创建、列出、重新计算统计（成绩用 wuyu import exam-scores / exam-items 导入）
    Exam {
        #[command(subcommand)]
        command: exam::ExamCommand,
    },
    /// 综合素质档案：导入写实记录、艺术素质测评
    Archive {
        #[command(subcommand)]
        command: archive::ArchiveCommand,
    },
    /// 打印报告：综合素质评价报告（一个班或全校，一个 PDF 文件）
    Report {
        #[command(subcommand)]
        command: archive::ReportCommand,
    },
    /// 导入数据文件
    Import {
        #[command(subcommand)]
        command: import::ImportCommand,
    },
    /// 按官方格式导出数据（如国家体测数据上报模板）
    Export {
        #[command(subcommand)]
        command: export::ExportCommand,
    },
    /// 生成可直接填写的 XLSX 模板
    Template {
        #[command(subcommand)]
        command: template::TemplateCommand,
    },
    /// 区级设置：是否隐藏排名、体质健康目标、考试分数线与规则
    Settings {
        #[command(subcommand)]
        command: settings::SettingsCommand,
    },
    /// 管理用户账号
    User {
        #[command(subcommand)]
        command: accounts::UserCommand,
    },
    /// 把模拟区县的学生名单写入 CSV（用于试用和性能测试）
    Synth {
        /// 学生人数
        #[arg(long, default_value_t = 50_000)]
        students: usize,
        /// 随机种子（同一种子生成同样的数据）
        #[arg(long, default_value_t = 20240901)]
        seed: u64,
        /// 输出的 CSV 文件
        #[arg(short, long)]
        output: PathBuf,
    },
    /// 体质健康：不用数据库，直接给成绩文件评分（国家学生体质健康标准）
    Fitness {
        #[command(subcommand)]
        command: fitness::FitnessCommand,
    },
    /// 心理健康：不用数据库给纸质筛查答卷计分（PHQ-9、GAD-7、ASQ，关注等级）；载入区级自定义量表
    Psych {
        #[command(subcommand)]
        command: psych::PsychCommand,
    },
    /// 对 CSV 文件做统计，输出 JSON（题目分析、增值评价、收缩估计、满意度）
    /// 目标任务：任务分解表各项目标的完成情况（导入、导出用 wuyu import plan / wuyu export plan）
    Plan {
        #[command(subcommand)]
        command: plan::PlanCommand,
    },
    /// 对 CSV 文件做考试统计，输出 JSON（题目分析、增值评价、收缩估计）
    Analytics {
        #[command(subcommand)]
        command: analytics::AnalyticsCommand,
    },
    /// 教师：年度考核定等次（不用数据库的工具）
    Staff {
        #[command(subcommand)]
        command: staff::StaffCommand,
    },
    /// 测量主要任务的速度（见 BENCHMARKS.md）
    Bench(bench::BenchArgs),
}

#[derive(Subcommand)]
enum DbCommand {
    /// 执行尚未执行的数据库迁移
    Migrate {
        /// 数据库：SQLite 文件路径或 postgres://… 地址
        #[arg(long, env = "WUYU_DB")]
        db: String,
    },
}

fn main() -> ExitCode {
    let cli = parse();
    if let Err(e) = logging::init(&cli.log_target()) {
        eprintln!("错误：{e:#}");
        return ExitCode::FAILURE;
    }
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
    let log = cli.log_target();
    match cli.command {
        Command::Demo(args) => demo::run(args, &log).await,
        Command::Serve {
            db,
            listen,
            secure_cookies,
            trusted_proxies,
            idle_timeout_minutes,
        } => {
            let store = open_store(&db).await?;
            let settings = wuyu_web::WebSettings {
                secure_cookies,
                trusted_proxies,
                session_idle_secs: i64::from(idle_timeout_minutes) * 60,
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
        Command::Archive { command } => archive::run(command).await,
        Command::Report { command } => archive::report(command).await,
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
        Command::Plan { command } => plan::run(command).await,
        Command::Fitness { command } => fitness::run(command),
        Command::Psych { command } => psych::run(command).await,
        Command::Analytics { command } => analytics::run(command),
        Command::Staff { command } => staff::run(command),
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
