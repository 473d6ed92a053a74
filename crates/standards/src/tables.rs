//! The embedded CSVs (`data/`, byte-identical copies of `../shared/standards/`) and their parse,
//! once, into flat sorted arrays.
//!
//! Layout, chosen so that scoring a record allocates nothing and touches little memory: every
//! single-item table is one fixed row of 20 thresholds (best level first, padded after the last
//! level with values no result reaches) and 21 scores (the slot after the last level scores 0),
//! addressed by a small `TableRef` per (item, grade, sex): 156 rows, 25 KB. A lookup is a
//! branch-free binary search (`partition_point`) over the row. Bonus tables are rows of
//! *absolute* thresholds (100-point threshold ± delta), so a bonus is the same search as a score.
//! A `Plan` per grade and sex lists the items it takes with their weights and rows, so scoring a
//! record walks only those. (Measured: the plan made scoring ~25 % faster; a vectorised linear
//! count instead of the binary search was ~20 % slower.) BMI bands, 等级 bands and the WS/T
//! cut-offs are integer tenths, which makes every band edge exact.
//!
//! The parse also checks the structural rules of README 4.2 (20 levels, strictly monotone
//! thresholds, bands that meet at 0.1, weights adding up to 100, …) and fails loudly: a bad edit
//! of `data/` cannot produce silently wrong scores.
use std::collections::BTreeMap;
use std::sync::LazyLock;

use wuyu_domain::Sex;

use crate::bmi::BmiCategory;
use crate::error::TableError;
use crate::fitness::{Direction, FitnessGrade, FitnessItem, Level, sex_index};

/// The texts the tables are parsed from: the embedded files, or (in tests) edited copies.
#[derive(Clone, Copy)]
struct Sources<'a> {
    scores: &'a str,
    bmi: &'a str,
    bonus: &'a str,
    weights: &'a str,
    levels: &'a str,
    wst586: &'a str,
    wst456_stunting: &'a str,
    wst456_thinness: &'a str,
}

const EMBEDDED: Sources<'static> = Sources {
    scores: include_str!("../data/fitness_scores.csv"),
    bmi: include_str!("../data/fitness_bmi.csv"),
    bonus: include_str!("../data/fitness_bonus.csv"),
    weights: include_str!("../data/fitness_weights.csv"),
    levels: include_str!("../data/fitness_levels.csv"),
    wst586: include_str!("../data/wst586_bmi_overweight_obesity.csv"),
    wst456_stunting: include_str!("../data/wst456_stunting_height.csv"),
    wst456_thinness: include_str!("../data/wst456_thinness_bmi.csv"),
};

/// The 20 score levels of every single-item table, best first (README 1.3).
pub const SCORE_LEVELS: [u8; 20] = [
    100, 95, 90, 85, 80, 78, 76, 74, 72, 70, 68, 66, 64, 62, 60, 50, 40, 30, 20, 10,
];

/// WS/T 586: half-year age groups 6.0 … 18.0 (25 rows per sex).
pub(crate) const WST586_GROUPS: usize = 25;
/// WS/T 456: half-year age groups 6.0 … 17.5 (24 rows per sex).
pub(crate) const WST456_GROUPS: usize = 24;

/// Rows of one table while parsing: (item, grade, sex) → (first line, (level, value) pairs).
type Groups = BTreeMap<(usize, usize, usize), (usize, Vec<(u8, f64)>)>;

const TABLES_PER_ITEM: usize = FitnessGrade::COUNT * 2;

/// Where one single-item table lives. `len == 0`: the item does not apply.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TableRef {
    row: u16,
    len: u8,
    /// Row of `bonus`; rows 0 and 1 are the empty ones (for higher / lower is better).
    bonus_row: u16,
    bonus_len: u8,
}

/// Most measured items any grade and sex takes (README 1.2 has at most 6 besides BMI).
const MAX_ITEMS: usize = 10;

/// What one grade and sex take, precomputed so that scoring a record walks only its own items:
/// the BMI weight, and each measured item with its weight and table.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Plan {
    pub bmi_weight: u8,
    /// Bit `item.index()` set for each measured item taken.
    pub mask: u16,
    len: u8,
    entries: [PlanEntry; MAX_ITEMS],
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct PlanEntry {
    pub item: FitnessItem,
    pub weight: u8,
    table: TableRef,
}

