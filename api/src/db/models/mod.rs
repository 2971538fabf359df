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

/// A new random id.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
