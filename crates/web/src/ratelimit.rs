//! Sign-in limits, in memory, built so that a stranger cannot lock someone else out. Each
//! failed attempt counts in three fixed windows:
//! - per (address, username): after [`MAX_PER_PAIR`] failures that address may not try that
//!   username again until its window ends — a guesser locks out only themselves;
//! - per address: after [`MAX_PER_IP`] failures (any usernames) the address is refused;
//! - per username, from every address: never a lock but a slow-down — after [`NAME_FREE`]
//!   failures each further attempt waits a delay that doubles per failure, capped at the
//!   policy's maximum, so a distributed guesser is slowed and the real user waits seconds.
//!
//! An attempt is counted *before* the password is checked, so concurrent requests cannot all
//! slip past a limit; a success gives its attempt back. Every window expires, and an admin can
//! lift a username's limits at once ([`LoginLimiter::unlock`]). IPv6 addresses count by their
//! /64, which one client controls entirely. The map is bounded so a flood of distinct
//! usernames cannot exhaust memory.
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed for one username from one address within the window.
pub(crate) const MAX_PER_PAIR: u32 = 5;
/// Failures allowed from one address (all usernames) within the window.
pub(crate) const MAX_PER_IP: u32 = 20;
/// Failures of one username (all addresses) before its slow-down starts: above one address's
/// own limit, so only guessing from several addresses slows the account down.
pub(crate) const NAME_FREE: u32 = 10;
/// The first delay of the slow-down; each further failure doubles it.
const SLOWDOWN_BASE: Duration = Duration::from_secs(1);
pub(crate) const WINDOW: Duration = Duration::from_secs(15 * 60);
const MAX_KEYS: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Pair(String, String),
    Ip(String),
    Name(String),
}

impl Key {
    /// Case-folded, so `Admin` and `admin` share one counter.
    fn pair(ip: &str, username: &str) -> Self {
        Key::Pair(address_key(ip), username.to_lowercase())
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
    /// The latest counted attempt: the slow-down runs from here.
    last: Instant,
}

impl Window {
    fn live(&self, now: Instant) -> bool {
        now.duration_since(self.started) < WINDOW
    }

    fn remaining(&self, now: Instant) -> Duration {
        WINDOW.saturating_sub(now.duration_since(self.started))
    }
}

#[derive(Debug)]
pub(crate) struct LoginLimiter {
    map: Mutex<HashMap<Key, Window>>,
    /// The longest delay the per-username slow-down imposes.
    slowdown_max: Duration,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new(Duration::from_secs(60))
    }
}

impl LoginLimiter {
    pub fn new(slowdown_max: Duration) -> Self {
        Self {
            map: Mutex::default(),
            slowdown_max,
        }
    }

    /// Counts a sign-in attempt unless a limit refuses it; `Err` says how long until this
    /// address may try this username again.
    pub fn try_attempt(&self, ip: &str, username: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut map = self.lock();
        if let Some(wait) = self.refusal(&map, ip, username, now) {
            return Err(wait);
        }
        record_failure(&mut map, ip, username, now);
        Ok(())
    }

    /// A successful sign-in clears that username's failures from this address and gives the
    /// attempt back to the address and username counters.
    pub fn record_success(&self, ip: &str, username: &str) {
        let mut map = self.lock();
        map.remove(&Key::pair(ip, username));
        for key in [Key::ip(ip), Key::name(username)] {
            if let Some(w) = map.get_mut(&key) {
                w.failures = w.failures.saturating_sub(1);
            }
        }
    }

    /// Lifts every limit on `username` (an admin's 解除锁定): its slow-down and the per-address
    /// locks on it. Answers whether there was anything to lift. Address limits stay: they
    /// belong to the address, not the account.
    pub fn unlock(&self, username: &str) -> bool {
        let name = username.to_lowercase();
        let mut map = self.lock();
        let before = map.len();
        map.retain(|k, _| match k {
            Key::Name(n) | Key::Pair(_, n) => *n != name,
            Key::Ip(_) => true,
        });
        map.len() != before
    }

