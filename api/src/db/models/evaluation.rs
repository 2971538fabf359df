//! Evaluations and their per-body results. Results are written once, when a run finishes,
//! and never rewritten: a re-run is a new evaluation.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{evaluation_results, evaluations, objections};
use crate::states::{EvaluationStatus, ObjectionStatus, TextEnum};

/// An evaluation row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = evaluations)]
pub struct Evaluation {
    /// Id.
    pub id: String,
    /// Evaluation year.
    pub year: i32,
    /// The scheme used.
    pub scheme_id: String,
    /// running → draft → public_notice → final (or failed, or superseded).
    pub status: String,
    /// SHA-256 of the inputs, so anyone can tell whether a re-run would see the same data.
    pub input_digest: Option<String>,
    /// Draws of the uncertainty analysis.
    pub draws: i32,
    /// Seed of the uncertainty analysis.
    pub seed: i64,
    /// Bodies evaluated.
    pub bodies: i32,
    /// Summary figures as JSON text.
    pub summary: Option<String>,
    /// Why it failed.
    pub failure: Option<String>,
    /// Who started it.
    pub created_by: String,
    /// Started.
    pub started_at: NaiveDateTime,
    /// Finished (draft or failed).
    pub finished_at: Option<NaiveDateTime>,
    /// Put to public notice (公示).
    pub published_at: Option<NaiveDateTime>,
    /// Objections are accepted until then.
    pub objection_deadline: Option<NaiveDateTime>,
    /// Made final.
    pub finalized_at: Option<NaiveDateTime>,
    /// The evaluation that replaced it.
    pub superseded_by: Option<String>,
    /// Why a final evaluation was superseded.
    pub superseded_reason: Option<String>,
}

/// One body's stored result.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = evaluation_results)]
pub struct ResultRow {
    /// The evaluation.
    pub evaluation_id: String,
    /// The body.
    pub body_id: String,
    /// Position in ranking order (from 0).
    pub position: i32,
    /// Approval number.
    pub approval_no: String,
    /// Name.
    pub name: String,
    /// Category.
    pub category: String,
    /// Province.
    pub province: String,
    /// 1 when a report counted.
    pub submitted: i32,
    /// Total, full precision.
    pub total: Option<f64>,
    /// Grade.
    pub grade: Option<String>,
    /// Overall rank.
    pub rank: Option<i32>,
    /// Rank in the category.
    pub category_rank: Option<i32>,
    /// Warning level, 0 for none.
    pub warning_level: i32,
    /// 1 when borderline.
    pub borderline: i32,
    /// The whole result (points, explanation, warning, uncertainty) as JSON text.
    pub result: String,
}

/// An objection (异议) filed during public notice.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = objections)]
pub struct Objection {
    /// Id.
    pub id: String,
    /// The evaluation.
    pub evaluation_id: String,
    /// The body.
    pub body_id: String,
    /// What the body objects to.
    pub text: String,
    /// Who filed it.
    pub filed_by: String,
    /// When.
    pub filed_at: NaiveDateTime,
    /// open, upheld or rejected.
    pub status: String,
    /// The written answer.
    pub answer: Option<String>,
    /// Who answered.
    pub answered_by: Option<String>,
    /// When.
    pub answered_at: Option<NaiveDateTime>,
}

/// Filters of a ranking.
#[derive(Debug, Clone, Default)]
pub struct ResultFilter {
    /// Category.
    pub category: Option<String>,
    /// Province.
    pub province: Option<String>,
    /// Grade.
    pub grade: Option<String>,
    /// Warning level.
    pub warning_level: Option<i32>,
    /// Only borderline bodies.
    pub borderline: Option<bool>,
    /// Only this body.
    pub body_id: Option<String>,
}