impl Default for PlanEntry {
    fn default() -> Self {
        Self {
            item: FitnessItem::Bmi,
            weight: 0,
            table: TableRef::default(),
        }
    }
}

impl Plan {
    pub fn entries(&self) -> &[PlanEntry] {
        &self.entries[..usize::from(self.len)]
    }
}

/// Threshold slots per row: the 20 levels of README 1.3 (fewer for pull-ups, padded).
const ROW: usize = 20;

/// One BMI band in tenths of kg/m², both ends inclusive; `None` = open.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BmiBand {
    pub category: BmiCategory,
    pub min: Option<u32>,
    pub max: Option<u32>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct LevelBand {
    pub level: Level,
    /// Inclusive lower bound in tenths; `None` for 不及格.
    pub min: Option<u16>,
}

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Thinness456 {
    /// BMI ≤ this (tenths): 中重度消瘦.
    pub moderate_severe_max: u32,
    /// BMI in `mild_min..=mild_max` (tenths): 轻度消瘦.
    pub mild_min: u32,
    pub mild_max: u32,
}

pub(crate) struct Tables {
    refs: [TableRef; FitnessItem::COUNT * TABLES_PER_ITEM],
    thresholds: Vec<[f64; ROW]>,
    scores: Vec<[u8; ROW + 1]>,
    bonus: Vec<[f64; ROW]>,
    /// Weight in % per item, indexed `[grade * 2 + sex][item]`; 0 = not taken.
    weights: [[u8; FitnessItem::COUNT]; TABLES_PER_ITEM],
    /// Indexed `[grade * 2 + sex]`.
    plans: [Plan; TABLES_PER_ITEM],
    /// Four bands, lowest first, indexed `[bmi_grade * 2 + sex]`.
    bmi: [[BmiBand; 4]; 13 * 2],
    /// Highest first.
    levels: [LevelBand; 4],
    /// (overweight min, obesity min) in tenths, `[sex][age group]`.
    pub wst586: [[(u32, u32); WST586_GROUPS]; 2],
    /// Stunting height maximum in cm, `[sex][age group]`.
    pub stunting: [[f64; WST456_GROUPS]; 2],
    pub thinness: [[Thinness456; WST456_GROUPS]; 2],
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    Tables::parse(&EMBEDDED).unwrap_or_else(|e| panic!("embedded standards table is invalid: {e}"))
});

pub(crate) fn tables() -> &'static Tables {
    &TABLES
}

/// Parses every embedded table afresh and reports the first structural problem. The tables are
/// parsed anyway on first use; this lets a binary check them at start-up instead of panicking
/// later.
pub fn verify_embedded_tables() -> Result<(), TableError> {
    Tables::parse(&EMBEDDED).map(|_| ())
}

#[inline]
fn ref_index(item: FitnessItem, grade: FitnessGrade, sex: Sex) -> usize {
    (item.index() * FitnessGrade::COUNT + grade.index()) * 2 + sex_index(sex)
}

#[inline]
fn gs_index(grade: FitnessGrade, sex: Sex) -> usize {
    grade.index() * 2 + sex_index(sex)
}

impl Tables {
    /// Score and bonus of a measured (non-BMI) item, or `None` if the item has no table for this
    /// grade and sex. `value` must be finite (callers validate).
    ///
    /// README 1.3: higher-is-better, the highest level whose threshold ≤ the result; times, the
    /// highest level whose threshold ≥ the result; worse than the last level, 0. README 1.5: the
    /// largest bonus whose absolute threshold the result reaches.
    #[inline]
    pub fn item(
        &self,
        item: FitnessItem,
        grade: FitnessGrade,
        sex: Sex,
        value: f64,
    ) -> Option<(u8, u8)> {
        let r = self.refs[ref_index(item, grade, sex)];
        (r.len > 0).then(|| self.lookup(item, r, value))
    }

    /// Score and bonus of one plan entry; `value` must be finite (callers validate).
    #[inline(always)]
    pub fn entry(&self, e: &PlanEntry, value: f64) -> (u8, u8) {
        self.lookup(e.item, e.table, value)
    }

