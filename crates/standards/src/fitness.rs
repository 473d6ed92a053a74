//! The vocabulary of 国家学生体质健康标准（2014年修订）: items, grades, directions, levels, and
//! small allocation-free collections keyed by item.
use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use wuyu_domain::{Grade, Sex};

use crate::error::ScoreError;

/// Whether a bigger result is better (肺活量), a smaller one (times), or the item is scored by
/// bands (BMI). README 1.1, column `direction` of `fitness_items.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Higher,
    Lower,
    Band,
}

impl Direction {
    pub fn code(self) -> &'static str {
        match self {
            Direction::Higher => "higher",
            Direction::Lower => "lower",
            Direction::Band => "band",
        }
    }
}

/// A test item of the standard, with the codes of `fitness_items.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FitnessItem {
    #[serde(rename = "bmi")]
    Bmi,
    #[serde(rename = "vital_capacity")]
    VitalCapacity,
    #[serde(rename = "run_50m")]
    Run50m,
    #[serde(rename = "sit_and_reach")]
    SitAndReach,
    #[serde(rename = "rope_skip_1min")]
    RopeSkip1min,
    #[serde(rename = "sit_up_1min")]
    SitUp1min,
    #[serde(rename = "shuttle_50x8")]
    Shuttle50x8,
    #[serde(rename = "standing_long_jump")]
    StandingLongJump,
    #[serde(rename = "pull_up")]
    PullUp,
    #[serde(rename = "run_1000m")]
    Run1000m,
    #[serde(rename = "run_800m")]
    Run800m,
}

impl FitnessItem {
    pub const COUNT: usize = 11;

    /// In the order of `fitness_items.csv`; `ALL[i].index() == i`.
    pub const ALL: [FitnessItem; Self::COUNT] = [
        FitnessItem::Bmi,
        FitnessItem::VitalCapacity,
        FitnessItem::Run50m,
        FitnessItem::SitAndReach,
        FitnessItem::RopeSkip1min,
        FitnessItem::SitUp1min,
        FitnessItem::Shuttle50x8,
        FitnessItem::StandingLongJump,
        FitnessItem::PullUp,
        FitnessItem::Run1000m,
        FitnessItem::Run800m,
    ];

    pub const fn index(self) -> usize {
        self as usize
    }

