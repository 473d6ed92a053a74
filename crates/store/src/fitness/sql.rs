//! Fitness and health records (issue 3): the read models, the import plan (resolve 学籍号,
//! score every record with `wuyu-standards` — score at write), and the pieces of SQL the
//! aggregates share. Pure: the backends load the roster snapshot, call [`plan`], and write the
//! plan in the same transaction.
//!
//! # Who may read what
//!
//! Fitness and health results are a student's record, read through the roster scopes:
//!
//! * district roles: everything;
//! * school admin: their school;
//! * teacher ([`Scope::Classes`]): the students of their own classes — aggregates are computed
//!   over those classes only, the class list and a student's history only for those classes;
//! * parent: their own child's history ([`crate::Store::student_fitness`]) only; every aggregate
//!   and class list is [`StoreError::Forbidden`];
//! * counsellor: nothing. A counsellor's scope is for mental-health work (DESIGN, users); fitness
//!   and health screening are not part of it, so every fitness read is `Forbidden`.
//!
//! # Rates and their denominators
//!
//! Every rate is a fraction in 0..=1, `None` when its denominator is 0 (never NaN):
//!
//! * `test_rate` 测试率 = tested / enrolled (students of the group in the roster);
//! * `pass_rate` 合格率, `good_or_better_rate` 优良率, `excellent_rate` 优秀率, `fail_rate`
//!   不及格率: over **complete** records (status OK, which have a 等级); INCOMPLETE records have
//!   no 等级 and are counted in `incomplete` only;
//! * `overweight_rate`, `obese_rate` (WS/T 586): over records with a weight status (height and
//!   weight measured, age ≥ 6);
//! * `stunting_rate`, `wasting_rate` (WS/T 456; wasting = mild or moderate/severe thinness):
//!   over records with a malnutrition status (height and weight measured, age 6–18);
//! * `myopia_rate` 近视率: over **screened** records (vision status myopia, reduced vision or
//!   normal; an incomplete or missing screening is not in the denominator).
//!
//! Groups come from the current roster (school, class, its grade, sex, location): a past term's
//! records are counted under the class the student is in now, and `enrolled` is today's roster.
use std::collections::HashMap;

use time::Date;
use wuyu_domain::{
    ClassId, FitnessMeasures, Grade, Location, SchoolId, Scope, Sex, StudentId, Term,
};
use wuyu_standards::{
    BmiCategory, FitnessItem, Level, MalnutritionStatus, VisionStatus, WeightStatus,
};

use crate::StoreError;
use wuyu_monitor::fitness::*;

/// SELECT expressions of a grouping's key, also used as the GROUP BY list.
pub(crate) fn key_sql(by: FitnessGroupBy) -> &'static str {
    match by {
        FitnessGroupBy::District => "",
        FitnessGroupBy::School => "s.school_id, sc.code, sc.name",
        FitnessGroupBy::Grade => "c.grade",
        FitnessGroupBy::Class => "s.school_id, s.class_id, c.grade, c.name",
        FitnessGroupBy::Sex => "s.sex",
        FitnessGroupBy::Location => "sc.location",
    }
}

/// How many key columns [`key_sql`] selects.
pub(crate) fn key_len(by: FitnessGroupBy) -> usize {
    match by {
        FitnessGroupBy::District => 0,
        FitnessGroupBy::School => 3,
        FitnessGroupBy::Grade | FitnessGroupBy::Sex | FitnessGroupBy::Location => 1,
        FitnessGroupBy::Class => 4,
    }
}

// --- scope ---------------------------------------------------------------------------------

