//! What every handler can reach.

use std::sync::Arc;

use crate::auth::throttle::LoginThrottle;
use crate::auth::token::TokenKeys;
use crate::config::Config;
use crate::db::DbPool;
use crate::documents::Documents;
use crate::domain::clock::SharedClock;
use crate::evaluation::queue::EvaluationQueue;

/// Shared application state.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Database connections.
    pub pool: DbPool,
    /// Token keys.
    pub keys: Arc<TokenKeys>,
    /// Failed-login counts.
    pub throttle: Arc<LoginThrottle>,
    /// The configuration.
    pub config: Arc<Config>,
    /// Fonts and typesetting for PDFs and PNG charts.
    pub documents: Arc<Documents>,
    /// Where "now" comes from.
    pub clock: SharedClock,
    /// The queue evaluation runs go through.
    pub runs: Arc<EvaluationQueue>,
}

impl AppState {
    /// The context a use case runs in for this principal.
    pub fn ctx(&self, principal: &crate::domain::Principal) -> crate::domain::Ctx {
        crate::domain::Ctx::new(principal.clone(), self.clock.clone())
    }
}
