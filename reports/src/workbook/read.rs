//! A filled-in report template read back: the value of every row of the layout, or a refusal
//! that says why the workbook is not one of ours — no `年度宣传工作报告` sheet, another header,
//! a row moved, removed or added, anything outside the template's cells, or another year's or
//! scheme's template. A workbook is read whole or not at all.

use std::collections::HashMap;

use pubeval_scoring::Scheme;
use pubeval_scoring::problem::shown;

use super::Cell;
use super::layout::{
    HEADERS, HELP_SHEET, KEY_COLUMN, NUMBER_COLUMN, REPORT_SHEET, VALUE_COLUMN, lines,
};
use super::sheet::{Book, OpenError};
use super::template::{SCHEME_CODE_LABEL, SCHEME_VERSION_LABEL, YEAR_LABEL};
use crate::workbook::archive::ArchiveError;

/// The value cells of a report workbook, one per line of [`super::lines`], in its order.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportCells {
    /// The `填报值` of each line.
    pub values: Vec<Cell>,
}

/// Why a report workbook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// Not a zip, or not a workbook.
    #[error("{0}")]
    Unreadable(String),
    /// It expands past the limit (a zip bomb).
    #[error("{0}")]
    TooLarge(String),
    /// A workbook, but not this year's template of this scheme.
    #[error("{zh} / {en}")]
    Foreign {
        /// Why, in Chinese.
        zh: String,
        /// Why, in English.
        en: String,
        /// The cell that gave it away, e.g. `年度宣传工作报告!C9`, when one did.
        cell: Option<String>,
    },
}

impl From<OpenError> for ReadError {
    fn from(e: OpenError) -> ReadError {
        match e {
            OpenError::Archive(ArchiveError::TooLarge) => ReadError::TooLarge(e.to_string()),
            other => ReadError::Unreadable(other.to_string()),
        }
    }
}

/// What the refusals add after their reason.
const NOT_OURS_ZH: &str = "这不是本系统生成的本年度报告模板（或已被改动），请重新下载模板填写";
const NOT_OURS_EN: &str =
    "this is not this year's report template as the platform made it; download it again";

fn foreign(zh: String, en: String, cell: Option<String>) -> ReadError {
    ReadError::Foreign {
        zh: format!("{zh}：{NOT_OURS_ZH}"),
        en: format!("{en}: {NOT_OURS_EN}"),
        cell,
    }
}

/// Reads the report workbook of `year` under `scheme`.
pub fn read_report(bytes: &[u8], scheme: &Scheme, year: i32) -> Result<ReportCells, ReadError> {
    let mut book = Book::open(bytes)?;
    let names = book.sheet_names();
    if !names.iter().any(|n| n == REPORT_SHEET) {
        let found = names
            .iter()
            .map(|n| shown(n))
            .collect::<Vec<_>>()
            .join("、");
        return Err(foreign(
            format!("工作簿中没有“{REPORT_SHEET}”工作表（现有：{found}）"),
            format!("the workbook has no sheet {REPORT_SHEET} (it has: {found})"),
            None,
        ));
    }
    if names.iter().any(|n| n == HELP_SHEET) {
        check_identity(&mut book, scheme, year)?;
    }
    let lines = lines(scheme);
    let last_row = lines.len() as u32; // zero-based: the header is row 0
    let mut cells: HashMap<(u32, u32), Cell> = HashMap::new();
    let mut outside: Option<(u32, u32)> = None;
    book.visit_cells(REPORT_SHEET, |(r, c), cell| {
        if r > last_row || c as usize > VALUE_COLUMN {
            outside = Some((r, c));
            return false;
        }
        cells.insert((r, c), cell);
        true
    })?;
    if let Some((r, c)) = outside {
        let name = super::cell_name(REPORT_SHEET, c as usize, r + 1);
        return Err(foreign(
            format!("单元格 {name} 在模板的填报范围之外，却有内容"),
            format!(
                "cell {name} lies outside the template's rows and columns, yet holds something"
            ),
            Some(name),
        ));
    }
    let text_at = |r: u32, c: usize| -> String {
        cells
            .get(&(r, c as u32))
            .map(|x| x.text().trim().to_string())
            .unwrap_or_default()
    };
    for (c, header) in HEADERS.iter().enumerate() {
        let found = text_at(0, c);
        if found != *header {
            let name = super::cell_name(REPORT_SHEET, c, 1);
            return Err(foreign(
                format!("表头 {name} 应为“{header}”，实为“{}”", shown(&found)),
                format!("header {name} must be {header}, is {}", shown(&found)),
                Some(name),
            ));
        }
    }
    for line in &lines {
        let r = line.row() - 1;
        let number = text_at(r, NUMBER_COLUMN);
        let key = text_at(r, KEY_COLUMN);
        let (column, expected, found) = if key != line.key() {
            (KEY_COLUMN, line.key(), key)
        } else if number != line.number.to_string() {
            (NUMBER_COLUMN, line.number.to_string(), number)
        } else {
            continue;
        };
        let name = super::cell_name(REPORT_SHEET, column, line.row());
        return Err(foreign(
            format!(
                "{name} 应为“{expected}”，实为“{}”（行被移动、删除或插入，或是其他评价方案的模板）",
                shown(&found)
            ),
            format!(
                "{name} must be {expected}, is {} (a row was moved, removed or inserted, or the template is another scheme's)",
                shown(&found)
            ),
            Some(name),
        ));
    }
    let values = lines
        .iter()
        .map(|line| {
            cells
                .remove(&(line.row() - 1, VALUE_COLUMN as u32))
                .unwrap_or(Cell::Empty)
        })
        .collect();
    Ok(ReportCells { values })
}

