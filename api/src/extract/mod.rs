//! What handlers extract from a request: the caller checked against a route's policy
//! ([`Auth`]), and JSON bodies and query strings that name the field that is wrong ([`Json`],
//! [`OptionalJson`], [`Query`]).

pub mod auth;
pub mod bounded;
pub mod json;
pub mod query;

pub use auth::{Auth, authenticate};
pub use bounded::BoundedValue;
pub use json::{Json, OptionalJson, parse};
pub use query::Query;
