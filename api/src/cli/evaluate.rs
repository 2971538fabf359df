//! `pubeval evaluate`: an evaluation in the foreground, with a progress bar.

use anyhow::anyhow;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::admin::{ConfigArgs, open_database};
use super::error::CliError;
use crate::db::models::evaluation::Evaluation;
use crate::domain::Ctx;
use crate::domain::evaluations::{self, DEFAULT_DRAWS};
use crate::evaluation::{self, Stage};

/// Arguments of `pubeval evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Evaluation year.
    #[arg(long)]
    pub year: i32,
    /// Draws of the uncertainty analysis (0 skips it).
    #[arg(long, default_value_t = DEFAULT_DRAWS)]
    pub draws: u32,
    /// Seed of the analysis (default: the year).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Configuration.
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Runs `pubeval evaluate`: the same work as `POST /api/v1/evaluations`, in the foreground.
pub fn run(args: &EvaluateArgs) -> Result<(), CliError> {
    let pool = open_database(&args.config)?;
    let mut conn = pool
        .get()
        .map_err(|e| anyhow!(crate::db::DbError::from(e)))?;
    let seed = args.seed.unwrap_or(args.year.max(0) as u64);
    let ctx = Ctx::system("system:cli");
    let started = evaluations::start(&mut conn, &ctx, args.year, args.draws, seed)
        .map_err(|e| anyhow!("{e}"))?;
    drop(conn);
    let bar = ProgressBar::new(4);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(format!("{} 年度评价", args.year));
    let stages = [
        Stage::Loading,
        Stage::Scoring,
        Stage::Uncertainty,
        Stage::Storing,
        Stage::Done,
    ];
    // The run's own entries are the platform's, as when the server runs it.
    evaluation::execute(&pool, &Ctx::system("system"), &started.id, &|stage| {
        let position = stages.iter().position(|s| *s == stage).unwrap_or(0) as u64;
        bar.set_position(position);
        bar.set_message(stage.label());
    })
    .map_err(|e| anyhow!("评价失败 / the evaluation failed: {e}"))?;
    bar.finish_with_message("完成");
    let mut conn = pool
        .get()
        .map_err(|e| anyhow!(crate::db::DbError::from(e)))?;
    let done = Evaluation::by_id(&mut conn, &started.id)
        .map_err(|e| anyhow!(e))?
        .ok_or_else(|| anyhow!("evaluation vanished"))?;
    let summary: serde_json::Value = done
        .summary
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    println!(
        "{}",
        serde_json::json!({"id": done.id, "year": done.year, "status": done.status, "input_digest": done.input_digest, "summary": summary})
    );
    Ok(())
}