/// The `说明` sheet names the year and the scheme the template was made for: another year's or
/// another scheme's template is refused.
fn check_identity(book: &mut Book<'_>, scheme: &Scheme, year: i32) -> Result<(), ReadError> {
    let mut rows: HashMap<u32, (String, String)> = HashMap::new();
    book.visit_cells(HELP_SHEET, |(r, c), cell| {
        if c <= 1 {
            let entry = rows.entry(r).or_default();
            if c == 0 {
                entry.0 = cell.text().trim().to_string();
            } else {
                entry.1 = cell.text().trim().to_string();
            }
        }
        // The facts are near the top; a long sheet is not read to its end.
        r < 200
    })?;
    let fact = |label: &str| {
        rows.iter()
            .filter(|(_, (l, _))| l == label)
            .min_by_key(|(r, _)| **r)
            .map(|(r, (_, v))| (*r, v.clone()))
    };
    let checks = [
        (YEAR_LABEL, year.to_string(), "年度", "year"),
        (SCHEME_CODE_LABEL, scheme.code.clone(), "评价方案", "scheme"),
        (
            SCHEME_VERSION_LABEL,
            scheme.version.to_string(),
            "评价方案版本",
            "scheme version",
        ),
    ];
    for (label, expected, zh, en) in checks {
        if let Some((r, found)) = fact(label)
            && found != expected
        {
            let name = super::cell_name(HELP_SHEET, 1, r + 1);
            return Err(foreign(
                format!("此工作簿的{zh}为“{}”，应为“{expected}”", shown(&found)),
                format!(
                    "the workbook's {en} is {}, expected {expected}",
                    shown(&found)
                ),
                Some(name),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use rust_xlsxwriter::{Formula, Workbook};

    use super::*;
    use crate::workbook::template::{TemplateInput, template};

    fn blank_template(scheme: &Scheme) -> Vec<u8> {
        template(TemplateInput {
            scheme,
            year: 2025,
            values: None,
        })
        .unwrap()
    }

    /// The report sheet written afresh by rust_xlsxwriter, as another program would: the
    /// layout's columns A–D, and `values` by line index in column E.
    fn written(
        scheme: &Scheme,
        values: &[(usize, Cell)],
        edit: impl Fn(&mut rust_xlsxwriter::Worksheet),
    ) -> Vec<u8> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(REPORT_SHEET).unwrap();
        for (c, h) in HEADERS.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        for line in lines(scheme) {
            let r = line.row() - 1;
            sheet.write_number(r, 0, line.number as f64).unwrap();
            sheet.write_string(r, 1, line.label()).unwrap();
            sheet.write_string(r, 2, line.key()).unwrap();
        }
        for (i, cell) in values {
            let r = *i as u32 + 1;
            match cell {
                Cell::Text(t) => sheet.write_string(r, 4, t).unwrap(),
                Cell::Number(n) => sheet.write_number(r, 4, *n).unwrap(),
                Cell::Bool(b) => sheet.write_boolean(r, 4, *b).unwrap(),
                Cell::Uncomputed(f) => sheet.write_formula(r, 4, Formula::new(f)).unwrap(),
                _ => sheet,
            };
        }
        edit(sheet);
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn the_blank_template_reads_as_every_cell_empty() {
        let s = Scheme::default_scheme();
        let cells = read_report(&blank_template(&s), &s, 2025).unwrap();
        assert_eq!(cells.values.len(), lines(&s).len());
        assert!(cells.values.iter().all(|c| *c == Cell::Empty));
    }

    #[test]
    fn values_come_back_as_written_and_formulas_need_their_value() {
        let s = Scheme::default_scheme();
        let bytes = written(
            &s,
            &[
                (0, Cell::Text("是".into())),
                (6, Cell::Number(50.0)),
                (7, Cell::Bool(true)),
                (8, Cell::Uncomputed("1+1".into())),
            ],
            |_| {},
        );
        let cells = read_report(&bytes, &s, 2025).unwrap();
        assert_eq!(cells.values[0], Cell::Text("是".into()));
        assert_eq!(cells.values[6], Cell::Number(50.0));
        assert_eq!(cells.values[7], Cell::Bool(true));
        // rust_xlsxwriter writes a formula with a cached 0 unless told otherwise; calamine
        // reads that 0. A formula without a `<v>` is what `Uncomputed` catches (see the
        // end-to-end tests, which strip it).
        assert!(matches!(
            cells.values[8],
            Cell::Number(_) | Cell::Uncomputed(_)
        ));
        assert_eq!(cells.values[1], Cell::Empty);
    }

    #[test]
    fn a_workbook_without_the_sheet_is_foreign() {
        let s = Scheme::default_scheme();
        let mut book = Workbook::new();
        book.add_worksheet().write_string(0, 0, "hello").unwrap();
        let e = read_report(&book.save_to_buffer().unwrap(), &s, 2025).unwrap_err();
        assert!(
            matches!(&e, ReadError::Foreign { zh, .. } if zh.contains("没有“年度宣传工作报告”工作表") && zh.contains("Sheet1")),
            "{e}"
        );
    }

    #[test]
    fn a_moved_row_is_named_by_its_cell() {
        let s = Scheme::default_scheme();
        let bytes = written(&s, &[], |sheet| {
            // Rows 8 and 9 swapped: press_releases and media_channels:website.
            sheet.write_string(7, 2, "media_channels:website").unwrap();
            sheet.write_string(8, 2, "press_releases").unwrap();
        });
        let e = read_report(&bytes, &s, 2025).unwrap_err();
        assert!(
            matches!(&e, ReadError::Foreign { cell: Some(c), .. } if c == "年度宣传工作报告!C8"),
            "{e:?}"
        );
    }

    #[test]
    fn anything_below_or_beside_the_template_is_refused() {
        let s = Scheme::default_scheme();
        let n = lines(&s).len() as u32;
        let below = written(&s, &[], |sheet| {
            sheet.write_string(n + 1, 4, "多出的一行").unwrap();
        });
        let e = read_report(&below, &s, 2025).unwrap_err();
        let expected = format!("年度宣传工作报告!E{}", n + 2);
        assert!(
            matches!(&e, ReadError::Foreign { cell: Some(c), .. } if *c == expected),
            "{e:?}"
        );
        let beside = written(&s, &[], |sheet| {
            sheet.write_string(3, 5, "备注").unwrap();
        });
        let e = read_report(&beside, &s, 2025).unwrap_err();
        assert!(
            matches!(&e, ReadError::Foreign { cell: Some(c), .. } if c == "年度宣传工作报告!F4"),
            "{e:?}"
        );
    }

    #[test]
    fn another_scheme_or_year_is_refused() {
        let s = Scheme::default_scheme();
        let mut other = s.clone();
        other.fields.remove(2);
        let e = read_report(&blank_template(&other), &s, 2025).unwrap_err();
        assert!(matches!(e, ReadError::Foreign { .. }), "{e:?}");
        let e = read_report(&blank_template(&s), &s, 2026).unwrap_err();
        assert!(
            matches!(&e, ReadError::Foreign { zh, cell: Some(c), .. } if zh.contains("2025") && c.starts_with("说明!B")),
            "{e:?}"
        );
        let mut renamed = s.clone();
        renamed.version = 2;
        let e = read_report(&blank_template(&renamed), &s, 2025).unwrap_err();
        assert!(matches!(e, ReadError::Foreign { .. }), "{e:?}");
    }

    #[test]
    fn garbage_is_unreadable() {
        let s = Scheme::default_scheme();
        assert!(matches!(
            read_report(b"PK\x03\x04 not really", &s, 2025),
            Err(ReadError::Unreadable(_))
        ));
    }
}
