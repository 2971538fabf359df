//! The risk warning notice (风险警示通知书): issuer's mark, document number, title, addressee,
//! basis, findings with evidence and articles, level, rectification and deadline, the right to
//! state a case, what follows non-compliance, signature and date, and the distribution note.

use askama::Template;
use chrono::NaiveDate;
use pubeval_scoring::Scheme;
use pubeval_scoring::incident::REGULATOR_TIMEZONE;
use pubeval_scoring::scheme::Labelled;
use pubeval_scoring::scheme::text::chinese_number;
use pubeval_scoring::warning::Finding;
use serde::Serialize;

use super::chinese_date;
use crate::error::ReportError;
use crate::pdf::{DocumentKind, Typesetter};

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

impl NoticeFinding {
    /// The notice's account of a warning finding: its incidents with date, time (China
    /// Standard Time), kind, severity and how they were reported.
    pub fn from_finding(scheme: &Scheme, finding: &Finding) -> NoticeFinding {
        let label = |list: &[Labelled], code: &str| {
            list.iter()
                .find(|k| k.code == code)
                .map_or_else(|| code.to_string(), |k| k.label.clone())
        };
        NoticeFinding {
            name: finding.name.clone(),
            summary: finding.summary.clone(),
            articles: finding.articles_text.clone(),
            incidents: finding
                .incidents
                .iter()
                .map(|i| {
                    let when = i.occurred_at.with_timezone(&REGULATOR_TIMEZONE);
                    let reported = match i.hours_to_report {
                        Some(h) => format!("事发 {h:.0} 小时后报告"),
                        None => "未向监管部门报告".to_string(),
                    };
                    format!(
                        "{} {}发生“{}”（{}），{reported}",
                        chinese_date(when.date_naive()),
                        when.format("%H:%M"),
                        label(&scheme.incident_kinds, &i.kind),
                        label(&scheme.severities, &i.severity),
                    )
                })
                .collect(),
        }
    }
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

/// One finding as both renderings show it.
#[derive(Debug, Serialize)]
struct FindingView<'a> {
    heading: String,
    text: String,
    incidents: &'a [String],
}

/// What the notice says, every sentence settled here so that HTML and PDF cannot differ.
#[derive(Debug, Serialize)]
struct NoticeView<'a> {
    issuer: &'a str,
    notice_no: &'a str,
    /// The title in its two balanced lines: the addressee, then the matter.
    title: [String; 2],
    addressee: String,
    basis: String,
    findings: Vec<FindingView<'a>>,
    rectification: String,
    defence: String,
    escalation: String,
    issued: String,
    cc: String,
    printed: String,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct Page<'a> {
    view: NoticeView<'a>,
}

fn view(data: &NoticeData) -> NoticeView<'_> {
    let issued = chinese_date(data.issued_on);
    NoticeView {
        issuer: ISSUER,
        notice_no: &data.notice_no,
        title: [
            format!("关于对{}", data.body_name),
            "实施宣传工作风险警示的通知".into(),
        ],
        addressee: format!("{}（批准号：{}）：", data.body_name, data.approval_no),
        basis: format!(
            "根据《认证机构宣传工作指引》第三十二条，我委对认证机构{}年度宣传工作进行了评价。经评价，你机构存在下列问题，现依据评价结果对你机构实施风险警示，警示级别为第{}级（{}）。",
            data.year,
            chinese_number(u32::from(data.level)),
            data.level_name
        ),
        findings: data
            .findings
            .iter()
            .enumerate()
            .map(|(i, f)| FindingView {
                heading: format!("（{}）{}", chinese_number(i as u32 + 1), f.name),
                text: format!(
                    "{}。违反《认证机构宣传工作指引》{}的规定。",
                    f.summary, f.articles
                ),
                incidents: &f.incidents,
            })
            .collect(),
        rectification: format!(
            "你机构应对上述问题逐项查找原因，完善宣传工作管理制度，落实要情报告等制度要求，并于{}前通过认证机构宣传工作评价系统提交整改报告，说明整改措施及成效，并附相关证明材料。",
            chinese_date(data.deadline)
        ),
        defence: format!(
            "你机构对本通知认定的事实有异议的，可自收到本通知之日起{}个工作日内，通过评价系统或书面形式向我委提出陈述、申辩，并提供相关证据材料。逾期未提出的，视为放弃陈述、申辩的权利。",
            chinese_number(data.defence_days)
        ),
        escalation: "你机构逾期未提交整改报告或整改不到位的，我委将视情采取约谈、专项检查等监管措施，并将有关情况记入认证机构监管档案，作为实施行政管理的参考依据。".into(),
        cc: format!("抄送：{}所在地省级市场监督管理部门。", data.body_name),
        printed: format!("{ISSUER}办公室　　　　{issued}印发"),
        issued,
    }
}

/// The notice as a self-contained HTML page (A4, printable); askama escapes every value.
pub fn notice_html(data: &NoticeData) -> Result<String, ReportError> {
    Page { view: view(data) }
        .render()
        .map_err(ReportError::Html)
}

/// The notice as PDF, laid out as GB/T 9704-2012 asks.
pub fn notice_pdf(data: &NoticeData, typesetter: &Typesetter) -> Result<Vec<u8>, ReportError> {
    typesetter.pdf(DocumentKind::Notice, &view(data), &[], data.issued_on)
}
