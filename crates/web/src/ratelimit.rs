//! Sign-in attempts per (client address, username), per client address and per username, in
//! memory, with a fixed window per key. An attempt is counted *before* the password is checked,
//! so concurrent requests cannot all slip past the limit; a success gives its attempt back.
//! IPv6 addresses count by their /64, which one client controls entirely. The map is bounded
//! so a flood of distinct usernames cannot exhaust memory.
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed for one username from one address within the window.
pub(crate) const MAX_PER_USER: u32 = 5;
/// Failures allowed from one address (all usernames) within the window.
pub(crate) const MAX_PER_IP: u32 = 20;
/// Failures allowed for one username from all addresses together (a distributed guesser).
pub(crate) const MAX_PER_NAME: u32 = 50;
pub(crate) const WINDOW: Duration = Duration::from_secs(15 * 60);
const MAX_KEYS: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    User(String, String),
    Ip(String),
    Name(String),
}

impl Key {
    /// Case-folded, so `Admin` and `admin` share one counter.
    fn user(ip: &str, username: &str) -> Self {
        Key::User(address_key(ip), username.to_lowercase())
    }

    fn ip(ip: &str) -> Self {
        Key::Ip(address_key(ip))
    }

    fn name(username: &str) -> Self {
        Key::Name(username.to_lowercase())
    }
}

/// An IPv6 client owns at least a /64, so its addresses share one counter.
fn address_key(ip: &str) -> String {
    match ip.parse::<std::net::Ipv6Addr>() {
        Ok(v6) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => ip.to_string(),
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
    /// Counts a sign-in attempt, unless the address, the address + username or the username
    /// is locked out already; returns whether the attempt may go ahead.
    pub fn try_attempt(&self, ip: &str, username: &str) -> bool {
        let now = Instant::now();
        if self.is_blocked_at(ip, username, now) {
            return false;
        }
        self.record_failure_at(ip, username, now);
        true
    }

    /// A successful sign-in clears that username's failures from this address and gives the
    /// attempt back to the address and name counters.
    pub fn record_success(&self, ip: &str, username: &str) {
        let mut map = self.lock();
        map.remove(&Key::user(ip, username));
        for key in [Key::ip(ip), Key::name(username)] {
            if let Some(w) = map.get_mut(&key) {
                w.failures = w.failures.saturating_sub(1);
            }
        }
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
        over(Key::user(ip, username), MAX_PER_USER)
            || over(Key::ip(ip), MAX_PER_IP)
            || over(Key::name(username), MAX_PER_NAME)
    }

    fn record_failure_at(&self, ip: &str, username: &str, now: Instant) {
        let mut map = self.lock();
        for key in [Key::user(ip, username), Key::ip(ip), Key::name(username)] {
            if !map.contains_key(&key) && map.len() >= MAX_KEYS {
                map.retain(|_, w| now.duration_since(w.started) < WINDOW);
                if map.len() >= MAX_KEYS {
                    // Still full of live windows: forget the oldest per-user window, keeping the
                    // per-address counters that stop a flood of usernames.
                    let oldest = map
                        .iter()
                        .filter(|(k, _)| !matches!(k, Key::Ip(..)))
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
    fn attempts_count_before_the_password_is_checked() {
        // Concurrent requests each take an attempt up front: only MAX_PER_USER get through,
        // however many arrive before any of them has failed.
        let l = LoginLimiter::default();
        let allowed = (0..100).filter(|_| l.try_attempt("ip", "u")).count();
        assert_eq!(allowed, MAX_PER_USER as usize);
        l.record_success("ip", "u");
        assert!(l.try_attempt("ip", "u"), "a success clears the user window");
    }

    #[test]
    fn successes_do_not_lock_out_a_shared_address() {
        // A school behind one NAT address: many teachers signing in successfully.
        let l = LoginLimiter::default();
        for i in 0..(3 * MAX_PER_IP) {
            let user = format!("teacher{i}");
            assert!(l.try_attempt("10.0.0.1", &user), "attempt {i}");
            l.record_success("10.0.0.1", &user);
        }
    }

    #[test]
    fn ipv6_addresses_share_their_64() {
        let l = LoginLimiter::default();
        for i in 0..MAX_PER_IP {
            assert!(l.try_attempt(&format!("2001:db8:1:2::{i:x}"), &format!("u{i}")));
        }
        assert!(!l.try_attempt("2001:db8:1:2:ffff::1", "fresh"), "same /64");
        assert!(l.try_attempt("2001:db8:1:3::1", "fresh"), "another /64");
    }

    #[test]
    fn one_username_from_many_addresses_is_limited() {
        let l = LoginLimiter::default();
        for i in 0..MAX_PER_NAME {
            assert!(l.try_attempt(&format!("10.1.{}.{}", i / 256, i % 256), "admin"));
        }
        assert!(!l.try_attempt("10.9.9.9", "admin"));
        assert!(l.try_attempt("10.9.9.9", "someone-else"));
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