    /// How long `username` is held back right now, from anywhere: its slow-down, or the
    /// longest lock one address has on it. `None`: not limited.
    pub fn status(&self, username: &str) -> Option<Duration> {
        let now = Instant::now();
        let name = username.to_lowercase();
        let map = self.lock();
        map.iter()
            .filter_map(|(k, w)| match k {
                Key::Name(n) if *n == name => self.slowdown_left(w, now),
                Key::Pair(_, n) if *n == name && w.live(now) && w.failures >= MAX_PER_PAIR => {
                    Some(w.remaining(now))
                }
                _ => None,
            })
            .max()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Window>> {
        // A panic while holding the lock cannot leave the counters inconsistent in a way
        // that matters; keep limiting rather than failing every sign-in.
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The delay the per-username slow-down still imposes after the window's last attempt.
    fn slowdown_left(&self, w: &Window, now: Instant) -> Option<Duration> {
        if !w.live(now) || w.failures < NAME_FREE {
            return None;
        }
        let doublings = (w.failures - NAME_FREE).min(31);
        let delay = SLOWDOWN_BASE
            .saturating_mul(1 << doublings)
            .min(self.slowdown_max);
        let until = w.last + delay;
        (now < until).then(|| until - now)
    }

    fn refusal(
        &self,
        map: &HashMap<Key, Window>,
        ip: &str,
        username: &str,
        now: Instant,
    ) -> Option<Duration> {
        let locked = |key: Key, max: u32| {
            map.get(&key)
                .filter(|w| w.live(now) && w.failures >= max)
                .map(|w| w.remaining(now))
        };
        let slowed = map
            .get(&Key::name(username))
            .and_then(|w| self.slowdown_left(w, now));
        [
            locked(Key::pair(ip, username), MAX_PER_PAIR),
            locked(Key::ip(ip), MAX_PER_IP),
            slowed,
        ]
        .into_iter()
        .flatten()
        .max()
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }
}

fn record_failure(map: &mut HashMap<Key, Window>, ip: &str, username: &str, now: Instant) {
    for key in [Key::pair(ip, username), Key::ip(ip), Key::name(username)] {
        if !map.contains_key(&key) && map.len() >= MAX_KEYS {
            map.retain(|_, w| w.live(now));
            if map.len() >= MAX_KEYS {
                // Still full of live windows: forget the oldest per-username window, keeping
                // the per-address counters that stop a flood of usernames.
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
            last: now,
        });
        if !w.live(now) {
            *w = Window {
                started: now,
                failures: 0,
                last: now,
            };
        }
        w.failures = w.failures.saturating_add(1);
        w.last = now;
    }
}

/// "N 秒" or "N 分钟", for a Chinese "try again in …".
pub(crate) fn wait_zh(wait: Duration) -> String {
    let secs = wait.as_secs().max(1);
    if secs < 120 {
        format!("{secs} 秒")
    } else {
        format!("{} 分钟", secs.div_ceil(60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail_at(l: &LoginLimiter, ip: &str, user: &str, now: Instant) {
        record_failure(&mut l.lock(), ip, user, now);
    }

    fn refused_at(l: &LoginLimiter, ip: &str, user: &str, now: Instant) -> Option<Duration> {
        l.refusal(&l.lock(), ip, user, now)
    }

    #[test]
    fn an_address_locks_only_itself_out_of_a_username_then_expires() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        for _ in 0..MAX_PER_PAIR {
            fail_at(&l, "1.2.3.4", "alice", t0);
        }
        let t = t0 + Duration::from_secs(61);
        assert!(refused_at(&l, "1.2.3.4", "alice", t).is_some());
        assert!(
            refused_at(&l, "1.2.3.4", "ALICE", t).is_some(),
            "case-folded"
        );
        assert_eq!(refused_at(&l, "1.2.3.4", "bob", t), None, "other user");
        assert_eq!(refused_at(&l, "5.6.7.8", "alice", t), None, "other address");
        assert_eq!(refused_at(&l, "1.2.3.4", "alice", t0 + WINDOW), None);
    }

    #[test]
    fn a_username_failing_from_everywhere_is_slowed_never_locked() {
        let l = LoginLimiter::new(Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..NAME_FREE {
            fail_at(&l, &format!("10.0.0.{i}"), "alice", t0);
        }
        // From a fresh address: wait 1 s after the last failure, then 2 s, 4 s, … ≤ 60 s.
        assert_eq!(
            refused_at(&l, "10.9.9.9", "alice", t0),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            refused_at(&l, "10.9.9.9", "alice", t0 + Duration::from_secs(1)),
            None
        );
        let mut t = t0;
        for i in 0..10 {
            t += Duration::from_secs(61);
            assert_eq!(refused_at(&l, "10.9.9.9", "alice", t), None, "after {i}");
            fail_at(&l, &format!("10.1.0.{i}"), "alice", t);
        }
        assert_eq!(
            refused_at(&l, "10.9.9.9", "alice", t),
            Some(Duration::from_secs(60)),
            "capped"
        );
        assert_eq!(
            refused_at(&l, "10.9.9.9", "alice", t + Duration::from_secs(60)),
            None
        );
    }

    #[test]
    fn blocks_an_address_trying_many_usernames() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..MAX_PER_IP {
            fail_at(&l, "9.9.9.9", &format!("user{i}"), t0);
        }
        assert!(refused_at(&l, "9.9.9.9", "fresh", t0).is_some());
        assert_eq!(refused_at(&l, "9.9.9.8", "fresh", t0), None);
    }

    #[test]
    fn attempts_count_before_the_password_is_checked() {
        // Concurrent requests each take an attempt up front: only MAX_PER_PAIR get through,
        // however many arrive before any of them has failed.
        let l = LoginLimiter::default();
        let allowed = (0..100)
            .filter(|_| l.try_attempt("ip", "u").is_ok())
            .count();
        assert_eq!(allowed, MAX_PER_PAIR as usize);
        l.record_success("ip", "u");
        assert!(l.unlock("u"));
        assert!(l.try_attempt("ip", "u").is_ok(), "unlocked");
        assert!(!l.unlock("nobody"));
    }

    #[test]
    fn an_unlock_lifts_the_slow_down_and_the_address_locks_of_that_username_only() {
        let l = LoginLimiter::default();
        for _ in 0..MAX_PER_PAIR {
            let _ = l.try_attempt("1.1.1.1", "carol");
        }
        for _ in 0..MAX_PER_PAIR {
            let _ = l.try_attempt("1.1.1.1", "dave");
        }
        assert!(l.status("carol").is_some());
        assert!(l.unlock("carol"));
        assert_eq!(l.status("carol"), None);
        assert!(l.try_attempt("1.1.1.1", "carol").is_ok());
        assert!(l.status("dave").is_some(), "others stay limited");
    }

    #[test]
    fn successes_do_not_lock_out_a_shared_address() {
        // A school behind one NAT address: many teachers signing in successfully.
        let l = LoginLimiter::default();
        for i in 0..(3 * MAX_PER_IP) {
            let user = format!("teacher{i}");
            assert!(l.try_attempt("10.0.0.1", &user).is_ok(), "attempt {i}");
            l.record_success("10.0.0.1", &user);
        }
    }

    #[test]
    fn ipv6_addresses_share_their_64() {
        let l = LoginLimiter::default();
        for i in 0..MAX_PER_IP {
            assert!(
                l.try_attempt(&format!("2001:db8:1:2::{i:x}"), &format!("u{i}"))
                    .is_ok()
            );
        }
        assert!(
            l.try_attempt("2001:db8:1:2:ffff::1", "fresh").is_err(),
            "same /64"
        );
        assert!(
            l.try_attempt("2001:db8:1:3::1", "fresh").is_ok(),
            "another /64"
        );
    }

    #[test]
    fn map_stays_bounded() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..(MAX_KEYS + 500) {
            fail_at(&l, &format!("ip{}", i % 3), &format!("u{i}"), t0);
        }
        assert!(l.len() <= MAX_KEYS);
    }

    #[test]
    fn waits_read_in_seconds_or_minutes() {
        assert_eq!(wait_zh(Duration::from_millis(300)), "1 秒");
        assert_eq!(wait_zh(Duration::from_secs(45)), "45 秒");
        assert_eq!(wait_zh(Duration::from_secs(14 * 60 + 1)), "15 分钟");
    }
}
