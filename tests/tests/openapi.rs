//! The committed OpenAPI document is the one the code generates, and names every route with
//! the bearer scheme.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[test]
fn the_committed_document_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json"))
        .expect("openapi/openapi.json is committed (regenerate it with `pubeval openapi > openapi/openapi.json`)");
    let generated = pubeval::openapi::document_json();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn every_operation_lists_its_statuses_and_protected_ones_the_bearer_scheme() {
    let doc: serde_json::Value = serde_json::from_str(&pubeval::openapi::document_json()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 10);
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(!responses.is_empty(), "{method} {path}");
            for (status, response) in responses {
                assert!(
                    response["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{method} {path} {status}"
                );
            }
            let public = matches!(path.as_str(), "/healthz" | "/readyz" | "/api/v1/auth/token");
            if !public {
                assert!(
                    op["security"].is_array(),
                    "{method} {path} names no security"
                );
                assert!(responses.contains_key("401"), "{method} {path} lacks 401");
            }
        }
    }
}

#[test]
fn operation_ids_are_unique() {
    let doc: serde_json::Value = serde_json::from_str(&pubeval::openapi::document_json()).unwrap();
    let mut seen = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(
                seen.insert(id.to_string()),
                "operationId {id} is used twice"
            );
        }
    }
}

#[test]
fn every_reference_resolves() {
    let doc: serde_json::Value = serde_json::from_str(&pubeval::openapi::document_json()).unwrap();
    fn walk(v: &serde_json::Value, doc: &serde_json::Value, missing: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::String(r)) = map.get("$ref") {
                    let pointer = r.trim_start_matches('#');
                    if doc.pointer(pointer).is_none() {
                        missing.push(r.clone());
                    }
                }
                map.values().for_each(|x| walk(x, doc, missing));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|x| walk(x, doc, missing)),
            _ => {}
        }
    }
    let mut missing = Vec::new();
    walk(&doc, &doc, &mut missing);
    assert!(missing.is_empty(), "unresolved references: {missing:?}");
}
