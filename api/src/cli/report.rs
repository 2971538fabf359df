//! `pubeval report`: an evaluation's ranking, charts, notices, letters and annual report
//! written to files; all notices or all letters of an evaluation into one zip.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use pubeval_reports::charts::{ChartName, svg_to_png};
use pubeval_reports::{RankingFormat, Typesetter};

use super::admin::{ConfigArgs, open_database};
use super::bundle::render_zip;
use super::error::CliError;
use crate::db::models::evaluation::ResultFilter;
use crate::documents::Documents;
use crate::domain::documents::bundle::{letter_entry, notice_entry};
use crate::domain::documents::{annual, charts, letter, notice, ranking};
use crate::domain::{Ctx, Error, ErrorCode};

/// Arguments of `pubeval report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// What to render.
    #[command(subcommand)]
    pub what: ReportKind,
    /// Configuration (the database, and `font_path` for PDFs and PNGs).
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// A document's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocumentFormat {
    /// PDF, set by typst (needs a CJK font).
    Pdf,
    /// A printable HTML page.
    Html,
}

/// A chart's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChartFormat {
    /// SVG (needs no font).
    Svg,
    /// PNG at twice the SVG's pixels (needs a CJK font).
    Png,
}

/// Reports.
#[derive(Debug, Subcommand)]
pub enum ReportKind {
    /// The ranking, as json, csv, xlsx or html.
    Ranking {
        /// Evaluation id.
        #[arg(long)]
        evaluation: String,
        /// json, csv, xlsx or html; by default the --out file's extension, else xlsx.
        #[arg(long)]
        format: Option<String>,
        /// Output file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Every chart of the evaluation as files in a directory (a body's charts with --body).
    Charts {
        /// Evaluation id.
        #[arg(long)]
        evaluation: String,
        /// The body for the per-body charts.
        #[arg(long)]
        body: Option<String>,
        /// svg (default) or png.
        #[arg(long, value_enum, default_value_t = ChartFormat::Svg)]
        format: ChartFormat,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
    /// One risk warning notice (--warning), or every issued notice of an evaluation
    /// (--evaluation) into one zip.
    #[command(group(ArgGroup::new("which").required(true).args(["warning", "evaluation"])))]
    Notice {
        /// One warning's id.
        #[arg(long)]
        warning: Option<String>,
        /// Every issued notice of this evaluation.
        #[arg(long)]
        evaluation: Option<String>,
        /// pdf or html; by default the --out file's extension, else pdf.
        #[arg(long, value_enum)]
        format: Option<DocumentFormat>,
        /// Output file (a zip with --evaluation).
        #[arg(long)]
        out: PathBuf,
    },
    /// One body's result letter (--body), or every letter of the evaluation into one zip.
    Letter {
        /// Evaluation id (in public notice or final).
        #[arg(long)]
        evaluation: String,
        /// One body's id; without it, every body's letter.
        #[arg(long)]
        body: Option<String>,
        /// pdf or html; by default the --out file's extension, else pdf.
        #[arg(long, value_enum)]
        format: Option<DocumentFormat>,
        /// Output file (a zip without --body).
        #[arg(long)]
        out: PathBuf,
    },
    /// The annual evaluation report (年度宣传工作评价报告).
    Annual {
        /// Evaluation id.
        #[arg(long)]
        evaluation: String,
        /// pdf or html; by default the --out file's extension, else pdf.
        #[arg(long, value_enum)]
        format: Option<DocumentFormat>,
        /// Output file.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs `pubeval report`.
pub fn run(args: &ReportArgs) -> Result<(), CliError> {
    let config = args.config.load(None)?;
    let pool = open_database(&args.config)?;
    let mut conn = pool
        .get()
        .map_err(|e| anyhow!(crate::db::DbError::from(e)))?;
    let documents = Documents::from_config(&config);
    let ctx = Ctx::system("system:cli");
    // The typesetter only when the format needs it, so that HTML and SVG work without fonts.
    let typesetter = |needed: bool| -> Result<Option<Typesetter>, CliError> {
        if needed {
            Ok(Some(documents.typesetter().map_err(|e| anyhow!(e))?))
        } else {
            Ok(None)
        }
    };
    match &args.what {
        ReportKind::Ranking {
            evaluation,
            format,
            out,
        } => {
            let format: RankingFormat = match format {
                Some(f) => f.parse().map_err(|e: String| anyhow!(e))?,
                None => extension(out)
                    .and_then(|e| e.parse().ok())
                    .unwrap_or(RankingFormat::Xlsx),
            };
            let document = ranking::export(
                &mut conn,
                &ctx,
                evaluation,
                &ResultFilter::default(),
                format,
            )
            .map_err(domain)?;
            write(out, &document.bytes)?;
        }
        ReportKind::Charts {
            evaluation,
            body,
            format,
            out,
        } => {
            let typesetter = typesetter(*format == ChartFormat::Png)?;
            // The evaluation is checked once, before any file is written.
            charts::draw(
                &mut conn,
                &ctx,
                evaluation,
                ChartName::GradeDistribution,
                None,
            )
            .map_err(domain)?;
            std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
            for name in ChartName::ALL {
                if name.needs_body() && body.is_none() {
                    continue;
                }
                let svg = charts::draw(&mut conn, &ctx, evaluation, name, body.as_deref())
                    .map_err(|e| anyhow!("{name}: {e}"))?
                    .svg;
                match &typesetter {
                    Some(t) => {
                        let png = svg_to_png(&svg, t.fonts()).map_err(|e| anyhow!(e))?;
                        write(&out.join(format!("{}.png", name.as_str())), &png)?;
                    }
                    None => write(&out.join(format!("{}.svg", name.as_str())), svg.as_bytes())?,
                }
            }
        }
        ReportKind::Notice {
            warning,
            evaluation,
            format,
            out,
        } => {
            let format = &document_format(*format, out);
            let typesetter = typesetter(*format == DocumentFormat::Pdf)?;
            let notices = match (warning, evaluation) {
                (Some(id), _) => {
                    vec![
                        notice::readable(&mut conn, &ctx, id).map_err(|e| match e.code {
                            ErrorCode::NotFound => {
                                anyhow!("没有已签发的风险警示 / no issued warning {id}").into()
                            }
                            _ => domain(e),
                        })?,
                    ]
                }
                (None, Some(id)) => {
                    let issued = notice::of_evaluation(&mut conn, &ctx, id).map_err(|e| match e
                        .code
                    {
                        ErrorCode::NotFound => anyhow!("没有该评价 / no evaluation {id}").into(),
                        _ => domain(e),
                    })?;
                    if issued.is_empty() {
                        return Err(anyhow!(
                            "该评价没有已签发的风险警示通知书 / the evaluation has no issued notice"
                        )
                        .into());
                    }
                    issued
                }
                (None, None) => return Err(anyhow!("--warning or --evaluation").into()),
            };
            let render = |i: usize| notice_entry(&notices[i], typesetter.as_ref());
            if warning.is_some() {
                write(out, &render(0).map_err(domain)?.1)?;
            } else {
                render_zip(out, notices.len(), "风险警示通知书", render)?;
                println!("{} ({} 份 / notices)", out.display(), notices.len());
            }
        }
        ReportKind::Letter {
            evaluation,
            body,
            format,
            out,
        } => {
            let format = &document_format(*format, out);
            let typesetter = typesetter(*format == DocumentFormat::Pdf)?;
            let batch = letter::batch(&mut conn, &ctx, evaluation).map_err(|e| match e.code {
                ErrorCode::NotFound => anyhow!("没有该评价 / no evaluation {evaluation}").into(),
                _ => domain(e),
            })?;
            let render = |i: usize| letter_entry(&batch, i, typesetter.as_ref());
            match body {
                Some(body) => {
                    let i = batch
                        .position(body)
                        .ok_or_else(|| anyhow!("该机构没有评价结果 / no result for body {body}"))?;
                    write(out, &render(i).map_err(domain)?.1)?;
                }
                None => {
                    render_zip(out, batch.cohort.len(), "评价结果告知书", render)?;
                    println!("{} ({} 份 / letters)", out.display(), batch.cohort.len());
                }
            }
        }
        ReportKind::Annual {
            evaluation,
            format,
            out,
        } => {
            let format = &document_format(*format, out);
            let typesetter = typesetter(*format == DocumentFormat::Pdf)?;
            let inputs = annual::load(&mut conn, &ctx, evaluation).map_err(domain)?;
            let document = match &typesetter {
                Some(t) => inputs.pdf(t),
                None => inputs.html(),
            }
            .map_err(domain)?;
            write(out, &document.bytes)?;
        }
    }
    Ok(())
}

/// The extension of a path, lower-cased.
fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// The format asked for, else the one the output file's name says (`.html`), else PDF.
fn document_format(asked: Option<DocumentFormat>, out: &Path) -> DocumentFormat {
    asked.unwrap_or(match extension(out).as_deref() {
        Some("html" | "htm") => DocumentFormat::Html,
        _ => DocumentFormat::Pdf,
    })
}

fn domain(e: Error) -> CliError {
    anyhow!("{e}").into()
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
    println!("{}", path.display());
    Ok(())
}
