//! `{"items": [...]}`.

use serde::Serialize;

use super::RankingRow;
use crate::error::ReportError;

#[derive(Serialize)]
struct Items<'a> {
    items: &'a [RankingRow],
}

/// The rows as a JSON document, in the order given; without `warning_level` unless
/// `warnings`.
pub(super) fn render(rows: &[RankingRow], warnings: bool) -> Result<String, ReportError> {
    if warnings {
        return Ok(serde_json::to_string(&Items { items: rows })?);
    }
    let items = rows
        .iter()
        .map(|row| {
            let mut value = serde_json::to_value(row)?;
            if let Some(obj) = value.as_object_mut() {
                obj.remove("warning_level");
            }
            Ok(value)
        })
        .collect::<Result<Vec<_>, serde_json::Error>>()?;
    Ok(serde_json::json!({ "items": items }).to_string())
}
