//! `wuyu analytics …`: stateless exam statistics for analysts and scripts (issue 4).
//!
//! Each command reads one table (CSV in UTF-8, GB18030 or UTF-16 as Excel writes it, or the
//! first visible worksheet of an XLSX), calls `wuyu_analytics`, and prints one JSON object to
//! stdout. Notes for people (rows excluded, match rates, what a model's number means) go to
//! stderr. Bad input is a Chinese error naming the file, row, column and value; the exit code
//! is then non-zero and nothing is printed to stdout.
//!
//! * [`items`]: classical item analysis and reliability (spec §3);
//! * [`value_added`]: gain, standard-score gain, OLS residual, OLS + DerSimonian–Laird, and the
//!   random-intercept model by ML/REML (spec §4.2 M1, M2, M4, M6, M5);
//! * [`shrink`]: DerSimonian–Laird or James–Stein shrinkage of given unit estimates (§4.2 M6);
//! * [`satisfaction`]: survey indices of 5-point satisfaction items (§7, issue 15).
//!
//! The JSON field names are the contract of issues 4 and 15 and are tested key by key in
//! `tests/analytics_cli.rs` and `tests/satisfaction_cli.rs`.
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::anyhow;
use clap::{Args, Subcommand};
use wuyu_analytics::AnalyticsError;

pub(crate) mod input;
mod items;
mod satisfaction;
mod shrink;
mod value_added;

pub use items::TieRuleArg;
pub use shrink::ShrinkMethodArg;
pub use value_added::ModelArg;

#[derive(Subcommand)]
pub enum AnalyticsCommand {
    /// 一份试卷的题目分析：难度、区分度、题总相关、α 系数、KR-20/21、测量标准误
    ///
    /// 输入文件每行一名学生，每道题一个数值列（除 --id 外的所有列）。空格表示未作答，
    /// 记 0 分（规范 §3.1）；各题都为空的行视为未参加该卷的学生，不计入（在标准错误中
    /// 说明）。难度为得分率 P = 平均分 / 满分（越高越容易）；区分度为
    /// D = P(高分组 27 %) − P(低分组 27 %)。
    ///
    /// 输出：{n, k, mean, sd, alpha, kr20, kr21, sem, items: [{item, difficulty,
    /// discrimination, point_biserial, corrected_item_total, alpha_if_deleted}]}；统计量无
    /// 定义时为 null（kr20/kr21 仅在各题都是 0/1 计分时有值；全体得分相同的题没有相关；
    /// 少于 3 题时没有 alpha_if_deleted；α < 0 时没有 sem）。
    #[command(after_long_help = ITEMS_EXAMPLE)]
    Items(ItemsArgs),

    /// 增值评价：由出口成绩和入口成绩计算各组（学校、班级、教师）的增值
    ///
    /// 输入文件每行一名学生。只使用出口成绩和各项入口成绩都齐全的学生（规范 §4.1）；
    /// 其余学生的人数在标准错误中说明，某组匹配率低于 85 % 时也一并说明。人数少于
    /// --min-compute 的组不给任何数字；少于 --min-classify 的组不做高于/低于判定（§4.3）。
    ///
    /// 输出：{model, n, coefficients, sigma2, tau2, groups: [{group, n, estimate, se, ci_low,
    /// ci_high, shrunken, lambda, class, suppressed}]}，需要说明时另有 "message"（如组间方差
    /// 为 0 时说明“不宜排名”）。模型不产生的字段为 null。class 依 95 % 区间取 "above" /
    /// "below" / "ns"（未判定时为 null）。coefficients 为 [{name, estimate, se}]。dl/ml/reml
    /// 模型的 se 和区间对应收缩后的估计。
    #[command(name = "value-added", after_long_help = VA_EXAMPLE)]
    ValueAdded(ValueAddedArgs),

