//! A fitness batch: one student's fitness and health results of one term per record, as an
//! import delivers them (raw values only), keyed by 学籍号 + term. The store resolves the
//! 学籍号, takes grade and sex from the roster, scores every record (score at write) and writes
//! the batch in one transaction.
//!
//! Plain data on purpose: the readers (`ingest`, `synth`) and the store share it without
//! depending on each other.
use serde::{Deserialize, Serialize};
use time::Date;

use crate::{Grade, Origin, Sex, StudentNo, Term};

/// The raw results of one test, as recorded. `None` = not tested / not measured. Times in
/// seconds, lengths in cm, 肺活量 in ml, counts as whole numbers; the item fields are named by
/// the item codes of `fitness_items.csv`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct FitnessMeasures {
    pub height_cm: Option<f64>,
    pub weight_kg: Option<f64>,
    pub vital_capacity: Option<f64>,
    pub run_50m: Option<f64>,
    pub sit_and_reach: Option<f64>,
    pub rope_skip_1min: Option<f64>,
    pub sit_up_1min: Option<f64>,
    pub shuttle_50x8: Option<f64>,
    pub standing_long_jump: Option<f64>,
    pub pull_up: Option<f64>,
    pub run_1000m: Option<f64>,
    pub run_800m: Option<f64>,
    /// 裸眼远视力 (5-point record), left and right eye.
    pub acuity_left: Option<f64>,
    pub acuity_right: Option<f64>,
    /// 等效球镜度 (D, non-cycloplegic), left and right eye.
    pub se_left: Option<f64>,
    pub se_right: Option<f64>,
}

impl FitnessMeasures {
    /// Whether any vision field is present (a record without one was not screened).
    pub fn has_vision(&self) -> bool {
        self.acuity_left.is_some()
            || self.acuity_right.is_some()
            || self.se_left.is_some()
            || self.se_right.is_some()
    }
}

/// One student's fitness and health results for one term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewFitnessRecord {
    pub origin: Origin,
    pub student_no: StudentNo,
    pub term: Term,
    pub test_date: Date,
    /// The grade the file gives (the grade at the test), or `None` to take the roster's.
    pub grade: Option<Grade>,
    /// The sex the file gives, checked against the roster; `None` to take the roster's.
    pub sex: Option<Sex>,
    pub measures: FitnessMeasures,
}

/// Everything one fitness import delivers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FitnessBatch {
    pub records: Vec<NewFitnessRecord>,
}

impl FitnessBatch {
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }
}
