//! Annual reports: append-only revisions. Every save, submission, return and acceptance is a
//! new row; nothing is overwritten.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::models::report_head::ReportHead;
use crate::db::schema::{bodies, plausibility_flags, report_heads, submissions};
use crate::states::TextEnum;
use crate::states::{BodyStatus, FlagStatus};

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

    /// The current revision of every report of a year (number, status and payload, by body),
    /// read through the heads: one row per report.
    pub fn currents_of_year(conn: &mut DbConn, year: i32) -> QueryResult<Vec<Revision>> {
        report_heads::table
            .inner_join(
                submissions::table.on(submissions::body_id
                    .eq(report_heads::body_id)
                    .and(submissions::year.eq(report_heads::year))
                    .and(submissions::revision.eq(report_heads::revision))),
            )
            .filter(report_heads::year.eq(year))
            .select(Revision::as_select())
            .load(conn)
    }

    /// Appends many revisions, each the next of its report (or its first), and moves their
    /// reports' heads to them, in statements of `chunk` rows; call in a transaction. `done`
    /// hears how many are written after each statement.
    pub fn insert_all(
        conn: &mut DbConn,
        revisions: &[Revision],
        chunk: usize,
        done: &mut dyn FnMut(usize),
    ) -> QueryResult<()> {
        let mut written = 0;
        for part in revisions.chunks(chunk.max(1)) {
            // The multi-backend connection has no batch insert; each backend's own has.
            let insert = diesel::insert_into(submissions::table).values(part);
            match conn {
                DbConn::Sqlite(c) => insert.execute(c)?,
                DbConn::Postgres(c) => insert.execute(c)?,
            };
            ReportHead::replace_all(conn, part)?;
            written += part.len();
            done(written);
        }
        Ok(())
    }

    /// The current revision's number and payload of every report of the year whose current
    /// state is one of `statuses` (stored codes), by body: one pass over the year's heads.
    pub fn current_payloads(
        conn: &mut DbConn,
        year: i32,
        statuses: &[&str],
    ) -> QueryResult<Vec<(String, i32, String)>> {
        submissions::table
            .inner_join(
                report_heads::table.on(report_heads::body_id
                    .eq(submissions::body_id)
                    .and(report_heads::year.eq(submissions::year))
                    .and(report_heads::revision.eq(submissions::revision))),
            )
            .filter(report_heads::year.eq(year))
            .filter(report_heads::status.eq_any(statuses))
            .order(submissions::body_id.asc())
            .select((
                submissions::body_id,
                submissions::revision,
                submissions::payload,
            ))
            .load(conn)
    }

    /// Appends the revision and moves its report's head to it; call in a transaction.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(submissions::table)
            .values(self)
            .execute(conn)?;
        ReportHead::advance(conn, self)
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
    /// Only bodies whose report has open plausibility flags (需复核).
    pub flagged: bool,
}

impl<'a> From<LineFilter<'a>> for LineQuery<'a> {
    fn from(filter: LineFilter<'a>) -> LineQuery<'a> {
        LineQuery {
            filter,
            category: None,
            province: None,
            text: None,
            flagged: false,
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
                if search.flagged {
                    q = q.filter(
                        bodies::id.eq_any(
                            plausibility_flags::table
                                .filter(plausibility_flags::year.eq(year))
                                .filter(plausibility_flags::status.eq(FlagStatus::Open.as_str()))
                                .select(plausibility_flags::body_id),
                        ),
                    );
                }
                q
            }};
        }
        let of_year = report_heads::body_id
            .eq(bodies::id)
            .and(report_heads::year.eq(year));
        let query = || {
            let q = bodies::table
                .left_join(report_heads::table.on(of_year))
                .filter(expected)
                .into_boxed();
            let q = narrowed!(q);
            match filter {
                LineFilter::All => q,
                LineFilter::Status(s) => {
                    q.filter(report_heads::status.nullable().eq(s.to_string()))
                }
                LineFilter::NoRevision => q.filter(report_heads::body_id.nullable().is_null()),
            }
        };
        // Every expected body has one line: counting them all needs no heads.
        let total = match filter {
            LineFilter::All => narrowed!(bodies::table.filter(expected).into_boxed())
                .count()
                .get_result(conn)?,
            LineFilter::Status(_) | LineFilter::NoRevision => query().count().get_result(conn)?,
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
                report_heads::status.nullable(),
                report_heads::revision.nullable(),
                report_heads::created_at.nullable(),
            ))
            .load(conn)?;
        Ok((items, total))
    }
}
