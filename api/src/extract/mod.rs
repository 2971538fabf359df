//! What handlers extract from a request: the caller checked against a route's policy
//! ([`Auth`]), JSON bodies that name the field that is wrong ([`Json`], [`OptionalJson`]), and
//! uploaded files ([`Upload`]).

pub mod auth;
pub mod json;
pub mod upload;

pub use auth::{Auth, authenticate};
pub use json::{Json, OptionalJson, parse};
pub use upload::{Accept, FileType, Upload};
