//! `pubeval import reports|incidents --year Y FILE [--dry-run]`: the API's bulk import from the
//! command line, with a progress bar, printing the same summary (DHIS2's) as JSON.

use std::path::PathBuf;

use anyhow::{Context, anyhow};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use super::admin::{ConfigArgs, open_database};
use super::error::CliError;
use crate::db::models::user::User;
use crate::domain::imports::{self, FileKind, ImportFile, ImportSummary, Progress};
use crate::domain::{Ctx, Principal, Role};

/// What to import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportKind {
    /// A year's reports: approval_no and every field of the scheme, one row per body.
    Reports,
    /// A year's incidents: approval_no, kind, severity, occurred_at, reported_at, description.
    Incidents,
}

/// Arguments of `pubeval import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the file holds.
    #[arg(value_enum)]
    pub kind: ImportKind,
    /// Evaluation year.
    #[arg(long)]
    pub year: i32,
    /// The file: CSV (UTF-8 with or without BOM, or GB18030) or XLSX (its first sheet).
    pub file: PathBuf,
    /// Check every row and print what would be written, writing nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The analyst (or admin) the import is recorded as (default: `system:cli`).
    #[arg(long = "as", value_name = "USERNAME")]
    pub as_user: Option<String>,
    /// Configuration.
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Runs `pubeval import`: prints the summary as JSON; exit code 2 when any row has an error
/// (nothing is written then), 0 otherwise.
pub fn run(args: &ImportArgs) -> Result<(), CliError> {
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let kind = match args
        .file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_lowercase)
        .as_deref()
    {
        Some("xlsx") => FileKind::Xlsx,
        Some("csv") => FileKind::Csv,
        _ => FileKind::sniff(&bytes),
    };
    let pool = open_database(&args.config)?;
    let mut conn = pool
        .get()
        .map_err(|e| anyhow!(crate::db::DbError::from(e)))?;
    let ctx = match &args.as_user {
        None => Ctx::system("system:cli"),
        Some(name) => as_staff(&mut conn, name)?,
    };
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(format!(
        "{} 年度{}导入{}",
        args.year,
        match args.kind {
            ImportKind::Reports => "报告",
            ImportKind::Incidents => "事件",
        },
        if args.dry_run { "（试运行）" } else { "" }
    ));
    let progress = |p: Progress| match p {
        Progress::Reading => bar.set_message("读取文件"),
        Progress::Checking { done, total } => {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            bar.set_message("逐行校验");
        }
        Progress::Writing { done, total } => {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            bar.set_message("写入");
        }
    };
    let file = ImportFile {
        bytes: &bytes,
        kind,
    };
    let summary = match args.kind {
        ImportKind::Reports => {
            imports::import_reports(&mut conn, &ctx, args.year, file, args.dry_run, &progress)
        }
        ImportKind::Incidents => {
            imports::import_incidents(&mut conn, &ctx, args.year, file, args.dry_run, &progress)
        }
    }
    .map_err(|e| anyhow!("{}", e.message))?;
    bar.finish_with_message(if summary.errors.is_empty() {
        "完成"
    } else {
        "有错误，未写入"
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&summary).context("the summary")?
    );
    rejected(&summary)
}

/// Exit code 2 when the file has errors.
fn rejected(summary: &ImportSummary) -> Result<(), CliError> {
    if summary.errors.is_empty() {
        return Ok(());
    }
    let n = summary.error_count();
    Err(CliError::Rejected(format!(
        "导入文件有 {n} 处问题，未写入任何数据 / {n} problem(s) found; nothing was imported"
    )))
}

/// The context of a staff user acting from the command line.
fn as_staff(conn: &mut crate::db::DbConn, name: &str) -> Result<Ctx, CliError> {
    let user = User::by_username(conn, name)
        .map_err(|e| anyhow!(e))?
        .ok_or_else(|| anyhow!("没有用户 {name} / no user {name}"))?;
    let role = Role::from_code(&user.role)
        .filter(|r| matches!(r, Role::Admin | Role::Analyst))
        .filter(|_| user.disabled == 0)
        .ok_or_else(|| {
            anyhow!("{name} 不是可用的管理员或分析人员 / {name} is not an enabled admin or analyst")
        })?;
    Ok(Ctx::new(
        Principal::User {
            id: user.id,
            username: user.username,
            role,
            body_id: None,
        },
        crate::domain::clock::system(),
    ))
}
