//! Evaluations (Article 32): a run of a year's inputs through the scheme (started here, run in
//! the background by the evaluation service), read by whoever may see it, put to public notice
//! (公示), made final, and — explicitly, with a written reason — superseded. Objections are in
//! `domain::objections`. Runs are handed to a [`Runs`] (the application's queue), so that the
//! domain does not depend on how they are run.

mod history;
pub mod inputs;
mod lifecycle;
pub mod pages;
mod run;
mod shown;

pub use history::{HistoryEntry, history};
pub use lifecycle::{DEFAULT_OBJECTION_DAYS, finalize, publish, supersede};
pub use pages::RankingPages;
pub use run::{
    DEFAULT_DRAWS, Finished, INTERRUPTED_BY_RESTART, MAX_DRAWS, RunRequest, Runs,
    STALE_AFTER_MINUTES, fail, fail_interrupted, finish, run, start,
};
pub use shown::WarningLens;

use crate::db::DbConn;
use crate::db::models::evaluation::{Evaluation, ResultFilter, ResultRow};
use crate::domain::actors::ActorNames;
use crate::domain::policy::ResultWarnings;
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
    let (items, total) = Evaluation::page(conn, year, states.as_deref(), offset, limit)?;
    let mut names = ActorNames::new(viewer);
    let items = items
        .into_iter()
        .map(|e| shown::evaluation_seen(conn, ctx, &mut names, e))
        .collect::<Result<_>>()?;
    Ok((items, total))
}

/// One evaluation with its summary (who started it named by role for anyone but staff).
pub fn get(conn: &mut DbConn, ctx: &Ctx, id: &str) -> Result<Evaluation> {
    let e = visible(conn, ctx, id)?;
    shown::evaluation_seen(conn, ctx, &mut ActorNames::new(ctx.viewer()), e)
}

/// Whether the results the caller reads carry warning levels at all: not for a client
/// without `warnings:read` (DESIGN.md §4), whose answers leave the field out.
pub fn warning_levels_shown(ctx: &Ctx) -> bool {
    ctx.viewer().result_warnings() != ResultWarnings::None
}

/// A page of the ranking in rank order, filtered; a body user sees its own row only. Each
/// row's warning level is as the caller may see it ([`WarningLens`]); the rows carry no stored
/// result (`result` is empty: read one with [`result`]). Only staff filter by warning level
/// (403 otherwise). Pages of finished evaluations are kept in `pages` and read from there.
pub fn results(
    conn: &mut DbConn,
    ctx: &Ctx,
    pages: &RankingPages,
    id: &str,
    mut filter: ResultFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<ResultRow>, i64)> {
    let viewer = ctx.viewer();
    let e = visible(conn, ctx, id)?;
    with_results(&e)?;
    if filter.warning_level.is_some() {
        viewer.filters_by_warning_level()?;
    }
    if let Some(own) = viewer.restricted_to_body() {
        filter.body_id = Some(own.to_string());
    }
    let key = pages::PageKey::new(&e.id, &filter, offset, limit);
    let page = match pages.get(&key) {
        Some(page) => page,
        None => {
            // A page of a ranking shows no stored result: read without them.
            let (rows, total) = ResultRow::summary_page(conn, &e.id, &filter, offset, limit)?;
            let page = std::sync::Arc::new(pages::StoredPage { rows, total });
            if RankingPages::keeps(status_of(&e)?) {
                pages.put(key, page.clone());
            }
            page
        }
    };
    let lens = WarningLens::of(conn, &viewer, &e.id)?;
    let rows = page
        .rows
        .iter()
        .map(|r| ResultRow {
            warning_level: lens.level(r).unwrap_or(0),
            ..r.clone()
        })
        .collect();
    Ok((rows, page.total))
}

/// [`results`] for staff from the kept pages alone, without the database: staff see every
/// evaluation and every warning level as triggered, and a kept page is of a finished
/// evaluation, whose rows never change. `None` for anyone else, and for a page
/// not kept yet (read it with [`results`]).
pub fn kept_results_for_staff(
    ctx: &Ctx,
    pages: &RankingPages,
    id: &str,
    filter: &ResultFilter,
    offset: i64,
    limit: i64,
) -> Option<(Vec<ResultRow>, i64)> {
    let viewer = ctx.viewer();
    if !viewer.is_staff() || filter.body_id.is_some() {
        return None;
    }
    let page = pages.get(&pages::PageKey::new(id, filter, offset, limit))?;
    Some((page.rows.clone(), page.total))
}

/// One body's stored result (a body user: its own only; any other is 404), its warning as
/// the caller may see it ([`WarningLens`]).
pub fn result(conn: &mut DbConn, ctx: &Ctx, id: &str, body_id: &str) -> Result<ResultRow> {
    let (row, lens) = stored_result(conn, ctx, id, body_id)?;
    lens.apply(row)
}

/// One body's result as the API answers it ([`WarningLens::result_document`]): the stored
/// result with its evaluation, province, borderline flag and — when the caller sees warnings
/// — its warning and level.
pub fn result_document(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: &str,
    body_id: &str,
) -> Result<serde_json::Value> {
    let (row, lens) = stored_result(conn, ctx, id, body_id)?;
    lens.result_document(row)
}

/// One body's stored result as stored, with the caller's lens on its warning.
fn stored_result(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: &str,
    body_id: &str,
) -> Result<(ResultRow, WarningLens)> {
    let viewer = ctx.viewer();
    if viewer
        .restricted_to_body()
        .is_some_and(|own| own != body_id)
    {
        return Err(Error::not_found(Noun::Result));
    }
    let e = visible(conn, ctx, id)?;
    with_results(&e)?;
    let row =
        ResultRow::of_body(conn, &e.id, body_id)?.ok_or_else(|| Error::not_found(Noun::Result))?;
    Ok((row, WarningLens::of(conn, &viewer, &e.id)?))
}
