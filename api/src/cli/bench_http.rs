//! `pubeval bench http`: requests per second and latency of a running server, as its users
//! meet it — a password login, the first ranking page (as an analyst, and as an external
//! system reading the final one), a body's own result and a report save — at several numbers
//! of connections, each next to `/healthz` in the same run (the framework's ceiling on this
//! machine). Run it against `pubeval demo` (release build). The connections are driven by
//! `bench_http_load`.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, anyhow};
use clap::Args;
use serde_json::{Value, json};

use super::bench_http_load::{Request, Target, run_cell};
use super::error::CliError;
use crate::states::{EvaluationStatus, TextEnum};

/// Arguments of `pubeval bench http`.
#[derive(Debug, Args)]
pub struct HttpBenchArgs {
    /// The server's address.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// An admin's username (the bench creates its body users with it).
    #[arg(long, default_value = "admin")]
    pub admin_user: String,
    /// That admin's password (the demo's by default).
    #[arg(long, default_value = "demo-admin-2026")]
    pub admin_password: String,
    /// A body user whose result of a published or final evaluation is read.
    #[arg(long, default_value = "body")]
    pub body_user: String,
    /// That user's password.
    #[arg(long, default_value = "demo-body-2026")]
    pub body_password: String,
    /// Connections; repeat for several (default 1, 16 and 64).
    #[arg(long = "connections")]
    pub connections: Vec<usize>,
    /// Seconds each scenario runs at each number of connections.
    #[arg(long, default_value_t = 3)]
    pub seconds: u64,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// Sends `r`; the status, the `ETag` and the body.
fn send(
    agent: &ureq::Agent,
    base: &str,
    r: &Request,
    if_match: Option<&str>,
) -> Result<(u16, Option<String>, Value), CliError> {
    let url = format!("{base}{}", r.path);
    let auth = r.token.as_ref().map(|t| format!("Bearer {t}"));
    let mut response = match (r.method, &r.body) {
        ("GET", _) => {
            let mut req = agent.get(&url);
            if let Some(a) = &auth {
                req = req.header("Authorization", a);
            }
            req.call()
        }
        (method, body) => {
            let mut req = if method == "PUT" {
                agent.put(&url)
            } else {
                agent.post(&url)
            };
            if let Some(a) = &auth {
                req = req.header("Authorization", a);
            }
            if let Some(m) = if_match {
                req = req.header("If-Match", m);
            }
            req.send_json(body.clone().unwrap_or(Value::Null))
        }
    }
    .map_err(|e| anyhow!("{} {url}: {e}", r.method))?;
    let status = response.status().as_u16();
    let etag = response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let text = response
        .body_mut()
        .read_to_string()
        .map_err(|e| anyhow!("{} {url}: {e}", r.method))?;
    let value = serde_json::from_str(&text).unwrap_or(Value::Null);
    Ok((status, etag, value))
}

/// Logs in with a password; the token.
fn login(agent: &ureq::Agent, base: &str, user: &str, password: &str) -> Result<String, CliError> {
    let r = Request {
        method: "POST",
        path: "/api/v1/auth/token".into(),
        token: None,
        body: Some(json!({"grant_type": "password", "username": user, "password": password})),
    };
    let (status, _, body) = send(agent, base, &r, None)?;
    body["access_token"]
        .as_str()
        .filter(|_| status == 200)
        .map(str::to_string)
        .ok_or_else(|| anyhow!("login of {user}: {status} {body}").into())
}

fn get(agent: &ureq::Agent, base: &str, path: &str, token: &str) -> Result<Value, CliError> {
    let r = Request {
        method: "GET",
        path: path.into(),
        token: Some(token.into()),
        body: None,
    };
    let (status, _, body) = send(agent, base, &r, None)?;
    if status != 200 {
        return Err(anyhow!("GET {path}: {status} {body}").into());
    }
    Ok(body)
}

/// What the scenarios need from the server: tokens, an evaluation, a body's result, and one
/// body user per connection whose report in the open cycle it saves.
struct World {
    admin: String,
    body: String,
    evaluation: String,
    /// A final evaluation, the one external systems read.
    final_evaluation: String,
    /// An external system's token (`results:read warnings:read`).
    client: String,
    body_id: String,
    open_year: i32,
    /// Per connection: a body and its user's token.
    savers: Vec<(String, String)>,
}

/// Registers an external system that reads results and warnings; its token.
fn client_token(agent: &ureq::Agent, base: &str, admin: &str) -> Result<String, CliError> {
    let create = Request {
        method: "POST",
        path: "/api/v1/clients".into(),
        token: Some(admin.to_string()),
        body: Some(
            json!({"name": "pubeval bench http", "scopes": ["results:read", "warnings:read"]}),
        ),
    };
    let (status, _, created) = send(agent, base, &create, None)?;
    if status != 201 {
        return Err(anyhow!("creating a client: {status} {created}").into());
    }
    let grant = Request {
        method: "POST",
        path: "/api/v1/auth/token".into(),
        token: None,
        body: Some(json!({
            "grant_type": "client_credentials",
            "client_id": created["client_id"],
            "client_secret": created["client_secret"],
        })),
    };
    let (status, _, token) = send(agent, base, &grant, None)?;
    token["access_token"]
        .as_str()
        .filter(|_| status == 200)
        .map(str::to_string)
        .ok_or_else(|| anyhow!("client token: {status} {token}").into())
}

const BENCH_PASSWORD: &str = "bench-http-password-1";

fn world(args: &HttpBenchArgs, savers: usize) -> Result<World, CliError> {
    let agent = agent();
    let base = args.url.trim_end_matches('/');
    let admin = login(&agent, base, &args.admin_user, &args.admin_password)?;
    let body = login(&agent, base, &args.body_user, &args.body_password)?;
    let own = get(&agent, base, "/api/v1/bodies?per_page=1", &body)?;
    let body_id = own["items"][0]["id"]
        .as_str()
        .ok_or_else(|| anyhow!("the body user sees no body: {own}"))?
        .to_string();
    let evaluations = get(&agent, base, "/api/v1/evaluations?per_page=100", &admin)?;
    let evaluation = evaluations["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| {
            [EvaluationStatus::Final, EvaluationStatus::PublicNotice]
                .iter()
                .any(|s| e["status"] == s.as_str())
        })
        .and_then(|e| e["id"].as_str())
        .ok_or_else(|| anyhow!("no published or final evaluation; run it against `pubeval demo`"))?
        .to_string();
    let final_evaluation = evaluations["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["status"] == EvaluationStatus::Final.as_str())
        .and_then(|e| e["id"].as_str())
        .ok_or_else(|| anyhow!("no final evaluation; run it against `pubeval demo`"))?
        .to_string();
    let client = client_token(&agent, base, &admin)?;
    let now = chrono::Utc::now();
    let cycles = get(&agent, base, "/api/v1/cycles", &admin)?;
    let open_year = cycles
        .as_array()
        .or_else(|| cycles["items"].as_array())
        .into_iter()
        .flatten()
        .find(|c| {
            let at = |k: &str| {
                c[k].as_str()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            };
            matches!((at("opens_at"), at("closes_at")), (Some(o), Some(e)) if o <= now && now < e)
        })
        .and_then(|c| c["year"].as_i64())
        .and_then(|y| i32::try_from(y).ok())
        .ok_or_else(|| anyhow!("no cycle is open now; run it against `pubeval demo`"))?;
    let list = get(
        &agent,
        base,
        &format!("/api/v1/submissions?year={open_year}&status=not_submitted&per_page={savers}"),
        &admin,
    )?;
    let bodies: Vec<String> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["body_id"].as_str().map(str::to_string))
        .collect();
    if bodies.is_empty() {
        return Err(anyhow!("no body of {open_year} without a report is left to save for").into());
    }
    let mut saver_list = Vec::new();
    for (n, id) in bodies.iter().cycle().take(savers).enumerate() {
        let username = format!("bench-http-{}", &id[..8.min(id.len())]);
        if n < bodies.len() {
            let create = Request {
                method: "POST",
                path: "/api/v1/users".into(),
                token: Some(admin.clone()),
                body: Some(
                    json!({"username": username, "password": BENCH_PASSWORD, "role": "body", "body_id": id}),
                ),
            };
            let (status, _, answer) = send(&agent, base, &create, None)?;
            if status != 201 && status != 409 {
                return Err(anyhow!("creating {username}: {status} {answer}").into());
            }
        }
        saver_list.push((id.clone(), login(&agent, base, &username, BENCH_PASSWORD)?));
    }
    Ok(World {
        admin,
        body,
        evaluation,
        final_evaluation,
        client,
        body_id,
        open_year,
        savers: saver_list,
    })
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Runs the benchmark; prints one line per scenario and number of connections:
/// `<scenario> c=<n>: <rps> req/s p50 <ms> ms p99 <ms> ms (<wrong> unexpected)`.
pub fn run(args: &HttpBenchArgs) -> Result<(), CliError> {
    let connections = if args.connections.is_empty() {
        vec![1, 16, 64]
    } else {
        args.connections.clone()
    };
    let most = connections.iter().copied().max().unwrap_or(1);
    let base = args.url.trim_end_matches('/').to_string();
    let target = Target::parse(&base)?;
    let w = Arc::new(world(args, most).context("preparing the benchmark")?);
    println!(
        "pubeval bench http against {base} ({} s per cell; evaluation {}, saves in {})",
        args.seconds, w.evaluation, w.open_year
    );
    type Make = Arc<dyn Fn(usize) -> Request + Send + Sync>;
    let scenarios: Vec<(&str, &'static [u16], Make)> = vec![
        (
            "healthz",
            &[200],
            Arc::new(|_| Request {
                method: "GET",
                path: "/healthz".into(),
                token: None,
                body: None,
            }),
        ),
        ("token", &[200], {
            let user = args.body_user.clone();
            let password = args.body_password.clone();
            Arc::new(move |_| Request {
                method: "POST",
                path: "/api/v1/auth/token".into(),
                token: None,
                body: Some(
                    json!({"grant_type": "password", "username": user, "password": password}),
                ),
            })
        }),
        ("ranking", &[200], {
            let w = w.clone();
            Arc::new(move |_| Request {
                method: "GET",
                path: format!(
                    "/api/v1/evaluations/{}/results?page=1&per_page=50",
                    w.evaluation
                ),
                token: Some(w.admin.clone()),
                body: None,
            })
        }),
        // An external system reads the final ranking: its warning levels are decided per
        // request (issued ones only), so it reaches the database where staff do not.
        ("ranking_client", &[200], {
            let w = w.clone();
            Arc::new(move |_| Request {
                method: "GET",
                path: format!(
                    "/api/v1/evaluations/{}/results?page=1&per_page=50",
                    w.final_evaluation
                ),
                token: Some(w.client.clone()),
                body: None,
            })
        }),
        ("own_result", &[200], {
            let w = w.clone();
            Arc::new(move |_| Request {
                method: "GET",
                path: format!("/api/v1/evaluations/{}/results/{}", w.evaluation, w.body_id),
                token: Some(w.body.clone()),
                body: None,
            })
        }),
        ("save", &[200, 201], {
            let w = w.clone();
            Arc::new(move |c| {
                let (id, token) = &w.savers[c % w.savers.len()];
                Request {
                    method: "PUT",
                    path: format!("/api/v1/bodies/{id}/submissions/{}", w.open_year),
                    token: Some(token.clone()),
                    body: Some(
                        json!({"payload": {"press_releases": 12, "original_posts": 40 + c}}),
                    ),
                }
            })
        }),
    ];
    for (name, expect, make) in scenarios {
        for &c in &connections {
            // A save per connection needs its own report: two connections on one report
            // would refuse each other's `If-Match`.
            let c = if name == "save" {
                c.min(w.savers.len())
            } else {
                c
            };
            let requests = (0..c).map(|n| make(n)).collect();
            let cell = run_cell(&target, requests, args.seconds, expect)
                .with_context(|| format!("{name} at {c} connections"))?;
            let n = cell.latencies_ms.len();
            println!(
                "{name} c={c}: {:.0} req/s p50 {:.2} ms p99 {:.2} ms ({n} requests, {} unexpected)",
                n as f64 / cell.elapsed,
                quantile(&cell.latencies_ms, 0.5),
                quantile(&cell.latencies_ms, 0.99),
                cell.wrong
            );
        }
    }
    Ok(())
}