    /// README 1.3: higher-is-better, the highest level whose threshold ≤ the result; times, the
    /// highest level whose threshold ≥ the result; worse than the last level, 0. README 1.5: the
    /// largest bonus whose absolute threshold the result reaches.
    #[inline(always)]
    fn lookup(&self, item: FitnessItem, r: TableRef, value: f64) -> (u8, u8) {
        let thr = &self.thresholds[usize::from(r.row)];
        let bonus = &self.bonus[usize::from(r.bonus_row)];
        // Thresholds are stored best level first, so the levels a result reaches form a suffix;
        // the number it does not reach is the index of the best one it does (past the last
        // level: the score slot after it, 0). Bonus points run 1..n (checked at parse), so the
        // number of steps reached is the bonus.
        let (i, b) = match item.direction() {
            Direction::Lower => (
                thr.partition_point(|&t| t < value),
                bonus.partition_point(|&t| t >= value),
            ),
            _ => (
                thr.partition_point(|&t| t > value),
                bonus.partition_point(|&t| t <= value),
            ),
        };
        (self.scores[usize::from(r.row)][i], b as u8)
    }

    #[inline]
    pub fn plan(&self, grade: FitnessGrade, sex: Sex) -> &Plan {
        &self.plans[gs_index(grade, sex)]
    }

    /// How many bonus steps the item has for this grade and sex: its maximum 附加分.
    pub fn bonus_steps(&self, item: FitnessItem, grade: FitnessGrade, sex: Sex) -> u8 {
        self.refs[ref_index(item, grade, sex)].bonus_len
    }

    pub fn has_table(&self, item: FitnessItem, grade: FitnessGrade, sex: Sex) -> bool {
        self.refs[ref_index(item, grade, sex)].len > 0
    }

    #[inline]
    pub fn weights(&self, grade: FitnessGrade, sex: Sex) -> &[u8; FitnessItem::COUNT] {
        &self.weights[gs_index(grade, sex)]
    }

    #[inline]
    pub fn bmi_bands(&self, grade: FitnessGrade, sex: Sex) -> &[BmiBand; 4] {
        &self.bmi[grade.bmi_index() * 2 + sex_index(sex)]
    }

    #[inline]
    pub fn level(&self, tenths: u16) -> Level {
        for band in &self.levels {
            if band.min.is_none_or(|m| tenths >= m) {
                return band.level;
            }
        }
        // Unreachable: the parse checks that the lowest band is open below.
        Level::Fail
    }

    fn parse(src: &Sources<'_>) -> Result<Tables, TableError> {
        let mut t = Tables {
            refs: [TableRef::default(); FitnessItem::COUNT * TABLES_PER_ITEM],
            thresholds: Vec::with_capacity(160),
            scores: Vec::with_capacity(160),
            // The two empty bonus rows: never reached, for higher- and lower-is-better items.
            bonus: vec![[f64::INFINITY; ROW], [f64::NEG_INFINITY; ROW]],
            weights: [[0; FitnessItem::COUNT]; TABLES_PER_ITEM],
            plans: [Plan::default(); TABLES_PER_ITEM],
            bmi: [[BmiBand {
                category: BmiCategory::Normal,
                min: None,
                max: None,
            }; 4]; 26],
            levels: [LevelBand {
                level: Level::Fail,
                min: None,
            }; 4],
            wst586: [[(0, 0); WST586_GROUPS]; 2],
            stunting: [[0.0; WST456_GROUPS]; 2],
            thinness: [[Thinness456::default(); WST456_GROUPS]; 2],
        };
        t.parse_scores(src.scores)?;
        t.parse_bonus(src.bonus)?;
        t.parse_weights(src.weights)?;
        t.parse_bmi(src.bmi)?;
        t.parse_levels(src.levels)?;
        t.parse_wst586(src.wst586)?;
        t.parse_wst456(src.wst456_stunting, src.wst456_thinness)?;
        Ok(t)
    }

