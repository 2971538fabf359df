//! Starting a run, and recording how it ended: `draft` (replacing the year's earlier drafts and
//! public notices) or `failed` — also for runs a restart or a crash interrupted.

use chrono::Duration;
use serde_json::json;

use super::{existing, status_of};
use crate::db::models::cycle::Cycle;
use crate::db::models::evaluation::{Evaluation, EvaluationChange};
use crate::db::models::new_id;
use crate::db::{DbConn, write_transaction};
use crate::domain::states::{EvaluationAction, EvaluationStatus};
use crate::domain::{Ctx, Error, ErrorCode, Result, StateMachine, TextEnum, audit};

/// Default draws of the uncertainty analysis (SCHEME.md §6).
pub const DEFAULT_DRAWS: u32 = 1000;

/// The most draws a run may ask for.
pub const MAX_DRAWS: u32 = 100_000;

/// Why a run that was under way when the server (re)started failed.
pub const INTERRUPTED_BY_RESTART: &str = "服务重启，评价中断 / interrupted by restart";

/// A run still `running` after this long was interrupted where no restart of this instance
/// noticed it (another instance on the same database died): 60,000 bodies take well under a
/// minute.
pub const STALE_AFTER_MINUTES: i64 = 60;

/// Where started runs go to be run (the application's evaluation queue).
pub trait Runs {
    /// Takes a started (`running`) evaluation to run; refused when it cannot (the error says
    /// why, and becomes the run's failure).
    fn enqueue(&self, evaluation_id: &str) -> Result<()>;
}

/// A run request.
#[derive(Debug, Clone, Copy)]
pub struct RunRequest {
    /// Evaluation year.
    pub year: i32,
    /// Draws of the uncertainty analysis (default [`DEFAULT_DRAWS`]; 0 skips it).
    pub draws: Option<u32>,
    /// Seed of the analysis (default: the year).
    pub seed: Option<u64>,
}

/// Starts a run of a year and hands it to the queue; the evaluation is `running` until the
/// queue's worker makes it `draft` (or `failed`).
pub fn run(
    conn: &mut DbConn,
    ctx: &Ctx,
    runs: &dyn Runs,
    request: RunRequest,
) -> Result<Evaluation> {
    let draws = request.draws.unwrap_or(DEFAULT_DRAWS);
    if draws > MAX_DRAWS {
        return Err(Error::invalid_field(
            "draws",
            "抽样次数最多 100000",
            "draws must be at most 100000",
        ));
    }
    let seed = request.seed.unwrap_or(request.year.max(0) as u64);
    let evaluation = start(conn, ctx, request.year, draws, seed)?;
    if let Err(refused) = runs.enqueue(&evaluation.id) {
        // The row is committed as running: fail it, or it would block the year.
        fail(conn, ctx, &evaluation.id, &refused.message)?;
        return Err(refused);
    }
    Ok(evaluation)
}

/// Creates a running evaluation of `year` after checking that one may start: the year has a
/// cycle, no final evaluation stands (one must be superseded first, with a reason), and no run
/// of the year is under way (409 `already_running`, naming it).
pub fn start(conn: &mut DbConn, ctx: &Ctx, year: i32, draws: u32, seed: u64) -> Result<Evaluation> {
    write_transaction(conn, |conn| {
        Evaluation::lock_year(conn, year)?;
        let cycle = Cycle::by_year(conn, year)?.ok_or_else(|| {
            Error::conflict(
                ErrorCode::NoCycle,
                format!("{year} 年度尚未设立评价周期"),
                format!("no evaluation cycle for {year}"),
            )
        })?;
        if let Some(f) = Evaluation::final_of_year(conn, year)? {
            return Err(Error::conflict(
                ErrorCode::FinalExists,
                format!(
                    "{year} 年度已有最终评价结果（{}），须先以书面理由撤销后才能重新评价",
                    f.id
                ),
                format!("the {year} evaluation is final; supersede it with a reason first"),
            ));
        }
        fail_stale_runs(conn, ctx, year)?;
        if let Some(running) = Evaluation::open_of_year(conn, year)?
            .into_iter()
            .find(|e| e.status == EvaluationStatus::Running.as_str())
        {
            return Err(Error::conflict(
                ErrorCode::AlreadyRunning,
                format!("{year} 年度的评价正在进行（{}）", running.id),
                format!("an evaluation of {year} is running ({})", running.id),
            ));
        }
        let evaluation = Evaluation {
            id: new_id(),
            year,
            scheme_id: cycle.scheme_id,
            status: EvaluationStatus::Running.as_str().to_string(),
            input_digest: None,
            draws: i32::try_from(draws).map_err(Error::internal)?,
            seed: seed as i64,
            bodies: 0,
            summary: None,
            failure: None,
            created_by: ctx.actor(),
            started_at: ctx.now(),
            finished_at: None,
            published_at: None,
            objection_deadline: None,
            finalized_at: None,
            superseded_by: None,
            superseded_reason: None,
        };
        evaluation.insert(conn)?;
        audit::record(
            conn,
            ctx,
            "evaluation.start",
            "evaluation",
            &evaluation.id,
            json!({"year": year, "draws": draws, "seed": seed}),
        )?;
        Ok(evaluation)
    })
}

