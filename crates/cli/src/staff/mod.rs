//! The staff capability on the command line: `wuyu staff levels` (the stateless appraisal
//! levels tool for personnel offices, no database).
use std::process::ExitCode;

mod levels;

#[derive(clap::Subcommand)]
pub enum StaffCommand {
    /// 不用数据库，按考核规定给一个 CSV/XLSX 文件中的教师定年度考核等次
    ///
    /// 每行一名教师，列为 学校、单位考核结果、工号、考核得分、组织评价得分、初任月数、
    /// 病事假天数、立案调查、师德违规、处分（也可用代码列名 school、unit_rating、staff_no、
    /// score、org_score、first_job_months、leave_days、under_investigation、
    /// ethics_violation、sanction）。按规定的顺序：先排除不定等次的（立案调查→暂缓，初任
    /// 不满 6 个月→只写评语，病事假满 183 天→不定等次），再定不合格/基本合格（师德违规、
    /// 处分、得分低于 50/60），再在 优秀 名额（一般 20 %、记功 25 %、问责 15 %，向下取整）
    /// 内按得分、组织评价得分排序；名额边界上同分的标为“需集体研究”；名额为 0 的小学校
    /// 由区统筹。输出原有各列，再加 考核等次、参加定等人数、优秀名额、名额统筹、统筹人数、
    /// 统筹名额、集体研究名额。任何一行有错就不输出结果，并列出所有错误。
    #[command(after_long_help = LEVELS_EXAMPLE)]
    Levels(levels::LevelsArgs),
}

const LEVELS_EXAMPLE: &str = "\
示例：
  wuyu staff levels 2024年度考核.xlsx -o 2024年度考核等次.xlsx
  wuyu staff levels appraisal.csv -o levels.csv --columns code";

pub fn run(cmd: StaffCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        StaffCommand::Levels(args) => levels::run(&args),
    }
}
