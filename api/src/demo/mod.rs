//! `pubeval demo`: a fresh demo database with about 1,250 plausible bodies and three years of
//! history — final evaluations for 2023 and 2024 with warnings in every state, 2025 in public
//! notice with an open objection — and the current year's cycle open, its reports in every
//! state; then the server, with the console's address and the logins printed.
//!
//! History (registry, reports, incidents) is written straight into the database, since its
//! windows lie in the past; every step of the evaluation process then goes through the real
//! application, in process, and the current year's reports through the domain's use cases, so
//! the demo is what the API and the console produce.

pub mod current;
pub mod data;
mod welcome;

use std::path::{Path, PathBuf};

use actix_web::dev::{Service, ServiceResponse};
use actix_web::test::{self, TestRequest};
use anyhow::{Context, anyhow};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use pubeval_scoring::synthetic::Population;
use serde_json::{Value, json};

use crate::config::Config;
use crate::db::models::evaluation::Evaluation;
use crate::db::models::scheme::SchemeRow;
use crate::db::{self, DbPool};
use crate::domain::Role;
use crate::state::AppState;
use welcome::Built;

/// What building the demo can fail with.
type DemoError = anyhow::Error;

/// The file that marks a directory as the demo's own.
const MARKER: &str = ".pubeval-demo";
/// The demo's logins (printed when it starts).
const LOGINS: [(&str, &str, Role); 3] = [
    ("admin", "demo-admin-2026", Role::Admin),
    ("analyst", "demo-analyst-2026", Role::Analyst),
    ("body", "demo-body-2026", Role::Body),
];

/// Arguments of `pubeval demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address to serve on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Directory of the demo database (created; a database the demo did not create is never
    /// touched).
    #[arg(long, default_value = "./pubeval-demo")]
    pub dir: PathBuf,
    /// Bodies to generate.
    #[arg(long, default_value_t = 1250)]
    pub bodies: usize,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Build the database and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
}

/// Runs `pubeval demo`.
pub fn run(args: &DemoArgs) -> Result<(), DemoError> {
    let db_path = prepare_dir(&args.dir)?;
    let config = Config {
        bind: args.bind.clone(),
        database_url: format!("sqlite://{}", db_path.display()),
        data_dir: args.dir.clone(),
        // The operator's scraper reads the demo's /metrics as it would a server's.
        metrics_token: std::env::var("PUBEVAL_METRICS_TOKEN")
            .ok()
            .filter(|t| !t.is_empty()),
        ..Config::default()
    };
    let app = crate::Application::build(Config {
        pool_size: 4,
        ..config.clone()
    })?;
    let state = app.state().clone();
    let pool = app.pool().clone();
    let built = actix_web::rt::System::new().block_on(build(args, state.clone(), &pool))?;
    let final_2024 = {
        let mut conn = pool
            .get()
            .map_err(|e| anyhow!(crate::db::DbError::from(e)))?;
        Evaluation::final_of_year(&mut conn, 2024).map_err(|e| anyhow!(e))?
    };
    welcome::print(args, &built, final_2024.as_ref().map(|e| e.id.as_str()));
    if args.no_serve {
        return Ok(());
    }
    app.serve_forever(&config.bind)
}

