//! wuyu-synth
