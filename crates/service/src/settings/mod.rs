//! 区级设置 (district settings): the typed settings, validated by the store on write.
use wuyu_analytics::appraisal::{AppraisalWeights, SourceKind};
use wuyu_analytics::compare::ExamLevel;
use wuyu_analytics::descriptive::{AbsentPolicy, Line, RateLines};
use wuyu_domain::{AdminToken, District, Scope};
use wuyu_standards::scales::ScaleLevel;
use wuyu_store::{AuditEntry, DistrictSettings, ExamSettings, StoreError};

use crate::audit::Requester;
use crate::{Service, ServiceError};

pub async fn district_settings(svc: &Service) -> Result<DistrictSettings, ServiceError> {
    Ok(svc.store().district_settings().await?)
}

/// Writes every setting; an invalid value is refused and nothing is written.
pub async fn set_district_settings(
    svc: &Service,
    _admin: AdminToken,
    settings: &DistrictSettings,
) -> Result<(), ServiceError> {
    crate::psych::check_scale_levels(svc.store().as_ref(), &settings.psych_level_rules).await?;
    svc.store()
        .set_district_settings(settings)
        .await
        .map_err(|e| match e {
            StoreError::InvalidSetting(_) => ServiceError::BadRequest(e.to_string()),
            other => other.into(),
        })
}

/// The district's own record (its name), if set up.
pub async fn district(svc: &Service) -> Result<Option<District>, ServiceError> {
    Ok(svc.store().district().await?)
}

/// The settings page's form as typed (percentages and names, all text), before checking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsInput {
    pub hide_ranks: bool,
    pub show_student_ranks: bool,
    /// 体测优秀率目标 and 近视率上限, in percent.
    pub fitness_excellent_pct: String,
    pub fitness_myopia_max_pct: String,
    /// 优秀 / 良好 / 及格 / 低分 lines in percent of full marks; 良好 may be empty (三率).
    pub excellent_pct: String,
    pub good_pct: String,
    pub pass_pct: String,
    pub low_pct: String,
    /// 缺考 counted as 0 (else left out of the rates).
    pub absent_as_zero: bool,
    pub borderline_points: String,
    /// The parallel-class rule: threshold in percent, cycle in school years, the least number
    /// of counted exams, and the lowest exam level that counts (`school`, `district`, `city`).
    pub parallel_threshold_pct: String,
    pub parallel_cycle_years: String,
    pub parallel_min_events: String,
    pub parallel_min_level: String,
    /// Volunteer service hours for 一 to 五星, e.g. `100,300,600,1000,1500`.
    pub star_hours: String,
    /// Working days of a class's archive 公示 (5–30).
    pub archive_publicity_days: String,
    /// Training hours each teacher owes per five-year cycle (1–1000).
    pub training_cycle_hours: String,
    /// The appraisal score's source weights in percent, in `SourceKind::ALL` order (组织,
    /// 同事互评, 家长学生, 教学成绩, 工作量); all five blank keeps the current weights.
    pub appraisal_weight_pct: [String; 5],
    /// What the teaching-result source measures (`parallel` / `value_added`); blank keeps it.
    pub appraisal_teaching: String,
    /// The attention-level thresholds in [`LEVEL_RULE_FIELDS`] order; all blank keeps them.
    pub psych_levels: [String; 6],
    /// District scales' bands that raise the attention level, one a line:
    /// `量表代码 分量表代码或total 区间名称 等级` (e.g. `xxyl_demo total 高 2`); blank is none.
    pub psych_scale_levels: String,
}

/// The attention-level thresholds as the settings page lists them: (field, Chinese label).
pub const LEVEL_RULE_FIELDS: [(&str, &str); 6] = [
    ("crisis_phq_item9", "危机：PHQ 第 9 题（自伤念头）达到"),
    ("focus_phq_item9", "重点关注：PHQ 第 9 题达到"),
    ("focus_phq_total", "重点关注：PHQ 总分达到"),
    ("focus_gad_total", "重点关注：GAD-7 总分达到"),
    ("general_phq_total", "一般关注：PHQ 总分达到"),
    ("general_gad_total", "一般关注：GAD-7 总分达到"),
];

fn level_rule_values(r: &wuyu_standards::scales::LevelRules) -> [u8; 6] {
    [
        r.crisis_phq_item9,
        r.focus_phq_item9,
        r.focus_phq_total,
        r.focus_gad_total,
        r.general_phq_total,
        r.general_gad_total,
    ]
}

