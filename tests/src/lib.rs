//! End-to-end tests of pubeval: the real application from `build_app`, over SQLite always and
//! over PostgreSQL when `PUBEVAL_TEST_POSTGRES_URL` is set, with helpers per role so that a
//! test reads like the story it checks.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::test;
use diesel::RunQueryDsl;
use pubeval::application::{Application, Options};
use pubeval::auth::token::TokenKeys;
use pubeval::build_app;
use pubeval::config::Config;
use pubeval::db::{self, DbPool};
use serde_json::{Value, json};

pub mod browser;
pub mod console;
pub mod sheets;

/// A year of `bodies` generated bodies (the demo's generator, `seed`) under the active scheme,
/// and that year's evaluation run to draft; the evaluation's id.
pub fn generated_draft_evaluation(pool: &DbPool, year: i32, bodies: usize, seed: u64) -> String {
    use pubeval::domain::{Ctx, evaluations};
    let mut conn = pool.get().expect("conn");
    let row = pubeval::db::models::scheme::SchemeRow::active(&mut conn)
        .expect("scheme")
        .expect("an active scheme");
    let scheme = row.parsed().expect("parsed scheme");
    let population = pubeval_scoring::synthetic::Population::generate(bodies, seed);
    let ids = pubeval::demo::data::insert_bodies(&mut conn, &population).expect("bodies");
    pubeval::demo::data::insert_year(&mut conn, &scheme, &row.id, &population, &ids, year, seed)
        .expect("year");
    let run =
        evaluations::start(&mut conn, &Ctx::system("system:test"), year, 50, 1).expect("start");
    drop(conn);
    pubeval::evaluation::execute(pool, &Ctx::system("system"), &run.id, &|_| {}).expect("run");
    run.id
}

/// `bodies` generated bodies with each of `years` written under the active scheme, evaluated
/// (without the uncertainty analysis) and made final in turn, so that each year reads the
/// previous one's totals; the last evaluation's id. Runs on a thread of its own, since polars
/// may not block an async test's runtime.
pub fn generated_final_years(pool: &DbPool, years: &[i32], bodies: usize, seed: u64) -> String {
    let pool = pool.clone();
    let years = years.to_vec();
    std::thread::spawn(move || {
        use pubeval::domain::{Ctx, evaluations};
        let mut conn = pool.get().expect("conn");
        let row = pubeval::db::models::scheme::SchemeRow::active(&mut conn)
            .expect("scheme")
            .expect("an active scheme");
        let scheme = row.parsed().expect("parsed scheme");
        let population = pubeval_scoring::synthetic::Population::generate(bodies, seed);
        let ids = pubeval::demo::data::insert_bodies(&mut conn, &population).expect("bodies");
        let ctx = Ctx::system("system:test");
        let mut last = String::new();
        for year in years {
            pubeval::demo::data::insert_year(
                &mut conn,
                &scheme,
                &row.id,
                &population,
                &ids,
                year,
                seed,
            )
            .expect("year");
            let run = evaluations::start(&mut conn, &ctx, year, 0, 1).expect("start");
            pubeval::evaluation::execute(&pool, &Ctx::system("system"), &run.id, &|_| {})
                .expect("run");
            evaluations::publish(&mut conn, &ctx, &run.id, Some(1)).expect("publish");
            evaluations::finalize(&mut conn, &ctx, &run.id).expect("finalize");
            last = run.id;
        }
        last
    })
    .join()
    .expect("the years were written")
}

/// The environment variable naming the PostgreSQL server tests may use.
pub const POSTGRES_ENV: &str = "PUBEVAL_TEST_POSTGRES_URL";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// What a test's database leaves behind, removed when dropped.
pub enum DbGuard {
    /// The temporary directory of a SQLite file.
    Sqlite(tempdir::Guard),
    /// A PostgreSQL schema of its own.
    Postgres { base: String, schema: String },
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        if let DbGuard::Postgres { base, schema } = self
            && let Ok(pool) = db::connect(base, 1)
            && let Ok(mut conn) = pool.get()
        {
            let _ = diesel::sql_query(format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                .execute(&mut conn);
        }
    }
}

