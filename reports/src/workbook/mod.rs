//! The annual report as an Excel workbook, and spreadsheets read as tables.
//!
//! - [`layout`]: where each field of a scheme stands in the report workbook (one row per field,
//!   one per member of a set), shared by the writer and the reader so they cannot disagree;
//! - [`template`]: the per-cycle template a body fills in offline (rust_xlsxwriter);
//! - [`read`]: a filled-in template read back cell by cell (calamine), refused whole when it is
//!   not one of ours;
//! - [`table`]: a CSV (UTF-8 with or without BOM, or GB18030) or an XLSX sheet read as a header
//!   and rows, for bulk imports;
//! - [`archive`]: the check every XLSX passes before calamine expands anything, so that a zip
//!   bomb is refused quickly and in little memory.
//!
//! What a cell *means* for a field (是/否, a number, a set's members) is not decided here: the
//! reader hands cells as they are ([`Cell`]) and the caller turns them into a payload that the
//! scheme's one validation judges.

pub mod archive;
pub mod layout;
pub mod read;
mod sheet;
pub mod table;
pub mod template;

use chrono::NaiveDateTime;

pub use archive::{ArchiveError, MAX_EXPANDED_BYTES};
pub use layout::{HEADERS, HELP_SHEET, Line, REPORT_SHEET, VALUE_COLUMN, lines};
pub use read::{ReadError, ReportCells, read_report};
pub use sheet::OpenError;
pub use table::{Table, TableError, TableRow, read_csv, read_xlsx_table};
pub use template::{TemplateInput, template};

/// One spreadsheet cell as it was read.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing in it (a formula whose value is empty counts as empty too).
    Empty,
    /// Text, as typed (not trimmed).
    Text(String),
    /// A number (Excel keeps every number as a double).
    Number(f64),
    /// TRUE or FALSE.
    Bool(bool),
    /// A date or a time, as Excel shows it (no time zone).
    DateTime(NaiveDateTime),
    /// An error value such as `#DIV/0!`.
    Error(String),
    /// A formula whose value was never computed (a file written by a program, not saved by
    /// Excel): its formula text.
    Uncomputed(String),
}

impl Cell {
    /// Whether the cell holds nothing (blank text counts as nothing).
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text, as a person reads it (numbers without trailing zeros).
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => pubeval_scoring::scheme::text::format_number(*n),
            Cell::Bool(true) => "TRUE".into(),
            Cell::Bool(false) => "FALSE".into(),
            Cell::DateTime(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            Cell::Error(e) => e.clone(),
            Cell::Uncomputed(f) => format!("={f}"),
        }
    }
}

/// The spreadsheet name of a column, from 0: `A`, …, `Z`, `AA`, ….
pub fn column_name(mut column: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// A cell's name as a spreadsheet writes it: `年度宣传工作报告!E7` (`row` from 1).
pub fn cell_name(sheet: &str, column: usize, row: u32) -> String {
    format!("{sheet}!{}{row}", column_name(column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_as_a_spreadsheet_names_them() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(4), "E");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
        assert_eq!(cell_name(REPORT_SHEET, 4, 7), "年度宣传工作报告!E7");
    }
}
