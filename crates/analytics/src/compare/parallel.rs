//! The parallel-class rule (§5.3) as the district plan states it (S1 §19, modules.md §0): over
//! a 3-year cycle, is a teacher's class below the average of the school's parallel classes of
//! the same type (同类班级) in 60 % or more of the 校级-or-above exams?
//!
//! Defaults: the seed's rule — 校级, 区级, 市级 and 中考 all count (no 统一阅卷 condition, since
//! "校级或以上的检测" has none) and "60%以上" includes 60 %; otherwise §11.5: student-weighted
//! parallel average (focal class included — it cannot change the decision), compared at 2
//! decimals with ε = 0 so equality is **not** below; threshold attribution at 50 % of the
//! teaching; at least 6 weighted events. Parallel classes are those of the event's grade with
//! the focal class's type. The output is a 预警 for human review with the evidence for every
//! event — never a verdict.
use serde::{Deserialize, Serialize};

use crate::error::AnalyticsError;
use crate::round::{round_half_away, to_units};
use crate::special::ln_gamma;

/// Level of an exam. Classroom quizzes and competitions never count; from 校级 up, the rule's
/// `min_level` decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExamLevel {
    /// Classroom quiz or 单元测 set by one teacher.
    Classroom,
    /// 竞赛: never counts.
    Competition,
    School,
    District,
    City,
    Province,
}

impl ExamLevel {
    fn eligible(self, min_level: ExamLevel) -> bool {
        self >= ExamLevel::School && self >= min_level
    }

    fn name_zh(self) -> &'static str {
        match self {
            ExamLevel::Classroom => "课堂小测",
            ExamLevel::Competition => "竞赛",
            ExamLevel::School => "校级",
            ExamLevel::District => "区级",
            ExamLevel::City => "市级",
            ExamLevel::Province => "省级",
        }
    }
}

/// One class's result in one exam and subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassResult {
    pub class: String,
    /// 普通班 / 实验班 / 重点班 …: only classes of the same type are parallel.
    pub class_type: String,
    /// 应考.
    pub enrolled: usize,
    /// 实考.
    pub sat: usize,
    /// 统计人数.
    pub n: usize,
    /// Class subject mean over 统计人数.
    pub mean: f64,
    /// Sample SD of the class's marks (for gaps in SD units); `None` when unknown.
    #[serde(default)]
    pub sd: Option<f64>,
}

/// One (exam, class) taught by the teacher, with every class of the grade that sat the exam.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParallelEvent {
    pub exam: String,
    /// 学年 of the exam (2024 = 2024–2025).
    pub school_year: i32,
    pub level: ExamLevel,
    /// 统一阅卷 / same marking scheme.
    pub unified_marking: bool,
    /// The teacher's class.
    pub class: String,
    /// Share of the class's lessons in this subject the teacher taught before this exam.
    pub teacher_share: f64,
    /// All classes of the grade that sat the exam, including the teacher's.
    pub classes: Vec<ClassResult>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Averaging {
    /// Student-weighted mean over all students of the parallel classes (年级同类班级平均分).
    #[default]
    Weighted,
    /// Unweighted mean of class means (can change the decision when sizes differ).
    Unweighted,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribution {
    /// Count with weight 1 if the share ≥ the cut (default 0.5), else drop the event.
    Threshold(f64),
    /// Weight = share.
    Proportional,
}

/// Every parameter of the rule (the seed's rule where it speaks, §11.5 elsewhere). Stored in
/// the district's settings; a field left out of a stored value takes its default.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ParallelRule {
    pub cycle_years: i32,
    pub averaging: Averaging,
    /// Display precision at which class and parallel average are compared.
    pub digits: u32,
    /// Tolerance ε in points: below means `round(class) < round(avg) − ε`.
    pub epsilon: f64,
    pub attribution: Attribution,
    pub min_events: f64,
    /// The below share at which a teacher is flagged.
    pub threshold: f64,
    /// Flag at `share ≥ threshold` (the seed: "60%以上" includes 60 %); `false` flags only
    /// above it (the earlier §5.3 default).
    pub threshold_inclusive: bool,
    /// The lowest level that counts (the seed: 校级 and above).
    pub min_level: ExamLevel,
    pub min_participation: f64,
    pub min_n: usize,
    /// Count only exams marked together (统一阅卷). The seed has no such condition, so it is
    /// off; on, it leaves out 校级 exams each teacher marks.
    pub require_unified_marking: bool,
}

