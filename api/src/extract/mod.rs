//! What handlers extract from a request: the caller checked against a route's policy
//! ([`Auth`]), JSON bodies and query strings that name the field that is wrong ([`Json`],
//! [`OptionalJson`], [`Query`]), and uploaded files ([`Upload`]).

pub mod auth;
pub mod bounded;
pub mod json;
pub mod query;
pub mod upload;

pub use auth::{Auth, authenticate};
pub use bounded::BoundedValue;
pub use json::{Json, OptionalJson, parse};
pub use query::Query;
pub use upload::{Accept, FileType, Upload};
