//! `wuyu archive …`: import activity records (写实记录) and art assessments (艺术素质测评) of one
//! school; `wuyu template archive-records | archive-art`: their blank templates; `wuyu report
//! cards`: the report cards (综合素质评价报告) of a class or a school as one PDF for printing.
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use wuyu_domain::Term;
use wuyu_ingest::archive::{ART_COLUMNS, RECORD_COLUMNS, write_archive_template};
use wuyu_service::ServiceError;
use wuyu_service::file::UploadedFile;

use crate::upload::{failure, print_errors, service};

#[derive(Subcommand)]
pub enum ArchiveCommand {
    /// 导入一所学校一个学期的写实记录（CSV 或 XLSX；任一行有错则整份文件不导入）
    ImportRecords(ImportArgs),
    /// 导入一所学校一个学年的艺术素质测评（基础、学业、发展指标；等级在写入时计算）
    ImportArt(ImportArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    /// 数据库：SQLite 文件路径 / sqlite:// URL，或 postgres://…
    #[arg(long, env = "WUYU_DB")]
    db: String,
    /// 学校代码
    #[arg(long)]
    school: String,
    /// 学期（写实记录），如 2025-autumn、2025年秋季学期；艺术测评取其学年
    #[arg(long)]
    term: String,
    /// 文件（.csv 或 .xlsx）
    file: PathBuf,
}

/// `wuyu report …`.
#[derive(Subcommand)]
pub enum ReportCommand {
    /// 综合素质评价报告：一个班（--class）或全校每名学生一份，写进一个 PDF 文件，便于批量打印
    Cards {
        /// 数据库：SQLite 文件路径 / sqlite:// URL，或 postgres://…
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 学校代码
        #[arg(long)]
        school: String,
        /// 班级，如 七年级1班（不写则为全校）
        #[arg(long)]
        class: Option<String>,
        /// 输出文件（.pdf）
        #[arg(short, long)]
        output: PathBuf,
    },
}

pub async fn report(cmd: ReportCommand) -> anyhow::Result<ExitCode> {
    let ReportCommand::Cards {
        db,
        school,
        class,
        output,
    } = cmd;
    let svc = service(&db).await?;
    let viewer = crate::accounts::operator();
    let school_id = svc
        .store()
        .school_by_code(school.trim())
        .await?
        .with_context(|| format!("学校代码 {school} 不存在"))?;
    let class_id = match class.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => {
            let classes = svc.store().list_classes(&viewer.scope, school_id).await?;
            // The full label (七年级1班) or the class name alone when only one class has it.
            let full: Vec<_> = classes
                .iter()
                .filter(|c| format!("{}{}", c.class.grade.label_zh(), c.class.name) == name)
                .collect();
            let bare: Vec<_> = classes.iter().filter(|c| c.class.name == name).collect();
            match (full.as_slice(), bare.as_slice()) {
                ([one], _) | ([], [one]) => Some(one.class.id),
                ([], []) => anyhow::bail!("学校 {school} 没有班级“{name}”"),
                _ => anyhow::bail!("班级“{name}”不止一个，请写全年级，如 七年级{name}"),
            }
        }
    };
    let who = wuyu_service::audit::Requester::operator(&whoami());
    let bytes = match wuyu_service::archive::class_report_cards_pdf(
        &svc, &viewer, &who, school_id, class_id,
    )
    .await
    {
        Ok(b) => b,
        Err(ServiceError::NotFound) => anyhow::bail!("没有可打印的学生"),
        Err(e) => return Err(failure(e)),
    };
    std::fs::write(&output, bytes).with_context(|| format!("写入 {} 失败", output.display()))?;
    println!("已生成综合素质评价报告：{}", output.display());
    Ok(ExitCode::SUCCESS)
}

/// `wuyu template archive-records | archive-art`.
#[derive(Subcommand)]
pub enum Template {
    /// 写实记录导入模板（学籍号、类别、日期、时长、活动内容等）
    ArchiveRecords {
        /// 输出文件（.xlsx）
        #[arg(short, long)]
        output: PathBuf,
    },
    /// 艺术素质测评导入模板（学籍号、基础指标、学业指标、发展指标）
    ArchiveArt {
        #[arg(short, long)]
        output: PathBuf,
    },
}

pub async fn template(cmd: Template) -> anyhow::Result<ExitCode> {
    let (bytes, output) = match cmd {
        Template::ArchiveRecords { output } => {
            (write_archive_template("写实记录", &RECORD_COLUMNS)?, output)
        }
        Template::ArchiveArt { output } => (
            write_archive_template("艺术素质测评", &ART_COLUMNS)?,
            output,
        ),
    };
    std::fs::write(&output, bytes).with_context(|| format!("写入 {} 失败", output.display()))?;
    println!("已生成导入模板：{}", output.display());
    Ok(ExitCode::SUCCESS)
}

pub async fn run(cmd: ArchiveCommand) -> anyhow::Result<ExitCode> {
    let (art, a) = match cmd {
        ArchiveCommand::ImportRecords(a) => (false, a),
        ArchiveCommand::ImportArt(a) => (true, a),
    };
    let svc = service(&a.db).await?;
    let school = svc
        .store()
        .school_by_code(a.school.trim())
        .await?
        .with_context(|| format!("学校代码 {} 不存在", a.school))?;
    let term = Term::parse_code(&a.term).map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let bytes =
        std::fs::read(&a.file).with_context(|| format!("读取 {} 失败", a.file.display()))?;
    let name = a.file.file_name().map_or_else(
        || a.file.display().to_string(),
        |n| n.to_string_lossy().into(),
    );
    let file = UploadedFile::new(name, bytes);
    let viewer = crate::accounts::operator();
    let who = whoami();
    let done = if art {
        wuyu_service::archive::import_art(
            &svc,
            &viewer,
            &who,
            school,
            i32::from(term.school_year),
            &file,
        )
        .await
    } else {
        wuyu_service::archive::import_activities(&svc, &viewer, &who, school, term, &file).await
    };
    match done {
        Ok(s) => {
            println!(
                "已导入 {} 条{}（导入批次 {}）",
                s.written,
                if art {
                    "艺术素质测评"
                } else {
                    "写实记录（待班主任审核）"
                },
                s.import_id
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(ServiceError::Rejected(errors)) => {
            print_errors(&errors);
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(failure(e)),
    }
}

fn whoami() -> String {
    std::env::var("USER").unwrap_or_else(|_| "operator".into())
}
