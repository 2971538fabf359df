//! Bulk import of a past year for analysts: reports (one row per body: `approval_no`, then
//! every field by its API name or Chinese label) and incidents, from a CSV (UTF-8 with or
//! without BOM, or GB18030) or an XLSX sheet.
//!
//! The answer is DHIS2's import summary ([`ImportSummary`]): rows read, what was (or, in a dry
//! run, would be) created, updated and left unchanged, and every error by row (as a spreadsheet
//! counts, the header being row 1), column (its letter) and field. A dry run writes nothing. A
//! real run writes every row or none: any error and nothing is written; otherwise all of it in
//! one transaction, with one audit entry carrying the file's SHA-256 and the counts.
//!
//! Every row is checked by the same validation as a single save: a report by the scheme's
//! payload validation (complete, as an accepted report must be), an incident as an analyst's
//! record is checked.

mod columns;
mod incidents;
mod reports;
mod times;

use pubeval_reports::workbook::{Table, TableError, read_csv, read_xlsx_table};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

pub use incidents::import_incidents;
pub use reports::import_reports;

use crate::domain::{Error, ErrorCode, Result};

/// At most this many errors are listed; one more entry counts the rest.
pub const MAX_ERRORS: usize = pubeval_scoring::problem::MAX_PROBLEMS;

/// What a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Comma-separated text.
    Csv,
    /// An XLSX workbook (its first sheet).
    Xlsx,
}

impl FileKind {
    /// The kind a file's first bytes show: a zip is an XLSX, anything else is read as CSV.
    pub fn sniff(bytes: &[u8]) -> FileKind {
        if bytes.starts_with(b"PK\x03\x04") {
            FileKind::Xlsx
        } else {
            FileKind::Csv
        }
    }
}

/// A file to import.
#[derive(Debug, Clone, Copy)]
pub struct ImportFile<'a> {
    /// Its content.
    pub bytes: &'a [u8],
    /// What it is.
    pub kind: FileKind,
}

/// How far an import has got, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Reading the file.
    Reading,
    /// Checking rows: `done` of `total`.
    Checking {
        /// Rows checked.
        done: usize,
        /// Rows in all.
        total: usize,
    },
    /// Writing rows: `done` of `total`.
    Writing {
        /// Rows written.
        done: usize,
        /// Rows to write.
        total: usize,
    },
}

/// The summary of an import (DHIS2's import summary).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportSummary {
    /// Whether this was a dry run (nothing written).
    pub dry_run: bool,
    /// Data rows read (the header and blank rows not counted).
    pub rows: usize,
    /// Records created (a dry run: that would be).
    pub created: usize,
    /// Records changed.
    pub updated: usize,
    /// Rows that match what is stored already.
    pub unchanged: usize,
    /// Every error, the first hundred listed and then one entry "and N more".
    pub errors: Vec<ImportError>,
}

impl ImportSummary {
    /// How many errors were found, listed or not.
    pub fn error_count(&self) -> usize {
        self.errors.iter().map(|e| e.omitted.unwrap_or(1)).sum()
    }
}

/// One error of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportError {
    /// The row, as a spreadsheet counts (the header is 1); null on the "and N more" entry.
    pub row: Option<u32>,
    /// The column's letter (`A`, `B`, …), when the error is in one.
    pub column: Option<String>,
    /// The field: `approval_no`, a report field's API name (`press_releases`,
    /// `media_channels[1]`), an incident's column name; null when none applies.
    pub field: Option<String>,
    /// What is wrong, in Chinese and English (`中文 / English`).
    pub problem: String,
    /// On the "and N more" entry, how many errors it stands for.
    #[serde(skip)]
    #[schema(ignore)]
    omitted: Option<usize>,
}

impl ImportError {
    fn new(row: u32, column: Option<usize>, field: Option<&str>, zh: &str, en: &str) -> Self {
        ImportError {
            row: Some(row),
            column: column.map(pubeval_reports::workbook::column_name),
            field: field.map(str::to_string),
            problem: format!("{zh} / {en}"),
            omitted: None,
        }
    }
}

