//! `pubeval bench console`: the server time of the console's busiest pages — home, a cycle, a
//! ranking and a result — over a generated SQLite database, through the real application with
//! an analyst's session, at each size asked for (default 1,250 and 60,000 bodies).

use std::time::Instant;

use actix_web::test::{self, TestRequest};
use anyhow::{Context, anyhow};
use clap::Args;
use pubeval_scoring::synthetic::Population;

use super::error::CliError;
use crate::config::Config;
use crate::db::models::evaluation::Evaluation;
use crate::db::models::scheme::SchemeRow;
use crate::domain::{Ctx, Role, evaluations};
use crate::evaluation;

/// Arguments of `pubeval bench console`.
#[derive(Debug, Args)]
pub struct ConsoleBenchArgs {
    /// Bodies to generate; repeat for several sizes (default 1250 and 60000).
    #[arg(long = "bodies")]
    pub bodies: Vec<usize>,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 2025)]
    pub seed: u64,
    /// Requests timed per page.
    #[arg(long, default_value_t = 200)]
    pub requests: usize,
}

const YEAR: i32 = 2025;

/// Runs the benchmark; prints, per size, `bodies:` and for each page `<page>_median_ms:` and
/// `<page>_p99_ms:`.
pub fn run(args: &ConsoleBenchArgs) -> Result<(), CliError> {
    if cfg!(debug_assertions) {
        eprintln!("警告：这是调试构建，数字不代表发布版性能 / warning: debug build; use --release");
    }
    let sizes = if args.bodies.is_empty() {
        vec![1250, 60_000]
    } else {
        args.bodies.clone()
    };
    println!("pubeval bench console (SQLite, seed {})", args.seed);
    for bodies in sizes {
        let dir = std::env::temp_dir().join(format!(
            "pubeval-bench-console-{}-{bodies}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).context("creating a temporary directory")?;
        let outcome = bench(bodies, args, &dir);
        std::fs::remove_dir_all(&dir).ok();
        outcome?;
    }
    Ok(())
}

fn bench(bodies: usize, args: &ConsoleBenchArgs, dir: &std::path::Path) -> Result<(), CliError> {
    let app = crate::Application::build(Config {
        database_url: format!("sqlite://{}", dir.join("bench.db").display()),
        data_dir: dir.to_path_buf(),
        pool_size: 4,
        ..Config::default()
    })?;
    let pool = app.pool().clone();
    let mut conn = pool
        .get()
        .map_err(|e| anyhow!(crate::db::DbError::from(e)))?;
    let scheme_row = SchemeRow::active(&mut conn)
        .map_err(|e| anyhow!(e))?
        .ok_or_else(|| anyhow!("no scheme"))?;
    let scheme = scheme_row.parsed().map_err(|e| anyhow!(e))?;

    // Setup, not timed: the registry, the year's reports and its evaluation (draft).
    let population = Population::generate(bodies, args.seed);
    let ids = crate::demo::data::insert_bodies(&mut conn, &population).map_err(|e| anyhow!(e))?;
    crate::demo::data::insert_year(
        &mut conn,
        &scheme,
        &scheme_row.id,
        &population,
        &ids,
        YEAR,
        args.seed,
    )
    .map_err(|e| anyhow!(e))?;
    let ctx = Ctx::system("system:bench");
    let run = evaluations::start(&mut conn, &ctx, YEAR, 0, 1).map_err(|e| anyhow!("{e}"))?;
    drop(conn);
    evaluation::execute(&pool, &Ctx::system("system"), &run.id, &|_| {}).map_err(|e| anyhow!(e))?;
    let mut conn = pool
        .get()
        .map_err(|e| anyhow!(crate::db::DbError::from(e)))?;
    let done = Evaluation::by_id(&mut conn, &run.id)
        .map_err(|e| anyhow!(e))?
        .ok_or_else(|| anyhow!("the evaluation vanished"))?;
    if done.failure.is_some() {
        return Err(anyhow!("the evaluation failed: {:?}", done.failure).into());
    }
    let hash = crate::auth::password::hash("bench-password-1").map_err(|e| anyhow!("{e}"))?;
    let user = crate::domain::users::create_user(
        &mut conn,
        &ctx,
        "bench-analyst",
        hash,
        Role::Analyst,
        None,
    )
    .map_err(|e| anyhow!("{e}"))?;
    drop(conn);
    let token = app
        .state()
        .keys
        .issue(
            crate::auth::token::SubjectKind::User,
            &user.id,
            Some(Role::Analyst.code()),
            None,
            &[],
            user.token_version,
        )
        .map_err(|e| anyhow!(e))?;
    let body = ids.get(ids.len() / 2).cloned().unwrap_or_default();
    let pages = [
        ("home", "/console/".to_string()),
        ("cycle", format!("/console/cycles/{YEAR}")),
        ("ranking", format!("/console/evaluations/{}", run.id)),
        (
            "result",
            format!("/console/evaluations/{}/results/{body}", run.id),
        ),
    ];
    let requests = args.requests.max(10);
    let state = app.state().clone();
    let timings = actix_web::rt::System::new().block_on(async move {
        let service = test::init_service(crate::app::build_app(state)).await;
        let cookie = format!("{}={token}", crate::console::session::COOKIE);
        let mut out = Vec::new();
        for (name, path) in &pages {
            let mut times = Vec::with_capacity(requests);
            for i in 0..=requests {
                let req = TestRequest::get()
                    .uri(path)
                    .insert_header(("Cookie", cookie.clone()))
                    .to_request();
                let start = Instant::now();
                let response = test::call_service(&service, req).await;
                let status = response.status();
                let _ = test::read_body(response).await;
                let elapsed = start.elapsed().as_secs_f64() * 1000.0;
                if !status.is_success() {
                    return Err(anyhow!("GET {path}: {status}"));
                }
                // The first request warms the caches and is not counted.
                if i > 0 {
                    times.push(elapsed);
                }
            }
            times.sort_by(f64::total_cmp);
            let p99 = times[((times.len() as f64 * 0.99).ceil() as usize).saturating_sub(1)];
            out.push((*name, times[times.len() / 2], p99));
        }
        Ok(out)
    })?;
    println!("bodies: {bodies}");
    for (name, median, p99) in timings {
        println!("{name}_median_ms: {median:.2}");
        println!("{name}_p99_ms: {p99:.2}");
    }
    Ok(())
}
