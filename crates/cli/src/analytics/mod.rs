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
//! * [`shrink`]: DerSimonian–Laird or James–Stein shrinkage of given unit estimates (§4.2 M6).
//!
//! The JSON field names are the contract of issue 4 and are tested key by key in
//! `tests/analytics_cli.rs`.
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::anyhow;
use clap::{Args, Subcommand};
use wuyu_analytics::AnalyticsError;

mod input;
mod items;
mod shrink;
mod value_added;

pub use items::TieRuleArg;
pub use shrink::ShrinkMethodArg;
pub use value_added::ModelArg;

#[derive(Subcommand)]
pub enum AnalyticsCommand {
    /// Item analysis of one paper: difficulty, discrimination, item–total correlations, α, KR-20/21, SEM.
    ///
    /// INPUT has one row per student and one numeric column per item (every column except
    /// --id). A blank cell is an unanswered item and scores 0 (spec §3.1); a row whose item
    /// cells are all blank is a student who did not sit the paper and is left out (reported on
    /// stderr). Difficulty is the 得分率 P = mean / full marks (higher = easier); discrimination
    /// is D = P(upper 27 %) − P(lower 27 %).
    ///
    /// Output: {n, k, mean, sd, alpha, kr20, kr21, sem, items: [{item, difficulty,
    /// discrimination, point_biserial, corrected_item_total, alpha_if_deleted}]}; null where a
    /// statistic is undefined (kr20/kr21 unless every item is 0/1; correlations of an item
    /// everyone scored alike; alpha_if_deleted with fewer than 3 items; sem when α < 0).
    #[command(after_long_help = ITEMS_EXAMPLE)]
    Items(ItemsArgs),

    /// Value-added (增值评价) of groups (schools, classes, teachers) from an outcome and prior scores.
    ///
    /// INPUT has one row per student. Only students with the outcome and every prior are used
    /// (spec §4.1); the others are counted on stderr, with each group's match rate when it is
    /// below 85 %. Groups with fewer than --min-compute students are suppressed (no numbers);
    /// groups with fewer than --min-classify students get no class (§4.3).
    ///
    /// Output: {model, n, coefficients, sigma2, tau2, groups: [{group, n, estimate, se, ci_low,
    /// ci_high, shrunken, lambda, class, suppressed}]}, plus "message" when there is something
    /// to say (e.g. "do not rank" when the between-group variance is 0). Fields a model does not
    /// produce are null. class is "above" / "below" / "ns" from the 95 % interval (null when
    /// not classified). coefficients is [{name, estimate, se}]. For dl/ml/reml, se and the
    /// interval belong to the shrunken estimate.
    #[command(name = "value-added", after_long_help = VA_EXAMPLE)]
    ValueAdded(ValueAddedArgs),

    /// Empirical-Bayes shrinkage of given unit estimates with standard errors (DerSimonian–Laird or James–Stein).
    ///
    /// INPUT has one row per unit with an estimate and its standard error (> 0). dl shrinks
    /// toward the precision-weighted mean with τ² by DerSimonian–Laird; js is James–Stein around
    /// the plain mean and needs equal standard errors and at least 4 units. When τ² = 0 every
    /// unit collapses to the pooled mean, rankable is false and "message" says: do not rank.
    ///
    /// Output: {method, pooled_mean, pooled_se, q, tau2, rankable, groups: [{group, estimate,
    /// se, shrunken, lambda}]}, plus "message" when there is something to say. q is Cochran's
    /// Q; lambda is the shrinkage factor τ²/(τ² + se²). Without --group, units are named by
    /// their row number.
    #[command(after_long_help = SHRINK_EXAMPLE)]
    Shrink(ShrinkArgs),
}

const ITEMS_EXAMPLE: &str = "\
Example:
  wuyu analytics items 期中数学小题分.csv --id 学籍号 --full-marks 1,1,1,2,4,6
  (columns 学籍号, Q1, Q2, …; one row per student)";

const VA_EXAMPLE: &str = "\
Example:
  wuyu analytics value-added 中考.csv --outcome 中考数学 --prior 入学数学 --group 学校 --model reml
  wuyu analytics value-added exam.xlsx --outcome y --prior x1 --prior x2 --group class --model dl --min-classify 20";

const SHRINK_EXAMPLE: &str = "\
Example:
  wuyu analytics shrink 学校增值.csv --estimate 增值 --se 标准误 --group 学校 --method dl
  (columns 学校, 增值, 标准误; one row per school)";

#[derive(Args)]
pub struct ItemsArgs {
    /// CSV (UTF-8, GB18030 or UTF-16) or XLSX file; the first row is the header.
    pub input: PathBuf,
    /// Column with the student identifier; it is not an item. Without it every column is an item.
    #[arg(long, value_name = "COL")]
    pub id: Option<String>,
    /// How students tied at the 27 % group boundary count: fractional (tied students share the
    /// remaining places, the spec default) or inclusive (all tied students are in the group).
    #[arg(long, value_enum, default_value_t = TieRuleArg::Fractional)]
    pub tie_rule: TieRuleArg,
    /// Full marks per item: one number for every item, or one per item separated by commas, in
    /// column order. Default: each item's highest score in the file (at least 1), which is
    /// right for 0/1 items but may understate the full marks of constructed-response items.
    #[arg(long, value_name = "MARKS", value_delimiter = ',')]
    pub full_marks: Vec<f64>,
}

#[derive(Args)]
pub struct ValueAddedArgs {
    /// CSV (UTF-8, GB18030 or UTF-16) or XLSX file, one row per student; the first row is the header.
    pub input: PathBuf,
    /// Column with the current (出口) score.
    #[arg(long, value_name = "COL")]
    pub outcome: String,
    /// Column with a prior (入口) score; repeat for several priors (gain and standard take exactly one).
    #[arg(long, value_name = "COL", required = true)]
    pub prior: Vec<String>,
    /// Column with the group (school, class or teacher) each student belongs to.
    #[arg(long, value_name = "COL")]
    pub group: String,
    /// The value-added model (spec §4.2). gain is meaningful only when both exams share a scale.
    #[arg(long, value_enum)]
    pub model: ModelArg,
    /// Minimum students for a group to get any numbers (smaller groups are suppressed).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub min_compute: usize,
    /// Minimum students for a group to be classified above / below / ns (30 for schools; the
    /// spec uses 20 for classes and teachers).
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub min_classify: usize,
}

#[derive(Args)]
pub struct ShrinkArgs {
    /// CSV (UTF-8, GB18030 or UTF-16) or XLSX file, one row per unit; the first row is the header.
    pub input: PathBuf,
    /// Column with each unit's raw estimate.
    #[arg(long, value_name = "COL")]
    pub estimate: String,
    /// Column with each unit's standard error (must be > 0).
    #[arg(long, value_name = "COL")]
    pub se: String,
    /// Column with the unit's name; without it units are named by their row number.
    #[arg(long, value_name = "COL")]
    pub group: Option<String>,
    /// The shrinkage method (spec §4.2 M6).
    #[arg(long, value_enum)]
    pub method: ShrinkMethodArg,
}

pub fn run(cmd: AnalyticsCommand) -> anyhow::Result<ExitCode> {
    let json = match cmd {
        AnalyticsCommand::Items(args) => items::run(&args)?,
        AnalyticsCommand::ValueAdded(args) => value_added::run(&args)?,
        AnalyticsCommand::Shrink(args) => shrink::run(&args)?,
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