/// Creates the directory, or clears a demo database it holds; refuses anything else.
fn prepare_dir(dir: &Path) -> Result<PathBuf, DemoError> {
    let db_path = dir.join("pubeval.db");
    if dir.exists() {
        let ours = dir.join(MARKER).exists();
        if !ours && db_path.exists() {
            return Err(anyhow!(
                "{} 中的数据库不是演示程序创建的，不会改动它；请换一个 --dir / the database in {} was not created by the demo; choose another --dir",
                dir.display(),
                dir.display()
            ));
        }
        for suffix in ["", "-wal", "-shm"] {
            let file = dir.join(format!("pubeval.db{suffix}"));
            if file.exists() {
                std::fs::remove_file(&file)
                    .with_context(|| format!("removing {}", file.display()))?;
            }
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(dir.join(MARKER), "created by pubeval demo\n")
        .context("writing the demo marker")?;
    Ok(db_path)
}

async fn build(args: &DemoArgs, state: AppState, pool: &DbPool) -> Result<Built, DemoError> {
    let bar = ProgressBar::new(13);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} 构建演示数据 [{bar:30}] {pos}/{len} {msg} ({elapsed})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let step = |msg: &str| {
        bar.inc(1);
        bar.set_message(msg.to_string());
    };
    let mut conn = pool.get().map_err(|e| anyhow!(db::DbError::from(e)))?;
    let scheme_row = SchemeRow::active(&mut conn)
        .map_err(|e| anyhow!(e))?
        .ok_or_else(|| anyhow!("no active scheme"))?;
    let scheme = scheme_row.parsed().map_err(|e| anyhow!(e))?;

    step("机构名录");
    let population = Population::generate(args.bodies, args.seed);
    let ids = data::insert_bodies(&mut conn, &population).map_err(|e| anyhow!(e))?;
    for year in [2023, 2024, 2025] {
        step(&format!("{year} 年度报告与事件"));
        data::insert_year(
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

    step("演示账号");
    let body_id = showcase_body(&mut conn, &ids)?;
    let mut principals = Vec::with_capacity(LOGINS.len());
    for (username, password, role) in LOGINS {
        let hash = crate::auth::password::hash(password).map_err(|e| anyhow!("{e}"))?;
        let body = (role == Role::Body).then(|| body_id.clone());
        let user = crate::domain::users::create_user(
            &mut conn,
            &crate::domain::Ctx::system("system:demo"),
            username,
            hash,
            role,
            body.clone(),
        )
        .map_err(|e| anyhow!("{e}"))?;
        principals.push(crate::domain::Principal::User {
            id: user.id,
            username: user.username,
            role,
            body_id: body,
        });
    }
    let login_of = |role: Role| {
        principals
            .iter()
            .find(|p| p.role() == Some(role))
            .cloned()
            .ok_or_else(|| anyhow!("no demo login of role {}", role.code()))
    };
    let (body_login, analyst) = (login_of(Role::Body)?, login_of(Role::Analyst)?);
    let body_name = crate::db::models::body::Body::by_id(&mut conn, &body_id)
        .map_err(|e| anyhow!(e))?
        .map(|b| b.name)
        .unwrap_or_default();
    let credentials = crate::domain::clients::create_client(
        &mut conn,
        &crate::domain::Ctx::system("system:demo"),
        state.keys.client_secrets(),
        "演示外部系统",
        &crate::domain::Scope::ALL,
    )
    .map_err(|e| anyhow!("{e}"))?;
    drop(conn);

    let app = test::init_service(crate::app::build_app(state)).await;
    let admin = login(&app, "admin", "demo-admin-2026").await?;
    let body_token = login(&app, "body", "demo-body-2026").await?;
    for year in [2023, 2024] {
        step(&format!("{year} 年度评价与定稿"));
        let id = evaluate(pool, year)?;
        call(
            &app,
            "POST",
            &format!("/api/v1/evaluations/{id}/publish"),
            &admin,
            json!({}),
        )
        .await?;
        call(
            &app,
            "POST",
            &format!("/api/v1/evaluations/{id}/finalize"),
            &admin,
            json!({}),
        )
        .await?;
        step(&format!("{year} 年度风险警示"));
        walk_warnings(&app, &admin, &id, year).await?;
        let mut conn = pool.get().map_err(|e| anyhow!(db::DbError::from(e)))?;
        data::backdate_year(&mut conn, &id, year).map_err(|e| anyhow!(e))?;
    }
    step("2025 年度评价与公示");
    let id = evaluate(pool, 2025)?;
    call(
        &app,
        "POST",
        &format!("/api/v1/evaluations/{id}/publish"),
        &admin,
        json!({"objection_days": 15}),
    )
    .await?;
    call(
        &app,
        "POST",
        &format!("/api/v1/evaluations/{id}/objections"),
        &body_token,
        json!({"text": "本机构 2025 年 3 月的要情已于当日通过电话向监管部门报告，恳请核实后更正迟报认定。"}),
    )
    .await?;
    step("本年度报送（进行中）");
    let mut conn = pool.get().map_err(|e| anyhow!(db::DbError::from(e)))?;
    let current = current::build(
        &mut conn,
        &scheme,
        &population,
        &ids,
        args.seed,
        &body_id,
        &body_login,
        &analyst,
    )?;
    step("完成");
    bar.finish_and_clear();
    Ok(Built {
        client_id: credentials.client_id,
        client_secret: credentials.client_secret,
        body_name,
        current,
    })
}

/// The body the demo's body user belongs to: one with a late-reported event in 2025, so that
/// its objection reads true; else the first body.
fn showcase_body(conn: &mut db::DbConn, ids: &[String]) -> Result<String, DemoError> {
    use crate::db::schema::incidents;
    use diesel::prelude::*;
    let (start, _) = pubeval_scoring::incident::year_bounds(2025).ok_or_else(|| anyhow!("year"))?;
    let candidates: Vec<String> = incidents::table
        .filter(incidents::kind.eq("major_event"))
        .filter(incidents::occurred_at.ge(start.naive_utc()))
        .filter(incidents::reported_at.is_not_null())
        .select(incidents::body_id)
        .load(conn)
        .map_err(|e| anyhow!(e))?;
    Ok(candidates
        .into_iter()
        .next()
        .or_else(|| ids.first().cloned())
        .unwrap_or_default())
}

/// Runs an evaluation to draft. On a thread of its own: polars must not run inside the async
/// runtime the demo drives the application with.
fn evaluate(pool: &DbPool, year: i32) -> Result<String, DemoError> {
    let pool = pool.clone();
    std::thread::spawn(move || -> Result<String, String> {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        let started = crate::domain::evaluations::start(
            &mut conn,
            &crate::domain::Ctx::system("system:demo"),
            year,
            crate::domain::evaluations::DEFAULT_DRAWS,
            year as u64,
        )
        .map_err(|e| e.to_string())?;
        drop(conn);
        let system = crate::domain::Ctx::system("system");
        crate::evaluation::execute(&pool, &system, &started.id, &|_| {})?;
        Ok(started.id)
    })
    .join()
    .map_err(|_| anyhow!("the evaluation thread panicked"))?
    .map_err(|e| anyhow!(e))
}

/// Moves the year's draft warnings through every state a regulator's year would show.
async fn walk_warnings<S, B>(
    app: &S,
    admin: &str,
    evaluation: &str,
    year: i32,
) -> Result<(), DemoError>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    let list = call(
        app,
        "GET",
        &format!("/api/v1/warnings?evaluation={evaluation}&per_page=500"),
        admin,
        Value::Null,
    )
    .await?;
    let items = list["items"].as_array().cloned().unwrap_or_default();
    for (i, w) in items.iter().enumerate() {
        let id = w["id"].as_str().unwrap_or_default();
        let path = |action: &str| format!("/api/v1/warnings/{id}/{action}");
        // The latest year keeps a few drafts still under review.
        if year == 2024 && i % 11 == 10 {
            continue;
        }
        if i % 9 == 8 {
            call(
                app,
                "POST",
                &path("withdraw"),
                admin,
                json!({"reason": "经复核，相关事件已由其他渠道及时报告，撤回警示"}),
            )
            .await?;
            continue;
        }
        let confirmation = w["review_required"]
            .as_bool()
            .unwrap_or(false)
            .then_some("已复核稳健性分析，确认发出");
        call(
            app,
            "POST",
            &path("issue"),
            admin,
            json!({"confirmation": confirmation}),
        )
        .await?;
        match i % 6 {
            0 => {}
            1 => {
                call(app, "POST", &path("acknowledge"), admin, json!({})).await?;
            }
            2..=4 => {
                call(app, "POST", &path("acknowledge"), admin, json!({})).await?;
                call(
                    app,
                    "POST",
                    &path("rectification"),
                    admin,
                    json!({"report": "已修订宣传管理制度，组织全员培训，并完善要情报告流程。"}),
                )
                .await?;
                match i % 6 {
                    3 => {
                        call(
                            app,
                            "POST",
                            &path("close"),
                            admin,
                            json!({"comment": "整改到位，予以关闭"}),
                        )
                        .await?;
                    }
                    4 => {
                        call(
                            app,
                            "POST",
                            &path("send_back"),
                            admin,
                            json!({"comment": "整改报告未附培训记录，请补充"}),
                        )
                        .await?;
                    }
                    _ => {}
                }
            }
            _ => {
                call(
                    app,
                    "POST",
                    &path("escalate"),
                    admin,
                    json!({"reason": "逾期未整改，移交监督检查"}),
                )
                .await?;
            }
        }
    }
    Ok(())
}

async fn login<S, B>(app: &S, username: &str, password: &str) -> Result<String, DemoError>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    let r = call(
        app,
        "POST",
        "/api/v1/auth/token",
        "",
        json!({"grant_type": "password", "username": username, "password": password}),
    )
    .await?;
    r["access_token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow!("demo login failed"))
}

/// One request to the application in process; any status but 2xx is an error.
async fn call<S, B>(
    app: &S,
    method: &str,
    path: &str,
    token: &str,
    body: Value,
) -> Result<Value, DemoError>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    let mut req = match method {
        "GET" => TestRequest::get(),
        _ => TestRequest::post().set_json(&body),
    }
    .uri(path);
    if !token.is_empty() {
        req = req.insert_header(("Authorization", format!("Bearer {token}")));
    }
    let res = test::call_service(app, req.to_request()).await;
    let status = res.status();
    let bytes = test::read_body(res).await;
    let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(anyhow!("{method} {path} → {status}: {value}"));
    }
    Ok(value)
}
