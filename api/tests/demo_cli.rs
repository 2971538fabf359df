//! `pubeval demo` builds a plausible history and the current year's open cycle, prints the
//! console's address and the logins, and never touches a database it did not create.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::process::Command;

use chrono::{Datelike, Duration, Utc};
use diesel::prelude::*;
use pubeval::db::schema::{bodies, cycles, submissions, users};
use pubeval::states::{SubmissionStatus, TextEnum};

fn pool(url: &str) -> pubeval::db::DbPool {
    pubeval::db::connect(url, 1).unwrap()
}

/// The regulator's year today (UTC+8); the demo's history ends with 2025.
fn current_year() -> i32 {
    (Utc::now() + Duration::hours(8)).year().max(2026)
}

fn the_current_cycle_is_open_with_reports_in_every_state(url: &str, stdout: &str) {
    let year = current_year();
    let pool = pool(url);
    let mut conn = pool.get().unwrap();
    let (opens, closes): (chrono::NaiveDateTime, chrono::NaiveDateTime) = cycles::table
        .filter(cycles::year.eq(year))
        .select((cycles::opens_at, cycles::closes_at))
        .first(&mut conn)
        .unwrap();
    let now = Utc::now().naive_utc();
    assert!(opens <= now && now < closes, "{year}: {opens} – {closes}");
    assert!(
        stdout.contains(&format!("{year} 年度报送期已开放")),
        "{stdout}"
    );

    // Each body's latest revision of the year.
    let rows: Vec<(String, i32, String, String, Option<String>)> = submissions::table
        .filter(submissions::year.eq(year))
        .select((
            submissions::body_id,
            submissions::revision,
            submissions::status,
            submissions::payload,
            submissions::comment,
        ))
        .load(&mut conn)
        .unwrap();
    let mut latest = BTreeMap::<String, (i32, String, String, Option<String>)>::new();
    for (body, revision, status, payload, comment) in rows {
        let entry = latest
            .entry(body)
            .or_insert((0, String::new(), String::new(), None));
        if revision > entry.0 {
            *entry = (revision, status, payload, comment);
        }
    }
    let total: i64 = bodies::table.count().get_result(&mut conn).unwrap();
    assert!(
        (latest.len() as i64) < total,
        "some bodies have not started"
    );
    for state in SubmissionStatus::ALL {
        let n = latest.values().filter(|r| r.1 == state.as_str()).count();
        assert!(n > 0, "{year}: no report is {}", state.as_str());
    }
    for (_, status, _, comment) in latest.values() {
        if status == SubmissionStatus::Returned.as_str() {
            assert!(comment.as_deref().is_some_and(|c| !c.trim().is_empty()));
        }
    }

    // The body login's report: a draft, partly filled.
    let body: String = users::table
        .filter(users::username.eq("body"))
        .select(users::body_id.assume_not_null())
        .first(&mut conn)
        .unwrap();
    let (_, status, payload, _) = latest.get(&body).expect("the body login's report");
    assert_eq!(status, SubmissionStatus::Draft.as_str());
    let payload: serde_json::Value = serde_json::from_str(payload).unwrap();
    let filled = payload.as_object().unwrap().len();
    let fields = pubeval_scoring::Scheme::default_scheme().fields.len();
    assert!(
        filled > 0 && filled < fields,
        "{filled} of {fields} fields filled"
    );
}

/// A name ending in a bracketed number, e.g. 北京远航检测认证有限公司（3）.
fn numbered(name: &str) -> bool {
    let rest = name.trim_end_matches(['）', ')']);
    rest.len() < name.len()
        && rest.trim_end_matches(|c: char| c.is_ascii_digit()).len() < rest.len()
}

fn no_body_name_is_numbered(url: &str) {
    let pool = pool(url);
    let mut conn = pool.get().unwrap();
    let names: Vec<String> = bodies::table.select(bodies::name).load(&mut conn).unwrap();
    assert!(!names.is_empty());
    let bad: Vec<&String> = names.iter().filter(|n| numbered(n)).collect();
    assert!(bad.is_empty(), "{bad:?}");
    let unique: std::collections::HashSet<&String> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "names are unique");
    assert!(numbered("北京远航检测认证有限公司（3）"));
}

/// Verified with the demo directory's audit key (the chain is keyed by the data directory
/// the server wrote it with).
fn the_audit_chain_verifies(url: &str, data_dir: &std::path::Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_pubeval"))
        .args(["audit", "verify", "--database-url", url, "--data-dir"])
        .arg(data_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("审计链完整"));
}

#[test]
fn the_demo_builds_three_years_and_refuses_a_foreign_database() {
    let dir = std::env::temp_dir().join(format!("pubeval-demo-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_pubeval"))
        .args(["demo", "--no-serve", "--bodies", "200", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "http://127.0.0.1:8080/ ",
        "client_id",
        "client_secret",
        "浏览器",
        "用户名",
        "密码",
        "报送期已开放",
    ] {
        assert!(stdout.contains(expected), "{expected} in {stdout}");
    }
    // Every role's login on one line: its name in Chinese, the username, the password.
    for (role, username, password) in [
        ("管理员", "admin", "demo-admin-2026"),
        ("分析人员", "analyst", "demo-analyst-2026"),
        ("机构用户", "body", "demo-body-2026"),
    ] {
        assert!(
            stdout.lines().any(|l| {
                let words: Vec<&str> = l.split_whitespace().collect();
                words == [role, username, password]
            }),
            "{role} {username} {password} in {stdout}"
        );
    }
    assert!(dir.join("pubeval.db").exists());
    let url = format!("sqlite://{}", dir.join("pubeval.db").display());
    the_current_cycle_is_open_with_reports_in_every_state(&url, &stdout);
    no_body_name_is_numbered(&url);
    the_audit_chain_verifies(&url, &dir);

    // The reports of its final 2024 evaluation, from the command line.
    let evaluation: String = {
        use pubeval::db::schema::evaluations;
        let pool = pool(&url);
        let mut conn = pool.get().unwrap();
        evaluations::table
            .filter(evaluations::year.eq(2024))
            .filter(evaluations::status.eq("final"))
            .select(evaluations::id)
            .first(&mut conn)
            .unwrap()
    };
    let csv = dir.join("ranking.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_pubeval"))
        .args([
            "report",
            "ranking",
            "--evaluation",
            &evaluation,
            "--format",
            "csv",
            "--database-url",
            &url,
            "--out",
        ])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("\u{feff}排名"),
        "{}",
        text.chars().take(20).collect::<String>()
    );
    assert_eq!(text.lines().count(), 201, "a header and every body");
    let charts = dir.join("charts");
    let out = Command::new(env!("CARGO_BIN_EXE_pubeval"))
        .args([
            "report",
            "charts",
            "--evaluation",
            &evaluation,
            "--database-url",
            &url,
            "--out",
        ])
        .arg(&charts)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::read_to_string(charts.join("grade_distribution.svg"))
            .unwrap()
            .contains("<svg")
    );
    // Built again over its own database: fine.
    let again = Command::new(env!("CARGO_BIN_EXE_pubeval"))
        .args(["demo", "--no-serve", "--bodies", "50", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();

    // A directory holding someone else's database is refused, and left as it was.
    let foreign = std::env::temp_dir().join(format!("pubeval-demo-foreign-{}", std::process::id()));
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("pubeval.db"), b"precious").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pubeval"))
        .args(["demo", "--no-serve", "--dir"])
        .arg(&foreign)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(
        std::fs::read(foreign.join("pubeval.db")).unwrap(),
        b"precious"
    );
    std::fs::remove_dir_all(&foreign).unwrap();
}
