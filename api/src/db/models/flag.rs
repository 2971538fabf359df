//! Plausibility flags (合理性核查标记): one row per (year, body, rule, field), kept up to date as
//! reports are submitted, with where its review stands.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{bodies, plausibility_flags};
use crate::db::{DbConn, MultiBackend};
use crate::states::{FlagStatus, TextEnum};

/// Rows inserted per statement: 17 columns each stays far below SQLite's 32,766 parameters.
const INSERT_CHUNK: usize = 500;

/// A flag row.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = plausibility_flags)]
pub struct FlagRow {
    /// Id.
    pub id: String,
    /// The evaluation year of the report.
    pub year: i32,
    /// The body.
    pub body_id: String,
    /// The rule's code in the year's scheme.
    pub rule: String,
    /// The field the flag is placed on.
    pub field: String,
    /// `info` or `review`.
    pub severity: String,
    /// The value looked at (a ratio rule's ratio).
    pub value: f64,
    /// The figure compared against.
    pub reference: f64,
    /// The rule's message, filled in.
    pub message: String,
    /// A [`FlagStatus`] code.
    pub status: String,
    /// The report revision the figures were last computed on.
    pub revision: i32,
    /// The analyst's note when cleared.
    pub note: Option<String>,
    /// The analyst's comment when evidence was requested.
    pub comment: Option<String>,
    /// Who cleared it or requested evidence last.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<NaiveDateTime>,
    /// Raised.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

/// A flag with its body's approval number, as lists show it.
#[derive(Debug, Clone)]
pub struct FlagListing {
    /// The flag.
    pub flag: FlagRow,
    /// The body's approval number.
    pub approval_no: String,
    /// The body's name.
    pub name: String,
}

/// Filters of a year's flags.
#[derive(Debug, Clone, Default)]
pub struct FlagFilter {
    /// Only this body (its id or its approval number).
    pub body_id: Option<String>,
    /// Only this rule.
    pub rule: Option<String>,
    /// Only this status.
    pub status: Option<FlagStatus>,
}

/// New figures of a flag that still fires.
#[derive(Debug, Clone, Copy)]
pub struct Figures<'a> {
    /// The severity.
    pub severity: &'a str,
    /// The value.
    pub value: f64,
    /// The reference.
    pub reference: f64,
    /// The message.
    pub message: &'a str,
    /// The revision computed on.
    pub revision: i32,
}

/// What a change of status writes besides the status.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    /// The clearing note (kept when `None`).
    pub note: Option<String>,
    /// The evidence request's comment (kept when `None`).
    pub comment: Option<String>,
    /// Who decided (an analyst's step; kept when `None`).
    pub decided_by: Option<String>,
}

impl FlagRow {
    /// Serialises the computations of a year's flags: on PostgreSQL an advisory lock held to
    /// the end of the transaction (SQLite's immediate transactions already are serial).
    pub fn lock_year(conn: &mut DbConn, year: i32) -> QueryResult<()> {
        // The first key keeps these locks apart from any other advisory lock.
        const FLAGS_OF_YEAR: i32 = 13;
        if let DbConn::Postgres(c) = conn {
            diesel::sql_query("SELECT pg_advisory_xact_lock($1, $2)")
                .bind::<diesel::sql_types::Integer, _>(FLAGS_OF_YEAR)
                .bind::<diesel::sql_types::Integer, _>(year)
                .execute(c)?;
        }
        Ok(())
    }

    /// The flag with this id.
    pub fn by_id(conn: &mut DbConn, id: &str) -> QueryResult<Option<FlagRow>> {
        plausibility_flags::table
            .filter(plausibility_flags::id.eq(id))
            .select(FlagRow::as_select())
            .first(conn)
            .optional()
    }

    /// Every flag of a year, whatever its status.
    pub fn of_year(conn: &mut DbConn, year: i32) -> QueryResult<Vec<FlagRow>> {
        plausibility_flags::table
            .filter(plausibility_flags::year.eq(year))
            .select(FlagRow::as_select())
            .load(conn)
    }

    /// Every flag of one body's report of a year, in a stable order.
    pub fn of_report(conn: &mut DbConn, body_id: &str, year: i32) -> QueryResult<Vec<FlagRow>> {
        plausibility_flags::table
            .filter(plausibility_flags::body_id.eq(body_id))
            .filter(plausibility_flags::year.eq(year))
            .order((
                plausibility_flags::rule.asc(),
                plausibility_flags::field.asc(),
            ))
            .select(FlagRow::as_select())
            .load(conn)
    }

    /// Inserts flags, a chunk per statement.
    pub fn insert_all(conn: &mut DbConn, rows: &[FlagRow]) -> QueryResult<()> {
        // The multi-backend connection has no batch insert; each backend's own has.
        for chunk in rows.chunks(INSERT_CHUNK) {
            let insert = diesel::insert_into(plausibility_flags::table).values(chunk);
            match conn {
                DbConn::Sqlite(c) => insert.execute(c)?,
                DbConn::Postgres(c) => insert.execute(c)?,
            };
        }
        Ok(())
    }

