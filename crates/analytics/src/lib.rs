//! wuyu-analytics
