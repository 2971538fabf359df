//! Documents pubeval issues, laid out as NOTICE.md describes (GB/T 9704-2012): the risk
//! warning notice (风险警示通知书), the result letter (评价结果告知书) and the annual evaluation
//! report (年度宣传工作评价报告), each as HTML and as PDF (typst). Both renderings take every
//! sentence from one view, so they cannot say different things.

mod annual;
mod letter;
mod notice;

pub use annual::{AnnualData, ENDS_SHOWN, IssuedWarning, annual_html, annual_pdf};
pub use letter::{CohortFigures, LetterData, LetterStage, letter_html, letter_pdf};
pub use notice::{ISSUER, NoticeData, NoticeFinding, notice_html, notice_pdf};

/// A date as official documents write it: 2026年12月26日.
pub fn chinese_date(date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}