    /// 经验贝叶斯收缩：对已有的各单位估计值及其标准误做收缩（DerSimonian–Laird 或 James–Stein）
    ///
    /// 输入文件每行一个单位，含估计值和标准误（> 0）。dl 按 DerSimonian–Laird 估计 τ²，向
    /// 精度加权均值收缩；js 为围绕简单均值的 James–Stein 收缩，要求各单位标准误相同且至少
    /// 4 个单位。τ² = 0 时所有单位都收缩到合并均值，rankable 为 false，"message" 说明不宜排名。
    ///
    /// 输出：{method, pooled_mean, pooled_se, q, tau2, rankable, groups: [{group, estimate,
    /// se, shrunken, lambda}]}，需要说明时另有 "message"。q 为 Cochran Q 统计量；lambda 为
    /// 收缩系数 τ²/(τ² + se²)。不给 --group 时以行号命名各单位。
    #[command(after_long_help = SHRINK_EXAMPLE)]
    Shrink(ShrinkArgs),

    /// 满意度调查统计：纸质问卷或其他平台导出的五级量表答案（满意率、置信区间、满意度指数）
    ///
    /// 输入文件每行一份问卷，每个 --item 列一道题。答案写作 非常满意（5）、满意（4）、
    /// 基本满意或一般（3）、不满意（2）、非常不满意（1）、不了解或不清楚，也可写 1–5；空格
    /// 表示未答。n 只计有效答案（不含“不了解”和空白，规范 §7.1）。满意率为“非常满意 +
    /// 满意”占 n 的比例，附 Wilson 95 % 置信区间；top3_rate 为含“基本满意”的满意率（部分
    /// 政府调查的口径，引用时须注明）；index 为满意度指数 100·(均值 − 1)/4。有效答案少于
    /// --min-n 的组不报告（数字为 null，suppressed 为 true）；少于 5 人的组无论如何都不报告。
    ///
    /// 输出：{items: [{item, groups: [{group, n, top2_rate, ci_low, ci_high, top3_rate, mean,
    /// index, unknown_share, suppressed}]}]}，比率为小数（0.7692 即 76.92 %）；unknown_share =
    /// 不了解 / (n + 不了解)。不给 --group 时只有一个组“全部”；各组按名称排序。
    #[command(after_long_help = SATISFACTION_EXAMPLE)]
    Satisfaction(SatisfactionArgs),
}

const ITEMS_EXAMPLE: &str = "\
示例：
  wuyu analytics items 期中数学小题分.csv --id 学籍号 --full-marks 1,1,1,2,4,6
  （各列为 学籍号、Q1、Q2……；每行一名学生）";

const VA_EXAMPLE: &str = "\
示例：
  wuyu analytics value-added 中考.csv --outcome 中考数学 --prior 入学数学 --group 学校 --model reml
  wuyu analytics value-added exam.xlsx --outcome y --prior x1 --prior x2 --group class --model dl --min-classify 20";

const SHRINK_EXAMPLE: &str = "\
示例：
  wuyu analytics shrink 学校增值.csv --estimate 增值 --se 标准误 --group 学校 --method dl
  （各列为 学校、增值、标准误；每行一所学校）";

const SATISFACTION_EXAMPLE: &str = "\
示例：
  wuyu analytics satisfaction 家长问卷.xlsx --item 总体满意 --item 课后服务 --group 学校
  wuyu analytics satisfaction 师德互评.csv --item 师德 --group 教师 --min-n 10
  （每行一份问卷；家长调查每组至少 30 份有效答案才报告，教师互评用 --min-n 10）";

#[derive(Args)]
pub struct SatisfactionArgs {
    /// CSV（UTF-8、GB18030 或 UTF-16 编码）或 XLSX 文件，每行一份问卷，第一行为表头
    pub input: PathBuf,
    /// 一道满意度题所在的列；多道题就重复给出
    #[arg(long, value_name = "COL", required = true)]
    pub item: Vec<String>,
    /// 分组（学校、学段、城乡、班级……）所在的列；不给时整个文件为一组
    #[arg(long, value_name = "COL")]
    pub group: Option<String>,
    /// 一个组至少多少份有效答案才报告（家长 30，教师 10；低于 5 时按 5）
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub min_n: usize,
}

#[derive(Args)]
pub struct ItemsArgs {
    /// CSV（UTF-8、GB18030 或 UTF-16 编码）或 XLSX 文件，第一行为表头
    pub input: PathBuf,
    /// 学生标识所在的列（不算题目）；不给时每一列都是题目
    #[arg(long, value_name = "COL")]
    pub id: Option<String>,
    /// 在 27 % 分组边界上同分的学生如何计入：fractional（同分者分摊剩余名额，规范默认）
    /// 或 inclusive（同分者全部计入该组）
    #[arg(long, value_enum, default_value_t = TieRuleArg::Fractional)]
    pub tie_rule: TieRuleArg,
    /// 各题满分：一个数表示每题相同，或按列的顺序用逗号分隔给出每题满分。默认取文件中
    /// 每题的最高分（至少 1），对 0/1 计分题正确，但可能低估主观题的满分
    #[arg(long, value_name = "MARKS", value_delimiter = ',')]
    pub full_marks: Vec<f64>,
}

