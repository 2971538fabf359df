//! `pubeval bench impact`: the impact analysis of a draft scheme (issue 14) on generated years
//! of 1,250 and 60,000 bodies — both schemes scored, the transitions, the rank statistics
//! (Spearman, Kendall's τ-b), the effective weights, drop-one for every indicator and the
//! scheme diff — in process; with `--database`, also the whole use case over a generated
//! SQLite database (the inputs loaded and proven by the final evaluation's digest, compared,
//! recorded).

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, anyhow};
use clap::Args;
use pubeval_scoring::impact::{Side, compare};
use pubeval_scoring::scheme::Rule;
use pubeval_scoring::synthetic::Population;
use pubeval_scoring::{Engine, Scheme, ScoreInput};

use super::bench::{median, peak_rss_mb};
use super::error::CliError;
use crate::config::Config;
use crate::db::models::scheme::SchemeRow;
use crate::domain::schemes::impact::ImpactRequest;
use crate::domain::{Ctx, evaluations, schemes};

/// Arguments of `pubeval bench impact`.
#[derive(Debug, Args)]
pub struct ImpactBenchArgs {
    /// Population sizes, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1250,60000")]
    pub bodies: Vec<usize>,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 2025)]
    pub seed: u64,
    /// Timed runs per size after a warm-up (one for 50,000 bodies or more).
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Also time the whole use case over a generated SQLite database (its setup — two years
    /// evaluated and made final — is not timed and takes minutes at 60,000 bodies).
    #[arg(long)]
    pub database: bool,
}

const YEAR: i32 = 2025;

/// The draft the benchmark analyses: band B at 80, a stricter decline rule, one point moved
/// from D1.1 to D4.3 — so that grades, ranks and warnings all move.
fn draft(baseline: &Scheme) -> Scheme {
    let mut s = baseline.clone();
    s.version += 1;
    s.grades[1].min = 80.0;
    if let Some(rule) = s.warnings.iter_mut().find(|w| w.code == "W1.decline") {
        rule.trigger = pubeval_scoring::scheme::Trigger::Decline {
            grade: "C".into(),
            points: 5.0,
        };
    }
    s.dimensions[0].max -= 1.0;
    s.dimensions[0].indicators[0].rule = Rule::Bool { points: 3.0 };
    s.dimensions[0].indicators[0].max = 3.0;
    s.dimensions[3].max += 1.0;
    s.dimensions[3].indicators[2].rule = Rule::Linear {
        lo: 0.0,
        hi: 16.0,
        max: 3.0,
    };
    s.dimensions[3].indicators[2].max = 3.0;
    s
}

/// Runs the benchmark and prints `key: value` lines.
pub fn run(args: &ImpactBenchArgs) -> Result<(), CliError> {
    if cfg!(debug_assertions) {
        eprintln!("警告：这是调试构建，数字不代表发布版性能 / warning: debug build; use --release");
    }
    let baseline = Scheme::default_scheme();
    let proposed = draft(&baseline);
    // The draft must be one an analyst could store.
    Scheme::from_json(&serde_json::to_string(&proposed).context("the proposed document")?)
        .map_err(|e| anyhow!("the benchmark's draft is invalid: {e}"))?;
    println!("pubeval bench impact (seed {})", args.seed);
    for &n in &args.bodies {
        in_memory(&baseline, &proposed, n, args)?;
        if args.database {
            over_database(&proposed, n, args.seed)?;
        }
    }
    println!("peak_rss_mb: {:.1}", peak_rss_mb().unwrap_or(f64::NAN));
    Ok(())
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

fn in_memory(
    baseline: &Scheme,
    proposed: &Scheme,
    n: usize,
    args: &ImpactBenchArgs,
) -> Result<(), CliError> {
    let population = Population::generate(n, args.seed);
    let previous = population.previous_totals(YEAR, args.seed);
    let year = population.year(baseline, YEAR, args.seed);
    let bodies = population.inputs(year.reports, &previous);
    let input = ScoreInput {
        year: YEAR,
        bodies: &bodies,
        incidents: &year.incidents,
    };
    let (old, new) = (
        Engine::new(Arc::new(baseline.clone())),
        Engine::new(Arc::new(proposed.clone())),
    );
    let side = |engine| Side { engine, input };
    let runs = if n >= 50_000 { 1 } else { args.runs.max(1) };
    let mut impact = compare(side(&old), side(&new)).context("warm-up")?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        drop(impact);
        let start = Instant::now();
        impact = compare(side(&old), side(&new)).context("impact")?;
        times.push(ms(start));
    }
    let start = Instant::now();
    old.score(&input).context("scoring")?;
    new.score(&input).context("scoring")?;
    let scoring = ms(start);
    let target = if n <= 1250 {
        "≤ 300"
    } else {
        "≤ 10000 at 60,000"
    };
    println!("bodies: {n}");
    println!(
        "impact_ms: {:.1} (median of {runs}; both schemes scored, transitions, Spearman and Kendall, effective weights, drop-one for {} indicators, the diff; target {target})",
        median(&mut times),
        impact.indicators.len(),
    );
    println!("  of which scoring_both_ms: {scoring:.1}");
    let s = &impact.summary;
    println!(
        "  grade_changed: {}, rank_changed: {}, warnings_gained: {}, warnings_lost: {}, kendall: {:.4}",
        s.grade_changed,
        s.rank_changed,
        s.warnings_gained,
        s.warnings_lost,
        impact.rank_shift.kendall.unwrap_or(f64::NAN)
    );
    Ok(())
}

