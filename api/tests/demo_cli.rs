//! `pubeval demo` builds a plausible history and never touches a database it did not create.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::process::Command;

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
        "http://127.0.0.1:8080",
        "admin",
        "analyst",
        "body",
        "client_id",
        "client_secret",
    ] {
        assert!(stdout.contains(expected), "{expected} in {stdout}");
    }
    assert!(dir.join("pubeval.db").exists());

    // The reports of its final 2024 evaluation, from the command line.
    let url = format!("sqlite://{}", dir.join("pubeval.db").display());
    let evaluation: String = {
        use diesel::prelude::*;
        use pubeval::db::schema::evaluations;
        let pool = pubeval::db::connect(&url, 1).unwrap();
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
