//! Documents pubeval issues, laid out as NOTICE.md describes (GB/T 9704-2012): today the risk
//! warning notice (风险警示通知书) and the result letter (评价结果告知书) as HTML; PDF follows
//! through typst.

mod letter;
mod notice;

pub use letter::{LetterData, LetterStage, letter_html};
pub use notice::{NoticeData, NoticeFinding, notice_html};

/// A date as official documents write it: 2026年12月26日.
pub fn chinese_date(date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}
