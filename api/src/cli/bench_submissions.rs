//! `pubeval bench submissions`: the staff's list of a year's reports over a generated SQLite
//! database — its first page, a filtered page — and one body's history, through the domain
//! functions the API calls.

use std::time::Instant;

use anyhow::{Context, anyhow};
use clap::Args;
use pubeval_scoring::synthetic::Population;

use super::error::CliError;
use crate::config::Config;
use crate::db::models::scheme::SchemeRow;
use crate::db::{self, DbConn};
use crate::domain::submissions::{self, ListFilter};
use crate::domain::{Ctx, Result as DomainResult};

/// Arguments of `pubeval bench submissions`.
#[derive(Debug, Args)]
pub struct SubmissionsBenchArgs {
    /// Bodies to generate.
    #[arg(long, default_value_t = 1250)]
    pub bodies: usize,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 2025)]
    pub seed: u64,
    /// Calls timed for each measurement (the median is printed).
    #[arg(long, default_value_t = 21)]
    pub repeats: usize,
}

const YEAR: i32 = 2025;
const PER_PAGE: i64 = 50;

/// Runs the benchmark; prints `bodies:`, `list_page_ms:`, `filtered_page_ms:` (bodies that
/// have not submitted) and `history_ms:` (one body's revisions).
pub fn run(args: &SubmissionsBenchArgs) -> Result<(), CliError> {
    if cfg!(debug_assertions) {
        eprintln!("警告：这是调试构建，数字不代表发布版性能 / warning: debug build; use --release");
    }
    let dir =
        std::env::temp_dir().join(format!("pubeval-bench-submissions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).context("creating a temporary directory")?;
    let outcome = bench(args, &dir);
    std::fs::remove_dir_all(&dir).ok();
    outcome
}

fn bench(args: &SubmissionsBenchArgs, dir: &std::path::Path) -> Result<(), CliError> {
    let app = crate::Application::build(Config {
        database_url: format!("sqlite://{}", dir.join("bench.db").display()),
        data_dir: dir.to_path_buf(),
        pool_size: 2,
        ..Config::default()
    })?;
    let mut conn = app
        .pool()
        .get()
        .map_err(|e| anyhow!(db::DbError::from(e)))?;
    let scheme_row = SchemeRow::active(&mut conn)
        .map_err(|e| anyhow!(e))?
        .ok_or_else(|| anyhow!("no scheme"))?;
    let scheme = scheme_row.parsed().map_err(|e| anyhow!(e))?;

    // Setup, not timed: the registry and two years of reports with their revisions.
    let setup = Instant::now();
    let population = Population::generate(args.bodies, args.seed);
    let ids = crate::demo::data::insert_bodies(&mut conn, &population).map_err(|e| anyhow!(e))?;
    for year in [YEAR - 1, YEAR] {
        crate::demo::data::insert_year(
            &mut conn,
            &scheme,
            &scheme_row.id,
            &population,
            &ids,
            year,
            args.seed,
        )
        .map_err(|e| anyhow!(e))?;
    }
    let ctx = Ctx::system("system:bench");
    let (_, total) = submissions::list(&mut conn, &ctx, YEAR, ListFilter::All, 0, 1)
        .map_err(|e| anyhow!("{e}"))?;
    let (_, missing) = submissions::list(&mut conn, &ctx, YEAR, ListFilter::NotSubmitted, 0, 1)
        .map_err(|e| anyhow!("{e}"))?;
    let body_id = ids.first().ok_or_else(|| anyhow!("no bodies"))?.clone();

    println!("pubeval bench submissions (SQLite, seed {})", args.seed);
    println!("bodies: {}", args.bodies);
    println!("expected_bodies: {total}");
    println!("not_submitted: {missing}");
    println!("setup_s: {:.1}", setup.elapsed().as_secs_f64());

    let first = median(args.repeats, &mut conn, |conn| {
        submissions::list(conn, &ctx, YEAR, ListFilter::All, 0, PER_PAGE).map(|_| ())
    })?;
    println!("list_page_ms: {first:.3}");
    let filtered = median(args.repeats, &mut conn, |conn| {
        submissions::list(conn, &ctx, YEAR, ListFilter::NotSubmitted, 0, PER_PAGE).map(|_| ())
    })?;
    println!("filtered_page_ms: {filtered:.3}");
    let history = median(args.repeats, &mut conn, |conn| {
        submissions::revisions(conn, &ctx, &body_id, YEAR, 0, PER_PAGE).map(|_| ())
    })?;
    println!("history_ms: {history:.3}");
    Ok(())
}

/// The median time of `repeats` calls (after one untimed warm-up call), in milliseconds.
fn median(
    repeats: usize,
    conn: &mut DbConn,
    mut f: impl FnMut(&mut DbConn) -> DomainResult<()>,
) -> Result<f64, CliError> {
    f(conn).map_err(|e| anyhow!("{e}"))?;
    let mut times = Vec::with_capacity(repeats.max(1));
    for _ in 0..repeats.max(1) {
        let start = Instant::now();
        f(conn).map_err(|e| anyhow!("{e}"))?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}
