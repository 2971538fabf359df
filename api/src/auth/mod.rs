//! Authentication: password hashing, tokens, login throttling and the caller's address behind
//! trusted proxies. Who a caller is (`domain::Principal`) and what each role may do live in
//! `domain`; the extractor that checks a route's policy lives in `extract`.

pub mod password;
pub mod proxies;
pub mod throttle;
pub mod token;