impl Default for ParallelRule {
    fn default() -> Self {
        ParallelRule {
            cycle_years: 3,
            averaging: Averaging::Weighted,
            digits: 2,
            epsilon: 0.0,
            attribution: Attribution::Threshold(0.5),
            min_events: 6.0,
            threshold: 0.60,
            threshold_inclusive: true,
            min_level: ExamLevel::School,
            min_participation: 0.90,
            min_n: 10,
            require_unified_marking: false,
        }
    }
}

/// The evidence for one event, eligible or not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventEvidence {
    pub exam: String,
    pub school_year: i32,
    pub class: String,
    pub n: usize,
    pub class_mean: f64,
    /// Parallel-class average; `None` when there is no parallel class.
    pub parallel_average: Option<f64>,
    /// Rounded class mean − rounded parallel average.
    pub difference: Option<f64>,
    /// `difference` in student SD units: over the pooled within-class SD of the parallel
    /// classes (comparable across subjects and papers, §5.1).
    pub difference_sd: Option<f64>,
    pub parallel_classes: usize,
    pub weight: f64,
    pub eligible: bool,
    /// Why an event does not count (Chinese, for the report).
    pub reason: Option<String>,
    /// The teacher's weight in a value-added of their classes (§4): as `weight`, but the class
    /// needs no parallel classes, participation rate or minimum n — value-added compares it
    /// with the district's students of the same prior score — only a counted exam (in the
    /// cycle, of a counted level and marking) and enough of the lessons.
    #[serde(skip)]
    pub va_weight: f64,
    /// `None` for ineligible events.
    pub below: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    /// 预警: needs human review.
    Flagged,
    NotFlagged,
    /// 样本不足，不判定.
    InsufficientEvents,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParallelAlert {
    pub teacher: String,
    pub evaluation_year: i32,
    pub status: AlertStatus,
    pub weighted_events: f64,
    pub weighted_below: f64,
    pub below_share: Option<f64>,
    /// Weighted mean of the eligible events' differences (points, and SD units).
    pub mean_difference: Option<f64>,
    pub mean_difference_sd: Option<f64>,
    /// The chance of being below this often with no real difference: one-sided binomial
    /// P(X ≥ below | events, ½). Against a student-weighted average that includes the class,
    /// a class with no real difference is below or above it equally often, whatever the
    /// number of parallel classes, so the share expected by chance is ½. Weights are rounded
    /// to whole events. Small values are strong evidence; it is not a verdict.
    pub chance: Option<f64>,
    pub rule: ParallelRule,
    /// Always states that this is an alert for review, not a decision.
    pub note: &'static str,
    pub events: Vec<EventEvidence>,
}

const NOTE: &str =
    "预警，仅供人工复核，不是自动判定 (alert for human review, never an automatic decision)";

