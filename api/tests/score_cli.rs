//! `pubeval score` as a user runs it: the shipped example set, bad input, the table and the
//! uncertainty analysis.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

fn pubeval(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pubeval"))
        .args(args)
        .output()
        .expect("run pubeval")
}

fn example_args(extra: &[&str]) -> Vec<String> {
    let e = examples();
    let mut args: Vec<String> = vec![
        "score".into(),
        "--year".into(),
        "2025".into(),
        "--bodies".into(),
        e.join("bodies.jsonl").display().to_string(),
        "--submissions".into(),
        e.join("submissions.jsonl").display().to_string(),
        "--incidents".into(),
        e.join("incidents.jsonl").display().to_string(),
        "--previous".into(),
        e.join("previous.jsonl").display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn run_examples(extra: &[&str]) -> Vec<Value> {
    let args = example_args(extra);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = pubeval(&refs);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn body<'a>(rows: &'a [Value], id: &str) -> &'a Value {
    rows.iter().find(|r| r["body_id"] == id).unwrap()
}

#[test]
fn the_example_set_scores_every_body_in_ranking_order() {
    let rows = run_examples(&[]);
    assert_eq!(rows.len(), 12);
    // The worked example of SCHEME.md §7 is one of the bodies.
    let worked = body(&rows, "CNCA-R-2002-004");
    assert!((worked["total"].as_f64().unwrap() - 80.757242).abs() < 1e-6);
    assert_eq!(worked["grade"], "B");
    assert_eq!(worked["warning"]["level"], 1);
    assert_eq!(
        worked["warning"]["reasons"],
        serde_json::json!(["W1.late_report"])
    );
    assert_eq!(worked["deductions"]["X1"], -3.0);
    // Ranks ascend down the list; the body without a report comes last with no total.
    let ranks: Vec<u64> = rows.iter().filter_map(|r| r["rank"].as_u64()).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]));
    let last = rows.last().unwrap();
    assert_eq!(last["submitted"], false);
    assert!(last["total"].is_null());
    assert_eq!(last["warning"]["reasons"][0], "W2.not_submitted");
    // A veto puts its body after every unvetoed one, with grade D and a level-3 warning.
    let vetoed = body(&rows, "CNCA-R-2006-022");
    assert_eq!(vetoed["vetoes"], serde_json::json!(["V2"]));
    assert_eq!(vetoed["grade"], "D");
    assert_eq!(vetoed["warning"]["level"], 3);
    assert_eq!(vetoed["rank"], 11);
    // An incident of late 2024 (China Standard Time) does not count in 2025.
    assert_eq!(
        body(&rows, "CNCA-R-2003-012")["deductions"],
        serde_json::json!({})
    );
}

