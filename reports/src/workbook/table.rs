//! A spreadsheet read as a table for a bulk import: the first row is the header, every later
//! row that holds anything is a row, numbered as a spreadsheet numbers it (the header is row 1).
//!
//! CSV comes in the encoding the file has: UTF-8 with or without a BOM, UTF-16 with a BOM, or
//! GB18030 — what Excel on Chinese Windows writes for "CSV (逗号分隔)" — detected, not guessed
//! from a header: text that is valid UTF-8 is UTF-8 (GB18030 text practically never is),
//! anything else must decode as GB18030 without a single malformed sequence, or the file is
//! refused. An XLSX is read from its first sheet after the archive check.

use encoding_rs::{Encoding, GB18030};

use super::Cell;
use super::sheet::{Book, OpenError};
use crate::workbook::archive::ArchiveError;

/// A table: the header and the rows under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The header's cells as text, trimmed (a UTF-8 BOM removed).
    pub headers: Vec<String>,
    /// The rows that hold anything, in order.
    pub rows: Vec<TableRow>,
    /// The encoding a CSV was read in (`UTF-8`, `GB18030`, `UTF-16LE`, …); `XLSX` for a
    /// workbook.
    pub encoding: &'static str,
}

/// One row of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    /// Its number as a spreadsheet counts (the header is 1).
    pub row: u32,
    /// Its cells by column, from A (a short row has fewer).
    pub cells: Vec<Cell>,
}

impl TableRow {
    /// The cell in `column` (from 0), empty past the row's end.
    pub fn cell(&self, column: usize) -> &Cell {
        self.cells.get(column).unwrap_or(&Cell::Empty)
    }
}

/// Why a file could not be read as a table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// Not text in a known encoding, not CSV, or not a workbook.
    #[error("{0}")]
    Unreadable(String),
    /// An XLSX that expands past the limit (a zip bomb).
    #[error("{0}")]
    TooLarge(String),
    /// No header row at all.
    #[error("文件为空，没有表头行 / the file is empty: no header row")]
    Empty,
}

impl From<OpenError> for TableError {
    fn from(e: OpenError) -> TableError {
        match e {
            OpenError::Archive(ArchiveError::TooLarge) => TableError::TooLarge(e.to_string()),
            other => TableError::Unreadable(other.to_string()),
        }
    }
}

/// The text of a CSV file and the encoding it was in.
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), TableError> {
    // A BOM names its encoding.
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, malformed) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if malformed {
            return Err(TableError::Unreadable(format!(
                "文件以 {0} 的字节顺序标记开头，但内容不是有效的 {0} / the file starts with a {0} BOM but is not valid {0}",
                encoding.name()
            )));
        }
        return Ok((text.into_owned(), encoding.name()));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), "UTF-8"));
    }
    match GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok((text.into_owned(), GB18030.name())),
        None => Err(TableError::Unreadable(
            "文件既不是 UTF-8 也不是 GB18030 编码的文本，请在 Excel 中另存为“CSV UTF-8（逗号分隔）” / the file is neither UTF-8 nor GB18030 text".into(),
        )),
    }
}

/// Reads a CSV file (comma-separated; tab-separated when the header has tabs and no commas,
/// as Excel's "Unicode text" is).
pub fn read_csv(bytes: &[u8]) -> Result<Table, TableError> {
    let (text, encoding) = decode(bytes)?;
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.contains('\t') && !first_line.contains(',') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            TableError::Unreadable(format!(
                "CSV 格式有误（第 {} 行）/ malformed CSV at row {}: {e}",
                i + 1,
                i + 1
            ))
        })?;
        if headers.is_none() {
            headers = Some(record.iter().map(|h| h.trim().to_string()).collect());
            continue;
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        rows.push(TableRow {
            row: i as u32 + 1,
            cells: record
                .iter()
                .map(|f| {
                    if f.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(f.to_string())
                    }
                })
                .collect(),
        });
    }
    let headers = headers.ok_or(TableError::Empty)?;
    Ok(Table {
        headers,
        rows,
        encoding,
    })
}

