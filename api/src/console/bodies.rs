//! `/console/bodies/{id}`: one body for analysts — its registry entry, its report in each
//! year with the revision history and a field-by-field diff of two revisions, accepting or
//! returning a submitted report with a comment, its incidents, its results per year with the
//! trend chart, and its risk warnings.

mod flags;
mod record;
mod reports;
mod review;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub use self::flags::{clear_flag, request_evidence};
use self::record::{IncidentLine, ResultLine, WarningLine};
use self::reports::FlagRefused;
use self::reports::YearReport;
pub use self::review::{accept, return_report};
use super::cycles::category_zh;
use super::page::{ConsoleError, Nav, html, html_response};
use super::session::Session;
use crate::db::DbConn;
use crate::domain::{Ctx, Result, TextEnum, bodies, cycles, schemes};
use crate::state::AppState;
use crate::states::BodyStatus;

/// Which two revisions of which year to compare (`?year=2025&from=1&to=3`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BodyQuery {
    /// The year.
    #[serde(default)]
    pub year: Option<String>,
    /// The older revision.
    #[serde(default)]
    pub from: Option<String>,
    /// The newer revision.
    #[serde(default)]
    pub to: Option<String>,
}

fn number<T: std::str::FromStr>(v: &Option<String>) -> Option<T> {
    v.as_deref().and_then(|v| v.trim().parse().ok())
}

impl BodyQuery {
    /// The year asked for.
    pub fn year(&self) -> Option<i32> {
        number(&self.year)
    }

    /// The older revision asked for.
    pub fn from(&self) -> Option<i32> {
        number(&self.from)
    }

    /// The newer revision asked for.
    pub fn to(&self) -> Option<i32> {
        number(&self.to)
    }
}

/// An action refused on the page, shown beside its form with what was typed.
#[derive(Debug, Clone)]
pub enum Refusal {
    /// Accepting or returning a report.
    Review(Refused),
    /// Clearing a flag or asking for evidence.
    Flag(FlagRefused),
}

/// A refused review, shown beside its year's comment with what was typed.
#[derive(Debug, Clone)]
pub struct Refused {
    /// The year reviewed.
    pub year: i32,
    /// The comment as typed.
    pub comment: String,
    /// Why, in Chinese.
    pub message: String,
}

#[derive(Template)]
#[template(path = "console/body.html")]
struct BodyPage {
    nav: Option<Nav>,
    csrf: String,
    id: String,
    approval_no: String,
    name: String,
    category_zh: String,
    province: String,
    status_zh: &'static str,
    approved_on: String,
    years: Vec<YearReport>,
    incidents: Vec<IncidentLine>,
    results: Vec<ResultLine>,
    trend: Option<String>,
    warnings: Vec<WarningLine>,
}

/// The page's data (no navigation).
fn load(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: &str,
    query: &BodyQuery,
    refused: Option<Refusal>,
) -> Result<BodyPage> {
    ctx.viewer().staff_page()?;
    let body = bodies::get(conn, ctx, id)?;
    let (cycles, _) = cycles::page(conn, 0, 100)?;
    let flag_refused = match &refused {
        Some(Refusal::Flag(f)) => Some(f),
        _ => None,
    };
    let mut years = reports::reports(conn, ctx, id, &cycles, query, flag_refused)?;
    if let Some(Refusal::Review(r)) = refused
        && let Some(y) = years.iter_mut().find(|y| y.year == r.year)
    {
        y.comment = r.comment;
        y.comment_error = Some(r.message);
    }
    // Kinds and severities are labelled by the latest cycle's scheme (the default without).
    let scheme = match cycles.first() {
        Some(c) => schemes::scheme_of(conn, &c.scheme_id)?,
        None => pubeval_scoring::Scheme::default_scheme(),
    };
    let incidents = record::incidents(conn, ctx, id, &scheme)?;
    let (results, trend) = record::results(conn, ctx, id)?;
    let warnings = record::warnings(conn, ctx, id)?;
    Ok(BodyPage {
        nav: None,
        csrf: String::new(),
        id: body.id,
        approval_no: body.approval_no,
        name: body.name,
        category_zh: category_zh(&body.category),
        province: body.province,
        status_zh: BodyStatus::parse(&body.status).map_or("", |s| s.label_zh()),
        approved_on: body.approved_on.to_string(),
        years,
        incidents,
        results,
        trend,
        warnings,
    })
}

/// Renders the page; a refused review with its status (422, 409) and message.
async fn render(
    state: &AppState,
    session: &Session,
    id: String,
    query: BodyQuery,
    refused: Option<(StatusCode, Refusal)>,
) -> std::result::Result<HttpResponse, ConsoleError> {
    let status = refused.as_ref().map(|(s, _)| *s);
    let page = state
        .run(&session.principal, move |conn, ctx| {
            load(conn, ctx, &id, &query, refused.map(|(_, r)| r))
        })
        .await?;
    let page = BodyPage {
        nav: Some(Nav::of(session)),
        csrf: session.csrf.clone(),
        ..page
    };
    match status {
        Some(s) => Ok(html_response(s, page.render()?)),
        None => html(&page),
    }
}

/// `GET /console/bodies/{id}`.
pub async fn page(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    query: web::Query<BodyQuery>,
) -> std::result::Result<HttpResponse, ConsoleError> {
    render(
        &state,
        &session,
        path.into_inner(),
        query.into_inner(),
        None,
    )
    .await
}