    fn parse_scores(&mut self, text: &str) -> Result<(), TableError> {
        const F: &str = "fitness_scores.csv";
        let mut groups: Groups = BTreeMap::new();
        for (line, c) in rows(text, F, "item,sex,grade,score,threshold,unit,direction")? {
            let e = |m: String| err(F, line, m);
            let item = item_code(&c[0]).map_err(e)?;
            if item == FitnessItem::Bmi {
                return Err(e("BMI is scored by bands, not thresholds".into()));
            }
            let sex = sex_code(&c[1]).map_err(e)?;
            let grade = grade_code(&c[2]).map_err(e)?;
            let score: u8 = num(&c[3]).map_err(e)?;
            if !SCORE_LEVELS.contains(&score) {
                return Err(e(format!("{score} is not a score level")));
            }
            let threshold: f64 = num(&c[4]).map_err(e)?;
            if !threshold.is_finite() {
                return Err(e(format!("threshold {threshold} is not finite")));
            }
            check_eq(&c[5], item.unit(), "unit").map_err(e)?;
            check_eq(&c[6], item.direction().code(), "direction").map_err(e)?;
            groups
                .entry((item.index(), grade.index(), sex_index(sex)))
                .or_insert_with(|| (line, Vec::new()))
                .1
                .push((score, threshold));
        }
        for ((item, grade, sex), (line, mut cells)) in groups {
            let item = FitnessItem::ALL[item];
            let e = |m: String| err(F, line, format!("{} {grade} {sex}: {m}", item.code()));
            cells.sort_by_key(|c| std::cmp::Reverse(c.0));
            if cells[0].0 != 100 {
                return Err(e("no 100-point threshold".into()));
            }
            for w in cells.windows(2) {
                if w[0].0 == w[1].0 {
                    return Err(e(format!("score {} twice", w[0].0)));
                }
                // README 4.2: thresholds strictly monotone down the levels.
                let monotone = match item.direction() {
                    Direction::Lower => w[0].1 < w[1].1,
                    _ => w[0].1 > w[1].1,
                };
                if !monotone {
                    return Err(e(format!(
                        "thresholds {} ({}) and {} ({}) are not strictly monotone",
                        w[0].1, w[0].0, w[1].1, w[1].0
                    )));
                }
            }
            if cells.len() != 20 && item != FitnessItem::PullUp {
                return Err(e(format!("{} levels, expected 20", cells.len())));
            }
            if cells.len() > ROW {
                return Err(e(format!("{} levels, at most {ROW}", cells.len())));
            }
            // Padding no result reaches: below every result for higher-is-better (−∞ > v is
            // never true), above every time for lower-is-better.
            let pad = match item.direction() {
                Direction::Lower => f64::INFINITY,
                _ => f64::NEG_INFINITY,
            };
            let mut thr = [pad; ROW];
            let mut sc = [0u8; ROW + 1];
            for (k, (s, th)) in cells.iter().enumerate() {
                thr[k] = *th;
                sc[k] = *s;
            }
            let r = &mut self.refs[(item.index() * FitnessGrade::COUNT + grade) * 2 + sex];
            r.row = self.thresholds.len() as u16;
            r.len = cells.len() as u8;
            r.bonus_row = match item.direction() {
                Direction::Lower => 1,
                _ => 0,
            };
            self.thresholds.push(thr);
            self.scores.push(sc);
        }
        Ok(())
    }

    fn parse_bonus(&mut self, text: &str) -> Result<(), TableError> {
        const F: &str = "fitness_bonus.csv";
        let mut groups: Groups = BTreeMap::new();
        for (line, c) in rows(text, F, "item,sex,grade,bonus,delta,unit")? {
            let e = |m: String| err(F, line, m);
            let item = item_code(&c[0]).map_err(e)?;
            if !item.has_bonus() {
                return Err(e(format!("{} carries no bonus", item.code())));
            }
            let sex = sex_code(&c[1]).map_err(e)?;
            let grade = grade_code(&c[2]).map_err(e)?;
            let bonus: u8 = num(&c[3]).map_err(e)?;
            let delta: f64 = num(&c[4]).map_err(e)?;
            if !(delta > 0.0 && delta.is_finite()) {
                return Err(e(format!("delta {delta} must be positive")));
            }
            check_eq(&c[5], item.unit(), "unit").map_err(e)?;
            groups
                .entry((item.index(), grade.index(), sex_index(sex)))
                .or_insert_with(|| (line, Vec::new()))
                .1
                .push((bonus, delta));
        }
        for ((item, grade, sex), (line, mut steps)) in groups {
            let item = FitnessItem::ALL[item];
            let e = |m: String| err(F, line, format!("{} {grade} {sex}: {m}", item.code()));
            steps.sort_by_key(|s| s.0);
            // README 4.2: bonus points run 1..n and the deltas are strictly increasing, so the
            // count of steps reached is the bonus.
            for (n, s) in steps.iter().enumerate() {
                if usize::from(s.0) != n + 1 {
                    return Err(e(format!("bonus points must run 1..n, found {}", s.0)));
                }
            }
            if steps.windows(2).any(|w| w[0].1 >= w[1].1) {
                return Err(e("deltas are not strictly increasing".into()));
            }
            let r = &mut self.refs[(item.index() * FitnessGrade::COUNT + grade) * 2 + sex];
            if r.len == 0 {
                return Err(e("bonus table without a score table".into()));
            }
            if steps.len() > ROW {
                return Err(e(format!("{} bonus steps, at most {ROW}", steps.len())));
            }
            let t100 = self.thresholds[usize::from(r.row)][0];
            let mut row = self.bonus[r.bonus_row as usize];
            for (k, &(_, delta)) in steps.iter().enumerate() {
                let abs = match item.direction() {
                    Direction::Lower => t100 - delta,
                    _ => t100 + delta,
                };
                // Exact only for whole numbers; every bonus table is in counts or whole seconds.
                if abs.fract() != 0.0 || t100.fract() != 0.0 || delta.fract() != 0.0 {
                    return Err(e(format!("bonus threshold {t100} ± {delta} is not whole")));
                }
                row[k] = abs;
            }
            r.bonus_row = self.bonus.len() as u16;
            r.bonus_len = steps.len() as u8;
            self.bonus.push(row);
        }
        Ok(())
    }

