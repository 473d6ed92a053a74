//! `wuyu settings`: the district's settings — show what is in effect, set one with its value
//! checked first (a bad value is refused, never stored).
use std::process::ExitCode;

use clap::Subcommand;
use wuyu_store::settings::district;
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
    ///   hide_ranks          true | false（对所有角色隐藏一切排名）
    ///   show_student_ranks  true | false（向有排名权限的内部角色显示学生名次；
    ///                       默认 false，家长始终看不到）
    ///   fitness_targets     JSON，如 {"excellent_rate": 0.30, "myopia_rate_max": 0.50}
    ///   exam_settings       JSON（lines、absent_policy、borderline_points、va_min_n、
    ///                       parallel_rule；未给出的字段保持默认）；改后运行
    ///                       wuyu exam recompute 重新计算各次考试
    ///   volunteer_star_hours  志愿服务一至五星所需时长（小时，逐级递增），
    ///                       默认 100,300,600,1000,1500
    ///   training_cycle_hours  教师每个五年继续教育周期应完成的培训学时，默认 360
    ///   appraisal_weights   教师年度考核得分各来源的权重（JSON，合计 1，未给出的为 0），
    ///                       默认 {"org":0.5,"peer":0.3,"parent":0.2,"teaching":0,"workload":0}
    ///                       （组织评价、同事互评、家长学生评价、教学成绩、工作量）
    ///   appraisal_teaching  教学成绩来源：parallel（平行班比较，默认）| value_added
    ///                       （教师增值评价，至少两个学年、20 名学生，换算为区内百分等级）
    ///   psych_level_rules   心理筛查关注等级门槛（JSON，未给出的保持默认），默认
    ///                       {"crisis_phq_item9":2,"focus_phq_item9":1,"focus_phq_total":15,
    ///                        "focus_gad_total":15,"general_phq_total":10,"general_gad_total":10,
    ///                        "scale_levels":[]}；scale_levels 让区级量表的区间提高关注等级，
    ///                       如 [{"scale":"xxyl_demo","subscale":"total","band":"较高","level":1}]
    ///                       （量表须已载入，区间须在某一已载入版本中存在）
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

/// The value to store for `key`, normalised, or why it cannot be stored: the store's rules
/// (`wuyu_store::settings::district::checked`), so the CLI and the pages refuse the same.
fn checked(key: &str, value: &str) -> anyhow::Result<String> {
    district::checked(key, value).map_err(anyhow::Error::msg)
}

async fn show(store: &dyn Store) -> anyhow::Result<()> {
    for key in [district::HIDE_RANKS, district::SHOW_STUDENT_RANKS] {
        let v = store.setting(key).await?;
        println!("{key} = {}", v.as_deref().unwrap_or("false"));
    }
    let targets = match store.setting(FitnessTargets::KEY).await? {
        Some(v) => v,
        None => serde_json::to_string(&FitnessTargets::default())?,
    };
    println!("{} = {targets}", FitnessTargets::KEY);
    let exam = store.exam_settings().await?;
    println!("{} = {}", ExamSettings::KEY, serde_json::to_string(&exam)?);
    let all = store.district_settings().await?;
    println!(
        "{} = {}",
        district::APPRAISAL_WEIGHTS,
        serde_json::to_string(&all.appraisal_weights)?
    );
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
            if key.trim() == district::PSYCH_LEVEL_RULES {
                // Mappings must name a loaded scale's subscale and band, as on the page.
                let rules = district::level_rules(&value).map_err(anyhow::Error::msg)?;
                wuyu_service::psych::check_scale_levels(store.as_ref(), &rules)
                    .await
                    .map_err(|e| match e {
                        wuyu_service::ServiceError::BadRequest(m) => anyhow::Error::msg(m),
                        other => other.into(),
                    })?;
            }
            store.set_setting(key.trim(), &value).await?;
            println!("已设置 {} = {value}", key.trim());
            if key.trim() == ExamSettings::KEY {
                println!("提示：已有考试的统计需重新计算：wuyu exam recompute --db … --exam ID");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
