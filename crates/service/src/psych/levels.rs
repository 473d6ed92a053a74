//! 关注等级 from a district scale: the district's mappings (band → level) in its level rules,
//! checked against the loaded scales on save, and applied at write next to the built-in rules.
use wuyu_domain::Scope;
use wuyu_standards::scales::{LevelRules, SCALE_TOTAL, ScaleDefinition, ScreeningResult};
use wuyu_store::Store;
use wuyu_store::psych::scales::{CustomAnswers, ScaleVersion};

use crate::ServiceError;

/// The highest level across the built-in rules (already in `result`) and the district's
/// mappings for the response's district scale.
pub(crate) fn raise_by_scale(
    result: &mut ScreeningResult,
    custom: Option<&CustomAnswers>,
    rules: &LevelRules,
) {
    if let Some(c) = custom {
        result.level = result
            .level
            .max(rules.scale_level(&c.scale.code, &c.result));
    }
}

/// Why each mapping cannot be used with the loaded scales, in Chinese: its scale must be
/// loaded, and its subscale and band must exist in some loaded version (a band renamed in a
/// new version still scores the campaigns pinned to the old one).
pub fn scale_level_problems(rules: &LevelRules, loaded: &[ScaleVersion]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, m) in rules.scale_levels.iter().enumerate() {
        let n = i + 1;
        let defs: Vec<ScaleDefinition> = loaded
            .iter()
            .filter(|v| v.code == m.scale)
            .filter_map(|v| ScaleDefinition::from_json(&v.code, &v.definition).ok())
            .collect();
        if defs.is_empty() {
            let mut codes: Vec<&str> = loaded.iter().map(|v| v.code.as_str()).collect();
            codes.dedup();
            let known = if codes.is_empty() {
                "尚未载入任何量表".to_string()
            } else {
                format!("已载入：{}", codes.join("、"))
            };
            out.push(format!(
                "关注等级映射第 {n} 条的量表代码“{}”没有载入（{known}）",
                m.scale
            ));
            continue;
        }
        let bands: Vec<Vec<&str>> = defs
            .iter()
            .filter_map(|d| {
                let sub = if m.subscale == SCALE_TOTAL {
                    d.total.as_ref()
                } else {
                    d.subscales
                        .iter()
                        .chain(d.total.iter())
                        .find(|s| s.code == m.subscale)
                };
                sub.map(|s| s.cutoffs.iter().map(|c| c.label_zh.as_str()).collect())
            })
            .collect();
        if bands.is_empty() {
            let mut subs: Vec<&str> = defs
                .iter()
                .flat_map(|d| d.subscales.iter().chain(d.total.iter()))
                .map(|s| s.code.as_str())
                .chain([SCALE_TOTAL])
                .collect();
            subs.sort_unstable();
            subs.dedup();
            out.push(format!(
                "关注等级映射第 {n} 条的分量表“{}”在量表“{}”中不存在（可用：{}）",
                m.subscale,
                m.scale,
                subs.join("、")
            ));
        } else if !bands.iter().any(|b| b.contains(&m.band.as_str())) {
            let mut all: Vec<&str> = bands.into_iter().flatten().collect();
            all.sort_unstable();
            all.dedup();
            let known = if all.is_empty() {
                "该分量表没有划界区间".to_string()
            } else {
                format!("已有区间：{}", all.join("、"))
            };
            out.push(format!(
                "关注等级映射第 {n} 条的区间“{}”在量表“{}”的分量表“{}”中不存在（{known}）",
                m.band, m.scale, m.subscale
            ));
        }
    }
    out
}

/// The mappings checked against the district's loaded scales; the first problem refuses.
pub async fn check_scale_levels(store: &dyn Store, rules: &LevelRules) -> Result<(), ServiceError> {
    if rules.scale_levels.is_empty() {
        return Ok(());
    }
    let loaded = store.scales(&Scope::District).await?;
    match scale_level_problems(rules, &loaded).into_iter().next() {
        Some(p) => Err(ServiceError::BadRequest(p)),
        None => Ok(()),
    }
}