    pub fn code(self) -> &'static str {
        match self {
            FitnessItem::Bmi => "bmi",
            FitnessItem::VitalCapacity => "vital_capacity",
            FitnessItem::Run50m => "run_50m",
            FitnessItem::SitAndReach => "sit_and_reach",
            FitnessItem::RopeSkip1min => "rope_skip_1min",
            FitnessItem::SitUp1min => "sit_up_1min",
            FitnessItem::Shuttle50x8 => "shuttle_50x8",
            FitnessItem::StandingLongJump => "standing_long_jump",
            FitnessItem::PullUp => "pull_up",
            FitnessItem::Run1000m => "run_1000m",
            FitnessItem::Run800m => "run_800m",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            FitnessItem::Bmi => "体重指数（BMI）",
            FitnessItem::VitalCapacity => "肺活量",
            FitnessItem::Run50m => "50米跑",
            FitnessItem::SitAndReach => "坐位体前屈",
            FitnessItem::RopeSkip1min => "一分钟跳绳",
            FitnessItem::SitUp1min => "一分钟仰卧起坐",
            FitnessItem::Shuttle50x8 => "50米×8往返跑",
            FitnessItem::StandingLongJump => "立定跳远",
            FitnessItem::PullUp => "引体向上",
            FitnessItem::Run1000m => "1000米跑",
            FitnessItem::Run800m => "800米跑",
        }
    }

    /// The unit as written in the CSVs: `kg/m2`, `ml`, `s` (all times in seconds), `cm`, `count`.
    pub fn unit(self) -> &'static str {
        match self {
            FitnessItem::Bmi => "kg/m2",
            FitnessItem::VitalCapacity => "ml",
            FitnessItem::Run50m
            | FitnessItem::Shuttle50x8
            | FitnessItem::Run1000m
            | FitnessItem::Run800m => "s",
            FitnessItem::SitAndReach | FitnessItem::StandingLongJump => "cm",
            FitnessItem::RopeSkip1min | FitnessItem::SitUp1min | FitnessItem::PullUp => "count",
        }
    }

    pub fn direction(self) -> Direction {
        match self {
            FitnessItem::Bmi => Direction::Band,
            FitnessItem::Run50m
            | FitnessItem::Shuttle50x8
            | FitnessItem::Run1000m
            | FitnessItem::Run800m => Direction::Lower,
            _ => Direction::Higher,
        }
    }

    /// Items with a bonus table (加分指标) for some grade and sex (README 1.5). Which grades and
    /// sexes exactly is in the data: primary 仰卧起坐 carries no bonus, for example.
    pub fn has_bonus(self) -> bool {
        matches!(
            self,
            FitnessItem::RopeSkip1min
                | FitnessItem::PullUp
                | FitnessItem::SitUp1min
                | FitnessItem::Run1000m
                | FitnessItem::Run800m
        )
    }

    /// What a valid result looks like, for error messages.
    pub fn valid_values_zh(self) -> &'static str {
        match self {
            FitnessItem::Bmi => "应为大于 0 的数",
            FitnessItem::SitAndReach => "应为厘米数（可为负）",
            FitnessItem::VitalCapacity | FitnessItem::StandingLongJump => "应为不小于 0 的数",
            FitnessItem::RopeSkip1min | FitnessItem::SitUp1min | FitnessItem::PullUp => {
                "应为不小于 0 的整数（次）"
            }
            FitnessItem::Run50m
            | FitnessItem::Shuttle50x8
            | FitnessItem::Run1000m
            | FitnessItem::Run800m => "应为大于 0 的秒数",
        }
    }

    /// Whether `value` is a possible result at all (not whether it is plausible).
    pub(crate) fn is_valid_value(self, value: f64) -> bool {
        if !value.is_finite() {
            return false;
        }
        match self {
            FitnessItem::SitAndReach => true,
            FitnessItem::Bmi => value > 0.0,
            FitnessItem::VitalCapacity | FitnessItem::StandingLongJump => value >= 0.0,
            // A repetition cannot be split (README 1.3, blank pull-up cells).
            FitnessItem::RopeSkip1min | FitnessItem::SitUp1min | FitnessItem::PullUp => {
                // `as` truncates (and saturates), so this is "a whole number" without a libm
                // call on the hot path.
                value >= 0.0 && value == (value as i64) as f64
            }
            FitnessItem::Run50m
            | FitnessItem::Shuttle50x8
            | FitnessItem::Run1000m
            | FitnessItem::Run800m => value > 0.0,
        }
    }

    pub fn parse(code: &str) -> Result<Self, ScoreError> {
        let t = code.trim();
        Self::ALL
            .into_iter()
            .find(|i| i.code() == t)
            .ok_or_else(|| ScoreError::UnknownItem(t.to_string()))
    }
}

impl fmt::Display for FitnessItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_zh())
    }
}

/// A grade as the fitness standard groups them: 1–12, and the university columns `U12`
/// (大一、大二) and `U34` (大三、大四), which the standard prints as one column each (README 1.1).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FitnessGrade(u8); // 0..=11 → grades 1..=12, 12 → U12, 13 → U34

const GRADE_CODES: [&str; 14] = [
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "U12", "U34",
];

const GRADE_LABELS: [&str; 14] = [
    "一年级",
    "二年级",
    "三年级",
    "四年级",
    "五年级",
    "六年级",
    "初一",
    "初二",
    "初三",
    "高一",
    "高二",
    "高三",
    "大一大二",
    "大三大四",
];

impl FitnessGrade {
    pub const COUNT: usize = 14;
    pub const U12: FitnessGrade = FitnessGrade(12);
    pub const U34: FitnessGrade = FitnessGrade(13);

