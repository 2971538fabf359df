//! Reading reports: a body's current revision and history, and the year's list for staff.

use crate::db::DbConn;
use crate::db::models::body::Body;
use crate::db::models::report_head::ReportHead;
use crate::db::models::submission::{LineFilter, LineQuery, Revision, StatusLine};
use crate::domain::actors::ActorNames;
use crate::domain::states::SubmissionStatus;
use crate::domain::{Ctx, Error, Noun, Result, TextEnum};

/// The current revision of a body's report (404 when there is none, or the body is not the
/// viewer's).
pub fn current(conn: &mut DbConn, ctx: &Ctx, body_id: &str, year: i32) -> Result<Revision> {
    ctx.viewer().body_data(body_id)?;
    let revision =
        Revision::current(conn, body_id, year)?.ok_or_else(|| Error::not_found(Noun::Report))?;
    named(conn, &mut ActorNames::new(ctx.viewer()), revision)
}

/// A revision with its actor as the viewer is told it: a body sees the analyst who returned
/// or accepted its report as 国家认监委, not by username (`domain::actors`).
fn named(conn: &mut DbConn, names: &mut ActorNames, mut revision: Revision) -> Result<Revision> {
    revision.actor = names.name(conn, &revision.actor)?;
    Ok(revision)
}

/// A page of a body's revisions, oldest first, with the total.
pub fn revisions(
    conn: &mut DbConn,
    ctx: &Ctx,
    body_id: &str,
    year: i32,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Revision>, i64)> {
    ctx.viewer().body_data(body_id)?;
    Body::by_id(conn, body_id)?.ok_or_else(|| Error::not_found(Noun::Body))?;
    let (page, total) = Revision::page(conn, body_id, year, offset, limit)?;
    let mut names = ActorNames::new(ctx.viewer());
    let page = page
        .into_iter()
        .map(|r| named(conn, &mut names, r))
        .collect::<Result<Vec<_>>>()?;
    Ok((page, total))
}

/// One revision of a body's report.
pub fn revision(
    conn: &mut DbConn,
    ctx: &Ctx,
    body_id: &str,
    year: i32,
    number: i32,
) -> Result<Revision> {
    ctx.viewer().body_data(body_id)?;
    let revision = Revision::get(conn, body_id, year, number)?
        .ok_or_else(|| Error::not_found(Noun::Revision))?;
    named(conn, &mut ActorNames::new(ctx.viewer()), revision)
}

/// Which bodies the year's list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFilter {
    /// Every body the year expects.
    All,
    /// Bodies whose current revision is in this state.
    Status(SubmissionStatus),
    /// Bodies that saved nothing (`not_submitted`).
    NotSubmitted,
}

impl ListFilter {
    /// The word for bodies that saved nothing, in the list and its filter.
    pub const NOT_SUBMITTED: &'static str = "not_submitted";

    /// The filter a `status` query word names (422 naming `status` when it names none).
    pub fn parse(word: Option<&str>) -> Result<ListFilter> {
        match word {
            None => Ok(ListFilter::All),
            Some(w) if w == ListFilter::NOT_SUBMITTED => Ok(ListFilter::NotSubmitted),
            Some(w) => SubmissionStatus::parse(w)
                .map(ListFilter::Status)
                .ok_or_else(|| {
                    Error::invalid_field(
                        "status",
                        "状态须为 draft、submitted、returned、accepted 或 not_submitted",
                        "status must be draft, submitted, returned, accepted or not_submitted",
                    )
                }),
        }
    }
}

/// What the year's list is narrowed to besides the report status: the bodies' category,
/// province, and a text their name or approval number contains (blank values narrow nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Only this category code.
    pub category: Option<String>,
    /// Only this province.
    pub province: Option<String>,
    /// Name or approval number containing this text.
    pub text: Option<String>,
    /// Only bodies whose report has open plausibility flags (需复核).
    pub flagged: bool,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A page of the bodies the year expects, with their current report status, in
/// approval-number order (staff only), and the total. The database filters, counts and pages.
pub fn list(
    conn: &mut DbConn,
    ctx: &Ctx,
    year: i32,
    filter: ListFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<StatusLine>, i64)> {
    search(
        conn,
        ctx,
        year,
        filter,
        &ListQuery::default(),
        offset,
        limit,
    )
}

/// Like [`list`], narrowed also by category, province and a text in the name or approval
/// number (the console's list of a cycle).
pub fn search(
    conn: &mut DbConn,
    ctx: &Ctx,
    year: i32,
    filter: ListFilter,
    query: &ListQuery,
    offset: i64,
    limit: i64,
) -> Result<(Vec<StatusLine>, i64)> {
    if !ctx.viewer().is_staff() {
        return Err(Error::forbidden());
    }
    let filter = match filter {
        ListFilter::All => LineFilter::All,
        ListFilter::Status(s) => LineFilter::Status(s.as_str()),
        ListFilter::NotSubmitted => LineFilter::NoRevision,
    };
    let query = LineQuery {
        filter,
        category: given(&query.category),
        province: given(&query.province),
        text: given(&query.text),
        flagged: query.flagged,
    };
    Ok(StatusLine::search(conn, year, &query, offset, limit)?)
}

/// How many of the bodies a year expects stand in each report state (staff only), counted in
/// one query.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    /// Every body the year expects.
    pub expected: i64,
    /// No report saved.
    pub not_started: i64,
    /// Current revision a draft.
    pub draft: i64,
    /// Submitted, awaiting review.
    pub submitted: i64,
    /// Returned to the body.
    pub returned: i64,
    /// Accepted.
    pub accepted: i64,
}

/// The year's report counts by state.
pub fn status_counts(conn: &mut DbConn, ctx: &Ctx, year: i32) -> Result<StatusCounts> {
    if !ctx.viewer().is_staff() {
        return Err(Error::forbidden());
    }
    let mut counts = StatusCounts::default();
    for (status, n) in ReportHead::status_counts(conn, year)? {
        counts.expected += n;
        match status
            .as_deref()
            .map(SubmissionStatus::parse_stored)
            .transpose()?
        {
            None => counts.not_started += n,
            Some(SubmissionStatus::Draft) => counts.draft += n,
            Some(SubmissionStatus::Submitted) => counts.submitted += n,
            Some(SubmissionStatus::Returned) => counts.returned += n,
            Some(SubmissionStatus::Accepted) => counts.accepted += n,
        }
    }
    Ok(counts)
}
