//! What handlers extract from a request: the caller checked against a route's policy
//! ([`Auth`]), and JSON bodies that name the field that is wrong ([`Json`], [`OptionalJson`]).

pub mod auth;
pub mod json;

pub use auth::{Auth, authenticate};
pub use json::{Json, OptionalJson, parse};
