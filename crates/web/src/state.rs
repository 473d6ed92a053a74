//! The state every handler shares: cheap to clone.
use std::sync::Arc;

use wuyu_store::Store;

use crate::WebSettings;
use crate::ratelimit::LoginLimiter;

#[derive(Clone)]
pub(crate) struct AppState {
    pub store: Arc<dyn Store>,
    pub settings: Arc<WebSettings>,
    pub limiter: Arc<LoginLimiter>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, settings: WebSettings) -> Self {
        Self {
            store,
            settings: Arc::new(settings),
            limiter: Arc::new(LoginLimiter::default()),
        }
    }
}