/// Reads the first sheet of an XLSX workbook.
pub fn read_xlsx_table(bytes: &[u8]) -> Result<Table, TableError> {
    let mut book = Book::open(bytes)?;
    let Some(first) = book.sheet_names().into_iter().next() else {
        return Err(TableError::Empty);
    };
    let mut headers: Vec<String> = Vec::new();
    let mut rows: Vec<TableRow> = Vec::new();
    let mut saw_header = false;
    book.visit_cells(&first, |(r, c), cell| {
        let c = c as usize;
        if r == 0 {
            saw_header = true;
            if headers.len() <= c {
                headers.resize(c + 1, String::new());
            }
            headers[c] = cell
                .text()
                .trim()
                .trim_start_matches('\u{feff}')
                .to_string();
            return true;
        }
        let number = r + 1;
        if rows.last().is_none_or(|last| last.row != number) {
            rows.push(TableRow {
                row: number,
                cells: Vec::new(),
            });
        }
        if let Some(row) = rows.last_mut() {
            if row.cells.len() <= c {
                row.cells.resize(c + 1, Cell::Empty);
            }
            row.cells[c] = cell;
        }
        true
    })?;
    if !saw_header {
        return Err(TableError::Empty);
    }
    rows.retain(|r| !r.cells.iter().all(Cell::is_blank));
    Ok(Table {
        headers,
        rows,
        encoding: "XLSX",
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const CSV: &str = "approval_no,press_releases,media_channels\r\nCNCA-R-2002-001,12,门户网站、微博\r\n,,\r\nCNCA-R-2002-002,\"1,5\",\r\n";

    #[test]
    fn utf8_with_and_without_bom_read_the_same() {
        let plain = read_csv(CSV.as_bytes()).unwrap();
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(CSV.as_bytes());
        let with_bom = read_csv(&bom).unwrap();
        assert_eq!(plain.headers, with_bom.headers);
        assert_eq!(plain.rows, with_bom.rows);
        assert_eq!(
            plain.headers,
            ["approval_no", "press_releases", "media_channels"]
        );
        // The blank line 3 is skipped, and row numbers stay a spreadsheet's.
        assert_eq!(plain.rows.len(), 2);
        assert_eq!(plain.rows[0].row, 2);
        assert_eq!(plain.rows[1].row, 4);
        assert_eq!(plain.rows[0].cell(2), &Cell::Text("门户网站、微博".into()));
        assert_eq!(plain.rows[1].cell(1), &Cell::Text("1,5".into()));
        assert_eq!(plain.rows[1].cell(2), &Cell::Empty);
        assert_eq!(plain.rows[1].cell(9), &Cell::Empty);
    }

    #[test]
    fn gb18030_is_detected() {
        let (bytes, _, unmappable) = GB18030.encode(CSV);
        assert!(!unmappable);
        assert!(
            std::str::from_utf8(&bytes).is_err(),
            "GB18030 bytes are not UTF-8"
        );
        let table = read_csv(&bytes).unwrap();
        assert_eq!(table.encoding, "gb18030");
        assert_eq!(table.rows[0].cell(2), &Cell::Text("门户网站、微博".into()));
    }

    #[test]
    fn utf16_with_a_bom_and_tabs_is_read() {
        let text = "approval_no\tpress_releases\r\nCNCA-R-2002-001\t12\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let table = read_csv(&bytes).unwrap();
        assert_eq!(table.headers, ["approval_no", "press_releases"]);
        assert_eq!(table.rows[0].cell(1), &Cell::Text("12".into()));
    }

    #[test]
    fn bytes_in_no_encoding_are_refused() {
        let e = read_csv(&[0x61, 0x2C, 0xFF, 0xFF, 0x0A]).unwrap_err();
        assert!(matches!(e, TableError::Unreadable(m) if m.contains("GB18030")));
        assert_eq!(read_csv(b"").unwrap_err(), TableError::Empty);
    }

    #[test]
    fn an_xlsx_sheet_reads_like_a_csv() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "approval_no").unwrap();
        sheet.write_string(0, 1, "press_releases").unwrap();
        sheet.write_string(1, 0, "CNCA-R-2002-001").unwrap();
        sheet.write_number(1, 1, 12).unwrap();
        sheet.write_string(3, 0, "CNCA-R-2002-002").unwrap();
        let table = read_xlsx_table(&book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(table.headers, ["approval_no", "press_releases"]);
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0].cell(1), &Cell::Number(12.0));
        assert_eq!(table.rows[1].row, 4);
    }
}
