//! `wuyu plan snapshot`, `wuyu plan progress`, `wuyu plan bulletin` and `wuyu plan summary`:
//! the plan's monthly progress (调度), quarterly bulletin (通报) and year-end summary (年终总结)
//! at the command line.
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use wuyu_monitor::bulletin::{Month, Period, Quarter};
use wuyu_service::audit::Requester;
use wuyu_service::bulletin::{
    BulletinFormat, bulletin_document, progress, take_snapshot, this_month,
};

use crate::plan::operator;
use crate::upload::{failure, service};

/// The plan's reporting commands, flattened into `wuyu plan`.
#[derive(Subcommand)]
pub enum BulletinCommand {
    /// 月度调度快照：记录某月每项目标在全区和各校的数值与结论（已有则重新记录）
    Snapshot {
        /// 数据库：SQLite 文件路径或 postgres://… 地址
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 月份 YYYY-MM；不写为本月
        #[arg(long)]
        month: Option<String>,
    },
    /// 各项目标的逐月变化（来自月度调度快照）
    Progress {
        /// 数据库：SQLite 文件路径或 postgres://… 地址
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 只看这项指标（指标代码），列出全区和各校
        #[arg(long)]
        key: Option<String>,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 季度通报：各育目标完成情况、较上季度变化、落后学校，写成 PDF 或 XLSX（按输出文件的扩展名）
    Bulletin {
        /// 数据库：SQLite 文件路径或 postgres://… 地址
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 季度，如 2025Q3
        #[arg(long)]
        quarter: String,
        /// 输出文件（.pdf 或 .xlsx）
        #[arg(short, long)]
        output: PathBuf,
        /// 记录为生成人
        #[arg(long, default_value = "cli", env = "USER")]
        user: String,
    },
    /// 年终总结：某目标年度（如 2025 即 2024–2025 学年）各育目标完成情况、较上年度变化、落后学校，
    /// 写成 PDF 或 XLSX
    Summary {
        /// 数据库：SQLite 文件路径或 postgres://… 地址
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 目标年度，如 2025
        #[arg(long)]
        year: i32,
        /// 输出文件（.pdf 或 .xlsx）
        #[arg(short, long)]
        output: PathBuf,
        /// 记录为生成人
        #[arg(long, default_value = "cli", env = "USER")]
        user: String,
    },
}

pub async fn run(cmd: BulletinCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        BulletinCommand::Snapshot { db, month } => {
            let month = match month {
                Some(m) => Month::parse(&m).map_err(anyhow::Error::msg)?,
                None => this_month(),
            };
            let svc = service(&db).await?;
            let out = take_snapshot(&svc, &operator(), month)
                .await
                .map_err(failure)?;
            println!(
                "已记录 {} 的调度快照：{} 年目标，{} 行",
                month.label_zh(),
                out.plan_year,
                out.lines
            );
        }
        BulletinCommand::Progress { db, key, json } => {
            let svc = service(&db).await?;
            let p = progress(&svc, &operator(), key.as_deref())
                .await
                .map_err(failure)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&p)?);
                return Ok(ExitCode::SUCCESS);
            }
            if p.months.is_empty() {
                println!("还没有月度调度快照（wuyu plan snapshot 记录一个）");
                return Ok(ExitCode::SUCCESS);
            }
            println!("指标\t单位\t目标\t{}", p.month_labels.join("\t"));
            for r in &p.rows {
                let cells: Vec<String> = r
                    .cells
                    .iter()
                    .map(|c| {
                        c.as_ref().map_or_else(
                            || "—".into(),
                            |c| format!("{} {}", c.value_text, c.verdict_zh),
                        )
                    })
                    .collect();
                println!("{}\t{}\t{}\t{}", r.name, r.unit, r.target, cells.join("\t"));
            }
        }
        BulletinCommand::Bulletin {
            db,
            quarter,
            output,
            user,
        } => {
            let q = Quarter::parse(&quarter).map_err(anyhow::Error::msg)?;
            write_document(&db, Period::Quarter(q), &output, &user).await?;
        }
        BulletinCommand::Summary {
            db,
            year,
            output,
            user,
        } => write_document(&db, Period::Year(year), &output, &user).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the bulletin or summary of `period` to `output`, its format from the file name.
async fn write_document(
    db: &str,
    period: Period,
    output: &std::path::Path,
    user: &str,
) -> anyhow::Result<()> {
    let name = output.to_string_lossy();
    let Some(format) = BulletinFormat::of_file_name(&name) else {
        bail!("输出文件 {name} 应以 .pdf 或 .xlsx 结尾");
    };
    let svc = service(db).await?;
    let bytes = bulletin_document(
        &svc,
        &operator(),
        &Requester::operator(user),
        period,
        format,
    )
    .await
    .map_err(failure)?;
    std::fs::write(output, bytes).with_context(|| format!("无法写入 {}", output.display()))?;
    println!(
        "已生成{}{}：{}",
        period.label_zh(),
        period.kind_zh(),
        output.display()
    );
    Ok(())
}