/// Marks one run failed with its reason and an audit entry (in the caller's transaction).
fn mark_failed(conn: &mut DbConn, ctx: &Ctx, e: &Evaluation, reason: &str) -> Result<()> {
    let from = status_of(e)?;
    let to = from.apply(EvaluationAction::Fail, "标记为失败")?;
    let change = EvaluationChange {
        failure: Some(reason.to_string()),
        finished_at: Some(ctx.now()),
        ..EvaluationChange::to(to)
    };
    if Evaluation::change(conn, &e.id, from, &change)? == 0 {
        return Err(Error::of(ErrorCode::Conflict));
    }
    // The platform records a failure, whoever's request found it.
    audit::record_system(
        conn,
        ctx,
        "evaluation.fail",
        "evaluation",
        &e.id,
        json!({"reason": reason}),
    )
}

/// The year's runs that stopped without finishing and that no restart noticed (another
/// instance's), failed so that they do not block a new run forever.
fn fail_stale_runs(conn: &mut DbConn, ctx: &Ctx, year: i32) -> Result<()> {
    let cutoff = ctx.now() - Duration::minutes(STALE_AFTER_MINUTES);
    for e in Evaluation::running_since(conn, year, cutoff)? {
        mark_failed(
            conn,
            ctx,
            &e,
            "运行中断（超过 60 分钟未完成，多为服务重启所致）/ interrupted: not finished within 60 minutes",
        )?;
    }
    Ok(())
}

/// At start-up: every run still `running` was interrupted by the restart (runs live in this
/// process's queue), so it is failed with [`INTERRUPTED_BY_RESTART`]; the ids failed.
pub fn fail_interrupted(conn: &mut DbConn, ctx: &Ctx) -> Result<Vec<String>> {
    write_transaction(conn, |conn| {
        let mut failed = Vec::new();
        for e in Evaluation::in_states(conn, &[EvaluationStatus::Running])? {
            mark_failed(conn, ctx, &e, INTERRUPTED_BY_RESTART)?;
            failed.push(e.id);
        }
        Ok(failed)
    })
}

/// Records a run that failed, with why. A run no longer `running` (failed meanwhile by a
/// restart elsewhere) is left as it is.
pub fn fail(conn: &mut DbConn, ctx: &Ctx, id: &str, reason: &str) -> Result<()> {
    write_transaction(conn, |conn| {
        let e = existing(conn, id)?;
        if status_of(&e)? != EvaluationStatus::Running {
            return Ok(());
        }
        mark_failed(conn, ctx, &e, reason)
    })
}

/// What a finished run stores besides its rows.
#[derive(Debug, Clone)]
pub struct Finished {
    /// SHA-256 of the inputs.
    pub input_digest: String,
    /// The summary figures.
    pub summary: serde_json::Value,
    /// Bodies evaluated.
    pub bodies: usize,
    /// SHA-256 of the stored result rows ([`crate::domain::audit::results_sha256`]).
    pub results_digest: String,
}

/// Records a finished run as `draft`, inside the transaction that stored its rows; the year's
/// earlier drafts and public notices are superseded by it (they stay readable).
pub fn finish(conn: &mut DbConn, ctx: &Ctx, id: &str, finished: &Finished) -> Result<()> {
    let e = existing(conn, id)?;
    let from = status_of(&e)?;
    let to = from.apply(EvaluationAction::Finish, "完成评价")?;
    let change = EvaluationChange {
        input_digest: Some(finished.input_digest.clone()),
        summary: Some(finished.summary.to_string()),
        bodies: Some(i32::try_from(finished.bodies).map_err(Error::internal)?),
        finished_at: Some(ctx.now()),
        ..EvaluationChange::to(to)
    };
    if Evaluation::change(conn, id, from, &change)? == 0 {
        return Err(Error::of(ErrorCode::Conflict));
    }
    let replaced = [EvaluationStatus::Draft, EvaluationStatus::PublicNotice];
    for older in Evaluation::others_of_year(conn, e.year, id, &replaced)? {
        let from = status_of(&older)?;
        let to = from.apply(EvaluationAction::Replace, "被新的评价取代")?;
        let change = EvaluationChange {
            superseded_by: Some(id.to_string()),
            ..EvaluationChange::to(to)
        };
        Evaluation::change(conn, &older.id, from, &change)?;
        audit::record(
            conn,
            ctx,
            "evaluation.supersede",
            "evaluation",
            &older.id,
            json!({"superseded_by": id}),
        )?;
    }
    audit::record(
        conn,
        ctx,
        "evaluation.draft",
        "evaluation",
        id,
        json!({
            "input_digest": finished.input_digest,
            "bodies": finished.bodies,
            "results_sha256": finished.results_digest,
        }),
    )
}
