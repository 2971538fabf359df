//! Login throttling (DESIGN.md §9), per instance. Failures are counted per (name, address):
//! after 5 the pair waits 15 s, and every further failure doubles the wait, up to 15 minutes;
//! a success clears the pair. A name is never locked as such, so that a body guessing an
//! analyst's name from its own address locks only itself out of that name, and the analyst
//! still logs in from elsewhere. An address with 20 failures within 15 minutes (behind a NAT
//! that may be a whole country's bodies) refuses no one outright: from it, a name's first
//! failure already starts the wait, so a correct password of a name that has not failed there
//! still passes, while guessing across many names gets one try each.
//!
//! An attempt is reserved before its password is checked and counted with the pair's failures
//! until it is settled, so that concurrent guesses cannot all pass the check before any is
//! recorded. An attempt that finds every free slot reserved is not refused: it waits for one
//! under way to settle ([`LoginThrottle::begin`]), because only failures already recorded say
//! that a name is being guessed; twelve people of one body logging in at once behind one
//! address all get in.
//! IPv6 addresses count by their /64 network, which one subscriber usually holds whole.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The window an address's failures are counted in.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures of a (name, address) pair before it must wait.
pub const PER_PAIR: u32 = 5;
/// Failures of an address within the window after which each of its names waits after its
/// first failure.
pub const PER_ADDRESS: usize = 20;
/// The first wait; each further failure doubles it.
pub const FIRST_WAIT: Duration = Duration::from_secs(15);
/// The longest wait.
pub const LONGEST_WAIT: Duration = Duration::from_secs(15 * 60);
/// A pair with no failure for this long starts afresh.
pub const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);

/// Every this many calls, entries that have expired are dropped, so that names tried once do
/// not stay in memory forever.
const SWEEP_EVERY: u64 = 1024;
/// The most pairs (and, separately, addresses) remembered; beyond it the pairs with fewest
/// failures, and the addresses whose last failure is oldest, are forgotten first, so that many
/// distinct names cannot exhaust memory or flush the counts of a pair under attack.
pub const MAX_KEYS: usize = 10_000;

type PairKey = (String, Option<IpAddr>);

#[derive(Debug, Clone, Copy)]
struct Pair {
    /// Failures recorded since the last success.
    failures: u32,
    /// Attempts begun and not yet settled.
    in_flight: u32,
    /// When the last failure was recorded (or the first attempt began).
    last: Instant,
}

impl Pair {
    fn idle(&self) -> bool {
        self.failures == 0 && self.in_flight == 0
    }
}

/// Why an attempt may not begin now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The pair's recorded failures make it wait this many seconds (429 with `Retry-After`).
    Wait(u64),
    /// Every free slot is held by an attempt under way: look again once one settles.
    Busy,
}

/// How long [`LoginThrottle::begin`] waits for attempts under way before it gives up with a
/// one-second `Retry-After`: far longer than a queue of password checks takes.
pub const LONGEST_QUEUE: Duration = Duration::from_secs(20);

/// Failed logins and the counters `/metrics` exports.
#[derive(Debug)]
pub struct LoginThrottle {
    inner: Mutex<Failures>,
    failures_total: AtomicU64,
    lockouts_total: AtomicU64,
    refused_total: AtomicU64,
    verifications: tokio::sync::Semaphore,
    settled: tokio::sync::Notify,
}

impl Default for LoginThrottle {
    fn default() -> LoginThrottle {
        // Password checks are CPU work: more at once than cores only queues them in threads.
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        LoginThrottle {
            inner: Mutex::default(),
            failures_total: AtomicU64::new(0),
            lockouts_total: AtomicU64::new(0),
            refused_total: AtomicU64::new(0),
            verifications: tokio::sync::Semaphore::new(cores),
            settled: tokio::sync::Notify::new(),
        }
    }
}

#[derive(Debug, Default)]
struct Failures {
    pairs: HashMap<PairKey, Pair>,
    by_address: HashMap<IpAddr, VecDeque<Instant>>,
    calls: u64,
}

/// How long a pair with this many failures waits after its last one, if at all.
fn wait_after(failures: u32, threshold: u32) -> Option<Duration> {
    let doublings = failures.checked_sub(threshold)?.min(16);
    Some(FIRST_WAIT.saturating_mul(1 << doublings).min(LONGEST_WAIT))
}

/// Whole seconds, rounded up, at least 1 (what `Retry-After` says).
fn seconds(d: Duration) -> u64 {
    (d.as_secs() + u64::from(d.subsec_nanos() > 0)).max(1)
}

/// The address failures are counted under: IPv4 as is, IPv6 by its /64.
fn counted_as(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(network.into())
        }
        v4 => v4,
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

