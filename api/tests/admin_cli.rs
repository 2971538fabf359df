//! The server-side commands as an operator runs them: users and clients from the command line,
//! migrations, audit verification, and `serve` answering on a real port.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("pubeval-cli-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn url(&self) -> String {
        format!("sqlite://{}", self.0.join("pubeval.db").display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn pubeval(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pubeval"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

#[test]
fn users_and_clients_are_added_from_the_command_line() {
    let dir = TempDir::new("users");
    let url = dir.url();
    let out = pubeval(
        &dir.0,
        &[
            "user",
            "add",
            "--username",
            "admin",
            "--role",
            "admin",
            "--password-stdin",
            "--database-url",
            &url,
        ],
        Some("a-long-password\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let user: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(user["username"], "admin");

    // A weak password and an unknown role are refused with a clear message.
    let out = pubeval(
        &dir.0,
        &[
            "user",
            "add",
            "--username",
            "weak",
            "--role",
            "analyst",
            "--password-stdin",
            "--database-url",
            &url,
        ],
        Some("short\n"),
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("8"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = pubeval(
        &dir.0,
        &[
            "user",
            "add",
            "--username",
            "x",
            "--role",
            "boss",
            "--password-stdin",
            "--database-url",
            &url,
        ],
        Some("a-long-password\n"),
    );
    assert!(!out.status.success());

    let out = pubeval(
        &dir.0,
        &[
            "client",
            "add",
            "--name",
            "外部系统",
            "--scopes",
            "results:read,bodies:read",
            "--database-url",
            &url,
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let client: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        client["client_id"]
            .as_str()
            .unwrap()
            .starts_with("pubeval-")
    );
    assert_eq!(client["client_secret"].as_str().unwrap().len(), 64);
    let out = pubeval(
        &dir.0,
        &[
            "client",
            "add",
            "--name",
            "x",
            "--scopes",
            "everything",
            "--database-url",
            &url,
        ],
        None,
    );
    assert!(!out.status.success());

    let out = pubeval(&dir.0, &["audit", "verify", "--database-url", &url], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_unknown_database_scheme_is_a_clear_error() {
    let dir = TempDir::new("scheme");
    let out = pubeval(
        &dir.0,
        &["migrate", "--database-url", "mysql://root@localhost/db"],
        None,
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("不支持的数据库地址") && stderr.contains("mysql://"),
        "{stderr}"
    );
    assert!(
        !dir.0.join("mysql:").exists(),
        "no file may be created for a foreign URL"
    );
}

#[test]
fn migrate_goes_up_and_down() {
    let dir = TempDir::new("migrate");
    let url = dir.url();
    let up = pubeval(&dir.0, &["migrate", "--database-url", &url], None);
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    let n = pubeval::db::migration_names().0.len();
    assert!(String::from_utf8_lossy(&up.stdout).contains(&format!("applied {n}")));
    let down = pubeval(&dir.0, &["migrate", "--down", "--database-url", &url], None);
    assert!(String::from_utf8_lossy(&down.stdout).contains(&format!("reverted {n}")));
    let again = pubeval(&dir.0, &["migrate", "--database-url", &url], None);
    assert!(String::from_utf8_lossy(&again.stdout).contains(&format!("applied {n}")));
}

fn http(port: u16, request: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

#[test]
fn serve_answers_on_a_real_port_and_keeps_its_key_private() {
    let dir = TempDir::new("serve");
    let url = dir.url();
    let out = pubeval(
        &dir.0,
        &[
            "user",
            "add",
            "--username",
            "admin",
            "--role",
            "admin",
            "--password-stdin",
            "--database-url",
            &url,
        ],
        Some("a-long-password"),
    );
    assert!(out.status.success());
    let (server, port) = common::serve_on_any_port(&dir.0, &["--database-url", &url]);
    let started = Instant::now();
    let health = loop {
        if let Some(r) = http(
            port,
            "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        ) {
            break r;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let body = r#"{"grant_type":"password","username":"admin","password":"a-long-password"}"#;
    let login = http(
        port,
        &format!("POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()),
    )
    .unwrap();
    drop(server);
    assert!(login.starts_with("HTTP/1.1 200"), "{login}");
    assert!(login.contains("access_token"));
    let key = dir.0.join("pubeval-jwt.key");
    assert!(key.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