    /// 1–12, U12, U34, in the standard's order.
    pub const ALL: [FitnessGrade; Self::COUNT] = {
        let mut all = [FitnessGrade(0); Self::COUNT];
        let mut i = 0;
        while i < Self::COUNT {
            all[i] = FitnessGrade(i as u8);
            i += 1;
        }
        all
    };

    /// School grade 1–12.
    pub fn school(grade: u8) -> Result<Self, ScoreError> {
        if (1..=12).contains(&grade) {
            Ok(Self(grade - 1))
        } else {
            Err(ScoreError::BadGrade(grade.to_string()))
        }
    }

    /// Accepts the codes `1`–`12`, `U12`, `U34` (any case), the Chinese school grade names that
    /// `wuyu_domain::Grade::parse` accepts, and 大一 … 大四.
    pub fn parse(s: &str) -> Result<Self, ScoreError> {
        let t = s.trim();
        if let Some(i) = GRADE_CODES.iter().position(|c| c.eq_ignore_ascii_case(t)) {
            return Ok(Self(i as u8));
        }
        match t {
            "大一" | "大二" | "大一大二" => return Ok(Self::U12),
            "大三" | "大四" | "大三大四" => return Ok(Self::U34),
            _ => {}
        }
        Grade::parse(t)
            .map(Self::from)
            .map_err(|_| ScoreError::BadGrade(t.to_string()))
    }

    /// The 年级编号 of the national upload template: 11–16, 21–23, 31–33, and 41–44 for the
    /// university years (41/42 → U12, 43/44 → U34).
    pub fn from_template_code(code: u8) -> Option<Self> {
        match code {
            41 | 42 => Some(Self::U12),
            43 | 44 => Some(Self::U34),
            _ => Grade::from_template_code(code).map(Self::from),
        }
    }

    pub fn code(self) -> &'static str {
        GRADE_CODES[usize::from(self.0)]
    }

    pub fn label_zh(self) -> &'static str {
        GRADE_LABELS[usize::from(self.0)]
    }

    /// The school grade, or `None` for university.
    pub fn school_grade(self) -> Option<Grade> {
        if self.is_university() {
            None
        } else {
            Grade::new(self.0 + 1).ok()
        }
    }

    pub fn is_university(self) -> bool {
        self.0 >= 12
    }

    /// The `grade_group` column of `fitness_weights.csv`: `1-2`, `3-4`, `5-6`, `junior`,
    /// `senior`, `university`.
    pub fn group(self) -> &'static str {
        match self.0 {
            0 | 1 => "1-2",
            2 | 3 => "3-4",
            4 | 5 => "5-6",
            6..=8 => "junior",
            9..=11 => "senior",
            _ => "university",
        }
    }

    /// The column of `fitness_bmi.csv`: the grade, or `U` for every university year.
    pub fn bmi_code(self) -> &'static str {
        if self.is_university() {
            "U"
        } else {
            self.code()
        }
    }

    /// 0..14 in the order of [`FitnessGrade::ALL`].
    pub const fn index(self) -> usize {
        self.0 as usize
    }

    /// 0..13: the BMI table row (all university years share one, README 1.1).
    pub(crate) const fn bmi_index(self) -> usize {
        if self.0 >= 12 { 12 } else { self.0 as usize }
    }
}

impl From<Grade> for FitnessGrade {
    fn from(g: Grade) -> Self {
        Self(g.get() - 1)
    }
}

impl fmt::Debug for FitnessGrade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FitnessGrade({})", self.code())
    }
}

