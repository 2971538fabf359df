//! `pubeval score`: scores bodies from JSONL files and prints the result.

use std::cell::Cell;
use std::io::Write;
use std::sync::Arc;

use anyhow::Context;
use pubeval_scoring::{Engine, Options, Scheme, ScoreInput, Step};

use super::error::{CliError, LineProblem};
use super::input::{self, InputFiles};
use super::{OutputFormat, ScoreArgs, table};

/// Runs `pubeval score`. Everything is computed before anything is printed, so a failure never
/// leaves a partial result on standard output.
pub fn run(args: &ScoreArgs) -> Result<(), CliError> {
    let scheme = Arc::new(load_scheme(args)?);
    let files = InputFiles {
        bodies: &args.bodies,
        submissions: &args.submissions,
        incidents: args.incidents.as_ref(),
        previous: args.previous.as_ref(),
    };
    let inputs = input::read(&scheme, &files).map_err(CliError::Input)?;
    if pubeval_scoring::incident::year_bounds(args.year).is_none()
        || !(1900..=9999).contains(&args.year)
    {
        return Err(anyhow::anyhow!("评价年度 {} 无效 / invalid year", args.year).into());
    }
    if args.uncertainty == Some(0) {
        return Err(anyhow::anyhow!("--uncertainty 至少为 1 / must be at least 1").into());
    }
    let engine = Engine::new(scheme.clone());
    let score_input = ScoreInput {
        year: args.year,
        bodies: &inputs.bodies,
        incidents: &inputs.incidents,
    };
    let options = Options {
        explain: args.explain,
        draws: args.uncertainty.unwrap_or(0),
        seed: args.seed.unwrap_or(args.year as u64),
    };
    // The step under way when the engine fails names what failed.
    let step = Cell::new(Step::Scoring);
    let results = engine
        .evaluate_observed(&score_input, &options, &|s| step.set(s))
        .with_context(|| failed(step.get()))?;

    let mut out = Vec::with_capacity(results.len() * 512);
    match args.format {
        OutputFormat::Jsonl => {
            for r in &results {
                serde_json::to_writer(&mut out, r).context("serialising a result")?;
                out.push(b'\n');
            }
        }
        OutputFormat::Table => {
            out.extend_from_slice(table::ranking(&scheme, args.year, &results).as_bytes());
        }
    }
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    lock.write_all(&out).context("writing the result")?;
    lock.flush().context("writing the result")?;
    Ok(())
}

/// What the CLI says when the engine fails during `step`.
fn failed(step: Step) -> &'static str {
    match step {
        Step::Scoring => "评分失败 / scoring failed",
        Step::Results => "读取结果失败 / reading results failed",
        Step::Uncertainty => "不确定性分析失败 / uncertainty analysis failed",
    }
}

fn load_scheme(args: &ScoreArgs) -> Result<Scheme, CliError> {
    let Some(path) = &args.scheme else {
        return Ok(Scheme::default_scheme());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("无法读取方案文件 / cannot read {}", path.display()))?;
    Scheme::from_json(&text).map_err(|e| {
        CliError::Input(
            e.problems()
                .into_iter()
                .map(|problem| LineProblem {
                    file: path.clone(),
                    line: 0,
                    problem,
                })
                .collect(),
        )
    })
}
