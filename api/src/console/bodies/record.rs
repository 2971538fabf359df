//! What else the body page shows: the body's incidents, its results per year with the trend
//! chart, and its risk warnings.

use pubeval_reports::ChartName;
use pubeval_scoring::Scheme;
use pubeval_scoring::scheme::Reporting;

use crate::console::home::china_time;
use crate::db::DbConn;
use crate::domain::incidents::{self, IncidentSearch};
use crate::domain::warnings::{self, WarningQuery};
use crate::domain::{Ctx, ErrorCode, Result, TextEnum, documents, evaluations};
use crate::states::WarningStatus;

/// The most incidents and warnings the page lists.
const MAX_LISTED: i64 = 200;

/// One incident.
#[derive(Debug, Clone)]
pub struct IncidentLine {
    /// When it occurred, on the regulator's calendar.
    pub occurred: String,
    /// Its kind in Chinese.
    pub kind: String,
    /// Its severity in Chinese.
    pub severity: String,
    /// Who recorded it, in Chinese.
    pub source: &'static str,
    /// How the body reported it.
    pub reporting: &'static str,
    /// What happened.
    pub description: String,
    /// Why it was voided ("" when it stands).
    pub voided: String,
}

/// One year's result.
#[derive(Debug, Clone)]
pub struct ResultLine {
    /// The year.
    pub year: i32,
    /// The evaluation's state in Chinese.
    pub status_zh: &'static str,
    /// The total with 2 decimals (— without one).
    pub total: String,
    /// The grade.
    pub grade: String,
    /// Overall rank.
    pub rank: String,
    /// Rank in the category.
    pub category_rank: String,
    /// Warning level (— for none).
    pub warning: String,
    /// The result's page.
    pub href: String,
}

/// One warning.
#[derive(Debug, Clone)]
pub struct WarningLine {
    /// Its page.
    pub href: String,
    /// Notice number (未签发 for a draft).
    pub notice_no: String,
    /// The evaluation year.
    pub year: i32,
    /// Level.
    pub level: i32,
    /// State in Chinese.
    pub status_zh: &'static str,
    /// Deadline ("" when none).
    pub deadline: String,
    /// Whether it is overdue.
    pub overdue: bool,
}

fn label_of(items: &[pubeval_scoring::scheme::Labelled], code: &str) -> String {
    items
        .iter()
        .find(|l| l.code == code)
        .map_or_else(|| code.to_string(), |l| l.label.clone())
}

/// The body's incidents, voided ones included, latest first; kinds and severities labelled
/// by `scheme`.
pub fn incidents(
    conn: &mut DbConn,
    ctx: &Ctx,
    body_id: &str,
    scheme: &Scheme,
) -> Result<Vec<IncidentLine>> {
    let search = IncidentSearch {
        include_voided: true,
        ..IncidentSearch::default()
    };
    let (items, _) = incidents::page_of_body(conn, ctx, body_id, search, 0, MAX_LISTED)?;
    Ok(items
        .into_iter()
        .map(|i| IncidentLine {
            occurred: china_time(i.row.occurred_at),
            kind: label_of(&scheme.incident_kinds, &i.row.kind),
            severity: label_of(&scheme.severities, &i.row.severity),
            source: i.source.label_zh(),
            reporting: match i.reporting {
                Reporting::OnTime => "按时报告",
                Reporting::Late => "逾期报告",
                Reporting::Never => "未报告",
            },
            description: i.row.description,
            voided: match (i.row.voided_at, i.row.void_reason) {
                (Some(_), reason) => reason.unwrap_or_else(|| "已作废".to_string()),
                _ => String::new(),
            },
        })
        .collect())
}

fn or_dash(v: Option<impl ToString>) -> String {
    v.map_or_else(|| "—".to_string(), |v| v.to_string())
}

/// The body's results per year (published years, latest first) and the trend chart of the
/// latest as SVG (none when there is nothing to draw).
pub fn results(
    conn: &mut DbConn,
    ctx: &Ctx,
    body_id: &str,
) -> Result<(Vec<ResultLine>, Option<String>)> {
    let history = evaluations::history(conn, ctx, body_id)?;
    let lines = history
        .iter()
        .map(|h| ResultLine {
            year: h.evaluation.year,
            status_zh: h.status.label_zh(),
            total: or_dash(h.result.total.map(|t| format!("{t:.2}"))),
            grade: or_dash(h.result.grade.clone()),
            rank: or_dash(h.result.rank),
            category_rank: or_dash(h.result.category_rank),
            warning: if h.result.warning_level > 0 {
                format!("{} 级", h.result.warning_level)
            } else {
                "—".to_string()
            },
            href: format!(
                "/console/evaluations/{}/results/{}",
                h.evaluation.id, body_id
            ),
        })
        .collect();
    let trend = match history.first() {
        None => None,
        Some(latest) => match documents::charts::draw(
            conn,
            ctx,
            &latest.evaluation.id,
            ChartName::BodyTrend,
            Some(body_id),
        ) {
            Ok(chart) => Some(accessible(&chart.svg)),
            // Nothing to draw, or no result in that evaluation: the page goes without it.
            Err(e) if matches!(e.code, ErrorCode::ValidationFailed | ErrorCode::NotFound) => None,
            Err(e) => return Err(e),
        },
    };
    Ok((lines, trend))
}

/// The drawing, named for assistive technology (the table beside it holds the same numbers).
fn accessible(svg: &str) -> String {
    svg.replacen(
        "<svg ",
        "<svg role=\"img\" aria-label=\"历年总分趋势图\" ",
        1,
    )
}

/// The body's warnings, latest year first.
pub fn warnings(conn: &mut DbConn, ctx: &Ctx, body_id: &str) -> Result<Vec<WarningLine>> {
    let query = WarningQuery {
        body_id: Some(body_id.to_string()),
        ..WarningQuery::default()
    };
    let (items, _) = warnings::list(conn, ctx, query, 0, MAX_LISTED)?;
    Ok(items
        .into_iter()
        .map(|w| {
            let row = &w.listing.warning;
            WarningLine {
                href: format!("/console/warnings/{}", row.id),
                notice_no: row
                    .notice_no
                    .clone()
                    .unwrap_or_else(|| "未签发".to_string()),
                year: w.listing.year,
                level: row.level,
                status_zh: WarningStatus::parse(&row.status).map_or("", warnings::status_zh),
                deadline: row.deadline.map(|d| d.to_string()).unwrap_or_default(),
                overdue: w.overdue,
            }
        })
        .collect())
}