impl fmt::Display for FitnessGrade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Serialised as its code: `"7"`, `"U12"`.
impl Serialize for FitnessGrade {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// Accepts the code as a string (`"7"`, `"U12"`) or a number 1–12.
impl<'de> Deserialize<'de> for FitnessGrade {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = FitnessGrade;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a fitness grade code: 1-12, U12 or U34")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FitnessGrade, E> {
                FitnessGrade::parse(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<FitnessGrade, E> {
                u8::try_from(v)
                    .map_err(|_| ScoreError::BadGrade(v.to_string()))
                    .and_then(FitnessGrade::school)
                    .map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<FitnessGrade, E> {
                u64::try_from(v)
                    .map_err(|_| E::custom(ScoreError::BadGrade(v.to_string())))
                    .and_then(|v| self.visit_u64(v))
            }
        }
        d.deserialize_any(V)
    }
}

pub(crate) const fn sex_index(sex: Sex) -> usize {
    match sex {
        Sex::Male => 0,
        Sex::Female => 1,
    }
}

/// 等级 of a 学年总分 or 毕业成绩 (`fitness_levels.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Fail,
    Pass,
    Good,
    Excellent,
}

impl Level {
    pub fn code(self) -> &'static str {
        match self {
            Level::Excellent => "excellent",
            Level::Good => "good",
            Level::Pass => "pass",
            Level::Fail => "fail",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Level::Excellent => "优秀",
            Level::Good => "良好",
            Level::Pass => "及格",
            Level::Fail => "不及格",
        }
    }

    pub(crate) fn from_code(code: &str) -> Option<Self> {
        [Level::Excellent, Level::Good, Level::Pass, Level::Fail]
            .into_iter()
            .find(|l| l.code() == code)
    }
}

/// A set of items, as a bit set: `Copy`, no allocation (the missing items of an INCOMPLETE
/// record, the required items of a grade).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ItemSet(u16);

impl ItemSet {
    pub const EMPTY: ItemSet = ItemSet(0);

    pub fn contains(self, item: FitnessItem) -> bool {
        self.0 & (1 << item.index()) != 0
    }

    pub fn insert(&mut self, item: FitnessItem) {
        self.0 |= 1 << item.index();
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// In the order of [`FitnessItem::ALL`].
    pub fn iter(self) -> impl Iterator<Item = FitnessItem> {
        FitnessItem::ALL
            .into_iter()
            .filter(move |i| self.contains(*i))
    }
}

impl FromIterator<FitnessItem> for ItemSet {
    fn from_iter<T: IntoIterator<Item = FitnessItem>>(iter: T) -> Self {
        let mut s = ItemSet::EMPTY;
        for i in iter {
            s.insert(i);
        }
        s
    }
}

impl fmt::Debug for ItemSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.iter().map(|i| i.code()))
            .finish()
    }
}

/// Chinese names joined with "、", e.g. `肺活量、50米跑`.
impl fmt::Display for ItemSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, i) in self.iter().enumerate() {
            if n > 0 {
                f.write_str("、")?;
            }
            f.write_str(i.name_zh())?;
        }
        Ok(())
    }
}

/// Serialised as a list of item codes.
impl Serialize for ItemSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// 单项得分 and 附加分 of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct ItemScore {
    /// 0–100, one of the standard's 20 levels or 0 (README 1.3); for BMI 60/80/100 (1.4).
    pub score: u8,
    /// 附加分 earned by beating the 100-point threshold (README 1.5); 0 for other items.
    pub bonus: u8,
}

/// One optional [`ItemScore`] per item, indexed by [`FitnessItem`]. `Copy`, no allocation.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct ItemScores([Option<ItemScore>; FitnessItem::COUNT]);

impl ItemScores {
    pub fn get(&self, item: FitnessItem) -> Option<ItemScore> {
        self.0[item.index()]
    }

    pub(crate) fn set(&mut self, item: FitnessItem, score: ItemScore) {
        self.0[item.index()] = Some(score);
    }

    /// The scored items in the order of [`FitnessItem::ALL`].
    pub fn iter(&self) -> impl Iterator<Item = (FitnessItem, ItemScore)> + '_ {
        FitnessItem::ALL
            .into_iter()
            .filter_map(|i| self.get(i).map(|s| (i, s)))
    }
}

impl fmt::Debug for ItemScores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(i, s)| (i.code(), s)))
            .finish()
    }
}

/// Serialised as a map from item code to `{score, bonus}`, scored items only.
impl Serialize for ItemScores {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter().map(|(i, sc)| (i.code(), sc)))
    }
}
