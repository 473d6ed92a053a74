//! wuyu-ingest