#[test]
fn the_table_is_chinese_and_shows_every_body() {
    let args = example_args(&["--format", "table"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = pubeval(&refs);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("排名"));
    assert!(text.contains("华信认证中心有限公司"));
    assert!(text.contains("80.76"));
    assert!(text.contains("未报送"));
}

#[test]
fn the_uncertainty_analysis_is_reproducible_with_a_seed() {
    let a = run_examples(&["--uncertainty", "200", "--seed", "7"]);
    let b = run_examples(&["--uncertainty", "200", "--seed", "7"]);
    assert_eq!(a, b);
    let u = &body(&a, "CNCA-R-2002-004")["uncertainty"];
    let shares: f64 = u["grade_shares"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_f64().unwrap())
        .sum();
    assert!((shares - 1.0).abs() < 1e-9);
    assert!(u["rank_q05"].as_u64() <= u["rank_median"].as_u64());
    assert!(u["rank_median"].as_u64() <= u["rank_q95"].as_u64());
    assert!(body(&a, "CNCA-R-2021-014").get("uncertainty").is_none());
}

/// Runs `score` on files written to a temporary directory; returns (exit code, stdout, stderr).
fn score_files(bodies: &str, submissions: &str, incidents: Option<&str>) -> (i32, String, String) {
    let dir = std::env::temp_dir().join(format!(
        "pubeval-cli-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("b.jsonl"), bodies).unwrap();
    std::fs::write(dir.join("s.jsonl"), submissions).unwrap();
    let b = dir.join("b.jsonl").display().to_string();
    let s = dir.join("s.jsonl").display().to_string();
    let mut args = vec![
        "score",
        "--year",
        "2025",
        "--bodies",
        &b,
        "--submissions",
        &s,
    ];
    let i = dir.join("i.jsonl").display().to_string();
    if let Some(text) = incidents {
        std::fs::write(&i, text).unwrap();
        args.extend(["--incidents", &i]);
    }
    let out = pubeval(&args);
    std::fs::remove_dir_all(&dir).ok();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const ONE_BODY: &str = r#"{"body_id":"b1","name":"一号认证有限公司","category":"product"}"#;

#[test]
fn a_malformed_line_stops_with_file_and_line() {
    let (code, stdout, stderr) = score_files(&format!("{ONE_BODY}\n{{not json\n"), "", None);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("b.jsonl:2"), "{stderr}");
}

#[test]
fn an_unknown_body_stops_with_its_line_and_field() {
    let submissions = r#"{"body_id":"nobody","payload":{}}"#;
    let (code, stdout, stderr) = score_files(ONE_BODY, submissions, None);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("s.jsonl:1: body_id"), "{stderr}");
}

#[test]
fn an_invalid_payload_names_every_wrong_field() {
    let submissions = r#"{"body_id":"b1","payload":{"press_releases":50.0,"media_channels":["website","website"],"bogus":1}}"#;
    let (code, stdout, stderr) = score_files(ONE_BODY, submissions, None);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    for field in [
        "payload.press_releases",
        "payload.media_channels[1]",
        "payload.bogus",
        "payload.policy_approved",
    ] {
        assert!(
            stderr.contains(&format!("s.jsonl:1: {field}")),
            "{field} in {stderr}"
        );
    }
}

#[test]
fn an_unknown_category_and_a_bad_incident_are_named() {
    let bodies = r#"{"body_id":"b1","name":"x","category":"laboratory"}"#;
    let (code, _, stderr) = score_files(bodies, "", None);
    assert_eq!(code, 2);
    assert!(stderr.contains("b.jsonl:1: category"), "{stderr}");

    let incidents = r#"{"body_id":"b1","kind":"gossip","severity":"general","occurred_at":"2025-01-02T00:00:00Z","reported_at":null}
{"body_id":"b1","kind":"major_event","severity":"general","occurred_at":"yesterday","reported_at":null}
{"body_id":"b1","kind":"major_event","severity":"general","occurred_at":"2025-01-02T00:00:00Z"}"#;
    let (code, stdout, stderr) = score_files(ONE_BODY, "", Some(incidents));
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("i.jsonl:1: kind"), "{stderr}");
    assert!(stderr.contains("i.jsonl:2: occurred_at"), "{stderr}");
    assert!(stderr.contains("i.jsonl:3: reported_at"), "{stderr}");
}

#[test]
fn an_invalid_scheme_lists_its_problems() {
    let dir = std::env::temp_dir().join(format!("pubeval-scheme-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut scheme: Value =
        serde_json::from_str(pubeval_scoring::scheme::DEFAULT_SCHEME_JSON).unwrap();
    scheme["dimensions"][0]["indicators"][0]["code"] = "D1.2".into();
    scheme["dimensions"][1]["max"] = 31.into();
    let path = dir.join("scheme.json");
    std::fs::write(&path, scheme.to_string()).unwrap();
    let args = example_args(&["--scheme", &path.display().to_string()]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = pubeval(&refs);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("duplicate_code") || stderr.contains("D1.2 重复"),
        "{stderr}"
    );
    assert!(stderr.contains("dimensions[1].max"), "{stderr}");
}
