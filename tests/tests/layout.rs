//! The layout rules of DESIGN.md §1, checked on the source: small files, the HTTP layer only
//! translating (no diesel, no transactions, no audit calls in `routes/`), nothing but the HTTP
//! wiring naming `routes::`, status words written in one file, and no import cycle between the
//! api crate's top-level modules.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.rs` file under a directory, with its text.
fn sources(dir: &str) -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join(dir), &mut out);
    out.sort();
    out
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
        .trim_start_matches("./")
        .to_string()
}

/// Code without line comments, so that a doc comment naming a thing is not a use of it.
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn no_source_file_is_over_500_lines() {
    let mut long = Vec::new();
    for dir in ["api/src", "scoring/src", "reports/src"] {
        for (path, text) in sources(dir) {
            let lines = text.lines().count();
            if lines > 500 {
                long.push(format!("{} has {lines} lines", relative(&path)));
            }
        }
    }
    assert!(long.is_empty(), "{}", long.join("\n"));
}

#[test]
fn only_the_http_wiring_names_routes() {
    let mut found = Vec::new();
    for dir in ["api/src", "api/tests", "tests/src", "tests/tests"] {
        for (path, text) in sources(dir) {
            let name = relative(&path);
            let wiring = name.starts_with("api/src/routes/")
                || name == "api/src/app.rs"
                || name.starts_with("api/src/openapi/")
                || name.ends_with("tests/layout.rs");
            if !wiring && code(&text).contains("routes::") {
                found.push(name);
            }
        }
    }
    assert!(
        found.is_empty(),
        "name routes:: outside the HTTP wiring: {found:?}"
    );
}

#[test]
fn route_handlers_only_translate() {
    let mut found = Vec::new();
    for (path, text) in sources("api/src/routes") {
        let text = code(&text);
        for banned in ["diesel", "write_transaction", "audit::record", "db::schema"] {
            if text.contains(banned) {
                found.push(format!("{} uses {banned}", relative(&path)));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn status_words_are_written_in_one_file() {
    use pubeval::states::*;
    let mut words: BTreeSet<&str> = BTreeSet::new();
    words.extend(SubmissionStatus::ALL.iter().map(|s| s.as_str()));
    words.extend(EvaluationStatus::ALL.iter().map(|s| s.as_str()));
    words.extend(ObjectionStatus::ALL.iter().map(|s| s.as_str()));
    words.extend(WarningStatus::ALL.iter().map(|s| s.as_str()));
    words.extend(BodyStatus::ALL.iter().map(|s| s.as_str()));
    words.extend(SchemeStatus::ALL.iter().map(|s| s.as_str()));
    words.extend(IncidentSource::ALL.iter().map(|s| s.as_str()));
    words.extend(FlagStatus::ALL.iter().map(|s| s.as_str()));
    // "analyst" names a role and a demo login as well as an incident's source.
    words.remove("analyst");
    let mut found = Vec::new();
    for (path, text) in sources("api/src") {
        let name = relative(&path);
        if name.starts_with("api/src/states/") {
            continue;
        }
        let text = code(&text);
        for word in &words {
            // A JSON key of the same spelling (`"submitted": true`) is a field, not a state.
            let quoted = format!("\"{word}\"");
            let as_value = text
                .match_indices(&quoted)
                .any(|(i, _)| !text[i + quoted.len()..].starts_with(':'));
            if as_value {
                found.push(format!("{name} writes \"{word}\""));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The top-level module a file of the api crate belongs to.
fn module_of(name: &str) -> Option<String> {
    let rest = name.strip_prefix("api/src/")?;
    let first = rest.split('/').next()?;
    let module = first.trim_end_matches(".rs");
    (!matches!(module, "lib" | "main")).then(|| module.to_string())
}

#[test]
fn the_api_crates_top_level_modules_have_no_cycle() {
    let files = sources("api/src");
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|(p, _)| module_of(&relative(p)))
        .collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in &files {
        let Some(from) = module_of(&relative(path)) else {
            continue;
        };
        let text = code(text);
        let mut targets = BTreeSet::new();
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for part in group[..end].split(',') {
                    targets.insert(part.trim().split("::").next().unwrap_or("").to_string());
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                targets.insert(name);
            }
        }
        for to in targets {
            if to != from && modules.contains(&to) {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    // Depth-first search for a back edge; report the cycle it closes.
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        cycles: &mut Vec<String>,
    ) {
        if done.contains(node) {
            return;
        }
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_string());
            cycles.push(cycle.join(" → "));
            return;
        }
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            visit(next, edges, stack, done, cycles);
        }
        stack.pop();
        done.insert(node.to_string());
    }
    let mut cycles = Vec::new();
    let mut done = BTreeSet::new();
    for m in &modules {
        visit(m, &edges, &mut Vec::new(), &mut done, &mut cycles);
    }
    assert!(
        cycles.is_empty(),
        "import cycles: {cycles:#?}\nedges: {edges:#?}"
    );
}
