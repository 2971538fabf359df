//! Evaluation cycles: a year, its scheme and its submission window, with late-entry
//! exceptions for single bodies.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{cycles, late_entry_exceptions};

/// A cycle row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = cycles)]
pub struct Cycle {
    /// Id.
    pub id: String,
    /// Evaluation year.
    pub year: i32,
    /// The scheme it is evaluated with.
    pub scheme_id: String,
    /// Saves are admitted from this instant (UTC)…
    pub opens_at: NaiveDateTime,
    /// …until just before this one.
    pub closes_at: NaiveDateTime,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

/// A late-entry exception: one body may save until a later instant.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = late_entry_exceptions)]
pub struct LateEntryException {
    /// Id.
    pub id: String,
    /// The cycle.
    pub cycle_id: String,
    /// The body.
    pub body_id: String,
    /// The body's own closing instant (UTC).
    pub closes_at: NaiveDateTime,
    /// Why it was granted.
    pub reason: String,
    /// The analyst who granted it.
    pub created_by: String,
    /// Granted at.
    pub created_at: NaiveDateTime,
}

impl Cycle {
    /// The cycle of a year.
    pub fn by_year(conn: &mut DbConn, year: i32) -> QueryResult<Option<Cycle>> {
        cycles::table
            .filter(cycles::year.eq(year))
            .select(Cycle::as_select())
            .first(conn)
            .optional()
    }

    /// Every cycle, latest year first, with the total.
    pub fn page(conn: &mut DbConn, offset: i64, limit: i64) -> QueryResult<(Vec<Cycle>, i64)> {
        let total = cycles::table.count().get_result(conn)?;
        let items = cycles::table
            .order(cycles::year.desc())
            .offset(offset)
            .limit(limit)
            .select(Cycle::as_select())
            .load(conn)?;
        Ok((items, total))
    }

    /// Inserts a cycle.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(cycles::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// Writes the row back.
    pub fn save(&self, conn: &mut DbConn) -> QueryResult<usize> {
        diesel::update(cycles::table.filter(cycles::id.eq(&self.id)))
            .set(self)
            .execute(conn)
    }

    /// The exception granted to a body in this cycle.
    pub fn exception_for(
        &self,
        conn: &mut DbConn,
        body_id: &str,
    ) -> QueryResult<Option<LateEntryException>> {
        late_entry_exceptions::table
            .filter(late_entry_exceptions::cycle_id.eq(&self.id))
            .filter(late_entry_exceptions::body_id.eq(body_id))
            .select(LateEntryException::as_select())
            .first(conn)
            .optional()
    }

    /// Every exception of this cycle.
    pub fn exceptions(&self, conn: &mut DbConn) -> QueryResult<Vec<LateEntryException>> {
        late_entry_exceptions::table
            .filter(late_entry_exceptions::cycle_id.eq(&self.id))
            .order(late_entry_exceptions::created_at.asc())
            .select(LateEntryException::as_select())
            .load(conn)
    }

    /// Grants an exception, replacing an earlier one for the same body.
    pub fn grant(&self, conn: &mut DbConn, exception: &LateEntryException) -> QueryResult<()> {
        diesel::delete(
            late_entry_exceptions::table
                .filter(late_entry_exceptions::cycle_id.eq(&self.id))
                .filter(late_entry_exceptions::body_id.eq(&exception.body_id)),
        )
        .execute(conn)?;
        diesel::insert_into(late_entry_exceptions::table)
            .values(exception)
            .execute(conn)
            .map(|_| ())
    }
}
