//! Teacher appraisal and development sheets (modules.md §4).
//!
//! * [`levels`]: the code layout of the stateless levels tool (and its Chinese headers), read
//!   into `wuyu_analytics::appraisal` cases with a Chinese error per bad cell.
//! * [`development`]: training courses and titles, with their import templates.

pub mod development;
pub mod levels;

pub use development::{
    DevRead, TITLE_COLUMNS, TRAINING_COLUMNS, TitleLine, TrainingLine, read_titles, read_training,
    write_dev_template,
};
pub use levels::{
    LEVELS_COLUMNS, LevelsInput, RowSources, read_appraisal_input, read_levels_input,
};
