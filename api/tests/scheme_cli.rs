//! `pubeval scheme impact` over the demo's database: a draft document scored on the final
//! 2024 inputs (proven by their digest), the JSON on standard output with the same bytes on a
//! second run; a broken document, a year without a final evaluation.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::{Value, json};

/// The demo's directory, built once for the whole file.
fn demo() -> &'static PathBuf {
    static DEMO: OnceLock<PathBuf> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("pubeval-scheme-cli-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let out = Command::new(env!("CARGO_BIN_EXE_pubeval"))
            .args(["demo", "--no-serve", "--bodies", "60", "--dir"])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
}

fn impact(scheme: &Path, year: &str) -> Output {
    let url = format!("sqlite://{}", demo().join("pubeval.db").display());
    Command::new(env!("CARGO_BIN_EXE_pubeval"))
        .args([
            "scheme",
            "impact",
            "--year",
            year,
            "--database-url",
            &url,
            "--scheme",
        ])
        .arg(scheme)
        .output()
        .unwrap()
}

fn document(path: &Path, change: impl FnOnce(&mut Value)) -> PathBuf {
    let mut d: Value = serde_json::from_str(pubeval_scoring::scheme::DEFAULT_SCHEME_JSON).unwrap();
    d["version"] = json!(2);
    change(&mut d);
    std::fs::write(path, d.to_string()).unwrap();
    path.to_path_buf()
}

#[test]
fn a_draft_is_measured_on_a_final_year_as_json() {
    let dir = demo();
    let draft = document(&dir.join("draft.json"), |d| {
        d["grades"][1]["min"] = json!(80)
    });
    let out = impact(&draft, "2024");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["year"], 2024);
    assert_eq!(v["scheme"]["id"], Value::Null);
    assert_eq!(v["bodies"].as_array().unwrap().len(), 60);
    assert_eq!(v["input_digest"].as_str().unwrap().len(), 64);
    assert_eq!(v["changes"][1]["zh"], "等级 B 的最低分由 75 调整为 80");
    let moved = v["grade_transitions"]["B->C"].as_u64().unwrap_or(0);
    let in_gap = v["bodies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["old"]["grade"] == "B" && b["new"]["grade"] == "C")
        .count() as u64;
    assert_eq!(moved, in_gap);
    assert_eq!(v["rank_shift"]["kendall"], 1.0);
    let again = impact(&draft, "2024");
    assert_eq!(again.stdout, out.stdout, "same inputs, same bytes");
}

#[test]
fn a_broken_document_and_a_year_without_a_final_evaluation_are_refused() {
    let dir = demo();
    let broken = document(&dir.join("broken.json"), |d| {
        d["grades"][1]["min"] = json!(95)
    });
    let out = impact(&broken, "2024");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("grades[1].min"));
    let fine = document(&dir.join("fine.json"), |_| {});
    let out = impact(&fine, "2030");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有最终评价结果"));
}
