//! Opening an XLSX (after [`super::archive::check`]) and streaming a sheet's cells in the
//! order they are stored, each with its cached value and its formula. Streaming keeps memory
//! at what the cells hold: a sheet that declares a huge `<dimension>`, or holds one cell at
//! A1 and another at XFD1048576, is never allocated as a grid.

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};

use super::Cell;
use super::archive::{self, ArchiveError};

/// An XLSX could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// The archive was refused (not a zip, too large once expanded, damaged).
    #[error("{0}")]
    Archive(#[from] ArchiveError),
    /// A zip, but not a workbook calamine can read.
    #[error("不是有效的 XLSX 工作簿 / not a valid XLSX workbook: {0}")]
    NotWorkbook(String),
}

/// An opened workbook.
pub(crate) struct Book<'a> {
    xlsx: Xlsx<Cursor<&'a [u8]>>,
}

impl<'a> Book<'a> {
    /// Checks the archive, then opens it.
    pub(crate) fn open(bytes: &'a [u8]) -> Result<Book<'a>, OpenError> {
        archive::check(bytes)?;
        let xlsx = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
            OpenError::NotWorkbook(pubeval_scoring::problem::shown_message(&e.to_string()))
        })?;
        Ok(Book { xlsx })
    }

    /// The sheets' names, in the workbook's order.
    pub(crate) fn sheet_names(&self) -> Vec<String> {
        self.xlsx.sheet_names()
    }

    /// Calls `visit` with the zero-based `(row, column)` and the value of every cell of the
    /// sheet that holds something (a value or a formula), in stored order (row by row).
    pub(crate) fn visit_cells(
        &mut self,
        sheet: &str,
        mut visit: impl FnMut((u32, u32), Cell) -> bool,
    ) -> Result<(), OpenError> {
        let not_workbook = |e: calamine::XlsxError| {
            OpenError::NotWorkbook(pubeval_scoring::problem::shown_message(&e.to_string()))
        };
        let mut reader = self
            .xlsx
            .worksheet_cells_reader(sheet)
            .map_err(not_workbook)?;
        while let Some(record) = reader.next_cell_with_formula().map_err(not_workbook)? {
            let cell = match (record.value, record.formula) {
                (DataRef::Empty, Some(formula)) if !formula.is_empty() => Cell::Uncomputed(formula),
                (value, _) => cell_of(value),
            };
            if cell == Cell::Empty {
                continue;
            }
            if !visit(record.pos, cell) {
                break;
            }
        }
        Ok(())
    }
}

/// A calamine value as a [`Cell`].
fn cell_of(value: DataRef<'_>) -> Cell {
    match value {
        DataRef::Empty => Cell::Empty,
        DataRef::Int(i) => Cell::Number(i as f64),
        DataRef::Float(f) => Cell::Number(f),
        DataRef::String(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s.to_string()),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::DateTime(d) if d.is_datetime() => match d.as_datetime() {
            Some(t) => Cell::DateTime(t),
            None => Cell::Number(d.as_f64()),
        },
        DataRef::DateTime(d) => Cell::Number(d.as_f64()),
        DataRef::DateTimeIso(s) => {
            match chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S%.f") {
                Ok(t) => Cell::DateTime(t),
                Err(_) => Cell::Text(s),
            }
        }
        DataRef::DurationIso(s) => Cell::Text(s),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}