    fn parse_weights(&mut self, text: &str) -> Result<(), TableError> {
        const F: &str = "fitness_weights.csv";
        let mut seen = [false; TABLES_PER_ITEM];
        for (line, c) in rows(text, F, "grade,grade_group,sex,item,weight_percent")? {
            let e = |m: String| err(F, line, m);
            let grade = grade_code(&c[0]).map_err(e)?;
            check_eq(&c[1], grade.group(), "grade_group").map_err(e)?;
            let sex = sex_code(&c[2]).map_err(e)?;
            let item = item_code(&c[3]).map_err(e)?;
            let w: u8 = num(&c[4]).map_err(e)?;
            let gs = gs_index(grade, sex);
            if w == 0 || self.weights[gs][item.index()] != 0 {
                return Err(e("zero or repeated weight".into()));
            }
            self.weights[gs][item.index()] = w;
            seen[gs] = true;
        }
        for grade in FitnessGrade::ALL {
            for sex in [Sex::Male, Sex::Female] {
                let e = |m: String| err(F, 0, format!("{grade} {}: {m}", sex.code()));
                let w = self.weights(grade, sex);
                let sum: u32 = w.iter().map(|&x| u32::from(x)).sum();
                if sum != 100 {
                    return Err(e(format!("weights add up to {sum}, not 100")));
                }
                if w[FitnessItem::Bmi.index()] == 0 {
                    return Err(e("no BMI weight".into()));
                }
                // A weighted item must have a table and a table must carry a weight.
                let mut plan = Plan {
                    bmi_weight: w[FitnessItem::Bmi.index()],
                    ..Plan::default()
                };
                for item in FitnessItem::ALL.into_iter().skip(1) {
                    let weight = w[item.index()];
                    if (weight > 0) != self.has_table(item, grade, sex) {
                        return Err(e(format!(
                            "{} weight and score table disagree",
                            item.code()
                        )));
                    }
                    if weight > 0 {
                        plan.entries[usize::from(plan.len)] = PlanEntry {
                            item,
                            weight,
                            table: self.refs[ref_index(item, grade, sex)],
                        };
                        plan.len += 1;
                        plan.mask |= 1 << item.index();
                    }
                }
                self.plans[gs_index(grade, sex)] = plan;
            }
        }
        Ok(())
    }

