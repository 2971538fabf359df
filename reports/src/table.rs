//! A plain table as an Excel workbook: one sheet with a bold header row that stays in view,
//! columns as wide as their text, every cell text. Lists that are not rankings (a cycle's
//! reports, say) are exported with it.

use rust_xlsxwriter::{Color, DocProperties, Format, FormatAlign, FormatBorder, Workbook};

use crate::error::ReportError;
use crate::width::display_width;

/// Widest a column gets, in characters of the default font.
const MAX_WIDTH: usize = 60;

/// The workbook of one sheet named `sheet` (at most 31 characters, as Excel allows), titled
/// `title`, with `headers` over `rows` (a row shorter than the headers leaves cells empty).
pub fn xlsx(
    title: &str,
    sheet: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, ReportError> {
    let cell = Format::new().set_border(FormatBorder::Thin);
    let header = cell
        .clone()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(0xD9E1F2));
    let mut workbook = Workbook::new();
    workbook.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_author("认证机构宣传工作评价系统"),
    );
    let ws = workbook.add_worksheet();
    let name: String = sheet.chars().take(31).collect();
    ws.set_name(&name)?;
    let mut widths: Vec<usize> = headers.iter().map(|h| display_width(h)).collect();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &header)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate().take(headers.len()) {
            ws.write_string_with_format(r as u32 + 1, c as u16, text, &cell)?;
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(display_width(text));
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (w.min(&MAX_WIDTH) + 2) as f64)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_a_zip_workbook() {
        let bytes = xlsx(
            "2025年度报送情况",
            "报送情况",
            &["批准号", "名称"],
            &[vec!["CNCA-R-2018-001".into(), "某认证有限公司".into()]],
        )
        .unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
