//! `pubeval bench import`: a past year's reports for every body of a generated registry
//! (60,000 by default) imported from one CSV over a fresh SQLite database — first as a dry run,
//! then for real, then the same file again (every row unchanged) — through the use case the
//! API and `pubeval import` call; and the same rows as an XLSX sheet, checked.

use std::time::Instant;

use anyhow::{Context, anyhow};
use chrono::NaiveDate;
use clap::Args;
use pubeval_scoring::synthetic::Population;
use pubeval_scoring::{Payload, Scheme};
use serde_json::Value;

use super::error::CliError;
use crate::config::Config;
use crate::db::models::cycle::Cycle;
use crate::db::models::scheme::SchemeRow;
use crate::db::models::{new_id, now};
use crate::domain::Ctx;
use crate::domain::imports::{self, FileKind, ImportFile, ImportSummary};

/// Arguments of `pubeval bench import`.
#[derive(Debug, Args)]
pub struct ImportBenchArgs {
    /// Rows (bodies) to import.
    #[arg(long, default_value_t = 60_000)]
    pub rows: usize,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 2025)]
    pub seed: u64,
    /// Skip the XLSX measurement (writing the workbook takes a while).
    #[arg(long)]
    pub no_xlsx: bool,
}

const YEAR: i32 = 2024;

/// Runs the benchmark; prints `rows:`, `csv_mb:`, `dry_run_s:`, `import_s:`,
/// `reimport_s:` (every row unchanged), `xlsx_mb:`, `xlsx_dry_run_s:` and `peak_rss_mb:`.
pub fn run(args: &ImportBenchArgs) -> Result<(), CliError> {
    if cfg!(debug_assertions) {
        eprintln!("警告：这是调试构建，数字不代表发布版性能 / warning: debug build; use --release");
    }
    let dir = std::env::temp_dir().join(format!("pubeval-bench-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).context("creating a temporary directory")?;
    let outcome = bench(args, &dir);
    std::fs::remove_dir_all(&dir).ok();
    outcome
}

fn bench(args: &ImportBenchArgs, dir: &std::path::Path) -> Result<(), CliError> {
    let app = crate::Application::build(Config {
        database_url: format!("sqlite://{}", dir.join("bench.db").display()),
        data_dir: dir.to_path_buf(),
        pool_size: 2,
        ..Config::default()
    })?;
    let mut conn = app
        .pool()
        .get()
        .map_err(|e| anyhow!(crate::db::DbError::from(e)))?;
    let scheme_row = SchemeRow::active(&mut conn)
        .map_err(|e| anyhow!(e))?
        .ok_or_else(|| anyhow!("no scheme"))?;
    let scheme = scheme_row.parsed().map_err(|e| anyhow!(e))?;

    // Setup, not timed: the registry, the year's cycle and the file.
    let setup = Instant::now();
    let population = Population::generate(args.rows, args.seed);
    crate::demo::data::insert_bodies(&mut conn, &population).map_err(|e| anyhow!(e))?;
    let at = now();
    let day = |y, m, d| {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or_default()
    };
    Cycle {
        id: new_id(),
        year: YEAR,
        scheme_id: scheme_row.id.clone(),
        opens_at: day(YEAR + 1, 1, 1),
        closes_at: day(YEAR + 1, 4, 1),
        created_at: at,
        updated_at: at,
    }
    .insert(&mut conn)
    .map_err(|e| anyhow!(e))?;
    let reports = population.year(&scheme, YEAR, args.seed).reports;
    let fallback = reports
        .iter()
        .flatten()
        .next()
        .cloned()
        .ok_or_else(|| anyhow!("no report generated"))?;
    let headers: Vec<String> = std::iter::once("approval_no".to_string())
        .chain(scheme.fields.iter().map(|f| f.name.clone()))
        .collect();
    let rows: Vec<Vec<String>> = population
        .bodies
        .iter()
        .zip(&reports)
        .map(|(body, report)| {
            let payload = report.as_ref().unwrap_or(&fallback);
            std::iter::once(body.approval_no.clone())
                .chain(cells(&scheme, payload))
                .collect()
        })
        .collect();
    let mut csv = String::new();
    for line in std::iter::once(&headers).chain(rows.iter()) {
        csv.push_str(&line.join(","));
        csv.push_str("\r\n");
    }
    let csv = csv.into_bytes();
    println!("pubeval bench import (SQLite, seed {})", args.seed);
    println!("rows: {}", rows.len());
    println!("csv_mb: {:.1}", csv.len() as f64 / 1e6);
    println!("setup_s: {:.1}", setup.elapsed().as_secs_f64());

    let analyst = Ctx::system("system:bench");
    let time = |conn: &mut crate::db::DbConn,
                bytes: &[u8],
                kind: FileKind,
                dry_run: bool|
     -> Result<(f64, ImportSummary), CliError> {
        let start = Instant::now();
        let summary = imports::import_reports(
            conn,
            &analyst,
            YEAR,
            ImportFile { bytes, kind },
            dry_run,
            &|_| {},
        )
        .map_err(|e| anyhow!("{}", e.message))?;
        let seconds = start.elapsed().as_secs_f64();
        if !summary.errors.is_empty() {
            return Err(
                anyhow!("the generated file has errors: {:?}", &summary.errors[..1]).into(),
            );
        }
        Ok((seconds, summary))
    };
    let (dry, summary) = time(&mut conn, &csv, FileKind::Csv, true)?;
    println!("dry_run_s: {dry:.2}");
    println!("dry_run_created: {}", summary.created);
    let (real, summary) = time(&mut conn, &csv, FileKind::Csv, false)?;
    println!("import_s: {real:.2}");
    println!("created: {}", summary.created);
    let (again, summary) = time(&mut conn, &csv, FileKind::Csv, false)?;
    println!("reimport_s: {again:.2}");
    println!("unchanged: {}", summary.unchanged);
    if !args.no_xlsx {
        let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        let xlsx = pubeval_reports::table::xlsx("导入", "导入", &header_refs, &rows)
            .map_err(|e| anyhow!(e))?;
        println!("xlsx_mb: {:.1}", xlsx.len() as f64 / 1e6);
        let (xlsx_dry, _) = time(&mut conn, &xlsx, FileKind::Xlsx, true)?;
        println!("xlsx_dry_run_s: {xlsx_dry:.2}");
    }
    println!(
        "peak_rss_mb: {:.1}",
        super::bench::peak_rss_mb().unwrap_or(f64::NAN)
    );
    Ok(())
}

/// A payload's cells in the scheme's order, as an analyst's CSV holds them.
fn cells(scheme: &Scheme, payload: &Payload) -> Vec<String> {
    let json = payload.to_json(scheme);
    scheme
        .fields
        .iter()
        .map(|f| match json.get(&f.name) {
            Some(Value::Bool(b)) => if *b { "是" } else { "否" }.to_string(),
            // An empty set is written 无: an empty cell would leave the field out.
            Some(Value::Array(items)) if items.is_empty() => "无".to_string(),
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(";"),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        })
        .collect()
}
