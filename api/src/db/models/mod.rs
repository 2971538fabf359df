//! One file per entity: its rows, the structs it is written with, and its queries.

pub mod audit;
pub mod body;
pub mod client;
pub mod cycle;
pub mod evaluation;
pub mod flag;
pub mod incident;
pub mod objection;
pub mod report_head;
pub mod scheme;
pub mod scheme_impact;
pub mod submission;
pub mod user;
pub mod warning;

use chrono::{DurationRound, NaiveDateTime, TimeDelta, Utc};

/// Now, in UTC, at the microsecond precision both backends store.
pub fn now() -> NaiveDateTime {
    let now = Utc::now().naive_utc();
    now.duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(now)
}

/// Today on the regulator's calendar (China Standard Time, UTC+8).
pub fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&pubeval_scoring::incident::REGULATOR_TIMEZONE)
        .date_naive()
}

/// Bumped whenever this process ends a user's or a client's tokens (disabled, a new password
/// or secret, logged out everywhere), so that callers checked before are checked again.
static SUBJECT_GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Marks every caller checked so far as stale (`domain::principal_cache`).
pub fn subjects_changed() {
    SUBJECT_GENERATION.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
}

/// How many times this process has ended tokens: a caller checked in an earlier generation
/// is checked again.
pub fn subjects_generation() -> u64 {
    SUBJECT_GENERATION.load(std::sync::atomic::Ordering::SeqCst)
}

/// A new random id.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
