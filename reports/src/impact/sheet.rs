//! The cells, formats and tables the impact workbook's sheets are written with; column widths
//! follow the text's display width, CJK characters counting double.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

use crate::width::display_width;

/// Widest a column gets, in characters of the default font; longer text wraps.
const MAX_WIDTH: usize = 60;

pub(super) struct Formats {
    pub(super) header: Format,
    pub(super) text: Format,
    pub(super) wrap: Format,
    pub(super) integer: Format,
    pub(super) points: Format,
    pub(super) exact: Format,
    pub(super) ratio: Format,
    pub(super) title: Format,
    pub(super) changed: Format,
}

impl Formats {
    pub(super) fn new() -> Formats {
        let cell = Format::new().set_border(FormatBorder::Thin);
        Formats {
            header: cell
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xD9E1F2)),
            text: cell.clone(),
            wrap: cell.clone().set_text_wrap().set_align(FormatAlign::Top),
            integer: cell.clone().set_num_format("0"),
            points: cell.clone().set_num_format("0.00"),
            exact: cell.clone().set_num_format("General"),
            ratio: cell.clone().set_num_format("0.0000"),
            title: Format::new().set_bold().set_font_size(14),
            changed: cell.set_background_color(Color::RGB(0xFFF2CC)),
        }
    }
}

/// One cell of a table.
pub(super) enum Cell {
    Text(String),
    Int(i64),
    Points(Option<f64>),
    Exact(Option<f64>),
    Ratio(Option<f64>),
}

impl Cell {
    fn shown(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Points(v) | Cell::Exact(v) | Cell::Ratio(v) => {
                v.map_or(String::new(), |v| format!("{v:.4}"))
            }
        }
    }
}

/// Writes a table at `top` with its headers, fitting the columns to the text; `highlight`
/// marks rows (e.g. bodies whose grade changes).
pub(super) fn table(
    sheet: &mut Worksheet,
    top: u32,
    headers: &[&str],
    rows: &[(Vec<Cell>, bool)],
    formats: &Formats,
    widths: &mut Vec<usize>,
) -> Result<u32, XlsxError> {
    if widths.len() < headers.len() {
        widths.resize(headers.len(), 0);
    }
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(top, c as u16, *h, &formats.header)?;
        widths[c] = widths[c].max(display_width(h));
    }
    for (i, (cells, highlight)) in rows.iter().enumerate() {
        let r = top + 1 + i as u32;
        for (c, cell) in cells.iter().enumerate() {
            let col = c as u16;
            widths[c] = widths[c].max(display_width(&cell.shown()));
            let plain = |f: &Format| -> Format {
                if *highlight {
                    f.clone().set_background_color(Color::RGB(0xFFF2CC))
                } else {
                    f.clone()
                }
            };
            match cell {
                Cell::Text(t) if *highlight => {
                    sheet.write_string_with_format(r, col, t, &formats.changed)?
                }
                Cell::Text(t) => sheet.write_string_with_format(r, col, t, &formats.text)?,
                Cell::Int(n) => {
                    sheet.write_number_with_format(r, col, *n as f64, &plain(&formats.integer))?
                }
                Cell::Points(Some(v)) => {
                    sheet.write_number_with_format(r, col, *v, &plain(&formats.points))?
                }
                Cell::Exact(Some(v)) => {
                    sheet.write_number_with_format(r, col, *v, &plain(&formats.exact))?
                }
                Cell::Ratio(Some(v)) => {
                    sheet.write_number_with_format(r, col, *v, &plain(&formats.ratio))?
                }
                Cell::Points(None) | Cell::Exact(None) | Cell::Ratio(None) => {
                    sheet.write_string_with_format(r, col, "—", &plain(&formats.text))?
                }
            };
        }
    }
    Ok(top + 1 + rows.len() as u32)
}

pub(super) fn apply_widths(sheet: &mut Worksheet, widths: &[usize]) -> Result<(), XlsxError> {
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, ((*w).min(MAX_WIDTH) + 2) as f64)?;
    }
    Ok(())
}

pub(super) fn opt(v: Option<u32>) -> Cell {
    v.map_or(Cell::Text("—".into()), |n| Cell::Int(i64::from(n)))
}

pub(super) fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}