impl SettingsInput {
    /// The form filled with `s`.
    pub fn from_settings(s: &DistrictSettings) -> Self {
        let pct = |f: f64| {
            let v = format!("{:.2}", f * 100.0);
            v.trim_end_matches('0').trim_end_matches('.').to_string()
        };
        let line = |l: Line| match l {
            Line::Fraction(f) => pct(f),
            Line::Absolute(a) => a.to_string(),
        };
        let rule = &s.exam.parallel_rule;
        SettingsInput {
            hide_ranks: s.hide_ranks,
            show_student_ranks: s.show_student_ranks,
            fitness_excellent_pct: pct(s.fitness_targets.excellent_rate),
            fitness_myopia_max_pct: pct(s.fitness_targets.myopia_rate_max),
            excellent_pct: line(s.exam.lines.excellent),
            good_pct: s.exam.lines.good.map(line).unwrap_or_default(),
            pass_pct: line(s.exam.lines.pass),
            low_pct: line(s.exam.lines.low),
            absent_as_zero: s.exam.absent_policy == AbsentPolicy::CountAsZero,
            borderline_points: s.exam.borderline_points.to_string(),
            parallel_threshold_pct: pct(rule.threshold),
            parallel_cycle_years: rule.cycle_years.to_string(),
            parallel_min_events: rule.min_events.to_string(),
            parallel_min_level: match rule.min_level {
                ExamLevel::District => "district",
                ExamLevel::City | ExamLevel::Province => "city",
                _ => "school",
            }
            .into(),
            star_hours: wuyu_store::settings::district::star_hours_text(&s.star_thresholds),
            archive_publicity_days: s.archive_publicity_days.0.to_string(),
            training_cycle_hours: s.training_cycle_hours.0.to_string(),
            appraisal_weight_pct: s.appraisal_weights.as_array().map(pct),
            appraisal_teaching: s.appraisal_teaching.code().to_string(),
            psych_levels: level_rule_values(&s.psych_level_rules).map(|v| v.to_string()),
            psych_scale_levels: scale_levels_text(&s.psych_level_rules.scale_levels),
        }
    }

