//! `{"items": [...]}`.

use serde::Serialize;

use super::RankingRow;
use crate::error::ReportError;

#[derive(Serialize)]
struct Items<'a> {
    items: &'a [RankingRow],
}

/// The rows as a JSON document, in the order given.
pub(super) fn render(rows: &[RankingRow]) -> Result<String, ReportError> {
    Ok(serde_json::to_string(&Items { items: rows })?)
}
