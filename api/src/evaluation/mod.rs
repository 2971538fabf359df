//! Running an evaluation over the database (Article 32): load the year's inputs, score every
//! body with `pubeval-scoring`, analyse the ranking's robustness, and store one immutable row
//! per body with a digest of the inputs.

mod inputs;

use std::collections::HashMap;
use std::sync::Arc;

use pubeval_scoring::uncertainty::{self, Uncertainty};
use pubeval_scoring::{Engine, ResultOptions, ScoreInput};
use serde_json::json;

pub use inputs::{Inputs, load_inputs};

use crate::db::models::audit;
use crate::db::models::evaluation::{Evaluation, ResultRow};
use crate::db::models::{new_id, now};
use crate::db::schema::evaluations;
use crate::db::{DbConn, DbPool, write_transaction};
use crate::error::ApiError;

/// Default draws of the uncertainty analysis (SCHEME.md §6).
pub const DEFAULT_DRAWS: u32 = 1000;

/// A run still `running` after this long was interrupted (a restart, a crash): 60,000 bodies
/// take well under a minute.
pub const STALE_AFTER_MINUTES: i64 = 60;

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

/// Creates a running evaluation of `year` after checking that one may start: the year has a
/// cycle, no run is under way, and no final evaluation stands (one must be superseded first,
/// with a reason).
pub fn start(
    conn: &mut DbConn,
    year: i32,
    draws: u32,
    seed: u64,
    actor: &str,
) -> Result<Evaluation, ApiError> {
    write_transaction(conn, |conn| {
        let cycle = crate::db::models::cycle::Cycle::by_year(conn, year)?.ok_or_else(|| {
            ApiError::conflict(
                crate::domain::ErrorCode::NoCycle,
                format!("{year} 年度尚未设立评价周期 / no evaluation cycle for {year}"),
            )
        })?;
        if let Some(f) = Evaluation::final_of_year(conn, year)? {
            return Err(ApiError::conflict(
                crate::domain::ErrorCode::FinalExists,
                format!(
                    "{year} 年度已有最终评价结果（{}），须先以书面理由撤销后才能重新评价 / the {year} evaluation is final; supersede it with a reason first",
                    f.id
                ),
            ));
        }
        fail_stale_runs(conn, year)?;
        if Evaluation::open_of_year(conn, year)?
            .iter()
            .any(|e| e.status == "running")
        {
            return Err(ApiError::conflict(
                crate::domain::ErrorCode::AlreadyRunning,
                format!("{year} 年度的评价正在进行 / an evaluation of {year} is running"),
            ));
        }
        let evaluation = Evaluation {
            id: new_id(),
            year,
            scheme_id: cycle.scheme_id,
            status: "running".into(),
            input_digest: None,
            draws: draws as i32,
            seed: seed as i64,
            bodies: 0,
            summary: None,
            failure: None,
            created_by: actor.to_string(),
            started_at: now(),
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
            actor,
            "evaluation.start",
            "evaluation",
            &evaluation.id,
            json!({"year": year, "draws": draws, "seed": seed}),
        )?;
        Ok(evaluation)
    })
}