    fn parse_bmi(&mut self, text: &str) -> Result<(), TableError> {
        const F: &str = "fitness_bmi.csv";
        let mut count = [0usize; 26];
        for (line, c) in rows(text, F, "sex,grade,category,score,bmi_min,bmi_max")? {
            let e = |m: String| err(F, line, m);
            let sex = sex_code(&c[0]).map_err(e)?;
            let g = if c[1] == "U" {
                12
            } else {
                let g = grade_code(&c[1]).map_err(e)?;
                if g.is_university() {
                    return Err(e("university BMI rows use grade U".into()));
                }
                g.index()
            };
            let category = BmiCategory::from_label_zh(&c[2])
                .ok_or_else(|| e(format!("unknown BMI category {}", c[2])))?;
            let score: u8 = num(&c[3]).map_err(e)?;
            if score != category.score() {
                return Err(e(format!(
                    "{} scores {}, not {score}",
                    c[2],
                    category.score()
                )));
            }
            let min = opt_tenths(&c[4]).map_err(e)?;
            let max = opt_tenths(&c[5]).map_err(e)?;
            let k = g * 2 + sex_index(sex);
            let n = count[k];
            // README 1.4: four bands per sex and grade, 低体重 / 正常 / 超重 / 肥胖.
            let order = [
                BmiCategory::Underweight,
                BmiCategory::Normal,
                BmiCategory::Overweight,
                BmiCategory::Obese,
            ];
            if n >= 4 || order[n] != category {
                return Err(e(format!("band {} out of order", c[2])));
            }
            self.bmi[k][n] = BmiBand { category, min, max };
            count[k] += 1;
        }
        for (k, bands) in self.bmi.iter().enumerate() {
            let e = |m: String| err(F, 0, format!("table {k}: {m}"));
            if count[k] != 4 {
                return Err(e(format!("{} bands, expected 4", count[k])));
            }
            if bands[0].min.is_some() || bands[3].max.is_some() {
                return Err(e("outer bands must be open".into()));
            }
            // README 4.2: the bands meet at 0.1 steps, so every tenth has exactly one band.
            for w in bands.windows(2) {
                match (w[0].max, w[1].min) {
                    (Some(a), Some(b)) if b == a + 1 => {}
                    _ => return Err(e("bands do not meet at 0.1".into())),
                }
            }
            for b in bands {
                if let (Some(lo), Some(hi)) = (b.min, b.max)
                    && lo > hi
                {
                    return Err(e("empty band".into()));
                }
            }
        }
        Ok(())
    }

    fn parse_levels(&mut self, text: &str) -> Result<(), TableError> {
        const F: &str = "fitness_levels.csv";
        let mut parsed = Vec::new();
        for (line, c) in rows(text, F, "level,level_en,total_min,total_max")? {
            let e = |m: String| err(F, line, m);
            let level = Level::from_code(&c[1]).ok_or_else(|| e(format!("level {}", c[1])))?;
            check_eq(&c[0], level.label_zh(), "level").map_err(e)?;
            let min = opt_tenths(&c[2]).map_err(e)?;
            let max = opt_tenths(&c[3]).map_err(e)?;
            parsed.push((line, level, min, max));
        }
        let e = |m: String| err(F, 0, m);
        if parsed.len() != 4 {
            return Err(e(format!("{} levels, expected 4", parsed.len())));
        }
        parsed.sort_by_key(|p| std::cmp::Reverse(p.2));
        if parsed[0].3.is_some() || parsed[3].2.is_some() {
            return Err(e(
                "the top level must be open above, the bottom open below".into()
            ));
        }
        for w in parsed.windows(2) {
            match (w[1].3, w[0].2) {
                (Some(a), Some(b)) if b == a + 1 => {}
                _ => return Err(e("level bands do not meet at 0.1".into())),
            }
        }
        for (i, (_, level, min, _)) in parsed.into_iter().enumerate() {
            let min = min.map(|m| u16::try_from(m).map_err(|_| e("too large".into())));
            self.levels[i] = LevelBand {
                level,
                min: min.transpose()?,
            };
        }
        Ok(())
    }

    fn parse_wst586(&mut self, text: &str) -> Result<(), TableError> {
        const F: &str = "wst586_bmi_overweight_obesity.csv";
        let mut next = [0usize; 2];
        for (line, c) in rows(text, F, "sex,age_years,overweight_bmi_min,obesity_bmi_min")? {
            let e = |m: String| err(F, line, m);
            let s = sex_index(sex_code(&c[0]).map_err(e)?);
            let group = age_group(&c[1], next[s], WST586_GROUPS).map_err(e)?;
            let ow = tenths(&c[2]).map_err(e)?;
            let ob = tenths(&c[3]).map_err(e)?;
            if ow >= ob {
                return Err(e("overweight cut-off not below obesity".into()));
            }
            self.wst586[s][group] = (ow, ob);
            next[s] += 1;
        }
        if next != [WST586_GROUPS; 2] {
            return Err(err(F, 0, format!("{next:?} rows, expected 25 per sex")));
        }
        Ok(())
    }

