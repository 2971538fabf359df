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

/// Every operation documents what the framework answers for its kind, every file is a binary
/// string a generated client can download, and no schema a generator sees is anonymous.
#[test]
fn statuses_of_inputs_files_and_named_schemas_are_documented() {
    let doc: serde_json::Value = serde_json::from_str(&pubeval::openapi::document_json()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let has = |s: &str| responses.contains_key(s);
            let where_ = format!("{method} {path}");
            assert!(has("500"), "{where_} lacks 500");
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            if params.iter().any(|p| p["in"] == "query") {
                assert!(has("400"), "{where_}: a query parameter can fail to parse");
            }
            if op.get("requestBody").is_some() {
                for s in ["400", "413", "415", "422"] {
                    assert!(has(s), "{where_} reads a body but lacks {s}");
                }
            }
            if has("429") {
                assert!(
                    responses["429"]["headers"]["Retry-After"].is_object(),
                    "{where_}: 429 without Retry-After"
                );
            }
            for (status, response) in responses {
                for (media, content) in response["content"].as_object().into_iter().flatten() {
                    if media.starts_with("application/json") {
                        assert!(content["schema"].is_object(), "{where_} {status} {media}");
                    } else if !media.starts_with("text/html") && !media.starts_with("text/plain") {
                        // Inline, or a named schema of the same.
                        let schema = match content["schema"]["$ref"].as_str() {
                            Some(r) => {
                                &doc["components"]["schemas"]
                                    [r.trim_start_matches("#/components/schemas/")]
                            }
                            None => &content["schema"],
                        };
                        assert_eq!(schema["type"], "string", "{where_} {status} {media}");
                        assert_eq!(schema["format"], "binary", "{where_} {status} {media}");
                    }
                }
            }
        }
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let token = &schemas["TokenRequest"];
    for variant in token["oneOf"].as_array().unwrap() {
        assert!(
            variant["$ref"].is_string(),
            "token grants are named: {variant}"
        );
    }
    assert_eq!(token["discriminator"]["propertyName"], "grant_type");
    let result = &doc["paths"]["/api/v1/evaluations/{id}/results/{body_id}"]["get"]["responses"]["200"]
        ["content"]["application/json"]["schema"];
    assert_eq!(result["$ref"], "#/components/schemas/ResultDocument");
    let per_page = doc["paths"]["/api/v1/bodies"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "per_page")
        .unwrap();
    assert_eq!(per_page["schema"]["maximum"], 500);
}
