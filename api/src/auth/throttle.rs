//! Login throttling (DESIGN.md §9): 5 failures per username or 20 per address within 15
//! minutes answer 429 until the oldest failure leaves the window. Counted per instance.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The window failures are counted in.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures allowed per username within the window.
pub const PER_USERNAME: usize = 5;
/// Failures allowed per address within the window.
pub const PER_ADDRESS: usize = 20;

/// Every this many calls, entries whose failures all left the window are dropped, so that
/// names tried once do not stay in memory forever.
const SWEEP_EVERY: u64 = 1024;
/// The most usernames (and, separately, addresses) remembered; beyond it the ones whose last
/// failure is oldest are forgotten first, so that many distinct names cannot exhaust memory.
pub const MAX_KEYS: usize = 10_000;

/// Failed logins, by username and by address.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    inner: Mutex<Failures>,
}

#[derive(Debug, Default)]
struct Failures {
    by_username: HashMap<String, VecDeque<Instant>>,
    by_address: HashMap<IpAddr, VecDeque<Instant>>,
    calls: u64,
}

impl Failures {
    /// Counts a call and, every [`SWEEP_EVERY`] calls, drops what has expired.
    fn tick(&mut self, now: Instant) {
        self.calls = self.calls.wrapping_add(1);
        if self.calls.is_multiple_of(SWEEP_EVERY) {
            sweep(&mut self.by_username, now);
            sweep(&mut self.by_address, now);
        }
    }
}

fn prune(list: &mut VecDeque<Instant>, now: Instant) {
    while list
        .front()
        .is_some_and(|t| now.duration_since(*t) >= WINDOW)
    {
        list.pop_front();
    }
}

/// Drops every entry whose failures have all left the window.
fn sweep<K>(map: &mut HashMap<K, VecDeque<Instant>>, now: Instant) {
    map.retain(|_, list| {
        prune(list, now);
        !list.is_empty()
    });
}

/// Keeps a map within [`MAX_KEYS`]: first drops what expired, then, if still too many, the
/// keys whose last failure is oldest, down to nine tenths of the cap (so that the work is
/// done once per many insertions, not on each).
fn bound<K: Clone + Eq + std::hash::Hash>(map: &mut HashMap<K, VecDeque<Instant>>, now: Instant) {
    if map.len() <= MAX_KEYS {
        return;
    }
    sweep(map, now);
    if map.len() <= MAX_KEYS {
        return;
    }
    let keep = MAX_KEYS - MAX_KEYS / 10;
    let mut last: Vec<(Instant, K)> = map
        .iter()
        .filter_map(|(k, list)| list.back().map(|t| (*t, k.clone())))
        .collect();
    let excess = last.len().saturating_sub(keep);
    if excess == 0 {
        return;
    }
    last.select_nth_unstable_by_key(excess - 1, |(t, _)| *t);
    for (_, k) in last.into_iter().take(excess) {
        map.remove(&k);
    }
}

/// Seconds until the oldest failure leaves the window, when the limit is reached.
fn blocked_for(list: Option<&mut VecDeque<Instant>>, limit: usize, now: Instant) -> Option<u64> {
    let list = list?;
    prune(list, now);
    if list.len() < limit {
        return None;
    }
    let oldest = *list.front()?;
    let left = WINDOW.saturating_sub(now.duration_since(oldest));
    Some(left.as_secs().max(1))
}

impl LoginThrottle {
    fn lock(&self) -> std::sync::MutexGuard<'_, Failures> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `Some(seconds)` when this username or address must wait.
    pub fn check(&self, username: &str, address: Option<IpAddr>) -> Option<u64> {
        self.check_at(username, address, Instant::now())
    }

    fn check_at(&self, username: &str, address: Option<IpAddr>, now: Instant) -> Option<u64> {
        let mut f = self.lock();
        f.tick(now);
        let by_user = blocked_for(f.by_username.get_mut(username), PER_USERNAME, now);
        let by_address =
            address.and_then(|a| blocked_for(f.by_address.get_mut(&a), PER_ADDRESS, now));
        by_user.max(by_address)
    }

    /// Records a failed attempt.
    pub fn fail(&self, username: &str, address: Option<IpAddr>) {
        self.fail_at(username, address, Instant::now());
    }

    fn fail_at(&self, username: &str, address: Option<IpAddr>, now: Instant) {
        let mut f = self.lock();
        f.tick(now);
        let list = f.by_username.entry(username.to_string()).or_default();
        prune(list, now);
        list.push_back(now);
        bound(&mut f.by_username, now);
        if let Some(a) = address {
            let list = f.by_address.entry(a).or_default();
            prune(list, now);
            list.push_back(now);
            bound(&mut f.by_address, now);
        }
    }

    /// A successful login clears the username's failures (not the address's).
    pub fn succeed(&self, username: &str) {
        let mut f = self.lock();
        f.tick(Instant::now());
        f.by_username.remove(username);
    }

    /// (usernames, addresses) remembered.
    #[cfg(test)]
    fn sizes(&self) -> (usize, usize) {
        let f = self.lock();
        (f.by_username.len(), f.by_address.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_block_the_username_but_not_another() {
        let t = LoginThrottle::default();
        for _ in 0..PER_USERNAME {
            assert_eq!(t.check("alice", None), None);
            t.fail("alice", None);
        }
        let wait = t.check("alice", None).expect("blocked");
        assert!(wait > 0 && wait <= WINDOW.as_secs());
        assert_eq!(t.check("bob", None), None);
    }

    #[test]
    fn twenty_failures_block_the_address() {
        let t = LoginThrottle::default();
        let a: IpAddr = "10.0.0.1".parse().expect("ip");
        for i in 0..PER_ADDRESS {
            t.fail(&format!("user{i}"), Some(a));
        }
        assert!(t.check("someone-new", Some(a)).is_some());
        assert!(t.check("someone-new", None).is_none());
    }

    #[test]
    fn expired_entries_are_forgotten() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        for i in 0..50u8 {
            t.fail_at(
                &format!("user{i}"),
                Some(IpAddr::from([10, 0, 0, i])),
                start,
            );
        }
        assert_eq!(t.sizes(), (50, 50));
        let later = start + WINDOW + Duration::from_secs(1);
        for _ in 0..SWEEP_EVERY {
            assert_eq!(t.check_at("user0", None, later), None);
        }
        assert_eq!(t.sizes(), (0, 0));
    }

    #[test]
    fn many_distinct_usernames_never_pass_the_cap() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        let a: IpAddr = "10.0.0.9".parse().expect("ip");
        for i in 0..(3 * MAX_KEYS) {
            let at = start + Duration::from_millis(i as u64 / 100);
            t.fail_at(&format!("user{i}"), Some(a), at);
            let ip = IpAddr::from((i as u32).to_be_bytes());
            t.fail_at("same-user", Some(ip), at);
            let (users, addresses) = t.sizes();
            assert!(
                users <= MAX_KEYS && addresses <= MAX_KEYS,
                "{users} {addresses}"
            );
        }
        // The most recent failures are the ones kept: this username is still blocked.
        let now = start + Duration::from_secs(1);
        assert!(t.check_at("same-user", None, now).is_some());
        assert!(t.check_at("some-new-name", Some(a), now).is_some());
    }
}
