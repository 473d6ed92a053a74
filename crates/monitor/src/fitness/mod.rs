//! Fitness and health records (issue 3): the read models, the import plan (resolve 学籍号,
//! score every record with `wuyu-standards` — score at write), and the pieces of SQL the
//! aggregates share. Pure: the backends load the roster snapshot, call [`plan::plan`], and write the
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
//! * parent: their own child's history (`Store::student_fitness`) only; every aggregate
//!   and class list is `Forbidden`;
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

pub mod model;
pub mod plan;
pub mod stage;

pub use model::*;
pub use plan::{BONUS_ITEMS, FitnessW, MEASURED, StudentRef, fitness_input};
pub use stage::{GradeStage, by_stage, merge_rows};
