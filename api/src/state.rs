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

    /// Runs a use case off the async runtime, with a pooled connection, in the principal's
    /// context (the JSON API and the console both call use cases through this).
    pub async fn run<T, F>(
        &self,
        principal: &crate::domain::Principal,
        f: F,
    ) -> crate::domain::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut crate::db::DbConn, &crate::domain::Ctx) -> crate::domain::Result<T>
            + Send
            + 'static,
    {
        let ctx = self.ctx(principal);
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool
                .get()
                .map_err(|e| crate::domain::Error::from(crate::db::DbError::from(e)))?;
            f(&mut conn, &ctx)
        })
        .await
        .map_err(crate::domain::Error::internal)?
    }
}
