//! The roster capability on the command line: `wuyu import roster` (read, validate, then import
//! in one transaction; any error — in the file or against the database — is printed row by row
//! and nothing is written) and `wuyu template roster`.
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use wuyu_domain::SchoolCode;
use wuyu_service::import::ImportActor;
use wuyu_service::roster::import_roster;

use crate::progress::step;
use crate::upload::{failure, finish, read_upload, service};

/// `wuyu import roster`.
#[derive(Subcommand)]
pub enum Import {
    /// 花名册：学校、班级、学生、教师和任课（CSV，UTF-8 或 GB18030 编码；或 XLSX）
    Roster {
        /// 要导入的花名册文件
        file: PathBuf,
        /// 数据库：SQLite 文件路径或 postgres://… 地址
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 表中没有“学校代码”列时使用的学校代码
        #[arg(long)]
        school: Option<String>,
        /// 记录为导入人
        #[arg(long, default_value = "cli", env = "USER")]
        user: String,
    },
}

/// `wuyu template roster`.
#[derive(Subcommand)]
pub enum Template {
    /// The roster template: 学校, 班级, 学生, 教师, 任课 sheets with notes and validation.
    Roster {
        /// 输出的 XLSX 文件
        #[arg(short, long, default_value = "wuyu-roster-template.xlsx")]
        output: PathBuf,
    },
}

pub async fn import(cmd: Import) -> anyhow::Result<ExitCode> {
    let Import::Roster {
        file,
        db,
        school,
        user,
    } = cmd;
    let file = read_upload(&file)?;
    let default_school = school
        .as_deref()
        .map(SchoolCode::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--school：{e}"))?;
    let svc = service(&db).await?;
    let outcome = step(
        "读取、校验并写入数据库",
        import_roster(&svc, &ImportActor::Operator(user), &file, default_school),
    )
    .await
    .map_err(failure)?;
    if let Some(enc) = outcome.notes().encoding {
        eprintln!("文件编码：{enc}");
    }
    Ok(finish(&outcome, |s| {
        println!(
            "导入成功（第 {} 次导入）：学校 新增 {} 更新 {}；班级 新增 {}；学生 新增 {} 更新 {}；教师 新增 {} 更新 {}；任课 {} 条",
            s.import_id,
            s.schools_added,
            s.schools_updated,
            s.classes_added,
            s.students_added,
            s.students_updated,
            s.teachers_added,
            s.teachers_updated,
            s.assignments_written
        );
    }))
}

pub async fn template(cmd: Template) -> anyhow::Result<ExitCode> {
    let Template::Roster { output } = cmd;
    let bytes = wuyu_ingest::write_roster_template()?;
    std::fs::write(&output, bytes).with_context(|| format!("写入 {} 失败", output.display()))?;
    println!("已生成花名册模板：{}", output.display());
    Ok(ExitCode::SUCCESS)
}
