//! Progress spinners for long steps; indicatif hides them when stderr is not a terminal.
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// Runs `f` under a spinner labelled `msg`, then prints how long it took.
pub async fn step<T, F>(msg: &str, f: F) -> T
where
    F: std::future::Future<Output = T>,
{
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.set_message(msg.to_string());
    pb.enable_steady_tick(Duration::from_millis(120));
    let start = Instant::now();
    let out = f.await;
    pb.finish_and_clear();
    eprintln!("{msg}：{:.2} 秒", start.elapsed().as_secs_f64());
    out
}
