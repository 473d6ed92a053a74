//! Pure read models and indicators, shared by the store (which fills them), the service
//! (which serves them) and the report writers (which print them). No database, no files, no
//! clock.
//!
//! * [`display`]: the one rounding rule for what pages and exports show;
//! * [`rank`]: the one rank rule for every unit kind (n ≥ 10, ties on the shown value);
//! * [`indicator`]: the vocabulary of the plan — indicators, units, `{num, den, n}` values,
//!   small-cell suppression, targets and verdicts;
//! * [`plan`]: the plan (任务分解表) as data — indicator definitions and yearly targets;
//! * [`bulletin`]: months, quarters, monthly snapshots' lines and the quarterly bulletin.
#![forbid(unsafe_code)]

pub mod archive;
pub mod bulletin;
pub mod display;
pub mod exam;
pub mod fitness;
pub mod indicator;
pub mod plan;
pub mod plan_registry;
pub mod plan_report;
pub mod rank;
pub mod roster;
