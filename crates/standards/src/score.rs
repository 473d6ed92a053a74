//! Scoring one student's school year under 国家学生体质健康标准（2014年修订）: README 1.2–1.6.
use serde::{Deserialize, Serialize};
use wuyu_domain::Sex;

use crate::bmi::{Bmi, BmiCategory, bmi_category, valid_measure};
use crate::error::{GraduationError, ScoreError};
use crate::fitness::{FitnessGrade, FitnessItem, ItemScore, ItemScores, ItemSet, Level};
use crate::points::Points;
use crate::tables::tables;

/// The standard caps 附加分 at 20 in total (README 1.5).
pub const MAX_BONUS: u8 = 20;

/// The largest possible 学年总分: 100 标准分 + 20 附加分.
pub const MAX_YEAR_TOTAL: Points = Points::from_whole(120);

/// One student's results for one school year, as recorded. `None` = not tested.
///
/// All times are in seconds (README 1.1: 3'40" is 220). Values are compared as recorded; the
/// testing rules' rounding (stopwatch precision, …) is not in the sources and is not applied.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FitnessInput {
    pub grade: FitnessGrade,
    pub sex: Sex,
    #[serde(default)]
    pub height_cm: Option<f64>,
    #[serde(default)]
    pub weight_kg: Option<f64>,
    #[serde(default)]
    pub vital_capacity: Option<f64>,
    #[serde(default)]
    pub run_50m: Option<f64>,
    #[serde(default)]
    pub sit_and_reach: Option<f64>,
    #[serde(default)]
    pub rope_skip_1min: Option<f64>,
    #[serde(default)]
    pub sit_up_1min: Option<f64>,
    #[serde(default)]
    pub shuttle_50x8: Option<f64>,
    #[serde(default)]
    pub standing_long_jump: Option<f64>,
    #[serde(default)]
    pub pull_up: Option<f64>,
    #[serde(default)]
    pub run_1000m: Option<f64>,
    #[serde(default)]
    pub run_800m: Option<f64>,
}

impl FitnessInput {
    /// A record with nothing measured yet.
    pub fn new(grade: FitnessGrade, sex: Sex) -> Self {
        Self {
            grade,
            sex,
            height_cm: None,
            weight_kg: None,
            vital_capacity: None,
            run_50m: None,
            sit_and_reach: None,
            rope_skip_1min: None,
            sit_up_1min: None,
            shuttle_50x8: None,
            standing_long_jump: None,
            pull_up: None,
            run_1000m: None,
            run_800m: None,
        }
    }

    /// The measured result of an item. Always `None` for [`FitnessItem::Bmi`], which is
    /// computed from `height_cm` and `weight_kg`.
    pub fn value(&self, item: FitnessItem) -> Option<f64> {
        match item {
            FitnessItem::Bmi => None,
            FitnessItem::VitalCapacity => self.vital_capacity,
            FitnessItem::Run50m => self.run_50m,
            FitnessItem::SitAndReach => self.sit_and_reach,
            FitnessItem::RopeSkip1min => self.rope_skip_1min,
            FitnessItem::SitUp1min => self.sit_up_1min,
            FitnessItem::Shuttle50x8 => self.shuttle_50x8,
            FitnessItem::StandingLongJump => self.standing_long_jump,
            FitnessItem::PullUp => self.pull_up,
            FitnessItem::Run1000m => self.run_1000m,
            FitnessItem::Run800m => self.run_800m,
        }
    }

    /// Sets the measured result of an item; BMI cannot be set (give height and weight).
    pub fn set(&mut self, item: FitnessItem, value: Option<f64>) -> Result<(), ScoreError> {
        let slot = match item {
            FitnessItem::Bmi => return Err(ScoreError::BmiIsComputed),
            FitnessItem::VitalCapacity => &mut self.vital_capacity,
            FitnessItem::Run50m => &mut self.run_50m,
            FitnessItem::SitAndReach => &mut self.sit_and_reach,
            FitnessItem::RopeSkip1min => &mut self.rope_skip_1min,
            FitnessItem::SitUp1min => &mut self.sit_up_1min,
            FitnessItem::Shuttle50x8 => &mut self.shuttle_50x8,
            FitnessItem::StandingLongJump => &mut self.standing_long_jump,
            FitnessItem::PullUp => &mut self.pull_up,
            FitnessItem::Run1000m => &mut self.run_1000m,
            FitnessItem::Run800m => &mut self.run_800m,
        };
        *slot = value;
        Ok(())
    }
}

/// Whether a record could be totalled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FitnessStatus {
    /// Every item of the grade and sex is present: 标准分, 学年总分 and 等级 are given.
    Ok,
    /// Some required items are missing (README 1.6, platform policy): the present items are
    /// scored, but there is no 标准分, 学年总分 or 等级.
    Incomplete { missing: ItemSet },
}

