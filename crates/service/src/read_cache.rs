//! Cached read models (issue 16): the district pages (`/fitness`, `/`) add up the same rollups
//! for every request. A read model is kept with the database's data version it was computed
//! at and served again only while that version is unchanged, so a committed import (or any
//! other write, by this process or another) is visible at the next request: never stale.
use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::{Service, ServiceError};

/// More keys than this (viewers × parameters) and the cache starts over: a district's
/// /fitness read model at 1,000,000 students is about a megabyte, so this bounds the memory.
const MAX_ENTRIES: usize = 64;

#[derive(Default)]
pub(crate) struct ReadCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// The data version every entry was computed at.
    version: Option<u64>,
    entries: HashMap<String, Arc<dyn Any + Send + Sync>>,
}

impl Service {
    /// `compute` once per `key` and data version. The version is read before computing, so an
    /// entry can only be older than its version says, never newer: a write during the
    /// computation makes the next request compute again. A backend without a data version
    /// (or an error reading it) computes every time.
    pub(crate) async fn cached<T, F>(&self, key: String, compute: F) -> Result<T, ServiceError>
    where
        T: Clone + Send + Sync + 'static,
        F: Future<Output = Result<T, ServiceError>>,
    {
        if !enabled() {
            return compute.await;
        }
        if let Some(t) = Memo::get::<T>(&key) {
            return Ok(t);
        }
        let value = self.by_version(&key, compute).await?;
        Memo::put(key, &value);
        Ok(value)
    }

    async fn by_version<T, F>(&self, key: &str, compute: F) -> Result<T, ServiceError>
    where
        T: Clone + Send + Sync + 'static,
        F: Future<Output = Result<T, ServiceError>>,
    {
        let version = match self.store().data_version().await {
            Ok(Some(v)) => v,
            Ok(None) => return compute.await,
            Err(e) => {
                tracing::warn!(error = %e, "data version unreadable: read model not cached");
                return compute.await;
            }
        };
        if let Some(t) = self
            .cache
            .get(version, key)
            .and_then(|hit| hit.downcast_ref::<T>().cloned())
        {
            return Ok(t);
        }
        let value = compute.await?;
        self.cache
            .put(version, key.to_string(), Arc::new(value.clone()));
        Ok(value)
    }

    /// Run `work` as one evaluation (a plan status, a bulletin): within it every read made
    /// through [`Service::cached`] or [`Service::once`] is made once, on either backend. The
    /// plan judges 85 targets for up to a thousand schools each, and the indicator sources
    /// read the same district-wide rows for every one of them. An evaluation inside another
    /// shares the outer one's reads.
    pub(crate) async fn evaluation<F: Future>(&self, work: F) -> F::Output {
        if !enabled() || EVALUATION.try_with(|_| ()).is_ok() {
            return work.await;
        }
        EVALUATION.scope(Memo::default(), work).await
    }

    /// `compute` once within the current evaluation, every time outside one. For reads that
    /// must not outlive the request (they depend on the clock as well as the data) or that
    /// are too many to keep in the read cache (one per school).
    pub(crate) async fn once<T, F>(&self, key: String, compute: F) -> Result<T, ServiceError>
    where
        T: Clone + Send + Sync + 'static,
        F: Future<Output = Result<T, ServiceError>>,
    {
        if let Some(t) = Memo::get::<T>(&key) {
            return Ok(t);
        }
        let value = compute.await?;
        Memo::put(key, &value);
        Ok(value)
    }
}

tokio::task_local! {
    /// The reads of the evaluation running on this task, if any.
    static EVALUATION: Memo;
}

/// One evaluation's reads by key. Dropped with the evaluation: nothing is kept between
/// requests, so it is never stale.
#[derive(Default)]
struct Memo(Mutex<HashMap<String, Arc<dyn Any + Send + Sync>>>);

impl Memo {
    fn get<T: Clone + 'static>(key: &str) -> Option<T> {
        EVALUATION
            .try_with(|m| {
                m.lock()
                    .get(key)
                    .and_then(|hit| hit.downcast_ref::<T>().cloned())
            })
            .ok()
            .flatten()
    }

    fn put<T: Clone + Send + Sync + 'static>(key: String, value: &T) {
        let _ = EVALUATION.try_with(|m| m.lock().insert(key, Arc::new(value.clone())));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<dyn Any + Send + Sync>>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Service {
    /// Every school with its class and student counts, for the indicator sources: the plan asks
    /// them once per target and school, and counting a 1,000,000-student roster takes a
    /// quarter of a second each time.
    pub(crate) async fn district_schools(
        &self,
    ) -> Result<Arc<Vec<wuyu_store::SchoolSummary>>, ServiceError> {
        self.cached("district_schools".into(), async {
            Ok(Arc::new(
                self.store()
                    .list_schools(&wuyu_domain::Scope::District)
                    .await?,
            ))
        })
        .await
    }
}

/// `WUYU_READ_CACHE=off` computes every read model every time: the baseline of the load
/// benchmark (BENCHMARKS.md), measured in the same run as the cached pages.
fn enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var("WUYU_READ_CACHE").map_or(true, |v| v != "off"))
}

impl ReadCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves a map that is still consistent.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn get(&self, version: u64, key: &str) -> Option<Arc<dyn Any + Send + Sync>> {
        let inner = self.lock();
        if inner.version != Some(version) {
            return None;
        }
        inner.entries.get(key).cloned()
    }

    fn put(&self, version: u64, key: String, value: Arc<dyn Any + Send + Sync>) {
        let mut inner = self.lock();
        if inner.version != Some(version) || inner.entries.len() >= MAX_ENTRIES {
            inner.entries.clear();
            inner.version = Some(version);
        }
        inner.entries.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A read that counts how often it really ran.
    async fn read(svc: &Service, runs: &AtomicUsize) -> usize {
        svc.once("test::read".into(), async {
            Ok(runs.fetch_add(1, Ordering::SeqCst) + 1)
        })
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn an_evaluation_reads_once_and_keeps_nothing_after_it() {
        let db = wuyu_testkit::sqlite().await;
        let svc = Service::new(db.store.clone());
        let runs = AtomicUsize::new(0);
        // Outside an evaluation every call reads.
        assert_eq!(read(&svc, &runs).await, 1);
        assert_eq!(read(&svc, &runs).await, 2);
        // Within one, the first read serves the rest, an inner evaluation included.
        let seen = svc
            .evaluation(async {
                let first = read(&svc, &runs).await;
                let again = read(&svc, &runs).await;
                let inner = svc.evaluation(read(&svc, &runs)).await;
                (first, again, inner)
            })
            .await;
        assert_eq!(seen, (3, 3, 3));
        // The next evaluation reads again: a write between two requests is always seen.
        assert_eq!(svc.evaluation(read(&svc, &runs)).await, 4);
        assert_eq!(runs.load(Ordering::SeqCst), 4);
    }
}
