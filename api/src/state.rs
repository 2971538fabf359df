//! What every handler can reach.

use std::sync::Arc;

use crate::auth::throttle::LoginThrottle;
use crate::auth::token::TokenKeys;
use crate::config::Config;
use crate::db::DbPool;
use crate::documents::Documents;

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
}