    /// Writes new figures of a flag (its status untouched).
    pub fn set_figures(
        conn: &mut DbConn,
        id: &str,
        figures: Figures<'_>,
        at: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(plausibility_flags::table.filter(plausibility_flags::id.eq(id)))
            .set((
                plausibility_flags::severity.eq(figures.severity),
                plausibility_flags::value.eq(figures.value),
                plausibility_flags::reference.eq(figures.reference),
                plausibility_flags::message.eq(figures.message),
                plausibility_flags::revision.eq(figures.revision),
                plausibility_flags::updated_at.eq(at),
            ))
            .execute(conn)
    }

    /// Moves a flag from `from` to `to` with what the step decided; the rows changed (0 when
    /// its status is no longer `from`).
    pub fn set_status(
        conn: &mut DbConn,
        id: &str,
        from: FlagStatus,
        to: FlagStatus,
        decision: &Decision,
        at: NaiveDateTime,
    ) -> QueryResult<usize> {
        let target = plausibility_flags::table
            .filter(plausibility_flags::id.eq(id))
            .filter(plausibility_flags::status.eq(from.as_str()));
        let status = (
            plausibility_flags::status.eq(to.as_str()),
            plausibility_flags::updated_at.eq(at),
        );
        match &decision.decided_by {
            Some(by) => diesel::update(target)
                .set((
                    status,
                    plausibility_flags::note.eq(decision.note.as_deref()),
                    plausibility_flags::comment.eq(decision.comment.as_deref()),
                    plausibility_flags::decided_by.eq(by),
                    plausibility_flags::decided_at.eq(at),
                ))
                .execute(conn),
            None => diesel::update(target).set(status).execute(conn),
        }
    }

    /// A page of a year's flags (approval number, then rule and field), with the total.
    pub fn page(
        conn: &mut DbConn,
        year: i32,
        filter: &FlagFilter,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<FlagListing>, i64)> {
        let total = listing_query(year, filter).count().get_result(conn)?;
        let rows = listing_query(year, filter)
            .order((
                bodies::approval_no.asc(),
                plausibility_flags::rule.asc(),
                plausibility_flags::field.asc(),
            ))
            .offset(offset)
            .limit(limit)
            .select((FlagRow::as_select(), bodies::approval_no, bodies::name))
            .load::<(FlagRow, String, String)>(conn)?;
        Ok((
            rows.into_iter()
                .map(|(flag, approval_no, name)| FlagListing {
                    flag,
                    approval_no,
                    name,
                })
                .collect(),
            total,
        ))
    }

    /// How many open flags each of these bodies' reports of the year has (bodies without any
    /// are left out).
    pub fn open_counts(
        conn: &mut DbConn,
        year: i32,
        body_ids: &[String],
    ) -> QueryResult<HashMap<String, i64>> {
        if body_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(String, i64)> = plausibility_flags::table
            .filter(plausibility_flags::year.eq(year))
            .filter(plausibility_flags::status.eq(FlagStatus::Open.as_str()))
            .filter(plausibility_flags::body_id.eq_any(body_ids))
            .group_by(plausibility_flags::body_id)
            .select((plausibility_flags::body_id, diesel::dsl::count_star()))
            .load(conn)?;
        Ok(rows.into_iter().collect())
    }

    /// How many flags of the year are open.
    pub fn count_open(conn: &mut DbConn, year: i32) -> QueryResult<i64> {
        plausibility_flags::table
            .filter(plausibility_flags::year.eq(year))
            .filter(plausibility_flags::status.eq(FlagStatus::Open.as_str()))
            .count()
            .get_result(conn)
    }

    /// How many bodies' reports of the year have at least one open flag.
    pub fn count_bodies_with_open(conn: &mut DbConn, year: i32) -> QueryResult<i64> {
        plausibility_flags::table
            .filter(plausibility_flags::year.eq(year))
            .filter(plausibility_flags::status.eq(FlagStatus::Open.as_str()))
            .select(diesel::dsl::count(plausibility_flags::body_id).aggregate_distinct())
            .first(conn)
    }

    /// The bodies whose report of the year has at least one open flag.
    pub fn bodies_with_open(conn: &mut DbConn, year: i32) -> QueryResult<Vec<String>> {
        plausibility_flags::table
            .filter(plausibility_flags::year.eq(year))
            .filter(plausibility_flags::status.eq(FlagStatus::Open.as_str()))
            .select(plausibility_flags::body_id)
            .distinct()
            .load(conn)
    }
}

/// Flags joined with their body.
type Joined = diesel::dsl::InnerJoinOn<
    plausibility_flags::table,
    bodies::table,
    diesel::dsl::Eq<bodies::id, plausibility_flags::body_id>,
>;

/// A year's flags joined with their body, filtered.
fn listing_query(
    year: i32,
    filter: &FlagFilter,
) -> diesel::dsl::IntoBoxed<'static, Joined, MultiBackend> {
    let mut q = plausibility_flags::table
        .inner_join(bodies::table.on(bodies::id.eq(plausibility_flags::body_id)))
        .filter(plausibility_flags::year.eq(year))
        .into_boxed();
    if let Some(b) = &filter.body_id {
        // The body's id, or its approval number (批准号) as people know it.
        q = q.filter(
            plausibility_flags::body_id
                .eq(b.clone())
                .or(bodies::approval_no.eq(b.clone())),
        );
    }
    if let Some(r) = &filter.rule {
        q = q.filter(plausibility_flags::rule.eq(r.clone()));
    }
    if let Some(s) = filter.status {
        q = q.filter(plausibility_flags::status.eq(s.as_str()));
    }
    q
}
