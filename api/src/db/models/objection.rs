//! The objections of every evaluation, for the staff's list (the rows themselves and the
//! queries of one evaluation are beside the evaluations, in `evaluation`).

use diesel::prelude::*;

use super::evaluation::Objection;
use crate::db::DbConn;
use crate::db::schema::{evaluation_results, evaluations, objections};
use crate::states::{ObjectionStatus, TextEnum};

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
