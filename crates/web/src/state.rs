//! The state every handler shares: cheap to clone.
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use wuyu_service::Service;
use wuyu_service::store_types::Store;

use crate::WebSettings;
use crate::ratelimit::LoginLimiter;
use crate::survey::CodeGuard;

/// Password checks running at once: argon2id is memory- and CPU-hard by design.
pub(crate) const HASH_PERMITS: usize = 4;
/// How long a sign-in waits for a free password check before the server says it is busy.
pub(crate) const HASH_WAIT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub(crate) struct AppState {
    /// The use cases; handlers call one function of it and render the answer.
    pub svc: Service,
    pub settings: Arc<WebSettings>,
    pub limiter: Arc<LoginLimiter>,
    pub hash_permits: Arc<Semaphore>,
    /// Wrong survey answer codes per address.
    pub survey_guard: Arc<CodeGuard>,
    /// Survey answers through anonymous links per address, against ballot stuffing.
    pub link_guard: Arc<CodeGuard>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, settings: WebSettings) -> Self {
        Self {
            svc: Service::new(store),
            limiter: Arc::new(LoginLimiter::new(Duration::from_secs(
                settings.login_slowdown_max_secs,
            ))),
            settings: Arc::new(settings),
            hash_permits: Arc::new(Semaphore::new(HASH_PERMITS)),
            survey_guard: Arc::default(),
            link_guard: Arc::new(CodeGuard::with_limit(crate::survey::MAX_LINK_ANSWERS)),
        }
    }
}
