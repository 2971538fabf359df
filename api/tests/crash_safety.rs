//! Nothing acknowledged is lost in a crash (issue 11, in CI): the real server, eight writers
//! saving revisions of their reports, `kill -9` in the middle, a restart; then every save that
//! was answered 2xx is there with its payload, SQLite's `PRAGMA integrity_check` is `ok`, and
//! the audit chain verifies. On SQLite, and on PostgreSQL when `PUBEVAL_TEST_POSTGRES_URL`
//! names a server.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use diesel::RunQueryDsl;
use serde_json::{Value, json};

const WRITERS: usize = 8;
const ADMIN_PASSWORD: &str = "crash-admin-password-1";

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "pubeval-crash-{tag}-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

/// A JSON request; the status, the `ETag` and the body (`None` when the server is gone).
fn call(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    token: Option<&str>,
    if_match: Option<&str>,
    body: Option<&Value>,
) -> Option<(u16, Option<String>, Value)> {
    let mut req = ureq::http::Request::builder().method(method).uri(url);
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    if let Some(m) = if_match {
        req = req.header("If-Match", m);
    }
    let response = match body {
        Some(b) => agent.run(
            req.header("Content-Type", "application/json")
                .body(b.to_string())
                .unwrap(),
        ),
        None => agent.run(req.body(()).unwrap()),
    }
    .ok()?;
    let status = response.status().as_u16();
    let etag = response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let text = response.into_body().read_to_string().ok()?;
    Some((
        status,
        etag,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    ))
}