/// The roster filter a scope puts on aggregates (`s` = student), with `$n` for the school.
/// `Err(Forbidden)` for parents and counsellors.
pub(crate) fn aggregate_filter(
    scope: &Scope,
    school: Option<SchoolId>,
    first_param: usize,
) -> Result<(String, Vec<i64>), StoreError> {
    let mut sql = String::new();
    let mut binds = Vec::new();
    let narrow = match (scope, school) {
        (Scope::Parent { .. } | Scope::Counsellor { .. }, _) => {
            return Err(StoreError::Forbidden);
        }
        (Scope::District, s) => s,
        (Scope::School { school_id } | Scope::Classes { school_id, .. }, s) => {
            if s.is_some_and(|s| s != *school_id) {
                return Err(StoreError::Forbidden);
            }
            Some(*school_id)
        }
    };
    if let Some(s) = narrow {
        sql.push_str(&format!(" AND s.school_id = ${first_param}"));
        binds.push(s.0);
    }
    if let Scope::Classes { class_ids, .. } = scope {
        if class_ids.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            // Integers, formatted: nothing from outside reaches the SQL text.
            let list: Vec<String> = class_ids.iter().map(|c| c.0.to_string()).collect();
            sql.push_str(&format!(" AND s.class_id IN ({})", list.join(",")));
        }
    }
    Ok((sql, binds))
}

/// Fitness reads are closed to counsellors (module docs).
pub(crate) fn check_not_counsellor(scope: &Scope) -> Result<(), StoreError> {
    if matches!(scope, Scope::Counsellor { .. }) {
        Err(StoreError::Forbidden)
    } else {
        Ok(())
    }
}

