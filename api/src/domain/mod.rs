//! What Article 32's process does, independent of HTTP: one module per process, each holding
//! its use cases as plain functions over a connection, the acting principal ([`Ctx`]) and
//! typed inputs, returning domain types or an [`Error`]. The JSON API (`routes`), the console
//! and the command line all call these, so they perform exactly the same operations.

pub mod audit;
pub mod clock;
pub mod context;
pub mod error;
pub mod policy;
pub mod principal;
pub mod schemes;
pub mod states;
pub mod users;

pub use context::Ctx;
pub use error::{Detail, Error, ErrorCode, Noun, Result};
pub use principal::{Principal, Role, Scope};
pub use states::{StateMachine, TextEnum};
