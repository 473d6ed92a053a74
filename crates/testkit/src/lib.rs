//! Dev-only helpers shared by the store, web and CLI tests: temporary directories, the
//! both-backends harness, one small district fixture and `TestApp`.
#![forbid(unsafe_code)]