    /// `current` with this form's values, or every problem in Chinese (nothing is applied
    /// when there is one).
    pub fn apply(&self, current: &DistrictSettings) -> Result<DistrictSettings, Vec<String>> {
        let mut errors = Vec::new();
        let mut pct = |label: &str, v: &str| -> f64 {
            match v.trim().parse::<f64>() {
                Ok(x) if x.is_finite() && (0.0..=100.0).contains(&x) => x / 100.0,
                _ => {
                    errors.push(format!(
                        "{label}应为 0 到 100 之间的百分数，而不是“{}”",
                        v.trim()
                    ));
                    0.0
                }
            }
        };
        let mut s = current.clone();
        s.hide_ranks = self.hide_ranks;
        s.show_student_ranks = self.show_student_ranks;
        s.fitness_targets.excellent_rate = pct("体测优秀率目标", &self.fitness_excellent_pct);
        s.fitness_targets.myopia_rate_max = pct("近视率上限", &self.fitness_myopia_max_pct);
        let excellent = pct("优秀线", &self.excellent_pct);
        let good = (!self.good_pct.trim().is_empty()).then(|| pct("良好线", &self.good_pct));
        let pass = pct("及格线", &self.pass_pct);
        let low = pct("低分线", &self.low_pct);
        let threshold = pct("平行班预警比例", &self.parallel_threshold_pct);
        match score_lines(excellent, good, pass, low) {
            Ok(lines) => s.exam.lines = lines,
            Err(e) => errors.push(e),
        }
        s.exam.absent_policy = if self.absent_as_zero {
            AbsentPolicy::CountAsZero
        } else {
            AbsentPolicy::Exclude
        };
        match self.borderline_points.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && (0.0..=50.0).contains(&v) => s.exam.borderline_points = v,
            _ => errors.push(format!(
                "临界生分差应为 0 到 50 之间的分数，而不是“{}”",
                self.borderline_points.trim()
            )),
        }
        let rule = &mut s.exam.parallel_rule;
        rule.threshold = threshold;
        match self.parallel_cycle_years.trim().parse::<i32>() {
            Ok(v) if (1..=6).contains(&v) => rule.cycle_years = v,
            _ => errors.push(format!(
                "平行班考核周期应为 1 到 6 个学年，而不是“{}”",
                self.parallel_cycle_years.trim()
            )),
        }
        match self.parallel_min_events.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && (1.0..=100.0).contains(&v) => rule.min_events = v,
            _ => errors.push(format!(
                "平行班最少计入次数应为 1 到 100，而不是“{}”",
                self.parallel_min_events.trim()
            )),
        }
        rule.min_level = match self.parallel_min_level.trim() {
            "school" => ExamLevel::School,
            "district" => ExamLevel::District,
            "city" => ExamLevel::City,
            other => {
                errors.push(format!("未知的考试级别“{other}”"));
                rule.min_level
            }
        };
        match wuyu_store::settings::district::star_hours(&self.star_hours) {
            Ok(t) => s.star_thresholds = t,
            Err(e) => errors.push(e),
        }
        match wuyu_store::settings::district::publicity_days(&self.archive_publicity_days) {
            Ok(d) => s.archive_publicity_days = d,
            Err(e) => errors.push(e),
        }
        match wuyu_store::settings::district::cycle_hours(&self.training_cycle_hours) {
            Ok(h) => s.training_cycle_hours = h,
            Err(e) => errors.push(e),
        }
        if self.psych_levels.iter().any(|v| !v.trim().is_empty()) {
            let mut json = serde_json::Map::new();
            let current = level_rule_values(&current.psych_level_rules);
            for (((field, label), text), now) in LEVEL_RULE_FIELDS
                .iter()
                .zip(&self.psych_levels)
                .zip(current)
            {
                let v = match text.trim() {
                    "" => now,
                    t => match t.parse::<u8>() {
                        Ok(v) => v,
                        Err(_) => {
                            errors.push(format!("{label}应为整数，而不是“{t}”"));
                            now
                        }
                    },
                };
                json.insert((*field).to_string(), v.into());
            }
            match wuyu_store::settings::district::level_rules(
                &serde_json::Value::Object(json).to_string(),
            ) {
                Ok(r) => s.psych_level_rules = r,
                Err(e) => errors.push(e),
            }
        }
        // After the thresholds (which rebuild the rules): the mappings as typed, every line.
        match parse_scale_levels(&self.psych_scale_levels) {
            Ok(m) => {
                s.psych_level_rules.scale_levels = m;
                if let Err(e) = s.psych_level_rules.validate() {
                    errors.push(e.to_string());
                }
            }
            Err(e) => errors.extend(e),
        }
        if !self.appraisal_teaching.trim().is_empty() {
            match wuyu_store::settings::district::teaching_basis(&self.appraisal_teaching) {
                Ok(b) => s.appraisal_teaching = b,
                Err(e) => errors.push(e),
            }
        }
        if self
            .appraisal_weight_pct
            .iter()
            .any(|w| !w.trim().is_empty())
        {
            let mut w = [0.0; 5];
            for ((x, text), kind) in w
                .iter_mut()
                .zip(&self.appraisal_weight_pct)
                .zip(SourceKind::ALL)
            {
                // A blank among filled ones weighs 0.
                match text.trim() {
                    "" => {}
                    t => match t.parse::<f64>() {
                        Ok(v) if v.is_finite() && (0.0..=100.0).contains(&v) => *x = v / 100.0,
                        _ => errors.push(format!(
                            "考核得分权重“{}”应为 0 到 100 之间的百分数，而不是“{t}”",
                            kind.label_zh()
                        )),
                    },
                }
            }
            let weights = AppraisalWeights::from_array(w);
            match weights.check() {
                Ok(()) => s.appraisal_weights = weights,
                // A bad percentage was named above; the sum is only news without one.
                Err(e) if errors.is_empty() || !e.contains("0 到 1") => errors.push(e),
                Err(_) => {}
            }
        }
        if errors.is_empty() {
            Ok(s)
        } else {
            Err(errors)
        }
    }
}

