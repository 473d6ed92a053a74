//! `wuyu export <what>`: one line per capability; each capability's module owns its export
//! subcommands (flattened here, so the command line is unchanged).
use std::process::ExitCode;

use clap::Subcommand;

#[derive(Subcommand)]
pub enum ExportCommand {
    #[command(flatten)]
    Fitness(crate::fitness::Export),
    #[command(flatten)]
    Plan(crate::plan::Export),
}

pub async fn run(cmd: ExportCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ExportCommand::Fitness(c) => crate::fitness::export(c).await,
        ExportCommand::Plan(c) => crate::plan::export(c).await,
    }
}
