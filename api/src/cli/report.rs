//! `pubeval report`: an evaluation's ranking, charts, notices, letters and annual report
//! written to files; all notices or all letters of an evaluation into one zip.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use pubeval_reports::charts::{ChartName, svg_to_png};
use pubeval_reports::documents::{
    annual_html, annual_pdf, letter_html, letter_pdf, notice_html, notice_pdf,
};
use pubeval_reports::{RankingFormat, Typesetter};

use super::admin::{ConfigArgs, open_database};
use super::bundle::render_zip;
use super::error::CliError;
use crate::db::DbConn;
use crate::db::models::evaluation::{Evaluation, ResultFilter};
use crate::db::models::warning::{PUBLISHED, WarningRow};
use crate::documents::Documents;
use crate::routes::annual::AnnualInputs;
use crate::routes::notices::{LetterBatch, notice_data, notice_file_name};
use crate::routes::reports::{draw, load_evaluation, render_ranking};

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

impl DocumentFormat {
    fn extension(self) -> &'static str {
        match self {
            DocumentFormat::Pdf => "pdf",
            DocumentFormat::Html => "html",
        }
    }
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
            let (evaluation, scheme) = load_evaluation(&mut conn, evaluation).map_err(api)?;
            let bytes = render_ranking(
                &mut conn,
                &evaluation,
                &scheme,
                &ResultFilter::default(),
                format,
            )
            .map_err(api)?;
            write(out, &bytes)?;
        }
        ReportKind::Charts {
            evaluation,
            body,
            format,
            out,
        } => {
            let typesetter = typesetter(*format == ChartFormat::Png)?;
            let (evaluation, scheme) = load_evaluation(&mut conn, evaluation).map_err(api)?;
            std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
            for name in ChartName::ALL {
                if name.needs_body() && body.is_none() {
                    continue;
                }
                let svg = draw(&mut conn, &evaluation, &scheme, name, body.as_deref())
                    .map_err(|e| anyhow!("{name}: {e}"))?;
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
            let warnings = match (warning, evaluation) {
                (Some(id), _) => vec![
                    WarningRow::by_id(&mut conn, id)
                        .map_err(|e| anyhow!(e))?
                        .filter(|w| PUBLISHED.contains(&w.status.as_str()))
                        .ok_or_else(|| anyhow!("没有已签发的风险警示 / no issued warning {id}"))?,
                ],
                (None, Some(id)) => {
                    let issued = published_of(&mut conn, id)?;
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
            let notices = warnings
                .iter()
                .map(|w| notice_data(&mut conn, w).map_err(api))
                .collect::<Result<Vec<_>, CliError>>()?;
            let render = |i: usize| -> Result<(String, Vec<u8>), String> {
                let data = &notices[i];
                let bytes = match &typesetter {
                    Some(t) => notice_pdf(data, t),
                    None => notice_html(data).map(String::into_bytes),
                }
                .map_err(|e| format!("{}: {e}", data.notice_no))?;
                Ok((notice_file_name(&data.notice_no, format.extension()), bytes))
            };
            if warning.is_some() {
                write(out, &render(0).map_err(|e| anyhow!(e))?.1)?;
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
            let evaluation = evaluation_by_id(&mut conn, evaluation)?;
            let batch = LetterBatch::load(&mut conn, &evaluation).map_err(api)?;
            let render = |i: usize| -> Result<(String, Vec<u8>), String> {
                let data = batch.letter(i);
                let bytes = match &typesetter {
                    Some(t) => letter_pdf(&data, t),
                    None => letter_html(&data).map(String::into_bytes),
                }
                .map_err(|e| format!("{}: {e}", data.result.name))?;
                // Names may repeat; approval numbers do not.
                let approval = data
                    .result
                    .approval_no
                    .as_deref()
                    .unwrap_or(&data.result.body_id);
                Ok((
                    format!("{approval}_{}", batch.file_name(i, format.extension())),
                    bytes,
                ))
            };
            match body {
                Some(body) => {
                    let i = batch
                        .position(body)
                        .ok_or_else(|| anyhow!("该机构没有评价结果 / no result for body {body}"))?;
                    write(out, &render(i).map_err(|e| anyhow!(e))?.1)?;
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
            let (evaluation, scheme) = load_evaluation(&mut conn, evaluation).map_err(api)?;
            let inputs = AnnualInputs::load(&mut conn, &evaluation, scheme).map_err(api)?;
            let bytes = match &typesetter {
                Some(t) => annual_pdf(&inputs.data(), t),
                None => annual_html(&inputs.data()).map(String::into_bytes),
            }
            .map_err(|e| anyhow!(e))?;
            write(out, &bytes)?;
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

fn api(e: crate::error::ApiError) -> CliError {
    anyhow!("{e}").into()
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
    println!("{}", path.display());
    Ok(())
}

fn evaluation_by_id(conn: &mut DbConn, id: &str) -> Result<Evaluation, CliError> {
    Evaluation::by_id(conn, id)
        .map_err(|e| anyhow!(e))?
        .ok_or_else(|| anyhow!("没有该评价 / no evaluation {id}").into())
}

fn published_of(conn: &mut DbConn, evaluation: &str) -> Result<Vec<WarningRow>, CliError> {
    let evaluation = evaluation_by_id(conn, evaluation)?;
    Ok(WarningRow::published_of_evaluation(conn, &evaluation.id).map_err(|e| anyhow!(e))?)
}
