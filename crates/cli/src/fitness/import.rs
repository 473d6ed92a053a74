//! `wuyu import fitness`: one term's fitness and vision results into the database.
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use wuyu_domain::{Term, parse_date};
use wuyu_service::fitness::import_fitness;
use wuyu_service::import::ImportActor;

use crate::progress::step;
use crate::upload::{failure, finish, read_upload, service};

/// `wuyu import fitness`.
#[derive(Subcommand)]
pub enum Import {
    /// One term's fitness and vision results (国家学生体质健康标准 template layout or the
    /// code-name layout, CSV or XLSX), matched to students by 学籍号, scored and stored.
    Fitness {
        file: PathBuf,
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 学期，如 2025-autumn（2025年秋季）、2026-spring（2026年春季）、2025-2026-1、2025学年第二学期
        #[arg(long)]
        term: String,
        /// 确认使用离今天很远的学期（下下学期以后，或 12 学年以前），如补录历史成绩
        #[arg(long)]
        force: bool,
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
        force,
        user,
    } = cmd;
    let term = crate::terms::parse_term(&term)?;
    crate::terms::check_near(term, force)?;
    fitness(file, db, term, test_date, user).await
}

/// `wuyu import fitness`: every fitness sheet of the file, one term. A row needs a 学籍号; its
/// test date is the row's 测试日期 / test_date cell, or `--test-date`. Grade and sex are read as
/// the stateless scorer reads them and checked against the roster by the store.
async fn fitness(
    file: PathBuf,
    db: String,
    term: Term,
    test_date: Option<String>,
    user: String,
) -> anyhow::Result<ExitCode> {
    let default_date = test_date
        .as_deref()
        .map(parse_date)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--test-date 应为 YYYY-MM-DD：{e}"))?;
    if let Some(d) = default_date {
        crate::terms::check_date_in_term("--test-date：测试日期", d, term)?;
    }
    let file = read_upload(&file)?;
    let svc = service(&db).await?;
    let outcome = step(
        "读取、校验、评分并写入数据库",
        import_fitness(
            &svc,
            &ImportActor::Operator(user),
            &file,
            term,
            default_date,
        ),
    )
    .await
    .map_err(failure)?;
    let warnings = outcome.warnings().len();
    if warnings > 0 {
        eprintln!(
            "提示：{warnings} 个数值超出常见范围（仍可导入），请用 wuyu fitness score 查看并核对"
        );
    }
    Ok(finish(&outcome, |s| {
        println!(
            "导入成功（第 {} 次导入）：{} {} 条成绩（完整 {}，缺项 {}），涉及 {} 所学校",
            s.import_id,
            term.label_zh(),
            s.records_written,
            s.complete,
            s.incomplete,
            s.schools
        );
    }))
}
