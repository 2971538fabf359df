//! What `/metrics` reads from the database: counts that hold for every instance serving it.

use crate::db::DbConn;
use crate::db::models::evaluation::Evaluation;
use crate::domain::Result;
use crate::states::{EvaluationStatus, TextEnum};

/// Evaluation runs by state, every state named (0 when there is none), so that a scraper's
/// series exist from the start. The scrape token is the caller's only credential, so this
/// takes no context: it reveals counts, never a row.
pub fn evaluation_counts(conn: &mut DbConn) -> Result<Vec<(String, i64)>> {
    let stored = Evaluation::status_counts(conn)?;
    Ok(EvaluationStatus::ALL
        .iter()
        .map(|s| {
            let n = stored
                .iter()
                .find(|(t, _)| t == s.as_str())
                .map_or(0, |(_, n)| *n);
            (s.as_str().to_string(), n)
        })
        .collect())
}
