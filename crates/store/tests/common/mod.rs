//! Fixtures of the store's story tests (`stories.rs`, `exams.rs`, `exam_speed.rs`): the
//! both-backends harness lives in `wuyu-testkit`; what is left here are the small row helpers
//! these stories share.
#![allow(dead_code, unused_imports)]
pub use wuyu_testkit::{TempDb, postgres, sqlite, story, unique};

use wuyu_domain::{Origin, SchoolCode};
use wuyu_store::ImportMeta;

pub fn o(sheet: &str, row: u32) -> Origin {
    Origin {
        sheet: sheet.into(),
        row,
    }
}

pub fn code(s: &str) -> SchoolCode {
    SchoolCode::parse(s).unwrap()
}

pub fn meta(file: &str) -> ImportMeta {
    ImportMeta {
        username: "tester".into(),
        file_name: file.into(),
        file_sha256: "ab".repeat(32),
        at: 1_700_000_000,
    }
}