/// Applies the rule to one teacher's events. The cycle is the `cycle_years` school years ending
/// with `evaluation_year`; events outside it are listed as ineligible.
pub fn parallel_class_alert(
    teacher: &str,
    events: &[ParallelEvent],
    evaluation_year: i32,
    rule: &ParallelRule,
) -> crate::Result<ParallelAlert> {
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        out.push(evidence(e, evaluation_year, rule)?);
    }
    let weighted_events: f64 = out.iter().filter(|e| e.eligible).map(|e| e.weight).sum();
    let weighted_below: f64 = out
        .iter()
        .filter(|e| e.below == Some(true))
        .map(|e| e.weight)
        .sum();
    let below_share = (weighted_events > 0.0).then(|| weighted_below / weighted_events);
    let weighted_mean = |f: fn(&EventEvidence) -> Option<f64>| {
        let (sum, w) = out
            .iter()
            .filter(|e| e.eligible)
            .filter_map(|e| f(e).map(|d| (d * e.weight, e.weight)))
            .fold((0.0, 0.0), |(s, t), (d, w)| (s + d, t + w));
        (w > 0.0).then(|| sum / w)
    };
    let mean_difference = weighted_mean(|e| e.difference);
    let mean_difference_sd = weighted_mean(|e| e.difference_sd);
    let chance = (weighted_events > 0.0).then(|| {
        binomial_tail_half(
            weighted_events.round() as u64,
            weighted_below.round() as u64,
        )
    });
    let status = if weighted_events + 1e-9 < rule.min_events {
        AlertStatus::InsufficientEvents
    } else if rule.flags(weighted_below, weighted_events) {
        AlertStatus::Flagged
    } else {
        AlertStatus::NotFlagged
    };
    Ok(ParallelAlert {
        teacher: teacher.to_string(),
        evaluation_year,
        status,
        weighted_events,
        weighted_below,
        below_share,
        mean_difference,
        mean_difference_sd,
        chance,
        rule: *rule,
        note: NOTE,
        events: out,
    })
}

impl ParallelRule {
    /// Whether `below` of `events` (weighted) reaches the threshold. The slack keeps an exact
    /// 60 % on the side the rule puts it despite floating-point noise in the weights.
    fn flags(&self, below: f64, events: f64) -> bool {
        let cut = self.threshold * events;
        if self.threshold_inclusive {
            below >= cut - 1e-9
        } else {
            below > cut + 1e-9
        }
    }

    /// The rule in one Chinese sentence, for pages and exports.
    pub fn describe_zh(&self) -> String {
        let pct = |v: f64| {
            let s = format!("{:.1}", v * 100.0);
            format!("{}%", s.trim_end_matches(".0"))
        };
        let levels = match self.min_level {
            l if l <= ExamLevel::School => "校级、区级、市级考试和中考".to_string(),
            l => format!("{}及以上的考试", l.name_zh()),
        };
        let marking = if self.require_unified_marking {
            "（仅统一阅卷的考试）"
        } else {
            ""
        };
        let averaging = match self.averaging {
            Averaging::Weighted => "按人数加权",
            Averaging::Unweighted => "各班平均分的简单平均",
        };
        let cmp = if self.threshold_inclusive {
            "达到或超过"
        } else {
            "严格高于"
        };
        format!(
            "近 {} 个学年内的{levels}{marking}均计入；班级参考率不低于 {}、统计人数不少于 {} 人，且同校同年级有两个及以上同类型（普通班、实验班等）的平行班；班级平均分低于同类平行班（{averaging}）平均分计为“低于”（{} 位小数比较，相等不算低于）；计入次数不少于 {} 次且低于比例{cmp} {} 时预警。",
            self.cycle_years,
            pct(self.min_participation),
            self.min_n,
            self.digits,
            self.min_events,
            pct(self.threshold),
        )
    }
}

/// P(X ≥ k) for X ~ Binomial(n, ½), summed in log space so large n does not underflow.
pub fn binomial_tail_half(n: u64, k: u64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    let ln_n1 = ln_gamma(n as f64 + 1.0);
    let ln_half_n = n as f64 * std::f64::consts::LN_2;
    let p: f64 = (k..=n)
        .map(|i| {
            let ln_c = ln_n1 - ln_gamma(i as f64 + 1.0) - ln_gamma((n - i) as f64 + 1.0);
            (ln_c - ln_half_n).exp()
        })
        .sum();
    p.min(1.0)
}

/// Pooled within-class SD of `classes`: √(Σ(nᵢ−1)sᵢ² / Σ(nᵢ−1)); `None` if any SD is unknown.
fn pooled_sd(classes: &[&ClassResult]) -> Option<f64> {
    let mut ss = 0.0;
    let mut df = 0.0;
    for c in classes {
        let sd = c.sd?;
        let d = c.n.saturating_sub(1) as f64;
        ss += d * sd * sd;
        df += d;
    }
    (df > 0.0 && ss > 0.0).then(|| (ss / df).sqrt())
}

