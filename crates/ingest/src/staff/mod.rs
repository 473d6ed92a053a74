//! Teacher appraisal and development sheets (modules.md §4).
//!
//! * [`levels`]: the code layout of the stateless levels tool (and its Chinese headers), read
//!   into `wuyu_analytics::appraisal` cases with a Chinese error per bad cell.

pub mod levels;

pub use levels::{LEVELS_COLUMNS, LevelsInput, read_levels_input};
