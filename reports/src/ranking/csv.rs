//! CSV for Excel: UTF-8 with a byte-order mark, Chinese headers, and no cell Excel would run
//! as a formula.

use std::borrow::Cow;

use super::{Cell, Ranking};
use crate::error::ReportError;

/// The UTF-8 byte-order mark; without it Excel reads the file in the system's code page.
const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// The ranking as CSV bytes.
pub(super) fn render(ranking: &Ranking<'_>) -> Result<Vec<u8>, ReportError> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(BOM.to_vec());
    writer.write_record(ranking.headers())?;
    for row in ranking.rows {
        writer.write_record(ranking.cells(row).iter().map(|c| match c {
            Cell::Text(text) => defused(text).into_owned(),
            number => number.text(),
        }))?;
    }
    writer
        .into_inner()
        .map_err(|e| ReportError::Csv(e.into_error().into()))
}

/// A text cell as Excel, LibreOffice and Google Sheets will read it as text: one that starts
/// with `=`, `+`, `-`, `@`, a tab or a CR would be run as a formula (a body named
/// `=HYPERLINK(…)`), so it gets a leading `'` (OWASP's advice on CSV injection). Text that is
/// a plain number (`-3.5`) is a number there too, and stays as it is.
pub(crate) fn defused(text: &str) -> Cow<'_, str> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// `[+-]digits[.digits][e[+-]digits]`: a number, and nothing a spreadsheet could evaluate.
fn is_plain_number(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => digits(whole) && digits(fraction),
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_numbers_kept() {
        for risky in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            "-",
            "-inf",
            "-1e",
        ] {
            assert_eq!(defused(risky), format!("'{risky}"), "{risky:?}");
        }
        for kept in ["-3.5", "+2", "-1e-3", "12", "北京=认证", "a-b", ""] {
            assert_eq!(defused(kept), kept, "{kept:?}");
        }
    }
}
