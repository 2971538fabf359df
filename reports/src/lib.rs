//! Renders scoring output for people: ranking tables (JSON, CSV, XLSX, HTML), charts (SVG,
//! PNG) and the documents the regulator issues (HTML, PDF); and the report workbook a body
//! fills in offline, with the spreadsheets an import reads ([`workbook`]).
//!
//! A pure library, like `pubeval-scoring`: no HTTP, no database; the only files it reads are
//! the fonts ([`fonts`]). Every renderer
//! takes plain data ([`RankingRow`]s, [`BodyResult`](pubeval_scoring::BodyResult)s, the
//! [`Scheme`](pubeval_scoring::Scheme)) and returns bytes or a string; the caller decides where
//! they go. Text people read is in Simplified Chinese.

pub mod charts;
pub mod documents;
mod error;
pub mod fonts;
pub mod impact;
pub mod pdf;
pub mod ranking;
pub mod table;
pub mod width;
pub mod workbook;

pub use charts::ChartName;
pub use error::ReportError;
pub use fonts::{FontError, FontSet, FontSource};
pub use pdf::{DocumentKind, Typesetter};
pub use ranking::{Ranking, RankingFormat, RankingRow};