fn evidence(e: &ParallelEvent, year: i32, rule: &ParallelRule) -> crate::Result<EventEvidence> {
    if !(0.0..=1.0).contains(&e.teacher_share) {
        return Err(AnalyticsError::InvalidValue {
            what: "teacher share",
            value: e.teacher_share,
        });
    }
    let focal = e
        .classes
        .iter()
        .find(|c| c.class == e.class)
        .ok_or_else(|| AnalyticsError::EmptyGroup {
            group: format!("class {} in exam {}", e.class, e.exam),
        })?;
    if !focal.mean.is_finite() {
        return Err(AnalyticsError::InvalidValue {
            what: "class mean",
            value: focal.mean,
        });
    }
    let parallel: Vec<&ClassResult> = e
        .classes
        .iter()
        .filter(|c| c.class_type == focal.class_type)
        .collect();
    let parallel_average = (parallel.len() >= 2).then(|| match rule.averaging {
        Averaging::Weighted => {
            let n: usize = parallel.iter().map(|c| c.n).sum();
            parallel.iter().map(|c| c.n as f64 * c.mean).sum::<f64>() / n.max(1) as f64
        }
        Averaging::Unweighted => {
            parallel.iter().map(|c| c.mean).sum::<f64>() / parallel.len() as f64
        }
    });
    let weight = match rule.attribution {
        Attribution::Threshold(cut) if e.teacher_share + 1e-12 >= cut => 1.0,
        Attribution::Threshold(_) => 0.0,
        Attribution::Proportional => e.teacher_share,
    };
    let participation = if focal.enrolled > 0 {
        focal.sat as f64 / focal.enrolled as f64
    } else {
        0.0
    };
    let first_year = year - rule.cycle_years + 1;
    let exam_counts = e.school_year >= first_year
        && e.school_year <= year
        && e.level.eligible(rule.min_level)
        && (!rule.require_unified_marking || e.unified_marking);
    let reason = if e.school_year < first_year || e.school_year > year {
        Some(format!("不在考核周期内 ({first_year}–{year} 学年)"))
    } else if !e.level.eligible(rule.min_level) {
        Some(match e.level {
            ExamLevel::Classroom | ExamLevel::Competition => format!("{}不计入", e.level.name_zh()),
            l => format!("{}考试不计入", l.name_zh()),
        })
    } else if rule.require_unified_marking && !e.unified_marking {
        Some("未统一阅卷".to_string())
    } else if parallel.len() < 2 {
        Some("无同类平行班".to_string())
    } else if participation + 1e-12 < rule.min_participation {
        Some(format!(
            "参考率 {:.1}% 低于 {:.0}%",
            participation * 100.0,
            rule.min_participation * 100.0
        ))
    } else if focal.n < rule.min_n {
        Some(format!("统计人数 {} 少于 {}", focal.n, rule.min_n))
    } else if weight == 0.0 {
        Some(format!("任课比例 {:.0}% 不足", e.teacher_share * 100.0))
    } else {
        None
    };
    let eligible = reason.is_none();
    let (difference, below) = match parallel_average {
        Some(avg) => {
            let c = to_units(focal.mean, rule.digits);
            let a = to_units(avg, rule.digits);
            let eps = to_units(rule.epsilon, rule.digits);
            let scale = 10f64.powi(rule.digits as i32);
            (
                Some((c - a) as f64 / scale),
                eligible.then_some(c < a - eps),
            )
        }
        None => (None, None),
    };
    let difference_sd = difference
        .zip(pooled_sd(&parallel))
        .map(|(d, sd)| round_half_away(d / sd, 3));
    Ok(EventEvidence {
        exam: e.exam.clone(),
        school_year: e.school_year,
        class: e.class.clone(),
        n: focal.n,
        class_mean: round_half_away(focal.mean, rule.digits),
        parallel_average: parallel_average.map(|a| round_half_away(a, rule.digits)),
        difference,
        difference_sd,
        parallel_classes: parallel.len(),
        weight: if eligible { weight } else { 0.0 },
        eligible,
        reason,
        va_weight: if exam_counts { weight } else { 0.0 },
        below,
    })
}
