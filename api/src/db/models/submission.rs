//! Annual reports: append-only revisions. Every save, submission, return and acceptance is a
//! new row; nothing is overwritten.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{bodies, submissions};
use crate::states::BodyStatus;
use crate::states::TextEnum;

/// A revision of a body's report for a year.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = submissions)]
pub struct Revision {
    /// Id.
    pub id: String,
    /// The body.
    pub body_id: String,
    /// The evaluation year.
    pub year: i32,
    /// Revision number, from 1.
    pub revision: i32,
    /// `draft`, `submitted`, `returned` or `accepted`.
    pub status: String,
    /// The payload as JSON text.
    pub payload: String,
    /// An analyst's comment (returns) or a note.
    pub comment: Option<String>,
    /// Who made it: `user:<username>`.
    pub actor: String,
    /// When.
    pub created_at: NaiveDateTime,
}

impl Revision {
    /// The current (latest) revision of a body's report.
    pub fn current(conn: &mut DbConn, body_id: &str, year: i32) -> QueryResult<Option<Revision>> {
        submissions::table
            .filter(submissions::body_id.eq(body_id))
            .filter(submissions::year.eq(year))
            .order(submissions::revision.desc())
            .select(Revision::as_select())
            .first(conn)
            .optional()
    }

    /// One revision.
    pub fn get(
        conn: &mut DbConn,
        body_id: &str,
        year: i32,
        revision: i32,
    ) -> QueryResult<Option<Revision>> {
        submissions::table
            .filter(submissions::body_id.eq(body_id))
            .filter(submissions::year.eq(year))
            .filter(submissions::revision.eq(revision))
            .select(Revision::as_select())
            .first(conn)
            .optional()
    }

    /// A page of revisions, oldest first, with the total.
    pub fn page(
        conn: &mut DbConn,
        body_id: &str,
        year: i32,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<Revision>, i64)> {
        let query = || {
            submissions::table
                .filter(submissions::body_id.eq(body_id.to_string()))
                .filter(submissions::year.eq(year))
        };
        let total = query().count().get_result(conn)?;
        let items = query()
            .order(submissions::revision.asc())
            .offset(offset)
            .limit(limit)
            .select(Revision::as_select())
            .load(conn)?;
        Ok((items, total))
    }

    /// Appends the revision.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(submissions::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }
}

/// One expected body's line in a year's submission list: the body and its current revision's
/// status, number and time; never the payload.
#[derive(Debug, Clone, Queryable)]
pub struct StatusLine {
    /// The body.
    pub body_id: String,
    /// Its approval number.
    pub approval_no: String,
    /// Its name.
    pub name: String,
    /// Its category code.
    pub category: String,
    /// Its province.
    pub province: String,
    /// The current revision's status; `None` when the body saved nothing.
    pub status: Option<String>,
    /// The current revision's number.
    pub revision: Option<i32>,
    /// When the current revision was made.
    pub updated_at: Option<NaiveDateTime>,
}

/// Which lines of a year's list to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineFilter<'a> {
    /// Every expected body.
    All,
    /// Bodies whose current revision has this stored status.
    Status(&'a str),
    /// Bodies without any revision.
    NoRevision,
}

/// What a year's list is narrowed to: the report status, and the bodies' category, province
/// and a text their name or approval number contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineQuery<'a> {
    /// By the current revision.
    pub filter: LineFilter<'a>,
    /// Only this category code.
    pub category: Option<&'a str>,
    /// Only this province.
    pub province: Option<&'a str>,
    /// Name or approval number containing this text.
    pub text: Option<&'a str>,
}

impl<'a> From<LineFilter<'a>> for LineQuery<'a> {
    fn from(filter: LineFilter<'a>) -> LineQuery<'a> {
        LineQuery {
            filter,
            category: None,
            province: None,
            text: None,
        }
    }
}

