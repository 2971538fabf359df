//! Who acts and when: every use case takes a [`Ctx`].

use chrono::{NaiveDate, NaiveDateTime};

use super::clock::{self, SharedClock};
use super::policy::Viewer;
use crate::domain::Principal;

/// The acting principal and the clock a use case reads "now" from.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Who acts.
    pub principal: Principal,
    /// Where "now" comes from.
    pub clock: SharedClock,
}

impl Ctx {
    /// A context for this principal and clock.
    pub fn new(principal: Principal, clock: SharedClock) -> Ctx {
        Ctx { principal, clock }
    }

    /// The platform itself acting (command line, demo, start-up), with admin rights, on the
    /// system clock; `name` is what the audit log records, e.g. `system:cli`.
    pub fn system(name: &str) -> Ctx {
        Ctx::new(
            Principal::System {
                name: name.to_string(),
            },
            clock::system(),
        )
    }

    /// The actor the audit log records.
    pub fn actor(&self) -> String {
        self.principal.actor()
    }

    /// Now, in UTC, as stored.
    pub fn now(&self) -> NaiveDateTime {
        self.clock.now()
    }

    /// Today on the regulator's calendar.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// The principal as the access policy sees it.
    pub fn viewer(&self) -> Viewer {
        Viewer::of(&self.principal)
    }
}