/// The columns a state change of an evaluation writes; `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = evaluations)]
pub struct EvaluationChange {
    /// The new status.
    pub status: Option<String>,
    /// SHA-256 of the inputs.
    pub input_digest: Option<String>,
    /// Bodies evaluated.
    pub bodies: Option<i32>,
    /// Summary figures as JSON text.
    pub summary: Option<String>,
    /// Why it failed.
    pub failure: Option<String>,
    /// Finished (draft or failed).
    pub finished_at: Option<NaiveDateTime>,
    /// Put to public notice.
    pub published_at: Option<NaiveDateTime>,
    /// Objections accepted until then.
    pub objection_deadline: Option<NaiveDateTime>,
    /// Made final.
    pub finalized_at: Option<NaiveDateTime>,
    /// The evaluation that replaced it.
    pub superseded_by: Option<String>,
    /// Why a final evaluation was superseded.
    pub superseded_reason: Option<String>,
}

impl EvaluationChange {
    /// A change to this status (and, so far, nothing else).
    pub fn to(status: EvaluationStatus) -> EvaluationChange {
        EvaluationChange {
            status: Some(status.as_str().to_string()),
            ..EvaluationChange::default()
        }
    }
}

fn codes(statuses: &[EvaluationStatus]) -> Vec<String> {
    statuses.iter().map(|s| s.as_str().to_string()).collect()
}

impl Evaluation {
    /// How many evaluation runs are in each state.
    pub fn status_counts(conn: &mut DbConn) -> QueryResult<Vec<(String, i64)>> {
        evaluations::table
            .group_by(evaluations::status)
            .select((evaluations::status, diesel::dsl::count_star()))
            .load(conn)
    }

    /// The evaluation with this id.
    pub fn by_id(conn: &mut DbConn, id: &str) -> QueryResult<Option<Evaluation>> {
        evaluations::table
            .filter(evaluations::id.eq(id))
            .select(Evaluation::as_select())
            .first(conn)
            .optional()
    }

    /// Evaluations, newest first, optionally of one year and restricted to some statuses.
    pub fn page(
        conn: &mut DbConn,
        year: Option<i32>,
        statuses: Option<&[EvaluationStatus]>,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<Evaluation>, i64)> {
        let query = || {
            let mut q = evaluations::table.into_boxed();
            if let Some(y) = year {
                q = q.filter(evaluations::year.eq(y));
            }
            if let Some(s) = statuses {
                q = q.filter(evaluations::status.eq_any(codes(s)));
            }
            q
        };
        let total = query().count().get_result(conn)?;
        let items = query()
            .order(evaluations::started_at.desc())
            .offset(offset)
            .limit(limit)
            .select(Evaluation::as_select())
            .load(conn)?;
        Ok((items, total))
    }

    /// The final evaluation of a year, if any.
    pub fn final_of_year(conn: &mut DbConn, year: i32) -> QueryResult<Option<Evaluation>> {
        evaluations::table
            .filter(evaluations::year.eq(year))
            .filter(evaluations::status.eq(EvaluationStatus::Final.as_str()))
            .select(Evaluation::as_select())
            .first(conn)
            .optional()
    }

    /// The year's evaluations still in progress (running, draft or public notice).
    pub fn open_of_year(conn: &mut DbConn, year: i32) -> QueryResult<Vec<Evaluation>> {
        evaluations::table
            .filter(evaluations::year.eq(year))
            .filter(evaluations::status.eq_any(codes(&EvaluationStatus::OPEN)))
            .select(Evaluation::as_select())
            .load(conn)
    }

    /// Every evaluation in one of these states, oldest first.
    pub fn in_states(
        conn: &mut DbConn,
        statuses: &[EvaluationStatus],
    ) -> QueryResult<Vec<Evaluation>> {
        evaluations::table
            .filter(evaluations::status.eq_any(codes(statuses)))
            .order(evaluations::started_at.asc())
            .select(Evaluation::as_select())
            .load(conn)
    }

    /// The year's other evaluations in one of these states (those a new run replaces).
    pub fn others_of_year(
        conn: &mut DbConn,
        year: i32,
        except_id: &str,
        statuses: &[EvaluationStatus],
    ) -> QueryResult<Vec<Evaluation>> {
        evaluations::table
            .filter(evaluations::year.eq(year))
            .filter(evaluations::id.ne(except_id))
            .filter(evaluations::status.eq_any(codes(statuses)))
            .select(Evaluation::as_select())
            .load(conn)
    }

