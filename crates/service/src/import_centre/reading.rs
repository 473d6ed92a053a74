//! Reading and checking a held upload off the request. Parsing a large file is CPU work: done
//! on a runtime thread it would stall every other request sharing it, and done per preview it
//! would be repeated on every reload. So the first preview starts it once, on a blocking
//! thread, and keeps the result here until the upload is confirmed or this small table fills;
//! later previews show "正在读取" until it is ready.
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use super::Read;

/// Results kept (each is counts, a sample and the row errors, not the file).
const KEPT: usize = 32;

/// One upload's reading: under way, or its outcome (a file that cannot be read is an
/// outcome too, with the Chinese reason).
#[derive(Clone)]
pub(crate) enum Reading {
    Running,
    Done(Arc<Result<Read, String>>),
}

/// The readings by upload token.
#[derive(Default)]
pub(crate) struct Readings {
    map: Mutex<HashMap<String, Reading>>,
}

impl Readings {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Reading>> {
        // A panic while holding the lock leaves a plain map behind: still usable.
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn get(&self, token: &str) -> Option<Reading> {
        self.lock().get(token).cloned()
    }

    /// Marks `token` as being read; `false` when it already is (or is done).
    pub(crate) fn start(&self, token: &str) -> bool {
        let mut map = self.lock();
        if map.contains_key(token) {
            return false;
        }
        if map.len() >= KEPT {
            // Finished results are cheap to make again; readings under way are kept.
            map.retain(|_, r| matches!(r, Reading::Running));
        }
        map.insert(token.to_string(), Reading::Running);
        true
    }

    pub(crate) fn finish(&self, token: &str, outcome: Option<Result<Read, String>>) {
        let mut map = self.lock();
        match outcome {
            Some(r) => map.insert(token.to_string(), Reading::Done(Arc::new(r))),
            // Failed for a reason that is not the file's (the database): the next preview
            // tries again.
            None => map.remove(token),
        };
    }

    pub(crate) fn forget(&self, token: &str) {
        self.lock().remove(token);
    }
}

/// Runs `work` on a blocking thread (driving its database calls from there), so its CPU time
/// never holds a runtime thread that other requests are waiting for.
pub(crate) async fn off_runtime<T: Send + 'static>(
    work: impl Future<Output = T> + Send + 'static,
) -> Result<T, crate::ServiceError> {
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || handle.block_on(work))
        .await
        .map_err(|e| crate::ServiceError::Internal(format!("background task: {e}")))
}
