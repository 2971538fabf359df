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

/// Failed logins, by username and by address.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    inner: Mutex<Failures>,
}

#[derive(Debug, Default)]
struct Failures {
    by_username: HashMap<String, VecDeque<Instant>>,
    by_address: HashMap<IpAddr, VecDeque<Instant>>,
}

fn prune(list: &mut VecDeque<Instant>, now: Instant) {
    while list
        .front()
        .is_some_and(|t| now.duration_since(*t) >= WINDOW)
    {
        list.pop_front();
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
    /// `Some(seconds)` when this username or address must wait.
    pub fn check(&self, username: &str, address: Option<IpAddr>) -> Option<u64> {
        let now = Instant::now();
        let mut f = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let by_user = blocked_for(f.by_username.get_mut(username), PER_USERNAME, now);
        let by_address =
            address.and_then(|a| blocked_for(f.by_address.get_mut(&a), PER_ADDRESS, now));
        by_user.max(by_address)
    }

    /// Records a failed attempt.
    pub fn fail(&self, username: &str, address: Option<IpAddr>) {
        let now = Instant::now();
        let mut f = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let list = f.by_username.entry(username.to_string()).or_default();
        prune(list, now);
        list.push_back(now);
        if let Some(a) = address {
            let list = f.by_address.entry(a).or_default();
            prune(list, now);
            list.push_back(now);
        }
    }

    /// A successful login clears the username's failures (not the address's).
    pub fn succeed(&self, username: &str) {
        let mut f = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f.by_username.remove(username);
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
}