/// A LIKE pattern matching values that contain `text` literally (`\` escapes).
fn containing(text: &str) -> String {
    format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

impl StatusLine {
    /// A page of the bodies the year expects (DESIGN.md §3, as `Body::expected_in` decides)
    /// with their current revision, in approval-number order, and the total; filtered, ordered,
    /// counted and paged by the database, reading no payload.
    pub fn page(
        conn: &mut DbConn,
        year: i32,
        filter: LineFilter<'_>,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<StatusLine>, i64)> {
        StatusLine::search(conn, year, &LineQuery::from(filter), offset, limit)
    }

    /// Like [`StatusLine::page`], narrowed also by the bodies' category, province and a text in
    /// their name or approval number.
    pub fn search(
        conn: &mut DbConn,
        year: i32,
        search: &LineQuery<'_>,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<StatusLine>, i64)> {
        let filter = search.filter;
        let (Some(start), Some(end)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return Ok((Vec::new(), 0));
        };
        let expected = bodies::approved_on.le(end).and(
            bodies::status
                .ne(BodyStatus::Revoked.as_str())
                .or(bodies::status_changed_on.is_null())
                .or(bodies::status_changed_on.ge(start)),
        );
        let pattern = search.text.map(containing);
        // The bodies' own filters, on any boxed query that has the bodies table.
        macro_rules! narrowed {
            ($q:expr) => {{
                let mut q = $q;
                if let Some(c) = search.category {
                    q = q.filter(bodies::category.eq(c.to_string()));
                }
                if let Some(p) = search.province {
                    q = q.filter(bodies::province.eq(p.to_string()));
                }
                if let Some(t) = &pattern {
                    q = q.filter(
                        bodies::name
                            .like(t.clone())
                            .escape('\\')
                            .or(bodies::approval_no.like(t.clone()).escape('\\')),
                    );
                }
                q
            }};
        }
        let of_year = submissions::body_id
            .eq(bodies::id)
            .and(submissions::year.eq(year));
        // The current revision is the one no later revision of its (body, year) follows: an
        // anti-join the unique key (body_id, year, revision) answers from its index alone.
        let later = diesel::alias!(submissions as later);
        let query = || {
            let q = bodies::table
                .left_join(submissions::table.on(of_year))
                .left_join(
                    later.on(later
                        .field(submissions::body_id)
                        .eq(submissions::body_id)
                        .and(later.field(submissions::year).eq(submissions::year))
                        .and(later.field(submissions::revision).gt(submissions::revision))),
                )
                .filter(later.field(submissions::body_id).nullable().is_null())
                .filter(expected)
                .into_boxed();
            let q = narrowed!(q);
            match filter {
                LineFilter::All => q,
                LineFilter::Status(s) => q.filter(submissions::status.nullable().eq(s.to_string())),
                LineFilter::NoRevision => q.filter(submissions::body_id.nullable().is_null()),
            }
        };
        // Counting needs the revisions only when a status is asked for: every expected body
        // has one line, and a body without revisions has no current one to find.
        let total = match filter {
            LineFilter::All => narrowed!(bodies::table.filter(expected).into_boxed())
                .count()
                .get_result(conn)?,
            // Every report has exactly one first revision: probing for it is one index lookup.
            LineFilter::NoRevision => narrowed!(
                bodies::table
                    .left_join(submissions::table.on(of_year.and(submissions::revision.eq(1))))
                    .filter(expected)
                    .filter(submissions::body_id.nullable().is_null())
                    .into_boxed()
            )
            .count()
            .get_result(conn)?,
            LineFilter::Status(_) => query().count().get_result(conn)?,
        };
        let items = query()
            .order(bodies::approval_no.asc())
            .offset(offset)
            .limit(limit)
            .select((
                bodies::id,
                bodies::approval_no,
                bodies::name,
                bodies::category,
                bodies::province,
                submissions::status.nullable(),
                submissions::revision.nullable(),
                submissions::created_at.nullable(),
            ))
            .load(conn)?;
        Ok((items, total))
    }

    /// How many of the bodies the year expects have a current report in each state (`None`:
    /// no report yet), in one grouped query — the dashboard's counts without a scan per state.
    pub fn status_counts(conn: &mut DbConn, year: i32) -> QueryResult<Vec<(Option<String>, i64)>> {
        let (Some(start), Some(end)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return Ok(Vec::new());
        };
        let expected = bodies::approved_on.le(end).and(
            bodies::status
                .ne(BodyStatus::Revoked.as_str())
                .or(bodies::status_changed_on.is_null())
                .or(bodies::status_changed_on.ge(start)),
        );
        let later = diesel::alias!(submissions as later);
        bodies::table
            .left_join(
                submissions::table.on(submissions::body_id
                    .eq(bodies::id)
                    .and(submissions::year.eq(year))),
            )
            .left_join(
                later.on(later
                    .field(submissions::body_id)
                    .eq(submissions::body_id)
                    .and(later.field(submissions::year).eq(submissions::year))
                    .and(later.field(submissions::revision).gt(submissions::revision))),
            )
            .filter(later.field(submissions::body_id).nullable().is_null())
            .filter(expected)
            .group_by(submissions::status)
            .select((submissions::status.nullable(), diesel::dsl::count_star()))
            .load(conn)
    }
}
