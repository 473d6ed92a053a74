//! The fitness pages live in `crate::fitness`; the exam pages still ask for the rank rule here.
pub(crate) use crate::fitness::shows_ranks;
