//! `pubeval scheme impact`: what a scheme document would change on a past year, as JSON on
//! standard output — the same analysis as `POST /api/v1/schemes/{id}/impact`, for a document
//! not (yet) stored, and recorded nowhere.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, anyhow};
use clap::{Args, Subcommand};
use pubeval_scoring::Scheme;

use super::admin::{ConfigArgs, open_database};
use super::error::{CliError, LineProblem};
use crate::domain::ErrorCode;
use crate::domain::schemes::impact::{ImpactRequest, SchemeRef, analyse};

/// Arguments of `pubeval scheme`.
#[derive(Debug, Args)]
pub struct SchemeArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: SchemeCommand,
}

/// Scheme commands.
#[derive(Debug, Subcommand)]
pub enum SchemeCommand {
    /// 测算方案调整对某一年度评价结果的影响 (score a final year's inputs under a scheme
    /// document and a baseline; JSON on standard output).
    Impact(ImpactArgs),
}

/// Arguments of `pubeval scheme impact`.
#[derive(Debug, Args)]
pub struct ImpactArgs {
    /// The scheme document (JSON, SCHEME.md's format).
    #[arg(long)]
    pub scheme: PathBuf,
    /// The year whose final evaluation's inputs are scored.
    #[arg(long)]
    pub year: i32,
    /// The id of the scheme compared with (default: the scheme of that final evaluation).
    #[arg(long)]
    pub baseline: Option<String>,
    /// Configuration.
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Runs a scheme command.
pub fn run(args: &SchemeArgs) -> Result<(), CliError> {
    match &args.command {
        SchemeCommand::Impact(args) => impact(args),
    }
}

fn impact(args: &ImpactArgs) -> Result<(), CliError> {
    let text = std::fs::read_to_string(&args.scheme)
        .with_context(|| format!("无法读取方案文件 / cannot read {}", args.scheme.display()))?;
    let scheme = Scheme::from_json(&text).map_err(|e| {
        CliError::Input(
            e.problems()
                .into_iter()
                .map(|problem| LineProblem {
                    file: args.scheme.clone(),
                    line: 0,
                    problem,
                })
                .collect(),
        )
    })?;
    let pool = open_database(&args.config)?;
    let mut conn = pool
        .get()
        .map_err(|e| anyhow!(crate::db::DbError::from(e)))?;
    let request = ImpactRequest {
        year: args.year,
        baseline: args.baseline.clone(),
    };
    let analysed = analyse(&mut conn, &scheme, SchemeRef::of(None, &scheme), &request).map_err(
        |e| -> CliError {
            if e.code == ErrorCode::ValidationFailed {
                CliError::Input(
                    e.details
                        .iter()
                        .map(|d| LineProblem {
                            file: args.scheme.clone(),
                            line: 0,
                            problem: pubeval_scoring::Problem::new(
                                d.field.clone(),
                                "invalid",
                                d.problem.clone(),
                                d.problem.clone(),
                            ),
                        })
                        .collect(),
                )
            } else {
                anyhow!("{}", e.message).into()
            }
        },
    )?;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &analysed.report).context("JSON")?;
    writeln!(out).context("stdout")?;
    Ok(())
}
