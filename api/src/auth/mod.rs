//! Authentication: password hashing, tokens and login throttling. Who a caller is
//! (`domain::Principal`) and what each role may do live in `domain`; the extractor that checks a
//! route's policy lives in `extract`.

pub mod password;
pub mod throttle;
pub mod token;
