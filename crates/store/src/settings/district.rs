//! The district's settings as one typed value: what each stored key means, its default, and
//! the rules a value must pass before it is stored (the rules `wuyu settings set` states).
use serde::Serialize;

use wuyu_analytics::appraisal::{AppraisalWeights, TeachingBasis};
use wuyu_domain::Tenths;
use wuyu_standards::archive::StarThresholds;
use wuyu_standards::scales::LevelRules;

use crate::exam::ExamSettings;
use crate::fitness::FitnessTargets;

/// The key of [`DistrictSettings::hide_ranks`].
pub const HIDE_RANKS: &str = "hide_ranks";

/// The key of [`DistrictSettings::show_student_ranks`].
pub const SHOW_STUDENT_RANKS: &str = "show_student_ranks";

/// The key of [`DistrictSettings::star_thresholds`]: volunteer hours for 一 to 五星, stored
/// as `100,300,600,1000,1500`.
pub const VOLUNTEER_STAR_HOURS: &str = "volunteer_star_hours";

/// The key of [`DistrictSettings::archive_publicity_days`]: working days of an archive 公示.
pub const ARCHIVE_PUBLICITY_DAYS: &str = "archive_publicity_days";

/// The key of [`DistrictSettings::training_cycle_hours`]: training hours each teacher owes
/// per five-year cycle.
pub const TRAINING_CYCLE_HOURS: &str = "training_cycle_hours";

/// The key of [`DistrictSettings::appraisal_weights`]: the weights of the appraisal score's
/// five sources, stored as JSON (`{"org":0.5,"peer":0.3,"parent":0.2,"teaching":0,"workload":0}`).
pub const APPRAISAL_WEIGHTS: &str = "appraisal_weights";

/// The key of [`DistrictSettings::appraisal_teaching`]: what the appraisal's teaching-result
/// source measures, `parallel` (default) or `value_added`.
pub const APPRAISAL_TEACHING: &str = "appraisal_teaching";

/// The key of [`DistrictSettings::psych_level_rules`]: the 关注等级 thresholds (modules.md §3),
/// stored as JSON.
pub const PSYCH_LEVEL_RULES: &str = "psych_level_rules";

/// Every setting key, in the order `wuyu settings show` prints them.
pub const KEYS: [&str; 10] = [
    HIDE_RANKS,
    SHOW_STUDENT_RANKS,
    FitnessTargets::KEY,
    ExamSettings::KEY,
    VOLUNTEER_STAR_HOURS,
    ARCHIVE_PUBLICITY_DAYS,
    TRAINING_CYCLE_HOURS,
    APPRAISAL_WEIGHTS,
    APPRAISAL_TEACHING,
    PSYCH_LEVEL_RULES,
];

/// Working days a class's semester archive stays in 公示 before it is signed off: at least
/// 5 (the default), at most 30.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PublicityDays(pub u32);

impl Default for PublicityDays {
    fn default() -> Self {
        PublicityDays(5)
    }
}

/// The days of `value`, or why not, in Chinese.
pub fn publicity_days(value: &str) -> Result<PublicityDays, String> {
    match value.trim().parse::<u32>() {
        Ok(d) if (5..=30).contains(&d) => Ok(PublicityDays(d)),
        _ => Err(format!(
            "综合素质档案公示期应为 5 到 30 个工作日，而不是“{}”",
            value.trim()
        )),
    }
}

/// Training hours a teacher owes per five-year cycle: 360 by default (modules.md §4, origin
/// unverified, hence a setting), 1 to 1000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CycleHours(pub u32);

impl Default for CycleHours {
    fn default() -> Self {
        CycleHours(360)
    }
}

/// The hours of `value`, or why not, in Chinese.
pub fn cycle_hours(value: &str) -> Result<CycleHours, String> {
    match value.trim().parse::<u32>() {
        Ok(h) if (1..=1000).contains(&h) => Ok(CycleHours(h)),
        _ => Err(format!(
            "教师培训每五年周期学时应为 1 到 1000 的整数，而不是“{}”",
            value.trim()
        )),
    }
}