/// Marks the year's runs that stopped without finishing as failed, so that they do not block
/// a new run forever.
fn fail_stale_runs(conn: &mut DbConn, year: i32) -> diesel::QueryResult<()> {
    use diesel::prelude::*;
    let cutoff = now() - chrono::Duration::minutes(STALE_AFTER_MINUTES);
    let stale: Vec<String> = evaluations::table
        .filter(evaluations::year.eq(year))
        .filter(evaluations::status.eq("running"))
        .filter(evaluations::started_at.lt(cutoff))
        .select(evaluations::id)
        .load(conn)?;
    for id in stale {
        let reason = "运行中断（超过 60 分钟未完成，多为服务重启所致）/ interrupted: not finished within 60 minutes";
        diesel::update(evaluations::table.filter(evaluations::id.eq(&id)))
            .set((
                evaluations::status.eq("failed"),
                evaluations::failure.eq(reason),
                evaluations::finished_at.eq(now()),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            "system",
            "evaluation.fail",
            "evaluation",
            &id,
            json!({"reason": reason}),
        )?;
    }
    Ok(())
}

/// Runs a started evaluation to `draft`, or marks it `failed` with the reason.
pub fn execute(pool: &DbPool, evaluation_id: &str, progress: &dyn Fn(Stage)) -> Result<(), String> {
    let outcome = compute_and_store(pool, evaluation_id, progress);
    if let Err(reason) = &outcome {
        tracing::error!(evaluation = %evaluation_id, %reason, "evaluation failed");
        let marked = pool.get().map_err(|e| e.to_string()).and_then(|mut conn| {
            write_transaction(&mut conn, |conn| -> diesel::QueryResult<()> {
                use diesel::prelude::*;
                diesel::update(evaluations::table.filter(evaluations::id.eq(evaluation_id)))
                    .set((
                        evaluations::status.eq("failed"),
                        evaluations::failure.eq(reason),
                        evaluations::finished_at.eq(now()),
                    ))
                    .execute(conn)?;
                audit::record(
                    conn,
                    "system",
                    "evaluation.fail",
                    "evaluation",
                    evaluation_id,
                    json!({"reason": reason}),
                )
            })
            .map_err(|e| e.to_string())
        });
        if let Err(e) = marked {
            tracing::error!(evaluation = %evaluation_id, error = %e, "could not mark the evaluation failed");
        }
    }
    outcome
}

fn compute_and_store(
    pool: &DbPool,
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
    let engine = Engine::new(Arc::new(inputs.scheme.clone()));
    let score_input = ScoreInput {
        year: evaluation.year,
        bodies: &inputs.bodies,
        incidents: &inputs.incidents,
    };
    let table = engine.score(&score_input).map_err(|e| e.to_string())?;
    let mut results = engine
        .results(&score_input, &table, ResultOptions { explain: true })
        .map_err(|e| e.to_string())?;

    progress(Stage::Uncertainty);
    if evaluation.draws > 0 {
        let figures = engine
            .uncertainty(&table, evaluation.draws as u32, evaluation.seed as u64)
            .map_err(|e| e.to_string())?;
        let by_body: HashMap<&str, Uncertainty> = inputs
            .bodies
            .iter()
            .zip(figures)
            .filter_map(|(b, u)| u.map(|u| (b.body_id.as_str(), u)))
            .collect();
        uncertainty::attach(&mut results, &by_body);
    }

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
    let summary = inputs.summary(&results, &engine);
    write_transaction(&mut conn, |conn| -> diesel::QueryResult<()> {
        use diesel::prelude::*;
        ResultRow::insert_all(conn, &rows)?;
        let at = now();
        diesel::update(evaluations::table.filter(evaluations::id.eq(&evaluation.id)))
            .set((
                evaluations::status.eq("draft"),
                evaluations::input_digest.eq(&digest),
                evaluations::summary.eq(summary.to_string()),
                evaluations::bodies.eq(rows.len() as i32),
                evaluations::finished_at.eq(at),
            ))
            .execute(conn)?;
        // A new run supersedes the year's earlier drafts and public notices; they stay readable.
        let older: Vec<String> = evaluations::table
            .filter(evaluations::year.eq(evaluation.year))
            .filter(evaluations::id.ne(&evaluation.id))
            .filter(evaluations::status.eq_any(["draft", "public_notice"]))
            .select(evaluations::id)
            .load(conn)?;
        for id in &older {
            diesel::update(evaluations::table.filter(evaluations::id.eq(id)))
                .set((
                    evaluations::status.eq("superseded"),
                    evaluations::superseded_by.eq(&evaluation.id),
                ))
                .execute(conn)?;
            audit::record(
                conn,
                "system",
                "evaluation.supersede",
                "evaluation",
                id,
                json!({"superseded_by": evaluation.id}),
            )?;
        }
        audit::record(
            conn,
            "system",
            "evaluation.draft",
            "evaluation",
            &evaluation.id,
            json!({"input_digest": digest, "bodies": rows.len()}),
        )
    })
    .map_err(|e| format!("保存结果失败 / storing failed: {e}"))?;
    progress(Stage::Done);
    Ok(())
}