#[derive(Args)]
pub struct ValueAddedArgs {
    /// CSV（UTF-8、GB18030 或 UTF-16 编码）或 XLSX 文件，每行一名学生，第一行为表头
    pub input: PathBuf,
    /// 本次（出口）成绩所在的列
    #[arg(long, value_name = "COL")]
    pub outcome: String,
    /// 入口成绩所在的列；多个入口成绩就重复给出（gain 和 standard 模型只能有一个）
    #[arg(long, value_name = "COL", required = true)]
    pub prior: Vec<String>,
    /// 学生所属组（学校、班级或教师）所在的列
    #[arg(long, value_name = "COL")]
    pub group: String,
    /// 增值模型（规范 §4.2）；gain 只在两次考试分数尺度相同时有意义
    #[arg(long, value_enum)]
    pub model: ModelArg,
    /// 一个组至少多少名学生才给出数字（人数更少的组不公布）
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub min_compute: usize,
    /// 一个组至少多少名学生才判定高于 / 低于 / 无显著差异（学校 30；规范对班级和教师用 20）
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub min_classify: usize,
}

#[derive(Args)]
pub struct ShrinkArgs {
    /// CSV（UTF-8、GB18030 或 UTF-16 编码）或 XLSX 文件，每行一个单位，第一行为表头
    pub input: PathBuf,
    /// 各单位原始估计值所在的列
    #[arg(long, value_name = "COL")]
    pub estimate: String,
    /// 各单位标准误所在的列（须 > 0）
    #[arg(long, value_name = "COL")]
    pub se: String,
    /// 单位名称所在的列；不给时以行号命名
    #[arg(long, value_name = "COL")]
    pub group: Option<String>,
    /// 收缩方法（规范 §4.2 M6）
    #[arg(long, value_enum)]
    pub method: ShrinkMethodArg,
}

pub fn run(cmd: AnalyticsCommand) -> anyhow::Result<ExitCode> {
    let json = match cmd {
        AnalyticsCommand::Items(args) => items::run(&args)?,
        AnalyticsCommand::ValueAdded(args) => value_added::run(&args)?,
        AnalyticsCommand::Shrink(args) => shrink::run(&args)?,
        AnalyticsCommand::Satisfaction(args) => satisfaction::run(&args)?,
    };
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{json}").and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // `wuyu analytics … | head` closing the pipe early is not an error of ours.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(anyhow!("无法写出结果：{e}")),
    }
}

/// Pretty JSON of a result (non-finite numbers become null).
fn to_json<T: serde::Serialize>(value: &T) -> anyhow::Result<String> {
    serde_json::to_string_pretty(value).map_err(|e| anyhow!("无法生成 JSON：{e}"))
}

/// A Chinese message for an error of the statistics themselves (after the input was read).
fn analytics_error(place: &str, e: AnalyticsError) -> anyhow::Error {
    let why = match &e {
        AnalyticsError::Empty { what } => format!("没有可用的数据（{what}）"),
        AnalyticsError::TooFew { what, needed, got } => {
            format!("数据太少：{what} 至少需要 {needed} 个，实际只有 {got} 个")
        }
        AnalyticsError::LengthMismatch { .. } => format!("内部错误：{e}"),
        AnalyticsError::ZeroVariance { what } => {
            format!("所有值都相同，方差为 0，无法计算（{what}）")
        }
        AnalyticsError::InvalidValue { what, value } => format!("数值无效：{what} = {value}"),
        AnalyticsError::EmptyGroup { group } => format!("单位“{group}”没有数据"),
        AnalyticsError::Singular { what } => {
            format!("无法拟合回归：入口成绩列之间完全相关或某列是常数（{what}）")
        }
        AnalyticsError::Inconsistent { what } => format!("数据不一致：{what}"),
    };
    anyhow!("{place}：{why}")
}