/// Every district setting, each typed and defaulted.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct DistrictSettings {
    /// Hide every rank from every role (the plans forbid 考试排名).
    pub hide_ranks: bool,
    /// Show students' ranks (班级/年级名次) to the internal roles granted ranks. Off by
    /// default: the plans forbid 考试排名; parents never see them either way.
    pub show_student_ranks: bool,
    /// The plan's fitness targets.
    pub fitness_targets: FitnessTargets,
    /// Exam lines, absent policy, 临界生 window, value-added minimum, parallel-class rule.
    pub exam: ExamSettings,
    /// Volunteer service hours for 一 to 五星 (no national scheme since 2021: the district's).
    pub star_thresholds: StarThresholds,
    /// Working days of a class's archive 公示 (≥ 5).
    pub archive_publicity_days: PublicityDays,
    /// Training hours per teacher per five-year cycle.
    pub training_cycle_hours: CycleHours,
    /// Weights of the appraisal score's sources (组织, 同事互评, 家长学生, 教学成绩, 工作量).
    pub appraisal_weights: AppraisalWeights,
    /// What the teaching-result source measures: parallel-class comparison or value-added.
    pub appraisal_teaching: TeachingBasis,
    /// The thresholds of the psych screening's attention levels.
    pub psych_level_rules: LevelRules,
}

