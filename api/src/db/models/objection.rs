//! Objections (异议) to an evaluation in public notice: the rows, the queries of one
//! evaluation, and the staff's list of every evaluation's.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{evaluation_results, evaluations, objections};
use crate::states::{ObjectionStatus, TextEnum};

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

impl Objection {
    /// A page of the objections of every evaluation, with the total: the open ones oldest
    /// first (`open = Some(true)`), the answered ones latest answer first (`Some(false)`),
    /// or all, latest filed first.
    pub fn page_all(
        conn: &mut DbConn,
        open: Option<bool>,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<Objection>, i64)> {
        let query = || {
            let mut q = objections::table.into_boxed();
            match open {
                Some(true) => q = q.filter(objections::status.eq(ObjectionStatus::Open.as_str())),
                Some(false) => q = q.filter(objections::status.ne(ObjectionStatus::Open.as_str())),
                None => {}
            }
            q
        };
        let total = query().count().get_result(conn)?;
        let ordered = match open {
            Some(true) => query().order((objections::filed_at.asc(), objections::id.asc())),
            Some(false) => query().order((objections::answered_at.desc(), objections::id.asc())),
            None => query().order((objections::filed_at.desc(), objections::id.asc())),
        };
        let items = ordered
            .offset(offset)
            .limit(limit)
            .select(Objection::as_select())
            .load(conn)?;
        Ok((items, total))
    }

    /// The year of the objection's evaluation, and the body's name and approval number as
    /// its result records them.
    pub fn context(&self, conn: &mut DbConn) -> QueryResult<Option<(i32, String, String)>> {
        let year: Option<i32> = evaluations::table
            .filter(evaluations::id.eq(&self.evaluation_id))
            .select(evaluations::year)
            .first(conn)
            .optional()?;
        let names: Option<(String, String)> = evaluation_results::table
            .filter(evaluation_results::evaluation_id.eq(&self.evaluation_id))
            .filter(evaluation_results::body_id.eq(&self.body_id))
            .select((evaluation_results::name, evaluation_results::approval_no))
            .first(conn)
            .optional()?;
        Ok(year
            .zip(names)
            .map(|(year, (name, approval))| (year, name, approval)))
    }
}
