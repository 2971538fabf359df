//! `pubeval bench evaluation`: a full evaluation over a generated SQLite database (loading,
//! scoring, the uncertainty analysis, storing every row), and the first ranking page over real
//! HTTP on loopback.

use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, anyhow};
use clap::Args;
use pubeval_scoring::synthetic::Population;

use super::bench::peak_rss_mb;
use super::error::CliError;
use crate::config::Config;
use crate::db;
use crate::db::models::evaluation::Evaluation;
use crate::db::models::scheme::SchemeRow;
use crate::domain::Ctx;
use crate::domain::evaluations;
use crate::domain::states::EvaluationStatus;
use crate::evaluation::{self, Stage};

/// Arguments of `pubeval bench evaluation`.
#[derive(Debug, Args)]
pub struct EvaluationBenchArgs {
    /// Bodies to generate.
    #[arg(long, default_value_t = 1250)]
    pub bodies: usize,
    /// Draws of the uncertainty analysis.
    #[arg(long, default_value_t = evaluations::DEFAULT_DRAWS)]
    pub draws: u32,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 2025)]
    pub seed: u64,
    /// Requests timed for the ranking page.
    #[arg(long, default_value_t = 51)]
    pub requests: usize,
}

const YEAR: i32 = 2025;

/// Runs the benchmark; prints `bodies:`, `evaluation_ms:` with its stages, `ranking_page_ms:`
/// and `peak_rss_mb:`.
pub fn run(args: &EvaluationBenchArgs) -> Result<(), CliError> {
    if cfg!(debug_assertions) {
        eprintln!("警告：这是调试构建，数字不代表发布版性能 / warning: debug build; use --release");
    }
    let dir = std::env::temp_dir().join(format!("pubeval-bench-evaluation-{}", std::process::id()));
    std::fs::create_dir_all(&dir).context("creating a temporary directory")?;
    let outcome = bench(args, &dir);
    std::fs::remove_dir_all(&dir).ok();
    outcome
}

fn bench(args: &EvaluationBenchArgs, dir: &std::path::Path) -> Result<(), CliError> {
    let app = crate::Application::build(Config {
        database_url: format!("sqlite://{}", dir.join("bench.db").display()),
        data_dir: dir.to_path_buf(),
        pool_size: 4,
        ..Config::default()
    })?;
    let pool = app.pool().clone();
    let mut conn = pool.get().map_err(|e| anyhow!(db::DbError::from(e)))?;
    let scheme_row = SchemeRow::active(&mut conn)
        .map_err(|e| anyhow!(e))?
        .ok_or_else(|| anyhow!("no scheme"))?;
    let scheme = scheme_row.parsed().map_err(|e| anyhow!(e))?;

    // Setup, not timed: the registry, two years of reports and incidents, last year final.
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
    let system = Ctx::system("system");
    let last = evaluations::start(&mut conn, &ctx, YEAR - 1, 0, 1).map_err(|e| anyhow!("{e}"))?;
    drop(conn);
    evaluation::execute(&pool, &system, &last.id, &|_| {}).map_err(|e| anyhow!(e))?;
    let mut conn = pool.get().map_err(|e| anyhow!(db::DbError::from(e)))?;
    // Set-up: last year's totals count only from a final evaluation.
    Evaluation::set_status(&mut conn, &last.id, EvaluationStatus::Final).map_err(|e| anyhow!(e))?;

    println!("pubeval bench evaluation (SQLite, seed {})", args.seed);
    println!("bodies: {}", args.bodies);
    println!("draws: {}", args.draws);

    // The timed run: everything POST /api/v1/evaluations does.
    let started = Instant::now();
    let evaluation = evaluations::start(&mut conn, &ctx, YEAR, args.draws, YEAR as u64)
        .map_err(|e| anyhow!("{e}"))?;
    drop(conn);
    let marks: Mutex<Vec<(Stage, Instant)>> = Mutex::new(Vec::new());
    evaluation::execute(&pool, &system, &evaluation.id, &|stage| {
        if let Ok(mut m) = marks.lock() {
            m.push((stage, Instant::now()));
        }
    })
    .map_err(|e| anyhow!(e))?;
    let total = started.elapsed();
    println!("evaluation_ms: {:.1}", total.as_secs_f64() * 1000.0);
    let marks = marks.into_inner().unwrap_or_default();
    for pair in marks.windows(2) {
        let name = match pair[0].0 {
            Stage::Loading => "load_ms",
            Stage::Scoring => "score_ms",
            Stage::Uncertainty => "uncertainty_ms",
            Stage::Storing => "store_ms",
            Stage::Done => continue,
        };
        println!(
            "{name}: {:.1}",
            (pair[1].1 - pair[0].1).as_secs_f64() * 1000.0
        );
    }
    let mut conn = pool.get().map_err(|e| anyhow!(db::DbError::from(e)))?;
    Evaluation::set_status(&mut conn, &evaluation.id, EvaluationStatus::Final)
        .map_err(|e| anyhow!(e))?;
    drop(conn);

    let page_ms = ranking_page(&app, &evaluation.id, args.requests)?;
    println!("ranking_page_ms: {page_ms:.3}");
    println!("peak_rss_mb: {:.1}", peak_rss_mb().unwrap_or(f64::NAN));
    Ok(())
}

