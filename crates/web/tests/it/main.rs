//! Black-box tests of the web crate: real HTTP requests through `router(...)` (no socket) against
//! a real, migrated SQLite store in a temporary directory, filled with a small hand-built district.
mod support;

mod exam_data;

mod access;
mod agreement_exam;
mod agreement_fitness;
mod exam_speed;
mod exams;
mod exports;
mod fitness;
mod fitness_targets;
mod imports;
mod login;
mod openapi;
mod psych;
mod security;
mod visibility;
