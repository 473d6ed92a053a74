/*!
Reading roster files (CSV or XLSX) into validated domain records plus row-level errors in
Chinese, and writing the official import template. No database: the store resolves natural keys
(school code, grade + class name, 学籍号, 工号) against what is already stored, inside the import
transaction.

Layout, in the order data flows:

- [`mod@decode`]: bytes → text for CSV (UTF-8, UTF-8 with BOM, UTF-16 with BOM, else GB18030).
- [`table`]: a format-neutral sheet (header + numbered rows of text cells) from CSV or XLSX.
- [`schema`]: the five roster sheet kinds, their columns and header aliases.
- [`roster`]: [`read_roster`] turns tables into a [`RosterBatch`](wuyu_domain::RosterBatch)
  and a list of [`RowError`](wuyu_domain::RowError)s.
- [`template`]: [`write_roster_template`], the XLSX users fill in.
- [`limits`]: [`check_unpacked_size`], the decompression cap every XLSX upload passes first.
- [`export`]: [`write_students_csv`], a UTF-8-with-BOM students CSV that reads back identically.
- [`csv_safe`]: [`csv_cell`], the one guard against CSV injection every CSV writer uses.
- [`fitness`]: fitness result sheets (both header layouts, every time form) into scorer inputs
  and a [`FitnessBatch`](wuyu_domain::FitnessBatch); the upload template written back.
- [`psych`]: [`read_psych_answers`], screening answer sheets in the code layout of modules.md §3.
- [`staff`]: the appraisal levels layout of modules.md §4 into appraisal cases.
- [`plan`]: [`read_plan`], the plan (任务分解表) in the seeds' layout, and its writers.
- [`exam`]: [`read_exam_scores`] (one column per subject) and [`read_exam_items`] (one column
  per question, with the 双向细目表) into exam batches; [`write_exam_score_template`].

Whole-file failures (unreadable XLSX, undecodable text, unknown format, nothing recognisable)
are [`IngestError`]s; everything about a single row or cell is a `RowError`, so users get a
fix-list instead of a failed upload.
*/
#![forbid(unsafe_code)]

pub mod archive;
pub mod csv_safe;
pub mod decode;
mod error;
mod ethnicity;
pub mod evidence;
pub mod exam;
pub mod export;
pub mod fitness;
pub mod limits;
pub mod names;
pub mod parallel;
pub mod plan;
pub mod psych;
pub mod roster;
pub mod schema;
pub mod staff;
pub mod table;
pub mod template;

pub use csv_safe::{csv_cell, csv_uncell};
pub use decode::{Decoded, decode};
pub use error::IngestError;
pub use ethnicity::{ethnicity_from_name, ethnicity_name};
pub use exam::{
    CandidateNumbers, CandidatesRead, ExamItemsRead, ExamScoresRead, TemplateStudent,
    read_exam_candidates, read_exam_items, read_exam_items_keyed, read_exam_scores,
    read_exam_scores_keyed, write_exam_score_template, write_exam_score_template_for,
};
pub use export::write_students_csv;
pub use fitness::{
    FitnessFileError, FitnessRead, FitnessRow, FitnessSheet, FitnessSheetError, TEMPLATE_HEADER,
    TemplateRow, find_fitness_sheet, find_fitness_sheets, read_fitness_batch,
    write_fitness_template_csv, write_fitness_template_xlsx,
};
pub use limits::check_unpacked_size;
pub use names::{NamedRow, same_name};
pub use parallel::worker_threads;
pub use plan::{PlanRead, read_plan, write_plan_csv, write_plan_xlsx};
pub use psych::{
    PsychAnswerRow, PsychAnswersRead, is_psych_header, read_psych_answers, read_psych_answers_with,
};
pub use roster::{RosterOptions, RosterRead, read_roster};
pub use schema::{Field, SheetKind};
pub use table::{FileFormat, Table, Tables, detect_format, read_tables};
pub use template::write_roster_template;
