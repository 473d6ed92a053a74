//! `wuyu import fitness`: one term's fitness and vision results into the database.
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use wuyu_domain::{Term, parse_date};
use wuyu_store::{ImportMeta, StoreError};

use crate::import::print_errors;
use crate::progress::step;

/// `wuyu import fitness`.
#[derive(Subcommand)]
pub enum Import {
    /// One term's fitness and vision results (国家学生体质健康标准 template layout or the
    /// code-name layout, CSV or XLSX), matched to students by 学籍号, scored and stored.
    Fitness {
        file: PathBuf,
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// The term, e.g. 2024-autumn or 2024-spring.
        #[arg(long)]
        term: String,
        /// Test date (YYYY-MM-DD) for rows without a 测试日期 / test_date cell.
        #[arg(long)]
        test_date: Option<String>,
        /// Recorded as the importer.
        #[arg(long, default_value = "cli", env = "USER")]
        user: String,
    },
}

pub async fn run(cmd: Import) -> anyhow::Result<ExitCode> {
    let Import::Fitness {
        file,
        db,
        term,
        test_date,
        user,
    } = cmd;
    fitness(file, db, term, test_date, user).await
}

/// `wuyu import fitness`: every fitness sheet of the file, one term. A row needs a 学籍号; its
/// test date is the row's 测试日期 / test_date cell, or `--test-date`. Grade and sex are read as
/// the stateless scorer reads them and checked against the roster by the store.
async fn fitness(
    file: PathBuf,
    db: String,
    term: String,
    test_date: Option<String>,
    user: String,
) -> anyhow::Result<ExitCode> {
    let term = Term::parse_code(&term).map_err(|e| {
        anyhow::anyhow!("--term “{term}”无效（应如 2024-autumn、2024-spring）：{e}")
    })?;
    let default_date = test_date
        .as_deref()
        .map(parse_date)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--test-date 应为 YYYY-MM-DD：{e}"))?;
    let bytes = std::fs::read(&file).with_context(|| format!("无法读取 {}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file_sha256 = {
        use sha2::Digest;
        let d = sha2::Sha256::digest(&bytes);
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let read = wuyu_ingest::read_fitness_batch(&name, &bytes, term, default_date)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (batch, errors, warnings) = (read.batch, read.errors, read.warnings.len());
    if warnings > 0 {
        eprintln!(
            "提示：{warnings} 个数值超出常见范围（仍可导入），请用 wuyu fitness score 查看并核对"
        );
    }
    if !errors.is_empty() {
        print_errors(&errors);
        return Ok(ExitCode::FAILURE);
    }
    let store = crate::open_store(&db).await?;
    let meta = ImportMeta {
        username: user,
        file_name: name,
        file_sha256,
        at: time::OffsetDateTime::now_utc().unix_timestamp(),
    };
    match step("评分并写入数据库", store.import_fitness(&batch, &meta)).await {
        Ok(s) => {
            println!(
                "导入成功（第 {} 次导入）：{} {} 条成绩（完整 {}，缺项 {}），涉及 {} 所学校",
                s.import_id,
                term.label_zh(),
                s.records_written,
                s.complete,
                s.incomplete,
                s.schools
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::Rejected(errors)) => {
            print_errors(&errors);
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}
