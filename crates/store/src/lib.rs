//! wuyu-store