impl FitnessStatus {
    /// `OK` / `INCOMPLETE`, as in the stateless scorer's `status` column.
    pub fn code(self) -> &'static str {
        match self {
            FitnessStatus::Ok => "OK",
            FitnessStatus::Incomplete { .. } => "INCOMPLETE",
        }
    }
}

/// A scored record. `Copy` and allocation-free.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FitnessResult {
    pub grade: FitnessGrade,
    pub sex: Sex,
    /// BMI rounded half-up to 0.1; `None` without both height and weight.
    pub bmi: Option<Bmi>,
    /// The fitness standard's band for `bmi` (not WS/T 586).
    pub bmi_category: Option<BmiCategory>,
    /// 单项得分 (and 附加分) of every item that was given, BMI included.
    pub items: ItemScores,
    /// 附加分: the sum of the item bonuses, at most [`MAX_BONUS`]. Given even when incomplete.
    pub bonus_total: u8,
    /// 标准分: Σ item score × weight, rounded half-up to 0.1. `None` when incomplete.
    pub standard_score: Option<Points>,
    /// 学年总分 = 标准分 + 附加分. `None` when incomplete.
    pub year_total: Option<Points>,
    /// 等级 read from `year_total`. `None` when incomplete.
    pub level: Option<Level>,
    pub status: FitnessStatus,
}

impl FitnessResult {
    pub fn is_complete(&self) -> bool {
        self.status == FitnessStatus::Ok
    }
}

/// Scores one student's year: every item present, BMI, 附加分, and, when no required item is
/// missing, 标准分, 学年总分 and 等级.
///
/// * BMI is weight / height², rounded half-up to 0.1, then looked up in the grade's bands
///   (README 1.4). Without height or weight the BMI item is missing.
/// * Each item: lookup at thresholds (1.3); bonus for the bonus items (1.5), total capped at 20.
/// * 标准分 = Σ score × weight% (1.2), rounded half-up to 0.1 *before* the 等级 is read; 学年总分
///   = 标准分 + 附加分; 等级 from `fitness_levels.csv` (1.6). So 59.95 → 60.0 → 及格.
/// * Every item weighted for the grade and sex is required; the standard has no alternatives
///   (1.2, 1.6). A missing one gives [`FitnessStatus::Incomplete`].
///
/// Errors: a value for an item the grade and sex do not take, a value that is not a possible
/// result (NaN, negative, half a pull-up), or an impossible height or weight.
pub fn score_record(input: &FitnessInput) -> Result<FitnessResult, ScoreError> {
    let t = tables();
    let (grade, sex) = (input.grade, input.sex);
    let plan = t.plan(grade, sex);
    let mut items = ItemScores::default();
    let mut missing = ItemSet::EMPTY;
    // Σ score × weight%: the 标准分 in hundredths of a point, exact.
    let mut weighted: u32 = 0;
    let mut bonus: u32 = 0;

    // A result for an item this grade and sex do not take is refused, never dropped.
    for item in FitnessItem::ALL {
        if plan.mask & (1 << item.index()) == 0 && input.value(item).is_some() {
            return Err(ScoreError::NotApplicable { item, grade, sex });
        }
    }

    let bmi = match (input.height_cm, input.weight_kg) {
        (Some(h), Some(w)) => Some(Bmi::from_height_weight(h, w)?),
        (h, w) => {
            // The half that is present must still be a possible value.
            if let Some(h) = h.filter(|&h| !valid_measure(h)) {
                return Err(ScoreError::InvalidHeight(h));
            }
            if let Some(w) = w.filter(|&w| !valid_measure(w)) {
                return Err(ScoreError::InvalidWeight(w));
            }
            None
        }
    };
    let category = bmi.map(|b| bmi_category(grade, sex, b));
    match category {
        Some(c) => {
            let score = c.score();
            items.set(FitnessItem::Bmi, ItemScore { score, bonus: 0 });
            weighted += u32::from(score) * u32::from(plan.bmi_weight);
        }
        None => missing.insert(FitnessItem::Bmi),
    }

    for e in plan.entries() {
        match input.value(e.item) {
            Some(v) => {
                if !e.item.is_valid_value(v) {
                    return Err(ScoreError::InvalidValue {
                        item: e.item,
                        value: v,
                    });
                }
                let (score, b) = t.entry(e, v);
                items.set(e.item, ItemScore { score, bonus: b });
                weighted += u32::from(score) * u32::from(e.weight);
                bonus += u32::from(b);
            }
            None => missing.insert(e.item),
        }
    }

    let bonus_total = bonus.min(u32::from(MAX_BONUS)) as u8;
    let (standard_score, year_total, level, status) = if missing.is_empty() {
        // Half-up from hundredths to tenths (README 1.6 rounding convention).
        let standard = ((weighted + 5) / 10) as u16;
        let total = standard + u16::from(bonus_total) * 10;
        (
            Some(Points::from_tenths(standard)),
            Some(Points::from_tenths(total)),
            Some(t.level(total)),
            FitnessStatus::Ok,
        )
    } else {
        (None, None, None, FitnessStatus::Incomplete { missing })
    };
    Ok(FitnessResult {
        grade,
        sex,
        bmi,
        bmi_category: category,
        items,
        bonus_total,
        standard_score,
        year_total,
        level,
        status,
    })
}

