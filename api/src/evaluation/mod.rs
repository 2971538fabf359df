//! Running an evaluation over the database (Article 32): load the year's inputs, score every
//! body with `pubeval-scoring`, analyse the ranking's robustness, and store one immutable row
//! per body with a digest of the inputs.

pub mod queue;

use std::sync::Arc;

use pubeval_scoring::{BodyResult, Engine, Options, ScoreInput, Step};

pub use crate::domain::evaluations::inputs::{Inputs, load_inputs, load_inputs_as_of};

use crate::db::models::evaluation::{Evaluation, ResultRow};
use crate::db::{DbPool, write_transaction};
use crate::domain::{self, Ctx, evaluations};

/// The stages a run reports, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading bodies, reports, incidents and last year's totals.
    Loading,
    /// The engine.
    Scoring,
    /// The uncertainty analysis.
    Uncertainty,
    /// Writing the rows.
    Storing,
    /// Done.
    Done,
}

impl Stage {
    /// The stage in Chinese.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Loading => "读取数据",
            Stage::Scoring => "评分",
            Stage::Uncertainty => "稳健性分析",
            Stage::Storing => "保存结果",
            Stage::Done => "完成",
        }
    }
}

/// Runs a started evaluation to `draft`, or marks it `failed` with the reason; `ctx` is the
/// platform's (`Ctx::system("system")` on the application's clock), whose audit entries the
/// run writes.
pub fn execute(
    pool: &DbPool,
    ctx: &Ctx,
    evaluation_id: &str,
    progress: &dyn Fn(Stage),
) -> Result<(), String> {
    let outcome = compute_and_store(pool, ctx, evaluation_id, progress);
    if let Err(reason) = &outcome {
        tracing::error!(evaluation = %evaluation_id, %reason, "evaluation failed");
        let marked = pool.get().map_err(|e| e.to_string()).and_then(|mut conn| {
            evaluations::fail(&mut conn, ctx, evaluation_id, reason).map_err(|e| e.to_string())
        });
        if let Err(e) = marked {
            tracing::error!(evaluation = %evaluation_id, error = %e, "could not mark the evaluation failed");
        }
    }
    outcome
}

/// Scores every body, explained, and attaches the uncertainty analysis when draws are asked
/// for: the results in ranking order, and the engine (the summary reads its scheme).
fn score(
    inputs: &Inputs,
    evaluation: &Evaluation,
    progress: &dyn Fn(Stage),
) -> Result<(Engine, Vec<BodyResult>), String> {
    let engine = Engine::new(Arc::new(inputs.scheme.clone()));
    let score_input = ScoreInput {
        year: evaluation.year,
        bodies: &inputs.bodies,
        incidents: &inputs.incidents,
    };
    let options = Options {
        explain: true,
        // A stored run with no (or negative) draws skips the analysis.
        draws: u32::try_from(evaluation.draws).unwrap_or(0),
        seed: evaluation.seed as u64,
    };
    let results = engine
        .evaluate_observed(&score_input, &options, &|step| {
            if step == Step::Uncertainty {
                progress(Stage::Uncertainty);
            }
        })
        .map_err(|e| e.to_string())?;
    Ok((engine, results))
}

fn compute_and_store(
    pool: &DbPool,
    ctx: &Ctx,
    evaluation_id: &str,
    progress: &dyn Fn(Stage),
) -> Result<(), String> {
    let mut conn = pool
        .get()
        .map_err(|e| format!("数据库不可用 / database unavailable: {e}"))?;
    let evaluation = Evaluation::by_id(&mut conn, evaluation_id)
        .map_err(|e| e.to_string())?
        .ok_or("评价不存在 / no such evaluation")?;
    progress(Stage::Loading);
    let inputs = load_inputs(&mut conn, &evaluation)
        .map_err(|e| format!("读取数据失败 / loading failed: {e}"))?;
    let digest = inputs.digest();

    progress(Stage::Scoring);
    let (engine, results) = score(&inputs, &evaluation, progress)?;

    progress(Stage::Storing);
    let mut rows = Vec::with_capacity(results.len());
    for (position, r) in results.iter().enumerate() {
        rows.push(ResultRow {
            evaluation_id: evaluation.id.clone(),
            body_id: r.body_id.clone(),
            position: position as i32,
            approval_no: r.approval_no.clone().unwrap_or_default(),
            name: r.name.clone(),
            category: r.category.code().to_string(),
            province: inputs
                .provinces
                .get(&r.body_id)
                .cloned()
                .unwrap_or_default(),
            submitted: i32::from(r.submitted),
            total: r.total,
            grade: r.grade.clone(),
            rank: r.rank.map(|x| x as i32),
            category_rank: r.category_rank.map(|x| x as i32),
            warning_level: i32::from(r.warning_level()),
            borderline: i32::from(r.uncertainty.as_ref().is_some_and(|u| u.borderline)),
            result: serde_json::to_string(r).map_err(|e| e.to_string())?,
        });
    }
    let finished = evaluations::Finished {
        input_digest: digest,
        summary: inputs.summary(&results, &engine),
        bodies: rows.len(),
        results_digest: domain::audit::results_sha256(&rows),
    };
    write_transaction(&mut conn, |conn| -> domain::Result<()> {
        ResultRow::insert_all(conn, &rows)?;
        evaluations::finish(conn, ctx, &evaluation.id, &finished)
    })
    .map_err(|e| format!("保存结果失败 / storing failed: {e}"))?;
    progress(Stage::Done);
    Ok(())
}