impl Failures {
    /// Counts a call and, every [`SWEEP_EVERY`] calls, drops what has expired.
    fn tick(&mut self, now: Instant) {
        self.calls = self.calls.wrapping_add(1);
        if self.calls.is_multiple_of(SWEEP_EVERY) {
            self.sweep(now);
        }
    }

    fn sweep(&mut self, now: Instant) {
        self.pairs
            .retain(|_, p| p.in_flight > 0 || now.duration_since(p.last) < FORGET_AFTER);
        self.by_address.retain(|_, list| {
            prune(list, now);
            !list.is_empty()
        });
    }

    /// The failures after which a pair from this address waits: fewer from a busy address.
    fn threshold(&mut self, address: Option<IpAddr>, now: Instant) -> u32 {
        let busy = address
            .and_then(|a| self.by_address.get_mut(&a))
            .is_some_and(|list| {
                prune(list, now);
                list.len() >= PER_ADDRESS
            });
        if busy { 1 } else { PER_PAIR }
    }

    /// Keeps both maps within [`MAX_KEYS`]: first drops what expired, then down to nine tenths
    /// of the cap (so that the work is done once per many insertions, not on each).
    fn bound(&mut self, now: Instant) {
        if self.pairs.len() <= MAX_KEYS && self.by_address.len() <= MAX_KEYS {
            return;
        }
        self.sweep(now);
        let keep = MAX_KEYS - MAX_KEYS / 10;
        if self.pairs.len() > MAX_KEYS {
            let ranked = self.pairs.iter().map(|(k, p)| ((p.failures, p.last), k));
            for k in fewest(ranked, keep) {
                self.pairs.remove(&k);
            }
        }
        if self.by_address.len() > MAX_KEYS {
            let ranked = self
                .by_address
                .iter()
                .filter_map(|(k, list)| list.back().map(|t| (*t, k)));
            for k in fewest(ranked, keep) {
                self.by_address.remove(&k);
            }
        }
    }
}

/// The keys ranked lowest, all but `keep` of them.
fn fewest<'a, R: Ord + Copy, K: Clone + 'a>(
    ranked: impl Iterator<Item = (R, &'a K)>,
    keep: usize,
) -> Vec<K> {
    let mut ranked: Vec<(R, &K)> = ranked.collect();
    let excess = ranked.len().saturating_sub(keep);
    if excess == 0 {
        return Vec::new();
    }
    ranked.select_nth_unstable_by_key(excess - 1, |(r, _)| *r);
    ranked
        .into_iter()
        .take(excess)
        .map(|(_, k)| k.clone())
        .collect()
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Succeeded,
    Failed,
    Unchecked,
}

/// An attempt under way, counted against its pair until it is settled: [`Attempt::succeed`]
/// clears the pair's failures, [`Attempt::fail`] records one; dropped unsettled (the check
/// could not be made), it leaves them as they were.
#[derive(Debug)]
pub struct Attempt<'a> {
    throttle: &'a LoginThrottle,
    key: String,
    address: Option<IpAddr>,
    at: Instant,
    /// The failures after which the pair waits, as they stood when the attempt began.
    threshold: u32,
    settled: bool,
}

impl Attempt<'_> {
    /// The credentials were right: the pair's failures are cleared (not the address's, so
    /// that one valid account does not reset a busy address).
    pub fn succeed(mut self) {
        self.settled = true;
        self.throttle
            .settle(&self.key, self.address, self.at, Outcome::Succeeded);
    }

    /// The credentials were wrong: logged and counted; `Some(seconds)` when the pair must now
    /// wait.
    pub fn fail(mut self) -> Option<u64> {
        self.settled = true;
        let t = self.throttle;
        let failures = t.settle(&self.key, self.address, self.at, Outcome::Failed);
        t.failures_total.fetch_add(1, Ordering::Relaxed);
        let address = self
            .address
            .map_or_else(|| "-".to_string(), |a| a.to_string());
        tracing::warn!(username = ?self.key, %address, failures, "登录失败 / login failed");
        let wait = wait_after(failures, self.threshold).map(seconds)?;
        t.lockouts_total.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(username = ?self.key, %address, wait_seconds = wait, "登录已锁定 / login locked out");
        Some(wait)
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.throttle
                .settle(&self.key, self.address, self.at, Outcome::Unchecked);
        }
    }
}

