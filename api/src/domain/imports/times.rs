//! Times in an import's cells: RFC 3339 with its offset, or a date and time as a person or
//! Excel writes them (`2025-03-01 09:30`, `2025/3/1 9:30:00`, a date cell), read on the
//! regulator's calendar (China Standard Time) since that is the clock the rows were kept on.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use pubeval_reports::workbook::Cell;
use pubeval_scoring::incident::REGULATOR_TIMEZONE;

/// The formats of a time without an offset.
const LOCAL_FORMATS: [&str; 6] = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
];
/// The formats of a date alone (its midnight).
const DATE_FORMATS: [&str; 2] = ["%Y-%m-%d", "%Y/%m/%d"];

/// A time a person reads as China Standard Time.
fn china(t: NaiveDateTime) -> Option<DateTime<FixedOffset>> {
    REGULATOR_TIMEZONE.from_local_datetime(&t).single()
}

/// Excel's serial day number (days since 1899-12-30, the fraction the time of day).
fn excel_serial(n: f64) -> Option<NaiveDateTime> {
    if !(1.0..2_958_466.0).contains(&n) {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    let millis = (n * 86_400_000.0).round() as i64;
    epoch.checked_add_signed(chrono::Duration::milliseconds(millis))
}

/// The instant a cell names: `Ok(None)` when blank, `Err(())` when it names none.
pub(super) fn instant(cell: &Cell) -> Result<Option<DateTime<FixedOffset>>, ()> {
    let local = match cell {
        Cell::Empty => return Ok(None),
        Cell::DateTime(t) => *t,
        Cell::Number(n) => excel_serial(*n).ok_or(())?,
        Cell::Text(text) => {
            let t = text.trim();
            if t.is_empty() {
                return Ok(None);
            }
            if let Ok(at) = DateTime::parse_from_rfc3339(t) {
                return Ok(Some(at));
            }
            let parsed = LOCAL_FORMATS
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
                .or_else(|| {
                    DATE_FORMATS
                        .iter()
                        .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
                        .and_then(|d| d.and_hms_opt(0, 0, 0))
                });
            parsed.ok_or(())?
        }
        _ => return Err(()),
    };
    china(local).map(Some).ok_or(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn times_without_an_offset_are_china_standard_time() {
        let text = |s: &str| instant(&Cell::Text(s.into()));
        assert_eq!(
            text("2025-03-01T09:30:00Z"),
            Ok(Some(at("2025-03-01T09:30:00Z")))
        );
        assert_eq!(
            text("2025-03-01 09:30"),
            Ok(Some(at("2025-03-01T09:30:00+08:00")))
        );
        assert_eq!(
            text("2025/3/1 9:30:15"),
            Ok(Some(at("2025-03-01T09:30:15+08:00")))
        );
        assert_eq!(
            text("2025-03-01"),
            Ok(Some(at("2025-03-01T00:00:00+08:00")))
        );
        assert_eq!(text(" "), Ok(None));
        assert_eq!(text("三月一日"), Err(()));
        let dt = NaiveDate::from_ymd_opt(2025, 3, 1).and_then(|d| d.and_hms_opt(9, 30, 0));
        assert_eq!(
            instant(&Cell::DateTime(dt.unwrap_or_default())),
            Ok(Some(at("2025-03-01T09:30:00+08:00")))
        );
        // 45717.5 is 2025-03-01 12:00 in Excel's count.
        assert_eq!(
            instant(&Cell::Number(45717.5)),
            Ok(Some(at("2025-03-01T12:00:00+08:00")))
        );
        assert_eq!(instant(&Cell::Bool(true)), Err(()));
    }
}
