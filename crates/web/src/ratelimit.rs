//! Failed sign-ins per (client IP, username) and per client IP, in memory. A fixed window per
//! key; the map is bounded so a flood of distinct usernames cannot exhaust memory.
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed for one username from one address within the window.
pub(crate) const MAX_PER_USER: u32 = 5;
/// Failures allowed from one address (all usernames) within the window.
pub(crate) const MAX_PER_IP: u32 = 20;
pub(crate) const WINDOW: Duration = Duration::from_secs(15 * 60);
const MAX_KEYS: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    User(String, String),
    Ip(String),
}

impl Key {
    /// Case-folded, so `Admin` and `admin` share one counter.
    fn user(ip: &str, username: &str) -> Self {
        Key::User(ip.to_string(), username.to_lowercase())
    }
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

#[derive(Debug, Default)]
pub(crate) struct LoginLimiter {
    map: Mutex<HashMap<Key, Window>>,
}

impl LoginLimiter {
    /// Is this address (or this address + username) locked out right now?
    pub fn is_blocked(&self, ip: &str, username: &str) -> bool {
        self.is_blocked_at(ip, username, Instant::now())
    }

    pub fn record_failure(&self, ip: &str, username: &str) {
        self.record_failure_at(ip, username, Instant::now());
    }

    /// A successful sign-in clears that username's failures (not the address's).
    pub fn record_success(&self, ip: &str, username: &str) {
        let mut map = self.lock();
        map.remove(&Key::user(ip, username));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Window>> {
        // A panic while holding the lock cannot leave the counters inconsistent in a way
        // that matters; keep limiting rather than failing every sign-in.
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn is_blocked_at(&self, ip: &str, username: &str, now: Instant) -> bool {
        let map = self.lock();
        let over = |key: Key, max: u32| {
            map.get(&key)
                .is_some_and(|w| now.duration_since(w.started) < WINDOW && w.failures >= max)
        };
        over(Key::user(ip, username), MAX_PER_USER) || over(Key::Ip(ip.to_string()), MAX_PER_IP)
    }

    fn record_failure_at(&self, ip: &str, username: &str, now: Instant) {
        let mut map = self.lock();
        for key in [Key::user(ip, username), Key::Ip(ip.to_string())] {
            if !map.contains_key(&key) && map.len() >= MAX_KEYS {
                map.retain(|_, w| now.duration_since(w.started) < WINDOW);
                if map.len() >= MAX_KEYS {
                    // Still full of live windows: forget the oldest per-user window, keeping the
                    // per-address counters that stop a flood of usernames.
                    let oldest = map
                        .iter()
                        .filter(|(k, _)| matches!(k, Key::User(..)))
                        .min_by_key(|(_, w)| w.started)
                        .map(|(k, _)| k.clone());
                    if let Some(k) = oldest {
                        map.remove(&k);
                    }
                }
            }
            let w = map.entry(key).or_insert(Window {
                started: now,
                failures: 0,
            });
            if now.duration_since(w.started) >= WINDOW {
                *w = Window {
                    started: now,
                    failures: 0,
                };
            }
            w.failures = w.failures.saturating_add(1);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_failures_per_user_then_expires() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        for _ in 0..MAX_PER_USER {
            assert!(!l.is_blocked_at("1.2.3.4", "alice", t0));
            l.record_failure_at("1.2.3.4", "alice", t0);
        }
        assert!(l.is_blocked_at("1.2.3.4", "alice", t0));
        assert!(l.is_blocked_at("1.2.3.4", "ALICE", t0), "case-folded");
        assert!(!l.is_blocked_at("1.2.3.4", "bob", t0), "other user");
        assert!(!l.is_blocked_at("5.6.7.8", "alice", t0), "other address");
        assert!(!l.is_blocked_at("1.2.3.4", "alice", t0 + WINDOW));
    }

    #[test]
    fn blocks_an_address_trying_many_usernames() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..MAX_PER_IP {
            l.record_failure_at("9.9.9.9", &format!("user{i}"), t0);
        }
        assert!(l.is_blocked_at("9.9.9.9", "fresh", t0));
        assert!(!l.is_blocked_at("9.9.9.8", "fresh", t0));
    }

    #[test]
    fn success_clears_the_user_window() {
        let l = LoginLimiter::default();
        for _ in 0..MAX_PER_USER {
            l.record_failure("ip", "u");
        }
        assert!(l.is_blocked("ip", "u"));
        l.record_success("ip", "u");
        assert!(!l.is_blocked("ip", "u"));
    }

    #[test]
    fn map_stays_bounded() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..(MAX_KEYS + 500) {
            l.record_failure_at(&format!("ip{}", i % 3), &format!("u{i}"), t0);
        }
        assert!(l.len() <= MAX_KEYS);
    }
}
