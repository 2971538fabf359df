//! `pubeval-scoring`: the Article 32 evaluation system of 《认证机构宣传工作指引》.
//!
//! A pure library: the scheme format and its validation ([`scheme`]), submission validation
//! ([`payload`]), the polars scoring engine ([`engine`]), the results with their explanation
//! and risk warnings ([`result`], [`explain`], [`warning`]), the uncertainty analysis
//! ([`uncertainty`]), the plausibility flags of self-declared reports ([`plausibility`]), the
//! whole evaluation in one call ([`Engine::evaluate`], [`evaluate`]), what a revision of the
//! scheme would change on a past year ([`impact`])
//! and, with the `synthetic` feature, a generator of plausible data for benchmarks, the demo
//! and tests (`synthetic`). No HTTP, no database, no files.

pub mod category;
pub mod engine;
pub mod evaluate;
pub mod explain;
pub mod impact;
pub mod incident;
pub mod payload;
pub mod plausibility;
pub mod points;
pub mod problem;
pub mod result;
pub mod scheme;
#[cfg(feature = "synthetic")]
pub mod synthetic;
pub mod uncertainty;
pub mod warning;

pub use category::Category;
pub use engine::{BodyInput, Engine, EngineError, ScoreInput, ScoreTable};
pub use evaluate::{Options, Step};
pub use impact::{Impact, compare};
pub use incident::Incident;
pub use payload::{Completeness, FieldValue, Payload, validate_payload};
pub use points::PointsMap;
pub use problem::{Problem, Problems};
pub use result::{BodyResult, ResultOptions};
pub use scheme::{Scheme, SchemeError};
pub use uncertainty::Uncertainty;
pub use warning::Warning;
