//! The risk warning notice (风险警示通知书): issuer's mark, document number, title, addressee,
//! basis, findings with evidence and articles, level, rectification and deadline, the right to
//! state a case, what follows non-compliance, signature and date, and the distribution note.

use askama::Template;
use chrono::NaiveDate;
use pubeval_scoring::scheme::text::chinese_number;

use super::chinese_date;
use crate::error::ReportError;

/// The regulator that issues the notice.
pub const ISSUER: &str = "国家认证认可监督管理委员会";

/// One finding of the notice.
#[derive(Debug, Clone, PartialEq)]
pub struct NoticeFinding {
    /// The rule's Chinese name, e.g. 要情迟报.
    pub name: String,
    /// The evidence in one sentence.
    pub summary: String,
    /// The incidents behind it, each as one line (date, kind, how it was reported).
    pub incidents: Vec<String>,
    /// The articles it rests on, as cited (第二十条).
    pub articles: String,
}

/// Everything a notice says.
#[derive(Debug, Clone, PartialEq)]
pub struct NoticeData {
    /// Document number, e.g. 认宣警〔2026〕7号.
    pub notice_no: String,
    /// The body's full name.
    pub body_name: String,
    /// Its approval number.
    pub approval_no: String,
    /// The evaluation year.
    pub year: i32,
    /// The level (1–3).
    pub level: u8,
    /// The level's name (提示, 警示, 严重警示).
    pub level_name: String,
    /// The findings, in the order of SCHEME.md §5.
    pub findings: Vec<NoticeFinding>,
    /// Issued on.
    pub issued_on: NaiveDate,
    /// Rectification deadline.
    pub deadline: NaiveDate,
    /// Days within which the body may state its case (陈述、申辩).
    pub defence_days: u32,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct Page<'a> {
    issuer: &'a str,
    data: &'a NoticeData,
    findings: Vec<(String, &'a NoticeFinding)>,
    issued: String,
    deadline: String,
    defence_days: String,
    level: String,
}

/// The notice as a self-contained HTML page (A4, printable); askama escapes every value.
pub fn notice_html(data: &NoticeData) -> Result<String, ReportError> {
    let page = Page {
        issuer: ISSUER,
        data,
        findings: data
            .findings
            .iter()
            .enumerate()
            .map(|(i, f)| (format!("（{}）", chinese_number(i as u32 + 1)), f))
            .collect(),
        issued: chinese_date(data.issued_on),
        deadline: chinese_date(data.deadline),
        defence_days: chinese_number(data.defence_days),
        level: format!("第{}级", chinese_number(u32::from(data.level))),
    };
    page.render().map_err(ReportError::Html)
}