/// The whole use case over a generated SQLite database: two final years, a stored draft, and
/// `domain::schemes::impact::impact` timed.
fn over_database(proposed: &Scheme, n: usize, seed: u64) -> Result<(), CliError> {
    let dir = std::env::temp_dir().join(format!("pubeval-bench-impact-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).context("creating a temporary directory")?;
    let outcome = database_run(proposed, n, seed, &dir);
    std::fs::remove_dir_all(&dir).ok();
    outcome
}

fn database_run(
    proposed: &Scheme,
    n: usize,
    seed: u64,
    dir: &std::path::Path,
) -> Result<(), CliError> {
    let setup = Instant::now();
    let app = crate::Application::build(Config {
        database_url: format!("sqlite://{}", dir.join("bench.db").display()),
        data_dir: dir.to_path_buf(),
        pool_size: 2,
        ..Config::default()
    })
    .map_err(|e| anyhow!("{e}"))?;
    let pool = app.pool().clone();
    let mut conn = pool.get().map_err(|e| anyhow!("{e}"))?;
    let ctx = Ctx::system("system:bench");
    let row = SchemeRow::active(&mut conn)
        .context("scheme")?
        .ok_or_else(|| anyhow!("no active scheme"))?;
    let scheme = row.parsed().map_err(|e| anyhow!("{e}"))?;
    let population = Population::generate(n, seed);
    let ids = crate::demo::data::insert_bodies(&mut conn, &population).context("bodies")?;
    for year in [YEAR - 1, YEAR] {
        crate::demo::data::insert_year(&mut conn, &scheme, &row.id, &population, &ids, year, seed)
            .context("year")?;
        let run = evaluations::start(&mut conn, &ctx, year, 0, 1).map_err(|e| anyhow!("{e}"))?;
        crate::evaluation::execute(&pool, &Ctx::system("system"), &run.id, &|_| {})
            .map_err(|e| anyhow!("{e}"))?;
        evaluations::publish(&mut conn, &ctx, &run.id, Some(1)).map_err(|e| anyhow!("{e}"))?;
        evaluations::finalize(&mut conn, &ctx, &run.id).map_err(|e| anyhow!("{e}"))?;
    }
    let document = serde_json::to_string(proposed).context("the proposed document")?;
    let draft = schemes::create(&mut conn, &ctx, document).map_err(|e| anyhow!("{e}"))?;
    println!(
        "  database_setup_s: {:.1} (not timed below)",
        setup.elapsed().as_secs_f64()
    );
    let request = ImpactRequest {
        year: YEAR,
        baseline: None,
    };
    let evaluation = crate::db::models::evaluation::Evaluation::final_of_year(&mut conn, YEAR)
        .context("final evaluation")?
        .ok_or_else(|| anyhow!("no final evaluation"))?;
    let start = Instant::now();
    schemes::impact::verified_inputs(&mut conn, &evaluation).map_err(|e| anyhow!("{e}"))?;
    let loading = ms(start);
    let runs = if n >= 50_000 { 1 } else { 3 };
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        schemes::impact::impact(&mut conn, &ctx, &draft.id, &request)
            .map_err(|e| anyhow!("{e}"))?;
        times.push(ms(start));
    }
    println!(
        "  impact_with_database_ms: {:.1} (median of {runs}; inputs loaded and proven by the digest, compared, recorded)",
        median(&mut times)
    );
    println!("  of which loading_and_digest_ms: {loading:.1} (one load, as the database stands)");
    Ok(())
}
