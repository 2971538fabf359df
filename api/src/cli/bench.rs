//! `pubeval bench scoring`: times the engine and the uncertainty analysis on generated bodies,
//! in process, and optionally the pandas reference implementation side by side.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use pubeval_scoring::synthetic::Population;
use pubeval_scoring::{Engine, Options, Scheme, ScoreInput};

use super::error::CliError;

/// Times an evaluation's steps after scoring on the timed runs' table, without explanations or
/// draws (the per-body results with their warnings), and shows how often each warning rule
/// fired. Runs after `peak_rss_mb` is printed, since it is not part of the engine.
fn results_step(
    engine: &Engine,
    input: &ScoreInput<'_>,
    table: &pubeval_scoring::ScoreTable,
) -> Result<(), CliError> {
    let start = Instant::now();
    let results = engine
        .evaluate_table(input, table, &Options::default(), &|_| {})
        .context("reading results")?;
    println!("results_ms: {:.3}", start.elapsed().as_secs_f64() * 1000.0);
    println!(
        "submitted: {}",
        results.iter().filter(|r| r.submitted).count()
    );
    println!(
        "warned: {}",
        results.iter().filter(|r| r.warning.is_some()).count()
    );
    for band in &engine.scheme().grades {
        let n = results
            .iter()
            .filter(|r| r.grade.as_ref() == Some(&band.grade))
            .count();
        println!("grade {}: {n}", band.grade);
    }
    for rule in &engine.scheme().warnings {
        let fired = results
            .iter()
            .filter(|r| {
                r.warning
                    .as_ref()
                    .is_some_and(|w| w.reasons.contains(&rule.code))
            })
            .count();
        println!("rule {}: {fired}", rule.code);
    }
    println!(
        "peak_rss_mb_with_results: {:.1}",
        peak_rss_mb().unwrap_or(f64::NAN)
    );
    Ok(())
}

/// Arguments of `pubeval bench scoring`.
#[derive(Debug, Args)]
pub struct ScoringBenchArgs {
    /// How many bodies to generate.
    #[arg(long)]
    pub bodies: usize,
    /// Draws of the uncertainty analysis (0 skips it).
    #[arg(long, default_value_t = 1000)]
    pub draws: u32,
    /// Seed of the generated data and of the analysis.
    #[arg(long, default_value_t = 2025)]
    pub seed: u64,
    /// Timed runs of the engine after one warm-up (at least 5).
    #[arg(long, default_value_t = 9)]
    pub runs: usize,
    /// Also time reading the results back (results_ms) and count the warnings by rule.
    #[arg(long)]
    pub results: bool,
    /// Also time bench/pandas_reference.py on the same data (needs python3 with pandas).
    #[arg(long)]
    pub compare_pandas: bool,
    /// The pandas reference script.
    #[arg(long, default_value = "bench/pandas_reference.py")]
    pub pandas_script: PathBuf,
}

const YEAR: i32 = 2025;

/// Runs the scoring benchmark and prints `bodies:`, `engine_ms:`, `uncertainty_ms:` and
/// `peak_rss_mb:` lines.
pub fn scoring(args: &ScoringBenchArgs) -> Result<(), CliError> {
    if args.bodies == 0 {
        return Err(anyhow::anyhow!("--bodies 至少为 1 / must be at least 1").into());
    }
    let runs = args.runs.max(5);
    if cfg!(debug_assertions) {
        eprintln!("警告：这是调试构建，数字不代表发布版性能 / warning: debug build; use --release");
    }
    let scheme = Arc::new(Scheme::default_scheme());
    let engine = Engine::new(scheme.clone());

    // Setup, not timed: the population, last year's totals and this year's records.
    let population = Population::generate(args.bodies, args.seed);
    let previous = population.previous_totals(YEAR, args.seed);
    let this_year = population.year(&scheme, YEAR, args.seed);
    let inputs = population.inputs(this_year.reports, &previous);
    let input = ScoreInput {
        year: YEAR,
        bodies: &inputs,
        incidents: &this_year.incidents,
    };

    println!(
        "pubeval bench scoring (seed {}, {} runs after a warm-up)",
        args.seed, runs
    );
    println!("bodies: {}", args.bodies);
    println!("incidents: {}", this_year.incidents.len());

    let mut table = engine.score(&input).context("warm-up")?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        // The previous run's table goes first, so that runs do not overlap in memory.
        drop(table);
        let start = Instant::now();
        table = engine.score(&input).context("scoring")?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    let engine_ms = median(&mut times);
    println!("engine_ms: {engine_ms:.3}");
    println!(
        "engine_ms_min: {:.3}",
        times.iter().cloned().fold(f64::INFINITY, f64::min)
    );

    if args.draws > 0 {
        // Large analyses run once; small ones take the median of three.
        let repeats = if args.bodies * args.draws as usize > 10_000_000 {
            1
        } else {
            3
        };
        let mut times = Vec::with_capacity(repeats);
        for _ in 0..repeats {
            let start = Instant::now();
            let figures = engine
                .uncertainty(&table, args.draws, args.seed)
                .context("uncertainty analysis")?;
            times.push(start.elapsed().as_secs_f64() * 1000.0);
            drop(figures);
        }
        println!("draws: {}", args.draws);
        println!("uncertainty_ms: {:.3}", median(&mut times));
    } else {
        println!("draws: 0");
        println!("uncertainty_ms: 0.000");
    }
    println!("peak_rss_mb: {:.1}", peak_rss_mb().unwrap_or(f64::NAN));
    if args.results {
        results_step(&engine, &input, &table)?;
    }
    std::io::stdout().flush().ok();

    if args.compare_pandas {
        compare_pandas(
            args,
            &scheme,
            &population,
            &inputs,
            &this_year.incidents,
            engine_ms,
        )?;
    }
    Ok(())
}

