//! CSV for Excel: UTF-8 with a byte-order mark, Chinese headers.

use super::{HEADERS, Ranking, cells};
use crate::error::ReportError;

/// The UTF-8 byte-order mark; without it Excel reads the file in the system's code page.
const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// The ranking as CSV bytes.
pub(super) fn render(ranking: &Ranking<'_>) -> Result<Vec<u8>, ReportError> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(BOM.to_vec());
    writer.write_record(HEADERS)?;
    for row in ranking.rows {
        writer.write_record(cells(ranking.scheme, row).iter().map(|c| c.text()))?;
    }
    writer
        .into_inner()
        .map_err(|e| ReportError::Csv(e.into_error().into()))
}
