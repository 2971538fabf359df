//! Annual reports: append-only revisions. Every save, submission, return and acceptance is a
//! new row; nothing is overwritten.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::submissions;

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

    /// The current revision of every body's report for a year.
    pub fn current_of_year(conn: &mut DbConn, year: i32) -> QueryResult<Vec<Revision>> {
        let all: Vec<Revision> = submissions::table
            .filter(submissions::year.eq(year))
            .order((submissions::body_id.asc(), submissions::revision.desc()))
            .select(Revision::as_select())
            .load(conn)?;
        let mut current: Vec<Revision> = Vec::new();
        for r in all {
            if current.last().is_none_or(|c| c.body_id != r.body_id) {
                current.push(r);
            }
        }
        Ok(current)
    }

    /// Appends the revision.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(submissions::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }
}