/// The median of `values` (sorted in place).
pub(super) fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// The process's peak resident set (VmHWM), in MiB.
pub(super) fn peak_rss_mb() -> Option<f64> {
    status_mb("VmHWM:")
}

/// The process's resident set now (VmRSS), in MiB.
pub(super) fn current_rss_mb() -> Option<f64> {
    status_mb("VmRSS:")
}

/// A size field of /proc/self/status, in MiB.
fn status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Writes the same data as JSONL and runs the pandas reference script on it.
fn compare_pandas(
    args: &ScoringBenchArgs,
    scheme: &Scheme,
    population: &Population,
    inputs: &[pubeval_scoring::BodyInput],
    incidents: &[pubeval_scoring::Incident],
    engine_ms: f64,
) -> Result<(), CliError> {
    if !args.pandas_script.exists() {
        return Err(anyhow::anyhow!(
            "找不到 pandas 参考脚本 / pandas script not found: {}",
            args.pandas_script.display()
        )
        .into());
    }
    let dir = std::env::temp_dir().join(format!("pubeval-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).context("creating a temporary directory")?;
    let result = write_and_run(args, scheme, population, inputs, incidents, &dir, engine_ms);
    std::fs::remove_dir_all(&dir).ok();
    result
}

fn write_and_run(
    args: &ScoringBenchArgs,
    scheme: &Scheme,
    population: &Population,
    inputs: &[pubeval_scoring::BodyInput],
    incidents: &[pubeval_scoring::Incident],
    dir: &Path,
    engine_ms: f64,
) -> Result<(), CliError> {
    let mut bodies = String::new();
    let mut submissions = String::new();
    let mut previous = String::new();
    for (b, input) in population.bodies.iter().zip(inputs) {
        let line =
            serde_json::json!({"body_id": b.body_id, "name": b.name, "category": b.category});
        bodies.push_str(&format!("{line}\n"));
        if let Some(p) = &input.payload {
            let line = serde_json::json!({"body_id": b.body_id, "payload": p.to_json(scheme)});
            submissions.push_str(&format!("{line}\n"));
        }
        if let Some(t) = input.previous_total {
            previous.push_str(&format!(
                "{}\n",
                serde_json::json!({"body_id": b.body_id, "total": t})
            ));
        }
    }
    let mut incident_lines = String::new();
    for i in incidents {
        incident_lines.push_str(&format!(
            "{}\n",
            serde_json::to_string(i).context("incident")?
        ));
    }
    let files = [
        ("bodies.jsonl", bodies),
        ("submissions.jsonl", submissions),
        ("incidents.jsonl", incident_lines),
        ("previous.jsonl", previous),
    ];
    for (name, text) in &files {
        std::fs::write(dir.join(name), text).with_context(|| format!("writing {name}"))?;
    }
    let output = std::process::Command::new("python3")
        .arg(&args.pandas_script)
        .args(["--year", &YEAR.to_string()])
        .arg("--bodies")
        .arg(dir.join("bodies.jsonl"))
        .arg("--submissions")
        .arg(dir.join("submissions.jsonl"))
        .arg("--incidents")
        .arg(dir.join("incidents.jsonl"))
        .arg("--previous")
        .arg(dir.join("previous.jsonl"))
        .args(["--repeat", "7"])
        .output()
        .context("running python3")?;
    if !output.status.success() {
        return Err(pandas_failed(&output.stderr));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let pandas_ms = stdout
        .lines()
        .find_map(|l| l.strip_prefix("pandas_ms:"))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .context("the pandas script printed no pandas_ms line")?;
    println!("pandas_ms: {pandas_ms:.3}");
    println!("speedup_vs_pandas: {:.1}", pandas_ms / engine_ms);
    Ok(())
}

fn pandas_failed(stderr: &[u8]) -> CliError {
    let text = String::from_utf8_lossy(stderr);
    let hint = if text.contains("No module named") {
        "（请先安装：pip install pandas numpy）"
    } else {
        ""
    };
    anyhow::anyhow!(
        "pandas 参考脚本失败{hint} / the pandas script failed: {}",
        text.trim()
    )
    .into()
}
