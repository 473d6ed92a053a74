//! `wuyu settings`: the district's settings — show what is in effect, set one with its value
//! checked first (a bad value is refused, never stored).
use std::process::ExitCode;

use anyhow::bail;
use clap::Subcommand;
use wuyu_store::{ExamSettings, FitnessTargets, Store};

#[derive(Subcommand)]
pub enum SettingsCommand {
    /// 打印当前生效的全部设置（已保存的，或默认值）
    Show {
        /// 数据库：SQLite 文件路径或 postgres://… 地址
        #[arg(long, env = "WUYU_DB")]
        db: String,
    },
    /// 修改一项设置：
    ///   hide_ranks       true | false（对所有角色隐藏一切排名）
    ///   fitness_targets  JSON，如 {"excellent_rate": 0.30, "myopia_rate_max": 0.50}
    ///   exam_settings    JSON（lines、absent_policy、borderline_points、va_min_n、
    ///                    parallel_rule；未给出的字段保持默认）；改后运行
    ///                    wuyu exam recompute 重新计算各次考试
    #[command(verbatim_doc_comment)]
    Set {
        /// 数据库：SQLite 文件路径或 postgres://… 地址
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 设置项名称
        key: String,
        /// 新的值
        value: String,
    },
}

const KEYS: [&str; 3] = ["hide_ranks", FitnessTargets::KEY, ExamSettings::KEY];

/// The value to store for `key`, normalised (JSON with every field, so `show` prints what is
/// in effect), or why it cannot be stored.
fn checked(key: &str, value: &str) -> anyhow::Result<String> {
    match key {
        "hide_ranks" => match value.trim() {
            "true" | "false" => Ok(value.trim().to_string()),
            v => bail!("hide_ranks 应为 true 或 false，而不是“{v}”"),
        },
        FitnessTargets::KEY => {
            let t: FitnessTargets = serde_json::from_str(value)
                .map_err(|e| anyhow::anyhow!("fitness_targets 不是有效的 JSON 设置：{e}"))?;
            if !t.is_valid() {
                bail!("fitness_targets 的目标应是 0 到 1 之间的比例（如 0.30 表示 30%）");
            }
            Ok(serde_json::to_string(&t)?)
        }
        ExamSettings::KEY => {
            let s: ExamSettings = serde_json::from_str(value)
                .map_err(|e| anyhow::anyhow!("exam_settings 不是有效的 JSON 设置：{e}"))?;
            // Fields left out take their defaults, so a misspelt one would be ignored
            // silently: refuse names the settings do not have.
            let known = serde_json::to_value(ExamSettings::default())?;
            if let (Some(given), Some(known)) = (
                serde_json::from_str::<serde_json::Value>(value)?.as_object(),
                known.as_object(),
            ) && let Some(bad) = given.keys().find(|k| !known.contains_key(*k))
            {
                bail!(
                    "exam_settings 没有“{bad}”这一项；可设置：{}",
                    known.keys().cloned().collect::<Vec<_>>().join("、")
                );
            }
            Ok(serde_json::to_string(&s)?)
        }
        other => bail!("没有名为“{other}”的设置；可设置：{}", KEYS.join("、")),
    }
}

async fn show(store: &dyn Store) -> anyhow::Result<()> {
    let hide = store.setting("hide_ranks").await?;
    println!("hide_ranks = {}", hide.as_deref().unwrap_or("false"));
    let targets = match store.setting(FitnessTargets::KEY).await? {
        Some(v) => v,
        None => serde_json::to_string(&FitnessTargets::default())?,
    };
    println!("{} = {targets}", FitnessTargets::KEY);
    let exam = store.exam_settings().await?;
    println!("{} = {}", ExamSettings::KEY, serde_json::to_string(&exam)?);
    Ok(())
}

pub async fn run(cmd: SettingsCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        SettingsCommand::Show { db } => {
            let store = crate::open_store(&db).await?;
            show(store.as_ref()).await?;
        }
        SettingsCommand::Set { db, key, value } => {
            let value = checked(key.trim(), &value)?;
            let store = crate::open_store(&db).await?;
            store.set_setting(key.trim(), &value).await?;
            println!("已设置 {} = {value}", key.trim());
            if key.trim() == ExamSettings::KEY {
                println!("提示：已有考试的统计需重新计算：wuyu exam recompute --db … --exam ID");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
