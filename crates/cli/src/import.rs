//! `wuyu import <what>`: one line per capability; each capability's module owns its
//! subcommands (flattened here, so the command line is unchanged) and its import, using the
//! shared steps in [`crate::upload`].
use std::process::ExitCode;

use clap::Subcommand;

#[derive(Subcommand)]
pub enum ImportCommand {
    #[command(flatten)]
    Roster(crate::roster::Import),
    #[command(flatten)]
    Fitness(crate::fitness::Import),
    #[command(flatten)]
    Exam(crate::exam::Import),
    #[command(flatten)]
    Plan(crate::plan::Import),
}

pub async fn run(cmd: ImportCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ImportCommand::Roster(c) => crate::roster::import(c).await,
        ImportCommand::Fitness(c) => crate::fitness::import(c).await,
        ImportCommand::Exam(c) => crate::exam::import(c).await,
        ImportCommand::Plan(c) => crate::plan::import(c).await,
    }
}
