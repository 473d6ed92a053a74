//! wuyu-report
