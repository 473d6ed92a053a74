//! The fitness capability on the command line: `wuyu fitness score` (the stateless scorer, no
//! database), `wuyu import fitness` and `wuyu export fitness`.
use std::process::ExitCode;

mod export;
mod import;
mod score;

pub use export::Export;
pub use import::Import;

#[derive(clap::Subcommand)]
pub enum FitnessCommand {
    /// Score a CSV/XLSX of fitness results (国家学生体质健康标准) without a database.
    ///
    /// Accepts the national upload template (年级编号, 性别 1/2, 身高, 体重, 50米跑, …) or the
    /// code-name layout (grade, sex, height_cm, weight_kg, run_50m, …; times in seconds). Writes
    /// the input columns plus BMI, item scores, bonuses, 标准分, 学年总分, 等级, status and a
    /// Chinese message per row. Exit code 0 whenever the file could be read.
    Score(score::ScoreArgs),
}

pub fn run(cmd: FitnessCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        FitnessCommand::Score(args) => score::score(&args),
    }
}

/// `wuyu import fitness`.
pub async fn import(cmd: Import) -> anyhow::Result<ExitCode> {
    import::run(cmd).await
}

/// `wuyu export fitness`.
pub async fn export(cmd: Export) -> anyhow::Result<ExitCode> {
    export::run(cmd).await
}