/// A fresh database of the backend: a temporary SQLite file, or a new PostgreSQL schema of
/// its own (so tests run side by side); its URL and the guard that removes it.
pub fn fresh_database(backend: Backend) -> (String, DbGuard) {
    match backend {
        Backend::Sqlite => {
            let dir = tempdir::Guard::new();
            (
                format!("sqlite://{}", dir.path.join("test.db").display()),
                DbGuard::Sqlite(dir),
            )
        }
        Backend::Postgres => {
            let base = std::env::var(POSTGRES_ENV).unwrap_or_else(|_| {
                panic!("{POSTGRES_ENV} must name a PostgreSQL database for this test")
            });
            let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
            let pool = db::connect(&base, 1).expect("connect to PostgreSQL");
            let mut conn = pool.get().expect("a connection");
            diesel::sql_query(format!("CREATE SCHEMA {schema}"))
                .execute(&mut conn)
                .expect("create schema");
            let sep = if base.contains('?') { '&' } else { '?' };
            (
                format!("{base}{sep}options=-csearch_path%3D{schema}"),
                DbGuard::Postgres { base, schema },
            )
        }
    }
}

/// A temporary directory removed when dropped.
pub mod tempdir {
    /// The guard.
    pub struct Guard {
        pub path: std::path::PathBuf,
    }
    impl Guard {
        pub fn new() -> Guard {
            let path = std::env::temp_dir()
                .join(format!("pubeval-test-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&path).expect("temp dir");
            Guard { path }
        }
    }
    impl Default for Guard {
        fn default() -> Self {
            Guard::new()
        }
    }
    impl Drop for Guard {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// The secret every test app signs with (tests forge tokens with it).
pub const TEST_SECRET: &[u8] = b"pubeval-test-secret-of-at-least-32-bytes!";
/// The admin every test app starts with.
pub const ADMIN: (&str, &str) = ("admin", "admin-password-1");

/// A running application and its database.
pub struct TestApp<S> {
    pub service: S,
    pub pool: DbPool,
    pub keys: Arc<TokenKeys>,
    pub backend: Backend,
    /// The database and data directory the app removes when dropped (the second app of a
    /// pair shares the first's and removes nothing).
    _db: Option<DbGuard>,
    _data: Option<tempdir::Guard>,
}

/// Starts the real application on a fresh database with one admin.
pub async fn spawn(
    backend: Backend,
) -> TestApp<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
    >,
> {
    spawn_with(backend, |_| {}).await
}

/// Starts the real application with a configuration changed by `configure`.
pub async fn spawn_with(
    backend: Backend,
    configure: impl FnOnce(&mut Config),
) -> TestApp<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
    >,
> {
    spawn_with_clock(backend, configure, None).await
}

/// Starts the real application reading "now" from `clock` (the system's when `None`).
pub async fn spawn_with_clock(
    backend: Backend,
    configure: impl FnOnce(&mut Config),
    clock: Option<pubeval::domain::clock::SharedClock>,
) -> TestApp<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
    >,
> {
    let (url, dir) = fresh_database(backend);
    let data = tempdir::Guard::new();
    let path = data.path.clone();
    start(
        backend,
        url,
        path,
        (Some(dir), Some(data)),
        configure,
        clock,
        true,
    )
    .await
}

/// Two instances of the application on one database and one data directory (the JWT and
/// audit keys), as DESIGN.md §2 deploys several behind a load balancer: each with its own
/// pool, throttle and caches. The admin is created once; the first app removes the database.
pub async fn spawn_pair(
    backend: Backend,
) -> (
    TestApp<
        impl Service<
            actix_http::Request,
            Response = ServiceResponse<impl actix_web::body::MessageBody>,
            Error = actix_web::Error,
        >,
    >,
    TestApp<
        impl Service<
            actix_http::Request,
            Response = ServiceResponse<impl actix_web::body::MessageBody>,
            Error = actix_web::Error,
        >,
    >,
) {
    let (url, dir) = fresh_database(backend);
    let data = tempdir::Guard::new();
    let path = data.path.clone();
    let first = start(
        backend,
        url.clone(),
        path.clone(),
        (Some(dir), Some(data)),
        |_| {},
        None,
        true,
    )
    .await;
    let second = start(backend, url, path, (None, None), |_| {}, None, false).await;
    (first, second)
}

/// Starts the real application on a database the test prepared itself (and removes itself),
/// with one admin.
pub async fn spawn_at(
    backend: Backend,
    url: String,
) -> TestApp<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
    >,
> {
    let data = tempdir::Guard::new();
    let path = data.path.clone();
    start(backend, url, path, (None, Some(data)), |_| {}, None, true).await
}

/// Starts an application on a database and data directory, creating the admin when asked.
async fn start(
    backend: Backend,
    url: String,
    data_dir: std::path::PathBuf,
    guards: (Option<DbGuard>, Option<tempdir::Guard>),
    configure: impl FnOnce(&mut Config),
    clock: Option<pubeval::domain::clock::SharedClock>,
    with_admin: bool,
) -> TestApp<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
    >,
> {
    let mut config = Config {
        max_body_bytes: 64 * 1024,
        database_url: url,
        data_dir,
        pool_size: 4,
        ..Config::default()
    };
    configure(&mut config);
    let keys = TokenKeys::new(TEST_SECRET, &config.issuer, &config.audience, 600).expect("keys");
    let application = Application::build_with(
        config,
        Options {
            keys: Some(keys),
            clock,
        },
    )
    .expect("application");
    let pool = application.pool().clone();
    let keys = application.state().keys.clone();
    if with_admin {
        let mut conn = pool.get().expect("conn");
        let hash = pubeval::auth::password::hash(ADMIN.1).expect("hash");
        pubeval::domain::users::create_user(
            &mut conn,
            &pubeval::domain::Ctx::system("system:test"),
            ADMIN.0,
            hash,
            pubeval::domain::Role::Admin,
            None,
        )
        .expect("admin");
    }
    let state = application.state().clone();
    let service = test::init_service(build_app(state)).await;
    TestApp {
        service,
        pool,
        keys,
        backend,
        _db: guards.0,
        _data: guards.1,
    }
}

/// A response: status, headers and JSON body (Null when empty).
pub struct Reply {
    pub status: StatusCode,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Value,
    /// The body as sent, for binary answers (PDF, PNG, XLSX).
    pub bytes: Vec<u8>,
}

impl Reply {
    /// A header's value as text ("" when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl<S, B> TestApp<S>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    /// Sends a request.
    pub async fn send(&self, req: test::TestRequest) -> Reply {
        let res = test::call_service(&self.service, req.to_request()).await;
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = test::read_body(res).await;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Reply {
            status,
            headers,
            body,
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let mut req = test::TestRequest::get().uri(path);
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        self.send(req).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        let mut req = test::TestRequest::post().uri(path).set_json(body);
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        self.send(req).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        let mut req = test::TestRequest::patch().uri(path).set_json(body);
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        self.send(req).await
    }

    /// Logs in with a password; the token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let r = self
            .post(
                "/api/v1/auth/token",
                None,
                json!({"grant_type": "password", "username": username, "password": password}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "login {username}: {}", r.body);
        r.body["access_token"].as_str().unwrap().to_string()
    }

    pub async fn admin(&self) -> String {
        self.login(ADMIN.0, ADMIN.1).await
    }

    /// Creates a user (as admin) and logs in as them.
    pub async fn user(&self, username: &str, role: &str, body_id: Option<&str>) -> String {
        let admin = self.admin().await;
        let password = format!("{username}-password");
        let r = self
            .post("/api/v1/users", Some(&admin), json!({"username": username, "password": password, "role": role, "body_id": body_id}))
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "create user {username}: {}",
            r.body
        );
        self.login(username, &password).await
    }

    pub async fn analyst(&self) -> String {
        self.user("analyst1", "analyst", None).await
    }

    /// Registers a body (as admin); its id.
    pub async fn body(&self, approval_no: &str, category: &str) -> String {
        let admin = self.admin().await;
        let r = self
            .post(
                "/api/v1/bodies",
                Some(&admin),
                json!({"approval_no": approval_no, "name": format!("{approval_no} 认证有限公司"), "category": category, "province": "北京", "approved_on": "2010-03-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "create body: {}", r.body);
        r.body["id"].as_str().unwrap().to_string()
    }

    /// Creates an api client (as admin) and obtains its token.
    pub async fn client(&self, scopes: &[&str]) -> String {
        let admin = self.admin().await;
        let r = self
            .post(
                "/api/v1/clients",
                Some(&admin),
                json!({"name": "外部系统", "scopes": scopes}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "create client: {}", r.body);
        let t = self
            .post(
                "/api/v1/auth/token",
                None,
                json!({"grant_type": "client_credentials", "client_id": r.body["client_id"], "client_secret": r.body["client_secret"]}),
            )
            .await;
        assert_eq!(t.status, StatusCode::OK, "client token: {}", t.body);
        t.body["access_token"].as_str().unwrap().to_string()
    }
}

/// A complete annual report; `press_releases` and `bools` move the score.
pub fn sample_report(press_releases: i64, bools: bool) -> Value {
    json!({
        "policy_approved": true, "leadership_designated": bools, "spokesperson_system": bools,
        "annual_plan": true, "three_reviews": bools, "major_event_reporting_system": true,
        "press_releases": press_releases, "media_channels": ["website", "wechat"], "original_posts": 120,
        "campaigns": ["quality_cert_week"], "expert_interpretations": 3, "opinion_monitoring": true,
        "disclosed_items": ["cert_fields", "basic_norms", "cert_rules"],
        "complaints_received": 10, "complaints_resolved_on_time": 9, "media_partnerships": 2,
        "publicity_budget_wan": 30, "revenue_wan": 10000, "dedicated_staff": 2, "training_hours": 8,
        "public_welfare_activities": 3, "account_security": true, "target_responsibility": bools,
        "incentive_mechanism": true, "in_annual_report": true
    })
}

/// An evaluation that has run over bodies which each submitted a report.
pub struct Evaluated {
    /// The evaluation's id.
    pub id: String,
    /// Each body's id and its user's token, in the order given.
    pub bodies: Vec<(String, String)>,
}

impl<S, B> TestApp<S>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    /// Opens the 2025 cycle, registers one body per `(category, press_releases, bools)` with a
    /// user who submits [`sample_report`], runs an evaluation and waits for it.
    pub async fn evaluated_2025(&self, analyst: &str, bodies: &[(&str, i64, bool)]) -> Evaluated {
        let now = chrono::Utc::now();
        self.post("/api/v1/cycles", Some(analyst), json!({"year": 2025, "opens_at": (now - chrono::Duration::days(1)).to_rfc3339(), "closes_at": (now + chrono::Duration::days(9)).to_rfc3339()})).await;
        let mut ids = Vec::new();
        for (i, (category, press, bools)) in bodies.iter().enumerate() {
            let id = self
                .body(&format!("CNCA-R-2018-{:03}", i + 1), category)
                .await;
            let user = self.user(&format!("b{i}"), "body", Some(&id)).await;
            let path = format!("/api/v1/bodies/{id}/submissions/2025");
            let put = test::TestRequest::put()
                .uri(&path)
                .insert_header(("Authorization", format!("Bearer {user}")))
                .set_json(json!({"payload": sample_report(*press, *bools)}));
            assert_eq!(self.send(put).await.status, StatusCode::CREATED);
            let submitted = self
                .post(&format!("{path}/submit"), Some(&user), json!({}))
                .await;
            assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
            ids.push((id, user));
        }
        let r = self
            .post(
                "/api/v1/evaluations",
                Some(analyst),
                json!({"year": 2025, "draws": 50}),
            )
            .await;
        let id = r.body["id"].as_str().expect("evaluation id").to_string();
        let started = std::time::Instant::now();
        while self
            .get(&format!("/api/v1/evaluations/{id}"), Some(analyst))
            .await
            .body["status"]
            == "running"
        {
            assert!(started.elapsed() < std::time::Duration::from_secs(60));
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        Evaluated { id, bodies: ids }
    }

    /// Puts a draft evaluation to public notice and makes it final, as `analyst`; each step
    /// must answer 200.
    pub async fn finalize(&self, analyst: &str, evaluation: &str) {
        for step in ["publish", "finalize"] {
            let r = self
                .post(
                    &format!("/api/v1/evaluations/{evaluation}/{step}"),
                    Some(analyst),
                    json!({}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{step}: {}", r.body);
        }
    }
}

/// Asserts the one error shape with this status and code.
pub fn assert_error(reply: &Reply, status: StatusCode, code: &str) {
    assert_eq!(reply.status, status, "body: {}", reply.body);
    assert_eq!(reply.body["error"]["code"], code, "body: {}", reply.body);
    assert!(
        reply.body["error"]["message"].is_string(),
        "body: {}",
        reply.body
    );
    assert!(
        reply.body["error"]["details"].is_array(),
        "body: {}",
        reply.body
    );
}

/// Like `on_both_backends!`, for tests that render PDFs or PNGs: both are ignored unless asked
/// for, since they need a CJK font installed (`.ci/run` installs one and runs them).
#[macro_export]
macro_rules! on_both_backends_with_fonts {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[actix_web::test]
            #[ignore = "needs a CJK font (apt-get install fonts-noto-cjk)"]
            async fn sqlite() {
                ($body)($crate::Backend::Sqlite).await;
            }

            #[actix_web::test]
            #[ignore = "needs PostgreSQL (PUBEVAL_TEST_POSTGRES_URL) and a CJK font"]
            async fn postgres() {
                ($body)($crate::Backend::Postgres).await;
            }
        }
    };
}

/// Defines a test twice: on SQLite, and on PostgreSQL (ignored unless asked for, since it
/// needs a server; `.ci/run` runs it with `PUBEVAL_TEST_POSTGRES_URL` set).
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[actix_web::test]
            async fn sqlite() {
                ($body)($crate::Backend::Sqlite).await;
            }

            #[actix_web::test]
            #[ignore = "needs PostgreSQL (PUBEVAL_TEST_POSTGRES_URL)"]
            async fn postgres() {
                ($body)($crate::Backend::Postgres).await;
            }
        }
    };
}
