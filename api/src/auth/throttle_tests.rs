//! The login throttle's rules, on an injected clock (no sleeping).

use super::*;

fn ip(text: &str) -> Option<IpAddr> {
    Some(text.parse().expect("ip"))
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// `n` failures of a name from an address, all at `at`.
fn fail_n(t: &LoginThrottle, key: &str, address: Option<IpAddr>, n: u32, at: Instant) {
    for _ in 0..n {
        t.begin_at(key, address, at).expect("allowed").fail();
    }
}

#[test]
fn five_failures_make_the_pair_wait_but_not_the_name_elsewhere_nor_another_name() {
    let t = LoginThrottle::default();
    let now = Instant::now();
    let a = ip("198.51.100.1");
    fail_n(&t, "alice", a, PER_PAIR - 1, now);
    let last = t.begin_at("alice", a, now).expect("fifth allowed");
    assert_eq!(last.fail(), Some(FIRST_WAIT.as_secs()));
    assert_eq!(
        t.begin_at("alice", a, now).err(),
        Some(Refused::Wait(FIRST_WAIT.as_secs()))
    );
    assert!(t.begin_at("alice", ip("203.0.113.7"), now).is_ok());
    assert!(t.begin_at("alice", None, now).is_ok());
    assert!(t.begin_at("bob", a, now).is_ok());
}

#[test]
fn the_wait_doubles_with_each_failure_up_to_fifteen_minutes() {
    let t = LoginThrottle::default();
    let a = ip("198.51.100.2");
    let mut now = Instant::now();
    fail_n(&t, "alice", a, PER_PAIR, now);
    let mut waits = Vec::new();
    for _ in 0..8 {
        let Refused::Wait(wait) = t.begin_at("alice", a, now).expect_err("waits") else {
            panic!("refused with a wait, not busy");
        };
        assert_eq!(
            t.begin_at("alice", a, now + secs(wait) - secs(1)).err(),
            Some(Refused::Wait(1)),
            "still waiting a second before the end"
        );
        waits.push(wait);
        now += secs(wait);
        t.begin_at("alice", a, now)
            .expect("allowed after the wait")
            .fail();
    }
    assert_eq!(waits, [15, 30, 60, 120, 240, 480, 900, 900]);
}

#[test]
fn a_success_clears_the_pair_and_refunds_its_attempt() {
    let t = LoginThrottle::default();
    let now = Instant::now();
    let a = ip("198.51.100.3");
    fail_n(&t, "alice", a, PER_PAIR - 1, now);
    t.begin_at("alice", a, now).expect("allowed").succeed();
    // Five more failures are allowed before a wait: the earlier four are gone.
    fail_n(&t, "alice", a, PER_PAIR, now);
    assert!(t.begin_at("alice", a, now).is_err());
    // The success is not counted against the address: 4 + 5 failures.
    assert_eq!(
        t.lock()
            .by_address
            .values()
            .map(VecDeque::len)
            .sum::<usize>(),
        9
    );
    assert_eq!(t.failures_total(), 9);
    assert_eq!(t.lockouts_total(), 1);
    assert_eq!(t.refused_total(), 1);
}

#[test]
fn attempts_under_way_count_so_concurrent_guesses_cannot_pass() {
    let t = LoginThrottle::default();
    let now = Instant::now();
    let a = ip("198.51.100.4");
    // Fifty begin before any is settled, as fifty concurrent requests would.
    let begun: Vec<_> = (0..50).map(|_| t.begin_at("admin", a, now)).collect();
    let allowed = begun.iter().filter(|b| b.is_ok()).count();
    assert_eq!(allowed, PER_PAIR as usize);
    assert!(
        begun
            .iter()
            .filter_map(|b| b.as_ref().err())
            .all(|r| *r == Refused::Busy),
        "the rest wait for a slot, they are not yet refused"
    );
    let mut lockouts = 0;
    for attempt in begun.into_iter().flatten() {
        lockouts += usize::from(attempt.fail().is_some());
    }
    assert_eq!(lockouts, 1, "only the fifth failure starts the wait");
    assert_eq!(
        t.begin_at("admin", a, now).err(),
        Some(Refused::Wait(FIRST_WAIT.as_secs()))
    );
}

/// Runs `n` sign-ins of one name from one address at once on a multi-threaded runtime, each
/// holding its attempt a few milliseconds as a password check would: how many succeeded
/// (`right`) or failed, and how many were refused.
fn concurrent(n: usize, right: bool) -> (usize, usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("runtime");
    let t = std::sync::Arc::new(LoginThrottle::default());
    runtime.block_on(async {
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                let t = t.clone();
                tokio::spawn(async move {
                    let attempt = t.begin("staff", ip("198.51.100.40")).await?;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    if right {
                        attempt.succeed();
                    } else {
                        attempt.fail();
                    }
                    Ok::<(), u64>(())
                })
            })
            .collect();
        let mut checked = 0;
        let mut refused = 0;
        for task in tasks {
            match task.await.expect("task") {
                Ok(()) => checked += 1,
                Err(_) => refused += 1,
            }
        }
        (checked, refused)
    })
}

