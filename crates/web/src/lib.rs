//! wuyu-web
