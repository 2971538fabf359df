//! `pubeval bench flags`: the plausibility flags of a year of generated reports (60,000 by
//! default) — last year's reports a lightly perturbed copy of this year's, one report in a
//! hundred inflated — computed in process (the polars pipeline alone) and through the database
//! as a submission or `POST …/flags/recompute` computes them (loading both years' reports,
//! computing, writing the changes).

use std::collections::HashSet;
use std::time::Instant;

use anyhow::{Context, anyhow};
use clap::Args;
use pubeval_scoring::Scheme;
use pubeval_scoring::plausibility::{Peers, ReportFrame, compute};
use pubeval_scoring::synthetic::Population;
use pubeval_scoring::synthetic::perturb::{Inflation, inflate, perturbed};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::error::CliError;
use crate::config::Config;
use crate::db::models::scheme::SchemeRow;
use crate::domain::{Ctx, flags};

/// Arguments of `pubeval bench flags`.
#[derive(Debug, Args)]
pub struct FlagsBenchArgs {
    /// Bodies to generate (each with a report this year and last).
    #[arg(long, default_value_t = 60_000)]
    pub bodies: usize,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 2025)]
    pub seed: u64,
    /// Timed runs of the in-process computation (the median is printed).
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Skip the database part (the in-process computation only).
    #[arg(long)]
    pub no_database: bool,
}

const YEAR: i32 = 2025;

/// The ways one report in a hundred is inflated, in turn.
const INFLATIONS: [Inflation; 4] = [
    Inflation::Times20("press_releases"),
    Inflation::Times20("original_posts"),
    Inflation::BudgetShare,
    Inflation::PostsPerStaff,
];

/// The generated year: this year's reports (some inflated), last year's, and which were
/// inflated on which field.
struct Generated {
    population: Population,
    current: Vec<Option<pubeval_scoring::Payload>>,
    previous: Vec<Option<pubeval_scoring::Payload>>,
    inflated: Vec<(usize, &'static str)>,
}

fn generate(scheme: &Scheme, bodies: usize, seed: u64) -> Generated {
    let population = Population::generate(bodies, seed);
    let year = population.year(scheme, YEAR, seed);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xF1A6);
    let mut current = Vec::with_capacity(bodies);
    let mut previous = Vec::with_capacity(bodies);
    let mut inflated = Vec::new();
    for (i, report) in year.reports.into_iter().enumerate() {
        let Some(report) = report else {
            current.push(None);
            previous.push(None);
            continue;
        };
        previous.push(Some(perturbed(scheme, &report, &mut rng)));
        let how = INFLATIONS[(i / 100) % INFLATIONS.len()];
        match (i % 100 == 0)
            .then(|| inflate(scheme, &report, how))
            .flatten()
        {
            Some(changed) => {
                inflated.push((i, how.field()));
                current.push(Some(changed));
            }
            None => current.push(Some(report)),
        }
    }
    Generated {
        population,
        current,
        previous,
        inflated,
    }
}

