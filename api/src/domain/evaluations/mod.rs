//! Evaluations (Article 32): a run of a year's inputs through the scheme (started here, run in
//! the background by the evaluation service), read by whoever may see it, put to public notice
//! (公示), made final, and — explicitly, with a written reason — superseded. Objections are in
//! `domain::objections`. Runs are handed to a [`Runs`] (the application's queue), so that the
//! domain does not depend on how they are run.

mod history;
mod lifecycle;
mod run;

pub use history::{HistoryEntry, history};
pub use lifecycle::{DEFAULT_OBJECTION_DAYS, finalize, publish, supersede};
pub use run::{
    DEFAULT_DRAWS, Finished, INTERRUPTED_BY_RESTART, MAX_DRAWS, RunRequest, Runs,
    STALE_AFTER_MINUTES, fail, fail_interrupted, finish, run, start,
};

use crate::db::DbConn;
use crate::db::models::evaluation::{Evaluation, ResultFilter, ResultRow};
use crate::domain::states::EvaluationStatus;
use crate::domain::{Ctx, Error, ErrorCode, Noun, Result, TextEnum};

/// The state of an evaluation row.
pub fn status_of(e: &Evaluation) -> Result<EvaluationStatus> {
    Ok(EvaluationStatus::parse_stored(&e.status)?)
}

/// Checks that an evaluation has results to read: a run still under way is 409
/// `evaluation_running`, a failed one 409 `evaluation_failed` (with why it failed).
pub fn with_results(e: &Evaluation) -> Result<()> {
    match status_of(e)? {
        EvaluationStatus::Running => Err(Error::conflict(
            ErrorCode::EvaluationRunning,
            "评价仍在进行",
            "the evaluation is still running",
        )),
        EvaluationStatus::Failed => {
            let why = e.failure.clone().unwrap_or_default();
            Err(Error::conflict(
                ErrorCode::EvaluationFailed,
                format!("评价失败：{why}"),
                format!("the evaluation failed: {why}"),
            ))
        }
        _ => Ok(()),
    }
}

/// The evaluation with this id, if the caller may see it: a client without `results:read` is
/// refused (403); one the caller may not see is 404, as if it did not exist.
pub fn visible(conn: &mut DbConn, ctx: &Ctx, id: &str) -> Result<Evaluation> {
    let viewer = ctx.viewer();
    viewer.results_reader()?;
    let e = Evaluation::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Evaluation))?;
    if !viewer.sees_evaluation(status_of(&e)?) {
        return Err(Error::not_found(Noun::Evaluation));
    }
    Ok(e)
}

/// The evaluation with this id for staff (who see every state).
fn existing(conn: &mut DbConn, id: &str) -> Result<Evaluation> {
    Evaluation::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Evaluation))
}

/// A page of the evaluations the caller may see, newest first (of one year, when given).
pub fn list(
    conn: &mut DbConn,
    ctx: &Ctx,
    year: Option<i32>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Evaluation>, i64)> {
    let viewer = ctx.viewer();
    viewer.results_reader()?;
    let states = viewer.visible_evaluation_states();
    Ok(Evaluation::page(
        conn,
        year,
        states.as_deref(),
        offset,
        limit,
    )?)
}

/// One evaluation with its summary.
pub fn get(conn: &mut DbConn, ctx: &Ctx, id: &str) -> Result<Evaluation> {
    visible(conn, ctx, id)
}

/// A page of the ranking in rank order, filtered; a body user sees its own row only.
pub fn results(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: &str,
    mut filter: ResultFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<ResultRow>, i64)> {
    let e = visible(conn, ctx, id)?;
    with_results(&e)?;
    if let Some(own) = ctx.viewer().restricted_to_body() {
        filter.body_id = Some(own.to_string());
    }
    Ok(ResultRow::page(conn, &e.id, &filter, offset, limit)?)
}

/// One body's stored result (a body user: its own only; any other is 404).
pub fn result(conn: &mut DbConn, ctx: &Ctx, id: &str, body_id: &str) -> Result<ResultRow> {
    if ctx
        .viewer()
        .restricted_to_body()
        .is_some_and(|own| own != body_id)
    {
        return Err(Error::not_found(Noun::Result));
    }
    let e = visible(conn, ctx, id)?;
    with_results(&e)?;
    ResultRow::of_body(conn, &e.id, body_id)?.ok_or_else(|| Error::not_found(Noun::Result))
}
