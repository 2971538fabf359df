//! `Application::build`: the one place the application is assembled from its configuration —
//! database opened, migrated and seeded, keys loaded, clock and documents set — used by
//! `serve`, `demo`, the benches and the tests.

use std::net::TcpListener;
use std::sync::Arc;

use anyhow::{Context, anyhow};

use crate::auth::throttle::LoginThrottle;
use crate::auth::token::TokenKeys;
use crate::config::Config;
use crate::db::{self, DbPool};
use crate::domain::clock::{self, SharedClock};
use crate::domain::{Ctx, Principal};
use crate::evaluation::queue::EvaluationQueue;
use crate::state::AppState;

/// What a caller may set instead of the defaults (tests: a known signing key, a fixed clock).
#[derive(Default)]
pub struct Options {
    /// Token keys to use instead of those the configuration names or generates.
    pub keys: Option<TokenKeys>,
    /// The clock (default: the system's).
    pub clock: Option<SharedClock>,
}

/// An assembled application: its state, ready to serve.
#[derive(Debug, Clone)]
pub struct Application {
    state: AppState,
}

impl Application {
    /// Builds the application of a configuration.
    pub fn build(config: Config) -> anyhow::Result<Application> {
        Application::build_with(config, Options::default())
    }

    /// Builds the application with some parts given.
    pub fn build_with(config: Config, options: Options) -> anyhow::Result<Application> {
        let pool = open_database(&config)?;
        let clock = options.clock.unwrap_or_else(clock::system);
        // The platform's own context (background runs, start-up), on the application's clock.
        let system = Ctx::new(
            Principal::System {
                name: "system".into(),
            },
            clock.clone(),
        );
        fail_interrupted_runs(&pool, &system)?;
        let runs = EvaluationQueue::start(pool.clone(), system, config.evaluation_workers)
            .context("starting the evaluation workers")?;
        let keys = match options.keys {
            Some(keys) => keys,
            None => TokenKeys::load_or_generate(
                config.jwt_secret_file.as_deref(),
                &config.data_dir,
                &config.issuer,
                &config.audience,
                config.token_ttl_seconds,
            )
            .map_err(|e| anyhow!(e))?,
        };
        let state = AppState {
            pool,
            keys: Arc::new(keys),
            principals: Arc::default(),
            ranking_pages: Arc::default(),
            db_turns: Arc::new(tokio::sync::Semaphore::new(
                usize::try_from(config.pool_size.max(1)).unwrap_or(1),
            )),
            throttle: Arc::new(LoginThrottle::default()),
            documents: Arc::new(crate::documents::Documents::from_config(&config)),
            clock,
            runs: Arc::new(runs),
            metrics: crate::observe::Metrics::new().map_err(|e| anyhow!(e))?,
            config: Arc::new(config),
        };
        Ok(Application { state })
    }

    /// The shared state.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The database pool.
    pub fn pool(&self) -> &DbPool {
        &self.state.pool
    }

    /// Serves on a listener already bound (port 0 in tests and benches: no free-port race),
    /// with `workers` threads (0: actix's default, one per core). The returned server runs
    /// when awaited; its handle stops it.
    pub fn serve(
        &self,
        listener: TcpListener,
        workers: usize,
    ) -> std::io::Result<actix_web::dev::Server> {
        let state = self.state.clone();
        let mut server = actix_web::HttpServer::new(move || crate::app::build_app(state.clone()));
        if workers > 0 {
            server = server.workers(workers);
        }
        Ok(server.listen(listener)?.run())
    }
}

impl Application {
    /// Serves on `bind` until the process is stopped (SIGINT or SIGTERM stop it gracefully).
    pub fn serve_forever(&self, bind: &str) -> anyhow::Result<()> {
        init_logging();
        // Find the fonts while the server starts, so that the first PDF does not wait for the
        // scan and a missing font is logged at start-up rather than at the first request.
        let documents = self.state.documents.clone();
        std::thread::spawn(move || {
            let _ = documents.typesetter();
        });
        let listener = TcpListener::bind(bind)
            .with_context(|| format!("无法监听 / cannot listen on {bind}"))?;
        // The address actually bound (port 0 picks a free one): printed, so that whoever
        // started the server — a person, a supervisor, a test — knows where it answers.
        let address = listener.local_addr().context("the bound address")?;
        tracing::info!(%address, "listening");
        println!("pubeval 正在监听 / listening on http://{address}/");
        let _ = std::io::Write::flush(&mut std::io::stdout());
        let app = self.clone();
        let served = actix_web::rt::System::new()
            .block_on(async move { app.serve(listener, 0)?.await.context("server") });
        // The server has stopped taking requests: let the runs under way finish.
        self.state.runs.shutdown();
        served
    }
}

/// Every run still `running` when the application starts was interrupted by the restart
/// (runs live only in a process's queue): it is failed, with an audit entry, so that it
/// neither shows as running nor blocks its year.
fn fail_interrupted_runs(pool: &DbPool, system: &Ctx) -> anyhow::Result<()> {
    let mut conn = pool
        .get()
        .map_err(|e| anyhow!(db::DbError::from(e)))
        .context("opening the database")?;
    let failed = crate::domain::evaluations::fail_interrupted(&mut conn, system)
        .map_err(|e| anyhow!(e))
        .context("failing interrupted evaluations")?;
    for id in failed {
        tracing::warn!(evaluation = %id, "evaluation interrupted by restart, marked failed");
    }
    Ok(())
}

/// Logs to standard error, filtered by `RUST_LOG` (default `info`).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// Opens the configured database, brings its schema and default scheme up to date, and keys
/// its audit chain with the data directory's key.
pub fn open_database(config: &Config) -> anyhow::Result<DbPool> {
    let pool = db::connect(&config.database_url, config.pool_size).map_err(|e| anyhow!(e))?;
    let mut conn = pool
        .get()
        .map_err(|e| anyhow!(db::DbError::from(e)))
        .context("opening the database")?;
    db::migrate(&mut conn).map_err(|e| anyhow!(e))?;
    // The audit chain's key, before anything (the seed) appends to the chain.
    crate::domain::audit::use_key_of(&mut conn, &config.data_dir).map_err(|e| anyhow!(e))?;
    crate::seed::default_scheme(&mut conn).map_err(|e| anyhow!(e))?;
    Ok(pool)
}
