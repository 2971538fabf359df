//! `pubeval report`: an evaluation's ranking and charts written to files.

use std::path::PathBuf;

use anyhow::{Context, anyhow};
use clap::{Args, Subcommand};
use pubeval_reports::RankingFormat;
use pubeval_reports::charts::ChartName;

use super::admin::{ConfigArgs, open_database};
use super::error::CliError;
use crate::db::models::evaluation::ResultFilter;
use crate::routes::reports::{draw, load_evaluation, render_ranking};

/// Arguments of `pubeval report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// What to render.
    #[command(subcommand)]
    pub what: ReportKind,
    /// Configuration.
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Reports.
#[derive(Debug, Subcommand)]
pub enum ReportKind {
    /// The ranking, as json, csv, xlsx or html.
    Ranking {
        /// Evaluation id.
        #[arg(long)]
        evaluation: String,
        /// Format.
        #[arg(long, default_value = "xlsx")]
        format: String,
        /// Output file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Every chart of the evaluation as SVG files in a directory (a body's charts with --body).
    Charts {
        /// Evaluation id.
        #[arg(long)]
        evaluation: String,
        /// The body for the per-body charts.
        #[arg(long)]
        body: Option<String>,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs `pubeval report`.
pub fn run(args: &ReportArgs) -> Result<(), CliError> {
    let pool = open_database(&args.config)?;
    let mut conn = pool
        .get()
        .map_err(|e| anyhow!(crate::db::DbError::from(e)))?;
    match &args.what {
        ReportKind::Ranking {
            evaluation,
            format,
            out,
        } => {
            let format: RankingFormat = format.parse().map_err(|e: String| anyhow!(e))?;
            let (evaluation, scheme) =
                load_evaluation(&mut conn, evaluation).map_err(|e| anyhow!("{e}"))?;
            let bytes = render_ranking(
                &mut conn,
                &evaluation,
                &scheme,
                &ResultFilter::default(),
                format,
            )
            .map_err(|e| anyhow!("{e}"))?;
            std::fs::write(out, bytes).with_context(|| format!("writing {}", out.display()))?;
            println!("{}", out.display());
        }
        ReportKind::Charts {
            evaluation,
            body,
            out,
        } => {
            let (evaluation, scheme) =
                load_evaluation(&mut conn, evaluation).map_err(|e| anyhow!("{e}"))?;
            std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
            for name in ChartName::ALL {
                if name.needs_body() && body.is_none() {
                    continue;
                }
                let svg = draw(&mut conn, &evaluation, &scheme, name, body.as_deref())
                    .map_err(|e| anyhow!("{name}: {e}"))?;
                let file = out.join(format!("{}.svg", name.as_str()));
                std::fs::write(&file, svg)
                    .with_context(|| format!("writing {}", file.display()))?;
                println!("{}", file.display());
            }
        }
    }
    Ok(())
}
