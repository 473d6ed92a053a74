//! wuyu-standards
