//! The district's settings as one typed value: what each stored key means, its default, and
//! the rules a value must pass before it is stored (the rules `wuyu settings set` states).
use serde::Serialize;

use crate::exam::ExamSettings;
use crate::fitness::FitnessTargets;

/// The key of [`DistrictSettings::hide_ranks`].
pub const HIDE_RANKS: &str = "hide_ranks";

/// The key of [`DistrictSettings::show_student_ranks`].
pub const SHOW_STUDENT_RANKS: &str = "show_student_ranks";

/// Every setting key, in the order `wuyu settings show` prints them.
pub const KEYS: [&str; 4] = [
    HIDE_RANKS,
    SHOW_STUDENT_RANKS,
    FitnessTargets::KEY,
    ExamSettings::KEY,
];

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
        ];
        pairs
            .into_iter()
            .map(|(k, v)| checked(k, &v).map(|v| (k, v)))
            .collect()
    }
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
    }

    #[test]
    fn stored_values_read_back_typed_and_bad_ones_fall_back_to_defaults() {
        let s = DistrictSettings::from_stored([
            (HIDE_RANKS, "true"),
            (FitnessTargets::KEY, r#"{"excellent_rate": 0.35}"#),
            (ExamSettings::KEY, "not json"),
        ]);
        assert!(s.hide_ranks);
        assert!(
            !s.show_student_ranks,
            "students' ranks stay hidden unless turned on"
        );
        assert_eq!(s.fitness_targets.excellent_rate, 0.35);
        assert_eq!(s.exam, ExamSettings::default());
        let back = DistrictSettings::from_stored(
            s.to_stored().unwrap().iter().map(|(k, v)| (*k, v.as_str())),
        );
        assert_eq!(back, s);
    }
}