    /// The year's runs started before `cutoff` and still `running`.
    pub fn running_since(
        conn: &mut DbConn,
        year: i32,
        cutoff: NaiveDateTime,
    ) -> QueryResult<Vec<Evaluation>> {
        evaluations::table
            .filter(evaluations::year.eq(year))
            .filter(evaluations::status.eq(EvaluationStatus::Running.as_str()))
            .filter(evaluations::started_at.lt(cutoff))
            .select(Evaluation::as_select())
            .load(conn)
    }

    /// Within a transaction, waits for any other transaction starting a run of this year, so
    /// that two starts cannot both find the year free. SQLite's `BEGIN IMMEDIATE` already
    /// serialises writers; PostgreSQL takes a transaction-scoped advisory lock on the year.
    pub fn lock_year(conn: &mut DbConn, year: i32) -> QueryResult<()> {
        // The first key keeps these locks apart from any other advisory lock.
        const EVALUATION_START: i32 = 32;
        if let DbConn::Postgres(c) = conn {
            diesel::sql_query("SELECT pg_advisory_xact_lock($1, $2)")
                .bind::<diesel::sql_types::Integer, _>(EVALUATION_START)
                .bind::<diesel::sql_types::Integer, _>(year)
                .execute(c)?;
        }
        Ok(())
    }

    /// Inserts the row.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(evaluations::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// Sets the status (and nothing else), whatever it was: for set-ups (benches, demos) only;
    /// use cases go through [`Evaluation::change`].
    pub fn set_status(conn: &mut DbConn, id: &str, status: EvaluationStatus) -> QueryResult<usize> {
        diesel::update(evaluations::table.filter(evaluations::id.eq(id)))
            .set(evaluations::status.eq(status.as_str()))
            .execute(conn)
    }

    /// Writes a change to an evaluation still in status `from`; the rows changed (0 when its
    /// status is no longer `from`).
    pub fn change(
        conn: &mut DbConn,
        id: &str,
        from: EvaluationStatus,
        change: &EvaluationChange,
    ) -> QueryResult<usize> {
        diesel::update(
            evaluations::table
                .filter(evaluations::id.eq(id))
                .filter(evaluations::status.eq(from.as_str())),
        )
        .set(change)
        .execute(conn)
    }
}

impl ResultRow {
    /// A page of results in ranking order, with the total.
    pub fn page(
        conn: &mut DbConn,
        evaluation_id: &str,
        filter: &ResultFilter,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<ResultRow>, i64)> {
        let query = || {
            let mut q = evaluation_results::table
                .filter(evaluation_results::evaluation_id.eq(evaluation_id.to_string()))
                .into_boxed();
            if let Some(c) = &filter.category {
                q = q.filter(evaluation_results::category.eq(c.clone()));
            }
            if let Some(p) = &filter.province {
                q = q.filter(evaluation_results::province.eq(p.clone()));
            }
            if let Some(g) = &filter.grade {
                q = q.filter(evaluation_results::grade.eq(g.clone()));
            }
            if let Some(l) = filter.warning_level {
                q = q.filter(evaluation_results::warning_level.eq(l));
            }
            if let Some(b) = filter.borderline {
                q = q.filter(evaluation_results::borderline.eq(i32::from(b)));
            }
            if let Some(id) = &filter.body_id {
                q = q.filter(evaluation_results::body_id.eq(id.clone()));
            }
            q
        };
        let total = query().count().get_result(conn)?;
        let items = query()
            .order(evaluation_results::position.asc())
            .offset(offset)
            .limit(limit)
            .select(ResultRow::as_select())
            .load(conn)?;
        Ok((items, total))
    }

