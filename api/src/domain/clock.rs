//! "Now", injected: the domain never reads the system clock itself, so that the regulator's
//! calendar (China Standard Time, UTC+8) can be tested across midnight and across 31 December.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, DurationRound, NaiveDate, NaiveDateTime, TimeDelta, Utc};

/// The regulator's time zone: China Standard Time, UTC+8.
pub const REGULATOR_TIMEZONE: chrono::FixedOffset = pubeval_scoring::incident::REGULATOR_TIMEZONE;

/// Where the domain takes "now" from.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant in UTC.
    fn utc(&self) -> DateTime<Utc>;

    /// Now in UTC as stored: naive, at the microsecond precision both backends keep.
    fn now(&self) -> NaiveDateTime {
        let now = self.utc().naive_utc();
        now.duration_trunc(TimeDelta::microseconds(1))
            .unwrap_or(now)
    }

    /// Today on the regulator's calendar.
    fn today(&self) -> NaiveDate {
        self.utc().with_timezone(&REGULATOR_TIMEZONE).date_naive()
    }
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn utc(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that reads what a test set, and moves only when told.
#[derive(Debug, Clone)]
pub struct FixedClock {
    at: Arc<Mutex<DateTime<Utc>>>,
}

impl FixedClock {
    /// A clock stopped at this instant.
    pub fn at(at: DateTime<Utc>) -> FixedClock {
        FixedClock {
            at: Arc::new(Mutex::new(at)),
        }
    }

    /// Sets the time.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.at.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }

    /// Moves the time forward.
    pub fn advance(&self, by: TimeDelta) {
        let mut at = self.at.lock().unwrap_or_else(|p| p.into_inner());
        *at += by;
    }
}

impl Clock for FixedClock {
    fn utc(&self) -> DateTime<Utc> {
        *self.at.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A stored UTC time in RFC 3339, as the API writes times.
pub fn utc(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339()
}

/// The shared clock of an application.
pub type SharedClock = Arc<dyn Clock>;

/// The system clock, shared.
pub fn system() -> SharedClock {
    Arc::new(SystemClock)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_regulators_day_turns_at_16_utc() {
        let clock = FixedClock::at(Utc.with_ymd_and_hms(2025, 12, 31, 15, 59, 59).unwrap());
        assert_eq!(
            clock.today(),
            NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()
        );
        clock.advance(TimeDelta::seconds(1));
        // 16:00 UTC on 31 December is midnight of 1 January in Beijing: a new year.
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert_eq!(
            clock.now(),
            NaiveDate::from_ymd_opt(2025, 12, 31)
                .unwrap()
                .and_hms_opt(16, 0, 0)
                .unwrap()
        );
    }
}
