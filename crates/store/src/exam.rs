//! Exams (issue 4): the read models and settings live in `wuyu_monitor::exam` (pure); the
//! store fills them. Statistics are computed at write (after every score or item import, and
//! by [`crate::Store::recompute_exam`] after a settings change) and stored per exam, so a page
//! reads a few hundred rows instead of every mark. See `wuyu_monitor::exam::model` for who may
//! read what.
pub use wuyu_monitor::exam::model::*;
