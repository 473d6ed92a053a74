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
    /// 一个学期的体质健康和视力成绩（国家学生体质健康标准上报模板格式或代码列名格式，
    /// CSV 或 XLSX），按学籍号对应学生，评分后保存
    Fitness {
        /// 要导入的成绩文件
        file: PathBuf,
        /// 数据库：SQLite 文件路径或 postgres://… 地址
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 学期，如 2025-autumn（2025年秋季）、2026-spring（2026年春季）、2025-2026-1、2025学年第二学期
        #[arg(long)]
        term: String,
        /// 确认使用离今天很远的学期（下下学期以后，或 12 学年以前），如补录历史成绩
        #[arg(long)]
        force: bool,
        /// 测试日期（YYYY-MM-DD），用于没有“测试日期”/test_date 的行
        #[arg(long)]
        test_date: Option<String>,
        /// 记录为导入人
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
