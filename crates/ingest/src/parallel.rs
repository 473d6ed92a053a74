//! How many threads the file readers use: one per core, or `WUYU_THREADS` when set (1 reads
//! every file in one pass, as before the readers used both cores; a shared server may want
//! fewer).

/// The thread count for reading and scoring files: `WUYU_THREADS` if it is a positive number,
/// else the number of cores; never more than 16.
pub fn worker_threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        std::env::var("WUYU_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&n| n > 0)
            .unwrap_or(cores)
            .min(16)
    })
}
