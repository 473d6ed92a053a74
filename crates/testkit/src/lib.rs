//! Dev-only helpers shared by the store, web and CLI tests: temporary directories, the
//! both-backends harness, one small district fixture and cheap password hashes.
//!
//! Only ever a `[dev-dependencies]` entry: nothing here belongs in a shipped binary.
#![forbid(unsafe_code)]

pub mod backends;
pub mod dir;
pub mod district;
pub mod password;
pub mod pdf;

pub use backends::{TempDb, postgres, sqlite, unique};
pub use dir::TempDir;
pub use district::{
    ExamIds, Ids, PASSWORD, child_id_card, child_student_no, fitness_batch, masked_id, roster,
    term_before, term_now,
};
pub use password::cheap_hash;
pub use pdf::{pdf_lines, pdf_pages, pdf_text};