impl DistrictSettings {
    /// The settings from stored `(key, value)` pairs. A stored value that no longer passes its
    /// rule is ignored (the default applies) with a warning, as the pages always did: a bad
    /// row must not take the district's pages down.
    pub fn from_stored<'a>(stored: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut out = DistrictSettings::default();
        for (key, value) in stored {
            match (key, checked(key, value)) {
                (_, Err(e)) => tracing::warn!("setting {key} ignored: {e}"),
                (HIDE_RANKS, Ok(v)) => out.hide_ranks = v == "true",
                (SHOW_STUDENT_RANKS, Ok(v)) => out.show_student_ranks = v == "true",
                (FitnessTargets::KEY, Ok(v)) => {
                    if let Ok(t) = serde_json::from_str(&v) {
                        out.fitness_targets = t;
                    }
                }
                (ExamSettings::KEY, Ok(v)) => {
                    if let Ok(s) = serde_json::from_str(&v) {
                        out.exam = s;
                    }
                }
                (VOLUNTEER_STAR_HOURS, Ok(v)) => {
                    if let Ok(t) = star_hours(&v) {
                        out.star_thresholds = t;
                    }
                }
                (ARCHIVE_PUBLICITY_DAYS, Ok(v)) => {
                    if let Ok(d) = publicity_days(&v) {
                        out.archive_publicity_days = d;
                    }
                }
                (TRAINING_CYCLE_HOURS, Ok(v)) => {
                    if let Ok(h) = cycle_hours(&v) {
                        out.training_cycle_hours = h;
                    }
                }
                (APPRAISAL_WEIGHTS, Ok(v)) => {
                    if let Ok(w) = appraisal_weights(&v) {
                        out.appraisal_weights = w;
                    }
                }
                (PSYCH_LEVEL_RULES, Ok(v)) => {
                    if let Ok(r) = level_rules(&v) {
                        out.psych_level_rules = r;
                    }
                }
                (APPRAISAL_TEACHING, Ok(v)) => {
                    if let Ok(b) = teaching_basis(&v) {
                        out.appraisal_teaching = b;
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Every setting as the `(key, value)` pair it is stored under, each value checked.
    pub fn to_stored(&self) -> Result<Vec<(&'static str, String)>, String> {
        let pairs = [
            (HIDE_RANKS, self.hide_ranks.to_string()),
            (SHOW_STUDENT_RANKS, self.show_student_ranks.to_string()),
            (FitnessTargets::KEY, json(&self.fitness_targets)?),
            (ExamSettings::KEY, json(&self.exam)?),
            (VOLUNTEER_STAR_HOURS, star_hours_text(&self.star_thresholds)),
            (
                ARCHIVE_PUBLICITY_DAYS,
                self.archive_publicity_days.0.to_string(),
            ),
            (
                TRAINING_CYCLE_HOURS,
                self.training_cycle_hours.0.to_string(),
            ),
            (APPRAISAL_WEIGHTS, json(&self.appraisal_weights)?),
            (
                APPRAISAL_TEACHING,
                self.appraisal_teaching.code().to_string(),
            ),
            (PSYCH_LEVEL_RULES, json(&self.psych_level_rules)?),
        ];
        pairs
            .into_iter()
            .map(|(k, v)| checked(k, &v).map(|v| (k, v)))
            .collect()
    }
}

/// `100,300,600,1000,1500` (hours, at most one decimal each).
pub fn star_hours_text(t: &StarThresholds) -> String {
    t.0.iter()
        .map(|h| h.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Five hours, comma-separated (、 and ，too), positive and ascending; the Chinese reason
/// otherwise.
pub fn star_hours(value: &str) -> Result<StarThresholds, String> {
    let parts: Vec<&str> = value.split([',', '，', '、', '/']).map(str::trim).collect();
    if parts.len() != 5 {
        return Err(format!(
            "志愿服务星级时长应为 5 个逐级递增的小时数（如 100,300,600,1000,1500），而不是“{}”",
            value.trim()
        ));
    }
    let mut hours = [Tenths(0); 5];
    for (h, p) in hours.iter_mut().zip(&parts) {
        *h = Tenths::parse(p)
            .ok_or_else(|| format!("志愿服务星级时长“{p}”不是小时数（最多一位小数）"))?;
    }
    StarThresholds::new(hours)
}

/// The appraisal weights of `value` (JSON; a source left out weighs 0 — a misspelt name is
/// refused), each 0–1 and adding up to 1; the Chinese reason otherwise.
pub fn appraisal_weights(value: &str) -> Result<AppraisalWeights, String> {
    let zero = AppraisalWeights::from_array([0.0; 5]);
    let given: serde_json::Map<String, serde_json::Value> = serde_json::from_str(value)
        .map_err(|e| format!("appraisal_weights 不是有效的 JSON 设置：{e}"))?;
    let mut w = zero;
    for (k, v) in &given {
        let x = v
            .as_f64()
            .ok_or_else(|| format!("appraisal_weights 的“{k}”应为 0 到 1 的数，而不是 {v}"))?;
        match k.as_str() {
            "org" => w.org = x,
            "peer" => w.peer = x,
            "parent" => w.parent = x,
            "teaching" => w.teaching = x,
            "workload" => w.workload = x,
            other => {
                return Err(format!(
                    "appraisal_weights 没有“{other}”这一项；可设置：org（组织评价）、peer（同事互评）、parent（家长学生评价）、teaching（教学成绩）、workload（工作量）"
                ));
            }
        }
    }
    w.check()?;
    Ok(w)
}

/// The attention-level thresholds of `value` (JSON; a field left out keeps its default, a
/// misspelt one is refused), ordered and in range; the Chinese reason otherwise.
pub fn level_rules(value: &str) -> Result<LevelRules, String> {
    let given: serde_json::Map<String, serde_json::Value> = serde_json::from_str(value)
        .map_err(|e| format!("psych_level_rules 不是有效的 JSON 设置：{e}"))?;
    let mut all = serde_json::to_value(LevelRules::default()).map_err(|e| e.to_string())?;
    let known = all.as_object_mut().ok_or("psych_level_rules")?;
    for (k, v) in given {
        if !known.contains_key(&k) {
            return Err(format!(
                "psych_level_rules 没有“{k}”这一项；可设置：{}",
                known.keys().cloned().collect::<Vec<_>>().join("、")
            ));
        }
        known.insert(k, v);
    }
    let rules: LevelRules = serde_json::from_value(all)
        .map_err(|e| {
            format!(
                "psych_level_rules 的门槛应为整数，scale_levels 应为 [{{\"scale\":…,\"subscale\":…,\"band\":…,\"level\":1–3}}]：{e}"
            )
        })?;
    rules.validate().map_err(|e| e.to_string())?;
    Ok(rules)
}

/// The teaching-result basis of `value` (`parallel` or `value_added`), or why not, in Chinese.
pub fn teaching_basis(value: &str) -> Result<TeachingBasis, String> {
    TeachingBasis::from_code(value.trim()).ok_or_else(|| {
        format!(
            "教学成绩来源（appraisal_teaching）应为 parallel（平行班比较）或 value_added（增值评价），而不是“{}”",
            value.trim()
        )
    })
}

fn json<T: Serialize>(v: &T) -> Result<String, String> {
    serde_json::to_string(v).map_err(|e| e.to_string())
}

/// The value to store under `key`, normalised (JSON with every field), or why it cannot be
/// stored, in Chinese: unknown keys, `hide_ranks` other than true/false, fitness targets that
/// are not rates in 0–1, exam settings with unknown fields.
pub fn checked(key: &str, value: &str) -> Result<String, String> {
    match key {
        HIDE_RANKS | SHOW_STUDENT_RANKS => match value.trim() {
            "true" | "false" => Ok(value.trim().to_string()),
            v => Err(format!("{key} 应为 true 或 false，而不是“{v}”")),
        },
        FitnessTargets::KEY => {
            let t: FitnessTargets = serde_json::from_str(value)
                .map_err(|e| format!("fitness_targets 不是有效的 JSON 设置：{e}"))?;
            if !t.is_valid() {
                return Err(
                    "fitness_targets 的目标应是 0 到 1 之间的比例（如 0.30 表示 30%）".to_string(),
                );
            }
            json(&t)
        }
        ExamSettings::KEY => {
            let s: ExamSettings = serde_json::from_str(value)
                .map_err(|e| format!("exam_settings 不是有效的 JSON 设置：{e}"))?;
            // Fields left out take their defaults, so a misspelt one would be ignored
            // silently: refuse names the settings do not have.
            let known = serde_json::to_value(ExamSettings::default()).map_err(|e| e.to_string())?;
            let given: serde_json::Value =
                serde_json::from_str(value).map_err(|e| e.to_string())?;
            if let (Some(given), Some(known)) = (given.as_object(), known.as_object())
                && let Some(bad) = given.keys().find(|k| !known.contains_key(*k))
            {
                return Err(format!(
                    "exam_settings 没有“{bad}”这一项；可设置：{}",
                    known.keys().cloned().collect::<Vec<_>>().join("、")
                ));
            }
            json(&s)
        }
        VOLUNTEER_STAR_HOURS => star_hours(value).map(|t| star_hours_text(&t)),
        ARCHIVE_PUBLICITY_DAYS => publicity_days(value).map(|d| d.0.to_string()),
        TRAINING_CYCLE_HOURS => cycle_hours(value).map(|h| h.0.to_string()),
        APPRAISAL_WEIGHTS => appraisal_weights(value).and_then(|w| json(&w)),
        APPRAISAL_TEACHING => teaching_basis(value).map(|b| b.code().to_string()),
        PSYCH_LEVEL_RULES => level_rules(value).and_then(|r| json(&r)),
        other => Err(format!(
            "没有名为“{other}”的设置；可设置：{}",
            KEYS.join("、")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_of_wuyu_settings_set() {
        assert_eq!(checked(HIDE_RANKS, " true ").unwrap(), "true");
        assert!(
            checked(HIDE_RANKS, "yes")
                .unwrap_err()
                .contains("true 或 false")
        );
        assert!(
            checked("nope", "1")
                .unwrap_err()
                .contains("没有名为“nope”的设置")
        );
        let t = checked(FitnessTargets::KEY, r#"{"excellent_rate": 0.4}"#).unwrap();
        assert_eq!(t, r#"{"excellent_rate":0.4,"myopia_rate_max":0.5}"#);
        assert!(checked(FitnessTargets::KEY, r#"{"excellent_rate": 30}"#).is_err());
        assert!(checked(FitnessTargets::KEY, r#"{"excelent_rate": 0.3}"#).is_err());
        let e = checked(ExamSettings::KEY, r#"{"va_min": 5}"#).unwrap_err();
        assert!(e.contains("没有“va_min”这一项"), "{e}");
        assert!(checked(ExamSettings::KEY, r#"{"va_min_n": 5}"#).is_ok());
        assert_eq!(
            checked(VOLUNTEER_STAR_HOURS, "100、200，500, 800,1000").unwrap(),
            "100,200,500,800,1000"
        );
        let e = checked(VOLUNTEER_STAR_HOURS, "100,300,300,1000,1500").unwrap_err();
        assert!(e.contains("逐级递增") && e.contains("三星 300"), "{e}");
        assert!(checked(VOLUNTEER_STAR_HOURS, "100,300,600").is_err());
        assert!(checked(VOLUNTEER_STAR_HOURS, "0,300,600,1000,1500").is_err());
        assert!(checked(VOLUNTEER_STAR_HOURS, "100,300,600,1000,很多").is_err());
        assert_eq!(checked(ARCHIVE_PUBLICITY_DAYS, " 7 ").unwrap(), "7");
        let e = checked(ARCHIVE_PUBLICITY_DAYS, "4").unwrap_err();
        assert!(e.contains("5 到 30 个工作日") && e.contains("“4”"), "{e}");
        assert_eq!(
            checked(APPRAISAL_TEACHING, " value_added ").unwrap(),
            "value_added"
        );
        let r = checked(PSYCH_LEVEL_RULES, r#"{"general_phq_total": 8}"#).unwrap();
        assert!(
            r.contains(r#""general_phq_total":8"#) && r.contains(r#""focus_phq_total":15"#),
            "{r}"
        );
        let e = checked(PSYCH_LEVEL_RULES, r#"{"general_phq_total": 16}"#).unwrap_err();
        assert!(e.contains("不能大于"), "{e}");
        let e = checked(PSYCH_LEVEL_RULES, r#"{"phq_total": 8}"#).unwrap_err();
        assert!(e.contains("没有“phq_total”这一项"), "{e}");
        let e = checked(APPRAISAL_TEACHING, "va").unwrap_err();
        assert!(
            e.contains("value_added（增值评价）") && e.contains("“va”"),
            "{e}"
        );
        let w = r#"{"org":0.4,"peer":0.2,"parent":0.2,"teaching":0.1,"workload":0.1}"#;
        assert_eq!(checked(APPRAISAL_WEIGHTS, w).unwrap(), w);
        // Left out weighs 0: 0.5 + 0.3 is 80 %, not 100 %.
        let e = checked(APPRAISAL_WEIGHTS, r#"{"org":0.5,"peer":0.3}"#).unwrap_err();
        assert!(
            e.contains("权重之和应为 100%") && e.contains("80.0%"),
            "{e}"
        );
        let e = checked(APPRAISAL_WEIGHTS, r#"{"orgs":1}"#).unwrap_err();
        assert!(e.contains("没有“orgs”这一项"), "{e}");
        let e = checked(APPRAISAL_WEIGHTS, r#"{"org":1.5,"peer":-0.5}"#).unwrap_err();
        assert!(e.contains("组织评价") && e.contains("0 到 1"), "{e}");
    }

    #[test]
    fn stored_values_read_back_typed_and_bad_ones_fall_back_to_defaults() {
        let s = DistrictSettings::from_stored([
            (HIDE_RANKS, "true"),
            (FitnessTargets::KEY, r#"{"excellent_rate": 0.35}"#),
            (ExamSettings::KEY, "not json"),
            (VOLUNTEER_STAR_HOURS, "100,200,500,800,1000"),
            (ARCHIVE_PUBLICITY_DAYS, "3"),
        ]);
        assert_eq!(
            s.archive_publicity_days,
            PublicityDays(5),
            "below 5: the default"
        );
        assert!(s.hide_ranks);
        assert!(
            !s.show_student_ranks,
            "students' ranks stay hidden unless turned on"
        );
        assert_eq!(s.fitness_targets.excellent_rate, 0.35);
        assert_eq!(s.exam, ExamSettings::default());
        assert_eq!(
            s.star_thresholds,
            StarThresholds::new([100, 200, 500, 800, 1000].map(Tenths::whole)).unwrap()
        );
        let back = DistrictSettings::from_stored(
            s.to_stored().unwrap().iter().map(|(k, v)| (*k, v.as_str())),
        );
        assert_eq!(back, s);
    }
}