fn token(agent: &ureq::Agent, base: &str, username: &str, password: &str) -> String {
    let (status, _, body) = call(
        agent,
        "POST",
        &format!("{base}/api/v1/auth/token"),
        None,
        None,
        Some(&json!({"grant_type": "password", "username": username, "password": password})),
    )
    .expect("the server answers");
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

/// Creates the admin on a fresh database (migrating it) before any server starts.
fn with_admin(dir: &Path, url: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_pubeval"))
        .args([
            "user",
            "add",
            "--username",
            "admin",
            "--role",
            "admin",
            "--password-stdin",
            "--database-url",
            url,
        ])
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(format!("{ADMIN_PASSWORD}\n").as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A body's writer: its id and its user's password.
struct Writer {
    body_id: String,
    username: String,
}

/// Registers the bodies, their users and an open 2025 cycle through the API.
fn prepare(agent: &ureq::Agent, base: &str) -> Vec<Writer> {
    let admin = token(agent, base, "admin", ADMIN_PASSWORD);
    let now = chrono::Utc::now();
    let (status, _, body) = call(
        agent,
        "POST",
        &format!("{base}/api/v1/cycles"),
        Some(&admin),
        None,
        Some(&json!({"year": 2025,
            "opens_at": (now - chrono::Duration::days(1)).to_rfc3339(),
            "closes_at": (now + chrono::Duration::days(9)).to_rfc3339()})),
    )
    .unwrap();
    assert_eq!(status, 201, "{body}");
    (0..WRITERS)
        .map(|i| {
            let (status, _, body) = call(
                agent,
                "POST",
                &format!("{base}/api/v1/bodies"),
                Some(&admin),
                None,
                Some(&json!({"approval_no": format!("CNCA-R-2015-{:03}", i + 1),
                    "name": format!("第{i}认证有限公司"), "category": "product",
                    "province": "北京", "approved_on": "2010-03-01"})),
            )
            .unwrap();
            assert_eq!(status, 201, "{body}");
            let body_id = body["id"].as_str().unwrap().to_string();
            let username = format!("writer{i}");
            let (status, _, body) = call(
                agent,
                "POST",
                &format!("{base}/api/v1/users"),
                Some(&admin),
                None,
                Some(
                    &json!({"username": username, "password": format!("{username}-password"),
                    "role": "body", "body_id": body_id}),
                ),
            )
            .unwrap();
            assert_eq!(status, 201, "{body}");
            Writer { body_id, username }
        })
        .collect()
}

/// Saves revisions of one report until the server stops answering; every save answered 2xx
/// as (revision, press_releases).
fn write_until_gone(base: String, writer: &Writer, stop: Arc<AtomicBool>) -> Vec<(i64, i64)> {
    let agent = agent();
    let user = token(
        &agent,
        &base,
        &writer.username,
        &format!("{}-password", writer.username),
    );
    let url = format!("{base}/api/v1/bodies/{}/submissions/2025", writer.body_id);
    let mut etag: Option<String> = None;
    let mut acknowledged = Vec::new();
    for n in 0.. {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let payload = json!({"payload": {"press_releases": n, "original_posts": n * 7}});
        let Some((status, tag, body)) = call(
            &agent,
            "PUT",
            &url,
            Some(&user),
            etag.as_deref(),
            Some(&payload),
        ) else {
            break;
        };
        if (200..300).contains(&status) {
            acknowledged.push((body["revision"].as_i64().unwrap(), n));
            etag = tag;
        } else {
            assert!(status < 500, "a save answered {status}: {body}");
        }
    }
    acknowledged
}

/// The crash and the checks after it, on a database URL in `dir`.
fn crash_and_recover(dir: &Path, url: &str) {
    with_admin(dir, url);
    let data_dir = dir.to_str().unwrap();
    let args = ["--database-url", url, "--data-dir", data_dir];
    let (mut server, port) = common::serve_on_any_port(dir, &args);
    let base = format!("http://127.0.0.1:{port}");
    let writers = Arc::new(prepare(&agent(), &base));

    let stop = Arc::new(AtomicBool::new(false));
    let threads: Vec<_> = (0..WRITERS)
        .map(|i| {
            let (base, writers, stop) = (base.clone(), writers.clone(), stop.clone());
            std::thread::spawn(move || write_until_gone(base, &writers[i], stop))
        })
        .collect();
    // Three seconds of writing, killed in the middle of it.
    let started = Instant::now();
    std::thread::sleep(Duration::from_millis(1500));
    server.crash();
    std::thread::sleep(Duration::from_secs(3).saturating_sub(started.elapsed()));
    stop.store(true, Ordering::Relaxed);
    let acknowledged: Vec<Vec<(i64, i64)>> =
        threads.into_iter().map(|t| t.join().unwrap()).collect();
    let total: usize = acknowledged.iter().map(Vec::len).sum();
    assert!(
        total >= WRITERS,
        "the writers saved before the crash: {total}"
    );

    // Restarted, it has every acknowledged save with its payload.
    let (_server, port) = common::serve_on_any_port(dir, &args);
    let base = format!("http://127.0.0.1:{port}");
    let agent = agent();
    for (writer, saves) in writers.iter().zip(&acknowledged) {
        let user = token(
            &agent,
            &base,
            &writer.username,
            &format!("{}-password", writer.username),
        );
        let url = format!("{base}/api/v1/bodies/{}/submissions/2025", writer.body_id);
        for (revision, n) in saves {
            let (status, _, body) = call(
                &agent,
                "GET",
                &format!("{url}/revisions/{revision}"),
                Some(&user),
                None,
                None,
            )
            .unwrap();
            assert_eq!(
                status, 200,
                "revision {revision} of {}: {body}",
                writer.username
            );
            assert_eq!(body["payload"]["press_releases"], *n, "{body}");
            assert_eq!(body["payload"]["original_posts"], n * 7, "{body}");
        }
    }
    drop(_server);

    // The chain verifies with the server's key.
    let out = Command::new(env!("CARGO_BIN_EXE_pubeval"))
        .args([
            "audit",
            "verify",
            "--database-url",
            url,
            "--data-dir",
            data_dir,
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[derive(diesel::QueryableByName)]
struct Check {
    #[diesel(sql_type = diesel::sql_types::Text)]
    integrity_check: String,
}

#[test]
fn sqlite_keeps_every_acknowledged_save_through_kill_9() {
    let dir = TempDir::new("sqlite");
    let url = format!("sqlite://{}", dir.0.join("pubeval.db").display());
    crash_and_recover(&dir.0, &url);
    let pool = pubeval::db::connect(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    let checks: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .unwrap();
    let results: Vec<&str> = checks.iter().map(|c| c.integrity_check.as_str()).collect();
    assert_eq!(results, ["ok"]);
}

#[test]
#[ignore = "needs PostgreSQL (PUBEVAL_TEST_POSTGRES_URL)"]
fn postgres_keeps_every_acknowledged_save_through_kill_9() {
    let base = std::env::var("PUBEVAL_TEST_POSTGRES_URL")
        .expect("PUBEVAL_TEST_POSTGRES_URL names a PostgreSQL database");
    let schema = format!("crash_{}", uuid::Uuid::new_v4().simple());
    let pool = pubeval::db::connect(&base, 1).unwrap();
    diesel::sql_query(format!("CREATE SCHEMA {schema}"))
        .execute(&mut pool.get().unwrap())
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
    let dir = TempDir::new("postgres");
    let outcome = std::panic::catch_unwind(|| crash_and_recover(&dir.0, &url));
    let _ = diesel::sql_query(format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(&mut pool.get().unwrap());
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
