//! Authentication and authorization: password hashing, tokens, login throttling, and the
//! typed extractors that state each route's rule in its signature.

pub mod password;
pub mod principal;
pub mod throttle;
pub mod token;

pub use principal::{Auth, Principal, Role, Scope};