/// Runs the benchmark; prints `reports:`, `frame_ms:`, `compute_ms:`, `flags:`,
/// `flagged_reports:`, `inflated:`, `inflated_flagged:`, `untouched_flagged_share:` and,
/// through SQLite, `recompute_first_ms:` (every flag new) and `recompute_ms:` (nothing
/// changed: what each submission costs).
pub fn run(args: &FlagsBenchArgs) -> Result<(), CliError> {
    if args.bodies == 0 {
        return Err(anyhow!("--bodies 至少为 1 / must be at least 1").into());
    }
    if cfg!(debug_assertions) {
        eprintln!("警告：这是调试构建，数字不代表发布版性能 / warning: debug build; use --release");
    }
    let scheme = Scheme::default_scheme();
    let generated = generate(&scheme, args.bodies, args.seed);
    let g = &generated;
    let reports = g.current.iter().flatten().count();
    println!(
        "pubeval bench flags (seed {}, {} rules)",
        args.seed,
        scheme.plausibility.len()
    );
    println!("bodies: {}", args.bodies);
    println!("reports: {reports}");

    let build = || {
        let mut frame = ReportFrame::new(&scheme, reports);
        let mut rows = Vec::with_capacity(reports);
        for (i, (body, report)) in g.population.bodies.iter().zip(&g.current).enumerate() {
            if let Some(report) = report {
                let peers = Peers {
                    category: body.category.code(),
                    province: body.province,
                };
                frame.push_payload(peers, report, g.previous[i].as_ref());
                rows.push(i);
            }
        }
        (frame, rows)
    };
    let start = Instant::now();
    let (frame, rows) = build();
    println!("frame_ms: {:.1}", start.elapsed().as_secs_f64() * 1000.0);
    let mut times = Vec::new();
    let mut hits = compute(&scheme, frame).context("computing the flags")?;
    for _ in 0..args.runs.max(1) {
        let (frame, _) = build();
        let start = Instant::now();
        hits = compute(&scheme, frame).context("computing the flags")?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!("compute_ms: {:.1}", times[times.len() / 2]);
    let flagged: HashSet<usize> = hits.iter().map(|h| rows[h.row]).collect();
    println!("flags: {}", hits.len());
    println!("flagged_reports: {}", flagged.len());
    let caught = g
        .inflated
        .iter()
        .filter(|(i, field)| {
            hits.iter()
                .any(|h| rows[h.row] == *i && h.field.as_str() == *field)
        })
        .count();
    println!("inflated: {}", g.inflated.len());
    println!("inflated_flagged: {caught}");
    let inflated: HashSet<usize> = g.inflated.iter().map(|(i, _)| *i).collect();
    let untouched = reports - inflated.len();
    let false_flags = flagged.difference(&inflated).count();
    println!(
        "untouched_flagged_share: {:.4}",
        false_flags as f64 / untouched.max(1) as f64
    );
    for rule in &scheme.plausibility {
        let n = hits.iter().filter(|h| h.rule == rule.code).count();
        println!("rule {}: {n}", rule.code);
    }
    if !args.no_database {
        through_database(args, &scheme, g)?;
    }
    Ok(())
}

fn through_database(args: &FlagsBenchArgs, scheme: &Scheme, g: &Generated) -> Result<(), CliError> {
    let dir = std::env::temp_dir().join(format!("pubeval-bench-flags-{}", std::process::id()));
    std::fs::create_dir_all(&dir).context("creating a temporary directory")?;
    let outcome = (|| -> Result<(), CliError> {
        let app = crate::Application::build(Config {
            database_url: format!("sqlite://{}", dir.join("bench.db").display()),
            data_dir: dir.clone(),
            pool_size: 2,
            ..Config::default()
        })?;
        let mut conn = app
            .pool()
            .get()
            .map_err(|e| anyhow!(crate::db::DbError::from(e)))?;
        let row = SchemeRow::active(&mut conn)
            .map_err(|e| anyhow!(e))?
            .ok_or_else(|| anyhow!("no scheme"))?;
        let setup = Instant::now();
        let ids =
            crate::demo::data::insert_bodies(&mut conn, &g.population).map_err(|e| anyhow!(e))?;
        for (year, reports) in [(YEAR - 1, &g.previous), (YEAR, &g.current)] {
            crate::demo::data::insert_reports(&mut conn, scheme, &row.id, &ids, year, reports)
                .map_err(|e| anyhow!(e))?;
        }
        println!("database_setup_s: {:.1}", setup.elapsed().as_secs_f64());
        let ctx = Ctx::system("system:bench");
        let start = Instant::now();
        let first = flags::recompute(&mut conn, &ctx, YEAR).map_err(|e| anyhow!("{e}"))?;
        println!(
            "recompute_first_ms: {:.1}",
            start.elapsed().as_secs_f64() * 1000.0
        );
        println!("recompute_raised: {}", first.raised);
        let mut times = Vec::new();
        for _ in 0..args.runs.max(1) {
            let start = Instant::now();
            let again = flags::recompute(&mut conn, &ctx, YEAR).map_err(|e| anyhow!("{e}"))?;
            times.push(start.elapsed().as_secs_f64() * 1000.0);
            if again.raised + again.resolved + again.reopened != 0 {
                return Err(anyhow!("a recomputation over unchanged reports changed flags").into());
            }
        }
        times.sort_by(f64::total_cmp);
        println!("recompute_ms: {:.1}", times[times.len() / 2]);
        Ok(())
    })();
    std::fs::remove_dir_all(&dir).ok();
    outcome
}
