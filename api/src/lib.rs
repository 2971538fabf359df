//! pubeval: the regulator's platform for evaluating certification bodies' publicity work
//! (《认证机构宣传工作指引》第三十二条).
//!
//! This crate holds the `pubeval` binary's command line; the HTTP server, persistence and
//! console join it here as they are built.

pub mod cli;
