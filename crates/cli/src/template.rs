//! `wuyu template <what>`: one line per capability; each capability's module owns its template
//! subcommands (flattened here, so the command line is unchanged).
use std::process::ExitCode;

use clap::Subcommand;

#[derive(Subcommand)]
pub enum TemplateCommand {
    #[command(flatten)]
    Roster(crate::roster::Template),
    #[command(flatten)]
    Exam(crate::exam::Template),
    #[command(flatten)]
    Archive(crate::archive::Template),
}

pub async fn run(cmd: TemplateCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        TemplateCommand::Roster(c) => crate::roster::template(c).await,
        TemplateCommand::Exam(c) => crate::exam::template(c).await,
        TemplateCommand::Archive(c) => crate::archive::template(c).await,
    }
}
