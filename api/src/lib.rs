//! pubeval: the regulator's platform for evaluating certification bodies' publicity work
//! (《认证机构宣传工作指引》第三十二条).
//!
//! The binary `pubeval` serves the HTTP API ([`app::build_app`]) over SQLite or PostgreSQL
//! ([`db`]), and runs the command line ([`cli`]).

pub mod app;
pub mod application;
pub mod auth;
pub mod cli;
pub mod config;
pub mod console;
pub mod db;
pub mod demo;
pub mod documents;
pub mod domain;
pub mod download;
pub mod error;
pub mod evaluation;
pub mod extract;
pub mod headers;
pub mod observe;
pub mod openapi;
pub mod routes;
pub mod seed;
pub mod state;
pub mod states;

pub use app::build_app;
pub use application::Application;
pub use state::AppState;
