//! A body's results across years.

use super::shown::{WarningLens, evaluation_seen};
use super::status_of;
use crate::db::DbConn;
use crate::db::models::evaluation::{Evaluation, ResultRow};
use crate::domain::actors::ActorNames;
use crate::domain::states::EvaluationStatus;
use crate::domain::{Ctx, Error, Noun, Result};

/// One year of a body's history.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    /// The evaluation (final, or in public notice for the year under way).
    pub evaluation: Evaluation,
    /// Its state.
    pub status: EvaluationStatus,
    /// The body's result in it.
    pub result: ResultRow,
}

/// A body's results in the final evaluations and the one in public notice that the caller
/// may see, latest year first (a body user: its own body only, any other is 404), each
/// year's warning as the caller may see it.
pub fn history(conn: &mut DbConn, ctx: &Ctx, body_id: &str) -> Result<Vec<HistoryEntry>> {
    let viewer = ctx.viewer();
    viewer.results_reader()?;
    if viewer
        .restricted_to_body()
        .is_some_and(|own| own != body_id)
    {
        return Err(Error::not_found(Noun::Body));
    }
    // Drafts are internal even to staff here: a history shows published years only.
    let states: Vec<EvaluationStatus> = [EvaluationStatus::Final, EvaluationStatus::PublicNotice]
        .into_iter()
        .filter(|s| viewer.sees_evaluation(*s))
        .collect();
    let mut names = ActorNames::new(viewer.clone());
    ResultRow::history_of_body(conn, body_id, &states)?
        .into_iter()
        .map(|(evaluation, result)| {
            // Each year's warning as the caller may see it, as in that year's ranking.
            let result = WarningLens::of(conn, &viewer, &evaluation.id)?.apply(result)?;
            Ok(HistoryEntry {
                status: status_of(&evaluation)?,
                evaluation: evaluation_seen(conn, ctx, &mut names, evaluation)?,
                result,
            })
        })
        .collect()
}
