//! `wuyu export fitness`: a school's results of one term in the national upload template's
//! layout (XLSX or CSV, by the output's extension), to report upward.
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use wuyu_domain::Scope;
use wuyu_service::Service;
use wuyu_service::audit::Requester;
use wuyu_service::fitness::{TemplateFormat, upload_template};

/// `wuyu export fitness`.
#[derive(Subcommand)]
pub enum Export {
    /// 体测数据上报：一所学校一个学期的体质健康成绩，按国家学生体质健康标准数据上报模板的列
    /// （年级编号、班级编号、班级名称、学籍号、民族代码、姓名、性别、出生日期、身高、体重、各测试项目、视力）。
    /// 输出 .xlsx 或 .csv（带 BOM 的 UTF-8）。每次导出都记入审计日志（导出人、学校、学期、人数）
    Fitness {
        /// 数据库：SQLite 文件路径或 postgres://… 地址
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 学校代码
        #[arg(long)]
        school: String,
        /// 学期，如 2025-autumn（2025年秋季）、2026-spring（2026年春季）、2025-2026-1
        #[arg(long)]
        term: String,
        /// 输出文件（.xlsx 或 .csv）
        #[arg(short, long)]
        output: PathBuf,
        /// 记录为导出人（写入审计日志）
        #[arg(long, default_value = "cli", env = "USER")]
        user: String,
    },
}

pub async fn run(cmd: Export) -> anyhow::Result<ExitCode> {
    match cmd {
        Export::Fitness {
            db,
            school,
            term,
            output,
            user,
        } => {
            let term = crate::terms::parse_term(&term)?;
            let format = match output.extension().and_then(|e| e.to_str()) {
                Some(e) if e.eq_ignore_ascii_case("xlsx") => TemplateFormat::Xlsx,
                Some(e) if e.eq_ignore_ascii_case("csv") => TemplateFormat::Csv,
                _ => bail!("输出文件应以 .xlsx 或 .csv 结尾：{}", output.display()),
            };
            let store = crate::open_store(&db).await?;
            let Some(school_id) = store.school_by_code(&school).await? else {
                bail!("没有学校代码为“{school}”的学校");
            };
            let svc = Service::new(store);
            // The file holds a whole school's health data: the service audits it.
            let (_, export) = upload_template(
                &svc,
                &Requester::operator(&user),
                &Scope::District,
                school_id,
                Some(&term.code()),
                format,
            )
            .await?;
            std::fs::write(&output, &export.bytes)
                .with_context(|| format!("无法写入 {}", output.display()))?;
            println!(
                "已导出 {} 名学生的{}体测成绩到 {}",
                export.students,
                term.label_zh(),
                output.display()
            );
            if export.students == 0 {
                eprintln!("提示：该校{}没有体测成绩", term.label_zh());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