    fn parse_wst456(&mut self, stunting: &str, thin: &str) -> Result<(), TableError> {
        const FS: &str = "wst456_stunting_height.csv";
        let mut next = [0usize; 2];
        for (line, c) in rows(stunting, FS, "sex,age_years,stunting_height_max_cm")? {
            let e = |m: String| err(FS, line, m);
            let s = sex_index(sex_code(&c[0]).map_err(e)?);
            let group = age_group(&c[1], next[s], WST456_GROUPS).map_err(e)?;
            let h: f64 = num(&c[2]).map_err(e)?;
            if !(h > 0.0 && h.is_finite()) {
                return Err(e(format!("height {h}")));
            }
            self.stunting[s][group] = h;
            next[s] += 1;
        }
        if next != [WST456_GROUPS; 2] {
            return Err(err(FS, 0, format!("{next:?} rows, expected 24 per sex")));
        }

        const FT: &str = "wst456_thinness_bmi.csv";
        let mut next = [0usize; 2];
        for (line, c) in rows(
            thin,
            FT,
            "sex,age_years,moderate_severe_thinness_bmi_max,mild_thinness_bmi_min,mild_thinness_bmi_max",
        )? {
            let e = |m: String| err(FT, line, m);
            let s = sex_index(sex_code(&c[0]).map_err(e)?);
            let group = age_group(&c[1], next[s], WST456_GROUPS).map_err(e)?;
            let t = Thinness456 {
                moderate_severe_max: tenths(&c[2]).map_err(e)?,
                mild_min: tenths(&c[3]).map_err(e)?,
                mild_max: tenths(&c[4]).map_err(e)?,
            };
            // README 3 / 4.2: the two bands meet.
            if t.mild_min != t.moderate_severe_max + 1 || t.mild_min > t.mild_max {
                return Err(e("thinness bands do not meet at 0.1".into()));
            }
            self.thinness[s][group] = t;
            next[s] += 1;
        }
        if next != [WST456_GROUPS; 2] {
            return Err(err(FT, 0, format!("{next:?} rows, expected 24 per sex")));
        }
        Ok(())
    }
}

fn err(file: &'static str, line: usize, message: String) -> TableError {
    TableError {
        file,
        line,
        message,
    }
}

/// Data rows of an embedded CSV as (1-based line number, fields). These files have no quoted
/// fields; a quote would be a sign of an edit this parser does not understand, so it is refused.
fn rows(
    text: &str,
    file: &'static str,
    header: &str,
) -> Result<Vec<(usize, Vec<String>)>, TableError> {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    if first.trim_start_matches('\u{feff}') != header {
        return Err(err(
            file,
            1,
            format!("header {first:?}, expected {header:?}"),
        ));
    }
    let width = header.split(',').count();
    let mut out = Vec::new();
    for (i, l) in lines.enumerate() {
        let line = i + 2;
        if l.is_empty() {
            continue;
        }
        if l.contains('"') {
            return Err(err(file, line, "quoted field".into()));
        }
        let fields: Vec<String> = l.split(',').map(|f| f.trim().to_string()).collect();
        if fields.len() != width {
            return Err(err(
                file,
                line,
                format!("{} fields, expected {width}", fields.len()),
            ));
        }
        out.push((line, fields));
    }
    Ok(out)
}

fn num<T: std::str::FromStr>(s: &str) -> Result<T, String> {
    s.parse().map_err(|_| format!("{s:?} is not a number"))
}

fn check_eq(got: &str, want: &str, what: &str) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what} {got:?}, expected {want:?}"))
    }
}

fn item_code(s: &str) -> Result<FitnessItem, String> {
    FitnessItem::parse(s).map_err(|e| e.to_string())
}

fn sex_code(s: &str) -> Result<Sex, String> {
    match s {
        "M" => Ok(Sex::Male),
        "F" => Ok(Sex::Female),
        _ => Err(format!("sex {s:?}")),
    }
}

fn grade_code(s: &str) -> Result<FitnessGrade, String> {
    GRADE_CODE_LIST
        .iter()
        .position(|c| *c == s)
        .map(|i| FitnessGrade::ALL[i])
        .ok_or_else(|| format!("grade {s:?}"))
}

