//! What Article 32's process does, independent of HTTP: one module per process, each holding
//! its use cases as plain functions over a connection, the acting principal ([`Ctx`]) and
//! typed inputs, returning domain types or an [`Error`]. The JSON API (`routes`), the console
//! and the command line all call these, so they perform exactly the same operations.

pub mod actors;
pub mod audit;
pub mod bodies;
pub mod clients;
pub mod clock;
pub mod context;
pub mod cycles;
pub mod documents;
pub mod error;
pub mod error_code;
pub mod evaluations;
pub mod flags;
pub mod health;
pub mod imports;
pub mod incidents;
pub mod metrics;
pub mod objections;
pub mod policy;
pub mod principal;
pub mod principal_cache;
pub mod schemes;
pub mod sessions;
pub mod sheets;
pub mod submissions;
pub mod users;
pub mod warnings;
pub mod workbooks;

/// The states and their transition tables (`crate::states`, which both the domain and the
/// models' queries name).
pub use crate::states;
pub use crate::states::{StateMachine, TextEnum};
pub use context::Ctx;
pub use error::{Detail, Error, ErrorCode, Noun, Result};
pub use principal::{Principal, Role, Scope};
