//! `wuyu psych scale load FILE [--licence TEXT]` and `wuyu psych scale list`: the district's
//! own scale definitions (modules.md §3), loaded under its licence as the operator with the
//! district's rights. Every load is audited; a definition that does not validate is refused
//! with the field and value named, and nothing is stored.
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use wuyu_service::audit::Requester;
use wuyu_service::psych;

#[derive(clap::Subcommand)]
pub enum ScaleCommand {
    /// 载入区里自有授权的量表定义文件（JSON）：内容与已有版本相同则不新增，不同则新增一版
    Load {
        /// 数据库：SQLite 文件路径或 postgres://… 地址
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 量表定义文件（UTF-8 JSON）
        file: PathBuf,
        /// 授权说明（如购买合同编号），与该版本一起保存
        #[arg(long, default_value = "")]
        licence: String,
    },
    /// 列出已载入的量表及其各个版本
    List {
        /// 数据库：SQLite 文件路径或 postgres://… 地址
        #[arg(long, env = "WUYU_DB")]
        db: String,
    },
}

fn operator() -> Requester {
    Requester::operator(&std::env::var("USER").unwrap_or_else(|_| "operator".into()))
}

pub async fn run(cmd: ScaleCommand) -> anyhow::Result<ExitCode> {
    let viewer = crate::accounts::operator();
    match cmd {
        ScaleCommand::Load { db, file, licence } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("无法读取 {}", file.display()))?;
            let name = file.file_name().map_or_else(
                || file.display().to_string(),
                |n| n.to_string_lossy().into(),
            );
            let svc = crate::upload::service(&db).await?;
            let done = psych::load_scale(&svc, &viewer, &operator(), &name, &bytes, &licence)
                .await
                .map_err(crate::upload::failure)?;
            println!("{}", done.message_zh());
        }
        ScaleCommand::List { db } => {
            let svc = crate::upload::service(&db).await?;
            let all = psych::scales(&svc, &viewer, &operator())
                .await
                .map_err(crate::upload::failure)?;
            if all.is_empty() {
                println!("尚未载入任何量表定义");
            }
            for s in all {
                println!(
                    "{}\t第 {} 版\t{}\t文件版本 {}\t筛查 {} 次\t{}\tSHA-256 {}",
                    s.code,
                    s.version,
                    s.name,
                    s.source_version,
                    s.campaigns,
                    if s.licence.is_empty() {
                        "（未填授权说明）"
                    } else {
                        &s.licence
                    },
                    s.sha256
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
