//! The plan (任务分解表) on the command line: `wuyu import plan FILE`,
//! `wuyu export plan -o FILE` and `wuyu plan status`. An import replaces the stored plan; a file with any error changes
//! nothing and every error is printed with file, row, column and value.
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use wuyu_domain::{Role, Scope, User, UserId, Viewer};
use wuyu_service::import::ImportActor;
use wuyu_service::plan::{PlanFormat, export_plan, import_plan, plan_status};

use crate::upload::{failure, finish, read_upload, service};

/// `wuyu import plan --help`: the layout of a plan file.
const PLAN_HELP: &str = "\
文件格式（.csv 可为 UTF-8 或 GBK，或 .xlsx），每行一项指标：
  indicator,unit,target_2023,target_2024,target_2025,comparator,scope,data_to_compute,seed_file,seed_phrase,note
  体质健康优秀率,% of tested students,,,30,>=,district and per school,…,…,…,…

  indicator   指标名称，不能重复
  unit        单位；以 % 开头的为百分比，目标写 0–100（30 表示 30%）
  target_YYYY 各学年的目标；可留空（由区里填写）；填报的计数指标也可写文字（如 20+20）
  comparator  >=、<=、= 或 ≈（左右）
  scope       适用范围：district、per school、district and per school、urban/rural primary schools、
              district (primary)、district (junior)、per group，或 全区、每校、城区小学、城区初中 等
  key/source/measure（可选）：指标代码、computed 或 reported、系统计算所用的指标
              （如 fitness.myopia_rate、exam.pass_rate:中考）；不写时按指标名称识别体测和考试指标

  导入会替换原有的任务分解表。有任何错误时整个文件都不导入。";

/// `wuyu import plan`.
#[derive(Subcommand)]
pub enum Import {
    /// 任务分解表（各项指标的年度目标），替换原有的任务分解表
    #[command(after_help = PLAN_HELP)]
    Plan {
        /// 任务分解表文件（.csv 或 .xlsx）
        file: PathBuf,
        /// 数据库：SQLite 文件路径或 postgres://… 地址
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 记录为导入人
        #[arg(long, default_value = "cli", env = "USER")]
        user: String,
    },
}

/// `wuyu export plan`.
#[derive(Subcommand)]
pub enum Export {
    /// 导出任务分解表（与导入的格式相同，另加 key、source、measure 三列），可再导入
    Plan {
        /// 数据库：SQLite 文件路径或 postgres://… 地址
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 输出文件（.xlsx 或 .csv）
        #[arg(short, long)]
        output: PathBuf,
    },
}

pub async fn import(cmd: Import) -> anyhow::Result<ExitCode> {
    let Import::Plan { file, db, user } = cmd;
    let upload = read_upload(&file)?;
    let svc = service(&db).await?;
    let outcome = import_plan(&svc, &ImportActor::Operator(user), &upload)
        .await
        .map_err(failure)?;
    Ok(finish(&outcome, |s| {
        println!(
            "已导入任务分解表：{} 项指标（系统计算 {} 项，填报 {} 项），{} 个年度目标",
            s.indicators,
            s.computed,
            s.indicators - s.computed,
            s.targets
        );
        if s.removed > 0 {
            println!("原任务分解表中有 {} 项指标不在新文件中，已删除", s.removed);
        }
    }))
}

pub async fn export(cmd: Export) -> anyhow::Result<ExitCode> {
    let Export::Plan { db, output } = cmd;
    let name = output.to_string_lossy();
    let format = PlanFormat::of_file_name(&name);
    let svc = service(&db).await?;
    let bytes = export_plan(&svc, format).await.map_err(failure)?;
    std::fs::write(&output, bytes).with_context(|| format!("无法写入 {}", output.display()))?;
    println!("已导出任务分解表到 {}", output.display());
    Ok(ExitCode::SUCCESS)
}

/// `wuyu plan …`.
#[derive(Subcommand)]
pub enum PlanCommand {
    /// 一个年度每项目标在全区和各校的完成情况：数值、目标、结论、人数、差距、数据截至
    Status {
        /// 数据库：SQLite 文件路径或 postgres://… 地址
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 目标年度（2025 即 2024–2025 学年）；不写为任务分解表的最后一年
        #[arg(long)]
        year: Option<i32>,
        /// 只列这所学校（学校代码）
        #[arg(long)]
        school: Option<String>,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    #[command(flatten)]
    Report(crate::bulletin::BulletinCommand),
}

/// The operator at the command line reads as the district does.
pub(crate) fn operator() -> Viewer {
    Viewer::new(
        User {
            id: UserId(0),
            username: "cli".into(),
            display_name: "命令行".into(),
            role: Role::DistrictAdmin,
            school_id: None,
            teacher_id: None,
            student_id: None,
        },
        Scope::District,
    )
}

pub async fn run(cmd: PlanCommand) -> anyhow::Result<ExitCode> {
    let (db, year, school, json) = match cmd {
        PlanCommand::Status {
            db,
            year,
            school,
            json,
        } => (db, year, school, json),
        PlanCommand::Report(cmd) => return crate::bulletin::run(cmd).await,
    };
    let svc = service(&db).await?;
    let mut status = plan_status(&svc, &operator(), year, None)
        .await
        .map_err(failure)?;
    if let Some(code) = &school {
        status
            .lines
            .retain(|l| l.unit.school_code.as_deref() == Some(code.as_str()));
        if status.lines.is_empty() {
            eprintln!("提示：{} 年没有适用于学校 {code} 的目标", status.year);
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&status)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} 年目标（{}–{} 学年）：{} 行",
        status.year,
        status.year - 1,
        status.year,
        status.lines.len()
    );
    for l in &status.lines {
        let gap = l
            .gap
            .map(|g| format!("{g:+}"))
            .unwrap_or_else(|| "—".into());
        println!(
            "{}\t{}\t{}\t{} {}\t{}\tn={}\t差距 {gap}\t{}",
            l.name,
            l.unit.label,
            l.value_text,
            l.comparator.symbol(),
            l.target,
            l.verdict_zh,
            l.n.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
            l.as_of.as_deref().unwrap_or("—"),
        );
    }
    if status.without_target > 0 {
        println!(
            "另有 {} 项指标本年度没有目标值（由区里填写）",
            status.without_target
        );
    }
    Ok(ExitCode::SUCCESS)
}