pub(crate) fn rate(num: i64, den: i64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

// --- SQL pieces ----------------------------------------------------------------------------

/// Every column of `fitness_record`, in the order [`FitnessW`] binds them and
/// [`record_from_row`] reads them.
pub(crate) const RECORD_COLS: &str = "school_id, student_id, term, test_date, grade, sex, \
    age_years, height_cm, weight_kg, \
    vital_capacity, run_50m, sit_and_reach, rope_skip_1min, sit_up_1min, shuttle_50x8, \
    standing_long_jump, pull_up, run_1000m, run_800m, \
    bmi, bmi_category, bmi_score, \
    vital_capacity_score, run_50m_score, sit_and_reach_score, rope_skip_1min_score, \
    sit_up_1min_score, shuttle_50x8_score, standing_long_jump_score, pull_up_score, \
    run_1000m_score, run_800m_score, \
    rope_skip_1min_bonus, sit_up_1min_bonus, pull_up_bonus, run_1000m_bonus, run_800m_bonus, \
    bonus_total, standard_score, year_total, level, status, missing_items, \
    weight_status, malnutrition, acuity_left, acuity_right, se_left, se_right, vision_status, \
    import_id";

pub(crate) const RECORD_COL_COUNT: usize = 51;

/// [`RECORD_COLS`] with a table prefix (`f.`).
pub(crate) fn record_cols(prefix: &str) -> String {
    RECORD_COLS
        .split(',')
        .map(|c| format!("{prefix}{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `SELECT key, aggs FROM rollup WHERE term AND scope GROUP BY key`: the same text on both
/// backends. `$1` is the term.
pub(crate) fn grouped_sql(
    by: FitnessGroupBy,
    aggs: &str,
    filter: &str,
    materialized: bool,
) -> String {
    let key = key_sql(by);
    let from = rollup_from(materialized);
    if key.is_empty() {
        format!("SELECT {aggs} {from}{filter}")
    } else {
        format!("SELECT {key}, {aggs} {from}{filter} GROUP BY {key} ORDER BY {key}")
    }
}

/// The `ON CONFLICT … DO UPDATE` tail that makes re-importing a term replace the record.
pub(crate) fn upsert_tail() -> String {
    let set: Vec<String> = RECORD_COLS
        .split(',')
        .map(str::trim)
        .filter(|c| !matches!(*c, "school_id" | "student_id" | "term"))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        " ON CONFLICT (school_id, student_id, term) DO UPDATE SET {}",
        set.join(", ")
    )
}

// --- the rollup --------------------------------------------------------------------------
//
// Aggregates read `fitness_rollup` (migration 0004): per school, term, class and sex, the
// counts and sums below, built from the roster and the records. Every summary is a sum of
// rollup rows, so the page for a million students adds up tens of thousands of rows.

/// Count columns of the rollup with the 0/1 expression (over one student `s` and their record
/// `f` of the term, or NULLs) summed into each. The order is the order of the summary row
/// (see [`summary_from_row`]); the mean 学年总分 sits between `fail_count` and the BMI counts.
const ROLLUP_COUNTS: [(&str, &str); 21] = [
    ("enrolled", "1"),
    (
        "tested",
        "CASE WHEN f.student_id IS NOT NULL THEN 1 ELSE 0 END",
    ),
    ("ok_count", "CASE WHEN f.status = 'OK' THEN 1 ELSE 0 END"),
    (
        "incomplete_count",
        "CASE WHEN f.status = 'INCOMPLETE' THEN 1 ELSE 0 END",
    ),
    (
        "excellent_count",
        "CASE WHEN f.level = 'excellent' THEN 1 ELSE 0 END",
    ),
    ("good_count", "CASE WHEN f.level = 'good' THEN 1 ELSE 0 END"),
    (
        "pass_level_count",
        "CASE WHEN f.level = 'pass' THEN 1 ELSE 0 END",
    ),
    ("fail_count", "CASE WHEN f.level = 'fail' THEN 1 ELSE 0 END"),
    (
        "bmi_underweight",
        "CASE WHEN f.bmi_category = 'underweight' THEN 1 ELSE 0 END",
    ),
    (
        "bmi_normal",
        "CASE WHEN f.bmi_category = 'normal' THEN 1 ELSE 0 END",
    ),
    (
        "bmi_overweight",
        "CASE WHEN f.bmi_category = 'overweight' THEN 1 ELSE 0 END",
    ),
    (
        "bmi_obese",
        "CASE WHEN f.bmi_category = 'obese' THEN 1 ELSE 0 END",
    ),
    (
        "weight_measured",
        "CASE WHEN f.weight_status IS NOT NULL THEN 1 ELSE 0 END",
    ),
    (
        "overweight_count",
        "CASE WHEN f.weight_status = 'overweight' THEN 1 ELSE 0 END",
    ),
    (
        "obese_count",
        "CASE WHEN f.weight_status = 'obese' THEN 1 ELSE 0 END",
    ),
    (
        "growth_measured",
        "CASE WHEN f.malnutrition IS NOT NULL THEN 1 ELSE 0 END",
    ),
    (
        "stunting_count",
        "CASE WHEN f.malnutrition = 'stunting' THEN 1 ELSE 0 END",
    ),
    (
        "wasting_count",
        "CASE WHEN f.malnutrition IN ('mild_thinness', 'moderate_severe_thinness') \
         THEN 1 ELSE 0 END",
    ),
    (
        "vision_screened",
        "CASE WHEN f.vision_status IN ('myopia', 'reduced_vision', 'normal') THEN 1 ELSE 0 END",
    ),
    (
        "myopia_count",
        "CASE WHEN f.vision_status = 'myopia' THEN 1 ELSE 0 END",
    ),
    (
        "reduced_vision_count",
        "CASE WHEN f.vision_status = 'reduced_vision' THEN 1 ELSE 0 END",
    ),
];

/// Where the mean 学年总分 goes among the summary's columns (after `fail_count`).
const MEAN_TOTAL_AT: usize = 8;

/// Every rollup column after the key with its per-student expression: the counts, the
/// 学年总分 count and sum, then per item (BMI first) tested, value sum, score sum, passes.
fn rollup_columns() -> Vec<(String, String)> {
    let mut cols: Vec<(String, String)> = ROLLUP_COUNTS
        .iter()
        .map(|(c, e)| (c.to_string(), e.to_string()))
        .collect();
    cols.push((
        "year_total_n".into(),
        "CASE WHEN f.year_total IS NOT NULL THEN 1 ELSE 0 END".into(),
    ));
    cols.push(("year_total_sum".into(), "f.year_total".into()));
    for item in FitnessItem::ALL {
        let c = item.code();
        cols.push((
            format!("{c}_n"),
            format!("CASE WHEN f.{c}_score IS NOT NULL THEN 1 ELSE 0 END"),
        ));
        cols.push((
            format!("{c}_value_sum"),
            format!("CASE WHEN f.{c}_score IS NOT NULL THEN f.{c} END"),
        ));
        cols.push((format!("{c}_score_sum"), format!("f.{c}_score")));
        cols.push((
            format!("{c}_pass"),
            format!("CASE WHEN f.{c}_score >= 60 THEN 1 ELSE 0 END"),
        ));
    }
    cols
}

/// The rollup rows of term `$1` computed from today's roster and the records: every column of
/// `fitness_rollup`, grouped by school, class and sex, optionally for one school (`$2`).
fn rollup_select(one_school: bool) -> String {
    let sums: Vec<String> = rollup_columns()
        .iter()
        .map(|(c, e)| {
            // The column types, so that sums of these rows stay integers / doubles on
            // PostgreSQL whether they come from the table or from this query.
            let ty = if c.ends_with("_sum") {
                "DOUBLE PRECISION"
            } else {
                "INTEGER"
            };
            format!("CAST(COALESCE(SUM({e}), 0) AS {ty}) AS {c}")
        })
        .collect();
    format!(
        "SELECT s.school_id, $1 AS term, s.class_id, s.sex, {} FROM student s \
         LEFT JOIN fitness_record f ON f.school_id = s.school_id AND f.student_id = s.id \
           AND f.term = $1 \
         {}GROUP BY s.school_id, s.class_id, s.sex",
        sums.join(", "),
        if one_school {
            "WHERE s.school_id = $2 "
        } else {
            ""
        }
    )
}

/// Rebuilds one school's rollup rows of one term from today's roster: `$1` term, `$2` school.
/// Run [`ROLLUP_DELETE`] first.
pub(crate) fn rollup_build_sql() -> String {
    let names: Vec<String> = rollup_columns().into_iter().map(|(c, _)| c).collect();
    format!(
        "INSERT INTO fitness_rollup (school_id, term, class_id, sex, {}) {}",
        names.join(", "),
        rollup_select(true)
    )
}

/// Whether term `$1` has rollup rows (every school gets them when the district's first
/// records of a term arrive; a database from before the rollup has none until re-imported).
pub(crate) const ROLLUP_HAS_TERM: &str = "SELECT 1 FROM fitness_rollup WHERE term = $1 LIMIT 1";

/// Removes one school's rollup rows of one term: `$1` term, `$2` school.
pub(crate) const ROLLUP_DELETE: &str =
    "DELETE FROM fitness_rollup WHERE term = $1 AND school_id = $2";

/// The rollup (aliased `s`, so group keys and scope filters read as on the roster) with its
/// class and school; `$1` is the term. `materialized`: read `fitness_rollup`; otherwise
/// compute the same rows from the roster and the records (a term without rollup rows). The
/// text continues with `AND` conditions.
fn rollup_from(materialized: bool) -> String {
    let source = if materialized {
        "fitness_rollup".to_string()
    } else {
        format!("({})", rollup_select(false))
    };
    format!(
        "FROM {source} s \
         CROSS JOIN school_class c \
         CROSS JOIN school sc \
         WHERE c.school_id = s.school_id AND c.id = s.class_id AND sc.id = s.school_id \
           AND s.term = $1"
    )
}

/// The aggregate columns of a summary, after the key columns (read by [`summary_from_row`]).
pub(crate) fn summary_aggs() -> String {
    let mut parts: Vec<String> = ROLLUP_COUNTS
        .iter()
        .map(|(c, _)| format!("COALESCE(SUM(s.{c}), 0)"))
        .collect();
    parts.insert(
        MEAN_TOTAL_AT,
        "CAST(SUM(s.year_total_sum) / NULLIF(SUM(s.year_total_n), 0) AS DOUBLE PRECISION)".into(),
    );
    parts.join(", ")
}

/// The aggregate columns of an item summary: per item of [`FitnessItem::ALL`], tested, mean
/// value, mean score, pass count (read by [`item_row_from_row`]).
pub(crate) fn item_aggs() -> String {
    let mut parts = Vec::new();
    for item in FitnessItem::ALL {
        let c = item.code();
        parts.push(format!(
            "COALESCE(SUM(s.{c}_n), 0), \
             CAST(SUM(s.{c}_value_sum) / NULLIF(SUM(s.{c}_n), 0) AS DOUBLE PRECISION), \
             CAST(SUM(s.{c}_score_sum) / NULLIF(SUM(s.{c}_n), 0) AS DOUBLE PRECISION), \
             COALESCE(SUM(s.{c}_pass), 0)"
        ));
    }
    parts.join(", ")
}

// --- row decoding --------------------------------------------------------------------------

/// Typed column access by index, implemented for both backends' rows.
pub(crate) trait RowGet {
    fn i64(&self, i: usize) -> Result<i64, StoreError>;
    fn i32(&self, i: usize) -> Result<i32, StoreError>;
    fn opt_i32(&self, i: usize) -> Result<Option<i32>, StoreError>;
    fn f64(&self, i: usize) -> Result<f64, StoreError>;
    fn opt_f64(&self, i: usize) -> Result<Option<f64>, StoreError>;
    fn string(&self, i: usize) -> Result<String, StoreError>;
    fn opt_string(&self, i: usize) -> Result<Option<String>, StoreError>;
    fn date(&self, i: usize) -> Result<Date, StoreError>;
}

macro_rules! row_get {
    ($row:ty) => {
        impl RowGet for $row {
            fn i64(&self, i: usize) -> Result<i64, StoreError> {
                Ok(sqlx::Row::try_get(self, i)?)
            }
            fn i32(&self, i: usize) -> Result<i32, StoreError> {
                Ok(sqlx::Row::try_get(self, i)?)
            }
            fn opt_i32(&self, i: usize) -> Result<Option<i32>, StoreError> {
                Ok(sqlx::Row::try_get(self, i)?)
            }
            fn f64(&self, i: usize) -> Result<f64, StoreError> {
                Ok(sqlx::Row::try_get(self, i)?)
            }
            fn opt_f64(&self, i: usize) -> Result<Option<f64>, StoreError> {
                Ok(sqlx::Row::try_get(self, i)?)
            }
            fn string(&self, i: usize) -> Result<String, StoreError> {
                Ok(sqlx::Row::try_get(self, i)?)
            }
            fn opt_string(&self, i: usize) -> Result<Option<String>, StoreError> {
                Ok(sqlx::Row::try_get(self, i)?)
            }
            fn date(&self, i: usize) -> Result<Date, StoreError> {
                Ok(sqlx::Row::try_get(self, i)?)
            }
        }
    };
}
row_get!(sqlx::sqlite::SqliteRow);
row_get!(sqlx::postgres::PgRow);

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn grade_of(g: i32) -> Result<Grade, StoreError> {
    u8::try_from(g)
        .ok()
        .and_then(|g| Grade::new(g).ok())
        .ok_or_else(|| corrupt("grade", g))
}

fn sex_of(s: &str) -> Result<Sex, StoreError> {
    Sex::parse(s).map_err(|e| corrupt("sex", e))
}

pub(crate) fn key_from_row(
    r: &impl RowGet,
    by: FitnessGroupBy,
) -> Result<FitnessGroupKey, StoreError> {
    let mut k = FitnessGroupKey::default();
    match by {
        FitnessGroupBy::District => {}
        FitnessGroupBy::School => {
            k.school_id = Some(SchoolId(r.i64(0)?));
            k.school_code = Some(r.string(1)?);
            k.school_name = Some(r.string(2)?);
        }
        FitnessGroupBy::Grade => k.grade = Some(grade_of(r.i32(0)?)?),
        FitnessGroupBy::Class => {
            k.school_id = Some(SchoolId(r.i64(0)?));
            k.class_id = Some(ClassId(r.i64(1)?));
            k.grade = Some(grade_of(r.i32(2)?)?);
            k.class_name = Some(r.string(3)?);
        }
        FitnessGroupBy::Sex => k.sex = Some(sex_of(&r.string(0)?)?),
        FitnessGroupBy::Location => {
            k.location = Some(Location::parse(&r.string(0)?).map_err(|e| corrupt("location", e))?)
        }
    }
    Ok(k)
}

pub(crate) fn summary_from_row(
    r: &impl RowGet,
    by: FitnessGroupBy,
) -> Result<FitnessSummaryRow, StoreError> {
    let key = key_from_row(r, by)?;
    let k = key_len(by);
    let n = |i: usize| r.i64(k + i);
    let mut s = FitnessSummaryRow {
        key,
        enrolled: n(0)?,
        tested: n(1)?,
        ok_count: n(2)?,
        incomplete_count: n(3)?,
        excellent_count: n(4)?,
        good_count: n(5)?,
        pass_level_count: n(6)?,
        fail_count: n(7)?,
        mean_year_total: r.opt_f64(k + 8)?,
        bmi_underweight: n(9)?,
        bmi_normal: n(10)?,
        bmi_overweight: n(11)?,
        bmi_obese: n(12)?,
        weight_measured: n(13)?,
        overweight_count: n(14)?,
        obese_count: n(15)?,
        growth_measured: n(16)?,
        stunting_count: n(17)?,
        wasting_count: n(18)?,
        vision_screened: n(19)?,
        myopia_count: n(20)?,
        reduced_vision_count: n(21)?,
        ..Default::default()
    };
    s.bmi_measured = s.bmi_underweight + s.bmi_normal + s.bmi_overweight + s.bmi_obese;
    s.test_rate = rate(s.tested, s.enrolled);
    let ok = s.ok_count;
    s.pass_rate = rate(s.excellent_count + s.good_count + s.pass_level_count, ok);
    s.good_or_better_rate = rate(s.excellent_count + s.good_count, ok);
    s.excellent_rate = rate(s.excellent_count, ok);
    s.fail_rate = rate(s.fail_count, ok);
    s.overweight_rate = rate(s.overweight_count, s.weight_measured);
    s.obese_rate = rate(s.obese_count, s.weight_measured);
    s.stunting_rate = rate(s.stunting_count, s.growth_measured);
    s.wasting_rate = rate(s.wasting_count, s.growth_measured);
    s.myopia_rate = rate(s.myopia_count, s.vision_screened);
    Ok(s)
}

pub(crate) fn item_row_from_row(
    r: &impl RowGet,
    by: FitnessGroupBy,
) -> Result<FitnessItemRow, StoreError> {
    let key = key_from_row(r, by)?;
    let k = key_len(by);
    let mut items = Vec::with_capacity(FitnessItem::COUNT);
    for (n, item) in FitnessItem::ALL.into_iter().enumerate() {
        let b = k + n * 4;
        let tested = r.i64(b)?;
        let pass_count = r.i64(b + 3)?;
        items.push(FitnessItemStat {
            item,
            tested,
            mean_value: r.opt_f64(b + 1)?,
            mean_score: r.opt_f64(b + 2)?,
            pass_count,
            pass_rate: rate(pass_count, tested),
        });
    }
    Ok(FitnessItemRow { key, items })
}

fn parse_level(s: &str) -> Result<Level, StoreError> {
    [Level::Excellent, Level::Good, Level::Pass, Level::Fail]
        .into_iter()
        .find(|l| l.code() == s)
        .ok_or_else(|| corrupt("fitness_record.level", s))
}

fn parse_bmi_category(s: &str) -> Result<BmiCategory, StoreError> {
    [
        BmiCategory::Underweight,
        BmiCategory::Normal,
        BmiCategory::Overweight,
        BmiCategory::Obese,
    ]
    .into_iter()
    .find(|c| c.code() == s)
    .ok_or_else(|| corrupt("fitness_record.bmi_category", s))
}

fn parse_weight_status(s: &str) -> Result<WeightStatus, StoreError> {
    [
        WeightStatus::Normal,
        WeightStatus::Overweight,
        WeightStatus::Obese,
    ]
    .into_iter()
    .find(|c| c.code() == s)
    .ok_or_else(|| corrupt("fitness_record.weight_status", s))
}

fn parse_malnutrition(s: &str) -> Result<MalnutritionStatus, StoreError> {
    [
        MalnutritionStatus::Stunting,
        MalnutritionStatus::ModerateSevereThinness,
        MalnutritionStatus::MildThinness,
        MalnutritionStatus::None,
    ]
    .into_iter()
    .find(|c| c.code() == s)
    .ok_or_else(|| corrupt("fitness_record.malnutrition", s))
}

fn parse_vision(s: &str) -> Result<VisionStatus, StoreError> {
    [
        VisionStatus::Myopia,
        VisionStatus::ReducedVision,
        VisionStatus::Normal,
        VisionStatus::Incomplete,
    ]
    .into_iter()
    .find(|c| c.code() == s)
    .ok_or_else(|| corrupt("fitness_record.vision_status", s))
}

fn small(v: Option<i32>, what: &str) -> Result<Option<u8>, StoreError> {
    v.map(|x| u8::try_from(x).map_err(|_| corrupt(what, x)))
        .transpose()
}

/// Reads a row of `SELECT {RECORD_COLS}` starting at column `at`.
pub(crate) fn record_from_row(r: &impl RowGet, at: usize) -> Result<FitnessRecord, StoreError> {
    let c = |i: usize| at + i;
    let term_code = r.string(c(2))?;
    let mut m = FitnessMeasures {
        height_cm: r.opt_f64(c(7))?,
        weight_kg: r.opt_f64(c(8))?,
        ..Default::default()
    };
    let mut values = [None; 10];
    for (n, v) in values.iter_mut().enumerate() {
        *v = r.opt_f64(c(9 + n))?;
    }
    let [
        vital_capacity,
        run_50m,
        sit_and_reach,
        rope_skip_1min,
        sit_up_1min,
        shuttle_50x8,
        standing_long_jump,
        pull_up,
        run_1000m,
        run_800m,
    ] = values;
    m.vital_capacity = vital_capacity;
    m.run_50m = run_50m;
    m.sit_and_reach = sit_and_reach;
    m.rope_skip_1min = rope_skip_1min;
    m.sit_up_1min = sit_up_1min;
    m.shuttle_50x8 = shuttle_50x8;
    m.standing_long_jump = standing_long_jump;
    m.pull_up = pull_up;
    m.run_1000m = run_1000m;
    m.run_800m = run_800m;
    m.acuity_left = r.opt_f64(c(45))?;
    m.acuity_right = r.opt_f64(c(46))?;
    m.se_left = r.opt_f64(c(47))?;
    m.se_right = r.opt_f64(c(48))?;

    let bmi = r.opt_f64(c(19))?;
    let mut items = Vec::new();
    if let (Some(b), Some(score)) = (bmi, small(r.opt_i32(c(21))?, "bmi_score")?) {
        items.push(FitnessItemResult {
            item: FitnessItem::Bmi,
            value: b,
            score,
            bonus: 0,
        });
    }
    for (n, item) in MEASURED.into_iter().enumerate() {
        let score = small(r.opt_i32(c(22 + n))?, "item score")?;
        if let (Some(value), Some(score)) = (values[n], score) {
            let bonus = match BONUS_ITEMS.iter().position(|b| *b == item) {
                Some(p) => small(r.opt_i32(c(32 + p))?, "item bonus")?.unwrap_or(0),
                None => 0,
            };
            items.push(FitnessItemResult {
                item,
                value,
                score,
                bonus,
            });
        }
    }
    let missing_text = r.string(c(42))?;
    let missing = missing_text
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| FitnessItem::parse(s).map_err(|e| corrupt("fitness_record.missing_items", e)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(FitnessRecord {
        school_id: SchoolId(r.i64(c(0))?),
        student_id: StudentId(r.i64(c(1))?),
        term: Term::parse_code(&term_code).map_err(|e| corrupt("fitness_record.term", e))?,
        test_date: r.date(c(3))?,
        grade: grade_of(r.i32(c(4))?)?,
        sex: sex_of(&r.string(c(5))?)?,
        age_years: r.f64(c(6))?,
        measures: m,
        bmi,
        bmi_category: r
            .opt_string(c(20))?
            .as_deref()
            .map(parse_bmi_category)
            .transpose()?,
        items,
        bonus_total: u8::try_from(r.i32(c(37))?).map_err(|e| corrupt("bonus_total", e))?,
        standard_score: r.opt_f64(c(38))?,
        year_total: r.opt_f64(c(39))?,
        level: r
            .opt_string(c(40))?
            .as_deref()
            .map(parse_level)
            .transpose()?,
        complete: r.string(c(41))? == "OK",
        missing,
        weight_status: r
            .opt_string(c(43))?
            .as_deref()
            .map(parse_weight_status)
            .transpose()?,
        malnutrition: r
            .opt_string(c(44))?
            .as_deref()
            .map(parse_malnutrition)
            .transpose()?,
        vision_status: r
            .opt_string(c(49))?
            .as_deref()
            .map(parse_vision)
            .transpose()?,
    })
}

// --- import plan ---------------------------------------------------------------------------

/// Every student as `(school_id, "学籍号,id,class_id,sex,birth_date;…")`, one row per school
/// (read by [`unpack_students`]). 学籍号 has no `,` or `;` (StudentNo is alphanumeric).
pub(crate) const PACKED_STUDENTS: &str = "SELECT school_id, \
    string_agg(student_no || ',' || id || ',' || class_id || ',' || sex || ',' || birth_date, ';') \
    FROM student GROUP BY school_id";

/// The students of one row of [`PACKED_STUDENTS`], keyed by 学籍号, with their class's grade
/// from `grades` ((school_id, class_id) → grade).
pub(crate) fn unpack_students(
    school_id: i64,
    text: &str,
    grades: &HashMap<(i64, i64), i32>,
) -> Result<Vec<(String, StudentRef)>, StoreError> {
    let bad = |what: &str, v: &str| corrupt(what, v);
    let mut out = Vec::new();
    for item in text.split(';') {
        let mut f = item.split(',');
        let (Some(no), Some(id), Some(class), Some(sex), Some(birth), None) =
            (f.next(), f.next(), f.next(), f.next(), f.next(), f.next())
        else {
            return Err(bad("student (packed)", item));
        };
        let student_id: i64 = id.parse().map_err(|_| bad("student.id", id))?;
        let class_id: i64 = class.parse().map_err(|_| bad("student.class_id", class))?;
        let grade = *grades
            .get(&(school_id, class_id))
            .ok_or_else(|| bad("student.class_id", class))?;
        let birth_date =
            wuyu_domain::parse_date(birth).map_err(|_| bad("student.birth_date", birth))?;
        out.push((
            no.to_string(),
            StudentRef {
                school_id,
                student_id,
                sex: Sex::parse(sex).map_err(|e| corrupt("student.sex", e))?,
                birth_date,
                grade: u8::try_from(grade).map_err(|e| corrupt("school_class.grade", e))?,
            },
        ));
    }
    Ok(out)
}
