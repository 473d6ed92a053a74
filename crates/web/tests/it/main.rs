//! Black-box tests of the web crate: real HTTP requests through `router(...)` (no socket) against
//! a real, migrated SQLite store in a temporary directory, filled with a small hand-built district.
mod support;

mod exam_data;

mod access;
mod accounts;
mod agreement_exam;
mod agreement_fitness;
mod archive;
mod bulk_accounts;
mod exam_speed;
mod exams;
mod exports;
mod fitness;
mod fitness_targets;
mod imports;
mod lockout;
mod login;
mod openapi;
mod plan;
mod plan_edit;
mod plan_registry;
mod plan_reports;
mod psych;
mod psych_break_glass;
mod psych_codes;
mod psych_consent;
mod psych_correct;
mod psych_export;
mod psych_scales;
mod read_paths;
mod roster_people;
mod security;
mod settings;
mod staff;
mod survey_choices;
mod survey_ethics;
mod survey_links;
mod surveys;
mod table_exports;
mod visibility;
