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
    /// 不用数据库，给一个 CSV/XLSX 体测成绩文件评分（国家学生体质健康标准）
    ///
    /// 可读国家数据上报模板（年级编号、性别 1/2、身高、体重、50米跑……）或代码列名格式
    /// （grade、sex、height_cm、weight_kg、run_50m……，时间以秒计）。输出原有各列，再加
    /// BMI、各项得分、附加分、标准分、学年总分、等级、状态和每行的中文说明。
    /// 只要文件能读，退出码就是 0。
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