/// Errors as they are found: the first [`MAX_ERRORS`] kept, the rest counted.
#[derive(Debug, Default)]
struct Errors {
    kept: Vec<ImportError>,
    omitted: usize,
}

impl Errors {
    fn push(&mut self, error: ImportError) {
        if self.kept.len() < MAX_ERRORS {
            self.kept.push(error);
        } else {
            self.omitted += 1;
        }
    }

    fn add(&mut self, row: u32, column: Option<usize>, field: Option<&str>, zh: &str, en: &str) {
        if self.kept.len() < MAX_ERRORS {
            self.push(ImportError::new(row, column, field, zh, en));
        } else {
            self.omitted += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// How many errors were found, kept or not.
    fn count(&self) -> usize {
        self.kept.len() + self.omitted
    }

    fn into_vec(self) -> Vec<ImportError> {
        let mut kept = self.kept;
        if self.omitted > 0 {
            let n = self.omitted;
            kept.push(ImportError {
                row: None,
                column: None,
                field: None,
                problem: format!("以及另外 {n} 个问题 / and {n} more"),
                omitted: Some(n),
            });
        }
        kept
    }
}

/// The hex SHA-256 of a file, as the audit entry records it.
pub fn file_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The one audit entry of an import that wrote its rows: the file's SHA-256, its encoding
/// and the counts.
fn record_import(
    conn: &mut crate::db::DbConn,
    ctx: &crate::domain::Ctx,
    action: &str,
    (entity, entity_id): (&str, &str),
    year: i32,
    (sha256, encoding): (&str, &str),
    summary: &ImportSummary,
) -> Result<()> {
    crate::domain::audit::record(
        conn,
        ctx,
        action,
        entity,
        entity_id,
        serde_json::json!({
            "year": year,
            "file_sha256": sha256,
            "encoding": encoding,
            "rows": summary.rows,
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
        }),
    )?;
    Ok(())
}

/// Reads a file as a table: 400 when it cannot be read, 413 when an XLSX expands past the
/// limit.
fn read_table(file: ImportFile<'_>) -> Result<Table> {
    let table = match file.kind {
        FileKind::Csv => read_csv(file.bytes),
        FileKind::Xlsx => read_xlsx_table(file.bytes),
    };
    table.map_err(|e| match e {
        TableError::TooLarge(m) => Error::with_message(ErrorCode::PayloadTooLarge, m),
        other => Error::with_message(ErrorCode::BadRequest, other.to_string()),
    })
}

/// Staff only (403 otherwise).
fn require_staff(ctx: &crate::domain::Ctx) -> Result<()> {
    if ctx.viewer().is_staff() {
        Ok(())
    } else {
        Err(Error::forbidden())
    }
}

/// Rows written per statement: both backends bound the parameters of one statement (SQLite
/// 32,766, PostgreSQL 65,535), and a row has at most 14 columns.
const CHUNK: usize = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_past_a_hundred_are_counted_in_one_more() {
        let mut errors = Errors::default();
        for i in 0..250 {
            errors.add(i + 2, Some(0), Some("approval_no"), "错", "wrong");
        }
        let list = errors.into_vec();
        assert_eq!(list.len(), MAX_ERRORS + 1);
        assert_eq!(list[0].column.as_deref(), Some("A"));
        assert_eq!(list[0].problem, "错 / wrong");
        let more = &list[MAX_ERRORS];
        assert_eq!(more.row, None);
        assert_eq!(more.problem, "以及另外 150 个问题 / and 150 more");
        let summary = ImportSummary {
            dry_run: true,
            rows: 250,
            created: 0,
            updated: 0,
            unchanged: 0,
            errors: list,
        };
        assert_eq!(summary.error_count(), 250);
    }

    #[test]
    fn a_zip_is_an_xlsx() {
        assert_eq!(FileKind::sniff(b"PK\x03\x04rest"), FileKind::Xlsx);
        assert_eq!(FileKind::sniff(b"approval_no,"), FileKind::Csv);
    }
}