/// The mappings as the settings page shows them, one a line.
pub fn scale_levels_text(m: &[ScaleLevel]) -> String {
    m.iter()
        .map(|m| format!("{} {} {} {}", m.scale, m.subscale, m.band, m.level))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The mappings typed on the settings page: four words a line, blank lines skipped; every
/// bad line named with its number and text.
pub fn parse_scale_levels(text: &str) -> Result<Vec<ScaleLevel>, Vec<String>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.is_empty() {
            continue;
        }
        let level = words.get(3).and_then(|w| w.parse::<u8>().ok());
        match (words.len(), level) {
            (4, Some(level)) => out.push(ScaleLevel {
                scale: words[0].to_string(),
                subscale: words[1].to_string(),
                band: words[2].to_string(),
                level,
            }),
            _ => errors.push(format!(
                "关注等级映射第 {} 行“{}”应为：量表代码 分量表代码或 total 区间名称 等级（1–3），以空格分隔",
                i + 1,
                line.trim()
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Score lines from fractions of full marks, in the order they must keep (优秀 ≥ 良好 ≥ 及格 ≥
/// 低分); `good` left out counts 三率 only. The one rule the settings page and
/// `wuyu exam lines` share.
pub fn score_lines(
    excellent: f64,
    good: Option<f64>,
    pass: f64,
    low: f64,
) -> Result<RateLines, String> {
    let all = [Some(excellent), good, Some(pass), Some(low)];
    if all.iter().flatten().any(|f| !(0.0..=1.0).contains(f)) {
        return Err("分数线应在满分的 0% 到 100% 之间".into());
    }
    let good_ok = good.is_none_or(|g| excellent >= g && g >= pass);
    if !(excellent >= pass && pass >= low && good_ok) {
        return Err("分数线应满足：优秀线 ≥ 良好线 ≥ 及格线 ≥ 低分线".into());
    }
    Ok(RateLines {
        excellent: Line::Fraction(excellent),
        good: good.map(Line::Fraction),
        pass: Line::Fraction(pass),
        low: Line::Fraction(low),
    })
}

/// What a save changed: one `(key, old, new)` per stored setting that differs, and how many
/// exams were recomputed under new exam settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsSaved {
    pub changed: Vec<(&'static str, String, String)>,
    pub exams_recomputed: usize,
}

/// Stores `new` as `admin`, writes one audit entry per changed setting with its old and new
/// value, and recomputes every exam's statistics when the exam settings changed (so no page
/// shows numbers computed under the old lines).
pub async fn save_district_settings(
    svc: &Service,
    admin: AdminToken,
    who: &Requester,
    new: &DistrictSettings,
) -> Result<SettingsSaved, ServiceError> {
    let old = district_settings(svc).await?;
    let before = old.to_stored().map_err(ServiceError::Internal)?;
    let after = new.to_stored().map_err(ServiceError::BadRequest)?;
    let changed: Vec<(&'static str, String, String)> = before
        .into_iter()
        .zip(after)
        .filter(|((_, a), (_, b))| a != b)
        .map(|((k, a), (_, b))| (k, a, b))
        .collect();
    if changed.is_empty() {
        return Ok(SettingsSaved::default());
    }
    set_district_settings(svc, admin, new).await?;
    for (key, old, new) in &changed {
        crate::audit::append(
            svc,
            &AuditEntry {
                at: time::OffsetDateTime::now_utc().unix_timestamp(),
                user_id: who.user_id,
                username: who.username.clone(),
                action: "update_setting".into(),
                school_id: None,
                entity: format!("setting:{key}"),
                detail: format!("{old} → {new}"),
                ip: who.ip.clone(),
            },
        )
        .await?;
    }
    let mut exams_recomputed = 0;
    if changed.iter().any(|(k, _, _)| *k == ExamSettings::KEY) {
        for e in svc.store().list_exams(&Scope::District).await? {
            svc.store().recompute_exam(e.exam.id).await?;
            exams_recomputed += 1;
        }
    }
    Ok(SettingsSaved {
        changed,
        exams_recomputed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_round_trips_the_defaults_and_refuses_bad_values_in_chinese() {
        let d = DistrictSettings::default();
        let form = SettingsInput::from_settings(&d);
        assert_eq!(form.excellent_pct, "80");
        assert_eq!(form.parallel_threshold_pct, "60");
        assert_eq!(form.apply(&d).unwrap(), d);

        let mut bad = form.clone();
        bad.pass_pct = "85".into();
        bad.fitness_excellent_pct = "三十".into();
        bad.parallel_cycle_years = "0".into();
        bad.archive_publicity_days = "3".into();
        let errors = bad.apply(&d).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.contains("体测优秀率目标") && e.contains("三十"))
        );
        assert!(
            errors
                .iter()
                .any(|e| e.contains("优秀线 ≥ 良好线 ≥ 及格线"))
        );
        assert!(errors.iter().any(|e| e.contains("考核周期")));
        assert!(
            errors
                .iter()
                .any(|e| e.contains("公示期") && e.contains("“3”"))
        );

        let mut good = form;
        good.excellent_pct = "85".into();
        good.good_pct = String::new();
        good.parallel_min_level = "district".into();
        good.archive_publicity_days = "10".into();
        let s = good.apply(&d).unwrap();
        assert_eq!(s.archive_publicity_days.0, 10);
        assert_eq!(s.exam.lines.excellent, Line::Fraction(0.85));
        assert_eq!(s.exam.lines.good, None);
        assert_eq!(s.exam.parallel_rule.min_level, ExamLevel::District);
        assert_eq!(
            s.appraisal_weights,
            AppraisalWeights::default(),
            "the weights stay as they were"
        );

        // Appraisal weights in percent: 40/20/20/10/10 is stored as fractions; 50 + 30 alone
        // (80 %) is refused with the sum named.
        let mut w = SettingsInput::from_settings(&d);
        assert_eq!(w.appraisal_weight_pct, ["50", "30", "20", "0", "0"]);
        w.appraisal_weight_pct = ["40", "20", "20", "10", "10"].map(String::from);
        let s = w.apply(&d).unwrap();
        assert_eq!(s.appraisal_weights.as_array(), [0.4, 0.2, 0.2, 0.1, 0.1]);
        w.appraisal_weight_pct = ["50", "30", "", "", ""].map(String::from);
        let errors = w.apply(&d).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.contains("权重之和应为 100%") && e.contains("80.0%")),
            "{errors:?}"
        );
    }
}