/// 单项得分 and 附加分 of one result (README 1.3, 1.5).
///
/// For [`FitnessItem::Bmi`], `value` is the BMI in kg/m²; it is rounded half-up to 0.1 and
/// scored by the grade's bands (1.4), with no bonus.
pub fn item_score(
    item: FitnessItem,
    grade: FitnessGrade,
    sex: Sex,
    value: f64,
) -> Result<ItemScore, ScoreError> {
    if item == FitnessItem::Bmi {
        let bmi = Bmi::from_f64(value)?;
        return Ok(ItemScore {
            score: bmi_category(grade, sex, bmi).score(),
            bonus: 0,
        });
    }
    if !item.is_valid_value(value) {
        return Err(ScoreError::InvalidValue { item, value });
    }
    tables()
        .item(item, grade, sex, value)
        .map(|(score, bonus)| ItemScore { score, bonus })
        .ok_or(ScoreError::NotApplicable { item, grade, sex })
}

/// Whether the grade and sex take the item (README 1.2).
pub fn applies(item: FitnessItem, grade: FitnessGrade, sex: Sex) -> bool {
    weight(item, grade, sex).is_some()
}

/// The item's weight (权重) in percent for the grade and sex, `None` if not taken.
pub fn weight(item: FitnessItem, grade: FitnessGrade, sex: Sex) -> Option<u8> {
    let w = tables().weights(grade, sex)[item.index()];
    (w > 0).then_some(w)
}

/// The items a grade and sex must have for a total: every weighted item, BMI included. The
/// standard has no alternative items (README 1.2).
pub fn required_items(grade: FitnessGrade, sex: Sex) -> ItemSet {
    FitnessItem::ALL
        .into_iter()
        .filter(|&i| applies(i, grade, sex))
        .collect()
}

/// The most 附加分 the item can earn for this grade and sex (0 if it carries none).
pub fn max_item_bonus(item: FitnessItem, grade: FitnessGrade, sex: Sex) -> u8 {
    tables().bonus_steps(item, grade, sex)
}

/// 等级 of a 学年总分 or 毕业成绩 (`fitness_levels.csv`: 优秀 ≥ 90.0, 良好 80.0–89.9, 及格
/// 60.0–79.9, 不及格 ≤ 59.9).
pub fn level_for(total: Points) -> Level {
    tables().level(total.tenths())
}

/// 毕业成绩 and its 等级.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct GraduationScore {
    pub score: Points,
    pub level: Level,
}

/// 毕业成绩 = 毕业当年学年总分 × 50% + 其他学年学年总分的平均分 × 50% (README 1.6), graded
/// with the same 等级 bands.
///
/// Rounded half-up to 0.1 before the 等级 is read, the same convention as 标准分 (README 1.6
/// states it for 标准分; the standard is silent for 毕业成绩). Computed exactly in integers.
/// `other_years` are the 学年总分 of the stage's other tested years, in any order; with none the
/// rule is undefined and this is an error, not a guess.
pub fn graduation_score(
    final_year: Points,
    other_years: &[Points],
) -> Result<GraduationScore, GraduationError> {
    if let Some(&bad) = std::iter::once(&final_year)
        .chain(other_years)
        .find(|p| **p > MAX_YEAR_TOTAL)
    {
        return Err(GraduationError::InvalidYearTotal(bad));
    }
    if other_years.is_empty() {
        return Err(GraduationError::NoOtherYears);
    }
    let n = other_years.len() as u64;
    let f = u64::from(final_year.tenths());
    let s: u64 = other_years.iter().map(|p| u64::from(p.tenths())).sum();
    // (f·n + s) / 2n tenths, half-up: floor((f·n + s + n) / 2n).
    let tenths = (f * n + s + n) / (2 * n);
    let score = Points::from_tenths(tenths as u16);
    Ok(GraduationScore {
        score,
        level: level_for(score),
    })
}
