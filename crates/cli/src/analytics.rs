//! `wuyu analytics …`: placeholder until the stateless commands land (issue 4).
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum AnalyticsCommand {}

pub fn run(cmd: AnalyticsCommand) -> anyhow::Result<ExitCode> {
    match cmd {}
}
