//! `wuyu fitness …`: placeholder until the stateless scorer lands (issue 3).
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum FitnessCommand {}

pub fn run(cmd: FitnessCommand) -> anyhow::Result<ExitCode> {
    match cmd {}
}
