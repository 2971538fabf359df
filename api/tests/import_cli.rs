//! `pubeval import reports|incidents --year Y FILE [--dry-run]`: the API's import from the
//! command line — the same summary on standard output, nothing written by a dry run or by a
//! file with any error (exit code 2), every row written otherwise, as the analyst named.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pubeval::application::Application;
use pubeval::config::Config;
use pubeval::db::models::submission::Revision;
use pubeval::domain::{Ctx, Role, bodies, cycles, users};
use pubeval_scoring::Scheme;
use serde_json::{Value, json};

struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn url_of(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("pubeval.db").display())
}

/// A database with the 2024 cycle, two bodies and the analyst `li`; the bodies' ids.
fn setup(dir: &Path) -> Vec<String> {
    let app = Application::build(Config {
        database_url: url_of(dir),
        data_dir: dir.to_path_buf(),
        pool_size: 1,
        ..Config::default()
    })
    .unwrap();
    let mut conn = app.pool().get().unwrap();
    let ctx = Ctx::system("system:test");
    let cycle: cycles::NewCycle = serde_json::from_value(json!({"year": 2024,
        "opens_at": "2025-01-01T00:00:00+08:00", "closes_at": "2025-04-01T00:00:00+08:00"}))
    .unwrap();
    cycles::create(&mut conn, &ctx, cycle).unwrap();
    let hash = pubeval::auth::password::hash("li-password-2024").unwrap();
    users::create_user(&mut conn, &ctx, "li", hash, Role::Analyst, None).unwrap();
    (1..=2)
        .map(|i| {
            let body: bodies::NewBody = serde_json::from_value(json!({
                "approval_no": format!("CNCA-R-2012-{i:03}"), "name": format!("第{i}认证有限公司"),
                "category": "service", "province": "广东", "approved_on": "2012-06-01"
            }))
            .unwrap();
            bodies::create(&mut conn, &ctx, body).unwrap().id
        })
        .collect()
}

/// A complete report's CSV row, its values by field in scheme order.
fn csv(rows: &[(&str, i64)]) -> String {
    let scheme = Scheme::default_scheme();
    let mut out = String::from("approval_no");
    for f in &scheme.fields {
        out.push(',');
        out.push_str(&f.name);
    }
    out.push('\n');
    for (approval, press) in rows {
        out.push_str(approval);
        for f in &scheme.fields {
            out.push(',');
            out.push_str(&match f.name.as_str() {
                "press_releases" => press.to_string(),
                "media_channels" => "website;wechat".into(),
                "campaigns" => "quality_cert_week".into(),
                "disclosed_items" => "cert_fields、cert_rules".into(),
                "complaints_resolved_on_time" => "3".into(),
                "revenue_wan" => "5000".into(),
                _ if f.members.is_empty() && f.min.is_some() => "4".into(),
                _ => "是".into(),
            });
        }
        out.push('\n');
    }
    out
}

fn import(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pubeval"))
        .arg("import")
        .args(args)
        .args(["--database-url", &url_of(dir), "--data-dir"])
        .arg(dir)
        .output()
        .unwrap()
}

fn summary(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {} / {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn currents(dir: &Path) -> Vec<Revision> {
    let pool = pubeval::db::connect(&url_of(dir), 1).unwrap();
    let mut conn = pool.get().unwrap();
    Revision::currents_of_year(&mut conn, 2024).unwrap()
}

#[test]
fn reports_are_checked_then_imported_from_the_command_line() {
    let dir = Dir(std::env::temp_dir().join(format!("pubeval-import-cli-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    setup(&dir.0);
    let file = dir.0.join("2024.csv");
    std::fs::write(
        &file,
        csv(&[("CNCA-R-2012-001", 10), ("CNCA-R-2012-002", 0)]),
    )
    .unwrap();
    let path = file.to_str().unwrap();

    let dry = import(&dir.0, &["reports", "--year", "2024", path, "--dry-run"]);
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert_eq!(
        summary(&dry),
        json!({"dry_run": true, "rows": 2, "created": 2, "updated": 0, "unchanged": 0, "errors": []})
    );
    assert!(currents(&dir.0).is_empty(), "a dry run writes nothing");

    let real = import(&dir.0, &["reports", "--year", "2024", path, "--as", "li"]);
    assert!(
        real.status.success(),
        "{}",
        String::from_utf8_lossy(&real.stderr)
    );
    assert_eq!(summary(&real)["created"], 2);
    let written = currents(&dir.0);
    assert_eq!(written.len(), 2);
    assert!(
        written
            .iter()
            .all(|r| r.status == "accepted" && r.actor == "user:li")
    );

    // A file with a bad row: the summary names it, exit code 2, nothing written.
    let bad = dir.0.join("bad.csv");
    std::fs::write(
        &bad,
        csv(&[("CNCA-R-2012-001", 11), ("CNCA-R-2099-001", 1)]),
    )
    .unwrap();
    let out = import(
        &dir.0,
        &["reports", "--year", "2024", bad.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let s = summary(&out);
    assert_eq!(s["errors"][0]["row"], 3);
    assert_eq!(s["errors"][0]["column"], "A");
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was imported"));
    let after = currents(&dir.0);
    assert!(after.iter().all(|r| r.revision == 1), "nothing written");

    // Only staff may be named.
    let out = import(
        &dir.0,
        &["reports", "--year", "2024", path, "--as", "nobody"],
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn incidents_are_imported_from_the_command_line() {
    let dir = Dir(std::env::temp_dir().join(format!(
        "pubeval-import-cli-incidents-{}",
        std::process::id()
    )));
    std::fs::create_dir_all(&dir.0).unwrap();
    setup(&dir.0);
    let file = dir.0.join("incidents.csv");
    std::fs::write(
        &file,
        "批准号,事件类型,严重程度,发生时间,报告时间,事件描述\nCNCA-R-2012-001,有偿删帖,一般,2024-09-01 10:00,,委托第三方删帖\n",
    )
    .unwrap();
    let out = import(
        &dir.0,
        &["incidents", "--year", "2024", file.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        summary(&out),
        json!({"dry_run": false, "rows": 1, "created": 1, "updated": 0, "unchanged": 0, "errors": []})
    );
    let pool = pubeval::db::connect(&url_of(&dir.0), 1).unwrap();
    let mut conn = pool.get().unwrap();
    let counted =
        pubeval::db::models::incident::IncidentRow::counted_in_year(&mut conn, 2024).unwrap();
    assert_eq!(counted.len(), 1);
    assert_eq!(counted[0].kind, "paid_deletion");
    assert_eq!(counted[0].reported_at, None);
}
