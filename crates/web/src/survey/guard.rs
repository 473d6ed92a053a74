//! A per-address limit on wrong answer codes, apart from the sign-in limits: a school's parents
//! often share one address, so a few typos must not lock the others out, while guessing codes
//! (about 2⁴⁹ of them) stays hopeless at this rate.
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wrong codes one address may enter within [`WINDOW`].
pub(crate) const MAX_WRONG: u32 = 30;
pub(crate) const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Addresses remembered at most; past it expired windows are dropped, then the oldest address
/// under the limit (a stopped one only when every address is stopped).
const MAX_KEYS: usize = 10_000;

pub(crate) struct CodeGuard {
    wrong: Mutex<HashMap<String, (Instant, u32)>>,
    max: u32,
}

impl Default for CodeGuard {
    fn default() -> Self {
        CodeGuard::with_limit(MAX_WRONG)
    }
}

/// Answers one address may give through anonymous links within [`WINDOW`]: a family or a
/// class meeting on one network stays under it, a script stuffing the ballot does not.
pub(crate) const MAX_LINK_ANSWERS: u32 = 20;

impl CodeGuard {
    /// A guard that stops an address after `max` counted events within [`WINDOW`].
    pub(crate) fn with_limit(max: u32) -> Self {
        CodeGuard {
            wrong: Mutex::default(),
            max,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, u32)>> {
        // A panic elsewhere while holding the lock leaves counts that are still usable.
        self.wrong.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `Err(wait)` while the address has entered too many wrong codes.
    pub(crate) fn check(&self, ip: &str) -> Result<(), Duration> {
        let now = Instant::now();
        match self.lock().get(ip) {
            Some((start, n)) if *n >= self.max && now.duration_since(*start) < WINDOW => {
                Err(WINDOW.saturating_sub(now.duration_since(*start)))
            }
            _ => Ok(()),
        }
    }

    /// Counts one wrong code (or, for the links' guard, one answer) from the address.
    pub(crate) fn wrong(&self, ip: &str) {
        let now = Instant::now();
        let mut map = self.lock();
        if map.len() >= MAX_KEYS && !map.contains_key(ip) {
            map.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
            // Forget the oldest address still under the limit: dropping a stopped one would
            // let a flood go on once enough other addresses have answered.
            let max = self.max;
            let oldest = map
                .iter()
                .min_by_key(|(_, (s, n))| (*n >= max, *s))
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest.filter(|_| map.len() >= MAX_KEYS) {
                map.remove(&oldest);
            }
        }
        let entry = map.entry(ip.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_stopped_after_too_many_wrong_codes_and_others_are_not() {
        let g = CodeGuard::default();
        for _ in 0..MAX_WRONG {
            assert!(g.check("10.0.0.1").is_ok());
            g.wrong("10.0.0.1");
        }
        let wait = g.check("10.0.0.1").unwrap_err();
        assert!(wait <= WINDOW && wait > WINDOW - Duration::from_secs(60));
        assert!(g.check("10.0.0.2").is_ok());

        let links = CodeGuard::with_limit(MAX_LINK_ANSWERS);
        for _ in 0..MAX_LINK_ANSWERS {
            assert!(links.check("10.0.0.3").is_ok());
            links.wrong("10.0.0.3");
        }
        assert!(links.check("10.0.0.3").is_err());
        // Many other addresses answering do not push the stopped one out.
        for i in 0..MAX_KEYS + 10 {
            links.wrong(&format!("10.9.{}.{}", i / 250, i % 250));
        }
        assert!(links.check("10.0.0.3").is_err());
    }
}