    /// One body's result.
    pub fn of_body(
        conn: &mut DbConn,
        evaluation_id: &str,
        body_id: &str,
    ) -> QueryResult<Option<ResultRow>> {
        evaluation_results::table
            .filter(evaluation_results::evaluation_id.eq(evaluation_id))
            .filter(evaluation_results::body_id.eq(body_id))
            .select(ResultRow::as_select())
            .first(conn)
            .optional()
    }

    /// A body's results across years, latest year first, of the evaluations in these states:
    /// each with its evaluation, in one query.
    pub fn history_of_body(
        conn: &mut DbConn,
        body_id: &str,
        statuses: &[EvaluationStatus],
    ) -> QueryResult<Vec<(Evaluation, ResultRow)>> {
        evaluation_results::table
            .inner_join(
                evaluations::table.on(evaluations::id.eq(evaluation_results::evaluation_id)),
            )
            .filter(evaluation_results::body_id.eq(body_id))
            .filter(evaluations::status.eq_any(codes(statuses)))
            .order((evaluations::year.desc(), evaluations::started_at.desc()))
            .select((Evaluation::as_select(), ResultRow::as_select()))
            .load(conn)
    }

    /// Every total of an evaluation, by body (next year's previous totals).
    pub fn totals(
        conn: &mut DbConn,
        evaluation_id: &str,
    ) -> QueryResult<Vec<(String, Option<f64>)>> {
        evaluation_results::table
            .filter(evaluation_results::evaluation_id.eq(evaluation_id))
            .select((evaluation_results::body_id, evaluation_results::total))
            .load(conn)
    }

    /// Inserts many rows, in chunks both backends accept.
    pub fn insert_all(conn: &mut DbConn, rows: &[ResultRow]) -> QueryResult<()> {
        // The multi-backend connection has no batch insert; each backend's own has. 15 columns
        // × 500 rows stays under SQLite's 32,766 bound parameters.
        for chunk in rows.chunks(500) {
            let insert = diesel::insert_into(evaluation_results::table).values(chunk);
            match conn {
                DbConn::Sqlite(c) => insert.execute(c)?,
                DbConn::Postgres(c) => insert.execute(c)?,
            };
        }
        Ok(())
    }
}

impl Objection {
    /// The objection with this id.
    pub fn by_id(conn: &mut DbConn, id: &str) -> QueryResult<Option<Objection>> {
        objections::table
            .filter(objections::id.eq(id))
            .select(Objection::as_select())
            .first(conn)
            .optional()
    }

    /// An evaluation's objections (of one body, when given), oldest first.
    pub fn of_evaluation(
        conn: &mut DbConn,
        evaluation_id: &str,
        body_id: Option<&str>,
    ) -> QueryResult<Vec<Objection>> {
        let mut q = objections::table
            .filter(objections::evaluation_id.eq(evaluation_id))
            .into_boxed();
        if let Some(b) = body_id {
            q = q.filter(objections::body_id.eq(b.to_string()));
        }
        q.order(objections::filed_at.asc())
            .select(Objection::as_select())
            .load(conn)
    }

    /// How many of an evaluation's objections await an answer.
    pub fn open_count(conn: &mut DbConn, evaluation_id: &str) -> QueryResult<i64> {
        objections::table
            .filter(objections::evaluation_id.eq(evaluation_id))
            .filter(objections::status.eq(ObjectionStatus::Open.as_str()))
            .count()
            .get_result(conn)
    }

    /// Records the answer to an objection still in status `from`; the rows changed (0 when
    /// it was answered meanwhile).
    pub fn answer(
        conn: &mut DbConn,
        id: &str,
        from: ObjectionStatus,
        to: ObjectionStatus,
        answer: &str,
        by: &str,
        at: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(
            objections::table
                .filter(objections::id.eq(id))
                .filter(objections::status.eq(from.as_str())),
        )
        .set((
            objections::status.eq(to.as_str()),
            objections::answer.eq(answer),
            objections::answered_by.eq(by),
            objections::answered_at.eq(at),
        ))
        .execute(conn)
    }

    /// Inserts the row.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(objections::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }
}
