//! `wuyu import <what>`: one line per capability; each capability's module owns its
//! subcommands (flattened here, so the command line is unchanged) and its import.
use std::process::ExitCode;

use clap::Subcommand;
use wuyu_domain::RowError;

#[derive(Subcommand)]
pub enum ImportCommand {
    #[command(flatten)]
    Roster(crate::roster::Import),
    #[command(flatten)]
    Fitness(crate::fitness::Import),
    #[command(flatten)]
    Exam(crate::exam::Import),
}

pub async fn run(cmd: ImportCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ImportCommand::Roster(c) => crate::roster::import(c).await,
        ImportCommand::Fitness(c) => crate::fitness::import(c).await,
        ImportCommand::Exam(c) => crate::exam::import(c).await,
    }
}

/// Prints a rejected import's row errors (the first 200) on stderr.
pub(crate) fn print_errors(errors: &[RowError]) {
    eprintln!(
        "导入被拒绝，数据库未作任何修改。共 {} 处错误：",
        errors.len()
    );
    for e in errors.iter().take(200) {
        eprintln!("  {e}");
    }
    if errors.len() > 200 {
        eprintln!("  ……其余 {} 处错误未列出", errors.len() - 200);
    }
}