/// Serves the database on a loopback port and times `GET …/results?page=1&per_page=50`.
fn ranking_page(
    app: &crate::Application,
    evaluation_id: &str,
    requests: usize,
) -> Result<f64, CliError> {
    let pool = app.pool();
    let keys = app.state().keys.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("binding a loopback port")?;
    let port = listener.local_addr().context("port")?.port();
    let (tx, rx) = std::sync::mpsc::channel();
    let served = app.clone();
    std::thread::spawn(move || {
        let system = actix_web::rt::System::new();
        system.block_on(async move {
            let server = match served.serve(listener, 2) {
                Ok(s) => s,
                Err(_) => return,
            };
            let _ = tx.send(server.handle());
            let _ = server.await;
        });
    });
    let handle = rx.recv().map_err(|_| anyhow!("the server did not start"))?;
    // An analyst's token, issued directly so that login hashing stays out of the timing.
    let mut conn = pool.get().map_err(|e| anyhow!(db::DbError::from(e)))?;
    let hash = crate::auth::password::hash("bench-password").map_err(|e| anyhow!("{e}"))?;
    let user = crate::domain::users::create_user(
        &mut conn,
        &crate::domain::Ctx::system("system:bench"),
        "bench-analyst",
        hash,
        crate::domain::Role::Analyst,
        None,
    )
    .map_err(|e| anyhow!("{e}"))?;
    let token = keys
        .issue(
            crate::auth::token::SubjectKind::User,
            &user.id,
            Some(crate::domain::Role::Analyst.code()),
            None,
            &[],
            user.token_version,
        )
        .map_err(|e| anyhow!(e))?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!(
        "http://127.0.0.1:{port}/api/v1/evaluations/{evaluation_id}/results?page=1&per_page=50"
    );
    let get = || -> Result<f64, CliError> {
        let start = Instant::now();
        let mut response = agent
            .get(&url)
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .map_err(|e| anyhow!("GET {url}: {e}"))?;
        let body = response
            .body_mut()
            .read_to_string()
            .map_err(|e| anyhow!(e))?;
        let elapsed = start.elapsed().as_secs_f64() * 1000.0;
        if response.status() != 200 || !body.contains("\"items\"") {
            return Err(anyhow!("unexpected answer {}: {body}", response.status()).into());
        }
        Ok(elapsed)
    };
    get()?;
    let mut times = (0..requests.max(5))
        .map(|_| get())
        .collect::<Result<Vec<f64>, CliError>>()?;
    actix_web::rt::System::new().block_on(handle.stop(true));
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}