#[test]
fn twelve_people_logging_in_at_once_behind_one_address_all_get_in() {
    assert_eq!(concurrent(12, true), (12, 0));
}

#[test]
fn fifty_concurrent_guesses_get_five_checks_and_the_rest_wait_then_are_refused() {
    assert_eq!(
        concurrent(50, false),
        (PER_PAIR as usize, 50 - PER_PAIR as usize)
    );
}

#[test]
fn an_attempt_dropped_unsettled_is_refunded_without_clearing() {
    let t = LoginThrottle::default();
    let now = Instant::now();
    let a = ip("198.51.100.5");
    fail_n(&t, "alice", a, PER_PAIR - 1, now);
    for _ in 0..10 {
        // The database was down: the check never ran.
        drop(t.begin_at("alice", a, now).expect("allowed"));
    }
    t.begin_at("alice", a, now).expect("fifth allowed").fail();
    assert!(t.begin_at("alice", a, now).is_err());
    assert_eq!(t.failures_total(), PER_PAIR as u64);
}

#[test]
fn a_busy_address_refuses_no_correct_password_but_guessing_gets_one_try_per_name() {
    let t = LoginThrottle::default();
    let now = Instant::now();
    let nat = ip("198.51.100.6");
    for i in 0..PER_ADDRESS {
        t.begin_at(&format!("guess{i}"), nat, now)
            .expect("allowed")
            .fail();
    }
    // Another user behind the same address, who has not failed there, gets in.
    t.begin_at("analyst", nat, now).expect("allowed").succeed();
    // A name that failed once from the busy address now waits.
    t.begin_at("bob", nat, now).expect("allowed").fail();
    assert_eq!(
        t.begin_at("bob", nat, now).err(),
        Some(Refused::Wait(FIRST_WAIT.as_secs()))
    );
    // Once the address's failures leave the window, five are allowed again.
    let later = now + WINDOW + secs(1);
    fail_n(&t, "carol", nat, PER_PAIR, later);
    assert!(t.begin_at("carol", nat, later).is_err());
}

#[test]
fn ipv6_addresses_count_by_their_64_network() {
    let t = LoginThrottle::default();
    let now = Instant::now();
    for i in 0..PER_PAIR {
        let address = ip(&format!("2001:db8:1:2::{:x}", i + 1));
        t.begin_at("alice", address, now).expect("allowed").fail();
    }
    assert!(t.begin_at("alice", ip("2001:db8:1:2::ffff"), now).is_err());
    assert!(t.begin_at("alice", ip("2001:db8:1:3::1"), now).is_ok());
}

#[test]
fn expired_entries_are_forgotten() {
    let t = LoginThrottle::default();
    let start = Instant::now();
    for i in 0..50u8 {
        let address = Some(IpAddr::from([10, 0, 0, i]));
        t.begin_at(&format!("user{i}"), address, start)
            .expect("allowed")
            .fail();
    }
    assert_eq!(t.sizes(), (50, 50));
    let later = start + FORGET_AFTER + secs(1);
    for _ in 0..SWEEP_EVERY {
        t.begin_at("user0", None, later).expect("allowed").succeed();
    }
    assert_eq!(t.sizes(), (0, 0));
}

#[test]
fn a_pair_quiet_for_an_hour_starts_afresh() {
    let t = LoginThrottle::default();
    let now = Instant::now();
    let a = ip("198.51.100.8");
    fail_n(&t, "alice", a, PER_PAIR, now);
    assert!(t.begin_at("alice", a, now + FIRST_WAIT - secs(1)).is_err());
    let later = now + FORGET_AFTER;
    fail_n(&t, "alice", a, PER_PAIR - 1, later);
    assert!(t.begin_at("alice", a, later).is_ok());
}

#[test]
fn many_distinct_names_never_pass_the_cap_nor_flush_a_pair_under_attack() {
    let t = LoginThrottle::default();
    let start = Instant::now();
    let attacked = ip("198.51.100.9");
    fail_n(&t, "admin", attacked, PER_PAIR, start);
    for i in 0..(2 * MAX_KEYS) {
        let at = start + Duration::from_millis(i as u64 / 100);
        let address = Some(IpAddr::from((i as u32).to_be_bytes()));
        t.begin_at(&format!("user{i}"), address, at)
            .expect("allowed")
            .fail();
        let (pairs, addresses) = t.sizes();
        assert!(
            pairs <= MAX_KEYS && addresses <= MAX_KEYS,
            "{pairs} {addresses}"
        );
    }
    let now = start + secs(1);
    assert!(t.begin_at("admin", attacked, now).is_err());
}