impl LoginThrottle {
    fn lock(&self) -> std::sync::MutexGuard<'_, Failures> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Begins an attempt for a name (`client:<id>` for a client) from an address: the attempt,
    /// counted against the pair until settled, or `Err(seconds)` to wait. When attempts under
    /// way hold every free slot, it waits for one of them to settle (at most
    /// [`LONGEST_QUEUE`]) and looks again.
    pub async fn begin(&self, key: &str, address: Option<IpAddr>) -> Result<Attempt<'_>, u64> {
        let give_up = Instant::now() + LONGEST_QUEUE;
        loop {
            // Registered before looking, so that a settlement between the look and the wait
            // is not missed.
            let settled = self.settled.notified();
            match self.begin_at(key, address, Instant::now()) {
                Ok(attempt) => return Ok(attempt),
                Err(Refused::Wait(seconds)) => return Err(seconds),
                Err(Refused::Busy) => {
                    let left = give_up.saturating_duration_since(Instant::now());
                    if left.is_zero() || tokio::time::timeout(left, settled).await.is_err() {
                        self.refused_total.fetch_add(1, Ordering::Relaxed);
                        return Err(1);
                    }
                }
            }
        }
    }

    /// One look at whether an attempt may begin at a given instant (tests move time without
    /// sleeping): it may when the pair's failures and attempts under way are below its
    /// threshold, or, past that, when its wait is over and nothing else is under way.
    pub fn begin_at(
        &self,
        key: &str,
        address: Option<IpAddr>,
        now: Instant,
    ) -> Result<Attempt<'_>, Refused> {
        let address = address.map(counted_as);
        let pair_key = (key.to_string(), address);
        let mut f = self.lock();
        f.tick(now);
        let threshold = f.threshold(address, now);
        let fresh = Pair {
            failures: 0,
            in_flight: 0,
            last: now,
        };
        let pair = f.pairs.entry(pair_key).or_insert(fresh);
        if pair.in_flight == 0 && now.duration_since(pair.last) >= FORGET_AFTER {
            *pair = fresh;
        }
        if let Some(wait) = wait_after(pair.failures, threshold) {
            let until = pair.last + wait;
            if now < until {
                drop(f);
                self.refused_total.fetch_add(1, Ordering::Relaxed);
                return Err(Refused::Wait(seconds(until - now)));
            }
        }
        if pair.in_flight > 0 && pair.failures + pair.in_flight >= threshold {
            return Err(Refused::Busy);
        }
        pair.in_flight += 1;
        if pair.failures == 0 {
            pair.last = now;
        }
        if let Some(a) = address {
            f.by_address.entry(a).or_default().push_back(now);
        }
        f.bound(now);
        Ok(Attempt {
            throttle: self,
            key: key.to_string(),
            address,
            at: now,
            threshold,
            settled: false,
        })
    }

    /// Ends an attempt under way: a success clears the pair's failures, a failure adds one
    /// (the pair's failures are returned), an attempt whose check never ran leaves them as
    /// they were. Only a failure stays counted against the address. Wakes the attempts that
    /// wait for a slot.
    fn settle(&self, key: &str, address: Option<IpAddr>, at: Instant, outcome: Outcome) -> u32 {
        let mut f = self.lock();
        let pair_key = (key.to_string(), address);
        let mut failures = u32::from(outcome == Outcome::Failed);
        if let Some(pair) = f.pairs.get_mut(&pair_key) {
            pair.in_flight = pair.in_flight.saturating_sub(1);
            match outcome {
                Outcome::Succeeded => pair.failures = 0,
                Outcome::Failed => {
                    pair.failures += 1;
                    pair.last = pair.last.max(at);
                }
                Outcome::Unchecked => {}
            }
            failures = pair.failures;
            if pair.idle() {
                f.pairs.remove(&pair_key);
            }
        }
        if outcome != Outcome::Failed
            && let Some(list) = address.and_then(|a| f.by_address.get_mut(&a))
            && let Some(i) = list.iter().rposition(|t| *t == at)
        {
            list.remove(i);
        }
        drop(f);
        self.settled.notify_waiters();
        failures
    }

    /// The bound on password checks running at once (about the core count): a check holds a
    /// permit, so that a flood of logins queues here instead of starving other work.
    pub fn verifications(&self) -> &tokio::sync::Semaphore {
        &self.verifications
    }

    /// Failed logins since start.
    pub fn failures_total(&self) -> u64 {
        self.failures_total.load(Ordering::Relaxed)
    }

    /// Failures that made their (name, address) wait, since start.
    pub fn lockouts_total(&self) -> u64 {
        self.lockouts_total.load(Ordering::Relaxed)
    }

    /// Attempts refused (429) while their pair waited, since start.
    pub fn refused_total(&self) -> u64 {
        self.refused_total.load(Ordering::Relaxed)
    }

    /// (pairs, addresses) remembered.
    #[cfg(test)]
    fn sizes(&self) -> (usize, usize) {
        let f = self.lock();
        (f.pairs.len(), f.by_address.len())
    }
}

#[cfg(test)]
#[path = "throttle_tests.rs"]
mod tests;
