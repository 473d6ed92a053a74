//! Where the log goes. The terminal is for people: progress lines and results in Chinese. Log
//! lines (English, for operators) go to a file — `--log-file`, or `wuyu.log` in the demo's data
//! directory — or to stderr with `-v`. `wuyu serve` is a service whose stderr is its log, so it
//! logs there unless given a file. Without any of these only errors reach the terminal.
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context;
use tracing_subscriber::EnvFilter;

/// Where log lines go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTarget {
    /// stderr at `level` (overridden by `RUST_LOG`).
    Stderr { level: &'static str },
    /// Appended to a file at `info` (overridden by `RUST_LOG`).
    File(PathBuf),
}

impl LogTarget {
    /// What a command's flags ask for: `-v` (stderr, `-vv` debug) wins over a file, a file
    /// over the command's own default (`default_file`, `serve`'s stderr).
    pub fn choose(
        verbose: u8,
        file: Option<&Path>,
        default_file: Option<PathBuf>,
        server: bool,
    ) -> Self {
        match (verbose, file, default_file) {
            (1, ..) => LogTarget::Stderr {
                level: "info,sqlx=warn",
            },
            (2.., ..) => LogTarget::Stderr { level: "debug" },
            (0, Some(f), _) => LogTarget::File(f.to_path_buf()),
            (0, None, Some(f)) => LogTarget::File(f),
            (0, None, None) if server => LogTarget::Stderr {
                level: "info,sqlx=warn",
            },
            (0, None, None) => LogTarget::Stderr { level: "error" },
        }
    }
}

fn filter(default: &str) -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default))
}

/// Installs the subscriber for `target`. A log file that cannot be opened is an error the
/// command reports in Chinese before doing anything.
pub fn init(target: &LogTarget) -> anyhow::Result<()> {
    match target {
        LogTarget::Stderr { level } => {
            tracing_subscriber::fmt()
                .with_env_filter(filter(level))
                .with_writer(std::io::stderr)
                .init();
        }
        LogTarget::File(path) => {
            let file = open(path)?;
            tracing_subscriber::fmt()
                .with_env_filter(filter("info,sqlx=warn"))
                .with_ansi(false)
                .with_writer(Mutex::new(file))
                .init();
        }
    }
    Ok(())
}

fn open(path: &Path) -> anyhow::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("无法创建日志目录 {}", dir.display()))?;
    }
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("无法打开日志文件 {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbose_wins_then_the_file_then_the_commands_default() {
        let f = PathBuf::from("a.log");
        let demo_log = PathBuf::from("wuyu-demo/wuyu.log");
        let demo = Some(demo_log.clone());
        assert!(matches!(
            LogTarget::choose(1, Some(&f), demo.clone(), false),
            LogTarget::Stderr { .. }
        ));
        assert_eq!(
            LogTarget::choose(0, Some(&f), demo.clone(), false),
            LogTarget::File(f)
        );
        assert_eq!(
            LogTarget::choose(0, None, demo.clone(), false),
            LogTarget::File(demo_log)
        );
        assert_eq!(
            LogTarget::choose(0, None, None, false),
            LogTarget::Stderr { level: "error" }
        );
        assert_eq!(
            LogTarget::choose(0, None, None, true),
            LogTarget::Stderr {
                level: "info,sqlx=warn"
            }
        );
    }
}