const GRADE_CODE_LIST: [&str; 14] = [
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "U12", "U34",
];

/// A decimal written with at most one decimal place, as integer tenths (exact; no float).
pub(crate) fn tenths(s: &str) -> Result<u32, String> {
    let bad = || format!("{s:?} is not a non-negative number with one decimal");
    let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
    if whole.is_empty()
        || frac.len() != 1
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let w: u32 = whole.parse().map_err(|_| bad())?;
    let f: u32 = frac.parse().map_err(|_| bad())?;
    w.checked_mul(10)
        .and_then(|x| x.checked_add(f))
        .ok_or_else(bad)
}

fn opt_tenths(s: &str) -> Result<Option<u32>, String> {
    if s.is_empty() {
        Ok(None)
    } else {
        tenths(s).map(Some)
    }
}

/// The WS/T tables list half-year groups from 6.0 in order; row `expected` must be age
/// 6.0 + expected / 2.
fn age_group(s: &str, expected: usize, groups: usize) -> Result<usize, String> {
    let t = tenths(s)?;
    let want = 60 + 5 * expected as u32;
    if expected >= groups || t != want {
        return Err(format!(
            "age {s} out of order, expected {}.{}",
            want / 10,
            want % 10
        ));
    }
    Ok(expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses the embedded tables with one edit; the edit must break them.
    fn parse_with(edit: impl FnOnce(&mut Sources<'static>)) -> TableError {
        let mut src = EMBEDDED;
        edit(&mut src);
        match Tables::parse(&src) {
            Ok(_) => panic!("the edited tables parsed"),
            Err(e) => e,
        }
    }

    /// Edited texts must outlive the parse; leaking a few KB in a test is fine.
    fn leak(s: String) -> &'static str {
        Box::leak(s.into_boxed_str())
    }

    #[test]
    fn the_embedded_tables_parse() {
        verify_embedded_tables().unwrap();
        let t = tables();
        assert_eq!(t.thresholds.len(), 156);
        assert_eq!(t.bonus.len(), 2 + 44);
    }

    #[test]
    fn a_threshold_out_of_order_is_refused() {
        // 一年级男 肺活量: 95 points needs 1600 ml; make it 1800, above the 100-point 1700.
        let e = parse_with(|s| {
            s.scores = leak(s.scores.replacen(
                "vital_capacity,M,1,95,1600,",
                "vital_capacity,M,1,95,1800,",
                1,
            ))
        });
        assert_eq!(e.file, "fitness_scores.csv");
        assert!(e.message.contains("not strictly monotone"), "{e}");
    }

    #[test]
    fn a_missing_level_is_refused() {
        let e = parse_with(|s| {
            s.scores = leak(
                s.scores
                    .replacen("vital_capacity,M,1,78,1240,ml,higher\r\n", "", 1),
            )
        });
        assert!(e.message.contains("19 levels, expected 20"), "{e}");
    }

    #[test]
    fn weights_not_adding_up_to_100_are_refused() {
        let e = parse_with(|s| {
            s.weights = leak(s.weights.replacen("1,1-2,M,bmi,15", "1,1-2,M,bmi,14", 1))
        });
        assert!(e.message.contains("add up to 99"), "{e}");
    }

    #[test]
    fn bmi_bands_with_a_gap_are_refused() {
        let e = parse_with(|s| {
            s.bmi = leak(
                s.bmi
                    .replacen("M,1,正常,100,13.5,18.1", "M,1,正常,100,13.6,18.1", 1),
            )
        });
        assert!(e.message.contains("do not meet"), "{e}");
    }

    #[test]
    fn a_bonus_step_out_of_order_is_refused() {
        let e = parse_with(|s| {
            s.bonus = leak(
                s.bonus
                    .replacen("run_1000m,M,7,2,8,s", "run_1000m,M,7,2,3,s", 1),
            )
        });
        assert!(e.message.contains("not strictly increasing"), "{e}");
    }

    #[test]
    fn a_wst_row_out_of_order_is_refused() {
        let e = parse_with(|s| s.wst586 = leak(s.wst586.replacen("M,6.5,", "M,7.5,", 1)));
        assert!(e.message.contains("out of order"), "{e}");
    }
}
